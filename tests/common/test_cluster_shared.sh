#!/bin/bash
# test_cluster_shared - issue 17 item 8: a command that hangs while using
# the embedded cluster (an "arf ingest -" whose MTA never finishes the
# message) must not block the others; a wait for a command that holds the
# cluster exclusively (creating, starting or stopping it) is bounded by
# [database] lock_timeout and ends in exit 75. Before the fix every command
# took LOCK_EX on cluster.lock, so "arf stats" waited for the hung ingest.
. "$(dirname "$0")/../lib.sh"
unset PGHOST PGDATABASE PGUSER PGPORT REPWATCH_CONFIG
state=$T_TMP/state
export REPWATCH_PATHS_STATE_DIR=$state
mkdir -p "$state"
cfg=$T_TMP/c.conf
printf '[database]\nlock_timeout = 3\n' >"$cfg"
chmod 600 "$cfg"
rw() { "$RW" -c "$cfg" "$@"; }
expect_status 0 "db migrate creates the cluster" rw -q db migrate

# an MTA pipe that delivers half a message, then hangs
fifo=$T_TMP/pipe
mkfifo "$fifo"
rw -q arf ingest - <"$fifo" >"$T_TMP/ing.out" 2>&1 &
ingest=$!
exec 7>"$fifo"
head -c 300 tests/fixtures/arf/arf-basic.eml >&7
# wait until the ingest holds the cluster (its server is up)
for _ in $(seq 200); do
	[ -S "$state/pgdata/.s.PGSQL.5432" ] && break
	sleep 0.1
done
sleep 1
t0=$(date +%s%N)
expect_status 0 "arf stats while an ingest hangs" timeout 60 "$RW" -c "$cfg" -q arf stats
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 8000 ] && ok "arf stats completes promptly (${ms} ms)" ||
	nok "arf stats took ${ms} ms while the ingest hung"
expect_status 0 "db status while an ingest hangs" timeout 60 "$RW" -c "$cfg" -q db status
sed 's/^Message-ID: <\(.*\)>/Message-ID: <second-\1>/' tests/fixtures/arf/arf-basic.eml >"$T_TMP/second.eml"
t0=$(date +%s%N)
expect_status 0 "a second MTA pipe ingest while the first hangs" \
	timeout 60 "$RW" -c "$cfg" -q arf ingest - <"$T_TMP/second.eml"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 15000 ] && ok "the second ingest completes promptly (${ms} ms)" ||
	nok "the second ingest took ${ms} ms"
kill -0 "$ingest" 2>/dev/null && ok "the ingest is still waiting for its message" ||
	nok "the ingest ended early: $(cat "$T_TMP/ing.out")"
# finish the message: the hung ingest completes normally
tail -c +301 tests/fixtures/arf/arf-basic.eml >&7
exec 7>&-
rc=0
wait "$ingest" || rc=$?
expect_eq() { [ "$1" = "$2" ] && ok "$3" || nok "$3: got '$1', want '$2'"; }
expect_eq "$rc" 0 "the ingest completes once its input ends"

# a command holding the cluster exclusively: the wait is bounded (exit 75)
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a"); fcntl.flock(f, fcntl.LOCK_EX); time.sleep(30)' "$state/cluster.lock" &
holder=$!
# until the holder has it (python may be slow to start on a busy machine)
for _ in $(seq 200); do
	flock -n -s "$state/cluster.lock" true 2>/dev/null || break
	sleep 0.05
done
t0=$(date +%s%N)
expect_status 75 "arf stats gives up after lock_timeout with exit 75" \
	timeout 60 "$RW" -c "$cfg" arf stats
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -ge 2500 ] && [ "$ms" -lt 10000 ] && ok "bounded wait took ${ms} ms (lock_timeout = 3)" ||
	nok "bounded wait took ${ms} ms, want about 3000"
expect_grep "$T_TMP/err" "cluster.*busy" "message says the cluster is busy"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
expect_status 0 "arf stats once the lock is free" rw -q arf stats
sleep 0.5
[ -f "$state/pgdata/postmaster.pid" ] && nok "cluster left running" ||
	ok "last user stopped the cluster"
finish

#!/bin/bash
# test_rel_nightly - two "repwatch nightly" started together: one runs,
# the other exits 75 at once saying another run is in progress. Twice:
# sharing a state directory (the lock file) and with separate state
# directories on one database (the advisory lock). The winner's run
# completes (the day it fetched is stored once).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rel_lib.sh"
unset REPWATCH_CONFIG PGHOST PGDATABASE PGUSER
need_pg
if ! "$RW" nightly --help >/dev/null 2>&1; then
	nok "no nightly command"; finish; exit
fi
pg_init
pq "CREATE DATABASE rel" >/dev/null
DB="host=$REL_PG user=postgres dbname=rel"
http_start --slow 3
conf() { # conf FILE STATE_DIR
	cat >"$1" <<CONF
[paths]
state_dir = $2
[database]
conninfo = $DB
[snds.slow]
type = link
data_url = $BASE/slow/data?key=LINKKEY
status_url = $BASE/ok/status?key=LINKKEY
issued = $(date +%F)
lookback_days = 1
timeout = 10
retries = 0
CONF
	chmod 600 "$1"
}
conf "$T_TMP/a.conf" "$T_TMP/state-a"
conf "$T_TMP/b.conf" "$T_TMP/state-b"
"$RW" -q --config "$T_TMP/a.conf" db migrate

# together RUN1-CONFIG RUN2-CONFIG DESC
together() {
	local rc1=0 rc2=0 p1 p2
	"$RW" --config "$1" nightly >"$T_TMP/n1.out" 2>"$T_TMP/n1.err" &
	p1=$!
	"$RW" --config "$2" nightly >"$T_TMP/n2.out" 2>"$T_TMP/n2.err" &
	p2=$!
	wait "$p1" || rc1=$?
	wait "$p2" || rc2=$?
	echo "# $3: exit $rc1 and $rc2"
	if [ "$rc1" = 75 ] && [ "$rc2" != 75 ]; then loser=1
	elif [ "$rc2" = 75 ] && [ "$rc1" != 75 ]; then loser=2
	else nok "$3: exactly one exits 75 (got $rc1 and $rc2)"; return; fi
	ok "$3: exactly one exits 75"
	expect_grep "$T_TMP/n$loser.err" "another nightly run is in progress" "$3: the other says why"
}
together "$T_TMP/a.conf" "$T_TMP/a.conf" "same state directory"
together "$T_TMP/a.conf" "$T_TMP/b.conf" "separate state directories, one database"
n=$(q "SELECT count(*) FROM repwatch.snds_daily WHERE source = 'slow'")
[ "$n" -gt 0 ] && ok "the winner's fetch was stored ($n rows)" || nok "the winner's fetch was stored"
expect_eq "$(q "SELECT count(*) - count(DISTINCT (ip, day)) FROM repwatch.snds_daily WHERE source = 'slow'")" 0 "nothing stored twice"
finish

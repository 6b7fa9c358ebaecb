#!/bin/bash
# test_exit_codes - issue 17 item 14: exit codes of mistakes an operator
# makes. Before the fix: a missing configured Maildir exited 64 (it is a
# missing input: now 66, EX_NOINPUT); "prune --keep-days 99999999" exited 1
# (date out of range in SQL) and "--keep-days -1" said "keep_days is 0"
# (both now usage errors, 64, naming the option); "nightly -v", documented
# in the README, was refused with 64 (now accepted).
. "$(dirname "$0")/../lib.sh"
unset REPWATCH_CONFIG
if [ -z "${PGHOST:-}" ]; then
	[ "${REPWATCH_TEST_REQUIRE_DB:-0}" = 1 ] && { echo "FAIL - no PostgreSQL"; exit 1; }
	echo "skip - no PostgreSQL"; exit 77
fi
dbname="rw_exit_$$_$RANDOM"
createdb "$dbname" || { echo "FAIL - createdb"; exit 1; }
trap 'dropdb --if-exists "$dbname" >/dev/null 2>&1; rm -rf "$T_TMP"' EXIT
DB="dbname=$dbname"
cfg=$T_TMP/c.conf
cat >"$cfg" <<CONF
[paths]
state_dir = $T_TMP/state
[mailbox.gone]
url = $T_TMP/no-such-maildir
CONF
chmod 600 "$cfg"
R=("$RW" -c "$cfg" --db "$DB")
expect_status 0 "migrate" "${R[@]}" -q db migrate

expect_status 66 "a missing configured Maildir exits 66 (EX_NOINPUT)" "${R[@]}" arf ingest gone
expect_grep "$T_TMP/err" "no-such-maildir.*No such file" "the message names the missing path"
expect_status 66 "a missing Maildir on the command line exits 66" "${R[@]}" arf ingest "$T_TMP/nope"

expect_status 64 "prune --keep-days 99999999 is a usage error" "${R[@]}" prune --keep-days 99999999
expect_grep "$T_TMP/err" 'invalid --keep-days "99999999"' "names the option and value"
expect_status 64 "prune --keep-days -1 is a usage error" "${R[@]}" prune --keep-days -1
expect_grep "$T_TMP/err" 'invalid --keep-days "-1"' "says what was wrong with -1"
expect_no_grep "$T_TMP/err" "keep_days is 0" "does not claim keep_days is 0"
expect_status 64 "prune --keep-days abc is a usage error" "${R[@]}" prune --keep-days abc
expect_status 64 "prune without N nor keep_days is a usage error" "${R[@]}" prune

# a statement cancelled by statement_timeout (SQLSTATE 57014) is temporary:
# an MTA pipe must defer (75), not bounce (the old code exited 1)
psql -X -q -d "$dbname" -c "BEGIN; LOCK TABLE repwatch.arf_run, repwatch.arf_report IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(8); COMMIT" >/dev/null 2>&1 &
locker=$!
for _ in $(seq 100); do
	[ "$(psql -X -qAt -d "$dbname" -c "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND relation = 'repwatch.arf_run'::regclass")" = 1 ] && break
	sleep 0.05
done
expect_status 75 "a statement cancelled by statement_timeout (57014) exits 75" \
	"$RW" -c "$cfg" --db "dbname=$dbname options='-c statement_timeout=700'" arf ingest - <tests/fixtures/arf/arf-basic.eml
expect_grep "$T_TMP/err" "statement timeout" "the message says why"
wait "$locker"

# nightly -v: accepted, more output than the default; -q -v refused
printf '[paths]\nstate_dir = %s/state2\n' "$T_TMP" >"$T_TMP/n.conf"
chmod 600 "$T_TMP/n.conf"
expect_status 0 "nightly -v is accepted" "$RW" -c "$T_TMP/n.conf" --db "$DB" nightly -v
expect_grep "$T_TMP/out" "^nightly: ok" "nightly -v prints the summary"
expect_status 64 "nightly -q -v is a usage error" "$RW" -c "$T_TMP/n.conf" --db "$DB" nightly -q -v
finish

#!/bin/bash
# test_rel_pgdown_analyze - issue 17: PostgreSQL stopped in the middle of
# "analyze". The command exits 75 and reports the cause (the server
# terminated the connection), not the pg_advisory_unlock statement it ran
# on its way out, which is what the old code printed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rel_lib.sh"
unset REPWATCH_CONFIG PGHOST PGDATABASE PGUSER
rel_db
export REPWATCH_PATHS_STATE_DIR=$T_TMP/state
rw() { "$RW" --db "$DB" "$@"; }
expect_status 0 "migrate" rw -q db migrate
csv=$T_TMP/days.csv
python3 "$REL_SRC/tests/bench/snds_gen.py" "$csv" 40000 2000 >/dev/null
expect_status 0 "20 days of 2,000 IPs loaded" rw -q snds load --source s "$csv"
rw analyze --from 2026-04-01 --to 2026-04-20 >"$T_TMP/an.out" 2>"$T_TMP/an.err" &
pid=$!
sleep 2
kill -0 "$pid" 2>/dev/null && ok "analyze still running after 2 s" ||
	nok "analyze ended before the stop: $(cat "$T_TMP/an.err")"
pg_stop
rc=0
wait "$pid" || rc=$?
expect_eq "$rc" 75 "analyze, database stopped mid-run: exit 75"
expect_grep "$T_TMP/an.err" "terminat|connection|server closed" "reports the lost server"
expect_no_grep "$T_TMP/an.err" "pg_advisory_unlock" "not the unlock statement run on the way out"
pg_start
expect_status 0 "analyze completes after restart" rw -q analyze --from 2026-04-18 --to 2026-04-20
finish

#!/bin/bash
# test_rel_pgdown - PostgreSQL unreachable at start and stopped mid-run, for
# "arf ingest", "snds load" and "snds fetch", against a private cluster
# started here (the shared one is never stopped). Each time: exit 75 with
# a message naming the database, nothing acknowledged in the mailbox that
# is not stored, nothing partial in the database; after a restart the next
# run completes, every item stored once.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rel_lib.sh"
unset REPWATCH_CONFIG PGHOST PGDATABASE PGUSER
count() { find "$1" -type f 2>/dev/null | wc -l; }

rel_db
http_start --slow 4
cfg=$T_TMP/repwatch.conf
cat >"$cfg" <<CONF
[paths]
state_dir = $T_TMP/state
[snds.main]
type = link
data_url = $BASE/ok/data?key=LINKKEY
status_url = $BASE/ok/status?key=LINKKEY
issued = $(date +%F)
timeout = 10
retries = 0
[snds.slow]
type = link
data_url = $BASE/slow/data?key=LINKKEY
status_url = $BASE/ok/status?key=LINKKEY
issued = $(date +%F)
timeout = 10
retries = 0
CONF
chmod 600 "$cfg"
rw() { "$RW" --config "$cfg" --db "$DB" "$@"; }
expect_status 0 "migrate" rw -q db migrate

# --- unreachable at start -------------------------------------------------
md=$T_TMP/md
python3 "$REL_SRC/tests/bench/arf_gen.py" "$md" 70 --seed 11 >/dev/null
csv=$T_TMP/small.csv
python3 "$REL_SRC/tests/bench/snds_gen.py" "$csv" 1000 >/dev/null
pg_stop
expect_status 75 "arf ingest, database down at start: exit 75" rw arf ingest "$md"
expect_grep "$T_TMP/err" "database|PostgreSQL|connect" "arf ingest names the database"
expect_eq "$(count "$md/new")" 70 "mailbox untouched"
[ ! -e "$md/.Processed" ] && ok "nothing moved to .Processed" || nok "nothing moved to .Processed"
expect_status 75 "snds load, database down at start: exit 75" rw snds load --source main "$csv"
expect_grep "$T_TMP/err" "database|PostgreSQL|connect" "snds load names the database"
expect_status 75 "snds fetch, database down at start: exit 75" rw snds fetch --source main --date 2026-03-02
expect_grep "$T_TMP/err" "database|PostgreSQL|connect" "snds fetch names the database"
pg_start
expect_eq "$(q "SELECT (SELECT count(*) FROM repwatch.arf_report) + (SELECT count(*) FROM repwatch.snds_daily) + (SELECT count(*) FROM repwatch.snds_fetch_log)")" 0 "nothing stored while down"
expect_status 0 "arf ingest after restart" rw -q arf ingest "$md"
expect_eq "$(q "SELECT count(*) FROM repwatch.arf_report")" 60 "every report stored"
expect_eq "$(count "$md/.Processed/cur")" 70 "every message moved after commit"
expect_status 0 "snds load after restart" rw -q snds load --source main "$csv"
expect_eq "$(q "SELECT count(*) FROM repwatch.snds_daily WHERE source = 'main'")" 1000 "every SNDS row stored"
expect_status 0 "snds fetch after restart" rw -q snds fetch --source main --date 2026-03-02
expect_eq "$(q "SELECT count(*) FROM repwatch.snds_daily WHERE day = '2026-03-02'")" 5 "fetched day stored"

# --- stopped mid-run: arf ingest (a database of its own) ------------------------
pq "CREATE DATABASE rel2" >/dev/null
DB2="host=$REL_PG user=postgres dbname=rel2 connect_timeout=3"
q2() { psql -X -qAt -h "$REL_PG" -U postgres -d rel2 -c "$1"; }
big=$T_TMP/big
python3 "$REL_SRC/tests/bench/arf_gen.py" "$big" 3500 --seed 5 >/dev/null
REPWATCH_ARF_BATCH_SIZE=50 "$RW" --config "$cfg" --db "$DB2" -q arf ingest "$big" \
	>"$T_TMP/ing.out" 2>"$T_TMP/ing.err" &
pid=$!
for _ in $(seq 200); do
	[ "$(count "$big/.Processed/cur")" -ge 200 ] && break
	sleep 0.02
done
pg_stop
rc=0
wait "$pid" || rc=$?
expect_eq "$rc" 75 "arf ingest, database stopped mid-run: exit 75"
expect_grep "$T_TMP/ing.err" "database|PostgreSQL|connection|server" "names the lost database"
[ "$rc" = 75 ] || sed "s/^/  stderr: /" "$T_TMP/ing.err"
moved=$(count "$big/.Processed/cur")
left=$(($(count "$big/new") + $(count "$big/cur")))
[ "$left" -gt 0 ] && ok "stopped before the end ($left left)" || nok "the stop came too late"
pg_start
stored=$(q2 "SELECT (SELECT count(*) FROM repwatch.arf_report) + (SELECT count(*) FROM repwatch.arf_message_log)")
[ "$moved" -le "$stored" ] && ok "every moved message is stored ($moved moved, $stored stored)" ||
	nok "acknowledged before stored: $moved moved, $stored stored"
expect_status 0 "arf ingest completes after restart" "$RW" --db "$DB2" -q arf ingest "$big"
expect_eq "$(q2 "SELECT count(*) - count(DISTINCT content_sha256) FROM repwatch.arf_report")" 0 "no report stored twice"
expect_eq "$(q2 "SELECT count(*) FROM repwatch.arf_report")" 3000 "every report stored once"
expect_eq "$(count "$big/.Processed/cur")" 3500 "every message moved"
expect_eq "$(($(count "$big/new") + $(count "$big/cur")))" 0 "none left unread"

# --- stopped mid-run: snds load (one transaction: all or nothing) ---------------
csvbig=$T_TMP/big.csv
python3 "$REL_SRC/tests/bench/snds_gen.py" "$csvbig" 150000 >/dev/null
"$RW" --config "$cfg" --db "$DB" -q snds load --source bulk "$csvbig" \
	>"$T_TMP/load.out" 2>"$T_TMP/load.err" &
pid=$!
for _ in $(seq 300); do
	[ "$(pq "SELECT count(*) FROM pg_stat_activity WHERE datname = 'rel' AND query ILIKE '%COPY%'")" -gt 0 ] && break
	sleep 0.02
done
sleep 0.3
pg_stop
rc=0
wait "$pid" || rc=$?
expect_eq "$rc" 75 "snds load, database stopped mid-run: exit 75"
expect_grep "$T_TMP/load.err" "database|PostgreSQL|connection|server" "names the lost database"
[ "$rc" = 75 ] || sed "s/^/  stderr: /" "$T_TMP/load.err"
pg_start
expect_eq "$(q "SELECT count(*) FROM repwatch.snds_daily WHERE source = 'bulk'")" 0 "nothing partial loaded"
expect_status 0 "snds load completes after restart" rw -q snds load --source bulk "$csvbig"
expect_eq "$(q "SELECT count(*) FROM repwatch.snds_daily WHERE source = 'bulk'")" 150000 "every row stored once"

# --- stopped mid-run: snds fetch (while the server is slow to answer) ---------
"$RW" --config "$cfg" --db "$DB" -q snds fetch --source slow --date 2026-03-05 \
	>"$T_TMP/fetch.out" 2>"$T_TMP/fetch.err" &
pid=$!
sleep 1.5
pg_stop
rc=0
wait "$pid" || rc=$?
expect_eq "$rc" 75 "snds fetch, database stopped mid-run: exit 75"
expect_grep "$T_TMP/fetch.err" "database|PostgreSQL|connection|server" "names the lost database"
[ "$rc" = 75 ] || sed "s/^/  stderr: /" "$T_TMP/fetch.err"
pg_start
expect_eq "$(q "SELECT count(*) FROM repwatch.snds_daily WHERE source = 'slow'")" 0 "nothing partial fetched"
expect_status 0 "snds fetch completes after restart" rw -q snds fetch --source slow --date 2026-03-05
expect_eq "$(q "SELECT count(*) FROM repwatch.snds_daily WHERE source = 'slow' AND day = '2026-03-05'")" 5 "fetched rows stored once"
finish

#!/bin/bash
# test_rel_future - issue 17 item 1: one day in the future froze all
# alerting. Alerts follow the latest analyzed day, so a single SNDS row
# dated 2030 (or "analyze --date 2027-08-14") resolved every alert for
# good, and later nightly runs analyzed only that day. The issue's exact
# sequence, then the same harm already stored by an earlier version (a
# future SNDS row and a future analyzed day in the database), and a
# complaint whose Arrival-Date is in the future.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rel_lib.sh"
unset REPWATCH_CONFIG PGHOST PGDATABASE PGUSER
rel_db
cfg=$T_TMP/c.conf
printf '[paths]\nstate_dir = %s/state\n' "$T_TMP" >"$cfg"
chmod 600 "$cfg"
R() { "$RW" -c "$cfg" --db "$DB" "$@"; }
src=$REL_SRC/data/sample

expect_status 0 "sample SNDS loaded" R -q snds load "$src"/snds/data-*.csv
cp -r "$src/maildir" "$T_TMP/maildir"
expect_status 0 "sample complaints ingested" R -q arf ingest "$T_TMP/maildir"
expect_status 0 "analyze 2026-07-01..2026-08-14" R -q analyze --from 2026-07-01 --to 2026-08-14
expect_status 1 "alerts --fail-on critical: critical alerts open" R alerts --fail-on critical
crit=$(q "SELECT count(*) FROM repwatch.alert WHERE state = 'open' AND severity = 'critical'")
[ "$crit" -gt 0 ] && ok "$crit critical alerts open" || nok "no critical alert in the sample"

# the issue's row: 1/5/2030
echo '192.0.2.99,1/5/2030 12:00 AM,1/5/2030 11:59 PM,100,100,100,GREEN,< 0.1%,,,0,h,m,' >"$T_TMP/f.csv"
expect_status 65 "a row dated 2030 is refused at load (65)" R snds load "$T_TMP/f.csv"
expect_grep "$T_TMP/err" "f\\.csv:1: row rejected: activity start 2030-01-05 is in the future" \
	"the message names file:line and why"
expect_eq "$(q "SELECT count(*) FROM repwatch.snds_daily WHERE day > current_date + 1")" 0 "nothing future stored"
expect_eq "$(q "SELECT count(*) FROM repwatch.snds_reject WHERE reason LIKE '%in the future%'")" 1 \
	"the row is in repwatch.snds_reject"
printf '192.0.2.99,192.0.2.99,No,x\r\n' >"$T_TMP/status.csv"
expect_status 65 "an IP-status report for 2030 is refused (65)" R snds load --status --date 2030-01-05 "$T_TMP/status.csv"
expect_grep "$T_TMP/err" "IP-status report day 2030-01-05 is in the future" "says why"
expect_eq "$(q "SELECT count(*) FROM repwatch.snds_status_snapshot WHERE day > current_date + 1")" 0 "no future snapshot stored"
# tomorrow (in the sources' zone) is still accepted: a day of slack
tomorrow=$(TZ=America/Los_Angeles date -d tomorrow +%-m/%-d/%Y)
echo "192.0.2.98,$tomorrow 12:00 AM,$tomorrow 11:59 PM,100,100,100,GREEN,< 0.1%,,,0,h,m," >"$T_TMP/t.csv"
expect_status 0 "a row dated tomorrow in the sources' zone is accepted" R -q snds load "$T_TMP/t.csv"
q "DELETE FROM repwatch.snds_daily WHERE ip = '192.0.2.98'" >/dev/null
expect_status 0 "nightly" R -q nightly
expect_status 0 "nightly again" R -q nightly
expect_status 1 "alerts --fail-on critical still fires after the nightly runs" R alerts --fail-on critical

# an explicit future day is refused
expect_status 64 "analyze --date 2027-08-14 is refused (64)" R analyze --date 2027-08-14
expect_grep "$T_TMP/err" "--date 2027-08-14 is in the future" "names the option and the day"
expect_status 64 "analyze --to in the future is refused (64)" R analyze --from 2026-08-01 --to 2030-01-01
expect_eq "$(q "SELECT count(*) FROM repwatch.analysis_run WHERE day > current_date + 1")" 0 "no future day analyzed"

# a complaint that claims to arrive in 2030
sed 's/^Arrival-Date: .*/Arrival-Date: Sat, 5 Jan 2030 09:59:58 +0000/; s/^Message-ID: <\(.*\)>/Message-ID: <future-\1>/' \
	"$REL_SRC/tests/fixtures/arf/arf-basic.eml" >"$T_TMP/future.eml"
expect_status 0 "a complaint dated 2030 is ingested" R -q arf ingest - <"$T_TMP/future.eml"
expect_status 0 "nightly after it" R -q nightly
expect_status 1 "alerts --fail-on critical still fires" R alerts --fail-on critical
expect_eq "$(q "SELECT max(day) FROM repwatch.analysis_run")" 2026-08-14 "the latest analyzed day is still the last SNDS day"

# what an earlier version may have stored: a future SNDS row, a future
# analyzed day, and the alerts it resolved
q "INSERT INTO repwatch.snds_daily (source, ip, activity_start, activity_end, day, rcpt_commands, data_commands, recipients, filter, complaint_rate_text, raw_start, raw_end, loaded_at)
   VALUES ('manual', '192.0.2.99', '2030-01-05 08:00+00', '2030-01-06 07:59+00', '2030-01-05', 100, 100, 100, 'GREEN', '< 0.1%', '1/5/2030 12:00 AM', '1/5/2030 11:59 PM', now())" >/dev/null ||
	nok "could not plant a future SNDS row"
q "INSERT INTO repwatch.analysis_run (day, subjects, alerts_open) VALUES ('2030-01-05', 1, 0)" >/dev/null
q "UPDATE repwatch.alert SET state = 'resolved', resolved_day = '2030-01-05'" >/dev/null
expect_status 0 "nightly with a future day stored" R -q nightly
expect_status 1 "alerts --fail-on critical fires" R alerts --fail-on critical
expect_eq "$(q "SELECT count(*) FROM repwatch.alert WHERE state = 'open' AND severity = 'critical'")" "$crit" \
	"the critical alerts the planted day resolved are open again"
expect_status 0 "alerts (default day)" R alerts
expect_no_grep "$T_TMP/out" "2030" "the default day is not the future one"
expect_status 0 "analyze with no day" R -q analyze
expect_eq "$(q "SELECT max(analyzed_at)::date = current_date FROM repwatch.analysis_run WHERE day = '2026-08-14'")" t \
	"analyze with no day takes the last real day"
finish

#!/bin/bash
# analyze_bench - the analyzer at scale (a benchmark, not a test):
# IPS IPs x DAYS days of synthetic SNDS rows and JMRP complaints COPYed into
# a fresh database, then one day analyzed and the whole range replayed.
# Targets (issue 5): one day <= 10 s, a 90-day replay <= 5 min.
#
#   REPWATCH_BIN=build/repwatch PGHOST=... tests/bench/analyze_bench.sh [IPS] [DAYS]
#
# Needs a PostgreSQL server in the PG* environment (the database is
# created and dropped here) and the an_scenario generator next to the
# binary's build tree (tests/analyze/an_scenario).
set -euo pipefail
ips=${1:-100000}
days=${2:-90}
: "${REPWATCH_BIN:?REPWATCH_BIN not set}"
: "${PGHOST:?PGHOST not set: point PG* at a server}"
gen=${AN_SCENARIO:-$(dirname "$REPWATCH_BIN")/tests/analyze/an_scenario}
start=2026-03-01
last=$(date -d "$start + $((days - 1)) days" +%F)
db=rw_an_bench_$$
cleanup() { dropdb --if-exists "$db" >/dev/null 2>&1 || true; }
[ -n "${AN_KEEP_DB:-}" ] || trap cleanup EXIT

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

createdb "$db"
export PGDATABASE=$db
"$REPWATCH_BIN" -q db migrate
t=$(now)
"$gen" copy-snds "$ips" "$days" | psql -X -q -c "COPY repwatch.snds_daily
    (source, ip, activity_start, activity_end, day, rcpt_commands,
     data_commands, recipients, filter, complaint_rate_text,
     complaint_rate_low, complaint_rate_high, complaint_rate_high_open,
     raw_start, raw_end) FROM STDIN"
"$gen" copy-arf "$ips" "$days" | psql -X -q -c "COPY repwatch.arf_report
    (content_sha256, mailbox, format, feedback_type, source_ip,
     arrival_date) FROM STDIN"
psql -X -q -c "VACUUM ANALYZE repwatch.snds_daily" \
	-c "VACUUM ANALYZE repwatch.arf_report"
echo "loaded $(psql -X -At -c "SELECT count(*) FROM repwatch.snds_daily") SNDS rows," \
	"$(psql -X -At -c "SELECT count(*) FROM repwatch.arf_report") complaints" \
	"in $(secs "$t" "$(now)") s"

# the narrow fact table is built once after a bulk load (nightly loads
# then add a few days each); timed apart from the analysis itself
t=$(now)
psql -X -q -At -c "SELECT repwatch.an_refresh_facts()" >/dev/null
psql -X -q -c "ANALYZE repwatch.an_ip_day"
build=$(secs "$t" "$(now)")
t=$(now)
"$REPWATCH_BIN" analyze --date "$last"
one=$(secs "$t" "$(now)")
psql -X -q -c "DELETE FROM repwatch.alert" -c "DELETE FROM repwatch.analysis_run"
t=$(now)
"$REPWATCH_BIN" -q analyze --from "$start" --to "$last"
replay=$(secs "$t" "$(now)")
echo "fact table build after the bulk load: $build s (once)"
echo "analyze one day ($last, $ips IPs): $one s (target <= 10 s)"
echo "replay $days days: $replay s (target <= 300 s)"
psql -X -c "SELECT day, subjects, alerts_open FROM repwatch.analysis_run
    ORDER BY day DESC LIMIT 3"

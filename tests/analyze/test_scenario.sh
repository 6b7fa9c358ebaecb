#!/bin/bash
# test_scenario - the analyzer's evaluation on a synthetic scenario, loaded
# through the real SNDS and ARF paths ("snds load", "arf ingest"), replayed
# day by day ("analyze --from --to"), compared with the two peer rules; then
# the no-look-ahead check (day D analyzed with and without later data).
#
#   test_scenario.sh AN_SCENARIO_BINARY
#
# Needs PG* pointing at a server (scripts/test.sh); creates its own
# databases. Prints the comparison table.
set -euo pipefail
gen=$1
: "${REPWATCH_BIN:?REPWATCH_BIN not set}"
if [ -z "${PGHOST:-}" ]; then
	if [ "${REPWATCH_TEST_REQUIRE_DB:-0}" = 1 ]; then
		echo "test_scenario: no PostgreSQL (PGHOST unset)" >&2
		exit 1
	fi
	echo "test_scenario: skipped, no PostgreSQL"
	exit 77
fi

start=2026-03-01
days=90
warmup=35                     # window 7 + baseline 28
last=$(date -d "$start + $((days - 1)) days" +%F)
probe=2026-05-10              # no-look-ahead day
db=rw_an_scn_$$_$RANDOM
cut=${db}_cut
work=$(mktemp -d "${REPWATCH_TEST_TMP:-/tmp}/an_scn.XXXXXX")
chmod 755 "$work"

cleanup() {
	dropdb --if-exists "$db" >/dev/null 2>&1 || true
	dropdb --if-exists "$cut" >/dev/null 2>&1 || true
	rm -rf "$work"
}
# AN_KEEP_DB=1 keeps the databases and files for a look afterwards
[ -n "${AN_KEEP_DB:-}" ] || trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

rw() {
	PGDATABASE=$1 "$REPWATCH_BIN" -q "${@:2}"
}

"$gen" files "$work" "$days"
createdb "$db"
rw "$db" snds load --source synth "$work/snds" >/dev/null
rw "$db" arf ingest "$work/complaints.mbox" >/dev/null
t0=$(date +%s)
rw "$db" analyze --from "$start" --to "$last"
echo "replayed $days days in $(($(date +%s) - t0)) s"

psql -X -q -v ON_ERROR_STOP=1 -d "$db" -v start="$start" \
	-v warmup="$warmup" >"$work/eval.out" <<EOF
CREATE TEMP TABLE eval_truth (ip inet, kind text, net text,
    cross_idx int, start_idx int);
\copy eval_truth FROM '$work/truth.tsv'
\i tests/analyze/scenario_eval.sql
\pset format unaligned
\pset tuples_only on
\o $work/eval.tsv
SELECT method, recall, median_lead, fa_stable + fa_lowvol + fa_intermittent,
       fa_days FROM eval_result;
EOF
cat "$work/eval.out"

val() { # val METHOD COLUMN(2..5)
	awk -F'|' -v m="$1" -v c="$2" '$1 == m { print $c }' "$work/eval.tsv"
}
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }

rw_recall=$(val repwatch 2)
rw_lead=$(val repwatch 3)
rw_fa=$(val repwatch 4)
ge "$rw_recall" 0.8 || fail "repwatch recall before crossing $rw_recall < 0.8"
ge "$rw_lead" 3 || fail "repwatch median lead $rw_lead < 3 days"
for peer in peer-daily peer-7d; do
	p_recall=$(val "$peer" 2)
	p_lead=$(val "$peer" 3)
	p_fa=$(val "$peer" 4)
	ge "$rw_recall" "$p_recall" ||
		fail "recall $rw_recall below $peer's $p_recall"
	ge "$rw_lead" "$p_lead" ||
		fail "median lead $rw_lead below $peer's $p_lead"
	ge "$p_fa" "$rw_fa" ||
		fail "false-alarm IPs $rw_fa above $peer's $p_fa"
	# must beat the peer on at least one of the two
	gt "$rw_lead" "$p_lead" || gt "$p_fa" "$rw_fa" ||
		fail "no better than $peer on lead time or false alarms"
done

# no look-ahead: day PROBE analyzed in a copy that has no later data must
# give the same alerts as the replay (which had all 90 days loaded)
day_alerts() {
	psql -X -At -d "$1" -c "SELECT a.subject_kind, a.subject, a.rule,
	    d.severity, d.details FROM repwatch.alert_day d
	    JOIN repwatch.alert a ON a.id = d.alert_id
	    WHERE d.day = '$probe' ORDER BY 1, 2, 3"
}
createdb -T "$db" "$cut"
psql -X -q -v ON_ERROR_STOP=1 -d "$cut" <<EOF
DELETE FROM repwatch.snds_daily WHERE day > '$probe';
DELETE FROM repwatch.arf_report r
 WHERE (r.arrival_date AT TIME ZONE repwatch.an_timezone())::date > '$probe';
DELETE FROM repwatch.alert;
DELETE FROM repwatch.analysis_run;
DELETE FROM repwatch.an_fact_state; -- rebuild the facts from what is left
EOF
rw "$cut" analyze --date "$probe"
day_alerts "$db" >"$work/full.txt"
day_alerts "$cut" >"$work/cut.txt"
[ -s "$work/full.txt" ] || fail "no alerts on $probe to compare"
diff -u "$work/full.txt" "$work/cut.txt" >&2 ||
	fail "alerts of $probe depend on later data"
echo "no look-ahead: $(wc -l <"$work/full.txt") alerts of $probe identical"

# re-running a day is idempotent
before=$(day_alerts "$db" | md5sum)
rw "$db" analyze --date "$probe"
[ "$(day_alerts "$db" | md5sum)" = "$before" ] ||
	fail "re-running $probe changed its alerts"
echo "ok"

#!/bin/bash
# test_scenario - the analyzer's evaluation on a synthetic scenario, loaded
# through the real SNDS and ARF paths ("snds load", "arf ingest"), replayed
# day by day ("analyze --from --to"), compared with the two peer rules; then
# the no-look-ahead check (day D analyzed with and without later data).
#
#   test_scenario.sh AN_SCENARIO_BINARY [SEED]
#
# Needs PG* pointing at a server (scripts/test.sh); creates its own
# databases. Prints the comparison table (issue 12) and asserts the
# targets against the practitioners' rule (peer-7d). SEED (default 1, or
# $AN_SEED) picks another scenario; ctest runs seed 1.
#
# AN_SCENARIO_HOPS: 70 % of the generated reports are 2026 JMRP reports
# (1-5 Microsoft hops above the edge, witnesses, decoys, no Source-IP)
# unless it is 0. The test checks that at least 99.5 % of complaints land
# on the IP that sent the message and none inside a provider network.
set -euo pipefail
gen=$1
seed=${2:-${AN_SEED:-1}}
export AN_SCENARIO_HOPS=${AN_SCENARIO_HOPS:-1}
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

"$gen" files "$work" "$days" "$seed"
echo "scenario seed $seed, internal hops ${AN_SCENARIO_HOPS}"
createdb "$db"
rw "$db" snds load --source synth "$work/snds" >/dev/null
rw "$db" arf ingest "$work/complaints.mbox" >/dev/null
# attribution (issue 11): each report against the IP that sent its message
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >"$work/attr.out" <<EOF
CREATE TEMP TABLE rep_truth (mid text, ip inet);
\copy rep_truth FROM '$work/reports.tsv'
\pset format unaligned
\pset tuples_only on
SELECT count(*), count(*) FILTER (WHERE r.source_ip = t.ip),
       count(*) FILTER (WHERE r.inside_provider)
  FROM repwatch.arf_report r
  JOIN (SELECT DISTINCT mid, ip FROM rep_truth) t
    ON t.mid = r.report_message_id;
EOF
IFS='|' read -r a_all a_right a_inside <"$work/attr.out"
echo "attribution: $a_right of $a_all complaints on the sending IP," \
	"$a_inside inside a provider network"
[ "$a_all" -gt 1000 ] || fail "attribution: only $a_all reports matched"
awk -v r="$a_right" -v n="$a_all" 'BEGIN { exit !(r >= 0.995 * n) }' ||
	fail "attribution: $a_right of $a_all below 99.5 %"
[ "$a_inside" = 0 ] || fail "attribution: $a_inside inside a provider network"
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
SELECT method, recall, median_lead, hv_share, lv_share, spike_share,
       fa_per_1000 FROM eval_result;
EOF
cat "$work/eval.out"

val() { # val METHOD COLUMN(2..7)
	awk -F'|' -v m="$1" -v c="$2" '$1 == m { print $c }' "$work/eval.tsv"
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }

# the issue's targets; the practitioners' rule is peer-7d
rw_recall=$(val repwatch 2)
p_lead=$(val peer-7d 3)
p_hv=$(val peer-7d 4)
p_lv=$(val peer-7d 5)
le 0.95 "$rw_recall" || fail "recall before crossing $rw_recall < 0.95"
le "$p_lead" "$(val repwatch 3)" ||
	fail "median lead $(val repwatch 3) below the practitioners' $p_lead"
le "$(val repwatch 4)" "$p_hv" || fail "healthy high-volume share" \
	"$(val repwatch 4) above the practitioners' $p_hv"
le "$(val repwatch 5)" "$(awk -v a="$p_lv" 'BEGIN { print a / 10 }')" ||
	fail "healthy low-volume share $(val repwatch 5) above 1/10 of" \
	"the practitioners' $p_lv"
le "$(val repwatch 6)" 0.10 ||
	fail "spikes alerting > 2 days after: $(val repwatch 6) > 0.10"
le "$(val repwatch 7)" 5 ||
	fail "false alerts per 1,000 healthy IP-days $(val repwatch 7) > 5"
echo "targets met (seed $seed)"

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

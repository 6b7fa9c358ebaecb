#!/bin/bash
# test_demo - "repwatch demo" runs the whole pipeline on the bundled sample
# data (SNDS, complaints, Postfix logs) in its own embedded cluster, reports
# what the sample holds and ends with the backtest (doc/backtest.md).
. "$(dirname "$0")/../lib.sh"
unset PGHOST PGDATABASE PGUSER PGPORT REPWATCH_CONFIG
export REPWATCH_PATHS_STATE_DIR=$T_TMP/state

before=$(cd data/sample && find maildir -type f | sort | md5sum)
expect_status 0 "demo succeeds" "$RW" demo
out=$T_TMP/out
cp "$out" "$T_TMP/demo.out"
expect_grep "$out" "46 report file\(s\), 840 row\(s\) loaded, 0 rejected" "SNDS sample loaded through the loader"
expect_grep "$out" "989 messages, 988 complaints stored" "sample Maildir ingested"
expect_grep "$out" "1 not a report" "the bounce is not counted"
expect_grep "$out" "^== MTA logs: loading data/sample/mta/mail\.log\*$" "the sample Postfix logs are loaded"
expect_grep "$out" "^3 file\(s\), 10973 lines, 9221 attempts to Microsoft: 7966 delivered, 880 throttled, 209 blocked$" \
	"the live log and both gzip-rotated weeks read, attempts classified"
# the analysis ends with the incident listing (issue 13): one line per
# incident, at most 4 on the sample (192.0.2.50 and 198.51.100.0/24)
sed -n '/^== Analysis/,/^== Report/p' "$out" | grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2} ' >"$T_TMP/incidents"
n=$(wc -l <"$T_TMP/incidents")
[ "$n" -ge 1 ] && [ "$n" -le 4 ] && ok "demo ends with $n incident line(s), at most 4" ||
	nok "demo lists $n incident lines, want 1 to 4"
expect_grep "$out" "^DAY +SEVERITY +STATE +SUBJECT +SINCE +RATE_7D +ID +RULES$" "the incident heading"
expect_grep "$T_TMP/incidents" "critical +(open|escalated) +192\.0\.2\.50 .* inc-[0-9a-f]{12} .*level" "the rising IP is a critical incident"
expect_grep "$T_TMP/incidents" " 198\.51\.100\.0/24 \(8 IPs: \.20-\.27\) .*range-(rising|level)" "the /24 that rises together is one incident with 8 members"
expect_no_grep "$T_TMP/incidents" " 198\.51\.100\.2[0-7] " "its members are not listed again"
expect_no_grep "$T_TMP/incidents" " 192\.0\.2\.1[0-7] " "clean senders are not flagged"
expect_grep "$out" "HTML report written to $REPWATCH_PATHS_STATE_DIR/report.html" "demo says where the report is"
xmllint --noout --html "$REPWATCH_PATHS_STATE_DIR/report.html" 2>/dev/null &&
	ok "the report parses" || nok "report.html is not well-formed"
grep -q "192.0.2.50" "$REPWATCH_PATHS_STATE_DIR/report.html" && ok "the report names the flagged IP" || nok "flagged IP missing from the report"
# the backtest ends the demo: every block of the sample with repwatch's
# first warning and the peer rules' leads, then the summary
sed -n '/^== Backtest/,$p' "$out" >"$T_TMP/backtest1"
expect_grep "$T_TMP/backtest1" "^SUBJECT +BLOCK_DAY +SOURCE +WARNED +RULE +LEAD +FIXED +7DAY +CODE$" "the backtest heading"
n=$(grep -cE '^198\.51\.100\.2[0-7] +2026-08-13 +mta +2026-08-10 +range-rising +3 .* S3150$' "$T_TMP/backtest1")
[ "$n" = 8 ] && ok "the 8 IPs of the /24 blocked (S3150) on 2026-08-13, warned 3 days before by range-rising" ||
	nok "the /24's S3150 blocks: $n rows with a 3-day lead, want 8"
expect_grep "$T_TMP/backtest1" "^192\.0\.2\.50 +2026-08-14 +snds-status +2026-08-07 +rising +7 +6 +6 +junked: " \
	"192.0.2.50 junked on the SNDS status, warned 7 days before (peers: 6)"
expect_grep "$T_TMP/backtest1" "^198\.51\.100\.24-198\.51\.100\.25 +2026-08-14 +snds-status +2026-08-10 +range-rising +4 " \
	"the junked range, warned 4 days before"
expect_grep "$T_TMP/backtest1" "^203\.0\.113\.6 +2026-08-05 +mta +- +- +- +- +- +5\.7\.606$" \
	"the sudden ban of a small sender: no warning, from anyone"
expect_grep "$T_TMP/backtest1" "^repwatch warned before the block: +10 of 11, median lead 3 days$" "summary: 10 of 11 warned, median lead 3 days"
expect_grep "$T_TMP/backtest1" "^peer fixed \(daily rate > 0\.3%\): +8 of 11, median lead 1\.5 days$" "summary: the fixed 0.3 % peer"
expect_grep "$T_TMP/backtest1" "^peer 7-day \(rate > 0\.1%, >= 1000\): +9 of 11, median lead 1 day$" "summary: the 7-day peer"
tail -n 1 "$out" | grep -qE '^false incidents per 1000 IP-days: +[0-9]+\.[0-9]{2} \([0-9]+ false on [0-9]+ healthy IP-days\)$' &&
	ok "the demo ends with the false-incident rate" || nok "last line: $(tail -n 1 "$out")"
# the clean senders' sporadic SNDS trap hits in July are within each IP's
# usual (info, no incident that warns): no false incident on the sample
expect_grep "$T_TMP/backtest1" "^incidents: +3 \(3 led to a block, 0 pending, 0 false\)$" "summary: 3 incidents, all led to a block, none false"
expect_grep "$T_TMP/backtest1" "^false incidents per 1000 IP-days: +0\.00 \(0 false on 833 healthy IP-days\)$" "summary: 0 false incidents on 833 healthy IP-days"

after=$(cd data/sample && find maildir -type f | sort | md5sum)
[ "$before" = "$after" ] && ok "the repository's sample Maildir is untouched" || nok "demo changed data/sample/maildir"

# a second run starts from scratch and gives the same result
expect_status 0 "demo runs again" "$RW" demo
expect_grep "$T_TMP/out" "989 messages, 988 complaints stored" "second run reloads from scratch"
sed -n '/^== Backtest/,$p' "$T_TMP/out" >"$T_TMP/backtest2"
cmp -s "$T_TMP/backtest1" "$T_TMP/backtest2" && ok "the second run's backtest is byte-identical" ||
	nok "the backtest differs between two runs: $(diff "$T_TMP/backtest1" "$T_TMP/backtest2" | head -5)"

# "repwatch backtest" on the demo's database replays every day itself: the
# same judgment as the demo's, as one JSON object, byte-identical twice
expect_status 0 "backtest replays the demo's days" "$RW" backtest --format json
cp "$T_TMP/out" "$T_TMP/bt1.json"
expect_status 0 "backtest replays them again" "$RW" backtest --format json
cmp -s "$T_TMP/bt1.json" "$T_TMP/out" && ok "two replays print identical JSON" ||
	nok "two replays differ: $(diff "$T_TMP/bt1.json" "$T_TMP/out" | head -5)"
python3 - "$T_TMP/bt1.json" <<'PY' && ok "the JSON: 11 blocks with exactly the documented keys, the demo's summary" || nok "backtest JSON"
import json, sys
doc = json.load(open(sys.argv[1]))
keys = {"subject", "block_day", "block_source", "code", "first_warning_day",
        "rule", "lead_days", "peer_fixed_lead_days", "peer_7day_lead_days"}
assert set(doc) == {"blocks", "summary"}, doc.keys()
assert len(doc["blocks"]) == 11, len(doc["blocks"])
assert all(set(b) == keys for b in doc["blocks"])
b = doc["blocks"][0]
assert (b["subject"], b["block_source"], b["code"], b["lead_days"]) == \
    ("203.0.113.6", "mta", "5.7.606", None), b
b = [x for x in doc["blocks"] if x["subject"] == "192.0.2.50"][0]
assert (b["block_day"], b["first_warning_day"], b["rule"], b["lead_days"],
        b["peer_fixed_lead_days"], b["peer_7day_lead_days"]) == \
    ("2026-08-14", "2026-08-07", "rising", 7, 6, 6), b
s = doc["summary"]
assert (s["blocks"], s["warned"], s["median_lead_days"]) == (11, 10, 3), s
assert (s["incidents"], s["false_incidents"], s["healthy_ip_days"]) == \
    (3, 0, 833), s
PY
# a range without blocks; bad options are refused before anything runs
expect_status 0 "backtest of July alone" "$RW" backtest --from 2026-07-01 --to 2026-07-20
expect_grep "$T_TMP/out" "^no block events from 2026-07-01 to 2026-07-20$" "July: no block events"
expect_grep "$T_TMP/out" "^repwatch warned before the block: +0 of 0, median lead -$" "July: 0 of 0, no median"
expect_status 64 "backtest --format csv is refused" "$RW" backtest --format csv
expect_status 64 "backtest --from after --to is refused" "$RW" backtest --from 2026-08-10 --to 2026-08-01
expect_status 64 "backtest --to in the future is refused" "$RW" backtest --to 2099-01-01
finish

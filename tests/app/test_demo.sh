#!/bin/bash
# test_demo - "repwatch demo" runs the whole pipeline on the bundled sample
# data in its own embedded cluster and reports what the sample holds.
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
after=$(cd data/sample && find maildir -type f | sort | md5sum)
[ "$before" = "$after" ] && ok "the repository's sample Maildir is untouched" || nok "demo changed data/sample/maildir"

# a second run starts from scratch and gives the same result
expect_status 0 "demo runs again" "$RW" demo
expect_grep "$T_TMP/out" "989 messages, 988 complaints stored" "second run reloads from scratch"
finish

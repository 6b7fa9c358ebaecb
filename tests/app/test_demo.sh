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
expect_grep "$out" "critical +open +level +192\.0\.2\.50 " "the rising IP is flagged critical"
expect_grep "$out" "rising +198\.51\.100\.2[0-7] " "the /24 that rises together is flagged"
expect_grep "$out" "range-(rising|level) +198\.51\.100\.0/24" "the range rule names the /24"
expect_no_grep "$out" "(level|rising) +192\.0\.2\.1[0-7] " "clean senders are not flagged"
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

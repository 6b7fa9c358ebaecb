#!/bin/bash
# test_injection - issue 17 item 18: text written by strangers (SNDS
# sample_helo, jmr_p1_sender, comments, the IP-status reason, a complaint's
# feedback type) reaches every output neutralized: CSV cells that start
# with = + - @ get a leading quote (OWASP), no raw ESC or other control
# character reaches a terminal or a CSV file, and the XHTML report stays
# well-formed. Before the fix each of these went out unchanged (raw ESC in
# alerts, snds show, snds status and arf stats; =HYPERLINK as a live
# formula; xmllint refused the report).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_outputs.sh"
need_db
new_db inject
expect_status 0 "sample data loaded and analyzed" load_sample
ESC=$'\x1b'
R=("$RW" -q --db "$DB")
# SNDS rows and an IP-status report with hostile text, on the sample's last day
printf '%s\r\n' \
	'203.0.113.7,8/14/2026 12:00 AM,8/14/2026 11:59 PM,100,100,100,GREEN,< 0.1%,,,0,"=HYPERLINK(""http://evil.example/"",""click"")",-2+3+cmd|'"'"' /C calc'"'"'!A0,'"@SUM(1+1)$ESC[2J$ESC]0;pwned"$'\a' \
	>"$T_TMP/data-2026-08-14.csv"
printf '%s\r\n' "203.0.113.7,203.0.113.7,Yes,+cmd $ESC[31mblocked$ESC[0m =1" \
	>"$T_TMP/status-2026-08-14.csv"
expect_status 0 "hostile data report loaded" "${R[@]}" snds load --source evil "$T_TMP/data-2026-08-14.csv"
expect_status 0 "hostile status report loaded" "${R[@]}" snds load --source evil --status --date 2026-08-14 "$T_TMP/status-2026-08-14.csv"
sed "s/^Feedback-Type: abuse/Feedback-Type: abuse$ESC[5mX/; s/^Message-ID: <\\(.*\\)>/Message-ID: <inject-\\1>/" \
	"${REPWATCH_SRC:-.}/tests/fixtures/arf/arf-basic.eml" >"$T_TMP/evil.eml"
"${R[@]}" arf ingest - <"$T_TMP/evil.eml" >/dev/null 2>&1
expect_status 0 "analyze the day" "${R[@]}" analyze --date 2026-08-14
no_esc() { # FILE DESC
	if grep -q "$ESC" "$1" || LC_ALL=C grep -qP '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]' "$1"; then
		nok "$2: raw control character in the output"
		LC_ALL=C grep -naP '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]' "$1" | cat -v | head -3 | sed 's/^/  | /'
	else ok "$2"; fi
}

expect_status 0 "snds show csv" "${R[@]}" snds show --source evil --date 2026-08-14 --format csv
cp "$T_TMP/out" "$T_TMP/show.csv"
expect_grep "$T_TMP/show.csv" "\"'=HYPERLINK\(" "sample_helo =HYPERLINK neutralized"
expect_grep "$T_TMP/show.csv" "\"'-2\\+3\\+cmd" "jmr_p1_sender -2+3+cmd neutralized"
expect_grep "$T_TMP/show.csv" "\"'@SUM\(1\+1\)" "comments @SUM neutralized"
no_esc "$T_TMP/show.csv" "snds show csv: no control characters"
expect_status 0 "snds status text" "${R[@]}" snds status --source evil --date 2026-08-14
no_esc "$T_TMP/out" "snds status text: no ESC sequence"
expect_grep "$T_TMP/out" "blocked" "snds status still shows the reason"
expect_status 0 "snds status csv" "${R[@]}" snds status --source evil --date 2026-08-14 --format csv
expect_grep "$T_TMP/out" "\"'\\+cmd" "IP-status reason +cmd neutralized"
no_esc "$T_TMP/out" "snds status csv: no control characters"
expect_status 0 "snds show text" "${R[@]}" snds show --source evil --date 2026-08-14
no_esc "$T_TMP/out" "snds show text: no control characters"

expect_status 0 "alerts text" "${R[@]}" alerts --date 2026-08-14
expect_grep "$T_TMP/out" "203\\.0\\.113\\.7" "the listed IP has an alert"
no_esc "$T_TMP/out" "alerts text: no ESC sequence from the reason"
expect_status 0 "alerts csv" "${R[@]}" alerts --date 2026-08-14 --format csv
no_esc "$T_TMP/out" "alerts csv: no control characters"
expect_status 0 "alerts json" "${R[@]}" alerts --date 2026-08-14 --format json
no_esc "$T_TMP/out" "alerts json: no control characters"

expect_status 0 "arf stats" "${R[@]}" arf stats
no_esc "$T_TMP/out" "arf stats: no ESC from a feedback type"

expect_status 0 "report --html" "${R[@]}" report --html "$T_TMP/r.html" --date 2026-08-14
expect_status 0 "the XHTML report is well-formed" xmllint --noout "$T_TMP/r.html"

expect_status 0 "export prometheus" "${R[@]}" export prometheus "$T_TMP/m.prom"
no_esc "$T_TMP/m.prom" "prometheus file: no control characters"
finish

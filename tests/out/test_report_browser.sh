#!/bin/bash
# test_report_browser - the HTML report on the sample data in a real browser
# (Debian's chromium and chromium-driver, headless, through python3-selenium;
# report_browser.py): no console error, no network request, one chart per
# incident row, every SVG with a size, no horizontal overflow at 1280 px, an
# MTA band under each chart whose subject has MTA data (the sample's Postfix
# logs give both sample incidents some); each
# check must also fail on a doctored copy. Writes the 1280 px screenshot;
# REPWATCH_REPORT_PNG=doc/report.png regenerates the documentation's.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_outputs.sh"
dir=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3 # Debian's, which has python3-selenium
# scripts/test.sh as root has run scripts/setup.sh: missing means broken
missing() {
	if [ "$(id -u)" = 0 ] && [ "${REPWATCH_TEST_REQUIRE_DB:-0}" = 1 ]; then
		echo "FAIL - $1 (scripts/setup.sh installs it)"; exit 1
	fi
	echo "skip - $1 (run scripts/setup.sh)"; exit 77
}
[ -x /usr/bin/chromium ] || missing "no chromium"
[ -x /usr/bin/chromedriver ] || missing "no chromium-driver"
"$py" -c 'import selenium' 2>/dev/null || missing "no python3-selenium"
need_db
new_db browser
# the helper, chromedriver and Chromium in a process group of their own,
# killed with the database on any exit
pgid=
trap '[ -n "$pgid" ] && kill -KILL -- "-$pgid" 2>/dev/null
	dropdb --if-exists "$OUT_DB" >/dev/null 2>&1; rm -rf "$T_TMP"' EXIT
trap 'exit 143' TERM INT

# load_sample's data, the mailbox under a name rather than a temporary path
# (the screenshot shows it)
load() {
	local src=${REPWATCH_SRC:-.}
	cp -r "$src/data/sample/maildir" "$T_TMP/maildir"
	printf '[paths]\nstate_dir = %s\n[mailbox.jmrp]\nurl = %s\n' \
		"$REPWATCH_PATHS_STATE_DIR" "$T_TMP/maildir" >"$T_TMP/rw.conf"
	# the sample's Postfix logs as the demo loads them (cmd_demo.c)
	printf '[mta.demo]\ntype = postfix\npath = %s\nip_by_service = %s\ntimezone = America/Los_Angeles\n' \
		"$src/data/sample/mta/mail.log*" "$(demo_services)" >>"$T_TMP/rw.conf"
	chmod 600 "$T_TMP/rw.conf"
	"$RW" -q --db "$DB" snds load --source demo "$src/data/sample/snds" &&
		"$RW" -q --config "$T_TMP/rw.conf" --db "$DB" arf ingest jmrp &&
		"$RW" -q --config "$T_TMP/rw.conf" --db "$DB" mta load &&
		"$RW" -q --config "$T_TMP/rw.conf" --db "$DB" analyze \
			--from 2026-07-01 --to 2026-08-14
}
# the sample hosts' transports (data/sample/generate_mta_logs.py)
demo_services() {
	echo "ip10:192.0.2.10, ip11:192.0.2.11, ip12:192.0.2.12," \
		"ip13:192.0.2.13, ip14:192.0.2.14, ip15:192.0.2.15," \
		"ip16:192.0.2.16, ip17:192.0.2.17, ip50:192.0.2.50," \
		"net20:198.51.100.20, net21:198.51.100.21, net22:198.51.100.22," \
		"net23:198.51.100.23, net24:198.51.100.24, net25:198.51.100.25," \
		"net26:198.51.100.26, net27:198.51.100.27, small5:203.0.113.5," \
		"small6:203.0.113.6"
}
expect_status 0 "sample data loaded and analyzed" load
expect_status 0 "report --html" "$RW" -q --db "$DB" report --html \
	"$T_TMP/r.html" --date 2026-08-14
q "SELECT incident_id FROM repwatch.incident_current ORDER BY 1" \
	>"$T_TMP/ids"
[ "$(wc -l <"$T_TMP/ids")" -ge 2 ] && ok "incidents to chart" ||
	nok "fewer than 2 incidents in the sample"

shot=$T_TMP/report.png
# the incidents whose subject has MTA rows get a band
bands=$(q "SELECT count(*) FROM repwatch.incident_current s WHERE EXISTS (
	SELECT 1 FROM repwatch.mta_attempt_hour a WHERE a.ip <<= s.subject::cidr)")
[ "$bands" -ge 2 ] && ok "incidents with MTA data ($bands)" ||
	nok "only $bands incidents with MTA data"
WANT_BANDS=$bands TMPDIR=$T_TMP setsid "$py" "$dir/report_browser.py" "$T_TMP/r.html" "$shot" "$T_TMP/ids" \
	--self-test >"$T_TMP/browser.out" 2>&1 &
pgid=$!
timeout_s=120
for ((i = 0; i < timeout_s * 10; i++)); do
	kill -0 "$pgid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pgid" 2>/dev/null && nok "browser check still running after ${timeout_s}s"
kill -KILL -- "-$pgid" 2>/dev/null
wait "$pgid" && code=0 || code=$?
pgid=
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"FAIL - "*) nok "${line#FAIL - }" ;;
	*) echo "  | $line" ;;
	esac
done <"$T_TMP/browser.out"
[ "$code" = 0 ] && ok "browser check exit 0" || nok "browser check exit $code"
# nothing of ours left running (its profile is in our directory)
sleep 0.2
pgrep -f -- "--user-data-dir=$T_TMP/" >/dev/null &&
	nok "Chromium still running" || ok "Chromium gone"
if [ -n "${REPWATCH_REPORT_PNG:-}" ] && [ -s "$shot" ]; then
	cp "$shot" "$REPWATCH_REPORT_PNG" && echo "# wrote $REPWATCH_REPORT_PNG"
fi
finish

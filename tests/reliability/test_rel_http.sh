#!/bin/bash
# test_rel_http - SNDS HTTP faults not covered by tests/ingest/test_snds_http.sh
# (which has time-out, truncated and oversize bodies, the HTML sign-in page,
# 500-then-200 and a redirect to the sign-in host): connection refused,
# reset mid-body, a persistent 5xx, a 5xx burst outlasting or not the
# retries, an HTML sign-in page with 200 on the status report, redirect
# loops (one URL, two URLs). Each is classified (exit status, fetch log outcome), reported,
# and leaves nothing partial in the database.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rel_lib.sh"
unset REPWATCH_CONFIG PGHOST PGDATABASE PGUSER
rel_db
http_start
dead=http://127.0.0.1:$(closed_port)
cfg=$T_TMP/repwatch.conf
{
	echo "[paths]"
	echo "state_dir = $T_TMP/state"
	# source NAME BASE MODE [STATUSMODE]
	src() {
		cat <<CONF
[snds.$1]
type = link
data_url = $2/$3/data?key=LINKKEY-$1
status_url = $2/${4:-ok}/status?key=LINKKEY-$1
issued = $(date +%F)
timeout = 3
retries = 2
retry_delay_ms = 50
CONF
	}
	src refused "$dead" ok
	src reset "$BASE" reset
	src down "$BASE" e503
	src burst2 "$BASE" burst2
	src burst5 "$BASE" burst5
	src loop "$BASE" loop
	src pingpong "$BASE" pingpong
	src statushtml "$BASE" ok html
} >"$cfg"
chmod 600 "$cfg"
rw() { expect_status "$1" "$2" "$RW" --config "$cfg" --db "$DB" "${@:3}"; }
outcome() { q "SELECT outcome FROM repwatch.snds_fetch_log WHERE source = '$1' AND kind = '${2:-data}' ORDER BY id DESC LIMIT 1"; }
rows() { q "SELECT count(*) FROM repwatch.snds_daily WHERE source = '$1'"; }
D=(--date 2026-03-02)

rw 75 "connection refused: exit 75" snds fetch --source refused "${D[@]}"
expect_grep "$T_TMP/err" "source refused" "connection refused: names the source"
expect_grep "$T_TMP/err" "[Cc]onnect|refused" "connection refused: says so"
expect_eq "$(outcome refused)" temporary "connection refused: fetch log temporary"

rw 75 "reset mid-body: exit 75" snds fetch --source reset "${D[@]}"
expect_grep "$T_TMP/err" "source reset" "reset: names the source"
expect_eq "$(outcome reset)" temporary "reset: fetch log temporary"
expect_eq "$(rows reset)" 0 "reset: nothing partial loaded"
[ "$(curl -s "$BASE/admin/hits?path=/reset/data?date=030226")" = 3 ] &&
	ok "reset: retried twice" || nok "reset: retried twice"

rw 75 "persistent 503: exit 75" snds fetch --source down "${D[@]}"
expect_grep "$T_TMP/err" "503" "persistent 503: status quoted"
expect_grep "$T_TMP/err" "gave up after 2 retries" "persistent 503: gives up after the retries"
expect_eq "$(outcome down)" temporary "persistent 503: fetch log temporary"
expect_eq "$(rows down)" 0 "persistent 503: nothing loaded"

rw 0 "two 503s then 200 within 2 retries: exit 0" snds fetch --source burst2 "${D[@]}"
expect_eq "$(rows burst2)" 5 "burst within retries: the day loaded once"
expect_eq "$(outcome burst2)" ok "burst within retries: fetch log ok"
rw 75 "five 503s outlast 2 retries: exit 75" snds fetch --source burst5 "${D[@]}"
expect_eq "$(rows burst5)" 0 "burst outlasting retries: nothing loaded"
rw 0 "burst over: the next run loads the day" snds fetch --source burst5 "${D[@]}"
expect_eq "$(rows burst5)" 5 "burst over: the day loaded once"

# a redirect loop is followed for 5 hops, then the last 302 is classified
# like any redirect away from the report: link expired or login required
rw 69 "redirect loop: exit 69 (a redirect is read as an expired link)" snds fetch --source loop "${D[@]}"
expect_grep "$T_TMP/err" "source loop: .*HTTP 302" "redirect loop: names the source and the 302"
expect_no_grep "$T_TMP/err" "LINKKEY" "redirect loop: key masked in the message"
expect_eq "$(rows loop)" 0 "redirect loop: nothing loaded"
[ "$(curl -s "$BASE/admin/hits?path=/loop/data?date=030226")" -le 6 ] &&
	ok "redirect loop: at most 6 requests" || nok "redirect loop: at most 6 requests"
expect_eq "$(outcome loop)" expired "redirect loop: fetch log expired"
rw 69 "two-step redirect loop: exit 69" snds fetch --source pingpong "${D[@]}"
expect_eq "$(rows pingpong)" 0 "two-step loop: nothing loaded"

rw 69 "HTML sign-in page (200) for the status report: exit 69" snds fetch --source statushtml "${D[@]}"
expect_grep "$T_TMP/err" 'Sign in to your Microsoft account' "status sign-in: page title quoted"
expect_eq "$(outcome statushtml status)" expired "status sign-in: fetch log login-required"
expect_eq "$(q "SELECT count(*) FROM repwatch.snds_ip_status WHERE source = 'statushtml'")" 0 "status sign-in: no status snapshot stored"

q "SELECT * FROM repwatch.snds_fetch_log" >"$T_TMP/log-rows"
expect_no_grep "$T_TMP/log-rows" "LINKKEY" "no link key in the fetch log"
finish

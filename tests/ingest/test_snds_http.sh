#!/bin/bash
# test_snds_http - "snds fetch", "snds link set", "snds login" against a
# fake SNDS on 127.0.0.1 (tests/ingest/fake_snds.py, started and stopped
# here) and a real PostgreSQL (PG* from scripts/test.sh): every response
# class, retries, link age, OAuth with PKCE and token rotation. Asserts
# exit codes, database contents, and that no key or token is ever printed
# or stored outside the token file.
. "$(dirname "$0")/../lib.sh"
SNDS_DB_PREFIX=rwtest_snds_http
. "$(dirname "$0")/snds_lib.sh"
LOGIN_PID=
stop_login() { [ -n "$LOGIN_PID" ] && kill "$LOGIN_PID" 2>/dev/null; }
SNDS_CLEANUP_EXTRA=stop_login

cfg=$T_TMP/repwatch.conf
{
	printf '[paths]\nstate_dir = %s\n' "$T_TMP/state"
	link_source main link 2
	cat <<CONF
max_body = 4096
lookback_days = 5
[snds.api]
type = api
api_base = $BASE
authorize_url = $BASE/oauth/authorize
token_url = $BASE/oauth/token
timeout = 5
retries = 1
retry_delay_ms = 50
CONF
} >"$cfg"
chmod 600 "$cfg"

ALL=$T_TMP/all-output
: >"$ALL"
# rw WANT DESC args... : run repwatch, keep every output for the leak check
rw() {
	local want=$1 desc=$2
	shift 2
	expect_status "$want" "$desc" "$RW" --config "$cfg" --db "dbname=$DB" "$@"
	cat "$T_TMP/out" "$T_TMP/err" >>"$ALL"
}

# --- report links -------------------------------------------------------
rw 0 "normal day loads" snds fetch --source main --date 2026-03-02
expect_grep "$T_TMP/out" "data 2026-03-02: 2 rows loaded" "rows reported"
expect_sql "SELECT count(*) FROM repwatch.snds_daily WHERE day = '2026-03-02'" 2 "two rows stored"
expect_sql "SELECT outcome, http_status, rows_loaded FROM repwatch.snds_fetch_log WHERE day = '2026-03-02'" "ok|200|2" "fetch log ok"
expect_sql "SELECT url_masked FROM repwatch.snds_fetch_log WHERE day = '2026-03-02'" \
	"http://127.0.0.1:$PORT/link/data?key=***&date=030226" "fetch log URL masked, date kept"
expect_sql "SELECT count(*) FROM repwatch.snds_ip_status WHERE day = '$today'" 2 "status snapshot stored"
expect_sql "SELECT count(*) FROM repwatch.snds_fetch_log WHERE kind = 'status' AND outcome = 'ok'" 1 "status fetch logged"
ls "$T_TMP"/state/raw/main/data-2026-03-02.*.csv >/dev/null 2>&1 && ok "raw body kept" || nok "raw body kept"
[ "$(stat -c %a "$T_TMP"/state/raw/main/data-2026-03-02.*.csv)" = 600 ] && ok "raw body mode 0600" || nok "raw body mode 0600"

rw 0 "refetch is idempotent" snds fetch --source main --date 2026-03-02
expect_sql "SELECT count(*) FROM repwatch.snds_daily" 2 "still two rows"

rw 0 "empty body is no data" snds fetch --source main --date 2026-03-03
expect_grep "$T_TMP/out" "no data yet" "says no data yet"
expect_sql "SELECT outcome FROM repwatch.snds_fetch_log WHERE day = '2026-03-03'" no-data "fetch log no-data"
rw 0 "404 is no data" snds fetch --source main --date 2026-03-04
expect_sql "SELECT outcome, http_status FROM repwatch.snds_fetch_log WHERE day = '2026-03-04'" "no-data|404" "fetch log 404"
expect_sql "SELECT count(*) FROM repwatch.snds_daily WHERE day IN ('2026-03-03', '2026-03-04')" 0 "no zero rows stored"

rw 69 "HTML sign-in page exits 69" snds fetch --source main --date 2026-03-05
expect_grep "$T_TMP/err" 'source main: report link expired or login required: HTML page "Sign in to your Microsoft account"' "quotes the page title"
expect_grep "$T_TMP/err" "issued on $(ago 3) \(3 days ago\)" "names issue date and age"
expect_grep "$T_TMP/err" "repwatch snds link set main" "says what to do"
expect_sql "SELECT outcome FROM repwatch.snds_fetch_log WHERE day = '2026-03-05'" expired "fetch log expired"

rw 0 "500 then 200 is retried" snds fetch --source main --date 2026-03-06
expect_grep "$T_TMP/err" "HTTP 500; retry 1 of 1" "retry announced"
expect_sql "SELECT count(*) FROM repwatch.snds_daily WHERE day = '2026-03-06'" 1 "retried day stored"
[ "$(hits '/link/data?date=030626')" = 2 ] && ok "two requests for 500-then-200" || nok "two requests for 500-then-200"

rw 75 "time-out exits 75" snds fetch --source main --date 2026-03-07
expect_grep "$T_TMP/err" "gave up after 1 retries" "time-out gives up"
expect_sql "SELECT outcome FROM repwatch.snds_fetch_log WHERE day = '2026-03-07'" temporary "fetch log temporary"
rw 75 "truncated body exits 75" snds fetch --source main --date 2026-03-08
expect_sql "SELECT count(*) FROM repwatch.snds_daily WHERE day IN ('2026-03-07', '2026-03-08')" 0 "nothing partial committed"
rw 65 "oversize body exits 65" snds fetch --source main --date 2026-03-09
expect_grep "$T_TMP/err" "larger than max_body" "oversize named"
rw 69 "redirect to sign-in exits 69" snds fetch --source main --date 2026-03-10
expect_grep "$T_TMP/err" "redirected to a sign-in page" "sign-in redirect named"
rw 78 "400 exits 78" snds fetch --source main --date 2026-03-11
expect_grep "$T_TMP/err" "key=\*\*\*&date=031126" "400 names the masked request"
rw 65 "rejected row exits 65, good row kept" snds fetch --source main --date 2026-03-12
expect_sql "SELECT count(*) FROM repwatch.snds_daily WHERE day = '2026-03-12'" 1 "good row stored"
expect_sql "SELECT line, reason FROM repwatch.snds_reject WHERE day = '2026-03-12'" \
	'2|column 4 (RCPT commands): invalid count "many"' "reject stored with line and reason"

# default window: missing days of lookback_days plus the last 3
rw 0 "default window" snds fetch --source main
expect_sql "SELECT count(*) FROM repwatch.snds_fetch_log WHERE kind = 'data' AND day BETWEEN '$(ago 5)' AND '$(ago 1)'" 5 "every day of the window asked"

# link age: warning from 25 days, error after 30 (no request made)
rw 0 "link set" snds link set main --data-url "$BASE/link/data?key=$KEY" --status-url "$BASE/link/status?key=$KEY" --issued "$(ago 26)"
expect_sql "SELECT data_url LIKE 'sealed:v1:%' AND status_url LIKE 'sealed:v1:%' AND strpos(data_url || status_url, '$KEY') = 0 FROM repwatch.snds_source WHERE name = 'main'" t "stored links are sealed, the key not in the table"
[ "$(stat -c %a "$T_TMP/state/tokens/seal.key")" = 600 ] && ok "seal key file is 0600" || nok "seal key file is 0600"
rw 0 "26-day-old link still fetches" snds fetch --source main --date 2026-03-02
expect_grep "$T_TMP/err" "report links expire in 4 day\(s\)" "expiry warning"
rw 0 "link set past 30 days" snds link set main --data-url "$BASE/link/data?key=$KEY" --status-url "$BASE/link/status?key=$KEY" --issued "$(ago 40)"
before=$(hits '/link/data?date=030226')
rw 69 "link past 30 days exits 69" snds fetch --source main --date 2026-03-02
expect_grep "$T_TMP/err" "report links expired: issued $(ago 40), 40 days ago" "expired link named"
[ "$(hits '/link/data?date=030226')" = "$before" ] && ok "no request with an expired link" || nok "no request with an expired link"
expect_sql "SELECT outcome FROM repwatch.snds_fetch_log ORDER BY id DESC LIMIT 1" expired "fetch log records the expiry"
rw 0 "links lists sources" snds links
expect_grep "$T_TMP/out" "^main +link +$(ago 40) +40 +-10" "links shows age and days left"
rw 64 "plain http to a remote host refused" snds link set main --data-url "http://snds.example/x?key=$KEY"
expect_grep "$T_TMP/err" "refusing" "refusal says so"
# sealed links are bound to their key file and to their row
cp "$T_TMP/state/tokens/seal.key" "$T_TMP/seal.key.bak"
sql "UPDATE repwatch.snds_source SET data_url = (SELECT status_url FROM repwatch.snds_source WHERE name = 'main') WHERE name = 'main'"
rw 78 "a sealed link moved to another column is refused" snds fetch --source main --date 2026-03-02
expect_grep "$T_TMP/err" "source main: cannot open the sealed snds_source.data_url:main" "names the source and the link"
expect_grep "$T_TMP/err" "repwatch snds link set main" "says how to store the links again"
rw 0 "link set again" snds link set main --data-url "$BASE/link/data?key=$KEY" --status-url "$BASE/link/status?key=$KEY" --issued "$(ago 40)"
rm "$T_TMP/state/tokens/seal.key"
rw 78 "a lost key file is a configuration error" snds links
expect_grep "$T_TMP/err" "seal.key" "names the key file"
cp "$T_TMP/seal.key.bak" "$T_TMP/state/tokens/seal.key"
rw 0 "the restored key opens the links again" snds links

# --- REST API and OAuth ---------------------------------------------------
rw 69 "API without login exits 69" snds fetch --source api --date 2026-03-02
expect_grep "$T_TMP/err" 'source api: not logged in; run `repwatch snds login api`' "says to log in"
expect_sql "SELECT token_state FROM repwatch.snds_source WHERE name = 'api'" missing "token state missing"

# login through the listener on 127.0.0.1
login() {
	mkfifo "$T_TMP/stdin"
	"$RW" --config "$cfg" --db "dbname=$DB" snds login api <"$T_TMP/stdin" \
		>"$T_TMP/login.out" 2>"$T_TMP/login.err" &
	LOGIN_PID=$!
	exec 7>"$T_TMP/stdin"
	for _ in $(seq 100); do grep -q "oauth/authorize" "$T_TMP/login.out" && break; sleep 0.1; done
	AUTH=$(grep -o "$BASE/oauth/authorize?[^ ]*" "$T_TMP/login.out")
	REDIRECT=$(curl -s -o /dev/null -w '%{redirect_url}' "$AUTH")
}
login_done() {
	local rc=0
	wait "$LOGIN_PID" || rc=$?
	LOGIN_PID=
	exec 7>&-
	rm -f "$T_TMP/stdin"
	cat "$T_TMP/login.out" "$T_TMP/login.err" >>"$ALL"
	[ "$rc" = 0 ] && ok "$1" || { nok "$1: exit $rc"; cat "$T_TMP/login.err"; }
}
login
case $AUTH in *code_challenge_method=S256*state=*|*state=*code_challenge_method=S256*) ok "authorize URL has PKCE S256 and state";; *) nok "authorize URL has PKCE S256 and state";; esac
curl -s "$REDIRECT" >"$T_TMP/browser"
login_done "login via the 127.0.0.1 listener"
expect_grep "$T_TMP/browser" "sign-in received" "browser told to close"
tok=$T_TMP/state/tokens/api.json
[ "$(stat -c %a "$tok")" = 600 ] && ok "token file mode 0600" || nok "token file mode 0600"
expect_grep "$tok" '"refresh_token" *: *"RT-SECRET-1-' "first refresh token stored"

rw 0 "API fetch with a rotated token" snds fetch --source api --date 2026-03-02
expect_grep "$tok" '"refresh_token" *: *"RT-SECRET-2-' "refresh token rotated and saved"
expect_sql "SELECT count(*) FROM repwatch.snds_daily WHERE source = 'api'" 2 "API rows stored"
expect_sql "SELECT count(*) FROM repwatch.snds_ip_status WHERE source = 'api'" 2 "API status stored"
expect_sql "SELECT token_state FROM repwatch.snds_source WHERE name = 'api'" ok "token state ok"
rw 0 "second run uses the rotated token" snds fetch --source api --date 2026-03-04
expect_grep "$tok" '"refresh_token" *: *"RT-SECRET-3-' "rotated again"

# headless: paste the redirect URL on standard input
login
echo "$REDIRECT" >&7
login_done "login via a pasted redirect URL"
rw 0 "fetch after pasted login" snds fetch --source api --date 2026-03-02

curl -s "$BASE/admin/revoke" >/dev/null
rw 69 "invalid_grant exits 69" snds fetch --source api --date 2026-03-02
expect_grep "$T_TMP/err" 'source api: login expired; run `repwatch snds login api`' "login-expired message"
expect_sql "SELECT token_state FROM repwatch.snds_source WHERE name = 'api'" expired "token state expired"
expect_sql "SELECT outcome FROM repwatch.snds_fetch_log WHERE source = 'api' AND kind = 'token' ORDER BY id DESC LIMIT 1" login-required "token failure in the fetch log"

# --- no secret anywhere ---------------------------------------------------
sql "SELECT * FROM repwatch.snds_fetch_log; SELECT * FROM repwatch.snds_reject;" >"$T_TMP/db-dump"
cat "$T_TMP/db-dump" >>"$ALL"
expect_no_grep "$ALL" "$KEY|RT-SECRET|AT-SECRET|CODE-[0-9a-f]" "no key, token or code in any output or log row"

finish

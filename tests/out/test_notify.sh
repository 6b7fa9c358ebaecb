#!/bin/bash
# test_notify - [notify]: a command gets new alerts as JSON lines, a local
# webhook gets them as a JSON POST; nothing is sent twice; an escalated
# alert is sent again; a failing webhook is retried, then the alerts stay
# pending.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_outputs.sh"
need_db
new_db notify
expect_status 0 "sample data loaded and analyzed" load_sample
dir=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$T_TMP/hook"
python3 "$dir/webhook_server.py" "$T_TMP/hook" &
srv=$!
trap 'kill $srv 2>/dev/null; dropdb --if-exists "$OUT_DB" >/dev/null 2>&1; rm -rf "$T_TMP"' EXIT
for _ in $(seq 50); do [ -s "$T_TMP/hook/port" ] && break; sleep 0.1; done
port=$(cat "$T_TMP/hook/port")
cat >"$T_TMP/rw.conf" <<CONF
[notify]
command = cat >> $T_TMP/lines.jsonl
webhook_url = http://127.0.0.1:$port/hook
timeout = 5
retries = 2
CONF
chmod 600 "$T_TMP/rw.conf"
N=("$RW" -q --config "$T_TMP/rw.conf" --db "$DB")
open=$(q "SELECT count(*) FROM repwatch.alert WHERE state = 'open'")

expect_status 0 "dry run" "${N[@]}" export notify --dry-run
n=$(wc -l <"$T_TMP/out")
[ "$n" = "$open" ] && ok "dry run lists the $open open alerts" || nok "$n of $open"
expect_status 0 "notify" "${N[@]}" export notify
expect_grep "$T_TMP/out" "^$open alert\\(s\\) sent$" "all open alerts sent"
n=$(wc -l <"$T_TMP/lines.jsonl")
[ "$n" = "$open" ] && ok "command got $open JSON lines" || nok "command: $n"
expect_status 0 "every line is a JSON alert" python3 -c '
import json, sys
for line in open(sys.argv[1]):
    a = json.loads(line)
    assert a["event"] == "new", a
    assert a["severity"] in ("info", "warning", "critical")
    assert a["subject"] and a["rule"] and a["message"] is not None
    assert isinstance(a["details"], dict)
' "$T_TMP/lines.jsonl"
expect_status 0 "webhook got one JSON POST with every alert" python3 -c '
import json, sys
posts = [json.loads(l) for l in open(sys.argv[1])]
assert len(posts) == 1, len(posts)
assert posts[0]["type"] == "application/json"
assert len(posts[0]["body"]["alerts"]) == int(sys.argv[2])
' "$T_TMP/hook/posts.jsonl" "$open"

expect_status 0 "second notify" "${N[@]}" export notify
expect_grep "$T_TMP/out" '^0 alert\(s\) sent$' "nothing sent twice"
n=$(wc -l <"$T_TMP/hook/posts.jsonl")
[ "$n" = 1 ] && ok "no second POST" || nok "$n POSTs"

# a resolved then reopened alert is new again; a warning that becomes
# critical is escalated
id=$(q "SELECT id FROM repwatch.alert WHERE state = 'open'
        AND severity = 'warning' ORDER BY id LIMIT 1")
id2=$(q "SELECT id FROM repwatch.alert WHERE state = 'open' AND id <> $id
         ORDER BY id LIMIT 1")
q "UPDATE repwatch.alert SET state = 'resolved' WHERE id = $id2" >/dev/null
expect_status 0 "notify after a resolution" "${N[@]}" export notify
expect_grep "$T_TMP/out" '^0 alert\(s\) sent$' "a resolution sends nothing"
q "UPDATE repwatch.alert SET state = 'open' WHERE id = $id2" >/dev/null
q "UPDATE repwatch.alert SET severity = 'critical' WHERE id = $id" >/dev/null
: >"$T_TMP/lines.jsonl"
expect_status 0 "notify after escalation and reopening" "${N[@]}" export notify
expect_grep "$T_TMP/out" '^2 alert\(s\) sent$' "escalated + reopened sent"
expect_grep "$T_TMP/lines.jsonl" "\"alert_id\":$id,\"event\":\"escalated\"" \
	"event escalated"
expect_grep "$T_TMP/lines.jsonl" '"previous_severity":"warning"' \
	"previous severity"
expect_grep "$T_TMP/lines.jsonl" "\"alert_id\":$id2,\"event\":\"new\"" \
	"reopened alert is new"

# retries: two 500s then success (retries = 2)
q "UPDATE repwatch.alert SET notified_severity = NULL WHERE id = $id" >/dev/null
echo 2 >"$T_TMP/hook/fail"
expect_status 0 "webhook retried after 500s" "${N[@]}" export notify
expect_grep "$T_TMP/out" '^1 alert\(s\) sent$' "sent after retries"
# always failing: exit 75, alert stays pending
q "UPDATE repwatch.alert SET notified_severity = NULL WHERE id = $id" >/dev/null
echo 99 >"$T_TMP/hook/fail"
expect_status 75 "webhook down: temporary failure" "${N[@]}" export notify
expect_grep "$T_TMP/err" "webhook http://127\\.0\\.0\\.1:$port/\\*\\*\\*: HTTP status 500" \
	"error names the webhook and status"
v=$(q "SELECT notified_severity IS NULL FROM repwatch.alert WHERE id = $id")
[ "$v" = t ] && ok "failed alert stays pending" || nok "marked sent"
echo 0 >"$T_TMP/hook/fail"
# a failing command
sed -i "s|^command = .*|command = exit 3|" "$T_TMP/rw.conf"
expect_status 69 "failing command: exit 69" "${N[@]}" export notify
expect_grep "$T_TMP/err" 'notify command failed' "command failure reported"
finish

#!/bin/bash
# test_notify - [notify] on the sample data: a command gets one JSON line
# per new incident (not per rule), a local webhook gets them as one JSON
# POST; nothing is sent twice; an escalated incident is sent again; a
# data-health alert keeps a line of its own; a failing webhook is retried,
# then everything stays pending. Silences: test_notify_silence.sh.
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
# what is due: every incident open on the latest analyzed day at warning or
# worse (none silenced yet), and the data-health alerts (none on the sample)
inc=$(q "SELECT count(*) FROM repwatch.incident_current
         WHERE severity <> 'info'")
health=$(q "SELECT count(*) FROM repwatch.alert WHERE state = 'open'
            AND severity <> 'info' AND subject_kind NOT IN ('ip', 'cidr')")
rules=$(q "SELECT count(*) FROM repwatch.alert WHERE state = 'open'
           AND subject_kind IN ('ip', 'cidr')")
open=$((inc + health))
[ "$inc" -ge 2 ] && [ "$rules" -gt "$inc" ] &&
	ok "sample: $inc incidents for $rules open rule rows" ||
	nok "sample: $inc incidents, $rules rule rows"

expect_status 0 "dry run" "${N[@]}" export notify --dry-run
n=$(wc -l <"$T_TMP/out")
[ "$n" = "$open" ] && ok "dry run lists the $open incidents" || nok "$n of $open"
expect_status 0 "notify" "${N[@]}" export notify
expect_grep "$T_TMP/out" "^$open alert\\(s\\) sent$" "every incident sent"
n=$(wc -l <"$T_TMP/lines.jsonl")
[ "$n" = "$open" ] && ok "command got $open JSON lines, one per incident" ||
	nok "command: $n"
q "SELECT incident_id FROM repwatch.incident_current
   WHERE severity <> 'info' ORDER BY 1" >"$T_TMP/want_ids"
expect_status 0 "every line is one incident with the alerts JSON keys" \
	python3 -c '
import json, sys
keys = ["incident_id", "event", "subject", "kind", "severity", "state",
        "first_day", "last_day", "rules", "members", "rate_7d",
        "recipients_7d", "complaints_7d", "baseline_rate", "forecast_days",
        "listed", "filter", "message", "silenced_until"]
lines = [json.loads(l) for l in open(sys.argv[1])]
ids = sorted(a["incident_id"] for a in lines)
want = open(sys.argv[2]).read().split()
assert ids == want, (ids, want)
for a in lines:
    assert list(a) == keys, list(a)
    assert a["event"] in ("new", "escalated"), a
    assert a["severity"] in ("warning", "critical"), a
    assert a["kind"] in ("ip", "range") and a["subject"], a
    assert isinstance(a["rules"], list) and len(a["rules"]) >= 1, a
    assert a["silenced_until"] is None, a
    if a["kind"] == "ip":
        assert a["members"] == [], a
by = {a["subject"]: a for a in lines}
r = by["198.51.100.0/24"]
assert r["kind"] == "range"
assert r["members"] == ["198.51.100.%d" % i for i in range(20, 28)], r
assert "rising" in r["rules"] and "range-rising" in r["rules"], r
ip = by["192.0.2.50"]
assert ip["listed"] is True and ip["filter"] == "RED", ip
assert ip["severity"] == "critical" and ip["rate_7d"] > 0.003, ip
' "$T_TMP/lines.jsonl" "$T_TMP/want_ids"
expect_status 0 "webhook got one JSON POST with every incident" python3 -c '
import json, sys
posts = [json.loads(l) for l in open(sys.argv[1])]
assert len(posts) == 1, len(posts)
assert posts[0]["type"] == "application/json"
assert len(posts[0]["body"]["alerts"]) == int(sys.argv[2])
assert all("incident_id" in a for a in posts[0]["body"]["alerts"])
' "$T_TMP/hook/posts.jsonl" "$open"
v=$(q "SELECT count(*) FROM repwatch.incident i JOIN
       repwatch.incident_current c ON c.incident_id = i.id
       WHERE i.notified_severity = c.severity")
[ "$v" = "$inc" ] && ok "incidents marked sent at their severity" ||
	nok "$v of $inc marked"

expect_status 0 "second notify" "${N[@]}" export notify
expect_grep "$T_TMP/out" '^0 alert\(s\) sent$' "nothing sent twice"
n=$(wc -l <"$T_TMP/hook/posts.jsonl")
[ "$n" = 1 ] && ok "no second POST" || nok "$n POSTs"

# an incident sent while it was a warning and critical now is escalated:
# sent again, alone
id=$(q "SELECT incident_id FROM repwatch.incident_current
        WHERE subject = '192.0.2.50'")
q "UPDATE repwatch.incident SET notified_severity = 'warning'
   WHERE id = '$id'" >/dev/null
: >"$T_TMP/lines.jsonl"
expect_status 0 "notify after an escalation" "${N[@]}" export notify
expect_grep "$T_TMP/out" '^1 alert\(s\) sent$' "the escalated incident sent again"
expect_grep "$T_TMP/lines.jsonl" \
	"^\\{\"incident_id\":\"$id\",\"event\":\"escalated\".*\"severity\":\"critical\"" \
	"event escalated, severity critical"
expect_status 0 "third notify" "${N[@]}" export notify
expect_grep "$T_TMP/out" '^0 alert\(s\) sent$' "escalation sent once"

# a data-health alert (no IP or range: no incident) keeps its own line
q "INSERT INTO repwatch.alert (subject_kind, subject, source, rule, severity,
   state, first_day, last_day, details) VALUES ('source', 'demo', 'demo',
   'fetch-stale', 'critical', 'open', '2026-08-14', '2026-08-14',
   '{\"message\": \"no data for 3 days\"}')" >/dev/null
: >"$T_TMP/lines.jsonl"
expect_status 0 "notify a data-health alert" "${N[@]}" export notify
expect_grep "$T_TMP/out" '^1 alert\(s\) sent$' "the health alert sent"
expect_grep "$T_TMP/lines.jsonl" \
	'"event":"new","kind":"health","subject_kind":"source","subject":"demo".*"rule":"fetch-stale".*"message":"no data for 3 days"' \
	"health alert line: kind health, its rule and message"
hid=$(q "SELECT id FROM repwatch.alert WHERE rule = 'fetch-stale'")

# retries: two 500s then success (retries = 2)
q "UPDATE repwatch.incident SET notified_severity = NULL WHERE id = '$id'" >/dev/null
echo 2 >"$T_TMP/hook/fail"
expect_status 0 "webhook retried after 500s" "${N[@]}" export notify
expect_grep "$T_TMP/out" '^1 alert\(s\) sent$' "sent after retries"
# always failing: exit 75, the incident and the health alert stay pending
q "UPDATE repwatch.incident SET notified_severity = NULL WHERE id = '$id'" >/dev/null
q "UPDATE repwatch.alert SET notified_severity = NULL WHERE id = $hid" >/dev/null
echo 99 >"$T_TMP/hook/fail"
expect_status 75 "webhook down: temporary failure" "${N[@]}" export notify
expect_grep "$T_TMP/err" "webhook http://127\\.0\\.0\\.1:$port/\\*\\*\\*: HTTP status 500" \
	"error names the webhook and status"
v=$(q "SELECT (SELECT notified_severity IS NULL FROM repwatch.incident
       WHERE id = '$id') AND (SELECT notified_severity IS NULL FROM
       repwatch.alert WHERE id = $hid)")
[ "$v" = t ] && ok "failed incident and alert stay pending" || nok "marked sent"
echo 0 >"$T_TMP/hook/fail"
# a failing command
sed -i "s|^command = .*|command = exit 3|" "$T_TMP/rw.conf"
expect_status 69 "failing command: exit 69" "${N[@]}" export notify
expect_grep "$T_TMP/err" 'notify command failed' "command failure reported"
expect_grep "$T_TMP/err" 'the webhook took the alerts' "the webhook did take them"
# both fail: the message names both, and does not claim the webhook took
# them (it did once, before review)
q "UPDATE repwatch.incident SET notified_severity = NULL WHERE id = '$id'" \
	>/dev/null
echo 99 >"$T_TMP/hook/fail"
expect_status 69 "command and webhook fail: the worse status" "${N[@]}" export notify
expect_grep "$T_TMP/err" 'notify command failed.*also.*HTTP status 500' \
	"both failures in one message"
expect_no_grep "$T_TMP/err" 'took the alerts' "no claim the webhook took them"
echo 0 >"$T_TMP/hook/fail"
finish

#!/bin/bash
# test_alerts - "repwatch alerts" on the bundled sample data (issue 13):
# one row per incident in text, JSON lines and CSV, "--by rule" the alert
# rows as before, silences set, listed and lifted with who and note, the
# refusals (exit 64), "--from" alone for alerts, analyze and snds show,
# and the pruning of incidents and silences by age.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../out/lib_outputs.sh"
need_db
new_db alerts
load_sample && ok "sample loaded and analyzed" || nok "sample load"
R() { "$RW" --db "$DB" "$@"; }
# expect_eq GOT WANT DESC
expect_eq() {
	if [ "$1" = "$2" ]; then ok "$3"; else
		nok "$3: got \"$1\", want \"$2\""
	fi
}
me=$(id -un 2>/dev/null || echo "${LOGNAME:-}")

# --- text: a heading and one line per incident -------------------------
expect_status 0 "alerts" R alerts
cp "$T_TMP/out" "$T_TMP/text"
expect_grep "$T_TMP/text" '^DAY +SEVERITY +STATE +SUBJECT +SINCE +RATE_7D +ID +RULES$' \
	"the heading"
n=$(grep -c '^2026-08-14 ' "$T_TMP/text")
[ "$n" = 2 ] && ok "two incident lines" || nok "got $n incident lines, want 2"
expect_grep "$T_TMP/text" '^2026-08-14  critical  (open|escalated) +192\.0\.2\.50 +2026-08-[0-9]{2} +[0-9.]+%  inc-[0-9a-f]{12}  .*level' \
	"the IP incident: severity, state, since, rate, id, rules"
expect_grep "$T_TMP/text" ' 198\.51\.100\.0/24 \(8 IPs: \.20-\.27\) ' \
	"the range incident with its members in short form"
expect_grep "$T_TMP/text" 'range-rising.*rising|rising.*range-rising' \
	"the range incident names the members' rules"
expect_no_grep "$T_TMP/text" ' 198\.51\.100\.2[0-7] ' "members are not listed again"

# --- JSON: the issue's keys, exactly ---------------------------------
expect_status 0 "alerts --format json" R alerts --format json
cp "$T_TMP/out" "$T_TMP/json"
keys='["incident_id","subject","kind","severity","state","first_day","last_day","rules","members","rate_7d","recipients_7d","complaints_7d","baseline_rate","forecast_days","listed","filter","message","silenced_until"]'
bad=$(jq -c "select((keys_unsorted | tostring) != (\$k | tostring))" --argjson k "$keys" "$T_TMP/json")
[ -z "$bad" ] && [ "$(wc -l <"$T_TMP/json")" = 2 ] &&
	ok "two objects with exactly the issue's keys, in order" ||
	nok "json keys: $bad"
v=$(jq -r 'select(.kind == "range") | "\(.subject) \(.members | length) \(.members[0]) \(.rules | type)"' "$T_TMP/json")
[ "$v" = "198.51.100.0/24 8 198.51.100.20 array" ] && ok "range: kind, members list" ||
	nok "range object: $v"
v=$(jq -r 'select(.kind == "ip") | "\(.subject) \(.members | length) \(.listed | type) \(.rate_7d | type) \(.recipients_7d | type) \(.silenced_until)"' "$T_TMP/json")
[ "$v" = "192.0.2.50 0 boolean number number null" ] && ok "ip: empty members, typed numbers" ||
	nok "ip object: $v"
id=$(jq -r 'select(.kind == "ip") | .incident_id' "$T_TMP/json")
rid=$(jq -r 'select(.kind == "range") | .incident_id' "$T_TMP/json")

# --- CSV: same columns, lists joined with a space ---------------------
expect_status 0 "alerts --format csv" R alerts --format csv
expect_eq "$(head -1 "$T_TMP/out")" "$(echo "$keys" | jq -r 'join(",")')" "csv heading"
expect_grep "$T_TMP/out" ',198\.51\.100\.20 198\.51\.100\.21 [0-9. ]*198\.51\.100\.27,' \
	"csv members joined with a space"
[ "$(wc -l <"$T_TMP/out")" = 3 ] && ok "csv: heading and two rows" || nok "csv rows"

# --- --by rule: the alert rows, as before ---------------------------
expect_status 0 "alerts --by rule" R alerts --by rule
cp "$T_TMP/out" "$T_TMP/rule"
expect_grep "$T_TMP/rule" '^DAY +SEVERITY +STATE +RULE +SUBJECT +SINCE +WHAT$' "rule heading"
expect_grep "$T_TMP/rule" "critical +open +level +192\.0\.2\.50 " "per-rule row of the IP"
expect_grep "$T_TMP/rule" "rising +198\.51\.100\.2[0-7] " "per-IP rows of the range"
want=$(q "SELECT count(*) FROM repwatch.alert_day WHERE day = '2026-08-14'")
got=$(grep -c '^2026-08-14 ' "$T_TMP/rule")
[ "$got" = "$want" ] && ok "one row per alert of the day ($got)" || nok "rule rows $got, alert_day $want"
expect_status 0 "alerts --by rule --format csv" R alerts --by rule --format csv
expect_eq "$(head -1 "$T_TMP/out")" "ip,source,day,rule,severity,state,first_day,rate_7d,recipients_7d,complaints_7d,baseline_rate,ratio,p_value,forecast_days,message" \
	"rule csv heading unchanged"
expect_status 64 "alerts --by day is refused" R alerts --by day
expect_status 1 "alerts --fail-on critical: a critical incident" R alerts --fail-on critical
expect_status 1 "alerts --by rule --fail-on critical" R alerts --by rule --fail-on critical
expect_status 0 "alerts --min-severity critical" R alerts --min-severity critical --open

# --- silences ------------------------------------------------------
expect_status 0 "silences: none yet" R alerts silences
expect_grep "$T_TMP/out" "^no silences in force$" "no silences"
expect_status 0 "silence the IP" R alerts silence 192.0.2.50 --until 2026-09-01 --note "ticket 42, on it"
expect_grep "$T_TMP/out" "^silenced 192\.0\.2\.50 until 2026-09-01$" "silence says what"
expect_status 0 "silence the range by id" R alerts silence "$rid" --until 2026-08-20
expect_grep "$T_TMP/out" "^silenced 198\.51\.100\.0/24 \($rid\) until 2026-08-20$" "silence by id"
expect_status 0 "silences" R alerts silences --format json
expect_eq "$(jq -c 'keys_unsorted' "$T_TMP/out" | sort -u)" '["target","until","who","when","note"]' "silence keys"
expect_eq "$(jq -r 'select(.target == "192.0.2.50") | "\(.until)|\(.who)|\(.note)"' "$T_TMP/out")" \
	"2026-09-01|$me|ticket 42, on it" "who, until and note recorded"
expect_eq "$(jq -r "select(.target == \"$rid\") | .until" "$T_TMP/out")" 2026-08-20 "the id silence"
expect_grep "$T_TMP/out" '"when":"20[0-9]{2}-' "when it was set"
expect_status 0 "silences text" R alerts silences
expect_grep "$T_TMP/out" "^192\.0\.2\.50 +2026-09-01  $me +.*ticket 42, on it$" "silences text row"
expect_status 0 "silences csv" R alerts silences --format csv
expect_eq "$(head -1 "$T_TMP/out")" "target,until,who,when,note" "silences csv heading"
expect_status 0 "alerts with silences" R alerts
expect_grep "$T_TMP/out" "192\.0\.2\.50 .*\(silenced until 2026-09-01\)$" "the IP shows silenced"
expect_grep "$T_TMP/out" "198\.51\.100\.0/24 .*\(silenced until 2026-08-20\)$" "the range shows silenced"
expect_status 0 "alerts json with silences" R alerts --format json
expect_eq "$(jq -r 'select(.kind == "ip") | .silenced_until' "$T_TMP/out")" 2026-09-01 "silenced_until"
expect_status 1 "a silenced incident still counts for --fail-on" R alerts --fail-on critical
expect_status 0 "unsilence by id" R alerts unsilence "$rid"
expect_grep "$T_TMP/out" "^lifted 1 silence on $rid$" "unsilence says what"
expect_status 0 "unsilence the IP" R alerts unsilence 192.0.2.50
v=$(q "SELECT string_agg(lifted_by, ',') FROM repwatch.silence WHERE lifted_at IS NOT NULL")
expect_eq "$v" "$me,$me" "lifted silences keep who lifted them"
expect_status 0 "silences after unsilence" R alerts silences
expect_grep "$T_TMP/out" "^no silences in force$" "none in force"

# refusals: usage errors, exit 64, with the recorded message
expect_status 64 "silence with a bad day" R alerts silence 192.0.2.50 --until 2026-13-01
expect_grep "$T_TMP/err" 'is no day' "bad day named"
expect_status 64 "silence ending before the latest analyzed day" R alerts silence 192.0.2.50 --until 2026-08-01
expect_status 64 "silence without --until" R alerts silence 192.0.2.50
expect_grep "$T_TMP/err" 'needs --until' "missing --until named"
expect_status 64 "silence of an unknown id" R alerts silence inc-000000000000 --until 2026-09-01
expect_grep "$T_TMP/err" 'no incident inc-000000000000' "unknown id named"
expect_status 64 "silence of a member IP" R alerts silence 198.51.100.21 --until 2026-09-01
expect_status 64 "silence without a target" R alerts silence --until 2026-09-01
expect_status 64 "unsilence of nothing silenced" R alerts unsilence "$id"
expect_status 64 "unsilence of garbage" R alerts unsilence 'x;y'
expect_status 64 "silences with an argument" R alerts silences extra

# --- --from alone: to the latest day -------------------------------
expect_status 0 "alerts --from alone" R alerts --from 2026-08-13
expect_grep "$T_TMP/out" "^2026-08-13 " "alerts --from: the first day"
expect_grep "$T_TMP/out" "^2026-08-14 " "alerts --from: to the latest analyzed day"
expect_status 64 "alerts --to alone" R alerts --to 2026-08-14
expect_grep "$T_TMP/err" 'to needs --from' "alerts --to alone: said so"
expect_status 64 "alerts --from after the latest day" R alerts --from 2026-09-01
q "UPDATE repwatch.analysis_run SET analyzed_at = '2000-01-01'" >/dev/null
expect_status 0 "analyze --from alone" R -q analyze --from 2026-08-13
v=$(q "SELECT string_agg(day::text, ',' ORDER BY day) FROM repwatch.analysis_run WHERE analyzed_at > '2000-01-02'")
expect_eq "$v" "2026-08-13,2026-08-14" "analyze --from: to the latest day with SNDS data"
expect_status 64 "analyze --to alone" R analyze --to 2026-08-14
expect_grep "$T_TMP/err" 'to needs --from' "analyze --to alone: said so"
expect_status 0 "snds show --from alone" R snds show --from 2026-08-13 --ip 192.0.2.50 --format csv
v=$(cut -d, -f3 "$T_TMP/out" | tail -n +2 | sort -u | tr '\n' ' ')
expect_eq "$v" "2026-08-13 2026-08-14 " "snds show --from: to the latest stored day"
expect_status 64 "snds show --to alone" R snds show --to 2026-08-14
expect_grep "$T_TMP/err" 'to needs --from' "snds show --to alone: said so"

# --- [analyze] resolve_days: quiet analyzed days before an incident resolves
v=$(q "SELECT coalesce(max(quiet_days), 0) FROM repwatch.incident_day WHERE state <> 'resolved'")
[ "$v" -lt 2 ] && ok "default resolve_days 2: open incidents have < 2 quiet days" ||
	nok "an open incident with $v quiet days (resolve_days 2)"
expect_status 0 "replay with resolve_days 30" env REPWATCH_ANALYZE_RESOLVE_DAYS=30 \
	"$RW" -q --db "$DB" analyze --from 2026-07-01
v=$(q "SELECT coalesce(max(quiet_days), 0) FROM repwatch.incident_day WHERE state <> 'resolved'")
[ "$v" -ge 2 ] && [ "$v" -lt 30 ] && ok "resolve_days 30: incidents stay open through $v quiet days" ||
	nok "resolve_days 30: max quiet days of an open incident $v, want 2..29"

# --- prune: incident days, resolved incidents, ended silences by age ----
before=$(q "SELECT count(*) FROM repwatch.incident_day")
[ "$before" -gt 0 ] && ok "incident days stored ($before)" || nok "no incident_day rows"
# the lifted silences as if lifted in August
q "UPDATE repwatch.silence SET lifted_at = '2026-08-15 12:00+00'" >/dev/null
expect_status 0 "prune everything before the last 40 days" R -q prune --keep-days 40
v=$(q "SELECT (SELECT count(*) FROM repwatch.incident_day)::text ||
	(SELECT count(*) FROM repwatch.incident_member_day) ||
	(SELECT count(*) FROM repwatch.incident WHERE state = 'resolved') ||
	(SELECT count(*) FROM repwatch.silence)")
expect_eq "$v" "0000" "incident days, members, resolved incidents and lifted silences pruned"
finish

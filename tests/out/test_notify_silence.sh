#!/bin/bash
# test_notify_silence - a silenced incident (issue 13): no notification
# while the silence holds, still in the HTML report (marked) and in the
# Prometheus counts; sent again once it escalates after the silence began.
# The sample is analyzed up to 2026-08-07, when 192.0.2.50 opens as a
# warning; it turns critical on 2026-08-08. The silence is written with SQL
# the way an_silence_set stores it (from_day: the latest analyzed day).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_outputs.sh"
need_db
new_db silence
src=${REPWATCH_SRC:-.}
R=("$RW" -q --db "$DB")
expect_status 0 "SNDS sample loaded" "${R[@]}" snds load --source demo \
	"$src/data/sample/snds"
cp -r "$src/data/sample/maildir" "$T_TMP/maildir"
expect_status 0 "complaints ingested" "${R[@]}" arf ingest "$T_TMP/maildir"
expect_status 0 "analyzed to 2026-08-07" "${R[@]}" analyze \
	--from 2026-07-01 --to 2026-08-07
cat >"$T_TMP/rw.conf" <<CONF
[notify]
command = cat >> $T_TMP/lines.jsonl
CONF
chmod 600 "$T_TMP/rw.conf"
N=("$RW" -q --config "$T_TMP/rw.conf" --db "$DB")
sent() { : >"$T_TMP/lines.jsonl"; expect_status 0 "$1" "${N[@]}" export notify; }

id=$(q "SELECT incident_id FROM repwatch.incident_current
        WHERE subject = '192.0.2.50' AND severity = 'warning'
        AND state = 'open'")
[ -n "$id" ] && ok "192.0.2.50 is an open warning incident on 2026-08-07" ||
	nok "no warning incident for 192.0.2.50"
q "INSERT INTO repwatch.silence (subject, incident_id, until, note,
   created_by, from_day) VALUES ('192.0.2.50', '$id', '2026-08-31',
   'on it', 'tester', '2026-08-07')" >/dev/null
others=$(q "SELECT count(*) FROM repwatch.incident_current
            WHERE severity <> 'info' AND incident_id <> '$id'")

sent "notify with the silence"
expect_grep "$T_TMP/out" "^$others alert\\(s\\) sent$" \
	"only the other incidents sent ($others)"
expect_no_grep "$T_TMP/lines.jsonl" "$id" "the silenced incident sends nothing"
v=$(q "SELECT silenced_until FROM repwatch.incident_current
       WHERE incident_id = '$id'")
[ "$v" = 2026-08-31 ] && ok "incident_current shows the silence" || nok "$v"

# the report still lists it, marked
expect_status 0 "report --html" "${R[@]}" report --html "$T_TMP/r.html" \
	--date 2026-08-07
expect_status 0 "report well-formed" xmllint --noout "$T_TMP/r.html"
cls=$(xmllint --xpath "string(//*[local-name()='table'][@class='incidents']/*[local-name()='tr'][*[local-name()='td'][last()]='$id']/@class)" \
	"$T_TMP/r.html" 2>/dev/null)
[ "$cls" = "warning silenced" ] && ok "report row marked silenced" ||
	nok "row class: '$cls'"
expect_grep "$T_TMP/r.html" '<td>silenced until 2026-08-31</td>' \
	"report shows until when"
expect_grep "$T_TMP/r.html" 'Silenced until 2026-08-31: no notification' \
	"the chart section says so"

# Prometheus counts it, as silenced
expect_status 0 "export prometheus" "${R[@]}" export prometheus "$T_TMP/p.prom"
expect_grep "$T_TMP/p.prom" \
	'^repwatch_incidents_silenced\{severity="warning",state="open"\} 1$' \
	"silenced incident counted"

sent "notify again"
expect_grep "$T_TMP/out" '^0 alert\(s\) sent$' "still nothing while silenced"

# 2026-08-08: critical, escalated after the silence began: sent
expect_status 0 "analyze 2026-08-08" "${R[@]}" analyze --from 2026-08-08 \
	--to 2026-08-08
v=$(q "SELECT state || ' ' || severity || ' ' || escalated_day
       FROM repwatch.incident_current WHERE incident_id = '$id'")
[ "$v" = "escalated critical 2026-08-08" ] && ok "the incident escalated" ||
	nok "after 2026-08-08: $v"
sent "notify after the escalation"
expect_grep "$T_TMP/lines.jsonl" \
	"^\\{\"incident_id\":\"$id\",\"event\":\"escalated\".*\"severity\":\"critical\".*\"silenced_until\":null\\}$" \
	"the escalation is sent: the silence no longer holds"
# nor is it shown or counted as silenced anywhere (the critical-incident
# alerting rule subtracts the silenced count)
v=$(q "SELECT coalesce(silenced_until::text, 'none')
       FROM repwatch.incident_current WHERE incident_id = '$id'")
[ "$v" = none ] && ok "incident_current: not silenced after the escalation" ||
	nok "incident_current still silenced until $v"
expect_status 0 "export prometheus" "${R[@]}" export prometheus "$T_TMP/p2.prom"
expect_grep "$T_TMP/p2.prom" \
	'^repwatch_incidents_silenced\{severity="critical",state="escalated"\} 0$' \
	"the escalated incident is not counted as silenced"
expect_status 0 "alerts" "${R[@]}" alerts
expect_no_grep "$T_TMP/out" "silenced" "alerts does not mark it silenced"
sent "notify once more"
expect_grep "$T_TMP/out" '^0 alert\(s\) sent$' "the escalation is sent once"

# lifted: nothing new to send (it was sent at this severity)
q "UPDATE repwatch.silence SET lifted_at = now(), lifted_by = 'tester'" \
	>/dev/null
sent "notify after lifting"
expect_grep "$T_TMP/out" '^0 alert\(s\) sent$' "lifting does not resend"
finish

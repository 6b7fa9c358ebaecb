#!/bin/bash
# test_incidents_sample - the bundled sample data (what "repwatch demo"
# loads) holds two incidents on its last day: 192.0.2.50 going bad, and
# 198.51.100.20-27 ramping together under their /24. The dashboard view
# lists at most 4 incidents (issue 13), here exactly those two.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../out/lib_outputs.sh"
need_db
new_db inc
load_sample && ok "sample loaded and analyzed" || nok "sample load"

v=$(q "SELECT count(*) FROM repwatch.incident_current")
[ "$v" -ge 1 ] && [ "$v" -le 4 ] && ok "incident_current: $v row(s), at most 4" ||
	nok "incident_current: got $v rows, want 1 to 4"
v=$(q "SELECT string_agg(subject || ' ' || kind || ' ' ||
	cardinality(members), ', ' ORDER BY subject)
	FROM repwatch.incident_current")
[ "$v" = "192.0.2.50 ip 0, 198.51.100.0/24 range 8" ] &&
	ok "the two incidents: $v" ||
	nok "incidents: got \"$v\", want \"192.0.2.50 ip 0, 198.51.100.0/24 range 8\""
v=$(q "SELECT count(*) FROM repwatch.incident_current
	WHERE subject LIKE '198.51.100.%' AND kind = 'ip'")
[ "$v" = 0 ] && ok "the ramping IPs fold under their /24" ||
	nok "got $v IP incidents inside 198.51.100.0/24, want 0"

# a replay of the same days gives the same ids
before=$(q "SELECT string_agg(incident_id || d, ',' ORDER BY incident_id, d)
	FROM (SELECT incident_id, day::text AS d FROM repwatch.incident_day) x")
"$RW" -q --db "$DB" analyze --from 2026-07-01 --to 2026-08-14 >/dev/null 2>&1 &&
	ok "replay" || nok "replay failed"
after=$(q "SELECT string_agg(incident_id || d, ',' ORDER BY incident_id, d)
	FROM (SELECT incident_id, day::text AS d FROM repwatch.incident_day) x")
[ -n "$before" ] && [ "$before" = "$after" ] &&
	ok "replay keeps every incident id and day" ||
	nok "replay changed the incident history"
finish

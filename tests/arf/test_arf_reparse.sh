#!/bin/bash
# test_arf_reparse - "repwatch arf reparse" on a real PostgreSQL (PG* from
# scripts/test.sh) holding what the parser before issue 11 stored: the
# hand-made Microsoft chains of tests/fixtures/arf/edge are ingested, their
# source_ip set back to the old parser's answer (SOURCES lists it: the
# first public Received address, a Microsoft-internal one), migration 0006
# re-applied as on an upgrade, and the analyzer's facts built on that
# state. reparse --dry-run changes nothing; reparse moves every complaint
# to the right IP, says so per from -> to pair, and the facts follow; a
# second run moves nothing. Both [arf] keep = headers and keep = full.
. "${REPWATCH_SRC:-$(pwd)}/tests/arf/arf_db.sh"
stat_json() { rw arf stats --json | python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# name, right IP, origin, what the old parser stored
cases="one-hop 198.51.100.7 received-edge 2603:10b6:610:e6::13
three-hops-witnesses 198.51.100.8 received-edge 2603:10b6:610:e6::13
five-hops-tabs 203.0.113.9 received-edge 2603:10a6:20b:2d1::9
re-entry 198.51.100.77 received-edge 2603:10b6:610:e6::13
gmail-forward 209.85.220.41 received-edge 2603:10b6:610:e6::13
ipv6-sender 2001:db8:5::25 received-edge 2603:10b6:610:e6::13
witness-disagree 198.51.100.41 received-spf 2603:10b6:610:e6::13
outlook-2019 192.0.2.55 received-edge 2603:10b6:5:1b8::47
full-re-entry 198.51.100.77 received-edge 2603:10b6:610:e6::13"

md=$work/md
mkdir -p "$md"/{new,cur,tmp} "$work/full"/{new,cur,tmp}
cp "$fix"/*.eml "$fix"/edge/*.eml "$md/new/"
rw arf ingest "$md" >/dev/null
# one report stored whole ([arf] keep = full)
sed 's/jmrp-edge-re-entry@/jmrp-edge-full-re-entry@/' "$fix/edge/re-entry.eml" \
	> "$work/full/new/full-re-entry.eml"
REPWATCH_ARF_KEEP=full rw arf ingest "$work/full" >/dev/null
want "full report stored whole" "$(q "SELECT position('--b1--' in convert_from(raw, 'UTF8')) > 0 FROM repwatch.arf_report WHERE report_message_id = 'jmrp-edge-full-re-entry@outlook.com'")" t

# what this version stored is right from the start
while read -r name ip origin old; do
	want "$name ingested" "$(q "SELECT host(source_ip) || ' ' || source_ip_origin FROM repwatch.arf_report WHERE report_message_id = 'jmrp-edge-$name@outlook.com'")" "$ip $origin"
done <<< "$cases"
want "inside_provider after ingest" "$(stat_json "['inside_provider']")" 0

# the database an earlier version left: old IPs, no 0006 columns
while read -r name ip origin old; do
	q "UPDATE repwatch.arf_report SET source_ip = '$old', source_ip_origin = 'received' WHERE report_message_id = 'jmrp-edge-$name@outlook.com'" >/dev/null
done <<< "$cases"
q "ALTER TABLE repwatch.arf_report DROP COLUMN source_ip_witnesses, DROP COLUMN inside_provider; DROP FUNCTION repwatch.an_inside_provider_complaints(date, integer); DELETE FROM repwatch.schema_migrations WHERE version = 6" >/dev/null
rw db migrate >/dev/null
want "inside_provider flagged by the upgrade" "$(stat_json "['inside_provider']")" 9
q "SELECT repwatch.an_refresh_facts()" >/dev/null
facts_on() { q "SELECT coalesce(sum(complaints), 0) FROM repwatch.an_ip_day WHERE ip = '$1'"; }
want "old facts on 2603:10b6:610:e6::13" "$(facts_on 2603:10b6:610:e6::13)" 7
before=$(q "SELECT md5(string_agg(id || host(source_ip), ',' ORDER BY id)) FROM repwatch.arf_report")

# --dry-run: the same summary, nothing written
out=$(rw arf reparse --dry-run)
echo "$out" | grep -q "9 would move to another IP (9 complaints, 3 days of facts)" || fail "dry run summary: $out"
want "dry run changes nothing" "$(q "SELECT md5(string_agg(id || host(source_ip), ',' ORDER BY id)) FROM repwatch.arf_report")" "$before"
want "dry run leaves the facts" "$(facts_on 2603:10b6:610:e6::13)" 7

out=$(rw arf reparse)
echo "$out" | grep -q ": 9 moved to another IP (9 complaints, 3 days of facts)" || fail "summary: $out"
# every stored report (all fixture formats: legacy wrapper and inline,
# forwarded, base64 parts...) reads as a report again from its headers
want "reparsed reports" "$(echo "$out" | sed -n 's/^reparsed \([0-9]*\) stored reports.*/\1/p')" "$(q "SELECT count(*) FROM repwatch.arf_report")"
echo "$out" | grep -q "no longer read" && fail "unreadable after rebuild: $out"
echo "$out" | grep -Eq '^ +2  2603:10b6:610:e6::13 -> 198\.51\.100\.77$' || fail "pair re-entry (2 reports): $out"
echo "$out" | grep -Eq '^ +1  2603:10a6:20b:2d1::9 -> 203\.0\.113\.9$' || fail "pair five hops: $out"
while read -r name ip origin old; do
	want "$name reparsed" "$(q "SELECT host(source_ip) || ' ' || source_ip_origin || ' ' || inside_provider FROM repwatch.arf_report WHERE report_message_id = 'jmrp-edge-$name@outlook.com'")" "$ip $origin false"
	want "$name facts on the right IP" "$(facts_on "$ip")" "$(q "SELECT count(*) FROM repwatch.arf_report WHERE source_ip = '$ip' AND lower(feedback_type) = 'abuse'")"
done <<< "$cases"
want "no facts left on Microsoft's IPs" "$(q "SELECT count(*) FROM repwatch.an_ip_day WHERE ip << '2603:1000::/24'")" 0
# the facts equal a rebuild from scratch
want "facts match the reports" "$(q "SELECT count(*) FROM (SELECT ip, day, complaints FROM repwatch.an_ip_day EXCEPT SELECT source_ip, (coalesce(arrival_date, received_at) AT TIME ZONE repwatch.an_timezone())::date, count(*) FROM repwatch.arf_report WHERE lower(feedback_type) = 'abuse' AND source_ip IS NOT NULL GROUP BY 1, 2) x")" 0
want "inside_provider after reparse" "$(stat_json "['inside_provider']")" 0
want "witnesses stored" "$(q "SELECT jsonb_array_length(source_ip_witnesses) FROM repwatch.arf_report WHERE report_message_id = 'jmrp-edge-three-hops-witnesses@outlook.com'")" 5
want "disagreeing witnesses stored" "$(q "SELECT source_ip_witnesses->>0 FROM repwatch.arf_report WHERE report_message_id = 'jmrp-edge-witness-disagree@outlook.com'")" '{"ip": "198.51.100.41", "origin": "received-spf"}'

# nothing else moved, and a second run moves nothing
out=$(rw arf reparse)
echo "$out" | grep -q ": 0 moved to another IP" || fail "second run: $out"
n=$(q "SELECT count(*) FROM repwatch.arf_report WHERE coalesce(arrival_date, received_at) >= '2026-07-01'::timestamp AT TIME ZONE repwatch.an_timezone()")
[ "$n" -gt 0 ] && [ "$n" -lt 30 ] || fail "--since test needs some reports after 2026-07-01: $n"
out=$(rw arf reparse --since 2026-07-01)
echo "$out" | grep -q "^reparsed $n stored reports" || fail "--since: $out (want $n)"

# usage errors
set +e
rw arf reparse --since 2026-13-45 >/dev/null 2>&1; rc=$?
set -e
want "bad --since" "$rc" 64
echo "ok"

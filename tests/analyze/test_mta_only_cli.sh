#!/bin/bash
# test_mta_only_cli - a user with MTA logs only (no SNDS, no JMRP): plain
# "repwatch analyze" finds the latest day with MTA answers and analyzes it,
# and "repwatch alerts" shows the block (issue 15); and "repwatch nightly"
# with nothing configured but the sample Postfix logs loads them and ends
# with throttle and block incidents.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../out/lib_outputs.sh"
need_db
new_db mtaonly
expect_status 0 "db migrate" "$RW" -q --db "$DB" db migrate

# 30 days of 10,000 attempts at a steady 2 % throttle share, then Microsoft's
# S3150 block on the last day (rows as "repwatch mta load" stores them)
q "INSERT INTO repwatch.mta_attempt_hour (source, ip, hour, class, code,
	enhanced, reply, attempts, first_at, last_at, answer, answer_ip)
SELECT 'postfix-main', '203.0.113.5', g + interval '16 hours', c.class,
	c.code, c.enhanced, c.reply, c.n, g + interval '16 hours 2 minutes',
	g + interval '16 hours 58 minutes', c.answer, c.aip
FROM generate_series('2026-10-01'::timestamptz, '2026-10-30', '1 day') g,
(VALUES ('delivered', '', '2.6.0', 250, 9800, NULL, NULL),
	('deferred-throttle', 'S775', '4.7.650', 451, 200,
	 '451 4.7.650 The mail server [203.0.113.5] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://aka.ms/postmaster (S775) [Name=Protocol Filter Agent][AGT=PFA]',
	 '203.0.113.5'::inet)) AS c(class, code, enhanced, reply, n, answer, aip);
INSERT INTO repwatch.mta_attempt_hour (source, ip, hour, class, code,
	enhanced, reply, attempts, first_at, last_at, answer, answer_ip)
VALUES ('postfix-main', '203.0.113.5', '2026-10-30 17:00+00', 'blocked',
	'S3150', '5.7.1', 550, 37, '2026-10-30 17:42:05+00',
	'2026-10-30 17:59:01+00', '550 5.7.1 Unfortunately, messages from [203.0.113.5] weren''t sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.',
	'203.0.113.5')" >/dev/null

expect_status 0 "analyze without SNDS data" "$RW" --db "$DB" analyze
v=$(q "SELECT string_agg(day::text, ',') FROM repwatch.analysis_run")
[ "$v" = 2026-10-30 ] && ok "analyzed the latest MTA day" ||
	nok "analyzed days: got \"$v\", want 2026-10-30"
expect_status 0 "alerts" "$RW" --db "$DB" alerts
expect_grep "$T_TMP/out" '203\.0\.113\.5.*blocked' "the block is an incident"
v=$(q "SELECT details->>'message' FROM repwatch.alert WHERE rule = 'blocked'")
case $v in
*S3150*2026-10-30\ 17:42\ UTC*https://sender.office.com*)
	ok "blocked names S3150, the time and the delisting page" ;;
*) nok "blocked message: got \"$v\"" ;;
esac
expect_status 0 "analyze --from the first MTA day" \
	"$RW" -q --db "$DB" analyze --from 2026-10-01
v=$(q "SELECT count(*) FROM repwatch.analysis_run")
[ "$v" = 30 ] && ok "30 days analyzed" || nok "got $v days analyzed, want 30"
v=$(q "SELECT string_agg(rule, ',' ORDER BY rule) FROM repwatch.alert")
[ "$v" = blocked ] && ok "a steady 2 % share raises no throttled alert" ||
	nok "alerts: got \"$v\", want blocked"

# without SNDS the first MTA source that names a zone gives the days: the
# block at 17:42 UTC on 30 October is 31 October in Tokyo
cat >"$T_TMP/tokyo.conf" <<EOF
[mta.pf]
type = postfix
path = $T_TMP/none/mail.log*
timezone = Asia/Tokyo
EOF
expect_status 0 "analyze in the MTA source's zone" \
	"$RW" -q -c "$T_TMP/tokyo.conf" --db "$DB" analyze --from 2026-10-01
v=$(q "SELECT repwatch.an_timezone()")
[ "$v" = Asia/Tokyo ] && ok "the days are the MTA source's" ||
	nok "an_timezone: got \"$v\", want Asia/Tokyo"
v=$(q "SELECT string_agg(DISTINCT d.day::text, ',') FROM repwatch.alert_day d
	JOIN repwatch.alert a ON a.id = d.alert_id WHERE a.rule = 'blocked'")
[ "$v" = 2026-10-31 ] && ok "the block is booked on the Tokyo day" ||
	nok "blocked days: got \"$v\", want 2026-10-31"

# nightly with one [mta.NAME] source only: the bundled sample's Postfix
# logs (a live file and two gzip-rotated weeks, data/sample/mta)
new_db mtanightly
mkdir "$T_TMP/logs" "$T_TMP/state"
cp data/sample/mta/mail.log* "$T_TMP/logs/"
# the sample hosts' transports (data/sample/generate_mta_logs.py)
services="ip10:192.0.2.10, ip11:192.0.2.11, ip12:192.0.2.12, ip13:192.0.2.13,
 ip14:192.0.2.14, ip15:192.0.2.15, ip16:192.0.2.16, ip17:192.0.2.17,
 ip50:192.0.2.50, net20:198.51.100.20, net21:198.51.100.21,
 net22:198.51.100.22, net23:198.51.100.23, net24:198.51.100.24,
 net25:198.51.100.25, net26:198.51.100.26, net27:198.51.100.27,
 small5:203.0.113.5, small6:203.0.113.6"
services=$(echo $services)
cat >"$T_TMP/nightly.conf" <<EOF
[paths]
state_dir = $T_TMP/state
[mta.sample]
type = postfix
path = $T_TMP/logs/mail.log*
ip_by_service = $services
timezone = America/Los_Angeles
EOF
expect_status 0 "nightly with MTA logs only" \
	"$RW" -c "$T_TMP/nightly.conf" --db "$DB" nightly
v=$(q "SELECT sum(attempts) FROM repwatch.mta_attempt_hour")
[ "$v" = 9221 ] && ok "nightly loaded the sample's 9221 Microsoft attempts" ||
	nok "stored attempts: got \"$v\", want 9221"
v=$(q "SELECT min(day) || '..' || max(day) FROM repwatch.analysis_run")
[ "$v" = 2026-07-26..2026-08-14 ] && ok "nightly analyzed every MTA day" ||
	nok "analyzed: got \"$v\", want 2026-07-26..2026-08-14 (the logs' days)"
v=$(q "SELECT string_agg(DISTINCT subject || ':' || r, ' ' ORDER BY subject || ':' || r)
	FROM repwatch.incident i, repwatch.incident_day d, unnest(d.rules) r
	WHERE d.incident_id = i.id AND r IN ('blocked', 'range-blocked', 'throttled')")
for want in 198.51.100.0/24:range-blocked 203.0.113.6:blocked \
	192.0.2.50:throttled; do
	case " $v " in
	*" $want "*) ok "incident evidence $want" ;;
	*) nok "incident evidence: got \"$v\", want $want among them" ;;
	esac
done
expect_status 0 "nightly again" "$RW" -c "$T_TMP/nightly.conf" --db "$DB" nightly
v=$(q "SELECT sum(attempts) FROM repwatch.mta_attempt_hour")
[ "$v" = 9221 ] && ok "a second nightly counts no line twice" ||
	nok "stored attempts after a second run: got \"$v\", want 9221"
finish

#!/bin/bash
# test_mta_only_cli - a user with MTA logs only (no SNDS, no JMRP): plain
# "repwatch analyze" finds the latest day with MTA answers and analyzes it,
# and "repwatch alerts" shows the block (issue 15).
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
finish

-- mta_rows.sql - Microsoft's SMTP answers to the sample IPs, as
-- "repwatch mta load" stores them (repwatch.mta_attempt_hour), for the
-- outputs tests: report band, Prometheus, dashboard views, Grafana.
-- The answer texts are Microsoft's real ones (../shared/reference/mta.md).
--
--  * 192.0.2.50 (the sample's rising IP): delivered every day 2026-07-31 ..
--    2026-08-14, throttled (S775) from 08-06, blocked (S3150) on 08-12 ..
--    08-14; one hour at 06:00 UTC on 08-14, which is 08-13 in the
--    analyzer's default zone (America/Los_Angeles).
--  * 198.51.100.21 and .22 (members of the rising /24): throttled (S3114)
--    from 08-09, .22 blocked on 08-13 with S3140 (the range) in two
--    sources; .21 also deferred for other reasons, .22 bounced-other.
--  * 192.0.2.10 (clean): delivered only, 08-01 .. 08-14.
-- the days A..B
CREATE FUNCTION pg_temp.days(a date, b date) RETURNS SETOF date
LANGUAGE sql AS $$ SELECT a + i FROM generate_series(0, b - a) i $$;

WITH ans(class, code, enhanced, reply, text) AS (VALUES
    ('delivered', '', '2.6.0', 250::smallint, NULL),
    ('deferred-throttle', 'S775', '4.7.650', 451,
     '451 4.7.650 The mail server [%IP%] has been temporarily rate limited '
     'due to IP reputation. For e-mail delivery information, see '
     'https://aka.ms/postmaster (S775) [Name=Protocol Filter Agent]'
     '[AGT=PFA][MxId=11BB8A2C41D96E07] [AM4PEPF00027A64.eurprd04.prod.'
     'outlook.com 2026-08-06T16:12:40.114Z 08DCB5E1B7C4A3F2]'),
    ('deferred-throttle', 'S3114', '4.7.651', 451,
     '451 4.7.651 The mail server [%IP%] has been temporarily rate limited '
     'due to IP reputation. For e-mail delivery information, see '
     'https://aka.ms/postmaster (S3114) [Name=Protocol Filter Agent]'
     '[AGT=PFA][MxId=11BB8A2C41D96F11] [DB5PEPF00014B9E.eurprd02.prod.'
     'outlook.com 2026-08-09T17:03:12.551Z 08DCB5E1B7C4A401]'),
    ('deferred-other', '4.4.316', '4.4.316', 451,
     '451 4.4.316 Connection refused [Message=Socket error code 10061]'),
    ('blocked', 'S3150', '5.7.1', 550,
     '550 5.7.1 Unfortunately, messages from [%IP%] weren''t sent. Please '
     'contact your Internet service provider since part of their network '
     'is on our block list (S3150). You can also refer your provider to '
     'http://mail.live.com/mail/troubleshooting.aspx#errors. '
     '[AM4PEPF00027A64.eurprd04.prod.outlook.com 2026-08-12T18:21:05.203Z '
     '08DCB5E1B7C4A3F2]'),
    ('blocked', 'S3140', '5.7.1', 550,
     '550 5.7.1 Unfortunately, messages from [%IP%] weren''t sent. Please '
     'contact your Internet service provider since part of their network '
     'is on our block list (S3140). You can also refer your provider to '
     'http://mail.live.com/mail/troubleshooting.aspx#errors. '
     '[DB5PEPF00014B9E.eurprd02.prod.outlook.com 2026-08-13T17:44:51.870Z '
     '08DCB5E1B7C4A401]'),
    ('bounced-other', '5.1.10', '5.1.10', 550,
     '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by '
     'SMTP address lookup')),
-- source, ip, hour (UTC), class, code, attempts
r(source, ip, hour, class, code, n) AS (
    SELECT 'postfix', '192.0.2.50', d + time '16:00', 'delivered', '',
           1800 - 90 * greatest(0, d - date '2026-08-06')
    FROM pg_temp.days('2026-07-31', '2026-08-14') d
    UNION ALL
    SELECT 'postfix', '192.0.2.50', d + time '17:00', 'deferred-throttle',
           'S775', 40 * (d - date '2026-08-05')
    FROM pg_temp.days('2026-08-06', '2026-08-14') d
    UNION ALL
    SELECT 'postfix', '192.0.2.50', d + time '18:00', 'blocked', 'S3150',
           25 + 10 * (d - date '2026-08-12')
    FROM pg_temp.days('2026-08-12', '2026-08-14') d
    UNION ALL
    SELECT 'postfix', '192.0.2.50', timestamp '2026-08-14 06:00',
           'blocked', 'S3150', 7
    UNION ALL
    SELECT 'postfix', ip, d + time '15:00', 'delivered', '', 600
    FROM pg_temp.days('2026-08-01', '2026-08-14') d,
         unnest(ARRAY['198.51.100.21', '198.51.100.22']) ip
    UNION ALL
    SELECT 'postfix', ip, d + time '19:00', 'deferred-throttle', 'S3114',
           12 * (d - date '2026-08-08')
    FROM pg_temp.days('2026-08-09', '2026-08-14') d,
         unnest(ARRAY['198.51.100.21', '198.51.100.22']) ip
    UNION ALL
    SELECT 'postfix', '198.51.100.21', timestamp '2026-08-10 20:00',
           'deferred-other', '4.4.316', 3
    UNION ALL
    SELECT 'postfix', '198.51.100.22', timestamp '2026-08-11 20:00',
           'bounced-other', '5.1.10', 2
    UNION ALL
    SELECT s, '198.51.100.22', timestamp '2026-08-13 17:00', 'blocked',
           'S3140', n
    FROM (VALUES ('postfix', 31), ('exim', 9)) v(s, n)
    UNION ALL
    SELECT 'exim', '192.0.2.10', d + time '14:00', 'delivered', '', 2400
    FROM pg_temp.days('2026-08-01', '2026-08-14') d
)
INSERT INTO repwatch.mta_attempt_hour (source, ip, hour, class, code,
    enhanced, reply, attempts, first_at, last_at, answer, answer_ip)
SELECT r.source, r.ip::inet, r.hour AT TIME ZONE 'UTC', r.class, r.code,
       a.enhanced, a.reply, r.n,
       (r.hour + interval '2 minutes 13 seconds') AT TIME ZONE 'UTC',
       (r.hour + interval '58 minutes 40 seconds') AT TIME ZONE 'UTC',
       replace(a.text, '%IP%', r.ip),
       CASE WHEN strpos(a.text, '[%IP%]') > 0 THEN r.ip::inet END
FROM r JOIN ans a ON a.class = r.class AND a.code = r.code
WHERE r.n > 0;

INSERT INTO repwatch.mta_load (source, started_at, finished_at, files, lines,
    attempts, microsoft, no_ip, no_time, bad_lines, overlong)
VALUES ('postfix', '2026-08-15 06:58Z', '2026-08-15 06:59Z', 3, 412803,
        96120, 31877, 0, 0, 2, 0),
       ('exim', '2026-08-15 06:59Z', '2026-08-15 07:00Z', 1, 120411, 40230,
        33649, 0, 0, 0, 0);

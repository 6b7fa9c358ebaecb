-- 0005_dashboard: stable views for dashboards (Grafana, Metabase, psql) in
-- their own schema "dashboard", and the read-only role repwatch_reader.
--
-- The columns of these views are an interface (doc/README-outputs.md lists
-- them): add columns at the end, never rename or drop one.
--
-- Why the facts are written out here instead of selecting from
-- repwatch.ip_day / net_day / domain_day (0004): those call SQL functions,
-- and a function inside a view runs with the rights of the user reading the
-- view, so repwatch_reader would need SELECT on every repwatch table. The
-- views below read tables directly (checked with the view owner's rights),
-- and they are shaped as UNION ALL + GROUP BY so that a dashboard's filter
-- on day or ip reaches the table indexes instead of computing all history.
-- They follow the 0004 conventions exactly (abuse reports only; no SNDS row
-- = NULL recipients and rate, never 0; worst filter of the day); the test
-- tests/out/test_dashboard.sh compares them with repwatch.ip_day_facts.

CREATE SCHEMA IF NOT EXISTS dashboard;
COMMENT ON SCHEMA dashboard IS
    'repwatch: stable read-only views for dashboards (see repwatch(1))';

-- dashboard.ip_daily - one row per IP and SNDS day with SNDS data or
-- complaints. Filter on day (and ip) for speed.
CREATE VIEW dashboard.ip_daily AS
WITH z AS (
    SELECT coalesce((SELECT s.value FROM repwatch.an_setting s
                     WHERE s.key = 'timezone'), 'America/Los_Angeles') AS tz
), u AS (
    SELECT d.ip, d.day, d.source, d.recipients, d.data_commands,
           d.rcpt_commands, d.filter, d.complaint_rate_text,
           d.complaint_rate_low, d.complaint_rate_high, d.trap_hits,
           0 AS complaint
    FROM repwatch.snds_daily d
    UNION ALL
    SELECT r.source_ip,
           (coalesce(r.arrival_date, r.received_at) AT TIME ZONE z.tz)::date,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1
    FROM repwatch.arf_report r, z
    WHERE lower(r.feedback_type) = 'abuse' AND r.source_ip IS NOT NULL
)
SELECT u.ip,
       CASE WHEN family(u.ip) = 4
            THEN set_masklen(u.ip::cidr, 24) END AS net,
       u.day,
       min(u.source) AS source,
       count(u.recipients) > 0 AS has_snds_data,
       sum(u.recipients)::bigint AS recipients,
       sum(u.data_commands)::bigint AS data_commands,
       sum(u.rcpt_commands)::bigint AS rcpt_commands,
       sum(u.data_commands)::double precision
           / nullif(sum(u.rcpt_commands), 0) AS data_per_rcpt,
       repwatch.filter_name(max(repwatch.filter_rank(u.filter))) AS filter,
       max(repwatch.filter_rank(u.filter)) AS filter_rank,
       string_agg(u.complaint_rate_text, ' / ') AS snds_complaint_rate,
       sum(u.recipients * u.complaint_rate_low)::double precision
           / nullif(sum(u.recipients), 0) AS snds_rate_low,
       sum(u.recipients * u.complaint_rate_high)::double precision
           / nullif(sum(u.recipients), 0) AS snds_rate_high,
       sum(u.trap_hits)::bigint AS trap_hits,
       sum(u.complaint)::bigint AS complaints,
       sum(u.complaint)::double precision
           / nullif(sum(u.recipients), 0) AS complaint_rate
FROM u
GROUP BY u.ip, u.day;
COMMENT ON VIEW dashboard.ip_daily IS
    'per IP and SNDS day: volume, filter colour, complaints, complaint rate';

-- dashboard.net_daily - the same per /24 (Microsoft blocks ranges);
-- complaint_rate counts only complaints of IP-days with SNDS data.
CREATE VIEW dashboard.net_daily AS
SELECT f.net, f.day,
       count(*) FILTER (WHERE f.has_snds_data) AS ips_with_data,
       count(*) FILTER (WHERE f.complaints > 0) AS ips_complained,
       sum(f.recipients)::bigint AS recipients,
       sum(f.complaints)::bigint AS complaints,
       coalesce(sum(f.complaints) FILTER (WHERE NOT f.has_snds_data), 0)
           ::bigint AS complaints_without_snds,
       (sum(f.complaints) FILTER (WHERE f.has_snds_data))::double precision
           / nullif(sum(f.recipients), 0) AS complaint_rate,
       repwatch.filter_name(max(f.filter_rank)) AS worst_filter,
       count(*) FILTER (WHERE f.filter = 'YELLOW') AS yellow_ips,
       count(*) FILTER (WHERE f.filter = 'RED') AS red_ips,
       sum(f.trap_hits)::bigint AS trap_hits
FROM dashboard.ip_daily f
WHERE f.net IS NOT NULL
GROUP BY f.net, f.day;
COMMENT ON VIEW dashboard.net_daily IS
    'per /24 and SNDS day: IPs, volume, complaints, worst filter';

-- dashboard.domain_daily - complaints per sending domain and day.
-- recipients_est: SNDS has no per-domain volume; this sums the IP-days whose
-- sample MAIL FROM (JMR P1 Sender) is in the domain, an estimate only.
CREATE VIEW dashboard.domain_daily AS
WITH z AS (
    SELECT coalesce((SELECT s.value FROM repwatch.an_setting s
                     WHERE s.key = 'timezone'), 'America/Los_Angeles') AS tz
), u AS (
    SELECT lower(r.sending_domain) AS sending_domain,
           (coalesce(r.arrival_date, r.received_at) AT TIME ZONE z.tz)::date
               AS day,
           r.source_ip AS ip, NULL::bigint AS recipients, 1 AS complaint
    FROM repwatch.arf_report r, z
    WHERE lower(r.feedback_type) = 'abuse' AND r.sending_domain IS NOT NULL
    UNION ALL
    SELECT lower(split_part(ltrim(d.jmr_p1_sender, '@'), '@', -1)), d.day,
           NULL, d.recipients, 0
    FROM repwatch.snds_daily d
    WHERE d.jmr_p1_sender IS NOT NULL
)
SELECT u.sending_domain, u.day,
       sum(u.complaint)::bigint AS complaints,
       count(DISTINCT u.ip) AS ips,
       sum(u.recipients)::bigint AS recipients_est,
       sum(u.complaint)::double precision / nullif(sum(u.recipients), 0)
           AS complaint_rate_est
FROM u
GROUP BY u.sending_domain, u.day
HAVING sum(u.complaint) > 0;
COMMENT ON VIEW dashboard.domain_daily IS
    'per sending domain and day: complaints, estimated volume and rate';

-- dashboard.alert_open - alerts open now, most severe first when ordered by
-- severity_rank DESC.
CREATE VIEW dashboard.alert_open AS
SELECT a.id AS alert_id, a.subject_kind, a.subject, a.source, a.rule,
       a.severity, repwatch.severity_rank(a.severity) AS severity_rank,
       a.first_day, a.last_day, a.last_day - a.first_day + 1 AS days_open,
       a.details ->> 'message' AS message,
       (a.details ->> 'rate_7d')::double precision AS rate_7d,
       (a.details ->> 'recipients_7d')::double precision AS recipients_7d,
       (a.details ->> 'complaints_7d')::double precision AS complaints_7d,
       (a.details ->> 'forecast_days')::integer AS forecast_days,
       a.notified_severity, a.details, a.updated_at
FROM repwatch.alert a
WHERE a.state = 'open';
COMMENT ON VIEW dashboard.alert_open IS
    'alerts open now, with the numbers and forecast of their last day';

-- dashboard.alert_history - one row per alert and analyzed day on which it
-- held (what was known on that day).
CREATE VIEW dashboard.alert_history AS
SELECT d.day, d.alert_id, a.subject_kind, a.subject, a.source, a.rule,
       d.severity, repwatch.severity_rank(d.severity) AS severity_rank,
       d.episode_start, d.details ->> 'message' AS message,
       (d.details ->> 'rate_7d')::double precision AS rate_7d,
       (d.details ->> 'forecast_days')::integer AS forecast_days,
       a.state AS state_now, d.details
FROM repwatch.alert_day d
JOIN repwatch.alert a ON a.id = d.alert_id;
COMMENT ON VIEW dashboard.alert_history IS
    'per alert and day it held: severity, numbers, episode start';

-- dashboard.feed_snds - per SNDS source (configured or seen in the fetch
-- log): last success, link age and days left (links expire 30 days after
-- issued, else first_used), token state, last failure.
CREATE VIEW dashboard.feed_snds AS
WITH s AS (
    SELECT name AS source FROM repwatch.snds_source
    UNION SELECT source FROM repwatch.snds_fetch_log
)
SELECT s.source, h.kind, h.issued,
       h.issued + 30 AS link_expires,
       h.age_days AS link_age_days,
       h.days_left AS link_days_left,
       coalesce(h.state, 'unknown') AS state,
       h.token_state, src.token_checked,
       ok.last_success,
       extract(epoch FROM now() - ok.last_success) / 3600.0
           AS hours_since_success,
       bad.finished_at AS last_failure,
       bad.outcome AS last_failure_outcome,
       bad.message AS last_failure_message,
       (SELECT max(d.day) FROM repwatch.snds_daily d
        WHERE d.source = s.source) AS last_data_day,
       (SELECT count(*) FROM repwatch.snds_fetch_log l
        WHERE l.source = s.source AND l.started_at > now() - interval '1 day'
          AND l.outcome NOT IN ('ok', 'no-data')) AS failures_24h
FROM s
LEFT JOIN repwatch.snds_source_health h ON h.source = s.source
LEFT JOIN repwatch.snds_source src ON src.name = s.source
LEFT JOIN LATERAL (
    SELECT max(coalesce(l.finished_at, l.started_at)) AS last_success
    FROM repwatch.snds_fetch_log l
    WHERE l.source = s.source AND l.outcome = 'ok'
) ok ON true
LEFT JOIN LATERAL (
    SELECT coalesce(l.finished_at, l.started_at) AS finished_at,
           l.outcome, l.message
    FROM repwatch.snds_fetch_log l
    WHERE l.source = s.source AND l.outcome NOT IN ('ok', 'no-data')
    ORDER BY l.id DESC LIMIT 1
) bad ON true;
COMMENT ON VIEW dashboard.feed_snds IS
    'per SNDS source: last success, link age and days left, token state';

-- dashboard.feed_mailbox - per complaint mailbox: ingest runs, last
-- success, backlog (messages read by the last run; hours since success)
-- and quarantine counts.
CREATE VIEW dashboard.feed_mailbox AS
WITH m AS (
    SELECT mailbox FROM repwatch.arf_run
    UNION SELECT mailbox FROM repwatch.arf_quarantine
)
SELECT m.mailbox,
       last.started_at AS last_run_started,
       last.finished_at AS last_run_finished,
       last.outcome AS last_run_outcome,
       last.messages AS last_run_messages,
       last.complaints AS last_run_complaints,
       ok.last_success,
       extract(epoch FROM now() - ok.last_success) / 3600.0
           AS hours_since_success,
       (SELECT count(*) FROM repwatch.arf_run r
        WHERE r.mailbox = m.mailbox
          AND r.started_at > now() - interval '7 days') AS runs_7d,
       (SELECT count(*) FROM repwatch.arf_run r
        WHERE r.mailbox = m.mailbox AND r.outcome IS DISTINCT FROM 'ok'
          AND r.started_at > now() - interval '7 days') AS failed_runs_7d,
       (SELECT count(*) FROM repwatch.arf_quarantine q
        WHERE q.mailbox = m.mailbox) AS quarantined_total,
       (SELECT count(*) FROM repwatch.arf_quarantine q
        WHERE q.mailbox = m.mailbox
          AND q.at > now() - interval '7 days') AS quarantined_7d
FROM m
LEFT JOIN LATERAL (
    SELECT r.* FROM repwatch.arf_run r WHERE r.mailbox = m.mailbox
    ORDER BY r.id DESC LIMIT 1
) last ON true
LEFT JOIN LATERAL (
    SELECT max(r.finished_at) AS last_success FROM repwatch.arf_run r
    WHERE r.mailbox = m.mailbox AND r.outcome = 'ok'
) ok ON true;
COMMENT ON VIEW dashboard.feed_mailbox IS
    'per mailbox: last ingest run, last success, quarantine counts';

-- dashboard.quarantine_daily - quarantined messages per mailbox, day and
-- reason.
CREATE VIEW dashboard.quarantine_daily AS
SELECT q.mailbox, (q.at AT TIME ZONE 'UTC')::date AS day, q.reason,
       count(*) AS messages, sum(q.size)::bigint AS bytes
FROM repwatch.arf_quarantine q
GROUP BY q.mailbox, (q.at AT TIME ZONE 'UTC')::date, q.reason;
COMMENT ON VIEW dashboard.quarantine_daily IS
    'quarantined messages per mailbox, UTC day and reason';

-- dashboard.runs - nightly (and other recorded) runs with their summary.
CREATE VIEW dashboard.runs AS
SELECT r.id AS run_id, r.command, r.started_at, r.finished_at,
       extract(epoch FROM r.finished_at - r.started_at) AS duration_seconds,
       r.exit_code, r.summary
FROM repwatch.run_log r;
COMMENT ON VIEW dashboard.runs IS 'repwatch nightly runs: outcome per step';

-- dashboard.ip_status - SNDS IP-status history, one row per IP, source and
-- day (ranges expanded). Filter on day: a wide range expands to many rows.
CREATE VIEW dashboard.ip_status AS
SELECT s.source, s.day, s.ip, s.blocked, s.reason, s.first_ip, s.last_ip
FROM repwatch.snds_ip_status_per_ip s;
COMMENT ON VIEW dashboard.ip_status IS
    'SNDS IP-status (blocked/junked) history, one row per IP';

-- The read-only role. NOLOGIN: grant it to a login role of your own
-- ("GRANT repwatch_reader TO grafana"). Creating it needs CREATEROLE; a
-- migration run without it skips the role and says so. Concurrent
-- migrations of several databases may race to create it: both are fine.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'repwatch_reader')
    THEN
        BEGIN
            CREATE ROLE repwatch_reader NOLOGIN;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'role repwatch_reader not created: no CREATEROLE';
                RETURN;
        END;
    END IF;
    GRANT USAGE ON SCHEMA dashboard TO repwatch_reader;
    GRANT SELECT ON ALL TABLES IN SCHEMA dashboard TO repwatch_reader;
END
$$;

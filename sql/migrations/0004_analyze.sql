-- 0004_analyze: daily facts per IP, /24, sending domain and day (for the
-- analyzer and for dashboards), the analyzer's window query, and alert
-- episode bookkeeping.
--
-- Conventions of every fact below:
--  * day = the SNDS day, i.e. the date in the sources' zone; a complaint's
--    day is its arrival date in that zone (SNDS also books complaints on the
--    day they are reported).
--  * Only JMRP/ARF reports with feedback type "abuse" count as complaints.
--  * No SNDS row = no data: recipients and complaint_rate are NULL, never 0.
--    Complaints on such a day are kept (complaint_rate stays NULL).

-- Analyzer settings the SQL needs (written by "repwatch analyze" from the
-- configuration, so dashboards see the same zone).
CREATE TABLE repwatch.an_setting (
    key     text PRIMARY KEY,
    value   text NOT NULL
);
INSERT INTO repwatch.an_setting (key, value)
VALUES ('timezone', 'America/Los_Angeles');

CREATE FUNCTION repwatch.an_timezone() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT value FROM repwatch.an_setting
                     WHERE key = 'timezone'), 'America/Los_Angeles')
$$;

-- the instant a complaint counts from: arrival, else when we received it
-- (covering, so the analyzer's daily counts are an index-only scan)
CREATE INDEX arf_report_abuse_at ON repwatch.arf_report
    ((coalesce(arrival_date, received_at)), source_ip)
    INCLUDE (arrival_date, received_at)
    WHERE lower(feedback_type) = 'abuse';

-- repwatch.filter_rank - GREEN 1, YELLOW 2, RED 3 (worse is larger)
CREATE FUNCTION repwatch.filter_rank(f text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE f WHEN 'GREEN' THEN 1 WHEN 'YELLOW' THEN 2
                  WHEN 'RED' THEN 3 END
$$;

CREATE FUNCTION repwatch.filter_name(r integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE r WHEN 1 THEN 'GREEN' WHEN 2 THEN 'YELLOW'
                  WHEN 3 THEN 'RED' END
$$;

-- repwatch.severity_rank - info 0, warning 1, critical 2 (for sorting)
CREATE FUNCTION repwatch.severity_rank(s text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE s WHEN 'info' THEN 0 WHEN 'warning' THEN 1
                  WHEN 'critical' THEN 2 END
$$;

-- Every abuse complaint with its SNDS day.
CREATE VIEW repwatch.complaint AS
SELECT r.id AS report_id,
       r.source_ip AS ip,
       CASE WHEN family(r.source_ip) = 4
            THEN set_masklen(r.source_ip::cidr, 24) END AS net,
       (coalesce(r.arrival_date, r.received_at) AT TIME ZONE z.tz)::date
           AS day,
       lower(r.sending_domain) AS sending_domain,
       r.mailbox,
       r.provider
FROM repwatch.arf_report r,
     (SELECT repwatch.an_timezone() AS tz) z
WHERE lower(r.feedback_type) = 'abuse';

-- repwatch.complaint_rows - the complaints of days D1..D2 (index-friendly:
-- the bounds are instants; the zone is looked up once, not per row)
CREATE FUNCTION repwatch.complaint_rows(d1 date, d2 date)
RETURNS TABLE (report_id bigint, ip inet, day date, sending_domain text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    tz text := repwatch.an_timezone();
BEGIN
    RETURN QUERY
    SELECT r.id, r.source_ip,
           (coalesce(r.arrival_date, r.received_at) AT TIME ZONE tz)::date,
           lower(r.sending_domain)
    FROM repwatch.arf_report r
    WHERE lower(r.feedback_type) = 'abuse'
      AND coalesce(r.arrival_date, r.received_at)
          >= (d1::timestamp AT TIME ZONE tz)
      AND coalesce(r.arrival_date, r.received_at)
          < ((d2 + 1)::timestamp AT TIME ZONE tz);
END
$$;

-- repwatch.complaints_between - complaints per IP and day, days D1..D2
CREATE FUNCTION repwatch.complaints_between(d1 date, d2 date)
RETURNS TABLE (ip inet, day date, complaints bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    tz text := repwatch.an_timezone();
BEGIN
    RETURN QUERY
    SELECT r.source_ip,
           (coalesce(r.arrival_date, r.received_at) AT TIME ZONE tz)::date,
           count(*)
    FROM repwatch.arf_report r
    WHERE lower(r.feedback_type) = 'abuse'
      AND coalesce(r.arrival_date, r.received_at)
          >= (d1::timestamp AT TIME ZONE tz)
      AND coalesce(r.arrival_date, r.received_at)
          < ((d2 + 1)::timestamp AT TIME ZONE tz)
    GROUP BY 1, 2;
END
$$;

-- repwatch.ip_day_facts - one row per IP and day with SNDS data or
-- complaints, days D1..D2. Several SNDS rows of one IP and day (sources,
-- activity periods) are summed; the filter is the worst one.
CREATE FUNCTION repwatch.ip_day_facts(d1 date, d2 date)
RETURNS TABLE (
    ip inet, net cidr, day date, source text, has_snds_data boolean,
    recipients bigint, data_commands bigint, rcpt_commands bigint,
    data_per_rcpt double precision, filter text,
    snds_complaint_rate text, snds_rate_low double precision,
    snds_rate_high double precision, trap_hits bigint,
    complaints bigint, complaint_rate double precision)
LANGUAGE sql STABLE AS $$
    WITH s AS (
        SELECT d.ip, d.day, min(d.source) AS source,
               sum(d.recipients) AS recipients,
               sum(d.data_commands) AS data_commands,
               sum(d.rcpt_commands) AS rcpt_commands,
               max(repwatch.filter_rank(d.filter)) AS frank,
               string_agg(d.complaint_rate_text, ' / ') AS rate_text,
               sum(d.recipients * d.complaint_rate_low)::double precision
                   / nullif(sum(d.recipients), 0) AS rate_low,
               sum(d.recipients * d.complaint_rate_high)::double precision
                   / nullif(sum(d.recipients), 0) AS rate_high,
               sum(d.trap_hits) AS trap_hits
        FROM repwatch.snds_daily d
        WHERE d.day BETWEEN d1 AND d2
        GROUP BY d.ip, d.day
    )
    SELECT coalesce(s.ip, c.ip),
           CASE WHEN family(coalesce(s.ip, c.ip)) = 4
                THEN set_masklen(coalesce(s.ip, c.ip)::cidr, 24) END,
           coalesce(s.day, c.day), s.source, s.ip IS NOT NULL,
           s.recipients, s.data_commands, s.rcpt_commands,
           s.data_commands::double precision / nullif(s.rcpt_commands, 0),
           repwatch.filter_name(s.frank), s.rate_text, s.rate_low,
           s.rate_high, s.trap_hits,
           coalesce(c.complaints, 0),
           coalesce(c.complaints, 0)::double precision
               / nullif(s.recipients, 0)
    FROM s
    FULL JOIN (SELECT * FROM repwatch.complaints_between(d1, d2)
               WHERE ip IS NOT NULL) c
        ON c.ip = s.ip AND c.day = s.day
$$;

-- Dashboards: every IP and day (filter on day for speed, or call the
-- function with a range).
CREATE VIEW repwatch.ip_day AS
SELECT * FROM repwatch.ip_day_facts('-infinity', 'infinity');

-- repwatch.net_day_facts - the same per /24 (Microsoft blocks ranges).
-- complaint_rate counts only complaints of IP-days with SNDS data.
CREATE FUNCTION repwatch.net_day_facts(d1 date, d2 date)
RETURNS TABLE (
    net cidr, day date, ips_with_data bigint, ips_complained bigint,
    recipients bigint, complaints bigint,
    complaints_without_snds bigint, complaint_rate double precision,
    worst_filter text, yellow_ips bigint, red_ips bigint,
    trap_hits bigint)
LANGUAGE sql STABLE AS $$
    SELECT f.net, f.day,
           count(*) FILTER (WHERE f.has_snds_data),
           count(*) FILTER (WHERE f.complaints > 0),
           sum(f.recipients),
           sum(f.complaints),
           sum(f.complaints) FILTER (WHERE NOT f.has_snds_data),
           (sum(f.complaints) FILTER (WHERE f.has_snds_data))::double precision
               / nullif(sum(f.recipients), 0),
           repwatch.filter_name(max(repwatch.filter_rank(f.filter))),
           count(*) FILTER (WHERE f.filter = 'YELLOW'),
           count(*) FILTER (WHERE f.filter = 'RED'),
           sum(f.trap_hits)
    FROM repwatch.ip_day_facts(d1, d2) f
    WHERE f.net IS NOT NULL
    GROUP BY f.net, f.day
$$;

CREATE VIEW repwatch.net_day AS
SELECT * FROM repwatch.net_day_facts('-infinity', 'infinity');

-- repwatch.domain_day_facts - complaints per sending domain and day.
-- SNDS has no per-domain volume; recipients_est sums the IP-days whose
-- sample MAIL FROM (JMR P1 Sender) is in that domain, an estimate only.
CREATE FUNCTION repwatch.domain_day_facts(d1 date, d2 date)
RETURNS TABLE (
    sending_domain text, day date, complaints bigint, ips bigint,
    recipients_est bigint, complaint_rate_est double precision)
LANGUAGE sql STABLE AS $$
    WITH c AS (
        SELECT r.sending_domain AS dom, r.day,
               count(*) AS complaints,
               count(DISTINCT r.ip) AS ips
        FROM repwatch.complaint_rows(d1, d2) r
        WHERE r.sending_domain IS NOT NULL
        GROUP BY 1, 2
    ), v AS (
        SELECT lower(split_part(ltrim(d.jmr_p1_sender, '@'), '@', -1)) AS dom,
               d.day, sum(d.recipients) AS recipients
        FROM repwatch.snds_daily d
        WHERE d.day BETWEEN d1 AND d2 AND d.jmr_p1_sender IS NOT NULL
        GROUP BY 1, 2
    )
    SELECT c.dom, c.day, c.complaints, c.ips, v.recipients,
           c.complaints::double precision / nullif(v.recipients, 0)
    FROM c LEFT JOIN v ON v.dom = c.dom AND v.day = c.day
$$;

CREATE VIEW repwatch.domain_day AS
SELECT * FROM repwatch.domain_day_facts('-infinity', 'infinity');

-- repwatch.unmatched_day_facts - per day, complaints that match no IP:
-- no source IP in the report, or an IP without any SNDS row in the 7 days
-- up to the complaint's day (SNDS data is sparse, so one day is too strict).
CREATE FUNCTION repwatch.unmatched_day_facts(d1 date, d2 date)
RETURNS TABLE (
    day date, complaints bigint, without_ip bigint,
    ip_not_in_snds bigint, unmatched bigint,
    unmatched_share double precision)
LANGUAGE sql STABLE AS $$
    WITH c AS (
        SELECT r.ip, r.day FROM repwatch.complaint_rows(d1, d2) r
    ), m AS (
        SELECT c.day, c.ip IS NULL AS no_ip,
               c.ip IS NOT NULL AND NOT EXISTS (
                   SELECT 1 FROM repwatch.snds_daily d
                   WHERE d.ip = c.ip AND d.day BETWEEN c.day - 6 AND c.day)
                   AS no_snds
        FROM c
    )
    SELECT m.day, count(*),
           count(*) FILTER (WHERE m.no_ip),
           count(*) FILTER (WHERE m.no_snds),
           count(*) FILTER (WHERE m.no_ip OR m.no_snds),
           (count(*) FILTER (WHERE m.no_ip OR m.no_snds))::double precision
               / count(*)
    FROM m GROUP BY m.day
$$;

CREATE VIEW repwatch.unmatched_day AS
SELECT * FROM repwatch.unmatched_day_facts('-infinity', 'infinity');

-- The analyzer's narrow copy of the IP-day facts: one row per IP and day
-- with SNDS data or complaints (a few dozen bytes instead of a wide SNDS
-- row), kept current by repwatch.an_refresh_facts() from what was loaded
-- since its last run (snds_daily.loaded_at, arf_report.received_at).
CREATE TABLE repwatch.an_ip_day (
    day             date NOT NULL,
    ip              inet NOT NULL,
    recipients      bigint,              -- NULL: no SNDS row that day
    complaints      bigint NOT NULL DEFAULT 0,
    snds_low        double precision,    -- recipients x band floor
    snds_rated      bigint,              -- recipients of rows with a band
    filter_rank     smallint,
    trap_hits       bigint,
    PRIMARY KEY (day, ip)
);
CREATE INDEX an_ip_day_ip ON repwatch.an_ip_day (ip, day);

CREATE TABLE repwatch.an_fact_state (
    id              integer PRIMARY KEY CHECK (id = 1),
    snds_loaded_at  timestamptz,
    arf_received_at timestamptz,
    timezone        text
);

CREATE INDEX snds_daily_loaded_at ON repwatch.snds_daily (loaded_at);
CREATE INDEX arf_report_received_at ON repwatch.arf_report (received_at);

-- repwatch.an_fact_rebuild - recompute an_ip_day for the given days
CREATE FUNCTION repwatch.an_fact_rebuild(days date[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    tz text := repwatch.an_timezone();
    lo date := (SELECT min(x) FROM unnest(days) x);
    hi date := (SELECT max(x) FROM unnest(days) x);
BEGIN
    IF lo IS NULL THEN
        RETURN;
    END IF;
    DELETE FROM repwatch.an_ip_day WHERE day = ANY (days);
    INSERT INTO repwatch.an_ip_day
    WITH s AS (
        SELECT x.ip, x.day, sum(x.recipients) AS n,
               sum(x.recipients * x.complaint_rate_low)::double precision
                   AS low,
               sum(x.recipients) FILTER (WHERE x.complaint_rate_low
                   IS NOT NULL) AS rated,
               max(repwatch.filter_rank(x.filter)) AS f,
               sum(x.trap_hits) AS traps
        FROM repwatch.snds_daily x
        WHERE x.day = ANY (days)
        GROUP BY x.ip, x.day
    ), c AS (
        SELECT r.source_ip AS ip,
               (coalesce(r.arrival_date, r.received_at)
                    AT TIME ZONE tz)::date AS day,
               count(*) AS c
        FROM repwatch.arf_report r
        WHERE lower(r.feedback_type) = 'abuse' AND r.source_ip IS NOT NULL
          AND coalesce(r.arrival_date, r.received_at)
              >= (lo::timestamp AT TIME ZONE tz)
          AND coalesce(r.arrival_date, r.received_at)
              < ((hi + 1)::timestamp AT TIME ZONE tz)
        GROUP BY 1, 2
    )
    SELECT coalesce(s.day, c.day), coalesce(s.ip, c.ip), s.n,
           coalesce(c.c, 0), s.low, s.rated, s.f, s.traps
    FROM s FULL JOIN (SELECT * FROM c WHERE c.day = ANY (days)) c
        ON c.ip = s.ip AND c.day = s.day;
END
$$;

-- repwatch.an_refresh_facts - bring an_ip_day up to date: the days of rows
-- loaded since the last refresh, everything after a zone change. A load
-- still running may commit rows stamped before our snapshot, so the
-- watermark stays below the start of the oldest open writing transaction.
-- Returns the number of days rebuilt.
CREATE FUNCTION repwatch.an_refresh_facts() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    tz text := repwatch.an_timezone();
    st repwatch.an_fact_state;
    snap_s timestamptz := (SELECT max(loaded_at) FROM repwatch.snds_daily);
    snap_a timestamptz := (SELECT max(received_at) FROM repwatch.arf_report);
    open_since timestamptz := (
        SELECT min(a.xact_start) - interval '1 millisecond'
        FROM pg_catalog.pg_stat_activity a
        WHERE a.backend_xid IS NOT NULL AND a.pid <> pg_backend_pid());
    days date[];
BEGIN
    SELECT * INTO st FROM repwatch.an_fact_state WHERE id = 1;
    IF st.id IS NULL OR st.timezone IS DISTINCT FROM tz THEN
        TRUNCATE repwatch.an_ip_day;
        st.snds_loaded_at := '-infinity';
        st.arf_received_at := '-infinity';
    END IF;
    days := ARRAY(
        SELECT x.day FROM repwatch.snds_daily x
        WHERE x.loaded_at > st.snds_loaded_at
        UNION
        SELECT (coalesce(r.arrival_date, r.received_at) AT TIME ZONE tz)::date
        FROM repwatch.arf_report r
        WHERE r.received_at > st.arf_received_at
          AND lower(r.feedback_type) = 'abuse');
    PERFORM repwatch.an_fact_rebuild(days);
    -- days pruned from the sources leave the copy too
    DELETE FROM repwatch.an_ip_day
    WHERE day < (SELECT min(x.day) FROM repwatch.snds_daily x);
    INSERT INTO repwatch.an_fact_state (id, snds_loaded_at, arf_received_at,
                                        timezone)
    VALUES (1, least(coalesce(snap_s, '-infinity'), open_since),
            least(coalesce(snap_a, '-infinity'), open_since), tz)
    ON CONFLICT (id) DO UPDATE SET snds_loaded_at = EXCLUDED.snds_loaded_at,
        arf_received_at = EXCLUDED.arf_received_at,
        timezone = EXCLUDED.timezone;
    RETURN cardinality(days);
END
$$;

-- repwatch.an_ip_window - the analyzer's one query per day: per IP, the
-- recent window (W days ending at D), its trailing baseline (B days before
-- it), the last S days and day D itself. Only data of days <= D is read
-- (no look-ahead). Complaints of days on which SNDS has no data at all
-- (a fetch gap) are left out so that a gap cannot inflate a rate.
CREATE FUNCTION repwatch.an_ip_window(d date, w integer, b integer,
    s integer)
RETURNS TABLE (
    ip text, net text,
    recipients_recent bigint, complaints_recent bigint, days_recent bigint,
    recipients_base bigint, complaints_base bigint, days_base bigint,
    recipients_last bigint, complaints_last bigint,
    recipients_day bigint, complaints_day bigint,
    snds_complaints_low double precision, snds_rated_recent bigint,
    filter_last integer, filter_base double precision,
    trap_hits_last bigint, last_data_day date, data_days bigint,
    recipients_match_span bigint)
LANGUAGE sql STABLE AS $$
    WITH days AS (
        SELECT coalesce(array_agg(g::date), '{}') AS a
        FROM generate_series(d - (w + b - 1), d, interval '1 day') g
        WHERE EXISTS (SELECT 1 FROM repwatch.snds_daily x
                      WHERE x.day = g::date)
    ), u AS (
        SELECT f.ip, f.day, f.recipients AS n,
               CASE WHEN f.day = ANY (days.a) THEN f.complaints
                    ELSE 0 END AS c,
               f.snds_low AS low, f.snds_rated AS rated,
               f.filter_rank AS fr, f.trap_hits AS traps
        FROM repwatch.an_ip_day f, days
        WHERE f.day BETWEEN d - (w + b - 1) AND d
    )
    SELECT host(u.ip),
           CASE WHEN family(u.ip) = 4
                THEN set_masklen(u.ip::cidr, 24)::text END,
           sum(u.n) FILTER (WHERE u.day > d - w),
           sum(u.c) FILTER (WHERE u.day > d - w),
           count(u.n) FILTER (WHERE u.day > d - w),
           sum(u.n) FILTER (WHERE u.day <= d - w),
           sum(u.c) FILTER (WHERE u.day <= d - w),
           count(u.n) FILTER (WHERE u.day <= d - w),
           sum(u.n) FILTER (WHERE u.day > d - s),
           sum(u.c) FILTER (WHERE u.day > d - s),
           sum(u.n) FILTER (WHERE u.day = d),
           sum(u.c) FILTER (WHERE u.day = d),
           sum(u.low) FILTER (WHERE u.day > d - w),
           (sum(u.rated) FILTER (WHERE u.day > d - w))::bigint,
           (max(u.fr) FILTER (WHERE u.day > d - s))::integer,
           (avg(u.fr) FILTER (WHERE u.day <= d - w))::double precision,
           (sum(u.traps) FILTER (WHERE u.day > d - s))::bigint,
           max(u.day) FILTER (WHERE u.n IS NOT NULL),
           count(u.n),
           -- SNDS volume in the window and the 6 days before it: an IP
           -- without any is one whose complaints "match no IP"
           sum(u.n) FILTER (WHERE u.day > d - w - 6)
    FROM u
    GROUP BY u.ip
$$;

-- (complaints without a source IP, for the unmatched share)
CREATE INDEX arf_report_abuse_no_ip ON repwatch.arf_report
    ((coalesce(arrival_date, received_at)))
    WHERE source_ip IS NULL AND lower(feedback_type) = 'abuse';

-- repwatch.an_no_ip_complaints - complaints without a source IP in the W
-- days ending at D (the rest of the unmatched share comes from the window
-- query: IPs without SNDS volume)
CREATE FUNCTION repwatch.an_no_ip_complaints(d date, w integer)
RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    tz text := repwatch.an_timezone();
BEGIN
    RETURN (SELECT count(*) FROM repwatch.arf_report r
        WHERE r.source_ip IS NULL AND lower(r.feedback_type) = 'abuse'
          AND coalesce(r.arrival_date, r.received_at)
              >= ((d - (w - 1))::timestamp AT TIME ZONE tz)
          AND coalesce(r.arrival_date, r.received_at)
              < ((d + 1)::timestamp AT TIME ZONE tz));
END
$$;

-- repwatch.an_series - daily recipients and complaints of the given
-- subjects (host IPs or /24 networks) over the N days ending at D, for the
-- trend fit of the few subjects that raised an alert.
CREATE FUNCTION repwatch.an_series(d date, n integer, subjects text[])
RETURNS TABLE (subject text, day date, recipients bigint,
               complaints bigint)
LANGUAGE sql STABLE AS $$
    -- bounds as plain columns and OFFSET 0: one index range scan on
    -- (ip, day) per subject instead of a join over every IP-day
    WITH want AS MATERIALIZED (
        SELECT x::cidr AS sub, host(network(x::cidr))::inet AS lo,
               host(broadcast(x::cidr))::inet AS hi
        FROM unnest(subjects) x
    )
    SELECT CASE WHEN masklen(w.sub) IN (32, 128)
                THEN host(w.sub) ELSE w.sub::text END,
           f.day, sum(f.recipients)::bigint, sum(f.complaints)::bigint
    FROM want w CROSS JOIN LATERAL (
        SELECT y.day, y.recipients, y.complaints
        FROM repwatch.an_ip_day y
        WHERE y.ip BETWEEN w.lo AND w.hi
          AND y.day BETWEEN d - (n - 1) AND d
        OFFSET 0) f
    GROUP BY w.sub, f.day
    HAVING sum(f.recipients) IS NOT NULL
    ORDER BY 1, 2
$$;

-- Alert history: the first day of the episode each day belongs to, so
-- "repwatch alerts --date D" can say since when an alert was open then.
ALTER TABLE repwatch.alert_day ADD COLUMN episode_start date;
UPDATE repwatch.alert_day SET episode_start = day;
ALTER TABLE repwatch.alert_day ALTER COLUMN episode_start SET NOT NULL;

-- Findings of the day being analyzed, filled by COPY then merged.
CREATE TABLE repwatch.an_finding (
    day             date NOT NULL,
    subject_kind    text NOT NULL,
    subject         text NOT NULL,
    source          text,
    rule            text NOT NULL,
    severity        text NOT NULL,
    details         jsonb NOT NULL
);

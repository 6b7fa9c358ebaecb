-- 0013_mta - the sending MTA's own log (issue 15): Microsoft's SMTP answers
-- to our delivery attempts, counted per sending IP, hour, class and code.
--
-- Conventions:
--  * Only attempts to Microsoft destinations (consumer Outlook.com and
--    Microsoft 365, mta_classify) are stored; the rest are counted by the
--    loader and dropped.
--  * Counts are kept per UTC hour, so the day of an attempt can be taken in
--    any zone; the analyzer's days (an_mta_day) use repwatch.an_timezone()
--    like every other fact. Zones with a half-hour offset move at most 30
--    minutes of attempts to the neighbouring day.
--  * class is one of delivered, deferred-throttle, deferred-other, blocked,
--    bounced-other; code is Microsoft's S-code when the answer has one, else
--    the enhanced status code, else ''.

-- Where each log file of a source was read up to. The loader replaces a
-- source's rows in the transaction that stores the counts of those lines,
-- so a line is counted once whatever fails in between.
CREATE TABLE repwatch.mta_checkpoint (
    source      text NOT NULL,
    path        text NOT NULL,     -- the name the file had (informational)
    inode       numeric(20) NOT NULL,
    device      numeric(20) NOT NULL,
    byte_offset numeric(20) NOT NULL,  -- decompressed bytes for gzip
    lineno      bigint NOT NULL,
    head        text NOT NULL,     -- sha256 of the first line, '' if none
    tail        text NOT NULL DEFAULT '',  -- sha256 of the up to 4096 bytes before byte_offset, '' at 0
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, path)
);

CREATE TABLE repwatch.mta_attempt_hour (
    source      text NOT NULL,     -- the [mta.NAME] section
    ip          inet NOT NULL,     -- our sending address
    hour        timestamptz NOT NULL,  -- date_trunc('hour', attempt) UTC
    class       text NOT NULL CHECK (class IN ('delivered',
                    'deferred-throttle', 'deferred-other', 'blocked',
                    'bounced-other')),
    code        text NOT NULL DEFAULT '',  -- S3150, else 4.7.650, else ''
    enhanced    text NOT NULL DEFAULT '',  -- the enhanced status code
    reply       smallint,                  -- 451, 550...
    attempts    bigint NOT NULL CHECK (attempts > 0),
    first_at    timestamptz NOT NULL,
    last_at     timestamptz NOT NULL,
    answer      text,              -- the first answer text of the bucket
    answer_ip   inet,              -- the [IP] Microsoft named in it
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, ip, hour, class, code, enhanced)
);
CREATE INDEX mta_attempt_hour_hour ON repwatch.mta_attempt_hour (hour);
CREATE INDEX mta_attempt_hour_loaded_at
    ON repwatch.mta_attempt_hour (loaded_at);

-- One row per load (repwatch mta load, nightly): what was read and kept.
CREATE TABLE repwatch.mta_load (
    id          bigserial PRIMARY KEY,
    source      text NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now(),
    files       integer NOT NULL,
    lines       bigint NOT NULL,
    attempts    bigint NOT NULL,   -- delivery attempts in those lines
    microsoft   bigint NOT NULL,   -- of which to Microsoft (stored)
    no_ip       bigint NOT NULL,   -- Microsoft attempts without a sending IP
    no_time     bigint NOT NULL,   -- ... without a usable time stamp
    bad_lines   bigint NOT NULL,   -- lines that could not be read
    overlong    bigint NOT NULL    -- lines over the ceiling, dropped
);

-- repwatch.mta_ip_day_facts - per sending IP and day (in the analyzer's
-- zone), days D1..D2: attempts by class (0, never NULL, for a class without
-- attempts, as in dashboard.mta_ip_daily), the throttle share, and the
-- first block answer of the day with its code.
CREATE FUNCTION repwatch.mta_ip_day_facts(d1 date, d2 date)
RETURNS TABLE (
    ip inet, net cidr, day date, attempts bigint, delivered bigint,
    throttled bigint, deferred_other bigint, blocked bigint,
    bounced_other bigint, throttle_share double precision,
    first_block_at timestamptz, block_code text, block_answer text)
LANGUAGE sql STABLE AS $$
    WITH h AS (
        SELECT a.*, (a.hour AT TIME ZONE repwatch.an_timezone())::date AS d
        FROM repwatch.mta_attempt_hour a
        WHERE a.hour >= (d1::timestamp AT TIME ZONE repwatch.an_timezone())
              - interval '1 hour'
          AND a.hour < ((d2 + 1)::timestamp
                        AT TIME ZONE repwatch.an_timezone())
    )
    SELECT h.ip,
           CASE WHEN family(h.ip) = 4 THEN set_masklen(h.ip::cidr, 24) END,
           h.d,
           sum(h.attempts)::bigint,
           coalesce(sum(h.attempts) FILTER (WHERE h.class = 'delivered'), 0)
               ::bigint,
           coalesce(sum(h.attempts)
               FILTER (WHERE h.class = 'deferred-throttle'), 0)::bigint,
           coalesce(sum(h.attempts)
               FILTER (WHERE h.class = 'deferred-other'), 0)::bigint,
           coalesce(sum(h.attempts) FILTER (WHERE h.class = 'blocked'), 0)
               ::bigint,
           coalesce(sum(h.attempts)
               FILTER (WHERE h.class = 'bounced-other'), 0)::bigint,
           coalesce(sum(h.attempts)
               FILTER (WHERE h.class = 'deferred-throttle'), 0)
               ::double precision / sum(h.attempts),
           min(h.first_at) FILTER (WHERE h.class = 'blocked'),
           (array_agg(h.code ORDER BY h.first_at)
               FILTER (WHERE h.class = 'blocked'))[1],
           (array_agg(h.answer ORDER BY h.first_at)
               FILTER (WHERE h.class = 'blocked'))[1]
    FROM h
    WHERE h.d BETWEEN d1 AND d2
    GROUP BY h.ip, h.d
$$;

-- repwatch.mta_net_day_facts - the same per /24 (Microsoft blocks ranges)
CREATE FUNCTION repwatch.mta_net_day_facts(d1 date, d2 date)
RETURNS TABLE (
    net cidr, day date, ips bigint, ips_throttled bigint, ips_blocked bigint,
    attempts bigint, delivered bigint, throttled bigint,
    deferred_other bigint, blocked bigint, bounced_other bigint,
    throttle_share double precision, first_block_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT f.net, f.day, count(*),
           count(*) FILTER (WHERE f.throttled > 0),
           count(*) FILTER (WHERE f.blocked > 0),
           sum(f.attempts)::bigint, sum(f.delivered)::bigint,
           sum(f.throttled)::bigint, sum(f.deferred_other)::bigint,
           sum(f.blocked)::bigint, sum(f.bounced_other)::bigint,
           coalesce(sum(f.throttled), 0)::double precision
               / nullif(sum(f.attempts), 0),
           min(f.first_block_at)
    FROM repwatch.mta_ip_day_facts(d1, d2) f
    WHERE f.net IS NOT NULL
    GROUP BY f.net, f.day
$$;

-- The analyzer's copy of mta_ip_day_facts, kept current by
-- repwatch.an_refresh_mta() from the hours loaded since its last run (the
-- same scheme as an_ip_day).
CREATE TABLE repwatch.an_mta_day (
    day             date NOT NULL,
    ip              inet NOT NULL,
    attempts        bigint NOT NULL,
    delivered       bigint NOT NULL,
    throttled       bigint NOT NULL,
    blocked         bigint NOT NULL,
    first_block_at  timestamptz,
    block_code      text,
    block_answer    text,
    PRIMARY KEY (day, ip)
);
CREATE INDEX an_mta_day_ip ON repwatch.an_mta_day (ip, day);

CREATE TABLE repwatch.an_mta_state (
    id              integer PRIMARY KEY CHECK (id = 1),
    loaded_at       timestamptz,
    timezone        text
);

-- repwatch.an_refresh_mta - bring an_mta_day up to date (all of it after a
-- zone change); returns the number of days rebuilt
CREATE FUNCTION repwatch.an_refresh_mta() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    tz text := repwatch.an_timezone();
    st repwatch.an_mta_state;
    snap timestamptz := (SELECT max(loaded_at) FROM repwatch.mta_attempt_hour);
    open_since timestamptz := (
        SELECT min(a.xact_start) - interval '1 millisecond'
        FROM pg_catalog.pg_stat_activity a
        WHERE a.backend_xid IS NOT NULL AND a.pid <> pg_backend_pid());
    days date[];
    d date;
BEGIN
    SELECT * INTO st FROM repwatch.an_mta_state WHERE id = 1;
    IF st.id IS NULL OR st.timezone IS DISTINCT FROM tz THEN
        TRUNCATE repwatch.an_mta_day;
        st.loaded_at := '-infinity';
    END IF;
    days := ARRAY(
        SELECT DISTINCT (x.hour AT TIME ZONE tz)::date
        FROM repwatch.mta_attempt_hour x
        WHERE x.loaded_at > st.loaded_at);
    DELETE FROM repwatch.an_mta_day WHERE day = ANY (days);
    FOREACH d IN ARRAY days LOOP
        INSERT INTO repwatch.an_mta_day
        SELECT f.day, f.ip, f.attempts, coalesce(f.delivered, 0),
               coalesce(f.throttled, 0), coalesce(f.blocked, 0),
               f.first_block_at, f.block_code, f.block_answer
        FROM repwatch.mta_ip_day_facts(d, d) f;
    END LOOP;
    INSERT INTO repwatch.an_mta_state (id, loaded_at, timezone)
    VALUES (1, least(coalesce(snap, '-infinity'), open_since), tz)
    ON CONFLICT (id) DO UPDATE SET loaded_at = EXCLUDED.loaded_at,
        timezone = EXCLUDED.timezone;
    RETURN cardinality(days);
END
$$;

-- Dashboards: Microsoft's answers per IP and /24 and day. Written out over
-- the table, not over the functions above: a function inside a view runs
-- with the reader's rights (see 0005). Filter on day (and ip) for speed.
CREATE VIEW dashboard.mta_ip_daily AS
WITH z AS (
    SELECT coalesce((SELECT s.value FROM repwatch.an_setting s
                     WHERE s.key = 'timezone'), 'America/Los_Angeles') AS tz
)
SELECT a.ip,
       CASE WHEN family(a.ip) = 4 THEN set_masklen(a.ip::cidr, 24) END
           AS net,
       (a.hour AT TIME ZONE z.tz)::date AS day,
       sum(a.attempts)::bigint AS attempts,
       coalesce(sum(a.attempts) FILTER (WHERE a.class = 'delivered'), 0)
           ::bigint AS delivered,
       coalesce(sum(a.attempts) FILTER (WHERE a.class = 'deferred-throttle'),
           0)::bigint AS throttled,
       coalesce(sum(a.attempts) FILTER (WHERE a.class = 'deferred-other'), 0)
           ::bigint AS deferred_other,
       coalesce(sum(a.attempts) FILTER (WHERE a.class = 'blocked'), 0)
           ::bigint AS blocked,
       coalesce(sum(a.attempts) FILTER (WHERE a.class = 'bounced-other'), 0)
           ::bigint AS bounced_other,
       coalesce(sum(a.attempts) FILTER (WHERE a.class = 'deferred-throttle'),
           0)::double precision / sum(a.attempts) AS throttle_share,
       min(a.first_at) FILTER (WHERE a.class = 'blocked') AS first_block_at,
       (array_agg(a.code ORDER BY a.first_at)
           FILTER (WHERE a.class = 'blocked'))[1] AS block_code
FROM repwatch.mta_attempt_hour a, z
GROUP BY a.ip, (a.hour AT TIME ZONE z.tz)::date;
COMMENT ON VIEW dashboard.mta_ip_daily IS
    'Microsoft''s SMTP answers per sending IP and day (MTA logs)';

CREATE VIEW dashboard.mta_net_daily AS
SELECT f.net, f.day, count(*) AS ips,
       count(*) FILTER (WHERE f.throttled > 0) AS ips_throttled,
       count(*) FILTER (WHERE f.blocked > 0) AS ips_blocked,
       sum(f.attempts)::bigint AS attempts,
       sum(f.delivered)::bigint AS delivered,
       sum(f.throttled)::bigint AS throttled,
       sum(f.deferred_other)::bigint AS deferred_other,
       sum(f.blocked)::bigint AS blocked,
       sum(f.bounced_other)::bigint AS bounced_other,
       sum(f.throttled)::double precision / nullif(sum(f.attempts), 0)
           AS throttle_share,
       min(f.first_block_at) AS first_block_at
FROM dashboard.mta_ip_daily f
WHERE f.net IS NOT NULL
GROUP BY f.net, f.day;
COMMENT ON VIEW dashboard.mta_net_daily IS
    'Microsoft''s SMTP answers per /24 and day (MTA logs)';

-- Every block answer, one row per source, IP, hour and code.
CREATE VIEW dashboard.mta_blocks AS
SELECT a.source, a.ip, a.first_at, a.last_at, a.code, a.enhanced, a.reply,
       a.attempts, a.answer, a.answer_ip
FROM repwatch.mta_attempt_hour a
WHERE a.class = 'blocked';
COMMENT ON VIEW dashboard.mta_blocks IS
    'Microsoft block answers from the MTA logs (S3140, S3150, 5.7.606...)';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'repwatch_reader') THEN
        GRANT SELECT ON dashboard.mta_ip_daily, dashboard.mta_net_daily,
            dashboard.mta_blocks TO repwatch_reader;
    END IF;
END
$$;

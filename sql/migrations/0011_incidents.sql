-- 0011_incidents: incidents (issue 13). An incident is one subject, an IP
-- or a /24 range, with every alert that held on it as evidence; IPs inside
-- a range that has its own incident fold under it as members. The analyzer
-- (analyze/an_incidents.c) writes them after the day's alerts, from the
-- alert_day rows of that day and the incidents of the analyzed day before
-- (no look-ahead, so a replay gives the same rows and the same ids).
--
-- incident_day is the truth: one row per incident and analyzed day it was
-- open, escalated, or resolved on. incident holds each incident's identity
-- and, like alert, follows the latest analyzed day.

-- repwatch.incident_subjects(kind, subject) - the incident subjects of one
-- alert subject: an IP stays an IP, a /24 stays a range, a listed span
-- "a-b" of IPv4 addresses becomes each /24 it touches (at most 256).
CREATE FUNCTION repwatch.incident_subjects(k text, s text)
RETURNS TABLE (kind text, subject text)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    lo inet;
    hi inet;
BEGIN
    IF k = 'ip' THEN
        RETURN QUERY SELECT 'ip'::text, s;
        RETURN;
    ELSIF k <> 'cidr' THEN
        RETURN;
    ELSIF strpos(s, '-') = 0 THEN
        RETURN QUERY SELECT 'range'::text, s;
        RETURN;
    END IF;
    lo := split_part(s, '-', 1)::inet;
    hi := split_part(s, '-', 2)::inet;
    IF family(lo) <> 4 OR family(hi) <> 4 OR hi < lo THEN
        RETURN QUERY SELECT 'range'::text, s;
        RETURN;
    END IF;
    RETURN QUERY
    SELECT 'range'::text, (network(set_masklen(lo, 24)) + g * 256)::cidr::text
    FROM generate_series(0::bigint, least(255::bigint,
        (network(set_masklen(hi, 24)) - network(set_masklen(lo, 24))) / 256))
        g;
END
$$;

-- One row per incident. id = "inc-" and the first 12 hex digits of
-- SHA-256("SUBJECT FIRST_DAY"): the same subject and first day give the
-- same id on every replay; a subject that resolves and opens again starts
-- on a later first day, so it gets a new id.
CREATE TABLE repwatch.incident (
    id                text PRIMARY KEY,
    subject           text NOT NULL,     -- host IP or /24 network
    kind              text NOT NULL CHECK (kind IN ('ip', 'range')),
    first_day         date NOT NULL,     -- earliest rule's first day
    -- as of the latest analyzed day (copied from incident_day)
    day               date NOT NULL,
    state             text NOT NULL
        CHECK (state IN ('open', 'escalated', 'resolved')),
    severity          text NOT NULL
        CHECK (severity IN ('info', 'warning', 'critical')),
    last_day          date NOT NULL,     -- last day a rule held
    resolved_day      date,
    escalated_day     date,              -- last day the severity went up
    folded_into       text,              -- resolved by folding into a range
    rules             text[] NOT NULL DEFAULT '{}',
    members           text[] NOT NULL DEFAULT '{}',
    notified_severity text,              -- for notifications (phase 2)
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (subject, first_day)
);
CREATE INDEX incident_state ON repwatch.incident (state, severity);
COMMENT ON TABLE repwatch.incident IS
    'incidents: one subject (IP or /24) with its alerts as evidence';

-- One row per incident and analyzed day: the lifecycle and the evidence
-- numbers of that day (those of its last day while it waits to resolve).
CREATE TABLE repwatch.incident_day (
    incident_id     text NOT NULL
        REFERENCES repwatch.incident ON DELETE CASCADE,
    day             date NOT NULL,
    state           text NOT NULL
        CHECK (state IN ('open', 'escalated', 'resolved')),
    severity        text NOT NULL,
    peak_severity   text NOT NULL,       -- highest so far: escalation
    holding         boolean NOT NULL,    -- a rule of its own held today
    quiet_days      integer NOT NULL,    -- analyzed days without one
    last_day        date NOT NULL,
    escalated_day   date,
    resolved_day    date,
    folded_into     text,
    rules           text[] NOT NULL,
    rate_7d         double precision,
    recipients_7d   double precision,
    complaints_7d   double precision,
    baseline_rate   double precision,
    forecast_days   integer,
    listed          boolean NOT NULL DEFAULT false,
    filter          text,                -- worst SNDS colour that day
    message         text,
    PRIMARY KEY (incident_id, day)
);
CREATE INDEX incident_day_day ON repwatch.incident_day (day);

-- The members of a range incident on a day: IPs inside it with alerts of
-- their own, each with its own numbers.
CREATE TABLE repwatch.incident_member_day (
    incident_id     text NOT NULL,
    day             date NOT NULL,
    ip              text NOT NULL,
    severity        text NOT NULL,
    rules           text[] NOT NULL,
    rate_7d         double precision,
    recipients_7d   double precision,
    complaints_7d   double precision,
    baseline_rate   double precision,
    forecast_days   integer,
    listed          boolean NOT NULL DEFAULT false,
    filter          text,
    message         text,
    PRIMARY KEY (incident_id, day, ip),
    FOREIGN KEY (incident_id, day)
        REFERENCES repwatch.incident_day ON DELETE CASCADE
);

-- Silences: no notification for an incident (incident_id set) or for any
-- incident of a subject (incident_id NULL) until the day "until", or until
-- it escalates after from_day (the latest analyzed day when set). Lifted
-- silences stay for the record.
CREATE TABLE repwatch.silence (
    id              bigserial PRIMARY KEY,
    subject         text NOT NULL,
    incident_id     text,
    until           date NOT NULL,
    note            text NOT NULL DEFAULT '',
    created_by      text NOT NULL,       -- login name
    created_at      timestamptz NOT NULL DEFAULT now(),
    from_day        date,
    lifted_at       timestamptz,
    lifted_by       text
);
CREATE INDEX silence_subject ON repwatch.silence (subject)
    WHERE lifted_at IS NULL;

-- repwatch.incident_current - the incidents open or escalated on the
-- latest analyzed day, with the evidence numbers (the keys of "alerts
-- --format json") and the silence in force. For Grafana: read it as
-- repwatch_reader. Add columns at the end, never rename or drop one.
CREATE VIEW repwatch.incident_current AS
WITH latest AS (
    SELECT max(r.day) AS day FROM repwatch.analysis_run r
    WHERE r.day <= (now() AT TIME ZONE coalesce((SELECT s.value
        FROM repwatch.an_setting s WHERE s.key = 'timezone'),
        'America/Los_Angeles'))::date + 1
)
SELECT i.id AS incident_id, i.subject, i.kind, d.severity,
       CASE d.severity WHEN 'critical' THEN 2 WHEN 'warning' THEN 1
            ELSE 0 END AS severity_rank,
       d.state, i.first_day, d.last_day, d.rules,
       coalesce((SELECT array_agg(m.ip ORDER BY m.ip::inet)
                 FROM repwatch.incident_member_day m
                 WHERE m.incident_id = d.incident_id AND m.day = d.day),
                '{}') AS members,
       d.rate_7d, d.recipients_7d, d.complaints_7d, d.baseline_rate,
       d.forecast_days, d.listed, d.filter, d.message,
       (SELECT max(s.until) FROM repwatch.silence s
        WHERE s.lifted_at IS NULL AND s.until >= d.day
          AND (s.incident_id = i.id
               OR (s.incident_id IS NULL AND s.subject = i.subject)))
           AS silenced_until,
       d.day, d.escalated_day
FROM latest
JOIN repwatch.incident_day d ON d.day = latest.day
JOIN repwatch.incident i ON i.id = d.incident_id
WHERE d.state <> 'resolved';
COMMENT ON VIEW repwatch.incident_current IS
    'incidents open on the latest analyzed day, one row each';

-- The read-only role (0005) reads this view: USAGE on the schema lets it
-- name the view; the tables behind it stay closed to it.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'repwatch_reader') THEN
        GRANT USAGE ON SCHEMA repwatch TO repwatch_reader;
        GRANT SELECT ON repwatch.incident_current TO repwatch_reader;
    ELSE
        RAISE NOTICE 'role repwatch_reader missing: incident_current '
            'not granted';
    END IF;
END
$$;

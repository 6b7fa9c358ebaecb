-- 0001_init: the whole data model of repwatch.
-- Sources -> parsers -> these tables -> analyzer -> alerts and outputs.
-- Every per-IP fact table keeps the IP in its key. Days are SNDS days (the
-- day in the source's timezone), timestamps are timestamptz.

CREATE SCHEMA IF NOT EXISTS repwatch;

-- SNDS sources as known to the database. The configuration names them;
-- links set with "repwatch snds link set" override the configured ones.
CREATE TABLE repwatch.snds_source (
    name            text PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('link', 'api')),
    data_url        text,            -- secret: holds the link key
    status_url      text,            -- secret
    issued          date,            -- day the links were generated
    first_used      date,            -- default for issued
    token_state     text CHECK (token_state IN ('ok', 'missing', 'expired', 'failed')),
    token_checked   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- One row per HTTP request (or local load) and outcome; never holds keys.
CREATE TABLE repwatch.snds_fetch_log (
    id              bigserial PRIMARY KEY,
    source          text NOT NULL,
    day             date,            -- requested day (NULL for status)
    kind            text NOT NULL CHECK (kind IN ('data', 'status', 'token', 'login')),
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    url_masked      text,
    http_status     integer,
    bytes           bigint,
    rows_loaded     integer,
    rows_rejected   integer,
    body_sha256     text,
    raw_path        text,
    outcome         text NOT NULL CHECK (outcome IN
                        ('ok', 'no-data', 'expired', 'login-required',
                         'bad-request', 'temporary', 'error', 'rejected')),
    message         text
);
CREATE INDEX snds_fetch_log_source_day ON repwatch.snds_fetch_log (source, day, outcome);
CREATE INDEX snds_fetch_log_started ON repwatch.snds_fetch_log (started_at);

-- SNDS data report: one row per source, IP and activity period.
CREATE TABLE repwatch.snds_daily (
    source              text NOT NULL,
    ip                  inet NOT NULL,
    activity_start      timestamptz NOT NULL,
    activity_end        timestamptz NOT NULL,
    day                 date NOT NULL,   -- activity_start's day in the source zone
    rcpt_commands       bigint NOT NULL CHECK (rcpt_commands >= 0),
    data_commands       bigint NOT NULL CHECK (data_commands >= 0),
    recipients          bigint NOT NULL CHECK (recipients >= 0),
    filter              text NOT NULL CHECK (filter IN ('GREEN', 'YELLOW', 'RED')),
    complaint_rate_text text NOT NULL,
    complaint_rate_low  numeric,         -- interval [low, high] as fractions
    complaint_rate_high numeric,
    complaint_rate_high_open boolean NOT NULL DEFAULT false, -- "< x%": high excluded
    trap_start          timestamptz,     -- NULL, never 0: gone since 2026-07-22
    trap_end            timestamptz,
    trap_hits           integer,
    sample_helo         text,
    jmr_p1_sender       text,
    comments            text,
    raw_start           text NOT NULL,   -- timestamps as SNDS wrote them
    raw_end             text NOT NULL,
    fetch_id            bigint,
    loaded_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, ip, activity_start)
);
CREATE INDEX snds_daily_day ON repwatch.snds_daily (day, ip);
CREATE INDEX snds_daily_ip_day ON repwatch.snds_daily (ip, day);

-- Rows the parser refused; a bad row never stops a load.
CREATE TABLE repwatch.snds_reject (
    id          bigserial PRIMARY KEY,
    source      text NOT NULL,
    day         date,
    kind        text NOT NULL DEFAULT 'data',
    input       text,            -- file name or masked URL
    line        integer NOT NULL,
    raw         text NOT NULL,
    reason      text NOT NULL,
    fetch_id    bigint,
    at          timestamptz NOT NULL DEFAULT now()
);

-- IP-status feed: one snapshot per source and day, ranges within it.
CREATE TABLE repwatch.snds_status_snapshot (
    source      text NOT NULL,
    day         date NOT NULL,
    fetched_at  timestamptz NOT NULL DEFAULT now(),
    ranges      integer NOT NULL,
    fetch_id    bigint,
    PRIMARY KEY (source, day)
);

CREATE TABLE repwatch.snds_ip_status (
    source      text NOT NULL,
    day         date NOT NULL,
    first_ip    inet NOT NULL,
    last_ip     inet NOT NULL,
    blocked     boolean NOT NULL,
    reason      text NOT NULL DEFAULT '',
    PRIMARY KEY (source, day, first_ip, last_ip),
    FOREIGN KEY (source, day) REFERENCES repwatch.snds_status_snapshot ON DELETE CASCADE,
    CHECK (last_ip >= first_ip)
);

-- ARF / JMRP complaint reports, one per distinct message.
CREATE TABLE repwatch.arf_report (
    id                  bigserial PRIMARY KEY,
    content_sha256      text NOT NULL UNIQUE,  -- of the normalized message
    report_message_id   text,
    mailbox             text NOT NULL,         -- source name or path
    format              text NOT NULL CHECK (format IN ('arf', 'jmrp-legacy')),
    provider            text,
    feedback_type       text NOT NULL,
    user_agent          text,
    version             text,
    source_ip           inet,
    source_ip_origin    text,
    arrival_date        timestamptz,
    received_at         timestamptz NOT NULL DEFAULT now(),
    original_mail_from  text,
    original_rcpt_to    text[] NOT NULL DEFAULT '{}',
    rcpt_redacted       boolean NOT NULL DEFAULT false,
    reported_domain     text[] NOT NULL DEFAULT '{}',
    reported_uri        text[] NOT NULL DEFAULT '{}',
    reporting_mta       text,
    incidents           integer,
    report_date         timestamptz,
    orig_message_id     text,
    orig_subject        text,
    orig_from           text,
    orig_date           timestamptz,
    orig_return_path    text,
    orig_list_id        text,
    orig_feedback_id    text,
    trace               jsonb NOT NULL DEFAULT '{}',
    sending_domain      text,
    fields              jsonb NOT NULL DEFAULT '{}', -- every report field
    warnings            text[] NOT NULL DEFAULT '{}',
    raw                 bytea                      -- per [arf] keep
);
CREATE INDEX arf_report_ip_arrival ON repwatch.arf_report (source_ip, arrival_date);
CREATE INDEX arf_report_arrival ON repwatch.arf_report (arrival_date);
CREATE UNIQUE INDEX arf_report_msgid ON repwatch.arf_report (report_message_id)
    WHERE report_message_id IS NOT NULL;

-- Everything read from a mailbox that is not a stored complaint.
CREATE TABLE repwatch.arf_message_log (
    content_sha256  text PRIMARY KEY,
    mailbox         text NOT NULL,
    message_id      text,
    outcome         text NOT NULL CHECK (outcome IN ('not-a-report', 'quarantined')),
    reason          text NOT NULL,
    at              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE repwatch.arf_quarantine (
    id              bigserial PRIMARY KEY,
    content_sha256  text NOT NULL UNIQUE,
    mailbox         text NOT NULL,
    location        text,            -- file, UID or offset it came from
    message_id      text,
    reason          text NOT NULL,
    size            bigint NOT NULL,
    raw             bytea,           -- up to [arf] quarantine_max_bytes
    at              timestamptz NOT NULL DEFAULT now()
);

-- Ingest run counters (duplicates are never stored, only counted here).
CREATE TABLE repwatch.arf_run (
    id              bigserial PRIMARY KEY,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    mailbox         text NOT NULL,
    messages        bigint NOT NULL DEFAULT 0,
    complaints      bigint NOT NULL DEFAULT 0,
    duplicates      bigint NOT NULL DEFAULT 0,
    not_a_report    bigint NOT NULL DEFAULT 0,
    quarantined     bigint NOT NULL DEFAULT 0,
    without_ip      bigint NOT NULL DEFAULT 0,
    outcome         text
);

-- Where each mailbox reader stopped (mbox offsets, IMAP UIDs).
CREATE TABLE repwatch.mailbox_progress (
    mailbox         text NOT NULL,
    folder          text NOT NULL DEFAULT '',
    uidvalidity     bigint,
    last_uid        bigint,
    mbox_offset     bigint,
    mbox_prefix_sha256 text,   -- hash of the file up to mbox_offset
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (mailbox, folder)
);

-- Alerts: one row per subject and rule episode; alert_day is the history
-- (one row per day the alert was evaluated open) so replays and dashboards
-- see what was known on each day.
CREATE TABLE repwatch.alert (
    id              bigserial PRIMARY KEY,
    subject_kind    text NOT NULL CHECK (subject_kind IN ('ip', 'cidr', 'domain', 'source', 'global')),
    subject         text NOT NULL,   -- IP, CIDR, domain or source name
    source          text,
    rule            text NOT NULL,
    severity        text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    state           text NOT NULL CHECK (state IN ('open', 'resolved')),
    first_day       date NOT NULL,
    last_day        date NOT NULL,
    resolved_day    date,
    details         jsonb NOT NULL DEFAULT '{}',
    notified_severity text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (subject_kind, subject, rule)
);
CREATE INDEX alert_state ON repwatch.alert (state, severity);

CREATE TABLE repwatch.alert_day (
    alert_id        bigint NOT NULL REFERENCES repwatch.alert ON DELETE CASCADE,
    day             date NOT NULL,
    severity        text NOT NULL,
    details         jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (alert_id, day)
);
CREATE INDEX alert_day_day ON repwatch.alert_day (day);

-- Days the analyzer has evaluated.
CREATE TABLE repwatch.analysis_run (
    day             date PRIMARY KEY,
    analyzed_at     timestamptz NOT NULL DEFAULT now(),
    subjects        integer NOT NULL DEFAULT 0,
    alerts_open     integer NOT NULL DEFAULT 0
);

-- Nightly runs and their steps.
CREATE TABLE repwatch.run_log (
    id              bigserial PRIMARY KEY,
    command         text NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    exit_code       integer,
    summary         jsonb NOT NULL DEFAULT '{}'
);

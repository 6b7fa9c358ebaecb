-- scenario_eval.sql - compare repwatch's alerts on a replayed synthetic
-- scenario with the two rules peers use, per IP:
--   peer-daily: the day's rate >= 0.3 % (any SNDS day)
--   peer-7d:    7-day pooled rate >= 0.1 % (warning) with >= 1,000
--               recipients in the window (the practitioners' rule)
-- "Alert" = a warning or critical alert day (info is not an alert).
-- Input: table eval_truth (from truth.tsv) and psql variables :start
-- (first day of the scenario) and :warmup (days before evaluation starts:
-- window + baseline, when repwatch can first judge a rise).
-- Output: table eval_result, one row per method.

CREATE TEMP TABLE eval_days AS
SELECT (:'start'::date + :warmup) AS first_day,
       (SELECT max(day) FROM repwatch.analysis_run) AS last_day;

CREATE TEMP TABLE eval_truth_d AS
SELECT t.ip, t.kind, t.net,
       CASE WHEN t.cross_idx >= 0 THEN :'start'::date + t.cross_idx END
           AS cross_day,
       CASE WHEN t.start_idx >= 0 THEN :'start'::date + t.start_idx END
           AS start_day
FROM eval_truth t;

-- (method, ip, day, rule) for every warning or critical alert day
CREATE TEMP TABLE eval_alert AS
SELECT 'repwatch'::text AS method, a.subject::inet AS ip, d.day, a.rule
FROM repwatch.alert a JOIN repwatch.alert_day d ON d.alert_id = a.id
WHERE a.subject_kind = 'ip' AND d.severity IN ('warning', 'critical')
  AND a.rule IN ('level', 'rising', 'filter', 'listed', 'trap')
UNION
SELECT 'repwatch', t.ip, d.day, a.rule
FROM repwatch.alert a JOIN repwatch.alert_day d ON d.alert_id = a.id
JOIN eval_truth_d t ON t.ip <<= a.subject::cidr
WHERE a.subject_kind = 'cidr' AND d.severity IN ('warning', 'critical')
  AND a.rule IN ('range-level', 'range-rising', 'range-filter');

INSERT INTO eval_alert
SELECT 'peer-daily', f.ip, f.day, 'peer-daily'
FROM repwatch.ip_day_facts(:'start'::date, (SELECT last_day FROM eval_days)) f
WHERE f.complaint_rate >= 0.003;

INSERT INTO eval_alert
SELECT 'peer-7d', x.ip, x.day, 'peer-7d' FROM (
    SELECT f.ip, f.day,
           sum(f.recipients) OVER w AS n7, sum(f.complaints) OVER w AS c7
    FROM repwatch.ip_day_facts(:'start'::date,
                               (SELECT last_day FROM eval_days)) f
    WINDOW w AS (PARTITION BY f.ip ORDER BY f.day
                 RANGE BETWEEN interval '6 days' PRECEDING AND CURRENT ROW)
) x
WHERE x.n7 >= 1000 AND x.c7::float8 / x.n7 >= 0.001;

CREATE INDEX ON eval_alert (method, ip, rule, day);

-- the day each alert was raised: an alert day of a rule on an IP with no
-- day of the same alert in the two days before (one missing SNDS day does
-- not raise it anew); before the evaluated days are cut, so an alert open
-- since the warm-up is not raised on its first evaluated day
CREATE TEMP TABLE eval_raised AS
SELECT a.method, a.ip, a.day
FROM eval_alert a
WHERE NOT EXISTS (SELECT 1 FROM eval_alert b
                  WHERE b.method = a.method AND b.ip = a.ip
                    AND b.rule = a.rule
                    AND b.day BETWEEN a.day - 2 AND a.day - 1);

DELETE FROM eval_raised
WHERE day < (SELECT first_day FROM eval_days)
   OR day > (SELECT last_day FROM eval_days);

DELETE FROM eval_alert
WHERE day < (SELECT first_day FROM eval_days)
   OR day > (SELECT last_day FROM eval_days);

CREATE TEMP TABLE eval_method (method text PRIMARY KEY);
INSERT INTO eval_method VALUES ('repwatch'), ('peer-daily'), ('peer-7d');

-- positives: IPs whose true 7-day rate crosses 0.3 % in the evaluated days;
-- detection = first alert raised on or after the ramp's start (an alert
-- raised before, by noise, and still open when the ramp begins is no
-- detection of the ramp)
CREATE TEMP TABLE eval_lead AS
SELECT m.method, t.ip, t.kind, t.cross_day,
       (SELECT min(a.day) FROM eval_raised a
        WHERE a.method = m.method AND a.ip = t.ip
          AND a.day >= t.start_day) AS detected
FROM eval_method m CROSS JOIN eval_truth_d t
WHERE t.cross_day BETWEEN (SELECT first_day FROM eval_days)
                      AND (SELECT last_day FROM eval_days);

-- healthy: true rate below 0.1 % throughout; high volume >= 1,000/day
CREATE TEMP TABLE eval_healthy AS
SELECT t.ip, t.kind, t.kind = 'lowvol' AS low
FROM eval_truth_d t
WHERE t.kind IN ('stable', 'intermittent', 'startstop', 'lowvol');

-- healthy IP-days with SNDS data in the evaluated days (denominator)
CREATE TEMP TABLE eval_hdays AS
SELECT count(*) AS n
FROM repwatch.ip_day_facts((SELECT first_day FROM eval_days),
                           (SELECT last_day FROM eval_days)) f
JOIN eval_healthy h ON h.ip = f.ip
WHERE f.has_snds_data;

CREATE TEMP TABLE eval_result AS
SELECT m.method,
  (SELECT count(*) FROM eval_lead l WHERE l.method = m.method) AS positives,
  (SELECT count(*) FROM eval_lead l WHERE l.method = m.method
     AND l.detected <= l.cross_day) AS detected_by_cross,
  (SELECT round(avg((l.detected <= l.cross_day)::int), 3) FROM eval_lead l
     WHERE l.method = m.method) AS recall,
  -- undetected counts as 30 days late, so misses pull the median down
  (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY
       coalesce(l.cross_day - l.detected, -30))
     FROM eval_lead l WHERE l.method = m.method) AS median_lead,
  (SELECT round(avg((EXISTS (SELECT 1 FROM eval_alert a
       WHERE a.method = m.method AND a.ip = h.ip))::int), 3)
     FROM eval_healthy h WHERE NOT h.low) AS hv_share,
  (SELECT round(avg((EXISTS (SELECT 1 FROM eval_alert a
       WHERE a.method = m.method AND a.ip = h.ip))::int), 3)
     FROM eval_healthy h WHERE h.low) AS lv_share,
  (SELECT round(avg((EXISTS (SELECT 1 FROM eval_alert a
       WHERE a.method = m.method AND a.ip = t.ip
         AND a.day > t.start_day + 2))::int), 3)
     FROM eval_truth_d t WHERE t.kind = 'spike'
       AND t.start_day >= (SELECT first_day FROM eval_days)) AS spike_share,
  (SELECT round(1000.0 * count(*) / greatest((SELECT n FROM eval_hdays), 1),
       2)
     FROM eval_alert a JOIN eval_healthy h ON h.ip = a.ip
     WHERE a.method = m.method) AS fa_per_1000,
  (SELECT round(avg((EXISTS (SELECT 1 FROM eval_alert a
       WHERE a.method = m.method AND a.ip = t.ip))::int), 3)
     FROM eval_truth_d t WHERE t.kind = 'lowbad') AS lowbad_caught,
  (SELECT count(DISTINCT a.ip) FROM eval_alert a JOIN eval_healthy h
     ON h.ip = a.ip WHERE a.method = m.method) AS fa_ips
FROM eval_method m;

\pset footer off
-- the issue's table: one row per measure, one column per method
SELECT x.measure,
       max(x.v) FILTER (WHERE x.method = 'repwatch') AS repwatch,
       max(x.v) FILTER (WHERE x.method = 'peer-daily')
           AS "peer: daily >= 0.3 %",
       max(x.v) FILTER (WHERE x.method = 'peer-7d')
           AS "peer: 7-day 0.1/0.3 %, >= 1,000 rcpt"
FROM (
  SELECT r.method, v.ord, v.measure, v.v
  FROM eval_result r CROSS JOIN LATERAL (VALUES
    (1, 'rising IPs warned before crossing 0.3 % ('
        || r.positives || ' IPs)', round(100 * r.recall, 1) || ' %'),
    (2, 'median lead (days; only alerts after the ramp began)',
        r.median_lead::text),
    (3, 'healthy high-volume IPs with a warning or critical alert',
        round(100 * r.hv_share, 1) || ' %'),
    (4, 'healthy low-volume IPs (150-900/day, < 0.1 %) with an alert',
        round(100 * r.lv_share, 1) || ' %'),
    (5, 'one-off spikes still alerting more than 2 days after',
        round(100 * r.spike_share, 1) || ' %'),
    (6, 'false alerts per 1,000 healthy IP-days', r.fa_per_1000::text),
    (7, 'bad low-volume IPs (0.5 %) caught', round(100 * r.lowbad_caught,
        1) || ' %')) v(ord, measure, v)
) x
GROUP BY x.ord, x.measure ORDER BY x.ord;

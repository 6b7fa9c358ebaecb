-- scenario_eval.sql - compare repwatch's alerts on a replayed synthetic
-- scenario with the two rules peers use, per IP:
--   peer-daily: the day's rate >= 0.3 % (any SNDS day)
--   peer-7d:    7-day pooled rate >= 0.1 % (warning) with >= 1,000
--               recipients in the window
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

-- (method, ip, day) for every warning or critical alert day
CREATE TEMP TABLE eval_alert AS
SELECT 'repwatch'::text AS method, a.subject::inet AS ip, d.day
FROM repwatch.alert a JOIN repwatch.alert_day d ON d.alert_id = a.id
WHERE a.subject_kind = 'ip' AND d.severity IN ('warning', 'critical')
  AND a.rule IN ('level', 'rising', 'filter', 'listed', 'trap')
UNION
SELECT 'repwatch', t.ip, d.day
FROM repwatch.alert a JOIN repwatch.alert_day d ON d.alert_id = a.id
JOIN eval_truth_d t ON t.ip <<= a.subject::cidr
WHERE a.subject_kind = 'cidr' AND d.severity IN ('warning', 'critical')
  AND a.rule IN ('range-level', 'range-rising');

INSERT INTO eval_alert
SELECT 'peer-daily', f.ip, f.day
FROM repwatch.ip_day_facts(:'start'::date, (SELECT last_day FROM eval_days)) f
WHERE f.complaint_rate >= 0.003;

INSERT INTO eval_alert
SELECT 'peer-7d', x.ip, x.day FROM (
    SELECT f.ip, f.day,
           sum(f.recipients) OVER w AS n7, sum(f.complaints) OVER w AS c7
    FROM repwatch.ip_day_facts(:'start'::date,
                               (SELECT last_day FROM eval_days)) f
    WINDOW w AS (PARTITION BY f.ip ORDER BY f.day
                 RANGE BETWEEN interval '6 days' PRECEDING AND CURRENT ROW)
) x
WHERE x.n7 >= 1000 AND x.c7::float8 / x.n7 >= 0.001;

DELETE FROM eval_alert
WHERE day < (SELECT first_day FROM eval_days)
   OR day > (SELECT last_day FROM eval_days);

CREATE TEMP TABLE eval_method (method text PRIMARY KEY);
INSERT INTO eval_method VALUES ('repwatch'), ('peer-daily'), ('peer-7d');

-- positives: IPs whose true 7-day rate crosses 0.3 % in the evaluated days;
-- detection = first alert on or after the ramp's start
CREATE TEMP TABLE eval_lead AS
SELECT m.method, t.ip, t.kind, t.cross_day,
       (SELECT min(a.day) FROM eval_alert a
        WHERE a.method = m.method AND a.ip = t.ip
          AND a.day >= t.start_day) AS detected
FROM eval_method m CROSS JOIN eval_truth_d t
WHERE t.cross_day BETWEEN (SELECT first_day FROM eval_days)
                      AND (SELECT last_day FROM eval_days);

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
  (SELECT count(DISTINCT a.ip) FROM eval_alert a JOIN eval_truth_d t
     ON t.ip = a.ip WHERE a.method = m.method AND t.kind = 'stable')
     AS fa_stable,
  (SELECT count(DISTINCT a.ip) FROM eval_alert a JOIN eval_truth_d t
     ON t.ip = a.ip WHERE a.method = m.method AND t.kind = 'lowvol')
     AS fa_lowvol,
  (SELECT count(DISTINCT a.ip) FROM eval_alert a JOIN eval_truth_d t
     ON t.ip = a.ip WHERE a.method = m.method AND t.kind = 'intermittent')
     AS fa_intermittent,
  (SELECT count(*) FROM eval_alert a JOIN eval_truth_d t ON t.ip = a.ip
     WHERE a.method = m.method
       AND t.kind IN ('stable', 'lowvol', 'intermittent')) AS fa_days,
  (SELECT count(*) FROM eval_alert a JOIN eval_truth_d t ON t.ip = a.ip
     WHERE a.method = m.method AND t.kind = 'spike'
       AND a.day > t.start_day + 2) AS spike_days_after_2
FROM eval_method m;

\pset footer off
SELECT method, positives AS pos, detected_by_cross AS "hit<=cross",
       recall, median_lead AS "median lead d",
       fa_stable AS "FA stable IPs", fa_lowvol AS "FA low-vol IPs",
       fa_intermittent AS "FA interm. IPs", fa_days AS "FA days",
       spike_days_after_2 AS "spike days >2d"
FROM eval_result ORDER BY method DESC;

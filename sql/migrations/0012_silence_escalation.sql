-- 0012_silence_escalation - a silence holds "until D, or until the
-- incident escalates" (issue 13): notifications already stopped honouring
-- it after an escalation, but incident_current (and with it the report,
-- alerts, Prometheus' silenced count and the critical-incident rule) still
-- showed the incident as silenced. Same columns, one more condition.
CREATE OR REPLACE VIEW repwatch.incident_current AS
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
               OR (s.incident_id IS NULL AND s.subject = i.subject))
          AND (d.escalated_day IS NULL OR d.escalated_day <= s.from_day))
           AS silenced_until,
       d.day, d.escalated_day
FROM latest
JOIN repwatch.incident_day d ON d.day = latest.day
JOIN repwatch.incident i ON i.id = d.incident_id
WHERE d.state <> 'resolved';

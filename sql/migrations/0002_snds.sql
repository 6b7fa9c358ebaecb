-- 0002_snds: views over the SNDS tables for dashboards and the analyzer.

-- IP-status ranges expanded to one row per IP (ranges may cross octet
-- boundaries; a single IP is first = last). Filter on day and ip: a wide
-- range expands to many rows.
CREATE VIEW repwatch.snds_ip_status_per_ip AS
SELECT s.source, s.day, s.first_ip + n AS ip, s.blocked, s.reason,
       s.first_ip, s.last_ip
FROM repwatch.snds_ip_status s
CROSS JOIN LATERAL generate_series(0::bigint, s.last_ip - s.first_ip) AS n;

-- Health of each source's access: link age against the 30-day lifetime
-- (warning from day 25), token state, last success and last failure. The
-- analyzer turns "expiring", "expired" and "login-required" into alerts.
CREATE VIEW repwatch.snds_source_health AS
SELECT src.name AS source,
       src.kind,
       COALESCE(src.issued, src.first_used) AS issued,
       CASE WHEN src.kind = 'link' THEN
           current_date - COALESCE(src.issued, src.first_used) END AS age_days,
       CASE WHEN src.kind = 'link' THEN
           30 - (current_date - COALESCE(src.issued, src.first_used)) END
           AS days_left,
       CASE
           WHEN src.kind = 'api' THEN
               CASE WHEN src.token_state IN ('expired', 'missing')
                    THEN 'login-required'
                    WHEN src.token_state = 'failed' THEN 'failing'
                    ELSE 'ok' END
           WHEN COALESCE(src.issued, src.first_used) IS NULL THEN 'unknown'
           WHEN current_date - COALESCE(src.issued, src.first_used) > 30
               THEN 'expired'
           WHEN current_date - COALESCE(src.issued, src.first_used) >= 25
               THEN 'expiring'
           ELSE 'ok'
       END AS state,
       src.token_state,
       ok.last_success,
       bad.finished_at AS last_failure,
       bad.outcome AS last_failure_outcome,
       bad.message AS last_failure_message
FROM repwatch.snds_source src
LEFT JOIN LATERAL (
    SELECT max(l.finished_at) AS last_success
    FROM repwatch.snds_fetch_log l
    WHERE l.source = src.name AND l.outcome = 'ok'
) ok ON true
LEFT JOIN LATERAL (
    SELECT l.finished_at, l.outcome, l.message
    FROM repwatch.snds_fetch_log l
    WHERE l.source = src.name AND l.outcome NOT IN ('ok', 'no-data')
    ORDER BY l.id DESC LIMIT 1
) bad ON true;

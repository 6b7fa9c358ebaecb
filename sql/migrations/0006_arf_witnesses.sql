-- 0006_arf_witnesses: the audit trail of each report's sending IP
-- (issue 11). The parser derives the IP at the receiving provider's
-- trust boundary; it records every witness it read and whether the IP it
-- took lies inside the receiving provider's own networks (which, on real
-- data, must never happen: a complaint there matches none of the
-- sender's IPs). "repwatch arf reparse" rewrites these columns, the IP
-- and its origin from the stored headers.

ALTER TABLE repwatch.arf_report
    ADD COLUMN source_ip_witnesses jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN inside_provider boolean NOT NULL DEFAULT false;

COMMENT ON COLUMN repwatch.arf_report.source_ip_witnesses IS
    'every witness of the sending IP: [{"origin": ..., "ip": ...}]';
COMMENT ON COLUMN repwatch.arf_report.inside_provider IS
    'source_ip lies in the receiving provider''s networks (a wrong IP)';

-- repwatch.an_inside_provider_complaints - complaints of the W days ending
-- at D whose derived IP is inside the receiving provider (the unmatched
-- data-health rule reports them as their own count)
CREATE FUNCTION repwatch.an_inside_provider_complaints(d date, w integer)
RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    tz text := repwatch.an_timezone();
BEGIN
    RETURN (SELECT count(*) FROM repwatch.arf_report r
        WHERE r.inside_provider AND lower(r.feedback_type) = 'abuse'
          AND coalesce(r.arrival_date, r.received_at)
              >= ((d - (w - 1))::timestamp AT TIME ZONE tz)
          AND coalesce(r.arrival_date, r.received_at)
              < ((d + 1)::timestamp AT TIME ZONE tz));
END
$$;

-- Reports stored by earlier versions: a Microsoft complaint on one of
-- Microsoft's own Exchange Online networks (the trap of issue 11) is
-- flagged now, so the health check shows it before "arf reparse" runs.
-- The parser's full table is in arf/arf_infra.c; these are its
-- Microsoft networks.
UPDATE repwatch.arf_report
SET inside_provider = true
WHERE provider = 'microsoft' AND source_ip << ANY (ARRAY[
    '2603:1000::/24', '2a01:111::/32', '2620:1ec::/36',
    '40.92.0.0/15', '40.95.0.0/16', '40.96.0.0/13', '40.104.0.0/15',
    '40.107.0.0/16', '52.96.0.0/14', '52.100.0.0/14', '104.47.0.0/17',
    '23.103.160.0/20', '132.245.0.0/16', '25.0.0.0/8']::inet[]);

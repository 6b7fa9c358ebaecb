-- 0007_analyze_noise: what the analyzer needs to tell noise from news
-- (issue 12): a long window for low-volume IPs, the filter colour's flip
-- history per IP, and daily series with the SNDS band floor for the spike
-- check. Both functions read only days <= D (no look-ahead).

-- repwatch.an_ip_window(d, w, b, s, l, f) - the columns of the 4-argument
-- version, then: the L days ending at D (long window of the level rule for
-- low-volume IPs), and filter-colour counts: over the F days ending at D
-- (days with a colour, days YELLOW or worse, days RED), over the days of
-- the lookback before them (the same three: the IP's own flip history),
-- and RED days among the last two; complaints of the window on days
-- without the IP's own SNDS row.
--
-- Unlike the 4-argument version, complaints count only on days the IP has
-- an SNDS row: a lost row would otherwise add its complaints without its
-- recipients and inflate the rate (SNDS drops rows at random). An IP with
-- no row at all keeps its complaints in complaints_unrated_recent (they
-- "match no IP").
CREATE FUNCTION repwatch.an_ip_window(d date, w integer, b integer,
    s integer, l integer, f integer)
RETURNS TABLE (
    ip text, net text,
    recipients_recent bigint, complaints_recent bigint, days_recent bigint,
    recipients_base bigint, complaints_base bigint, days_base bigint,
    recipients_last bigint, complaints_last bigint,
    recipients_day bigint, complaints_day bigint,
    snds_complaints_low double precision, snds_rated_recent bigint,
    filter_last integer, filter_base double precision,
    trap_hits_last bigint, last_data_day date, data_days bigint,
    recipients_match_span bigint,
    recipients_long bigint, complaints_long bigint,
    snds_low_long double precision, snds_rated_long bigint,
    fdays_recent bigint, fyellow_recent bigint, fred_recent bigint,
    fdays_hist bigint, fyellow_hist bigint, fred_hist bigint,
    red_last2 bigint, complaints_unrated_recent bigint)
LANGUAGE sql STABLE AS $$
    WITH days AS (
        SELECT coalesce(array_agg(g::date), '{}') AS a
        FROM generate_series(d - (greatest(w + b, l) - 1), d,
                             interval '1 day') g
        WHERE EXISTS (SELECT 1 FROM repwatch.snds_daily x
                      WHERE x.day = g::date)
    ), u AS (
        SELECT f.ip, f.day, f.recipients AS n,
               CASE WHEN f.recipients IS NOT NULL THEN f.complaints
                    ELSE 0 END AS c,
               CASE WHEN f.recipients IS NULL AND f.day = ANY (days.a)
                    THEN f.complaints ELSE 0 END AS cu,
               f.snds_low AS low, f.snds_rated AS rated,
               f.filter_rank AS fr, f.trap_hits AS traps
        FROM repwatch.an_ip_day f, days
        WHERE f.day BETWEEN d - (greatest(w + b, l) - 1) AND d
    )
    SELECT host(u.ip),
           CASE WHEN family(u.ip) = 4
                THEN set_masklen(u.ip::cidr, 24)::text END,
           sum(u.n) FILTER (WHERE u.day > d - w),
           sum(u.c) FILTER (WHERE u.day > d - w),
           count(u.n) FILTER (WHERE u.day > d - w),
           sum(u.n) FILTER (WHERE u.day <= d - w AND u.day > d - w - b),
           sum(u.c) FILTER (WHERE u.day <= d - w AND u.day > d - w - b),
           count(u.n) FILTER (WHERE u.day <= d - w AND u.day > d - w - b),
           sum(u.n) FILTER (WHERE u.day > d - s),
           sum(u.c) FILTER (WHERE u.day > d - s),
           sum(u.n) FILTER (WHERE u.day = d),
           sum(u.c) FILTER (WHERE u.day = d),
           sum(u.low) FILTER (WHERE u.day > d - w),
           (sum(u.rated) FILTER (WHERE u.day > d - w))::bigint,
           (max(u.fr) FILTER (WHERE u.day > d - s))::integer,
           (avg(u.fr) FILTER (WHERE u.day <= d - w
                              AND u.day > d - w - b))::double precision,
           (sum(u.traps) FILTER (WHERE u.day > d - s))::bigint,
           max(u.day) FILTER (WHERE u.n IS NOT NULL),
           count(u.n) FILTER (WHERE u.day > d - w - b),
           sum(u.n) FILTER (WHERE u.day > d - w - 6),
           sum(u.n) FILTER (WHERE u.day > d - l),
           sum(u.c) FILTER (WHERE u.day > d - l),
           sum(u.low) FILTER (WHERE u.day > d - l),
           (sum(u.rated) FILTER (WHERE u.day > d - l))::bigint,
           count(u.fr) FILTER (WHERE u.day > d - f),
           count(u.fr) FILTER (WHERE u.day > d - f AND u.fr >= 2),
           count(u.fr) FILTER (WHERE u.day > d - f AND u.fr = 3),
           count(u.fr) FILTER (WHERE u.day <= d - f),
           count(u.fr) FILTER (WHERE u.day <= d - f AND u.fr >= 2),
           count(u.fr) FILTER (WHERE u.day <= d - f AND u.fr = 3),
           count(u.fr) FILTER (WHERE u.day > d - 2 AND u.fr = 3),
           sum(u.cu) FILTER (WHERE u.day > d - w)
    FROM u
    GROUP BY u.ip
$$;

-- repwatch.an_series_ex - repwatch.an_series plus the SNDS band floor
-- (complaints implied) and the recipients of rows with a band, per day;
-- complaints only of IPs with an SNDS row that day (as above).
CREATE FUNCTION repwatch.an_series_ex(d date, n integer, subjects text[])
RETURNS TABLE (subject text, day date, recipients bigint,
               complaints bigint, snds_low double precision,
               snds_rated bigint)
LANGUAGE sql STABLE AS $$
    WITH want AS MATERIALIZED (
        SELECT x::cidr AS sub, host(network(x::cidr))::inet AS lo,
               host(broadcast(x::cidr))::inet AS hi
        FROM unnest(subjects) x
    )
    SELECT CASE WHEN masklen(w.sub) IN (32, 128)
                THEN host(w.sub) ELSE w.sub::text END,
           f.day, sum(f.recipients)::bigint,
           (sum(f.complaints) FILTER (WHERE f.recipients IS NOT NULL))
               ::bigint,
           sum(f.snds_low), sum(f.snds_rated)::bigint
    FROM want w CROSS JOIN LATERAL (
        SELECT y.day, y.recipients, y.complaints, y.snds_low, y.snds_rated
        FROM repwatch.an_ip_day y
        WHERE y.ip BETWEEN w.lo AND w.hi
          AND y.day BETWEEN d - (n - 1) AND d
        OFFSET 0) f
    GROUP BY w.sub, f.day
    HAVING sum(f.recipients) IS NOT NULL
    ORDER BY 1, 2
$$;

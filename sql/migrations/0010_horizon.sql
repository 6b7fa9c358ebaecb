-- 0010_horizon: the last day that may hold data. A row dated after it (an
-- SNDS row in the future, a typo in "analyze --date", a complaint with a
-- future Arrival-Date) must never become the "latest" day: alerts follow
-- the latest analyzed day, so one such day ended every alert for good
-- (issue 17). Loads refuse such rows; every "latest day" query also stops
-- here, which keeps days stored by an earlier version out of the way.
-- The day after today in the sources' zone: a day of slack for clocks.
CREATE FUNCTION repwatch.an_horizon() RETURNS date
LANGUAGE sql STABLE AS $$
    SELECT (now() AT TIME ZONE repwatch.an_timezone())::date + 1
$$;

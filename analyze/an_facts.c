/*
 * an_facts - the analyzer's reads. The heavy lifting is the SQL function
 * repwatch.an_ip_window (0004_analyze.sql): one grouped scan per day.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "analyze/an_facts.h"
#include "analyze/an_mta.h"
#include "common/rw_error.h"
#include "common/rw_util.h"

int
an_facts_set_timezone(struct rw_db *db, const char *tz)
{
	const char *params[] = {tz};

	return rw_db_query(NULL, db,
	    "INSERT INTO repwatch.an_setting (key, value) "
	    "VALUES ('timezone', $1) ON CONFLICT (key) DO UPDATE "
	    "SET value = EXCLUDED.value "
	    "WHERE repwatch.an_setting.value IS DISTINCT FROM EXCLUDED.value",
	    1, params);
}

int
an_facts_refresh(int *out_days, struct rw_db *db)
{
	char *v = NULL;
	int mta = 0;
	int rc = rw_db_query1(&v, db, "SELECT repwatch.an_refresh_facts()", 0,
	    NULL);

	/* the MTA answers' copy too (an_mta_day, issue 15) */
	if (rc == 0)
		rc = an_mta_refresh(&mta, db);
	if (rc == 0 && out_days != NULL)
		*out_days = (v ? (int)g_ascii_strtoll(v, NULL, 10) : 0) + mta;
	g_free(v);
	return rc;
}

/* SNDS days and MTA days (in the analyzer's zone; min and max of the
 * hour column use its index) up to the horizon */
static const char data_days_sql[] =
    "WITH z AS (SELECT repwatch.an_timezone() AS tz, "
    "    repwatch.an_horizon() AS h), "
    "s AS (SELECT min(day) AS first, max(day) AS last "
    "    FROM repwatch.snds_daily, z WHERE day <= z.h), "
    "h AS (SELECT min(a.hour) AS lo, max(a.hour) AS hi "
    "    FROM repwatch.mta_attempt_hour a, z "
    "    WHERE a.hour < ((z.h + 1)::timestamp AT TIME ZONE z.tz)), "
    "m AS (SELECT (h.lo AT TIME ZONE z.tz)::date AS first, "
    "    (h.hi AT TIME ZONE z.tz)::date AS last FROM h, z) "
    "SELECT least(s.first, m.first)::text, greatest(s.last, m.last)::text "
    "FROM s, m";

int
an_facts_data_days(char **out_first, char **out_last, struct rw_db *db)
{
	PGresult *r = NULL;
	int rc;

	*out_first = *out_last = NULL;
	/* never past the horizon: a future day must not be the "latest";
	 * MTA answers count as data (a user may have no SNDS at all) */
	rc = rw_db_query(&r, db, data_days_sql, 0, NULL);
	if (rc == 0) {
		*out_first = rw_db_strdup(r, 0, 0);
		*out_last = rw_db_strdup(r, 0, 1);
	}
	PQclear(r);
	return rc;
}

int
an_facts_day_has_data(bool *out, struct rw_db *db, const char *day)
{
	const char *params[] = {day};
	char *v = NULL;
	int rc;

	rc = rw_db_query1(&v, db, "SELECT EXISTS (SELECT 1 FROM "
	    "repwatch.snds_daily WHERE day = $1::date)", 1, params);
	*out = rc == 0 && g_strcmp0(v, "t") == 0;
	g_free(v);
	return rc;
}

/* the double columns of repwatch.an_ip_window (its column order) */
static const struct {
	size_t offset;
	int col;
} window_doubles[] = {
	{offsetof(struct an_subject, n_recent), 2},
	{offsetof(struct an_subject, c_recent), 3},
	{offsetof(struct an_subject, days_recent), 4},
	{offsetof(struct an_subject, n_base), 5},
	{offsetof(struct an_subject, c_base), 6},
	{offsetof(struct an_subject, days_base), 7},
	{offsetof(struct an_subject, n_last), 8},
	{offsetof(struct an_subject, c_last), 9},
	{offsetof(struct an_subject, n_day), 10},
	{offsetof(struct an_subject, c_day), 11},
	{offsetof(struct an_subject, snds_low), 12},
	{offsetof(struct an_subject, snds_rated), 13},
	{offsetof(struct an_subject, filter_base), 15},
	{offsetof(struct an_subject, traps_last), 16},
	{offsetof(struct an_subject, data_days), 18},
	{offsetof(struct an_subject, n_match_span), 19},
	{offsetof(struct an_subject, n_long), 20},
	{offsetof(struct an_subject, c_long), 21},
	{offsetof(struct an_subject, snds_low_long), 22},
	{offsetof(struct an_subject, snds_rated_long), 23},
	{offsetof(struct an_subject, f_days), 24},
	{offsetof(struct an_subject, f_yellow), 25},
	{offsetof(struct an_subject, f_red), 26},
	{offsetof(struct an_subject, fh_days), 27},
	{offsetof(struct an_subject, fh_yellow), 28},
	{offsetof(struct an_subject, fh_red), 29},
};

/* one row of repwatch.an_ip_window */
static struct an_subject *
subject_from_row(const PGresult *r, int i)
{
	struct an_subject *s = an_subject_new(PQgetvalue(r, i, 0), false);

	s->net = rw_db_strdup(r, i, 1);
	for (size_t k = 0; k < G_N_ELEMENTS(window_doubles); k++)
		*(double *)(void *)((char *)s + window_doubles[k].offset) =
		    rw_db_double(r, i, window_doubles[k].col);
	s->filter_last = rw_db_int(r, i, 14, 0);
	s->days_since_data = rw_db_int(r, i, 17, -1);
	s->red_last2 = rw_db_int(r, i, 30, 0);
	/* complaints of an IP SNDS never rated match no IP: keep them for
	 * the unmatched share (they enter no rate: no recipients) */
	if (isnan(s->n_match_span) && isnan(s->n_recent))
		s->c_recent = rw_db_double(r, i, 31);
	return s;
}

/* the text[] literal of the subjects' keys */
static char *
keys_literal(GPtrArray *subjects)
{
	const char **keys = g_new(const char *, subjects->len);
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < subjects->len; i++)
		keys[i] = ((const struct an_subject *)subjects->pdata[i])->key;
	rw_db_array_literal(s, keys, subjects->len);
	g_free(keys);
	return g_string_free(s, FALSE);
}

/* the trap rule's numbers of the IPs with trap hits in the last S days
 * ($2): recipients of those days, hits and recipients of the baseline
 * days (the B = $4 days before the W = $3 days up to D), each only of
 * days with trap data; nothing after D */
static const char trap_sql[] =
    "SELECT host(f.ip), "
    "  sum(f.recipients) FILTER (WHERE f.day > $1::date - $2::int), "
    "  sum(f.trap_hits) FILTER (WHERE f.day <= $1::date - $3::int), "
    "  sum(f.recipients) FILTER (WHERE f.day <= $1::date - $3::int) "
    "FROM repwatch.an_ip_day f "
    "WHERE f.ip = ANY ($5::text[]::inet[]) AND f.day <= $1::date "
    "  AND f.day > $1::date - ($3::int + $4::int) "
    "  AND f.trap_hits IS NOT NULL AND f.recipients IS NOT NULL "
    "GROUP BY f.ip";

/* trap_baseline - fill trap_n_last, trap_hits_base and trap_n_base of the
 * SUBJECTS with trap hits (none since SNDS dropped traps on 2026-07-22:
 * then no query) */
static int
trap_baseline(struct rw_db *db, const char *day, GPtrArray *subjects,
    const struct an_params *p)
{
	GHashTable *by_key = g_hash_table_new(g_str_hash, g_str_equal);
	GPtrArray *hit = g_ptr_array_new();
	char s[16], w[16], b[16];
	const char *params[] = {day, s, w, b, NULL};
	g_autofree char *keys = NULL;
	PGresult *r = NULL;
	int rc = 0;

	for (guint i = 0; i < subjects->len; i++) {
		struct an_subject *x = subjects->pdata[i];

		if (x->traps_last > 0) {
			g_ptr_array_add(hit, x);
			g_hash_table_insert(by_key, x->key, x);
		}
	}
	if (hit->len == 0)
		goto cleanup;
	keys = keys_literal(hit);
	params[4] = keys;
	snprintf(s, sizeof(s), "%d", p->spike_days);
	snprintf(w, sizeof(w), "%d", p->window_days);
	snprintf(b, sizeof(b), "%d", p->baseline_days);
	rc = rw_db_query(&r, db, trap_sql, 5, params);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		struct an_subject *x = g_hash_table_lookup(by_key,
		    PQgetvalue(r, i, 0));

		if (x == NULL)
			continue;
		x->trap_n_last = rw_db_double(r, i, 1);
		x->trap_hits_base = rw_db_double(r, i, 2);
		x->trap_n_base = rw_db_double(r, i, 3);
	}
cleanup:
	PQclear(r);
	g_ptr_array_free(hit, TRUE);
	g_hash_table_destroy(by_key);
	return rc;
}

int
an_facts_window(GPtrArray **out, struct rw_db *db, const char *day,
    const struct an_params *p)
{
	char w[16], b[16], s[16], l[16], f[16];
	const char *params[] = {day, w, b, s, l, f};
	PGresult *r = NULL;
	GPtrArray *subjects;
	int rc;

	*out = NULL;
	snprintf(w, sizeof(w), "%d", p->window_days);
	snprintf(b, sizeof(b), "%d", p->baseline_days);
	snprintf(s, sizeof(s), "%d", p->spike_days);
	snprintf(l, sizeof(l), "%d", p->level_long_days);
	snprintf(f, sizeof(f), "%d", p->filter_days);
	rc = rw_db_query(&r, db, "SELECT ip, net, recipients_recent, "
	    "complaints_recent, days_recent, recipients_base, "
	    "complaints_base, days_base, recipients_last, complaints_last, "
	    "recipients_day, complaints_day, snds_complaints_low, "
	    "snds_rated_recent, filter_last, filter_base, trap_hits_last, "
	    "$1::date - last_data_day, data_days, recipients_match_span, "
	    "recipients_long, complaints_long, snds_low_long, snds_rated_long, "
	    "fdays_recent, fyellow_recent, fred_recent, fdays_hist, "
	    "fyellow_hist, fred_hist, red_last2, complaints_unrated_recent "
	    "FROM repwatch.an_ip_window($1::date, $2::int, $3::int, $4::int, "
	    "$5::int, $6::int)", 6, params);
	if (rc != 0)
		goto cleanup;
	subjects = g_ptr_array_new_full((guint)PQntuples(r),
	    (GDestroyNotify)an_subject_free);
	for (int i = 0; i < PQntuples(r); i++)
		g_ptr_array_add(subjects, subject_from_row(r, i));
	rc = trap_baseline(db, day, subjects, p);
	if (rc == 0)
		*out = subjects;
	else
		g_ptr_array_free(subjects, TRUE);
cleanup:
	PQclear(r);
	return rc;
}

/* rows [from, to) of the series result, all of one subject: keep the
 * daily values (spike check) and fit the trend on the last trend_days */
static void
fit_rows(struct an_subject *s, const PGresult *r, int from, int to,
    const GDate *end, int len, const struct an_params *p)
{
	int k = to - from, m = 0;
	double *t = g_new(double, k), *c = g_new(double, k);
	double *n = g_new(double, k);
	struct an_series *x = an_series_new(end, len);

	for (int i = 0; i < k; i++) {
		int back = -(int)rw_db_double(r, from + i, 1);
		double ci = rw_db_double(r, from + i, 3);

		if (isnan(ci))
			ci = 0;
		if (back >= 0 && back < len) {
			x->n[back] = rw_db_double(r, from + i, 2);
			x->c[back] = ci;
			x->low[back] = rw_db_double(r, from + i, 4);
			x->rated[back] = rw_db_double(r, from + i, 5);
		}
		if (back >= p->trend_days)
			continue;
		t[m] = -back;
		n[m] = rw_db_double(r, from + i, 2);
		c[m] = ci;
		m++;
	}
	an_trend_fit(&s->trend, t, c, n, (size_t)m);
	an_series_free(s->series);
	s->series = x;
	g_free(t);
	g_free(c);
	g_free(n);
}

static void
fit_all(GPtrArray *subjects, const PGresult *r, const GDate *end, int len,
    const struct an_params *p)
{
	GHashTable *by_key = g_hash_table_new(g_str_hash, g_str_equal);
	int i = 0, rows = PQntuples(r);

	for (guint j = 0; j < subjects->len; j++) {
		struct an_subject *s = subjects->pdata[j];

		g_hash_table_insert(by_key, s->key, s);
	}
	while (i < rows) {
		const char *key = PQgetvalue(r, i, 0);
		struct an_subject *s = g_hash_table_lookup(by_key, key);
		int stop = i + 1;

		while (stop < rows && strcmp(PQgetvalue(r, stop, 0), key) == 0)
			stop++;
		if (s != NULL)
			fit_rows(s, r, i, stop, end, len, p);
		i = stop;
	}
	g_hash_table_destroy(by_key);
}

int
an_facts_trends(struct rw_db *db, const char *day, GPtrArray *subjects,
    const struct an_params *p)
{
	char n[16];
	g_autofree char *keys = NULL;
	const char *params[] = {day, n, NULL};
	PGresult *r = NULL;
	GDate end;
	int rc, len = MAX(p->trend_days, MAX(p->window_days,
	    p->level_long_days));

	if (subjects->len == 0)
		return 0;
	rc = rw_parse_date(&end, day);
	if (rc != 0)
		return rc;
	keys = keys_literal(subjects);
	params[2] = keys;
	snprintf(n, sizeof(n), "%d", len);
	rc = rw_db_query(&r, db, "SELECT subject, day - $1::date, "
	    "recipients, complaints, snds_low, snds_rated "
	    "FROM repwatch.an_series_ex($1::date, $2::int, $3::text[])", 3,
	    params);
	if (rc == 0)
		fit_all(subjects, r, &end, len, p);
	PQclear(r);
	return rc;
}

static const char sources_sql[] =
    "WITH z AS (SELECT (($1::date + 1)::timestamp "
    "    AT TIME ZONE repwatch.an_timezone()) AS day_end) "
    "SELECT s.name, s.kind, "
    "  (SELECT $1::date - max((l.started_at AT TIME ZONE "
    "       repwatch.an_timezone())::date) "
    "   FROM repwatch.snds_fetch_log l WHERE l.source = s.name "
    "   AND l.kind = 'data' AND l.outcome IN ('ok', 'no-data') "
    "   AND l.started_at < z.day_end), "
    "  CASE WHEN coalesce(s.issued, s.first_used) <= $1::date "
    "       THEN $1::date - coalesce(s.issued, s.first_used) END, "
    "  CASE WHEN s.token_checked < z.day_end THEN s.token_state END, "
    "  EXISTS (SELECT 1 FROM repwatch.snds_fetch_log l "
    "          WHERE l.source = s.name AND l.started_at < z.day_end) "
    "FROM repwatch.snds_source s, z ORDER BY s.name";

typedef void *(*row_fn)(const PGresult *r, int i);

/* day_rows - one struct per row of SQL ($1 = DAY), made by MAKE */
static int
day_rows(GPtrArray **out, struct rw_db *db, const char *sql, const char *day,
    GDestroyNotify free_fn, row_fn make)
{
	const char *params[] = {day};
	PGresult *r = NULL;
	int rc;

	*out = g_ptr_array_new_with_free_func(free_fn);
	rc = rw_db_query(&r, db, sql, 1, params);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		g_ptr_array_add(*out, make(r, i));
	PQclear(r);
	return rc;
}

static void *
source_row(const PGresult *r, int i)
{
	struct an_source_state *s = g_new0(struct an_source_state, 1);
	bool fetched_before = strcmp(PQgetvalue(r, i, 5), "t") == 0;

	s->name = rw_db_strdup(r, i, 0);
	s->kind = rw_db_strdup(r, i, 1);
	/* fetched before, but never successfully: as stale as it gets */
	s->days_since_fetch = rw_db_int(r, i, 2, fetched_before ? 999 : -1);
	s->link_age_days = rw_db_int(r, i, 3, -1);
	s->token_state = rw_db_strdup(r, i, 4);
	return s;
}

int
an_facts_sources(GPtrArray **out, struct rw_db *db, const char *day)
{
	return day_rows(out, db, sources_sql, day,
	    (GDestroyNotify)an_source_state_free, source_row);
}

static const char listings_sql[] =
    "WITH snap AS ("
    "  SELECT source, max(day) AS day FROM repwatch.snds_status_snapshot "
    "  WHERE day <= $1::date AND day > $1::date - 3 GROUP BY source), "
    "prev AS ("
    "  SELECT s.source, (SELECT max(p.day) FROM "
    "    repwatch.snds_status_snapshot p WHERE p.source = s.source "
    "    AND p.day < s.day) AS day FROM snap s) "
    "SELECT host(r.first_ip), host(r.last_ip), r.source, r.reason, "
    "  r.blocked, NOT EXISTS (SELECT 1 FROM repwatch.snds_ip_status q "
    "    JOIN prev ON q.source = prev.source AND q.day = prev.day "
    "    WHERE q.source = r.source AND q.first_ip = r.first_ip "
    "    AND q.last_ip = r.last_ip), "
    "  (SELECT count(*) FROM repwatch.snds_ip_status q "
    "    WHERE q.source = r.source AND q.first_ip = r.first_ip "
    "    AND q.last_ip = r.last_ip AND q.day <= $1::date) "
    "FROM repwatch.snds_ip_status r JOIN snap "
    "  ON r.source = snap.source AND r.day = snap.day "
    "ORDER BY r.first_ip, r.last_ip, r.source";

static void *
listing_row(const PGresult *r, int i)
{
	struct an_listing *l = g_new0(struct an_listing, 1);

	l->first_ip = rw_db_strdup(r, i, 0);
	l->last_ip = rw_db_strdup(r, i, 1);
	l->source = rw_db_strdup(r, i, 2);
	l->reason = rw_db_strdup(r, i, 3);
	l->blocked = strcmp(PQgetvalue(r, i, 4), "t") == 0;
	l->is_new = strcmp(PQgetvalue(r, i, 5), "t") == 0;
	l->listed_days = rw_db_int(r, i, 6, 0);
	return l;
}

int
an_facts_listings(GPtrArray **out, struct rw_db *db, const char *day)
{
	return day_rows(out, db, listings_sql, day,
	    (GDestroyNotify)an_listing_free, listing_row);
}

int
an_facts_unmatched(double *out_complaints, double *out_unmatched,
    struct rw_db *db, const char *day, GPtrArray *ips,
    const struct an_params *p)
{
	char w[16];
	const char *params[] = {day, w};
	char *v = NULL;
	double no_ip;
	int rc;

	snprintf(w, sizeof(w), "%d", p->window_days);
	*out_complaints = *out_unmatched = 0;
	rc = rw_db_query1(&v, db, "SELECT repwatch.an_no_ip_complaints("
	    "$1::date, $2::int)", 2, params);
	if (rc != 0)
		return rc;
	no_ip = v ? g_ascii_strtod(v, NULL) : 0;
	g_free(v);
	for (guint i = 0; i < ips->len; i++) {
		const struct an_subject *s = ips->pdata[i];
		double c = isnan(s->c_recent) ? 0 : s->c_recent;

		*out_complaints += c;
		if (isnan(s->n_match_span))
			*out_unmatched += c;
	}
	*out_complaints += no_ip;
	*out_unmatched += no_ip;
	return 0;
}

int
an_facts_inside_provider(double *out, struct rw_db *db, const char *day,
    const struct an_params *p)
{
	char w[16];
	const char *params[] = {day, w};
	char *v = NULL;
	int rc;

	snprintf(w, sizeof(w), "%d", p->window_days);
	*out = 0;
	rc = rw_db_query1(&v, db, "SELECT repwatch.an_inside_provider_"
	    "complaints($1::date, $2::int)", 2, params);
	if (rc == 0 && v != NULL)
		*out = g_ascii_strtod(v, NULL);
	g_free(v);
	return rc;
}

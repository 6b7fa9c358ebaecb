/*
 * an_alerts - findings in by COPY, merged by set-based SQL, listed out.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/rw_json.h"
#include "analyze/an_alerts.h"
#include "common/rw_error.h"

static void
member_num(JsonBuilder *b, const char *name, double v)
{
	json_builder_set_member_name(b, name);
	if (isfinite(v))
		json_builder_add_double_value(b, v);
	else
		json_builder_add_null_value(b);
}

static void
add_extra(JsonObject *o, const char *name, JsonNode *node, gpointer data)
{
	JsonBuilder *b = data;

	(void)o;
	json_builder_set_member_name(b, name);
	json_builder_add_value(b, json_node_copy(node));
}

char *
an_finding_details(const struct an_finding *f)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *root;
	char *s;

	json_builder_begin_object(b);
	member_num(b, "rate_7d", f->rate_7d);
	member_num(b, "recipients_7d", f->recipients_7d);
	member_num(b, "complaints_7d", f->complaints_7d);
	member_num(b, "baseline_rate", f->baseline_rate);
	member_num(b, "ratio", f->ratio);
	member_num(b, "p_value", f->p_value);
	member_num(b, "q_value", f->q_value);
	json_builder_set_member_name(b, "forecast_days");
	if (f->forecast_days >= 0)
		json_builder_add_int_value(b, f->forecast_days);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "message");
	json_builder_add_string_value(b, f->message ? f->message : "");
	json_object_foreach_member(f->extra, add_extra, b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	s = rw_json_to_string(root);
	json_node_unref(root);
	g_object_unref(b);
	return s;
}

static int
copy_findings(struct rw_db *db, const char *day, GPtrArray *findings)
{
	struct rw_copy *c = NULL;
	int rc = rw_copy_begin(&c, db, "repwatch.an_finding",
	    "day, subject_kind, subject, source, rule, severity, details");

	for (guint i = 0; rc == 0 && i < findings->len; i++) {
		const struct an_finding *f = findings->pdata[i];
		g_autofree char *details = an_finding_details(f);

		rw_copy_field(c, day);
		rw_copy_field(c, f->subject_kind);
		rw_copy_field(c, f->subject);
		rw_copy_field(c, f->source);
		rw_copy_field(c, f->rule);
		rw_copy_field(c, an_severity_name(f->severity));
		rw_copy_field(c, details);
		rc = rw_copy_end_row(c);
	}
	if (rc != 0) {
		rw_copy_abort(c, "analyzer error");
		return rc;
	}
	return rw_copy_finish(c, NULL);
}

/*
 * The merge, in order: replace the day's history; create alerts never seen;
 * record the day with its episode start (continuing when the alert held on
 * the previous analyzed day); record the run; drop alerts left without
 * history by a re-run. $1 = day, $2 = subjects.
 */
static const char *const merge_sql[] = {
	"DELETE FROM repwatch.alert_day WHERE day = $1::date",
	"CREATE TEMPORARY TABLE IF NOT EXISTS an_f (LIKE repwatch.an_finding)",
	"TRUNCATE pg_temp.an_f",
	"INSERT INTO pg_temp.an_f SELECT DISTINCT ON (subject_kind, subject, "
	"  rule) * FROM repwatch.an_finding WHERE day = $1::date "
	"  ORDER BY subject_kind, subject, rule, "
	"  repwatch.severity_rank(severity) DESC",
	"INSERT INTO repwatch.alert (subject_kind, subject, source, rule, "
	"  severity, state, first_day, last_day, details) "
	"SELECT subject_kind, subject, source, rule, severity, 'open', day, "
	"  day, details FROM pg_temp.an_f "
	"ON CONFLICT (subject_kind, subject, rule) DO NOTHING",
	"WITH prev AS (SELECT max(day) AS day FROM repwatch.analysis_run "
	"  WHERE day < $1::date) "
	"INSERT INTO repwatch.alert_day (alert_id, day, severity, details, "
	"  episode_start) "
	"SELECT a.id, f.day, f.severity, f.details, "
	"  coalesce(p.episode_start, f.day) "
	"FROM pg_temp.an_f f JOIN repwatch.alert a USING (subject_kind, "
	"  subject, rule) CROSS JOIN prev "
	"LEFT JOIN repwatch.alert_day p ON p.alert_id = a.id "
	"  AND p.day = prev.day",
	"INSERT INTO repwatch.analysis_run (day, subjects, alerts_open) "
	"SELECT $1::date, $2::int, count(*) FROM repwatch.alert_day "
	"  WHERE day = $1::date "
	"ON CONFLICT (day) DO UPDATE SET analyzed_at = now(), "
	"  subjects = EXCLUDED.subjects, alerts_open = EXCLUDED.alerts_open",
	"DELETE FROM repwatch.alert a WHERE NOT EXISTS (SELECT 1 FROM "
	"  repwatch.alert_day d WHERE d.alert_id = a.id)",
	"DELETE FROM repwatch.an_finding WHERE day = $1::date",
	NULL,
};

/* alert rows follow the latest analyzed day only, never one after the
 * horizon (an earlier version could store one); $1 = day */
static const char *const latest_sql[] = {
	"UPDATE repwatch.alert a SET state = 'open', severity = d.severity, "
	"  first_day = d.episode_start, last_day = d.day, resolved_day = NULL, "
	"  details = d.details, updated_at = now() "
	"FROM repwatch.alert_day d WHERE d.alert_id = a.id "
	"  AND d.day = $1::date "
	"  AND $1::date >= (SELECT max(day) FROM repwatch.analysis_run "
	"    WHERE day <= repwatch.an_horizon())",
	"UPDATE repwatch.alert a SET state = 'resolved', resolved_day = $1::date, "
	"  last_day = coalesce((SELECT max(d.day) FROM repwatch.alert_day d "
	"    WHERE d.alert_id = a.id AND d.day < $1::date), a.last_day), "
	"  updated_at = now() "
	"WHERE (a.state = 'open' OR a.last_day >= $1::date) "
	"  AND NOT EXISTS (SELECT 1 FROM repwatch.alert_day d "
	"    WHERE d.alert_id = a.id AND d.day = $1::date) "
	"  AND $1::date >= (SELECT max(day) FROM repwatch.analysis_run "
	"    WHERE day <= repwatch.an_horizon())",
	NULL,
};

/* highest $N in SQL: the server wants exactly that many parameters */
static int
params_used(const char *sql)
{
	int n = 0;

	for (const char *p = strchr(sql, '$'); p; p = strchr(p + 1, '$'))
		if (p[1] >= '1' && p[1] <= '9' && p[1] - '0' > n)
			n = p[1] - '0';
	return n;
}

static int
run_all(struct rw_db *db, const char *const *sql,
    const char *const *params)
{
	int rc = 0;

	for (int i = 0; rc == 0 && sql[i] != NULL; i++)
		rc = rw_db_query(NULL, db, sql[i], params_used(sql[i]),
		    params);
	return rc;
}

int
an_alerts_write_day(int *out_open, struct rw_db *db, const char *day,
    GPtrArray *findings, int subjects)
{
	char nsub[16];
	const char *params[] = {day, nsub};
	char *open = NULL;
	int rc;

	snprintf(nsub, sizeof(nsub), "%d", subjects);
	rc = rw_db_query(NULL, db, "DELETE FROM repwatch.an_finding "
	    "WHERE day = $1::date", 1, params);
	if (rc == 0)
		rc = copy_findings(db, day, findings);
	if (rc == 0)
		rc = run_all(db, merge_sql, params);
	if (rc == 0)
		rc = run_all(db, latest_sql, params);
	if (rc == 0 && out_open != NULL)
		rc = rw_db_query1(&open, db, "SELECT count(*) FROM "
		    "repwatch.alert_day WHERE day = $1::date", 1, params);
	if (rc == 0 && out_open != NULL)
		*out_open = (int)g_ascii_strtoll(open, NULL, 10);
	g_free(open);
	if (rc != 0)
		rw_error_prefix("analyze %s", day);
	return rc;
}

void
an_alert_row_free(struct an_alert_row *a)
{
	if (a == NULL)
		return;
	g_free(a->subject_kind);
	g_free(a->subject);
	g_free(a->source);
	g_free(a->day);
	g_free(a->rule);
	g_free(a->severity);
	g_free(a->state);
	g_free(a->first_day);
	if (a->details != NULL)
		json_object_unref(a->details);
	g_free(a);
}

/* open on the listed day, or resolved on it (held the analyzed day
 * before, not on it); $1..$2 days, $3 only open, $4 minimum rank */
static const char list_sql[] =
    "WITH days AS (SELECT day, lag(day) OVER (ORDER BY day) AS prev "
    "  FROM repwatch.analysis_run), "
    "listed AS (SELECT * FROM days WHERE day BETWEEN $1::date AND $2::date), "
    "rows AS ("
    "  SELECT d.alert_id, l.day, d.severity, 'open' AS state, "
    "    d.episode_start, d.details FROM listed l "
    "  JOIN repwatch.alert_day d ON d.day = l.day "
    "  UNION ALL "
    "  SELECT d.alert_id, l.day, d.severity, 'resolved', d.episode_start, "
    "    d.details FROM listed l "
    "  JOIN repwatch.alert_day d ON d.day = l.prev "
    "  WHERE NOT $3::boolean AND NOT EXISTS (SELECT 1 FROM "
    "    repwatch.alert_day x WHERE x.alert_id = d.alert_id "
    "    AND x.day = l.day)) "
    "SELECT a.subject_kind, a.subject, a.source, r.day::text, a.rule, "
    "  r.severity, r.state, r.episode_start::text, r.details::text "
    "FROM rows r JOIN repwatch.alert a ON a.id = r.alert_id "
    "WHERE repwatch.severity_rank(r.severity) >= $4::int "
    "ORDER BY r.day, repwatch.severity_rank(r.severity) DESC, "
    "  r.state, a.rule, a.subject";

static JsonObject *
parse_details(const char *text)
{
	JsonParser *p = json_parser_new();
	JsonObject *o = NULL;

	if (json_parser_load_from_data(p, text, -1, NULL) &&
	    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		o = json_object_ref(json_node_get_object(
		    json_parser_get_root(p)));
	g_object_unref(p);
	return o != NULL ? o : json_object_new();
}

static struct an_alert_row *
row_from(const PGresult *r, int i)
{
	struct an_alert_row *a = g_new0(struct an_alert_row, 1);
	char **slots[] = {&a->subject_kind, &a->subject, &a->source, &a->day,
	    &a->rule, &a->severity, &a->state, &a->first_day};

	for (int c = 0; c < 8; c++)
		*slots[c] = PQgetisnull(r, i, c) ? NULL :
		    g_strdup(PQgetvalue(r, i, c));
	a->details = parse_details(PQgetvalue(r, i, 8));
	return a;
}

int
an_alerts_list(GPtrArray **out, struct rw_db *db, const char *from,
    const char *to, bool only_open, enum an_severity min_severity)
{
	char rank[8];
	const char *params[] = {from, to, only_open ? "t" : "f", rank};
	PGresult *r = NULL;
	int rc;

	snprintf(rank, sizeof(rank), "%d", (int)min_severity);
	*out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)an_alert_row_free);
	rc = rw_db_query(&r, db, list_sql, 4, params);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		g_ptr_array_add(*out, row_from(r, i));
	PQclear(r);
	return rc;
}

int
an_alerts_latest_day(char **out, struct rw_db *db)
{
	return rw_db_query1(out, db, "SELECT max(day)::text FROM "
	    "repwatch.analysis_run WHERE day <= repwatch.an_horizon()", 0,
	    NULL);
}

int
an_alerts_open_counts(int *out_open, int *out_critical, struct rw_db *db)
{
	PGresult *res = NULL;
	int rc = rw_db_query(&res, db, "SELECT count(*), count(*) FILTER "
	    "(WHERE severity = 'critical') FROM repwatch.alert WHERE state = "
	    "'open'", 0, NULL);

	*out_open = *out_critical = 0;
	if (rc == 0) {
		*out_open = (int)g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL,
		    10);
		*out_critical = (int)g_ascii_strtoll(PQgetvalue(res, 0, 1),
		    NULL, 10);
	}
	PQclear(res);
	return rc;
}

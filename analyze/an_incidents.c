/*
 * an_incidents - the day's alert rows in, an_fold, incident rows out by
 * COPY and set-based SQL; listed, looked up and picked for notification.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analyze/an_fold.h"
#include "analyze/an_incidents.h"
#include "common/rw_error.h"

static const char *const state_names[] = {"open", "escalated", "resolved"};

const char *
an_incident_state_name(enum an_incident_state s)
{
	return s <= AN_INC_RESOLVED ? state_names[s] : "open";
}

int
an_incident_state_parse(const char *s)
{
	for (int i = 0; s != NULL && i < (int)G_N_ELEMENTS(state_names); i++)
		if (strcmp(s, state_names[i]) == 0)
			return i;
	return -1;
}

static void
numbers_clear(struct an_incident_numbers *n)
{
	g_free(n->filter);
	g_free(n->message);
}

void
an_incident_member_free(struct an_incident_member *m)
{
	if (m == NULL)
		return;
	g_free(m->ip);
	g_strfreev(m->rules);
	numbers_clear(&m->num);
	g_free(m);
}

struct an_incident *
an_incident_new(void)
{
	struct an_incident *i = g_new0(struct an_incident, 1);

	i->members = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)an_incident_member_free);
	i->num = (struct an_incident_numbers){NAN, NAN, NAN, NAN, -1, false,
	    NULL, NULL};
	return i;
}

void
an_incident_free(struct an_incident *i)
{
	if (i == NULL)
		return;
	g_free(i->id);
	g_free(i->subject);
	g_free(i->net);
	g_free(i->day);
	g_free(i->first_day);
	g_free(i->last_day);
	g_free(i->resolved_day);
	g_free(i->escalated_day);
	g_free(i->folded_into);
	g_strfreev(i->rules);
	g_ptr_array_free(i->members, TRUE);
	numbers_clear(&i->num);
	g_free(i->silenced_until);
	g_free(i);
}

const char *
an_incident_kind(const struct an_incident *i)
{
	return i->is_range ? "range" : "ip";
}

#define ID_PREFIX "inc-"
#define ID_HEX 12

char *
an_incident_id(const char *subject, const char *first_day)
{
	char *key = g_strdup_printf("%s %s", subject, first_day);
	char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, key, -1);
	char *id = g_strdup_printf(ID_PREFIX "%.*s", ID_HEX, sum);

	g_free(sum);
	g_free(key);
	return id;
}

bool
an_incident_is_id(const char *text)
{
	if (text == NULL || !g_str_has_prefix(text, ID_PREFIX) ||
	    strlen(text) != strlen(ID_PREFIX) + ID_HEX)
		return false;
	for (const char *p = text + strlen(ID_PREFIX); *p; p++)
		if (!g_ascii_isxdigit(*p) || g_ascii_isupper(*p))
			return false;
	return true;
}

/* ---- reading rows ------------------------------------------------- */

static enum an_severity
severity_at(const PGresult *r, int row, int col)
{
	int s = an_severity_parse(PQgetvalue(r, row, col));

	return s < 0 ? AN_INFO : (enum an_severity)s;
}

static char **
rules_at(const PGresult *r, int row, int col)
{
	const char *v = PQgetvalue(r, row, col);

	return *v ? g_strsplit(v, ",", -1) : g_new0(char *, 1);
}

/* rate_7d .. message from column COL on */
static void
numbers_at(struct an_incident_numbers *n, const PGresult *r, int row,
    int col)
{
	n->rate_7d = rw_db_double(r, row, col);
	n->recipients_7d = rw_db_double(r, row, col + 1);
	n->complaints_7d = rw_db_double(r, row, col + 2);
	n->baseline_rate = rw_db_double(r, row, col + 3);
	n->forecast_days = rw_db_int(r, row, col + 4, -1);
	n->listed = rw_db_bool(r, row, col + 5);
	n->filter = rw_db_strdup(r, row, col + 6);
	n->message = rw_db_strdup(r, row, col + 7);
}

/* the columns every incident read selects (d = incident_day, i =
 * incident), in the order of incident_at */
#define INC_COLS                                                          \
	"i.id, i.subject, i.kind = 'range', CASE WHEN i.kind = 'ip' THEN "  \
	"  CASE WHEN family(i.subject::inet) = 4 THEN "                    \
	"  network(set_masklen(i.subject::inet, 24))::text END END, "      \
	"d.day::text, d.state, d.severity, i.first_day::text, "            \
	"d.last_day::text, d.resolved_day::text, d.escalated_day::text, "  \
	"d.folded_into, array_to_string(d.rules, ','), d.rate_7d, "        \
	"d.recipients_7d, d.complaints_7d, d.baseline_rate, "              \
	"d.forecast_days, d.listed, d.filter, d.message, "                 \
	"(SELECT max(s.until) FROM repwatch.silence s "                    \
	"  WHERE s.lifted_at IS NULL AND s.until >= d.day "                \
	"  AND (s.incident_id = i.id OR (s.incident_id IS NULL "           \
	"  AND s.subject = i.subject)) AND (d.escalated_day IS NULL "      \
	"  OR d.escalated_day <= s.from_day))::text, "                     \
	"d.peak_severity, d.holding, d.quiet_days"

#define INC_FROM                                                          \
	" FROM repwatch.incident_day d JOIN repwatch.incident i "          \
	"ON i.id = d.incident_id "

static struct an_incident *
incident_at(const PGresult *r, int row)
{
	struct an_incident *i = an_incident_new();
	int st = an_incident_state_parse(PQgetvalue(r, row, 5));

	i->id = rw_db_strdup(r, row, 0);
	i->subject = rw_db_strdup(r, row, 1);
	i->is_range = rw_db_bool(r, row, 2);
	i->net = rw_db_strdup(r, row, 3);
	i->day = rw_db_strdup(r, row, 4);
	i->state = st < 0 ? AN_INC_OPEN : (enum an_incident_state)st;
	i->severity = severity_at(r, row, 6);
	i->first_day = rw_db_strdup(r, row, 7);
	i->last_day = rw_db_strdup(r, row, 8);
	i->resolved_day = rw_db_strdup(r, row, 9);
	i->escalated_day = rw_db_strdup(r, row, 10);
	i->folded_into = rw_db_strdup(r, row, 11);
	i->rules = rules_at(r, row, 12);
	numbers_at(&i->num, r, row, 13);
	i->silenced_until = rw_db_strdup(r, row, 21);
	i->peak = severity_at(r, row, 22);
	i->holding = rw_db_bool(r, row, 23);
	i->quiet_days = rw_db_int(r, row, 24, 0);
	return i;
}

static int
incidents_query(GPtrArray **out, struct rw_db *db, const char *sql,
    int nparams, const char *const *params)
{
	PGresult *r = NULL;
	int rc = rw_db_query(&r, db, sql, nparams, params);

	*out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)an_incident_free);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		g_ptr_array_add(*out, incident_at(r, i));
	PQclear(r);
	return rc;
}

static const char members_sql[] =
    "SELECT m.incident_id || ' ' || m.day::text, m.ip, m.severity, "
    "array_to_string(m.rules, ','), m.rate_7d, m.recipients_7d, "
    "m.complaints_7d, m.baseline_rate, m.forecast_days, m.listed, "
    "m.filter, m.message FROM repwatch.incident_member_day m "
    "WHERE m.day BETWEEN $1::date AND $2::date "
    "ORDER BY m.incident_id, m.day, m.ip::inet";

/* attach the members of the days FROM..TO to the range INCIDENTS */
static int
attach_members(struct rw_db *db, GPtrArray *incidents, const char *from,
    const char *to)
{
	const char *params[] = {from, to};
	GHashTable *by = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, NULL);
	PGresult *r = NULL;
	int rc = 0;

	for (guint k = 0; k < incidents->len; k++) {
		struct an_incident *i = incidents->pdata[k];

		if (i->is_range)
			g_hash_table_insert(by, g_strdup_printf("%s %s",
			    i->id, i->day), i);
	}
	if (g_hash_table_size(by) > 0)
		rc = rw_db_query(&r, db, members_sql, 2, params);
	for (int row = 0; r != NULL && rc == 0 && row < PQntuples(r); row++) {
		struct an_incident *i = g_hash_table_lookup(by,
		    PQgetvalue(r, row, 0));
		struct an_incident_member *m;

		if (i == NULL)
			continue;
		m = g_new0(struct an_incident_member, 1);
		m->ip = rw_db_strdup(r, row, 1);
		m->severity = severity_at(r, row, 2);
		m->rules = rules_at(r, row, 3);
		numbers_at(&m->num, r, row, 4);
		g_ptr_array_add(i->members, m);
	}
	PQclear(r);
	g_hash_table_destroy(by);
	return rc;
}

/* ---- writing a day ------------------------------------------------ */

/* the day's alerts on IPs and ranges, mapped to incident subjects */
static const char evidence_sql[] =
    "SELECT m.subject, m.kind = 'range', CASE WHEN m.kind = 'ip' THEN "
    "  CASE WHEN family(m.subject::inet) = 4 THEN "
    "  network(set_masklen(m.subject::inet, 24))::text END END, "
    "a.rule, d.severity, d.episode_start::text, "
    "d.details ->> 'rate_7d', d.details ->> 'recipients_7d', "
    "d.details ->> 'complaints_7d', d.details ->> 'baseline_rate', "
    "d.details ->> 'forecast_days', 'f', NULL, d.details ->> 'message' "
    "FROM repwatch.alert_day d "
    "JOIN repwatch.alert a ON a.id = d.alert_id "
    "CROSS JOIN LATERAL repwatch.incident_subjects(a.subject_kind, "
    "  a.subject) m "
    "WHERE d.day = $1::date ORDER BY 1, 4";

static int
read_evidence(GPtrArray **out, struct rw_db *db, const char *day)
{
	const char *params[] = {day};
	PGresult *r = NULL;
	int rc = rw_db_query(&r, db, evidence_sql, 1, params);

	*out = g_ptr_array_new_with_free_func((GDestroyNotify)an_evidence_free);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		struct an_evidence *e = g_new0(struct an_evidence, 1);

		e->subject = rw_db_strdup(r, i, 0);
		e->is_range = rw_db_bool(r, i, 1);
		e->net = rw_db_strdup(r, i, 2);
		e->rule = rw_db_strdup(r, i, 3);
		e->severity = severity_at(r, i, 4);
		e->episode_start = rw_db_strdup(r, i, 5);
		numbers_at(&e->num, r, i, 6);
		g_ptr_array_add(*out, e);
	}
	PQclear(r);
	return rc;
}

/* the last day before $1 each subject of $1's alerts had an incident
 * resolve */
static const char resolved_sql[] =
    "SELECT i.subject, max(d.day)::text FROM repwatch.incident_day d "
    "JOIN repwatch.incident i ON i.id = d.incident_id "
    "WHERE d.state = 'resolved' AND d.day < $1::date "
    "AND i.subject IN (SELECT m.subject FROM repwatch.alert_day x "
    "  JOIN repwatch.alert a ON a.id = x.alert_id "
    "  CROSS JOIN LATERAL repwatch.incident_subjects(a.subject_kind, "
    "  a.subject) m WHERE x.day = $1::date) "
    "GROUP BY i.subject";

static int
read_prev(GPtrArray **out_prev, GHashTable **out_resolved,
    struct rw_db *db, const char *day)
{
	const char *params[] = {day};
	PGresult *r = NULL;
	int rc;

	*out_resolved = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	rc = incidents_query(out_prev, db, "SELECT " INC_COLS INC_FROM
	    "WHERE d.state <> 'resolved' AND d.day = (SELECT max(x.day) "
	    "FROM repwatch.analysis_run x WHERE x.day < $1::date)", 1,
	    params);
	if (rc == 0)
		rc = rw_db_query(&r, db, resolved_sql, 1, params);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		g_hash_table_insert(*out_resolved, rw_db_strdup(r, i, 0),
		    rw_db_strdup(r, i, 1));
	PQclear(r);
	return rc;
}

static void
copy_double(struct rw_copy *c, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	rw_copy_field(c, isfinite(v) ? g_ascii_dtostr(buf, sizeof(buf), v) :
	    NULL);
}

/* severity, rules, rate_7d .. message */
static void
copy_evidence(struct rw_copy *c, enum an_severity sev, char **rules,
    const struct an_incident_numbers *n)
{
	char *joined = g_strjoinv(",", rules);

	rw_copy_field(c, an_severity_name(sev));
	rw_copy_field(c, joined);
	copy_double(c, n->rate_7d);
	copy_double(c, n->recipients_7d);
	copy_double(c, n->complaints_7d);
	copy_double(c, n->baseline_rate);
	if (n->forecast_days >= 0)
		rw_copy_field_int(c, n->forecast_days);
	else
		rw_copy_field(c, NULL);
	rw_copy_field(c, n->listed ? "t" : "f");
	rw_copy_field(c, n->message);
	g_free(joined);
}

static int
copy_incidents(struct rw_db *db, GPtrArray *incidents)
{
	struct rw_copy *c = NULL;
	int rc = rw_copy_begin(&c, db, "pg_temp.an_inc", "id, subject, kind, "
	    "first_day, state, peak_severity, holding, quiet_days, last_day, "
	    "escalated_day, resolved_day, folded_into, severity, rules, "
	    "rate_7d, recipients_7d, complaints_7d, baseline_rate, "
	    "forecast_days, listed, message");

	for (guint k = 0; rc == 0 && k < incidents->len; k++) {
		const struct an_incident *i = incidents->pdata[k];

		rw_copy_field(c, i->id);
		rw_copy_field(c, i->subject);
		rw_copy_field(c, an_incident_kind(i));
		rw_copy_field(c, i->first_day);
		rw_copy_field(c, an_incident_state_name(i->state));
		rw_copy_field(c, an_severity_name(i->peak));
		rw_copy_field(c, i->holding ? "t" : "f");
		rw_copy_field_int(c, i->quiet_days);
		rw_copy_field(c, i->last_day);
		rw_copy_field(c, i->escalated_day);
		rw_copy_field(c, i->resolved_day);
		rw_copy_field(c, i->folded_into);
		copy_evidence(c, i->severity, i->rules, &i->num);
		rc = rw_copy_end_row(c);
	}
	if (rc != 0) {
		rw_copy_abort(c, "analyzer error");
		return rc;
	}
	return rw_copy_finish(c, NULL);
}

static int
copy_members(struct rw_db *db, GPtrArray *incidents)
{
	struct rw_copy *c = NULL;
	int rc = rw_copy_begin(&c, db, "pg_temp.an_incm", "incident_id, ip, "
	    "severity, rules, rate_7d, recipients_7d, complaints_7d, "
	    "baseline_rate, forecast_days, listed, message");

	for (guint k = 0; rc == 0 && k < incidents->len; k++) {
		const struct an_incident *i = incidents->pdata[k];

		for (guint j = 0; rc == 0 && j < i->members->len; j++) {
			const struct an_incident_member *m = i->members->pdata[j];

			rw_copy_field(c, i->id);
			rw_copy_field(c, m->ip);
			copy_evidence(c, m->severity, m->rules, &m->num);
			rc = rw_copy_end_row(c);
		}
	}
	if (rc != 0) {
		rw_copy_abort(c, "analyzer error");
		return rc;
	}
	return rw_copy_finish(c, NULL);
}

#define EVIDENCE_COLS                                                     \
	"severity text, rules text, rate_7d double precision, "             \
	"recipients_7d double precision, complaints_7d double precision, "  \
	"baseline_rate double precision, forecast_days integer, "          \
	"listed boolean, message text"

static const char *const stage_sql[] = {
	"DELETE FROM repwatch.incident_day WHERE day = $1::date",
	"CREATE TEMPORARY TABLE IF NOT EXISTS an_inc (id text, subject text, "
	"  kind text, first_day date, state text, peak_severity text, "
	"  holding boolean, quiet_days integer, last_day date, "
	"  escalated_day date, resolved_day date, folded_into text, "
	EVIDENCE_COLS ")",
	"TRUNCATE pg_temp.an_inc",
	"CREATE TEMPORARY TABLE IF NOT EXISTS an_incm (incident_id text, "
	"  ip text, " EVIDENCE_COLS ")",
	"TRUNCATE pg_temp.an_incm",
	NULL,
};

/* new incidents, the day's rows, the SNDS colour of the day, and no
 * incident left without a day by a re-run; $1 = day */
static const char *const merge_sql[] = {
	"INSERT INTO repwatch.incident (id, subject, kind, first_day, day, "
	"  state, severity, last_day, resolved_day, escalated_day, "
	"  folded_into, rules) "
	"SELECT id, subject, kind, first_day, $1::date, state, severity, "
	"  last_day, resolved_day, escalated_day, folded_into, "
	"  string_to_array(rules, ',') FROM pg_temp.an_inc "
	"ON CONFLICT (id) DO NOTHING",
	"INSERT INTO repwatch.incident_day (incident_id, day, state, "
	"  severity, peak_severity, holding, quiet_days, last_day, "
	"  escalated_day, resolved_day, folded_into, rules, rate_7d, "
	"  recipients_7d, complaints_7d, baseline_rate, forecast_days, "
	"  listed, message) "
	"SELECT id, $1::date, state, severity, peak_severity, holding, "
	"  quiet_days, last_day, escalated_day, resolved_day, folded_into, "
	"  string_to_array(rules, ','), rate_7d, recipients_7d, "
	"  complaints_7d, baseline_rate, forecast_days, listed, message "
	"FROM pg_temp.an_inc",
	"INSERT INTO repwatch.incident_member_day (incident_id, day, ip, "
	"  severity, rules, rate_7d, recipients_7d, complaints_7d, "
	"  baseline_rate, forecast_days, listed, message) "
	"SELECT incident_id, $1::date, ip, severity, "
	"  string_to_array(rules, ','), rate_7d, recipients_7d, "
	"  complaints_7d, baseline_rate, forecast_days, listed, message "
	"FROM pg_temp.an_incm",
	"UPDATE repwatch.incident_day d SET filter = (SELECT "
	"  repwatch.filter_name(max(f.filter_rank)) FROM repwatch.an_ip_day f "
	"  WHERE f.day = d.day AND f.ip <<= i.subject::inet) "
	"FROM repwatch.incident i WHERE i.id = d.incident_id "
	"  AND d.day = $1::date AND strpos(i.subject, '-') = 0",
	"UPDATE repwatch.incident_member_day m SET filter = (SELECT "
	"  repwatch.filter_name(max(f.filter_rank)) FROM repwatch.an_ip_day f "
	"  WHERE f.day = m.day AND f.ip = m.ip::inet) WHERE m.day = $1::date",
	"DELETE FROM repwatch.incident i WHERE NOT EXISTS (SELECT 1 FROM "
	"  repwatch.incident_day d WHERE d.incident_id = i.id)",
	NULL,
};

/* incident rows follow the latest analyzed day only (as alert rows do):
 * each takes its last row up to that day; $1 = day */
static const char latest_sql[] =
    "UPDATE repwatch.incident i SET day = h.day, state = h.state, "
    "  severity = h.severity, last_day = h.last_day, "
    "  resolved_day = h.resolved_day, escalated_day = h.escalated_day, "
    "  folded_into = h.folded_into, rules = h.rules, "
    "  members = coalesce((SELECT array_agg(m.ip ORDER BY m.ip::inet) "
    "    FROM repwatch.incident_member_day m "
    "    WHERE m.incident_id = h.incident_id AND m.day = h.day), '{}'), "
    "  updated_at = now() "
    "FROM (SELECT DISTINCT ON (d.incident_id) d.* "
    "  FROM repwatch.incident_day d "
    "  JOIN repwatch.incident x ON x.id = d.incident_id "
    "  WHERE d.day <= $1::date AND (x.state <> 'resolved' "
    "    OR x.day >= $1::date) "
    "  ORDER BY d.incident_id, d.day DESC) h "
    "WHERE h.incident_id = i.id "
    "  AND $1::date >= (SELECT max(day) FROM repwatch.analysis_run "
    "    WHERE day <= repwatch.an_horizon())";

static int
run_all(struct rw_db *db, const char *const *sql, const char *day)
{
	const char *params[] = {day};
	int rc = 0;

	for (int k = 0; rc == 0 && sql[k] != NULL; k++)
		rc = rw_db_query(NULL, db, sql[k],
		    strstr(sql[k], "$1") ? 1 : 0, params);
	return rc;
}

static int
store_day(struct rw_db *db, const char *day, GPtrArray *incidents)
{
	const char *const latest[] = {latest_sql, NULL};
	int rc = run_all(db, stage_sql, day);

	if (rc == 0)
		rc = copy_incidents(db, incidents);
	if (rc == 0)
		rc = copy_members(db, incidents);
	if (rc == 0)
		rc = run_all(db, merge_sql, day);
	if (rc == 0)
		rc = run_all(db, latest, day);
	return rc;
}

int
an_incidents_write_day(int *out_open, struct rw_db *db, const char *day,
    int resolve_days)
{
	GPtrArray *ev = NULL, *prev = NULL, *today = NULL;
	GHashTable *resolved = NULL;
	int rc = read_evidence(&ev, db, day);

	if (rc == 0)
		rc = read_prev(&prev, &resolved, db, day);
	if (rc == 0) {
		today = an_fold_day(day, ev, prev, resolved, resolve_days);
		rc = store_day(db, day, today);
	}
	if (rc == 0 && out_open != NULL) {
		*out_open = 0;
		for (guint k = 0; k < today->len; k++)
			if (((struct an_incident *)today->pdata[k])->state !=
			    AN_INC_RESOLVED)
				(*out_open)++;
	}
	if (today != NULL)
		g_ptr_array_free(today, TRUE);
	if (prev != NULL)
		g_ptr_array_free(prev, TRUE);
	if (resolved != NULL)
		g_hash_table_destroy(resolved);
	if (ev != NULL)
		g_ptr_array_free(ev, TRUE);
	if (rc != 0)
		rw_error_prefix("incidents %s", day);
	return rc;
}

/* ---- reading incidents -------------------------------------------- */

int
an_incidents_list(GPtrArray **out, struct rw_db *db, const char *from,
    const char *to, bool only_open, enum an_severity min_severity)
{
	char rank[8];
	const char *params[] = {from, to, only_open ? "t" : "f", rank};
	int rc;

	snprintf(rank, sizeof(rank), "%d", (int)min_severity);
	rc = incidents_query(out, db, "SELECT " INC_COLS INC_FROM
	    "WHERE d.day BETWEEN $1::date AND $2::date "
	    "AND (NOT $3::boolean OR d.state <> 'resolved') "
	    "AND repwatch.severity_rank(d.severity) >= $4::int "
	    "ORDER BY d.day, repwatch.severity_rank(d.severity) DESC, "
	    "d.state, i.subject", 4, params);
	if (rc == 0)
		rc = attach_members(db, *out, from, to);
	return rc;
}

#define LATEST_DAY                                                        \
	"(SELECT max(x.day) FROM repwatch.analysis_run x "                 \
	"WHERE x.day <= repwatch.an_horizon())"

int
an_incident_get(struct an_incident **out, struct rw_db *db,
    const char *target)
{
	const char *params[] = {target};
	GPtrArray *v = NULL;
	int rc;

	*out = NULL;
	rc = incidents_query(&v, db, "SELECT " INC_COLS INC_FROM
	    "WHERE (i.id = $1 OR i.subject = $1) AND d.day <= " LATEST_DAY
	    " ORDER BY d.day DESC, i.first_day DESC LIMIT 1", 1, params);
	if (rc == 0 && v->len > 0)
		rc = attach_members(db, v, ((struct an_incident *)
		    v->pdata[0])->day, ((struct an_incident *)v->pdata[0])->day);
	if (rc == 0 && v->len > 0)
		*out = g_ptr_array_steal_index(v, 0);
	g_ptr_array_free(v, TRUE);
	return rc;
}

/* open on the latest day, warning or worse, not sent at this severity,
 * no silence in force unless it escalated after the silence began */
static const char pending_sql[] =
    "SELECT " INC_COLS ", i.notified_severity IS NOT NULL "
    "  OR d.state = 'escalated'" INC_FROM
    "WHERE d.day = i.day AND i.state <> 'resolved' "
    "AND d.day = " LATEST_DAY " AND d.severity <> 'info' "
    "AND (i.notified_severity IS NULL OR repwatch.severity_rank(d.severity) "
    "  > repwatch.severity_rank(i.notified_severity)) "
    "AND NOT EXISTS (SELECT 1 FROM repwatch.silence s "
    "  WHERE s.lifted_at IS NULL AND s.until >= d.day "
    "  AND (s.incident_id = i.id OR (s.incident_id IS NULL "
    "    AND s.subject = i.subject)) "
    "  AND (d.escalated_day IS NULL OR d.escalated_day <= s.from_day)) "
    "ORDER BY repwatch.severity_rank(d.severity) DESC, i.subject";

int
an_incidents_pending(GPtrArray **out, struct rw_db *db)
{
	PGresult *r = NULL;
	int rc = rw_db_query(&r, db, pending_sql, 0, NULL);
	const char *day = NULL;

	*out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)an_incident_free);
	for (int k = 0; rc == 0 && k < PQntuples(r); k++) {
		struct an_incident *i = incident_at(r, k);

		i->event = rw_db_bool(r, k, 25) ? "escalated" : "new";
		day = i->day;
		g_ptr_array_add(*out, i);
	}
	if (rc == 0 && day != NULL)
		rc = attach_members(db, *out, day, day);
	PQclear(r);
	return rc;
}

int
an_incidents_mark_notified(struct rw_db *db, GPtrArray *incidents)
{
	int rc = 0;

	for (guint k = 0; rc == 0 && k < incidents->len; k++) {
		const struct an_incident *i = incidents->pdata[k];
		const char *params[] = {i->id, an_severity_name(i->severity)};

		rc = rw_db_query(NULL, db, "UPDATE repwatch.incident SET "
		    "notified_severity = $2 WHERE id = $1", 2, params);
	}
	return rc;
}

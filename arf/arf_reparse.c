/*
 * arf_reparse - re-derivation of stored sending IPs.
 */
#include <string.h>

#include "common/rw_db.h"
#include "common/rw_error.h"
#include "arf/arf_json.h"
#include "arf/arf_parse.h"
#include "arf/arf_reparse.h"

#define BOUNDARY "=_repwatch_reparse_="
/* rows per FETCH: bounded memory whatever the table size */
#define FETCH_ROWS 500

/* next block of RAW at *POS: up to a blank line (or the end) */
static bool
next_block(const char *raw, size_t len, size_t *pos, const char **out,
    size_t *out_len)
{
	const char *s = raw + *pos;
	const char *e;

	while (*pos < len && raw[*pos] == '\n')
		(*pos)++;
	if (*pos >= len)
		return false;
	s = raw + *pos;
	e = g_strstr_len(s, (gssize)(len - *pos), "\n\n");
	*out = s;
	*out_len = e != NULL ? (size_t)(e - s) + 1 : len - *pos;
	*pos = e != NULL ? (size_t)(e - raw) + 2 : len;
	return true;
}

/* a field the rebuilt message replaces (with its continuation lines) */
static bool
content_field(const char *line, size_t len)
{
	static const char *const names[] = {"content-type:",
	    "content-transfer-encoding:", "mime-version:"};

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		size_t n = strlen(names[i]);

		if (len >= n && g_ascii_strncasecmp(line, names[i], n) == 0)
			return true;
	}
	return false;
}

static void
append_wrapper(GString *s, const char *w, size_t len)
{
	const char *p = w, *end = w + len;
	bool skipping = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (!(n > 0 && (p[0] == ' ' || p[0] == '\t')))
			skipping = content_field(p, n);
		if (!skipping) {
			g_string_append_len(s, p, (gssize)n);
			g_string_append_c(s, '\n');
		}
		p += n + 1;
	}
}

/* a full message: its top Content-Type boundary delimits a later part */
static bool
is_full_message(const char *raw, size_t len, const char *w, size_t wlen)
{
	const char *b = NULL;
	char *bound, *needle;
	bool full;

	for (const char *p = w; p + 9 < w + wlen; p++)
		if (g_ascii_strncasecmp(p, "boundary=", 9) == 0) {
			b = p + 9;
			break;
		}
	if (b == NULL)
		return false;
	if (*b == '"')
		b++;
	bound = g_strndup(b, strcspn(b, "\";\r\n \t"));
	needle = g_strconcat("\n--", bound, NULL);
	full = *bound != '\0' && g_strstr_len(w + wlen - 1,
	    (gssize)(raw + len - (w + wlen - 1)), needle) != NULL;
	g_free(needle);
	g_free(bound);
	return full;
}

static GString *
rebuild(const char *raw, size_t len, const char *format)
{
	bool arf = g_strcmp0(format, "arf") == 0;
	const char *w, *b1 = NULL, *b2 = NULL;
	size_t wlen, l1 = 0, l2 = 0, pos = 0;
	GString *s;

	if (!next_block(raw, len, &pos, &w, &wlen))
		return g_string_new_len(raw, (gssize)len);
	if (is_full_message(raw, len, w, wlen))
		return g_string_new_len(raw, (gssize)len);
	if (next_block(raw, len, &pos, &b1, &l1))
		next_block(raw, len, &pos, &b2, &l2);
	s = g_string_sized_new(len + 512);
	append_wrapper(s, w, wlen);
	g_string_append_printf(s, "MIME-Version: 1.0\nContent-Type: %s; "
	    "boundary=\"" BOUNDARY "\"\n\n--" BOUNDARY "\n", arf ?
	    "multipart/report; report-type=feedback-report" :
	    "multipart/mixed");
	if (arf) {
		g_string_append(s, "Content-Type: message/feedback-report\n\n");
		if (b1 != NULL)
			g_string_append_len(s, b1, (gssize)l1);
		g_string_append(s, "\n--" BOUNDARY "\n");
		b1 = b2;
		l1 = l2;
		g_string_append(s, "Content-Type: text/rfc822-headers\n\n");
	} else {
		g_string_append(s, "Content-Type: message/rfc822\n\n");
	}
	if (b1 != NULL)
		g_string_append_len(s, b1, (gssize)l1);
	g_string_append(s, "\n\n--" BOUNDARY "--\n");
	return s;
}

GString *
arf_reparse_message(const char *raw, size_t len, const char *format)
{
	/* the scans below read NUL-terminated text */
	char *copy = g_malloc(len + 1);
	GString *s;

	memcpy(copy, raw, len);
	copy[len] = '\0';
	s = rebuild(copy, len, format);
	g_free(copy);
	return s;
}

/* --- the run ------------------------------------------------------------- */

struct reparse {
	struct rw_db *db;
	struct arf_limits lim;
	char **trace;
	struct arf_reparse_result *res;
};

static const char temp_sql[] =
    "CREATE TEMPORARY TABLE arf_reparse_new (id bigint PRIMARY KEY,"
    " ip inet, origin text, witnesses jsonb, inside boolean)"
    " ON COMMIT DROP";

static const char cursor_sql[] =
    "DECLARE arf_reparse CURSOR FOR SELECT id, format, raw"
    " FROM repwatch.arf_report WHERE raw IS NOT NULL"
    " AND ($1::date IS NULL OR coalesce(arrival_date, received_at)"
    "   >= ($1::date)::timestamp AT TIME ZONE repwatch.an_timezone())"
    " ORDER BY id";

static void
copy_record(struct rw_copy *c, const char *id, const struct arf_record *r)
{
	char *w = arf_json_witnesses(r);

	rw_copy_field(c, id);
	rw_copy_field(c, arf_record_get(r, ARF_K_SOURCE_IP));
	rw_copy_field(c, arf_ip_origin_name(arf_record_ip_origin(r)));
	rw_copy_field(c, w);
	rw_copy_field(c, arf_record_inside_provider(r) ? "t" : "f");
	g_free(w);
}

static int
reparse_row(struct reparse *rp, struct rw_copy *c, PGresult *res, int i)
{
	size_t len = 0;
	unsigned char *raw = PQunescapeBytea(
	    (const unsigned char *)PQgetvalue(res, i, 2), &len);
	struct arf_record *r = NULL;
	GString *msg;

	if (raw == NULL)
		return rw_error_set(RW_ESOFTWARE, "arf reparse: out of memory");
	msg = arf_reparse_message((const char *)raw, len,
	    PQgetvalue(res, i, 1));
	PQfreemem(raw);
	arf_parse(&r, msg->str, msg->len, PQgetvalue(res, i, 0), &rp->lim);
	g_string_free(msg, TRUE);
	rp->res->read++;
	/* rebuilt headers that no longer read as a report: left as they are */
	if (!arf_record_is_report(r)) {
		rp->res->unreadable++;
		arf_record_free(r);
		return 0;
	}
	copy_record(c, PQgetvalue(res, i, 0), r);
	arf_record_free(r);
	return rw_copy_end_row(c);
}

static int
reparse_batch(struct reparse *rp, PGresult *res)
{
	struct rw_copy *c = NULL;
	int rc = rw_copy_begin(&c, rp->db, "pg_temp.arf_reparse_new",
	    "id, ip, origin, witnesses, inside");

	for (int i = 0; rc == 0 && i < PQntuples(res); i++)
		rc = reparse_row(rp, c, res, i);
	if (rc != 0) {
		if (c != NULL)
			rw_copy_abort(c, "arf reparse failed");
		return rc;
	}
	return rw_copy_finish(c, NULL);
}

static int
reparse_all(struct reparse *rp, const char *since)
{
	const char *params[] = {since};
	int rc = rw_db_exec(rp->db, temp_sql);
	int n = 1;

	if (rc == 0)
		rc = rw_db_query(NULL, rp->db, cursor_sql, 1, params);
	while (rc == 0 && n > 0) {
		PGresult *res = NULL;

		rc = rw_db_query(&res, rp->db, "FETCH " G_STRINGIFY(FETCH_ROWS)
		    " FROM arf_reparse", 0, NULL);
		if (rc != 0)
			break;
		n = PQntuples(res);
		if (n > 0)
			rc = reparse_batch(rp, res);
		PQclear(res);
	}
	if (rc == 0)
		rc = rw_db_exec(rp->db, "CLOSE arf_reparse");
	return rc;
}

static const char moves_sql[] =
    "SELECT coalesce(host(r.source_ip), '(none)'),"
    " coalesce(host(n.ip), '(none)'), count(*),"
    " count(*) FILTER (WHERE lower(r.feedback_type) = 'abuse')"
    " FROM pg_temp.arf_reparse_new n JOIN repwatch.arf_report r"
    " ON r.id = n.id WHERE r.source_ip IS DISTINCT FROM n.ip"
    " GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2";

/* the complaint days whose IP changed (before the update changes it) */
static const char days_sql[] =
    "CREATE TEMPORARY TABLE arf_reparse_days ON COMMIT DROP AS"
    " SELECT DISTINCT (coalesce(r.arrival_date, r.received_at)"
    "   AT TIME ZONE repwatch.an_timezone())::date AS day"
    " FROM pg_temp.arf_reparse_new n JOIN repwatch.arf_report r"
    " ON r.id = n.id WHERE r.source_ip IS DISTINCT FROM n.ip"
    " AND lower(r.feedback_type) = 'abuse'";

/* their facts, from the updated reports: old and new IP of each day */
static const char rebuild_sql[] =
    "SELECT repwatch.an_fact_rebuild(ARRAY(SELECT day"
    " FROM pg_temp.arf_reparse_days))";

static const char update_sql[] =
    "UPDATE repwatch.arf_report r SET source_ip = n.ip,"
    " source_ip_origin = n.origin, source_ip_witnesses = n.witnesses,"
    " inside_provider = n.inside FROM pg_temp.arf_reparse_new n"
    " WHERE r.id = n.id AND (r.source_ip IS DISTINCT FROM n.ip"
    " OR r.source_ip_origin IS DISTINCT FROM n.origin"
    " OR r.source_ip_witnesses <> n.witnesses"
    " OR r.inside_provider <> n.inside)";

static void
move_clear(gpointer p)
{
	struct arf_reparse_move *m = p;

	g_free(m->from);
	g_free(m->to);
}

static void
get_moves(struct arf_reparse_result *out, PGresult *moves)
{
	for (int i = 0; i < PQntuples(moves); i++) {
		struct arf_reparse_move m = {
			.from = g_strdup(PQgetvalue(moves, i, 0)),
			.to = g_strdup(PQgetvalue(moves, i, 1)),
			.reports = g_ascii_strtoll(PQgetvalue(moves, i, 2),
			    NULL, 10),
			.complaints = g_ascii_strtoll(PQgetvalue(moves, i, 3),
			    NULL, 10),
		};

		g_array_append_val(out->moves, m);
	}
}

void
arf_reparse_result_clear(struct arf_reparse_result *r)
{
	if (r->moves != NULL)
		g_array_free(r->moves, TRUE);
	memset(r, 0, sizeof(*r));
}

static int
count_skipped(struct reparse *rp, const char *since)
{
	const char *params[] = {since};
	char *v = NULL;
	int rc = rw_db_query1(&v, rp->db, "SELECT count(*) FROM "
	    "repwatch.arf_report WHERE raw IS NULL AND ($1::date IS NULL OR "
	    "coalesce(arrival_date, received_at) >= ($1::date)::timestamp "
	    "AT TIME ZONE repwatch.an_timezone())", 1, params);

	if (rc == 0 && v != NULL)
		rp->res->skipped = g_ascii_strtoll(v, NULL, 10);
	g_free(v);
	return rc;
}

static int
reparse_run(struct reparse *rp, const char *since, bool dry_run)
{
	PGresult *moves = NULL;
	char *days = NULL;
	int rc = rw_db_begin(rp->db);

	if (rc != 0)
		return rc;
	rc = reparse_all(rp, since);
	if (rc == 0)
		rc = count_skipped(rp, since);
	if (rc == 0)
		rc = rw_db_query(&moves, rp->db, moves_sql, 0, NULL);
	if (rc == 0)
		rc = rw_db_exec(rp->db, days_sql);
	if (rc == 0)
		rc = rw_db_query1(&days, rp->db, "SELECT count(*) FROM "
		    "pg_temp.arf_reparse_days", 0, NULL);
	if (rc == 0 && !dry_run)
		rc = rw_db_exec(rp->db, update_sql);
	if (rc == 0 && !dry_run)
		rc = rw_db_exec(rp->db, rebuild_sql);
	if (rc == 0 && !dry_run)
		rc = rw_db_commit(rp->db);
	else
		rw_db_rollback(rp->db);
	if (rc == 0)
		get_moves(rp->res, moves);
	if (rc == 0 && days != NULL)
		rp->res->days = g_ascii_strtoll(days, NULL, 10);
	PQclear(moves);
	g_free(days);
	return rc;
}

int
arf_reparse_run(struct arf_reparse_result *out, struct rw_db *db,
    const struct rw_config *cfg, const char *since, bool dry_run)
{
	struct reparse rp = {.db = db, .res = out};
	bool taken = false;
	int rc;

	memset(out, 0, sizeof(*out));
	out->moves = g_array_new(FALSE, TRUE, sizeof(struct arf_reparse_move));
	g_array_set_clear_func(out->moves, move_clear);
	rc = rw_db_trylock(&taken, db, RW_LOCK_ANALYZE);
	if (rc == 0 && !taken)
		rc = rw_error_set(RW_ETEMP, "arf reparse: the analyzer is "
		    "running");
	if (rc == 0) {
		arf_limits_from_config(&rp.lim, &rp.trace, cfg);
		rp.lim.keep = ARF_KEEP_NONE;
		rc = reparse_run(&rp, since, dry_run);
		rw_db_unlock(db, RW_LOCK_ANALYZE);
		arf_limits_clear(&rp.lim);
		g_strfreev(rp.trace);
	}
	return rc;
}

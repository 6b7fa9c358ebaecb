/*
 * arf_store - batches into PostgreSQL.
 */
#include <string.h>

#include <json-glib/json-glib.h>

#include "common/rw_json.h"
#include "common/rw_db.h"
#include "common/rw_error.h"
#include "arf/arf_json.h"
#include "arf/arf_store.h"

struct arf_store {
	struct rw_db *db;
	char *mailbox;
	const struct arf_limits *lim;
	long long quarantine_max;
	gint64 run_id;
	bool staged; /* temporary tables exist on this connection */
	GString *hex; /* bytea text of the current row's raw column */
};

#define REPORT_COLS \
	"content_sha256, report_message_id, format, provider, feedback_type, " \
	"user_agent, version, source_ip, source_ip_origin, arrival_date, " \
	"original_mail_from, original_rcpt_to, rcpt_redacted, " \
	"reported_domain, reported_uri, reporting_mta, incidents, " \
	"report_date, orig_message_id, orig_subject, orig_from, orig_date, " \
	"orig_return_path, orig_list_id, orig_feedback_id, trace, " \
	"sending_domain, fields, warnings, raw, source_ip_witnesses, " \
	"inside_provider"

static const char stage_sql[] =
    "CREATE TEMPORARY TABLE IF NOT EXISTS arf_stage_other ("
    " content_sha256 text, message_id text, outcome text, reason text,"
    " location text, size bigint, raw bytea) ON COMMIT DELETE ROWS";

int
arf_store_new(struct arf_store **out, struct rw_db *db, const char *mailbox,
    const struct arf_limits *lim, long long quarantine_max)
{
	struct arf_store *s = g_new0(struct arf_store, 1);

	s->db = db;
	s->mailbox = g_strdup(mailbox);
	s->lim = lim;
	s->quarantine_max = quarantine_max;
	s->run_id = -1;
	s->hex = g_string_sized_new(8192);
	*out = s;
	return 0;
}

void
arf_store_free(struct arf_store *s)
{
	if (s == NULL)
		return;
	g_free(s->mailbox);
	g_string_free(s->hex, TRUE);
	g_free(s);
}

int
arf_store_run_begin(struct arf_store *s)
{
	const char *params[] = {s->mailbox};
	char *id = NULL;
	int rc = rw_db_query1(&id, s->db, "INSERT INTO repwatch.arf_run "
	    "(mailbox) VALUES ($1) RETURNING id", 1, params);

	if (rc == 0 && id != NULL)
		s->run_id = g_ascii_strtoll(id, NULL, 10);
	g_free(id);
	return rc;
}

int
arf_store_run_end(struct arf_store *s, const char *outcome)
{
	char id[32];
	const char *params[] = {id, outcome};

	if (s->run_id < 0)
		return 0;
	snprintf(id, sizeof(id), "%lld", (long long)s->run_id);
	return rw_db_query(NULL, s->db, "UPDATE repwatch.arf_run SET "
	    "finished_at = now(), outcome = $2 WHERE id = $1::bigint", 2,
	    params);
}

static const char breakdown_sql[] =
    "SELECT string_agg(k || ' ' || n, ', ' ORDER BY k) FROM ("
    " SELECT CASE WHEN $3 THEN feedback_type"
    "  ELSE coalesce(provider, 'unknown') END AS k, count(*) AS n"
    " FROM repwatch.arf_report WHERE mailbox = $1 AND received_at >="
    "  (SELECT started_at FROM repwatch.arf_run WHERE id = $2::bigint)"
    " GROUP BY 1) t";

int
arf_store_run_breakdown(struct arf_store *s, char **out_types,
    char **out_providers)
{
	char id[24];
	const char *params[] = {s->mailbox, id, "true"};
	int rc;

	*out_types = *out_providers = NULL;
	snprintf(id, sizeof(id), "%lld", (long long)s->run_id);
	rc = rw_db_query1(out_types, s->db, breakdown_sql, 3, params);
	params[2] = "false";
	if (rc == 0)
		rc = rw_db_query1(out_providers, s->db, breakdown_sql, 3,
		    params);
	return rc;
}

static void
field_list(struct rw_copy *c, const struct arf_record *r, enum arf_list l)
{
	GString *a = g_string_new(NULL);

	rw_db_array_literal(a, arf_record_list(r, l),
	    arf_record_list_len(r, l));
	rw_copy_field(c, a->str);
	g_string_free(a, TRUE);
}

static void
field_time(struct rw_copy *c, const struct arf_record *r, enum arf_time t)
{
	gint64 unix;
	char buf[21];

	if (!arf_record_time(r, t, &unix)) {
		rw_copy_field(c, NULL);
		return;
	}
	arf_format_time(buf, unix);
	rw_copy_field(c, buf);
}

static void
field_bytea(struct arf_store *s, struct rw_copy *c, const char *data,
    size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *out;

	if (data == NULL) {
		rw_copy_field(c, NULL);
		return;
	}
	/* one buffer for every row, written in place: no append per digit */
	g_string_set_size(s->hex, 2 * len + 2);
	out = s->hex->str;
	out[0] = '\\';
	out[1] = 'x';
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)data[i];

		out[2 + 2 * i] = hex[b >> 4];
		out[3 + 2 * i] = hex[b & 15];
	}
	rw_copy_field_len(c, out, 2 * len + 2);
}

static void
field_json(struct rw_copy *c, JsonBuilder *b)
{
	JsonNode *n = json_builder_get_root(b);
	char *s = rw_json_to_string(n);

	rw_copy_field(c, s);
	g_free(s);
	json_node_unref(n);
	g_object_unref(b);
}

static void
field_trace(struct rw_copy *c, const struct arf_record *r)
{
	JsonBuilder *b;

	/* the usual case, without building a tree for it */
	if (arf_record_trace_count(r) == 0) {
		rw_copy_field(c, "{}");
		return;
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	for (guint i = 0; i < arf_record_trace_count(r); i++) {
		const char *k, *v;

		arf_record_trace_at(r, i, &k, &v);
		json_builder_set_member_name(b, k);
		json_builder_add_string_value(b, v);
	}
	json_builder_end_object(b);
	field_json(c, b);
}

/* a field named like an earlier one (any case) is already in the object */
static bool
named_before(const struct arf_record *r, guint i)
{
	const char *k, *v, *k2;

	arf_record_field_at(r, i, &k, &v);
	for (guint j = 0; j < i; j++) {
		arf_record_field_at(r, j, &k2, &v);
		if (g_ascii_strcasecmp(k, k2) == 0)
			return true;
	}
	return false;
}

/* every report field: lower-case name -> values in order */
static void
field_fields(struct rw_copy *c, const struct arf_record *r)
{
	JsonBuilder *b = json_builder_new();
	guint n = arf_record_field_count(r);

	json_builder_begin_object(b);
	for (guint i = 0; i < n; i++) {
		const char *k, *v, *k2, *v2;
		char *low;

		if (named_before(r, i))
			continue;
		arf_record_field_at(r, i, &k, &v);
		low = g_ascii_strdown(k, -1);
		json_builder_set_member_name(b, low);
		g_free(low);
		json_builder_begin_array(b);
		for (guint j = i; j < n; j++) {
			arf_record_field_at(r, j, &k2, &v2);
			if (g_ascii_strcasecmp(k, k2) == 0)
				json_builder_add_string_value(b, v2);
		}
		json_builder_end_array(b);
	}
	json_builder_end_object(b);
	field_json(c, b);
}

/* [{"origin": ..., "ip": ...}] */
static void
field_witnesses(struct rw_copy *c, const struct arf_record *r)
{
	char *s;

	if (arf_record_witness_count(r) == 0) {
		rw_copy_field(c, "[]");
		return;
	}
	s = arf_json_witnesses(r);
	rw_copy_field(c, s);
	g_free(s);
}

static void
field_incidents(struct rw_copy *c, const struct arf_record *r)
{
	gint64 n = arf_record_incidents(r);

	if (n < 0)
		rw_copy_field(c, NULL);
	else
		rw_copy_field_int(c, MIN(n, (gint64)G_MAXINT32));
}

static void
field_raw(struct arf_store *s, struct rw_copy *c, const struct arf_msg *m,
    const struct arf_record *r)
{
	size_t len;
	const char *h;

	switch (s->lim->keep) {
	case ARF_KEEP_FULL:
		field_bytea(s, c, m->data, m->len);
		break;
	case ARF_KEEP_HEADERS:
		h = arf_record_headers(r, &len);
		field_bytea(s, c, h, len);
		break;
	case ARF_KEEP_NONE:
		rw_copy_field(c, NULL);
		break;
	}
}

static int
copy_report(struct arf_store *s, struct rw_copy *c, const struct arf_msg *m,
    const struct arf_record *r)
{
	rw_copy_field(c, s->mailbox);
	rw_copy_field(c, arf_record_sha256(r));
	rw_copy_field(c, arf_record_get(r, ARF_K_REPORT_MESSAGE_ID));
	rw_copy_field(c, arf_format_name(arf_record_format(r)));
	rw_copy_field(c, arf_record_get(r, ARF_K_PROVIDER));
	rw_copy_field(c, arf_record_get(r, ARF_K_FEEDBACK_TYPE));
	rw_copy_field(c, arf_record_get(r, ARF_K_USER_AGENT));
	rw_copy_field(c, arf_record_get(r, ARF_K_VERSION));
	rw_copy_field(c, arf_record_get(r, ARF_K_SOURCE_IP));
	rw_copy_field(c, arf_ip_origin_name(arf_record_ip_origin(r)));
	field_time(c, r, ARF_T_ARRIVAL);
	rw_copy_field(c, arf_record_get(r, ARF_K_ORIGINAL_MAIL_FROM));
	field_list(c, r, ARF_L_ORIGINAL_RCPT_TO);
	rw_copy_field(c, arf_record_rcpt_redacted(r) ? "t" : "f");
	field_list(c, r, ARF_L_REPORTED_DOMAIN);
	field_list(c, r, ARF_L_REPORTED_URI);
	rw_copy_field(c, arf_record_get(r, ARF_K_REPORTING_MTA));
	field_incidents(c, r);
	field_time(c, r, ARF_T_REPORT_DATE);
	rw_copy_field(c, arf_record_get(r, ARF_K_ORIG_MESSAGE_ID));
	rw_copy_field(c, arf_record_get(r, ARF_K_ORIG_SUBJECT));
	rw_copy_field(c, arf_record_get(r, ARF_K_ORIG_FROM));
	field_time(c, r, ARF_T_ORIG_DATE);
	rw_copy_field(c, arf_record_get(r, ARF_K_ORIG_RETURN_PATH));
	rw_copy_field(c, arf_record_get(r, ARF_K_ORIG_LIST_ID));
	rw_copy_field(c, arf_record_get(r, ARF_K_ORIG_FEEDBACK_ID));
	field_trace(c, r);
	rw_copy_field(c, arf_record_get(r, ARF_K_SENDING_DOMAIN));
	field_fields(c, r);
	field_list(c, r, ARF_L_WARNINGS);
	field_raw(s, c, m, r);
	field_witnesses(c, r);
	rw_copy_field(c, arf_record_inside_provider(r) ? "t" : "f");
	return rw_copy_end_row(c);
}

static int
copy_other(struct arf_store *s, struct rw_copy *c, const struct arf_msg *m,
    const struct arf_record *r)
{
	bool q = arf_record_format(r) == ARF_FORMAT_QUARANTINE;
	size_t keep = MIN(m->len, (size_t)s->quarantine_max);

	rw_copy_field(c, arf_record_sha256(r));
	rw_copy_field(c, arf_record_get(r, ARF_K_REPORT_MESSAGE_ID));
	rw_copy_field(c, q ? "quarantined" : "not-a-report");
	rw_copy_field(c, arf_record_get(r, ARF_K_REASON));
	rw_copy_field(c, m->location);
	rw_copy_field_int(c, (long long)m->size);
	if (q)
		field_bytea(s, c, m->data, keep);
	else
		rw_copy_field(c, NULL);
	return rw_copy_end_row(c);
}

/*
 * Concurrent ingests of different mailboxes may hold the same report (a
 * copy in two folders): this transaction-level lock makes the duplicate
 * check and the COPY below one step for everyone.
 */
#define STORE_LOCK "SELECT pg_catalog.pg_advisory_xact_lock(7527834811402569)"

static const char existing_sql[] =
    "SELECT content_sha256, coalesce(report_message_id, '')"
    " FROM repwatch.arf_report"
    " WHERE content_sha256 = ANY ($1::text[])"
    " OR report_message_id = ANY ($2::text[])";

/* mark in DUP the reports already stored or repeated in this batch */
static void
mark_duplicates(GHashTable *seen, struct arf_record *const *recs, guint n,
    bool *dup)
{
	for (guint i = 0; i < n; i++) {
		const char *sha, *id;

		if (!arf_record_is_report(recs[i]))
			continue;
		sha = arf_record_sha256(recs[i]);
		id = arf_record_get(recs[i], ARF_K_REPORT_MESSAGE_ID);
		dup[i] = g_hash_table_contains(seen, sha) ||
		    (id != NULL && g_hash_table_contains(seen, id));
		g_hash_table_add(seen, g_strdup(sha));
		if (id != NULL)
			g_hash_table_add(seen, g_strdup(id));
	}
}

static int
find_duplicates(struct arf_store *s, struct arf_record *const *recs,
    guint n, bool *dup)
{
	const char **sha = g_new0(const char *, n);
	const char **ids = g_new0(const char *, n);
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, NULL);
	PGresult *res = NULL;
	GString *lit[2] = {g_string_new(NULL), g_string_new(NULL)};
	const char *params[2];
	size_t nsha = 0, nids = 0;
	int rc;

	for (guint i = 0; i < n; i++) {
		const char *id;

		if (!arf_record_is_report(recs[i]))
			continue;
		sha[nsha++] = arf_record_sha256(recs[i]);
		id = arf_record_get(recs[i], ARF_K_REPORT_MESSAGE_ID);
		if (id != NULL)
			ids[nids++] = id;
	}
	rw_db_array_literal(lit[0], sha, nsha);
	rw_db_array_literal(lit[1], ids, nids);
	params[0] = lit[0]->str;
	params[1] = lit[1]->str;
	rc = rw_db_query(&res, s->db, existing_sql, 2, params);
	for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
		g_hash_table_add(seen, g_strdup(PQgetvalue(res, i, 0)));
		g_hash_table_add(seen, g_strdup(PQgetvalue(res, i, 1)));
	}
	if (rc == 0)
		mark_duplicates(seen, recs, n, dup);
	g_hash_table_unref(seen);
	PQclear(res);
	g_string_free(lit[0], TRUE);
	g_string_free(lit[1], TRUE);
	g_free(sha);
	g_free(ids);
	return rc;
}

static void
count_report(struct arf_counts *out, const struct arf_record *r)
{
	out->reports++;
	if (arf_record_is_complaint(r))
		out->complaints++;
	if (arf_record_get(r, ARF_K_SOURCE_IP) == NULL)
		out->without_ip++;
}

static int
copy_end(struct rw_copy *c, int rc)
{
	if (rc != 0) {
		if (c != NULL)
			rw_copy_abort(c, "arf batch failed");
		return rc;
	}
	return rw_copy_finish(c, NULL);
}

/* new reports straight into the table: checked above, no staging */
static int
copy_reports(struct arf_store *s, struct arf_msg *const *msgs,
    struct arf_record *const *recs, guint n, const bool *dup,
    struct arf_counts *out)
{
	struct rw_copy *c = NULL;
	int rc = rw_copy_begin(&c, s->db, "repwatch.arf_report",
	    "mailbox, " REPORT_COLS);

	for (guint i = 0; rc == 0 && i < n; i++) {
		if (!arf_record_is_report(recs[i]))
			continue;
		if (dup[i]) {
			out->duplicates++;
			continue;
		}
		rc = copy_report(s, c, msgs[i], recs[i]);
		count_report(out, recs[i]);
	}
	return copy_end(c, rc);
}

static int
copy_others(struct arf_store *s, struct arf_msg *const *msgs,
    struct arf_record *const *recs, guint n)
{
	struct rw_copy *c = NULL;
	int rc = rw_copy_begin(&c, s->db, "pg_temp.arf_stage_other",
	    "content_sha256, message_id, outcome, reason, location, size, raw");

	for (guint i = 0; rc == 0 && i < n; i++)
		if (!arf_record_is_report(recs[i]))
			rc = copy_other(s, c, msgs[i], recs[i]);
	return copy_end(c, rc);
}

static const char insert_log[] =
    "WITH ins AS (INSERT INTO repwatch.arf_message_log (content_sha256,"
    " mailbox, message_id, outcome, reason) SELECT content_sha256, $1,"
    " message_id, outcome, reason FROM pg_temp.arf_stage_other"
    " ON CONFLICT DO NOTHING RETURNING outcome)"
    " SELECT count(*) FILTER (WHERE outcome = 'not-a-report'),"
    " count(*) FILTER (WHERE outcome = 'quarantined'),"
    " (SELECT count(*) FROM pg_temp.arf_stage_other) FROM ins";

static const char insert_quarantine[] =
    "INSERT INTO repwatch.arf_quarantine (content_sha256, mailbox,"
    " location, message_id, reason, size, raw) SELECT content_sha256, $1,"
    " location, message_id, reason, size, raw FROM pg_temp.arf_stage_other"
    " WHERE outcome = 'quarantined' ON CONFLICT DO NOTHING";

static long long
value_ll(PGresult *res, int col)
{
	return g_ascii_strtoll(PQgetvalue(res, 0, col), NULL, 10);
}

/* not-a-report and quarantined messages: staged, then merged */
static int
merge_others(struct arf_store *s, struct arf_counts *out)
{
	const char *params[] = {s->mailbox};
	PGresult *res = NULL;
	int rc = rw_db_query(&res, s->db, insert_log, 1, params);

	if (rc != 0)
		return rc;
	out->not_a_report = value_ll(res, 0);
	out->quarantined = value_ll(res, 1);
	out->duplicates += value_ll(res, 2) - out->not_a_report -
	    out->quarantined;
	PQclear(res);
	return rw_db_query(NULL, s->db, insert_quarantine, 1, params);
}

static void
ll_text(char buf[static 24], long long v)
{
	snprintf(buf, 24, "%lld", v);
}

static int
update_run(struct arf_store *s, const struct arf_counts *c)
{
	char v[7][24];
	const char *params[7];

	ll_text(v[0], s->run_id);
	ll_text(v[1], c->messages);
	ll_text(v[2], c->complaints);
	ll_text(v[3], c->duplicates);
	ll_text(v[4], c->not_a_report);
	ll_text(v[5], c->quarantined);
	ll_text(v[6], c->without_ip);
	for (int i = 0; i < 7; i++)
		params[i] = v[i];
	return rw_db_query(NULL, s->db, "UPDATE repwatch.arf_run SET "
	    "messages = messages + $2::bigint, "
	    "complaints = complaints + $3::bigint, "
	    "duplicates = duplicates + $4::bigint, "
	    "not_a_report = not_a_report + $5::bigint, "
	    "quarantined = quarantined + $6::bigint, "
	    "without_ip = without_ip + $7::bigint WHERE id = $1::bigint",
	    7, params);
}

static const char *
opt_ll(char buf[static 24], gint64 v)
{
	if (v < 0)
		return NULL;
	ll_text(buf, v);
	return buf;
}

static int
save_progress(struct arf_store *s, const struct arf_checkpoint *cp)
{
	char a[24], b[24], c[24];
	const char *params[] = {
		s->mailbox, cp->folder != NULL ? cp->folder : "",
		opt_ll(a, cp->uidvalidity), opt_ll(b, cp->last_uid),
		opt_ll(c, cp->mbox_offset), cp->mbox_prefix_sha256,
	};

	return rw_db_query(NULL, s->db, "INSERT INTO repwatch.mailbox_progress"
	    " (mailbox, folder, uidvalidity, last_uid, mbox_offset,"
	    " mbox_prefix_sha256) VALUES ($1, $2, $3::bigint, $4::bigint,"
	    " $5::bigint, $6) ON CONFLICT (mailbox, folder) DO UPDATE SET"
	    " uidvalidity = EXCLUDED.uidvalidity,"
	    " last_uid = EXCLUDED.last_uid,"
	    " mbox_offset = EXCLUDED.mbox_offset,"
	    " mbox_prefix_sha256 = EXCLUDED.mbox_prefix_sha256,"
	    " updated_at = now()", 6, params);
}

static guint
count_others(struct arf_record *const *recs, guint n)
{
	guint k = 0;

	for (guint i = 0; i < n; i++)
		k += !arf_record_is_report(recs[i]);
	return k;
}

static int
store_others(struct arf_store *s, struct arf_msg *const *msgs,
    struct arf_record *const *recs, guint n, struct arf_counts *out)
{
	int rc = 0;

	if (!s->staged) {
		rc = rw_db_exec(s->db, stage_sql);
		s->staged = rc == 0;
	}
	if (rc == 0)
		rc = copy_others(s, msgs, recs, n);
	if (rc == 0)
		rc = merge_others(s, out);
	return rc;
}

static int
store_rows(struct arf_store *s, struct arf_msg *const *msgs,
    struct arf_record *const *recs, guint n, struct arf_counts *out)
{
	guint others = count_others(recs, n);
	bool *dup = g_new0(bool, n);
	int rc = rw_db_exec(s->db, STORE_LOCK);

	if (rc == 0)
		rc = find_duplicates(s, recs, n, dup);
	if (rc == 0 && n > others)
		rc = copy_reports(s, msgs, recs, n, dup, out);
	g_free(dup);
	if (rc == 0 && others > 0)
		rc = store_others(s, msgs, recs, n, out);
	return rc;
}

int
arf_store_batch(struct arf_store *s, struct arf_msg *const *msgs,
    struct arf_record *const *recs, guint n,
    const struct arf_checkpoint *cp, struct arf_counts *out)
{
	int rc = rw_db_begin(s->db);

	memset(out, 0, sizeof(*out));
	out->messages = n;
	if (rc != 0)
		return rc;
	rc = store_rows(s, msgs, recs, n, out);
	if (rc == 0 && cp != NULL)
		rc = save_progress(s, cp);
	if (rc == 0 && s->run_id >= 0)
		rc = update_run(s, out);
	if (rc == 0)
		return rw_db_commit(s->db);
	rw_db_rollback(s->db);
	return rc;
}

int
arf_store_progress(struct arf_checkpoint *out, struct rw_db *db,
    const char *mailbox, const char *folder, bool *out_found)
{
	const char *params[] = {mailbox, folder};
	PGresult *res = NULL;
	int rc = rw_db_query(&res, db, "SELECT coalesce(uidvalidity, -1),"
	    " coalesce(last_uid, -1), coalesce(mbox_offset, -1),"
	    " mbox_prefix_sha256 FROM repwatch.mailbox_progress"
	    " WHERE mailbox = $1 AND folder = $2", 2, params);

	*out_found = false;
	if (rc != 0)
		return rc;
	if (PQntuples(res) == 1) {
		out->folder = g_strdup(folder);
		out->uidvalidity = value_ll(res, 0);
		out->last_uid = value_ll(res, 1);
		out->mbox_offset = value_ll(res, 2);
		out->mbox_prefix_sha256 = PQgetisnull(res, 0, 3) ? NULL :
		    g_strdup(PQgetvalue(res, 0, 3));
		*out_found = true;
	}
	PQclear(res);
	return 0;
}

/*
 * snds_show - stored SNDS rows and IP-status ranges as text cells (see
 * snds_show.h); app/ formats them through rw_rows.
 */
#include <string.h>
#include <gio/gio.h>

#include "common/rw_error.h"
#include "common/rw_ip.h"
#include "common/rw_util.h"
#include "ingest/snds_show.h"

static const struct rw_col daily_cols[] = {
	{"source", RW_COL_TEXT, 0, NULL}, {"ip", RW_COL_TEXT, 0, NULL},
	{"day", RW_COL_TEXT, 0, NULL},
	{"activity_start", RW_COL_TEXT, 0, NULL},
	{"activity_end", RW_COL_TEXT, 0, NULL},
	{"rcpt_commands", RW_COL_INT, 0, NULL},
	{"data_commands", RW_COL_INT, 0, NULL},
	{"recipients", RW_COL_INT, 0, NULL}, {"filter", RW_COL_TEXT, 0, NULL},
	{"complaint_rate_text", RW_COL_TEXT, 0, NULL},
	{"complaint_rate_low", RW_COL_REAL, 0, NULL},
	{"complaint_rate_high", RW_COL_REAL, 0, NULL},
	{"trap_hits", RW_COL_INT, 0, NULL},
	{"sample_helo", RW_COL_TEXT, 0, NULL},
	{"jmr_p1_sender", RW_COL_TEXT, 0, NULL},
	{"comments", RW_COL_TEXT, 0, NULL},
};

static const struct rw_col status_cols[] = {
	{"source", RW_COL_TEXT, 0, NULL}, {"day", RW_COL_TEXT, 0, NULL},
	{"first_ip", RW_COL_TEXT, 0, NULL}, {"last_ip", RW_COL_TEXT, 0, NULL},
	{"blocked", RW_COL_BOOL, 0, NULL}, {"reason", RW_COL_TEXT, 0, NULL},
};

static const char daily_sql[] =
    "SELECT source, host(ip), day::text,"
    " extract(epoch FROM activity_start)::bigint,"
    " extract(epoch FROM activity_end)::bigint, rcpt_commands,"
    " data_commands, recipients, filter, complaint_rate_text,"
    " complaint_rate_low::float8, complaint_rate_high::float8, trap_hits,"
    " sample_helo, jmr_p1_sender, comments"
    " FROM repwatch.snds_daily"
    " WHERE ($1::text IS NULL OR source = $1)"
    " AND day BETWEEN COALESCE($2::date, (SELECT max(day)"
    "  FROM repwatch.snds_daily WHERE ($1::text IS NULL OR source = $1)"
    "  AND day <= repwatch.an_horizon()))"
    " AND COALESCE($3::date, (SELECT max(day)"
    "  FROM repwatch.snds_daily WHERE ($1::text IS NULL OR source = $1)"
    "  AND ($4::inet IS NULL OR ip <<= $4::inet)"
    "  AND day <= repwatch.an_horizon()))"
    " AND ($4::inet IS NULL OR ip <<= $4::inet)"
    " ORDER BY day, source, ip, activity_start";

static const char status_sql[] =
    "SELECT source, day::text, host(first_ip), host(last_ip), blocked,"
    " reason FROM repwatch.snds_ip_status"
    " WHERE ($1::text IS NULL OR source = $1)"
    " AND day = COALESCE($2::date, (SELECT max(day)"
    "  FROM repwatch.snds_status_snapshot"
    "  WHERE ($1::text IS NULL OR source = $1)"
    "  AND day <= repwatch.an_horizon()))"
    " ORDER BY source, first_ip, last_ip";

/* --- value conversion --- */

struct show_ctx {
	const struct rw_config *cfg;
	GHashTable *zones;       /* source name -> GTimeZone */
	struct snds_table *out;
};

static GTimeZone *
zone_of(struct show_ctx *c, const char *source)
{
	GTimeZone *z = g_hash_table_lookup(c->zones, source);
	char *sec;

	if (z != NULL)
		return z;
	sec = g_strdup_printf("snds.%s", source);
	z = g_time_zone_new_identifier(rw_config_get(c->cfg, sec, "timezone"));
	if (z == NULL)
		z = g_time_zone_new_utc();
	g_hash_table_insert(c->zones, g_strdup(source), z);
	g_free(sec);
	return z;
}

/* epoch seconds -> "2026-03-02T00:00:00-08:00" in the source's zone */
static char *
iso_time(struct show_ctx *c, const char *source, const char *epoch)
{
	GDateTime *u = g_date_time_new_from_unix_utc(g_ascii_strtoll(epoch,
	    NULL, 10));
	GDateTime *l = g_date_time_to_timezone(u, zone_of(c, source));
	char *s = g_date_time_format(l, "%Y-%m-%dT%H:%M:%S%:z");

	g_date_time_unref(l);
	g_date_time_unref(u);
	return s;
}

/* cell I of row R as display text (NULL for SQL NULL) */
static char *
cell_text(struct show_ctx *c, PGresult *r, int row, int i)
{
	const char *v = PQgetvalue(r, row, i);

	if (PQgetisnull(r, row, i))
		return NULL;
	/* activity_start, activity_end: epoch seconds from the query */
	if (c->out->cols == daily_cols && (i == 3 || i == 4))
		return iso_time(c, PQgetvalue(r, row, 0), v);
	if (c->out->cols[i].kind == RW_COL_BOOL)
		return g_strdup(strcmp(v, "t") == 0 ? "true" : "false");
	return g_strdup(v);
}

static void
add_row(struct show_ctx *c, PGresult *r, int row)
{
	char **vals = g_new0(char *, c->out->ncols + 1);

	for (size_t i = 0; i < c->out->ncols; i++)
		vals[i] = cell_text(c, r, row, (int)i);
	g_ptr_array_add(c->out->rows, vals);
}

static int
check_ip(const char *ip)
{
	GInetAddressMask *m;

	if (ip == NULL)
		return 0;
	m = g_inet_address_mask_new_from_string(ip, NULL);
	if (m == NULL)
		return rw_error_set(RW_EUSAGE, "--ip: \"%s\" is not an IP "
		    "address or CIDR block", ip);
	g_object_unref(m);
	return 0;
}

static int
check_dates(const struct snds_show_opts *o)
{
	GDate d;

	if (o->from != NULL && rw_parse_date(&d, o->from) != 0)
		return rw_error_set(RW_EUSAGE, "not a date: \"%s\"", o->from);
	if (o->to != NULL && rw_parse_date(&d, o->to) != 0)
		return rw_error_set(RW_EUSAGE, "not a date: \"%s\"", o->to);
	return 0;
}

static int
run(struct show_ctx *c, struct rw_db *db, const char *sql,
    const char *const *p, int np)
{
	PGresult *r = NULL;
	int rc = rw_db_query(&r, db, sql, np, p);

	if (rc != 0)
		return rc;
	c->zones = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)g_time_zone_unref);
	for (int i = 0; i < PQntuples(r); i++)
		add_row(c, r, i);
	g_hash_table_destroy(c->zones);
	PQclear(r);
	return 0;
}

static void
table_init(struct snds_table *t, const struct rw_col *cols, size_t ncols)
{
	t->cols = cols;
	t->ncols = ncols;
	t->rows = g_ptr_array_new();
}

void
snds_table_clear(struct snds_table *t)
{
	for (guint i = 0; t->rows != NULL && i < t->rows->len; i++) {
		char **vals = t->rows->pdata[i];

		for (size_t j = 0; j < t->ncols; j++)
			g_free(vals[j]);
		g_free(vals);
	}
	if (t->rows != NULL)
		g_ptr_array_free(t->rows, TRUE);
	memset(t, 0, sizeof(*t));
}

int
snds_show_daily(struct snds_table *out, struct rw_db *db,
    const struct rw_config *cfg, const struct snds_show_opts *o)
{
	struct show_ctx c = {cfg, NULL, out};
	const char *p[4] = {o->source, o->from, o->to, o->ip};
	char ip[RW_IP_BUF];
	int rc = check_dates(o);

	table_init(out, daily_cols, G_N_ELEMENTS(daily_cols));
	/* --ip ::ffff:a.b.c.d asks for the IPv4 address SNDS rows are keyed on */
	if (o->ip != NULL && strchr(o->ip, '/') == NULL &&
	    rw_ip_normalize(ip, o->ip, strlen(o->ip)))
		p[3] = ip;
	if (rc == 0)
		rc = check_ip(p[3]);
	if (rc == 0)
		rc = run(&c, db, daily_sql, p, 4);
	return rc;
}

int
snds_show_status(struct snds_table *out, struct rw_db *db,
    const struct snds_show_opts *o)
{
	struct show_ctx c = {NULL, NULL, out};
	const char *p[2] = {o->source, o->from};
	int rc = check_dates(o);

	table_init(out, status_cols, G_N_ELEMENTS(status_cols));
	if (rc == 0)
		rc = run(&c, db, status_sql, p, 2);
	return rc;
}

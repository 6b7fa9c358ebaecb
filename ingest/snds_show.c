/*
 * snds_show - stored SNDS rows as text, JSON lines (json-glib) or CSV
 * (libcsv's writer).
 */
#include <string.h>
#include <csv.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "common/rw_json.h"
#include "common/rw_error.h"
#include "common/rw_ip.h"
#include "common/rw_out.h"
#include "common/rw_util.h"
#include "ingest/snds_show.h"

enum col_type { C_STR, C_TIME, C_INT, C_NUM, C_BOOL };

struct col {
	const char *name;
	enum col_type type;
};

static const struct col daily_cols[] = {
	{"source", C_STR}, {"ip", C_STR}, {"day", C_STR},
	{"activity_start", C_TIME}, {"activity_end", C_TIME},
	{"rcpt_commands", C_INT}, {"data_commands", C_INT},
	{"recipients", C_INT}, {"filter", C_STR},
	{"complaint_rate_text", C_STR}, {"complaint_rate_low", C_NUM},
	{"complaint_rate_high", C_NUM}, {"trap_hits", C_INT},
	{"sample_helo", C_STR}, {"jmr_p1_sender", C_STR}, {"comments", C_STR},
};

static const struct col status_cols[] = {
	{"source", C_STR}, {"day", C_STR}, {"first_ip", C_STR},
	{"last_ip", C_STR}, {"blocked", C_BOOL}, {"reason", C_STR},
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
    " AND COALESCE($3::date, $2::date, (SELECT max(day)"
    "  FROM repwatch.snds_daily WHERE ($1::text IS NULL OR source = $1)"
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

int
snds_format_parse(enum snds_format *out, const char *text)
{
	static const char *const names[] = {"text", "json", "csv"};

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		if (text == NULL || strcmp(text, names[i]) == 0) {
			*out = (enum snds_format)(text == NULL ? 0 : i);
			return 0;
		}
	}
	return rw_error_set(RW_EUSAGE, "--format: unknown format \"%s\"",
	    text);
}

/* --- value conversion --- */

struct show_ctx {
	const struct rw_config *cfg;
	GHashTable *zones;       /* source name -> GTimeZone */
	enum snds_format format;
	const struct col *cols;
	int ncols;
	FILE *out;
	long rows;
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
	if (c->cols[i].type == C_TIME)
		return iso_time(c, PQgetvalue(r, row, 0), v);
	if (c->cols[i].type == C_BOOL)
		return g_strdup(strcmp(v, "t") == 0 ? "true" : "false");
	return g_strdup(v);
}

/* --- writers --- */

static void
json_value(JsonBuilder *b, const struct col *col, const char *v)
{
	if (v == NULL)
		json_builder_add_null_value(b);
	else if (col->type == C_INT)
		json_builder_add_int_value(b, g_ascii_strtoll(v, NULL, 10));
	else if (col->type == C_NUM)
		json_builder_add_double_value(b, g_ascii_strtod(v, NULL));
	else if (col->type == C_BOOL)
		json_builder_add_boolean_value(b, strcmp(v, "true") == 0);
	else
		json_builder_add_string_value(b, v);
}

static void
write_json(struct show_ctx *c, char **vals)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *root;
	char *text;

	json_builder_begin_object(b);
	for (int i = 0; i < c->ncols; i++) {
		json_builder_set_member_name(b, c->cols[i].name);
		json_value(b, &c->cols[i], vals[i]);
	}
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	text = rw_json_to_string(root);
	fprintf(c->out, "%s\n", text);
	g_free(text);
	json_node_unref(root);
	g_object_unref(b);
}

static void
write_csv_line(struct show_ctx *c, const char *const *vals)
{
	for (int i = 0; i < c->ncols; i++) {
		const char *v = vals[i] != NULL ? vals[i] : "";

		GString *cell = g_string_new(i > 0 ? "," : "");

		/* neutralized: sample_helo, comments: a stranger's text */
		rw_out_csv_cell(cell, v);
		fputs(cell->str, c->out);
		g_string_free(cell, TRUE);
	}
	fputs("\r\n", c->out);
}

static void
write_header(struct show_ctx *c)
{
	const char *names[G_N_ELEMENTS(daily_cols)];

	if (c->format != SNDS_FMT_CSV)
		return;
	for (int i = 0; i < c->ncols; i++)
		names[i] = c->cols[i].name;
	write_csv_line(c, names);
}

/* text: the columns that fit a terminal; JSON or CSV give them all */
static void
write_text_daily(struct show_ctx *c, char **v)
{
	if (c->rows == 0)
		fprintf(c->out, "%-10s %-10s %-15s %-6s %10s %-12s %5s  %s\n",
		    "day", "source", "ip", "filter", "recipients",
		    "complaints", "traps", "activity");
	fprintf(c->out, "%-10s %-10s %-15s %-6s %10s %-12s %5s  %s .. %s\n",
	    v[2], v[0], v[1], v[8], v[7], v[9], v[12] ? v[12] : "-", v[3],
	    v[4]);
}

static void
write_text_status(struct show_ctx *c, char **v)
{
	if (c->rows == 0)
		fprintf(c->out, "%-10s %-10s %-15s %-15s %-7s %s\n", "day",
		    "source", "first_ip", "last_ip", "blocked", "reason");
	fprintf(c->out, "%-10s %-10s %-15s %-15s %-7s %s\n", v[1], v[0], v[2],
	    v[3], strcmp(v[4], "true") == 0 ? "yes" : "no", v[5]);
}

static void
write_row(struct show_ctx *c, PGresult *r, int row)
{
	char *vals[G_N_ELEMENTS(daily_cols)];

	for (int i = 0; i < c->ncols; i++) {
		vals[i] = cell_text(c, r, row, i);
		if (c->format == SNDS_FMT_TEXT && vals[i] != NULL) {
			/* no ESC sequence from a report reaches the terminal */
			char *t = rw_out_text(vals[i]);

			g_free(vals[i]);
			vals[i] = t;
		}
	}
	if (c->format == SNDS_FMT_JSON)
		write_json(c, vals);
	else if (c->format == SNDS_FMT_CSV)
		write_csv_line(c, (const char *const *)vals);
	else if (c->cols == daily_cols)
		write_text_daily(c, vals);
	else
		write_text_status(c, vals);
	c->rows++;
	for (int i = 0; i < c->ncols; i++)
		g_free(vals[i]);
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
	write_header(c);
	for (int i = 0; i < PQntuples(r); i++)
		write_row(c, r, i);
	g_hash_table_destroy(c->zones);
	PQclear(r);
	return 0;
}

int
snds_show_daily(struct rw_db *db, const struct rw_config *cfg,
    const struct snds_show_opts *o, FILE *out)
{
	struct show_ctx c = {cfg, NULL, o->format, daily_cols,
	    (int)G_N_ELEMENTS(daily_cols), out, 0};
	const char *p[4] = {o->source, o->from, o->to, o->ip};
	char ip[RW_IP_BUF];
	int rc = check_dates(o);

	/* --ip ::ffff:a.b.c.d asks for the IPv4 address SNDS rows are keyed on */
	if (o->ip != NULL && strchr(o->ip, '/') == NULL &&
	    rw_ip_normalize(ip, o->ip, strlen(o->ip)))
		p[3] = ip;
	if (rc == 0)
		rc = check_ip(p[3]);
	if (rc == 0)
		rc = run(&c, db, daily_sql, p, 4);
	if (rc == 0 && c.rows == 0 && o->format == SNDS_FMT_TEXT)
		fprintf(out, "no SNDS data stored for this selection\n");
	return rc;
}

int
snds_show_status(struct rw_db *db, const struct snds_show_opts *o, FILE *out)
{
	struct show_ctx c = {NULL, NULL, o->format, status_cols,
	    (int)G_N_ELEMENTS(status_cols), out, 0};
	const char *p[2] = {o->source, o->from};
	int rc = check_dates(o);

	if (rc == 0)
		rc = run(&c, db, status_sql, p, 2);
	if (rc == 0 && c.rows == 0 && o->format == SNDS_FMT_TEXT)
		fprintf(out, "no listed IP ranges in this snapshot\n");
	return rc;
}

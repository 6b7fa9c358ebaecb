/*
 * out_html - the HTML report as a libxml2 tree: XHTML with inline SVG.
 * Text goes in through xmlNewTextChild / xmlNewProp (escaped); numbers are
 * formatted with g_ascii_formatd (no locale surprises in coordinates).
 */
#include <math.h>
#include <string.h>

#include <libxml/xmlsave.h>

#include "out/out_html_int.h"
#include "common/rw_error.h"
#include "common/rw_out.h"
#include "common/rw_util.h"

#define XHTML_NS "http://www.w3.org/1999/xhtml"

static const char css[] =
    "body{font-family:sans-serif;margin:2em;color:#222;max-width:62em}"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;"
    "border-bottom:1px solid #ccc}h3{font-size:1em;margin-bottom:.2em}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "td,th{border:1px solid #ddd;padding:.1em .4em;text-align:left;"
    "font-size:.8em;white-space:nowrap}td.w{white-space:normal;min-width:12em}"
    "th{background:#f4f4f4}td.n{text-align:right}"
    ".critical{background:#f8d0d0}.warning{background:#fbecc4}"
    ".info{background:#e4eefb}.bad{color:#b00;font-weight:bold}"
    ".ok{color:#070}p.forecast{margin:.2em 0 1.5em}"
    "tr.silenced td,p.silenced{color:#666;font-style:italic}"
    "svg{border:1px solid #eee}";

/* ---- small tree helpers -------------------------------------------- */

/* text and attribute values pass rw_out_xml: libxml2 escapes < & but
 * writes a raw ESC, which no XML parser accepts */
xmlNode *
out_html_el(xmlNode *parent, const char *name, const char *text)
{
	g_autofree char *t = rw_out_xml(text);

	return xmlNewTextChild(parent, NULL, XC(name), XC(t));
}

void
out_html_attr(xmlNode *n, const char *name, const char *value)
{
	g_autofree char *v = rw_out_xml(value);

	xmlNewProp(n, XC(name), XC(v));
}

char *
out_html_pct(double rate)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (!isfinite(rate))
		return g_strdup("-");
	return g_strdup_printf("%s%%", g_ascii_formatd(buf, sizeof(buf),
	    "%.3f", rate * 100.0));
}

static const char *
val(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

/* out_html_table - a <table> with a header row of NCOLS names */
xmlNode *
out_html_table(xmlNode *parent, const char *const *head, int ncols)
{
	xmlNode *t = out_html_el(parent, "table", NULL);
	xmlNode *tr = out_html_el(t, "tr", NULL);

	for (int i = 0; i < ncols; i++)
		out_html_el(tr, "th", head[i]);
	return t;
}

/* rows - each row of R as a <tr>; NUMERIC marks each column: 'n' right-
 * aligned number, 'w' text that may wrap, anything else kept on one line */
static void
rows(xmlNode *t, PGresult *r, const char *numeric, const char *cls_col)
{
	for (int i = 0; i < PQntuples(r); i++) {
		xmlNode *tr = out_html_el(t, "tr", NULL);

		for (int c = 0; c < PQnfields(r); c++) {
			xmlNode *td;

			if (cls_col != NULL &&
			    strcmp(PQfname(r, c), cls_col) == 0)
				out_html_attr(tr, "class", val(r, i, c));
			td = out_html_el(tr, "td", val(r, i, c));
			if (numeric != NULL && numeric[c] == 'n')
				out_html_attr(td, "class", "n");
			else if (numeric != NULL && numeric[c] == 'w')
				out_html_attr(td, "class", "w");
		}
	}
}

/* query_table - run SQL (params $1 = day) and add it as a table */
static int
query_table(xmlNode *parent, struct rw_db *db, const char *sql,
    const char *day, const char *numeric, const char *cls_col,
    const char *empty)
{
	const char *params[] = {day};
	PGresult *r = NULL;
	int rc = rw_db_query(&r, db, sql, 1, params);

	if (rc == 0 && PQntuples(r) == 0) {
		out_html_el(parent, "p", empty);
	} else if (rc == 0) {
		const char *head[16];
		int n = PQnfields(r) < 16 ? PQnfields(r) : 16;

		for (int c = 0; c < n; c++)
			head[c] = PQfname(r, c);
		rows(out_html_table(parent, head, n), r, numeric, cls_col);
	}
	PQclear(r);
	return rc;
}

/* ---- summary --------------------------------------------------------- */

static const char summary_sql[] =
    "SELECT (SELECT count(DISTINCT source) FROM repwatch.snds_daily) "
    "AS \"SNDS sources\", (SELECT min(day) || ' .. ' || max(day) || ' ('"
    " || count(DISTINCT day) || ' days)' FROM repwatch.snds_daily WHERE "
    "day <= $1::date) AS \"days covered\", (SELECT count(DISTINCT ip) FROM "
    "repwatch.snds_daily WHERE day > $1::date - 7 AND day <= $1::date) "
    "AS \"IPs (7 days)\", (SELECT coalesce(sum(recipients), 0) FROM "
    "dashboard.ip_daily WHERE day > $1::date - 7 AND day <= $1::date) AS "
    "\"recipients (7 days)\", (SELECT coalesce(sum(complaints), 0) FROM "
    "dashboard.ip_daily WHERE day > $1::date - 7 AND day <= $1::date) AS "
    "\"complaints (7 days)\", (SELECT round(100.0 * sum(complaints) "
    "FILTER (WHERE has_snds_data) / nullif(sum(recipients), 0), 3) || '%' "
    "FROM dashboard.ip_daily WHERE day > $1::date - 7 AND day <= $1::date) "
    "AS \"complaint rate (7 days)\", (SELECT count(*) FROM "
    "repwatch.arf_report WHERE lower(feedback_type) = 'abuse') AS "
    "\"complaints stored\"";

static const char snds_health_sql[] =
    "SELECT source, coalesce(kind, 'file') AS kind, state, "
    "link_days_left AS \"link days left\", token_state AS token, "
    "to_char(last_success, 'YYYY-MM-DD HH24:MI') AS \"last success\", "
    "last_data_day AS \"last data day\", failures_24h AS \"failures 24h\", "
    "last_failure_outcome AS \"last failure\" FROM dashboard.feed_snds "
    "WHERE $1::date IS NOT NULL ORDER BY source";

static const char mailbox_health_sql[] =
    "SELECT mailbox, last_run_outcome AS \"last run\", "
    "to_char(last_success, 'YYYY-MM-DD HH24:MI') AS \"last success\", "
    "last_run_messages AS messages, last_run_complaints AS complaints, "
    "failed_runs_7d AS \"failed runs 7d\", quarantined_7d AS "
    "\"quarantined 7d\", quarantined_total AS \"quarantined\" FROM "
    "dashboard.feed_mailbox WHERE $1::date IS NOT NULL ORDER BY mailbox";

/* per [mta.NAME]: its last load, and Microsoft's answers over the 7 days
 * to DAY (the analyzer's days) */
static const char mta_health_sql[] =
    "WITH l AS (SELECT DISTINCT ON (source) source, finished_at, lines, "
    "no_ip, bad_lines FROM repwatch.mta_load ORDER BY source, "
    "finished_at DESC), a AS (SELECT source, sum(attempts) AS n, "
    "sum(attempts) FILTER (WHERE class = 'deferred-throttle') AS t, "
    "sum(attempts) FILTER (WHERE class = 'blocked') AS b FROM "
    "repwatch.mta_attempt_hour WHERE hour >= (($1::date - 6)::timestamp AT "
    "TIME ZONE repwatch.an_timezone()) AND hour < (($1::date + 1)::timestamp "
    "AT TIME ZONE repwatch.an_timezone()) GROUP BY source) "
    "SELECT l.source, to_char(l.finished_at, 'YYYY-MM-DD HH24:MI') AS "
    "\"last load\", l.lines AS \"lines (last load)\", l.no_ip AS "
    "\"without IP\", l.bad_lines AS unreadable, coalesce(a.n, 0) AS "
    "\"to Microsoft (7 days)\", coalesce(a.t, 0) AS \"throttled (7 days)\", "
    "coalesce(a.b, 0) AS \"blocked (7 days)\" FROM l LEFT JOIN a "
    "ON a.source = l.source ORDER BY l.source";

static int
add_summary(xmlNode *body, struct rw_db *db, const char *day)
{
	int rc;

	out_html_el(body, "h2", "Summary");
	rc = query_table(body, db, summary_sql, day, "nnnnnnn", NULL, "");
	if (rc == 0) {
		out_html_el(body, "h3", "SNDS feeds");
		rc = query_table(body, db, snds_health_sql, day, "...n..nnw",
		    NULL, "No SNDS source yet.");
	}
	if (rc == 0) {
		out_html_el(body, "h3", "Complaint mailboxes");
		rc = query_table(body, db, mailbox_health_sql, day,
		    "..nnnnnn", NULL, "No mailbox ingested yet.");
	}
	if (rc == 0) {
		out_html_el(body, "h3", "MTA logs");
		rc = query_table(body, db, mta_health_sql, day, "..nnnnnn",
		    NULL, "No MTA log loaded yet.");
	}
	return rc;
}

/* ---- incidents ------------------------------------------------------- */

char *
out_html_count(double v)
{
	return isfinite(v) ? g_strdup_printf("%.0f", v) : g_strdup("");
}

/* at most this many runs of addresses in the short form of the members */
#define MEMBER_RUNS 4

static const char *
member_ip(const struct an_incident *inc, guint k)
{
	return ((const struct an_incident_member *)inc->members->pdata[k])->ip;
}

/* last_octet - the number after the last dot of an IPv4 address, -2 when
 * there is none */
static long
last_octet(const char *ip)
{
	const char *dot = strrchr(ip, '.');
	char *end = NULL;
	long v = dot != NULL ? (long)g_ascii_strtoll(dot + 1, &end, 10) : -2;

	return end != NULL && end != dot + 1 && *end == '\0' ? v : -2;
}

/* members_short - a range incident's members as runs of consecutive
 * addresses and their number: "198.51.100.20-27 (8)"; "" for none */
static char *
members_short(const struct an_incident *inc)
{
	GString *t = g_string_new(NULL);
	guint n = inc->members->len, k = 0;

	for (int runs = 0; k < n && runs < MEMBER_RUNS; runs++) {
		const char *ip = member_ip(inc, k);
		const char *dot = strrchr(ip, '.');
		size_t plen = dot != NULL ? (size_t)(dot - ip) + 1 : 0;
		guint j = k + 1;

		while (dot != NULL && j < n && last_octet(ip) >= 0 &&
		    strncmp(member_ip(inc, j), ip, plen) == 0 &&
		    last_octet(member_ip(inc, j)) ==
		    last_octet(member_ip(inc, j - 1)) + 1)
			j++;
		g_string_append_printf(t, "%s%s", t->len ? ", " : "", ip);
		if (j - 1 > k)
			g_string_append_printf(t, "-%ld",
			    last_octet(member_ip(inc, j - 1)));
		k = j;
	}
	if (k < n)
		g_string_append(t, ", ...");
	if (n > 0)
		g_string_append_printf(t, " (%u)", n);
	return g_string_free(t, FALSE);
}

static void
incident_row(xmlNode *t, const struct an_incident *inc)
{
	g_autofree char *cls = g_strdup_printf("%s%s",
	    an_severity_name(inc->severity), inc->silenced_until != NULL ?
	    " silenced" : "");
	g_autofree char *rules = g_strjoinv(", ", inc->rules);
	g_autofree char *mem = members_short(inc);
	g_autofree char *rate = out_html_pct(inc->num.rate_7d);
	g_autofree char *fc = inc->num.forecast_days < 0 ? g_strdup("") :
	    g_strdup_printf("%d", inc->num.forecast_days);
	g_autofree char *silenced = inc->silenced_until != NULL ?
	    g_strdup_printf("silenced until %s", inc->silenced_until) :
	    g_strdup("");
	xmlNode *tr = out_html_el(t, "tr", NULL);

	out_html_attr(tr, "class", cls);
	out_html_el(tr, "td", inc->subject);
	out_html_el(tr, "td", an_incident_kind(inc));
	out_html_el(tr, "td", an_severity_name(inc->severity));
	out_html_el(tr, "td", an_incident_state_name(inc->state));
	out_html_el(tr, "td", inc->first_day);
	out_html_attr(out_html_el(tr, "td", rules), "class", "w");
	out_html_attr(out_html_el(tr, "td", mem), "class", "w");
	out_html_attr(out_html_el(tr, "td", rate), "class", "n");
	out_html_attr(out_html_el(tr, "td", fc), "class", "n");
	out_html_el(tr, "td", inc->num.listed ? "yes" : "no");
	out_html_el(tr, "td", inc->num.filter != NULL ? inc->num.filter : "");
	out_html_el(tr, "td", silenced);
	out_html_el(tr, "td", inc->id);
}

/* add_incidents - one row per incident open on DAY, most severe first */
static void
add_incidents(xmlNode *body, GPtrArray *incidents, const char *day)
{
	static const char *const head[] = {"subject", "kind", "severity",
	    "state", "first day", "rules", "members", "rate 7d",
	    "forecast days", "listed", "filter", "silenced", "incident"};
	g_autofree char *title = g_strdup_printf("Open incidents on %s", day);
	xmlNode *t;

	out_html_el(body, "h2", title);
	if (incidents->len == 0) {
		out_html_el(body, "p", "No incident is open on this day.");
		return;
	}
	t = out_html_table(body, head, G_N_ELEMENTS(head));
	out_html_attr(t, "class", "incidents");
	for (guint k = 0; k < incidents->len; k++)
		incident_row(t, incidents->pdata[k]);
}

/* the data-health alerts: no IP or range subject, so no incident */
static const char health_alerts_sql[] =
    "SELECT severity, subject_kind AS kind, subject, rule, source, "
    "episode_start AS since, message FROM dashboard.alert_history "
    "WHERE day = $1::date AND subject_kind NOT IN ('ip', 'cidr') "
    "ORDER BY severity_rank DESC, subject_kind, subject, rule";

static int
add_health_alerts(xmlNode *body, struct rw_db *db, const char *day)
{
	out_html_el(body, "h3", "Data-health alerts");
	return query_table(body, db, health_alerts_sql, day, "......w",
	    "severity", "No data-health alert is open on this day.");
}

static int
add_charts(int *out_charts, xmlNode *body, struct rw_db *db,
    GPtrArray *incidents, const char *day, int trend_days)
{
	g_autofree char *title = g_strdup_printf("Incidents, %d days to %s",
	    REPORT_HTML_DAYS, day);
	int rc = 0;

	out_html_el(body, "h2", title);
	if (incidents->len == 0)
		out_html_el(body, "p", "No IP or range is flagged.");
	for (guint k = 0; rc == 0 && k < incidents->len; k++) {
		rc = out_html_incident(body, db, incidents->pdata[k], day,
		    trend_days);
		(*out_charts)++;
	}
	return rc;
}


/* ---- document -------------------------------------------------------- */

static int
resolve_day(char **out, struct rw_db *db, const char *day)
{
	GDate d;

	if (day != NULL) {
		if (rw_parse_date(&d, day) != 0)
			return rw_error_set(RW_EUSAGE, "invalid date \"%s\"",
			    day);
		*out = g_strdup(day);
		return 0;
	}
	return rw_db_query1(out, db, "SELECT coalesce((SELECT max(day) FROM "
	    "repwatch.analysis_run WHERE day <= repwatch.an_horizon()), "
	    "(SELECT max(day) FROM repwatch.snds_daily WHERE day <= "
	    "repwatch.an_horizon()), current_date)::text", 0, NULL);
}

static xmlNode *
skeleton(xmlDoc *doc, const char *day)
{
	xmlNode *html = xmlNewNode(NULL, XC("html"));
	xmlNs *ns = xmlNewNs(html, XC(XHTML_NS), NULL);
	xmlNode *head, *meta, *body;
	g_autofree char *title = g_strdup_printf("repwatch report %s", day);

	xmlSetNs(html, ns);
	out_html_attr(html, "lang", "en");
	xmlDocSetRootElement(doc, html);
	xmlCreateIntSubset(doc, XC("html"), NULL, NULL);
	head = out_html_el(html, "head", NULL);
	meta = out_html_el(head, "meta", NULL);
	out_html_attr(meta, "charset", "utf-8");
	out_html_el(head, "title", title);
	out_html_el(head, "style", css);
	body = out_html_el(html, "body", NULL);
	out_html_el(body, "h1", title);
	return body;
}

int
out_html_build(xmlDoc **out, int *out_charts, struct rw_db *db,
    const struct rw_config *cfg, const char *day)
{
	g_autofree char *d = NULL;
	xmlDoc *doc = NULL;
	xmlNode *body;
	GPtrArray *incidents = NULL;
	int charts = 0;
	int rc = resolve_day(&d, db, day);

	*out = NULL;
	if (rc != 0)
		return rc;
	doc = xmlNewDoc(XC("1.0"));
	body = skeleton(doc, d);
	rc = add_summary(body, db, d);
	if (rc == 0)
		rc = an_incidents_list(&incidents, db, d, d, true, AN_INFO);
	if (rc == 0) {
		add_incidents(body, incidents, d);
		rc = add_health_alerts(body, db, d);
	}
	if (rc == 0)
		rc = add_charts(&charts, body, db, incidents, d,
		    (int)rw_config_int(cfg, "analyze", "trend_days"));
	if (incidents != NULL)
		g_ptr_array_free(incidents, TRUE);
	if (rc != 0) {
		xmlFreeDoc(doc);
		return rc;
	}
	*out = doc;
	if (out_charts != NULL)
		*out_charts = charts;
	return 0;
}

int
out_html_write(struct rw_db *db, const struct rw_config *cfg,
    const char *path, const char *day)
{
	xmlDoc *doc = NULL;
	xmlChar *mem = NULL;
	int len = 0;
	int rc = out_html_build(&doc, NULL, db, cfg, day);

	if (rc == 0) {
		xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
		rc = mem == NULL ? rw_error_set(RW_ESOFTWARE, "cannot "
		    "serialize the report") : rw_write_output(path, mem,
		    (size_t)len, 0644);
	}
	if (rc != 0)
		rw_error_prefix("HTML report \"%s\"", path);
	xmlFree(mem);
	xmlFreeDoc(doc);
	return rc;
}

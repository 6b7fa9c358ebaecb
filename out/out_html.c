/*
 * out_html - the HTML report as a libxml2 tree: XHTML with inline SVG.
 * Text goes in through xmlNewTextChild / xmlNewProp (escaped); numbers are
 * formatted with g_ascii_formatd (no locale surprises in coordinates).
 */
#include <math.h>
#include <string.h>

#include <libxml/xmlsave.h>

#include "analyze/an_stats.h"
#include "out/out_html.h"
#include "common/rw_error.h"
#include "common/rw_out.h"
#include "common/rw_util.h"

#define XHTML_NS "http://www.w3.org/1999/xhtml"
#define SVG_NS "http://www.w3.org/2000/svg"

/* chart geometry, in SVG user units */
#define CW 760.0
#define CH 270.0
#define PL 56.0  /* left margin: rate axis */
#define PR 64.0  /* right margin: recipients axis */
#define PT 16.0
#define PB 52.0  /* bottom: colour band and dates */
#define BAND 10.0

static const char css[] =
    "body{font-family:sans-serif;margin:2em;color:#222;max-width:62em}"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;"
    "border-bottom:1px solid #ccc}h3{font-size:1em;margin-bottom:.2em}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "td,th{border:1px solid #ddd;padding:.1em .4em;text-align:left;"
    "font-size:.8em;white-space:nowrap}td.w{white-space:normal}"
    "th{background:#f4f4f4}td.n{text-align:right}"
    ".critical{background:#f8d0d0}.warning{background:#fbecc4}"
    ".info{background:#e4eefb}.bad{color:#b00;font-weight:bold}"
    ".ok{color:#070}p.forecast{margin:.2em 0 1.5em}"
    "svg{border:1px solid #eee}";

struct series {
	int n;                 /* REPORT_HTML_DAYS */
	double rcpt[REPORT_HTML_DAYS];   /* NAN = no SNDS data */
	double compl[REPORT_HTML_DAYS];  /* complaints of days with data */
	double rate[REPORT_HTML_DAYS];   /* NAN = unknown */
	int filter[REPORT_HTML_DAYS];    /* 0 unknown, 1..3 */
	char first[11], last[11];
};

/* ---- small tree helpers -------------------------------------------- */

/* libxml2 takes const xmlChar * names and contents: no const to drop */
#define XC(s) ((const xmlChar *)(s))

/* text and attribute values pass rw_out_xml: libxml2 escapes < & but
 * writes a raw ESC, which no XML parser accepts */
static xmlNode *
el(xmlNode *parent, const char *name, const char *text)
{
	g_autofree char *t = rw_out_xml(text);

	return xmlNewTextChild(parent, NULL, XC(name), XC(t));
}

static void
attr(xmlNode *n, const char *name, const char *value)
{
	g_autofree char *v = rw_out_xml(value);

	xmlNewProp(n, XC(name), XC(v));
}

static void
attr_num(xmlNode *n, const char *name, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	attr(n, name, g_ascii_formatd(buf, sizeof(buf), "%.1f", v));
}

static char *
pct(double rate)
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

static double
num(PGresult *r, int row, int col)
{
	double v = NAN;

	if (!PQgetisnull(r, row, col))
		rw_parse_double(&v, PQgetvalue(r, row, col));
	return v;
}

/* table - a <table> with a header row of NCOLS names */
static xmlNode *
table(xmlNode *parent, const char *const *head, int ncols)
{
	xmlNode *t = el(parent, "table", NULL);
	xmlNode *tr = el(t, "tr", NULL);

	for (int i = 0; i < ncols; i++)
		el(tr, "th", head[i]);
	return t;
}

/* rows - each row of R as a <tr>; NUMERIC marks each column: 'n' right-
 * aligned number, 'w' text that may wrap, anything else kept on one line */
static void
rows(xmlNode *t, PGresult *r, const char *numeric, const char *cls_col)
{
	for (int i = 0; i < PQntuples(r); i++) {
		xmlNode *tr = el(t, "tr", NULL);

		for (int c = 0; c < PQnfields(r); c++) {
			xmlNode *td;

			if (cls_col != NULL &&
			    strcmp(PQfname(r, c), cls_col) == 0)
				attr(tr, "class", val(r, i, c));
			td = el(tr, "td", val(r, i, c));
			if (numeric != NULL && numeric[c] == 'n')
				attr(td, "class", "n");
			else if (numeric != NULL && numeric[c] == 'w')
				attr(td, "class", "w");
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
		el(parent, "p", empty);
	} else if (rc == 0) {
		const char *head[16];
		int n = PQnfields(r) < 16 ? PQnfields(r) : 16;

		for (int c = 0; c < n; c++)
			head[c] = PQfname(r, c);
		rows(table(parent, head, n), r, numeric, cls_col);
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

static int
add_summary(xmlNode *body, struct rw_db *db, const char *day)
{
	int rc;

	el(body, "h2", "Summary");
	rc = query_table(body, db, summary_sql, day, "nnnnnnn", NULL, "");
	if (rc == 0) {
		el(body, "h3", "SNDS feeds");
		rc = query_table(body, db, snds_health_sql, day, "...n..nnw",
		    NULL, "No SNDS source yet.");
	}
	if (rc == 0) {
		el(body, "h3", "Complaint mailboxes");
		rc = query_table(body, db, mailbox_health_sql, day,
		    "..nnnnnn", NULL, "No mailbox ingested yet.");
	}
	return rc;
}

/* ---- alerts ---------------------------------------------------------- */

static const char alerts_sql[] =
    "SELECT severity, subject_kind AS kind, subject, rule, source, "
    "episode_start AS since, message, round((100 * rate_7d)::numeric, 3) "
    "|| '%' AS \"rate 7d\", forecast_days AS \"forecast days\" FROM "
    "dashboard.alert_history WHERE day = $1::date ORDER BY severity_rank "
    "DESC, subject_kind, subject, rule";

static int
add_alerts(xmlNode *body, struct rw_db *db, const char *day)
{
	g_autofree char *title = g_strdup_printf("Open alerts on %s", day);

	el(body, "h2", title);
	return query_table(body, db, alerts_sql, day, "......wnn", "severity",
	    "No alert is open on this day.");
}

/* ---- one subject's series ------------------------------------------- */

/*
 * The IPs FIRST..LAST of a subject: a host, a CIDR, or "a-b" (the listed
 * rule's ranges). Per day: recipients, complaints of days with SNDS data,
 * worst filter.
 */
static const char series_sql[] =
    "WITH b AS (SELECT CASE WHEN $1 LIKE '%-%' THEN split_part($1, '-', 1)"
    "::inet ELSE host(network($1::cidr))::inet END AS lo, CASE WHEN $1 LIKE "
    "'%-%' THEN split_part($1, '-', 2)::inet ELSE host(broadcast($1::cidr))"
    "::inet END AS hi) SELECT (f.day - ($2::date - $3::int + 1)), "
    "sum(f.recipients), sum(f.complaints) FILTER (WHERE f.has_snds_data), "
    "max(f.filter_rank) FROM dashboard.ip_daily f, b WHERE f.ip BETWEEN "
    "b.lo AND b.hi AND f.day BETWEEN $2::date - $3::int + 1 AND $2::date "
    "GROUP BY f.day";

static int
load_series(struct series *s, struct rw_db *db, const char *subject,
    const char *day)
{
	g_autofree char *n = g_strdup_printf("%d", REPORT_HTML_DAYS);
	const char *params[] = {subject, day, n};
	PGresult *r = NULL;
	int rc = rw_db_query(&r, db, series_sql, 3, params);

	s->n = REPORT_HTML_DAYS;
	for (int i = 0; i < s->n; i++) {
		s->rcpt[i] = s->compl[i] = s->rate[i] = NAN;
		s->filter[i] = 0;
	}
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		long long k = -1;

		if (rw_parse_ll(&k, PQgetvalue(r, i, 0), 0, s->n - 1) != 0)
			continue;
		s->rcpt[k] = num(r, i, 1);
		s->compl[k] = num(r, i, 2);
		s->filter[k] = isfinite(num(r, i, 3)) ? (int)num(r, i, 3) : 0;
		if (isfinite(s->rcpt[k]) && s->rcpt[k] > 0)
			s->rate[k] = (isfinite(s->compl[k]) ? s->compl[k] : 0) /
			    s->rcpt[k];
	}
	PQclear(r);
	return rc;
}

/* fit_trend - the analyzer's Poisson trend on the last TREND_DAYS days */
static void
fit_trend(struct an_trend *fit, const struct series *s, int trend_days)
{
	double t[REPORT_HTML_DAYS], c[REPORT_HTML_DAYS], n[REPORT_HTML_DAYS];
	size_t k = 0;

	for (int i = s->n - trend_days; i < s->n; i++) {
		if (i < 0 || !isfinite(s->rcpt[i]))
			continue;
		t[k] = i - (s->n - 1);
		c[k] = isfinite(s->compl[i]) ? s->compl[i] : 0;
		n[k] = s->rcpt[i];
		k++;
	}
	an_trend_fit(fit, t, c, n, k);
}

/* ---- SVG chart ------------------------------------------------------- */

struct scale {
	double rate_max, rcpt_max;
	double x0, w, y0, h; /* plot area */
	int n;
};

static double
sx(const struct scale *sc, double i)
{
	return sc->x0 + (i + 0.5) * sc->w / sc->n;
}

static double
sy_rate(const struct scale *sc, double rate)
{
	double v = rate > sc->rate_max ? sc->rate_max : rate;

	return sc->y0 + sc->h - v / sc->rate_max * sc->h;
}

static xmlNode *
svg_el(xmlNode *parent, const char *name)
{
	return xmlNewChild(parent, NULL, XC(name), NULL);
}

static void
svg_line(xmlNode *g, double x1, double y1, double x2, double y2,
    const char *stroke, const char *dash)
{
	xmlNode *l = svg_el(g, "line");

	attr_num(l, "x1", x1);
	attr_num(l, "y1", y1);
	attr_num(l, "x2", x2);
	attr_num(l, "y2", y2);
	attr(l, "stroke", stroke);
	if (dash != NULL)
		attr(l, "stroke-dasharray", dash);
}

static void
svg_text(xmlNode *g, double x, double y, const char *anchor,
    const char *text)
{
	g_autofree char *clean = rw_out_xml(text);
	xmlNode *t = xmlNewTextChild(g, NULL, XC("text"), XC(clean));

	attr_num(t, "x", x);
	attr_num(t, "y", y);
	attr(t, "font-size", "11");
	attr(t, "text-anchor", anchor);
}

static void
svg_rect(xmlNode *g, double x, double y, double w, double h,
    const char *fill)
{
	xmlNode *r = svg_el(g, "rect");

	attr_num(r, "x", x);
	attr_num(r, "y", y);
	attr_num(r, "width", w);
	attr_num(r, "height", h);
	attr(r, "fill", fill);
}

static void
draw_bars(xmlNode *svg, const struct series *s, const struct scale *sc)
{
	double bw = sc->w / sc->n;

	for (int i = 0; i < s->n; i++) {
		double h;

		if (!isfinite(s->rcpt[i]) || sc->rcpt_max <= 0)
			continue;
		h = s->rcpt[i] / sc->rcpt_max * sc->h * 0.9;
		svg_rect(svg, sc->x0 + i * bw + 1, sc->y0 + sc->h - h, bw - 2,
		    h, "#d5dde8");
	}
}

static void
draw_band(xmlNode *svg, const struct series *s, const struct scale *sc)
{
	static const char *const colour[] = {"#dddddd", "#3a9a3a", "#e6c229",
	    "#c83232"};
	double bw = sc->w / sc->n;

	for (int i = 0; i < s->n; i++)
		svg_rect(svg, sc->x0 + i * bw, sc->y0 + sc->h + 4, bw, BAND,
		    colour[s->filter[i] >= 0 && s->filter[i] <= 3 ?
		    s->filter[i] : 0]);
}

static void
draw_thresholds(xmlNode *svg, const struct scale *sc)
{
	static const double lines[] = {0.001, 0.003};
	static const char *const names[] = {"0.1%", "0.3%"};
	static const char *const colours[] = {"#e6a000", "#c83232"};

	for (int i = 0; i < 2; i++) {
		double y = sy_rate(sc, lines[i]);

		svg_line(svg, sc->x0, y, sc->x0 + sc->w, y, colours[i], "6 4");
		svg_text(svg, sc->x0 - 4, y + 4, "end", names[i]);
	}
}

/* draw_rate - the complaint rate, broken where SNDS has no data */
static void
draw_rate(xmlNode *svg, const struct series *s, const struct scale *sc)
{
	GString *d = g_string_new(NULL);
	char bx[G_ASCII_DTOSTR_BUF_SIZE], by[G_ASCII_DTOSTR_BUF_SIZE];
	bool pen = false;
	xmlNode *p;

	for (int i = 0; i < s->n; i++) {
		if (!isfinite(s->rate[i])) {
			pen = false;
			continue;
		}
		g_string_append_printf(d, "%s%s %s ", pen ? "L" : "M",
		    g_ascii_formatd(bx, sizeof(bx), "%.1f", sx(sc, i)),
		    g_ascii_formatd(by, sizeof(by), "%.1f",
		    sy_rate(sc, s->rate[i])));
		pen = true;
	}
	p = svg_el(svg, "path");
	attr(p, "d", d->len ? d->str : "M 0 0");
	attr(p, "fill", "none");
	attr(p, "stroke", "#1f4e9a");
	attr(p, "stroke-width", "2");
	g_string_free(d, TRUE);
}

static void
draw_trend(xmlNode *svg, const struct an_trend *fit, const struct series *s,
    const struct scale *sc)
{
	GString *d = g_string_new(NULL);
	char bx[G_ASCII_DTOSTR_BUF_SIZE], by[G_ASCII_DTOSTR_BUF_SIZE];
	xmlNode *p;

	if (!fit->ok) {
		g_string_free(d, TRUE);
		return;
	}
	for (int t = -(fit->days - 1); t <= 0; t++) {
		double rate = exp(fit->a + fit->b * t);

		g_string_append_printf(d, "%s%s %s ", d->len ? "L" : "M",
		    g_ascii_formatd(bx, sizeof(bx), "%.1f",
		    sx(sc, s->n - 1 + t)), g_ascii_formatd(by, sizeof(by),
		    "%.1f", sy_rate(sc, rate)));
	}
	p = svg_el(svg, "path");
	attr(p, "d", d->str);
	attr(p, "fill", "none");
	attr(p, "stroke", "#7a1fa2");
	attr(p, "stroke-width", "1.5");
	attr(p, "stroke-dasharray", "3 3");
	g_string_free(d, TRUE);
}

static void
draw_axes(xmlNode *svg, const struct series *s, const struct scale *sc)
{
	g_autofree char *top = pct(sc->rate_max);
	g_autofree char *rmax = g_strdup_printf("%.0f", sc->rcpt_max / 0.9);
	double yb = sc->y0 + sc->h + BAND + 18;

	svg_line(svg, sc->x0, sc->y0 + sc->h, sc->x0 + sc->w, sc->y0 + sc->h,
	    "#888", NULL);
	svg_line(svg, sc->x0, sc->y0, sc->x0, sc->y0 + sc->h, "#888", NULL);
	svg_text(svg, sc->x0 - 4, sc->y0 + 8, "end", top);
	/* "0" only where it does not collide with the 0.1% label */
	if (sy_rate(sc, 0.001) < sc->y0 + sc->h - 14)
		svg_text(svg, sc->x0 - 4, sc->y0 + sc->h, "end", "0");
	svg_text(svg, sc->x0 + sc->w + 4, sc->y0 + 8, "start", rmax);
	svg_text(svg, sc->x0 + sc->w + 4, sc->y0 + 20, "start", "recipients");
	svg_text(svg, sc->x0, yb, "start", s->first);
	svg_text(svg, sc->x0 + sc->w, yb, "end", s->last);
	svg_text(svg, sc->x0 + sc->w / 2, yb, "middle",
	    "complaint rate (line), trend (dashed), recipients (bars), "
	    "SNDS filter (band)");
}

static void
scale_init(struct scale *sc, const struct series *s)
{
	sc->rate_max = 0.004;
	sc->rcpt_max = 0;
	for (int i = 0; i < s->n; i++) {
		if (isfinite(s->rate[i]) && s->rate[i] * 1.1 > sc->rate_max)
			sc->rate_max = s->rate[i] * 1.1;
		if (isfinite(s->rcpt[i]) && s->rcpt[i] > sc->rcpt_max)
			sc->rcpt_max = s->rcpt[i];
	}
	sc->x0 = PL;
	sc->y0 = PT;
	sc->w = CW - PL - PR;
	sc->h = CH - PT - PB;
	sc->n = s->n;
}

static void
chart(xmlNode *parent, const struct series *s, const struct an_trend *fit,
    const char *subject)
{
	xmlNode *svg = xmlNewChild(parent, NULL, XC("svg"), NULL);
	xmlNs *ns = xmlNewNs(svg, XC(SVG_NS), NULL);
	g_autofree char *label = g_strdup_printf("Complaint rate of %s, %s to "
	    "%s", subject, s->first, s->last);
	struct scale sc;

	xmlSetNs(svg, ns);
	attr(svg, "class", "chart");
	attr(svg, "width", "760");
	attr(svg, "height", "270");
	attr(svg, "viewBox", "0 0 760 270");
	attr(svg, "role", "img");
	el(svg, "title", label);
	scale_init(&sc, s);
	draw_bars(svg, s, &sc);
	draw_band(svg, s, &sc);
	draw_thresholds(svg, &sc);
	draw_rate(svg, s, &sc);
	draw_trend(svg, fit, s, &sc);
	draw_axes(svg, s, &sc);
}

/* ---- flagged subjects ------------------------------------------------ */

static const char subjects_sql[] =
    "SELECT subject, subject_kind, min(forecast_days), max(severity_rank), "
    "string_agg(DISTINCT rule, ', '), max(rate_7d) FROM "
    "dashboard.alert_history WHERE day = $1::date AND subject_kind IN "
    "('ip', 'cidr') GROUP BY subject, subject_kind ORDER BY "
    "max(severity_rank) DESC, subject_kind, subject";

static void
forecast_text(xmlNode *parent, PGresult *r, int row, const struct an_trend
    *fit)
{
	GString *t = g_string_new(NULL);
	g_autofree char *rate = pct(num(r, row, 5));
	double f = num(r, row, 2);

	g_string_append_printf(t, "Rules: %s. 7-day rate %s. ", val(r, row, 4),
	    rate);
	if (isfinite(f) && f == 0)
		g_string_append(t, "Forecast: at or above 0.3% already.");
	else if (isfinite(f))
		g_string_append_printf(t, "Forecast: 0.3%% in about %.0f "
		    "day(s).", f);
	else
		g_string_append(t, "Forecast: not significantly rising.");
	if (fit->ok)
		g_string_append_printf(t, " Trend: %+.1f%% per day over %d "
		    "days.", (exp(fit->b) - 1) * 100, fit->days);
	attr(el(parent, "p", t->str), "class", "forecast");
	g_string_free(t, TRUE);
}

static void
series_dates(struct series *s, const char *day)
{
	GDate d;

	rw_parse_date(&d, day);
	rw_format_date(s->last, &d);
	g_date_subtract_days(&d, REPORT_HTML_DAYS - 1);
	rw_format_date(s->first, &d);
}

static int
add_subject(xmlNode *body, struct rw_db *db, PGresult *r, int row,
    const char *day, int trend_days)
{
	const char *subject = val(r, row, 0);
	g_autofree char *title = g_strdup_printf("%s %s", strcmp(val(r, row,
	    1), "ip") == 0 ? "IP" : "Range", subject);
	struct series s;
	struct an_trend fit;
	int rc = load_series(&s, db, subject, day);

	if (rc != 0)
		return rc;
	series_dates(&s, day);
	fit_trend(&fit, &s, trend_days);
	el(body, "h3", title);
	chart(body, &s, &fit, subject);
	forecast_text(body, r, row, &fit);
	return 0;
}

static int
add_subjects(int *out_charts, xmlNode *body, struct rw_db *db,
    const char *day, int trend_days)
{
	const char *params[] = {day};
	PGresult *r = NULL;
	int rc = rw_db_query(&r, db, subjects_sql, 1, params);
	g_autofree char *title = g_strdup_printf("Flagged IPs and ranges, %d "
	    "days to %s", REPORT_HTML_DAYS, day);

	el(body, "h2", title);
	if (rc == 0 && PQntuples(r) == 0)
		el(body, "p", "No IP or range is flagged.");
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		rc = add_subject(body, db, r, i, day, trend_days);
		(*out_charts)++;
	}
	PQclear(r);
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
	attr(html, "lang", "en");
	xmlDocSetRootElement(doc, html);
	xmlCreateIntSubset(doc, XC("html"), NULL, NULL);
	head = el(html, "head", NULL);
	meta = el(head, "meta", NULL);
	attr(meta, "charset", "utf-8");
	el(head, "title", title);
	el(head, "style", css);
	body = el(html, "body", NULL);
	el(body, "h1", title);
	return body;
}

int
out_html_build(xmlDoc **out, int *out_charts, struct rw_db *db,
    const struct rw_config *cfg, const char *day)
{
	g_autofree char *d = NULL;
	xmlDoc *doc = NULL;
	xmlNode *body;
	int charts = 0;
	int rc = resolve_day(&d, db, day);

	*out = NULL;
	if (rc != 0)
		return rc;
	doc = xmlNewDoc(XC("1.0"));
	body = skeleton(doc, d);
	rc = add_summary(body, db, d);
	if (rc == 0)
		rc = add_alerts(body, db, d);
	if (rc == 0)
		rc = add_subjects(&charts, body, db, d,
		    (int)rw_config_int(cfg, "analyze", "trend_days"));
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

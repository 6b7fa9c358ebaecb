/*
 * out_html_chart - one incident's section of the HTML report: an inline SVG
 * chart of its subject's REPORT_HTML_DAYS days (a range incident: the /24's
 * series), the band of Microsoft's SMTP answers under it when the MTA logs
 * have any (out_html_mta.c), its forecast line and, for a range, its
 * members with their own numbers.
 */
#include <math.h>
#include <string.h>

#include "analyze/an_stats.h"
#include "out/out_html_int.h"
#include "common/rw_out.h"
#include "common/rw_util.h"

#define SVG_NS "http://www.w3.org/2000/svg"

/* chart geometry, in SVG user units */
#define CW OUT_CHART_W
#define CH 270.0
#define PL OUT_CHART_PL  /* left margin: rate axis */
#define PR OUT_CHART_PR  /* right margin: recipients axis */
#define PT 16.0
#define PB 52.0  /* bottom: colour band and dates */
#define BAND 10.0

struct series {
	int n;                 /* REPORT_HTML_DAYS */
	double rcpt[REPORT_HTML_DAYS];   /* NAN = no SNDS data */
	double compl[REPORT_HTML_DAYS];  /* complaints of days with data */
	double rate[REPORT_HTML_DAYS];   /* NAN = unknown */
	int filter[REPORT_HTML_DAYS];    /* 0 unknown, 1..3 */
	char first[11], last[11];
};

static void
attr_num(xmlNode *n, const char *name, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	out_html_attr(n, name, g_ascii_formatd(buf, sizeof(buf), "%.1f", v));
}

static double
num(PGresult *r, int row, int col)
{
	double v = NAN;

	if (!PQgetisnull(r, row, col))
		rw_parse_double(&v, PQgetvalue(r, row, col));
	return v;
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
	out_html_attr(l, "stroke", stroke);
	if (dash != NULL)
		out_html_attr(l, "stroke-dasharray", dash);
}

static void
svg_text(xmlNode *g, double x, double y, const char *anchor,
    const char *text)
{
	g_autofree char *clean = rw_out_xml(text);
	xmlNode *t = xmlNewTextChild(g, NULL, XC("text"), XC(clean));

	attr_num(t, "x", x);
	attr_num(t, "y", y);
	out_html_attr(t, "font-size", "11");
	out_html_attr(t, "text-anchor", anchor);
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
	out_html_attr(r, "fill", fill);
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
	out_html_attr(p, "d", d->len ? d->str : "M 0 0");
	out_html_attr(p, "fill", "none");
	out_html_attr(p, "stroke", "#1f4e9a");
	out_html_attr(p, "stroke-width", "2");
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
	out_html_attr(p, "d", d->str);
	out_html_attr(p, "fill", "none");
	out_html_attr(p, "stroke", "#7a1fa2");
	out_html_attr(p, "stroke-width", "1.5");
	out_html_attr(p, "stroke-dasharray", "3 3");
	g_string_free(d, TRUE);
}

static void
draw_axes(xmlNode *svg, const struct series *s, const struct scale *sc)
{
	g_autofree char *top = out_html_pct(sc->rate_max);
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
	out_html_attr(svg, "class", "chart");
	out_html_attr(svg, "width", "760");
	out_html_attr(svg, "height", "270");
	out_html_attr(svg, "viewBox", "0 0 760 270");
	out_html_attr(svg, "role", "img");
	out_html_el(svg, "title", label);
	scale_init(&sc, s);
	draw_bars(svg, s, &sc);
	draw_band(svg, s, &sc);
	draw_thresholds(svg, &sc);
	draw_rate(svg, s, &sc);
	draw_trend(svg, fit, s, &sc);
	draw_axes(svg, s, &sc);
}

/* ---- one incident ---------------------------------------------------- */

static void
forecast_text(xmlNode *parent, const struct an_incident *inc,
    const struct an_trend *fit)
{
	GString *t = g_string_new(NULL);
	g_autofree char *rules = g_strjoinv(", ", inc->rules);
	g_autofree char *rate = out_html_pct(inc->num.rate_7d);
	int f = inc->num.forecast_days;

	g_string_append_printf(t, "Rules: %s. 7-day rate %s. ", rules, rate);
	if (f == 0)
		g_string_append(t, "Forecast: at or above 0.3% already.");
	else if (f > 0)
		g_string_append_printf(t, "Forecast: 0.3%% in about %d "
		    "day(s).", f);
	else
		g_string_append(t, "Forecast: not significantly rising.");
	if (fit->ok)
		g_string_append_printf(t, " Trend: %+.1f%% per day over %d "
		    "days.", (exp(fit->b) - 1) * 100, fit->days);
	out_html_attr(out_html_el(parent, "p", t->str), "class", "forecast");
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

/* members - a range incident's IPs, each with its own numbers */
static void
members(xmlNode *body, const struct an_incident *inc)
{
	static const char *const head[] = {"member", "severity", "rules",
	    "rate 7d", "recipients 7d", "complaints 7d", "forecast days",
	    "listed", "filter"};
	xmlNode *t;

	if (inc->members->len == 0)
		return;
	t = out_html_table(body, head, G_N_ELEMENTS(head));
	out_html_attr(t, "class", "members");
	for (guint k = 0; k < inc->members->len; k++) {
		const struct an_incident_member *m = inc->members->pdata[k];
		g_autofree char *rules = g_strjoinv(", ", m->rules);
		g_autofree char *rate = out_html_pct(m->num.rate_7d);
		g_autofree char *rcpt = out_html_count(m->num.recipients_7d);
		g_autofree char *compl = out_html_count(m->num.complaints_7d);
		g_autofree char *fc = m->num.forecast_days < 0 ? g_strdup("") :
		    g_strdup_printf("%d", m->num.forecast_days);
		xmlNode *tr = out_html_el(t, "tr", NULL);

		out_html_attr(tr, "class", an_severity_name(m->severity));
		out_html_el(tr, "td", m->ip);
		out_html_el(tr, "td", an_severity_name(m->severity));
		out_html_attr(out_html_el(tr, "td", rules), "class", "w");
		out_html_attr(out_html_el(tr, "td", rate), "class", "n");
		out_html_attr(out_html_el(tr, "td", rcpt), "class", "n");
		out_html_attr(out_html_el(tr, "td", compl), "class", "n");
		out_html_attr(out_html_el(tr, "td", fc), "class", "n");
		out_html_el(tr, "td", m->num.listed ? "yes" : "no");
		out_html_el(tr, "td", m->num.filter != NULL ? m->num.filter :
		    "");
	}
}

int
out_html_incident(xmlNode *body, struct rw_db *db,
    const struct an_incident *inc, const char *day, int trend_days)
{
	g_autofree char *title = g_strdup_printf("%s %s (%s, %s%s)",
	    inc->is_range ? "Range" : "IP", inc->subject, inc->id,
	    an_severity_name(inc->severity),
	    inc->silenced_until != NULL ? ", silenced" : "");
	struct series s;
	struct an_trend fit;
	int rc = load_series(&s, db, inc->subject, day);

	if (rc != 0)
		return rc;
	series_dates(&s, day);
	fit_trend(&fit, &s, trend_days);
	out_html_attr(out_html_el(body, "h3", title), "id", inc->id);
	chart(body, &s, &fit, inc->subject);
	rc = out_html_mta_band(body, db, inc->subject, day);
	if (rc != 0)
		return rc;
	forecast_text(body, inc, &fit);
	if (inc->silenced_until != NULL) {
		g_autofree char *t = g_strdup_printf("Silenced until %s: no "
		    "notification unless it escalates.", inc->silenced_until);

		out_html_attr(out_html_el(body, "p", t), "class", "silenced");
	}
	members(body, inc);
	return 0;
}

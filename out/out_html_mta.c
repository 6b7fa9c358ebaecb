/*
 * out_html_mta - the band under an incident's chart: Microsoft's SMTP
 * answers from the sender's MTA logs (repwatch.mta_ip_day_facts), one cell
 * per day of the chart's REPORT_HTML_DAYS days, aligned with the chart's
 * plot area. Two rows: throttled attempts (4.7.650/4.7.651, S775/S3114)
 * and blocked attempts (S3140/S3150, 5.7.511, 5.7.606-649), each count
 * written in its cell, the day coloured by its worst answer (none,
 * throttled, blocked); an SVG <title> per day gives attempts, delivered,
 * throttled, blocked and the first block code. A range incident sums its
 * subject's IPs. No band for a subject without MTA data in those days.
 */
#include <limits.h>
#include <string.h>

#include "out/out_html_int.h"
#include "common/rw_out.h"
#include "common/rw_util.h"

#define SVG_NS "http://www.w3.org/2000/svg"

/* band geometry: the chart's width and plot columns, two rows of cells */
#define MW OUT_CHART_W
#define ROW 30.0   /* height of a row: a rotated 5-character count */
#define GAP 2.0
#define TOP 4.0
#define MH (TOP + ROW + GAP + ROW + 18.0)

struct mta_day {
	bool data;
	long long attempts, delivered, throttled, blocked;
	char code[32];
};

/*
 * Per chart day (0 = first): attempts, delivered, throttled and blocked
 * summed over the subject's IPs (a host, a CIDR, or "a-b" as in the
 * chart's series), and the block code of the day's first block answer.
 */
static const char band_sql[] =
    "WITH b AS (SELECT CASE WHEN $1 LIKE '%-%' THEN split_part($1, '-', 1)"
    "::inet ELSE host(network($1::cidr))::inet END AS lo, CASE WHEN $1 LIKE "
    "'%-%' THEN split_part($1, '-', 2)::inet ELSE host(broadcast($1::cidr))"
    "::inet END AS hi) SELECT (f.day - ($2::date - $3::int + 1)), "
    "sum(f.attempts), coalesce(sum(f.delivered), 0), "
    "coalesce(sum(f.throttled), 0), coalesce(sum(f.blocked), 0), "
    "(array_agg(f.block_code ORDER BY f.first_block_at, f.ip) FILTER "
    "(WHERE f.block_code IS NOT NULL))[1] FROM repwatch.mta_ip_day_facts("
    "$2::date - $3::int + 1, $2::date) f, b WHERE f.ip BETWEEN b.lo AND "
    "b.hi GROUP BY f.day";

static long long
count(PGresult *r, int row, int col)
{
	long long v = 0;

	if (!PQgetisnull(r, row, col))
		rw_parse_ll(&v, PQgetvalue(r, row, col), 0, LLONG_MAX);
	return v;
}

/* load - the days of SUBJECT; *out_any tells whether any has data */
static int
load(struct mta_day *days, bool *out_any, struct rw_db *db,
    const char *subject, const char *day)
{
	g_autofree char *n = g_strdup_printf("%d", REPORT_HTML_DAYS);
	const char *params[] = {subject, day, n};
	PGresult *r = NULL;
	int rc = rw_db_query(&r, db, band_sql, 3, params);

	memset(days, 0, sizeof(*days) * REPORT_HTML_DAYS);
	*out_any = false;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		long long k = -1;
		struct mta_day *d;

		if (rw_parse_ll(&k, PQgetvalue(r, i, 0), 0,
		    REPORT_HTML_DAYS - 1) != 0)
			continue;
		d = &days[k];
		d->data = true;
		d->attempts = count(r, i, 1);
		d->delivered = count(r, i, 2);
		d->throttled = count(r, i, 3);
		d->blocked = count(r, i, 4);
		if (!PQgetisnull(r, i, 5))
			g_strlcpy(d->code, PQgetvalue(r, i, 5),
			    sizeof(d->code));
		*out_any = true;
	}
	PQclear(r);
	return rc;
}

/* short_count - at most 5 characters: 12345, 1234k, 1234M */
static char *
short_count(long long v)
{
	if (v < 100000)
		return g_strdup_printf("%lld", v);
	if (v < 10000000)
		return g_strdup_printf("%lldk", v / 1000);
	return g_strdup_printf("%lldM", v / 1000000);
}

static void
attr_num(xmlNode *n, const char *name, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	out_html_attr(n, name, g_ascii_formatd(buf, sizeof(buf), "%.1f", v));
}

static xmlNode *
text(xmlNode *g, double x, double y, const char *anchor, const char *s,
    const char *size)
{
	g_autofree char *clean = rw_out_xml(s);
	xmlNode *t = xmlNewTextChild(g, NULL, XC("text"), XC(clean));

	attr_num(t, "x", x);
	attr_num(t, "y", y);
	out_html_attr(t, "font-size", size);
	out_html_attr(t, "text-anchor", anchor);
	return t;
}

/* cell - one row's cell of a day, its count rotated inside when not 0 */
static void
cell(xmlNode *g, double x, double y, double w, long long v,
    const char *fill, const char *ink)
{
	xmlNode *r = xmlNewChild(g, NULL, XC("rect"), NULL);
	char buf[G_ASCII_DTOSTR_BUF_SIZE], by[G_ASCII_DTOSTR_BUF_SIZE];
	double cx = x + w / 2, cy = y + ROW / 2;
	g_autofree char *label = NULL;
	g_autofree char *rot = NULL;
	xmlNode *t;

	attr_num(r, "x", x + 0.5);
	attr_num(r, "y", y);
	attr_num(r, "width", w - 1);
	attr_num(r, "height", ROW);
	out_html_attr(r, "fill", fill);
	if (v <= 0)
		return;
	label = short_count(v);
	t = text(g, cx, cy + 3, "middle", label, "8");
	rot = g_strdup_printf("rotate(-90 %s %s)",
	    g_ascii_formatd(buf, sizeof(buf), "%.1f", cx),
	    g_ascii_formatd(by, sizeof(by), "%.1f", cy));
	out_html_attr(t, "transform", rot);
	out_html_attr(t, "fill", ink);
}

/* day_title - the tooltip of day I */
static char *
day_title(const struct mta_day *d, const GDate *first, int i)
{
	GDate day = *first;
	char ds[11];

	g_date_add_days(&day, (guint)i);
	rw_format_date(ds, &day);
	if (!d->data)
		return g_strdup_printf("%s: no MTA data", ds);
	return g_strdup_printf("%s: %lld attempts, %lld delivered, %lld "
	    "throttled, %lld blocked%s%s%s", ds, d->attempts, d->delivered,
	    d->throttled, d->blocked, d->code[0] ? " (" : "", d->code,
	    d->code[0] ? ")" : "");
}

static void
draw(xmlNode *parent, const struct mta_day *days, const char *subject,
    const char *day)
{
	xmlNode *svg = xmlNewChild(parent, NULL, XC("svg"), NULL);
	xmlNs *ns = xmlNewNs(svg, XC(SVG_NS), NULL);
	double x0 = OUT_CHART_PL, w = MW - OUT_CHART_PL - OUT_CHART_PR;
	double bw = w / REPORT_HTML_DAYS;
	char vb[64];
	GDate first;
	g_autofree char *label = NULL;

	rw_parse_date(&first, day);
	g_date_subtract_days(&first, REPORT_HTML_DAYS - 1);
	label = g_strdup_printf("Microsoft's SMTP answers to %s per day (MTA "
	    "logs): throttled and blocked attempts", subject);
	xmlSetNs(svg, ns);
	out_html_attr(svg, "class", "mta");
	snprintf(vb, sizeof(vb), "%.0f", MW);
	out_html_attr(svg, "width", vb);
	snprintf(vb, sizeof(vb), "%.0f", MH);
	out_html_attr(svg, "height", vb);
	snprintf(vb, sizeof(vb), "0 0 %.0f %.0f", MW, MH);
	out_html_attr(svg, "viewBox", vb);
	out_html_attr(svg, "role", "img");
	out_html_el(svg, "title", label);
	text(svg, x0 - 4, TOP + ROW / 2 + 4, "end", "throttled", "10");
	text(svg, x0 - 4, TOP + ROW + GAP + ROW / 2 + 4, "end", "blocked",
	    "10");
	for (int i = 0; i < REPORT_HTML_DAYS; i++) {
		const struct mta_day *d = &days[i];
		xmlNode *g = xmlNewChild(svg, NULL, XC("g"), NULL);
		g_autofree char *tip = day_title(d, &first, i);
		const char *base = d->data ? "#cfe8cf" : "#f2f2f2";
		double x = x0 + i * bw;

		out_html_attr(g, "class", !d->data ? "mta-day nodata" :
		    d->blocked > 0 ? "mta-day blocked" : d->throttled > 0 ?
		    "mta-day throttled" : "mta-day none");
		out_html_el(g, "title", tip);
		cell(g, x, TOP, bw, d->throttled, d->throttled > 0 ?
		    "#e6c229" : base, "#222");
		cell(g, x, TOP + ROW + GAP, bw, d->blocked, d->blocked > 0 ?
		    "#c83232" : base, "#fff");
	}
	text(svg, x0, MH - 5, "start", "MTA logs: throttled (amber), blocked "
	    "(red), neither (green), no data (grey); hover a day for its "
	    "numbers", "11");
}

int
out_html_mta_band(xmlNode *parent, struct rw_db *db, const char *subject,
    const char *day)
{
	struct mta_day days[REPORT_HTML_DAYS];
	bool any = false;
	int rc = load(days, &any, db, subject, day);

	if (rc == 0 && any)
		draw(parent, days, subject, day);
	return rc;
}

/*
 * out_html_int - what out_html.c (the document, its tables) and
 * out_html_chart.c (an incident's chart section) share. Not for callers.
 */
#ifndef OUT_HTML_INT_H
#define OUT_HTML_INT_H

#include <libxml/tree.h>

#include "analyze/an_incidents.h"
#include "out/out_html.h"

/* libxml2 takes const xmlChar * names and contents: no const to drop */
#define XC(s) ((const xmlChar *)(s))

/* the chart's width and its left and right margins (the plot area's
 * columns), shared by the MTA band below it */
#define OUT_CHART_W 760.0
#define OUT_CHART_PL 56.0
#define OUT_CHART_PR 64.0

/* out_html_el - a child element NAME with TEXT (nullable), made safe */
xmlNode *out_html_el(xmlNode *parent, const char *name, const char *text);
/* out_html_attr - attribute NAME=VALUE, made safe */
void out_html_attr(xmlNode *n, const char *name, const char *value);
/* out_html_pct - a rate as "1.234%", "-" when unknown (new string) */
char *out_html_pct(double rate);
/* out_html_count - a count as "123", "" when unknown (new string) */
char *out_html_count(double v);
/* out_html_table - a <table> with a header row of NCOLS names */
xmlNode *out_html_table(xmlNode *parent, const char *const *head,
    int ncols);

/*
 * out_html_incident - the section of incident INC as of DAY: a heading,
 * the chart of its subject (a range: the /24), the forecast, the silence,
 * the members of a range
 */
int out_html_incident(xmlNode *body, struct rw_db *db,
    const struct an_incident *inc, const char *day, int trend_days);

/*
 * out_html_mta_band - under a chart of SUBJECT (an IP, a CIDR or "a-b"):
 * Microsoft's throttle and block answers per day of the chart's days, from
 * the MTA logs (out_html_mta.c); nothing when the subject has no MTA data
 */
int out_html_mta_band(xmlNode *parent, struct rw_db *db, const char *subject,
    const char *day);

#endif

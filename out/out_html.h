/*
 * out_html - "repwatch report --html FILE [--date D]": one
 * self-contained XHTML file (no scripts, no external resources) built with
 * libxml2's tree API, so every value is escaped by construction:
 *
 *  - a summary: sources, days covered, volumes and complaint totals, feed
 *    health of every SNDS source and mailbox;
 *  - the incidents open on day D (an_incidents_list), one row each, most
 *    severe first, silenced ones marked; then the data-health alerts;
 *  - for each incident an inline SVG chart of the 60 days up to D of its
 *    subject (a range: the /24): complaint rate with the 0.1% and 0.3%
 *    lines and the fitted trend, recipients as bars, the SNDS filter
 *    colour as a band; under it, when the MTA logs have any, a band of
 *    Microsoft's throttle and block answers per day (sum over a range's
 *    IPs); its forecast, its silence, a range's members.
 */
#ifndef OUT_HTML_H
#define OUT_HTML_H

#include <libxml/tree.h>

#include "common/rw_config.h"
#include "common/rw_db.h"

#define REPORT_HTML_DAYS 60

/*
 * out_html_build - the document for DAY ("YYYY-MM-DD"; NULL: the latest
 * analyzed day, else the latest day with SNDS data). *out_charts (nullable)
 * gets the number of charts.
 */
int out_html_build(xmlDoc **out, int *out_charts, struct rw_db *db,
    const struct rw_config *cfg, const char *day);

/*
 * out_html_write - build and write PATH atomically (mode 0644). This is
 * what "repwatch demo" and the nightly run call.
 */
int out_html_write(struct rw_db *db, const struct rw_config *cfg,
    const char *path, const char *day);

#endif

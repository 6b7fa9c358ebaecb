/*
 * snds_fetch - fetch SNDS reports: for each source, the days to fetch
 * (missing days of the look-back window plus the last 3, or the days
 * asked for), one request per day with bounded retries, the response
 * classified, CSV loaded, everything recorded in the fetch log; the
 * IP-status report once per run.
 */
#ifndef SNDS_FETCH_H
#define SNDS_FETCH_H

#include <stdbool.h>

#include "common/rw_config.h"
#include "common/rw_db.h"

/* snds_link_url_for_day - URL for DAY (YYYY-MM-DD) of a link or API source */
int snds_link_url_for_day(char **out, const char *url, const char *day);

/* one report loaded, or found empty, as it happens */
struct snds_fetch_event {
	const char *source;
	const char *kind;     /* "data" or "status" */
	const char *day;      /* the report's day (status: today) */
	long rows;            /* rows (data) or ranges (status) loaded */
	long rejected;
	const char *no_data;  /* NULL when loaded; else why it is empty */
};

typedef void (*snds_fetch_event_fn)(const struct snds_fetch_event *e,
    void *data);

/*
 * The days to fetch: DATE alone, or SINCE with an optional UNTIL (default
 * today); all NULL is the default window. ON_REPORT (may be NULL) hears of
 * every report loaded or found empty while the run goes on.
 */
struct snds_window {
	const char *date;
	const char *since;
	const char *until;
	snds_fetch_event_fn on_report;
	void *on_report_data;
};

/* snds_window_check - the three days are dates and go together (RW_EUSAGE) */
int snds_window_check(const struct snds_window *w);

/* what a run did, counted as its fetch log rows */
struct snds_fetch_totals {
	long days;      /* data reports loaded clean (outcome ok) */
	long rows;      /* data rows and status ranges loaded */
	long rejected;  /* rows rejected */
	long failed;    /* requests failed: outcome other than ok, no-data */
};

/*
 * snds_fetch_run - fetch SOURCE (NULL: every configured source) over
 * WINDOW. Each problem is logged when it happens (a run covers many days
 * and sources); returns the worst status of them (0 when all went well),
 * with the error of a run that could not start recorded.
 */
int snds_fetch_run(struct snds_fetch_totals *out, struct rw_db *db,
    const struct rw_config *cfg, const char *source,
    const struct snds_window *window);

#endif

/*
 * an_run - analyze one day (read facts, evaluate rules, write alerts in
 * one transaction) or replay a range day by day. Analyzing day D reads
 * only data of days up to D, so a replay is a backtest.
 */
#ifndef AN_RUN_H
#define AN_RUN_H

#include <glib.h>

#include "analyze/an_rules.h"
#include "common/rw_config.h"
#include "common/rw_db.h"

struct an_day_summary {
	int subjects;   /* IPs and /24 ranges judged */
	int findings;
	int open;       /* alerts open after the day */
	int critical;
	int warning;
};

/* an_run_evaluate - the day's findings without writing them */
int an_run_evaluate(GPtrArray **out_findings, int *out_subjects,
    struct rw_db *db, const char *day, const struct an_params *p);

/* an_run_day - evaluate DAY and store its alerts (own transaction) */
int an_run_day(struct an_day_summary *out, struct rw_db *db,
    const char *day, const struct an_params *p);

/* an_run_range - an_run_day for every day FROM..TO in order; logs a line
 * per day */
int an_run_range(struct rw_db *db, const char *from, const char *to,
    const struct an_params *p);

struct an_run_totals {
	int days;     /* days analyzed */
	int open;     /* alerts open afterwards */
	int critical; /* of which critical */
};

/*
 * an_run_analyze - the area's entry point, for "analyze" and nightly: take
 * the analyze lock (RW_ETEMP when another analysis holds it), book
 * complaints in the first SNDS source's zone, run FROM..TO with the
 * [analyze] parameters of CFG, and count the open alerts.
 */
int an_run_analyze(struct an_run_totals *out, struct rw_db *db,
    const struct rw_config *cfg, const char *from, const char *to);

/*
 * an_run_pending - the days nightly analyzes: from the day after the last
 * analyzed one (at least the last 3 days with data, which a fetch may have
 * revised) to the last day with SNDS data or MTA answers; both NULL when
 * there is none.
 * Days after the horizon (stored by an earlier version) are ignored: they
 * would otherwise be the only ones analyzed, night after night.
 */
int an_run_pending(char **out_from, char **out_to, struct rw_db *db);

#endif

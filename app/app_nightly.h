/*
 * app_nightly - "repwatch nightly": every configured SNDS fetch, every
 * configured mailbox ingest, every MTA log source's load, the analysis of the new days, then the
 * exports (HTML report, Prometheus file, notifications) and pruning, in
 * that order, under one lock (flock in state_dir and an advisory lock).
 *
 * A failing step does not stop the others: each is independent (the
 * analysis reads whatever data is there). The run's status is the worst
 * step's (rw_status_worse); the run and its steps are recorded in
 * repwatch.run_log.
 *
 * The steps come from the other areas through a table of function
 * pointers (struct app_nightly_ops), so tests can check ordering, failure
 * isolation and exit status with fake steps.
 */
#ifndef APP_NIGHTLY_H
#define APP_NIGHTLY_H

#include <stdbool.h>
#include <glib.h>

#include "app/app.h"

/*
 * A step: ARG is the source or mailbox name, the analysis range
 * "FROM..TO", or the output file. It appends what it did to COUNTS
 * ("840 rows loaded") and returns 0 or a negative status (error recorded).
 */
typedef int (*app_nightly_fn)(GString *counts, struct app *app,
    const char *arg);

struct app_nightly_ops {
	app_nightly_fn fetch;      /* one [snds.NAME] source */
	app_nightly_fn ingest;     /* one [mailbox.NAME] */
	app_nightly_fn mta;        /* one [mta.NAME] log source */
	app_nightly_fn analyze;    /* days "FROM..TO" */
	app_nightly_fn report;     /* [nightly] report_html */
	app_nightly_fn prometheus; /* [nightly] prometheus_file */
	app_nightly_fn notify;     /* [notify] command / webhook_url */
	app_nightly_fn prune;      /* [nightly] keep_days, as text */
};

/* the real steps of every area */
extern const struct app_nightly_ops app_nightly_default_ops;

struct app_nightly_step {
	char *kind;      /* fetch, ingest, analyze, report, prometheus... */
	char *arg;       /* source, mailbox, range or file (NULL if none) */
	int status;      /* 0 or negative rw_status */
	bool skipped;    /* nothing to do (no data, not configured) */
	char *counts;
	char *message;   /* the recorded error when it failed */
	double seconds;
};

struct app_nightly_result {
	GPtrArray *steps; /* struct app_nightly_step */
	int status;       /* worst step status */
	long long run_id; /* repwatch.run_log id, 0 when not recorded */
};

void app_nightly_result_clear(struct app_nightly_result *r);

/*
 * app_nightly_run - take the locks (RW_ETEMP at once when another run holds
 * either), run every step with OPS, record the run. Returns 0 when the
 * run happened (its outcome in OUT->status) or a negative status when it
 * could not start.
 */
int app_nightly_run(struct app_nightly_result *out, struct app *app,
    const struct app_nightly_ops *ops);

/*
 * app_nightly_print_summary - one line per step (-q: failed steps only). With
 * ONLY_FAILURES and a clean run, prints nothing.
 */
void app_nightly_print_summary(FILE *out, const struct app_nightly_result *r,
    bool only_failed);

/*
 * app_nightly_show_steps - whether the steps print what the commands they
 * stand for print (with -v or on a terminal); under cron only the summary
 */
bool app_nightly_show_steps(const struct app *app);

/* app_nightly_lock_path - STATE_DIR/nightly.lock (new string) */
char *app_nightly_lock_path(struct app *app);

#endif

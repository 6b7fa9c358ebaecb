/*
 * app_prune - "repwatch prune --keep-days N" (and [nightly] keep_days): remove
 * raw responses under STATE_DIR/raw, complaint reports, SNDS rows, alert
 * history, fetch and run logs older than N days. Rows go in batches of
 * PRUNE_BATCH, each its own short transaction, so dashboards and a running
 * ingest never wait long on a lock.
 */
#ifndef APP_PRUNE_H
#define APP_PRUNE_H

#include <glib.h>

#include "app/app.h"

#define PRUNE_BATCH 10000

struct app_prune_counts {
	long long raw_files;   /* files removed under STATE_DIR/raw */
	long long rows;        /* rows deleted, every table */
	long long batches;     /* transactions used */
	int tables;            /* tables that lost rows */
};

/* app_prune_min_days - the analysis window + baseline: pruning closer would
 * change what the next analysis sees */
int app_prune_min_days(const struct rw_config *cfg);

/* app_prune_db - delete rows older than KEEP_DAYS from every pruned table */
int app_prune_db(struct app_prune_counts *out, struct rw_db *db, int keep_days,
    long batch);

/*
 * app_prune_raw - raw copies under DIR (STATE_DIR/raw) past the retention
 * rule of rw_prune.h with KEEP_DAYS: each source directory by its
 * source's raw_retention_days capped by KEEP_DAYS, the rest by KEEP_DAYS
 * (missing DIR is fine)
 */
int app_prune_raw(struct app_prune_counts *out, const struct rw_config *cfg,
    const char *dir, int keep_days);

/* app_prune_app - both, with the application's database and state dir */
int app_prune_app(struct app_prune_counts *out, struct app *app, int keep_days);

/* app_prune_counts_format - "N rows in M batches, F raw files" */
void app_prune_counts_format(GString *out, const struct app_prune_counts *c);

#endif

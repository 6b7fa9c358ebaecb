/*
 * app_prune - batched deletes by age.
 */
#include <stdio.h>

#include "app/app_prune.h"
#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_prune.h"
#include "common/rw_util.h"

/*
 * Each pruned table with its age test; $1 is the cutoff day. Children go
 * before parents (alert_day before alert, incident_member_day before
 * incident_day before incident). Tables another area may not
 * have created yet are skipped.
 */
struct prune_table {
	const char *table;
	const char *older; /* WHERE clause on $1::date */
};

static const struct prune_table prune_tables[] = {
	{"repwatch.snds_daily", "day < $1::date"},
	{"repwatch.an_ip_day", "day < $1::date"},
	{"repwatch.snds_reject", "at < $1::date"},
	{"repwatch.snds_fetch_log", "started_at < $1::date"},
	{"repwatch.snds_ip_status", "day < $1::date"},
	{"repwatch.snds_status_snapshot", "day < $1::date"},
	{"repwatch.arf_report",
	    "coalesce(arrival_date, received_at) < $1::date"},
	{"repwatch.arf_message_log", "at < $1::date"},
	{"repwatch.arf_quarantine", "at < $1::date"},
	{"repwatch.arf_run", "started_at < $1::date"},
	{"repwatch.alert_day", "day < $1::date"},
	{"repwatch.alert", "state = 'resolved' AND resolved_day < $1::date"},
	{"repwatch.incident_member_day", "day < $1::date"},
	{"repwatch.incident_day", "day < $1::date"},
	{"repwatch.incident",
	    "state = 'resolved' AND resolved_day < $1::date"},
	{"repwatch.silence", "coalesce(lifted_at::date, until) < $1::date"},
	{"repwatch.analysis_run", "day < $1::date"},
	{"repwatch.mta_attempt_hour", "hour < $1::date"},
	{"repwatch.an_mta_day", "day < $1::date"},
	{"repwatch.mta_load", "finished_at < $1::date"},
	{"repwatch.run_log", "started_at < $1::date"},
	{NULL, NULL},
};

int
app_prune_min_days(const struct rw_config *cfg)
{
	return (int)(rw_config_int(cfg, "analyze", "window_days") +
	    rw_config_int(cfg, "analyze", "baseline_days"));
}

static int
table_exists(bool *out, struct rw_db *db, const char *table)
{
	const char *params[] = {table};
	char *v = NULL;
	int rc = rw_db_query1(&v, db, "SELECT to_regclass($1) IS NOT NULL", 1,
	    params);

	*out = rc == 0 && g_strcmp0(v, "t") == 0;
	g_free(v);
	return rc;
}

/* one batch: its own transaction (autocommit), rows by ctid */
static int
delete_batch(long long *out_rows, struct rw_db *db,
    const struct prune_table *t, const char *cutoff, long batch)
{
	g_autofree char *sql = g_strdup_printf("DELETE FROM %s WHERE ctid = "
	    "ANY (ARRAY(SELECT ctid FROM %s WHERE %s LIMIT %ld))", t->table,
	    t->table, t->older, batch);
	const char *params[] = {cutoff};
	PGresult *r = NULL;
	int rc = rw_db_query(&r, db, sql, 1, params);

	*out_rows = 0;
	if (rc == 0)
		rw_parse_ll(out_rows, PQcmdTuples(r), 0, G_MAXINT64);
	PQclear(r);
	return rc;
}

static int
prune_table(struct app_prune_counts *out, struct rw_db *db,
    const struct prune_table *t, const char *cutoff, long batch)
{
	long long n = 0, total = 0;
	bool exists = false;
	int rc = table_exists(&exists, db, t->table);

	if (rc != 0 || !exists)
		return rc;
	do {
		rc = delete_batch(&n, db, t, cutoff, batch);
		total += n;
		out->batches++;
	} while (rc == 0 && n >= batch);
	out->rows += total;
	if (total > 0) {
		out->tables++;
		rw_log_info("pruned %lld row(s) from %s", total, t->table);
	}
	return rc;
}

int
app_prune_db(struct app_prune_counts *out, struct rw_db *db, int keep_days,
    long batch)
{
	g_autofree char *cutoff = NULL;
	g_autofree char *days = g_strdup_printf("%d", keep_days);
	const char *params[] = {days};
	int rc = rw_db_query1(&cutoff, db, "SELECT (current_date - "
	    "$1::int)::text", 1, params);

	for (const struct prune_table *t = prune_tables; rc == 0 && t->table;
	    t++)
		rc = prune_table(out, db, t, cutoff, batch);
	return rc;
}

int
app_prune_raw(struct app_prune_counts *out, const struct rw_config *cfg,
    const char *dir, int keep_days)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	int rc = 0;

	/* each source's copies by the one rule (rw_prune.h) */
	while (rc == 0 && d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, NULL);

		if (g_file_test(path, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
			rc = rw_prune_files(&out->raw_files, path,
			    RW_PRUNE_RAW_GLOB, rw_prune_raw_days(cfg, name,
			    keep_days));
	}
	if (d != NULL)
		g_dir_close(d);
	/* and copies lying elsewhere under DIR, by KEEP_DAYS */
	if (rc == 0)
		rc = rw_prune_files(&out->raw_files, dir,
		    RW_PRUNE_RAW_GLOB, keep_days);
	return rc;
}

int
app_prune_app(struct app_prune_counts *out, struct app *app, int keep_days)
{
	g_autofree char *state = rw_config_state_dir(app->cfg);
	g_autofree char *raw = g_build_filename(state, "raw", NULL);
	struct rw_db *db = NULL;
	int min = app_prune_min_days(app->cfg);
	int rc;

	if (keep_days < min) {
		rw_error_set(RW_ECONFIG, "keep_days %d is shorter than the "
		    "analysis needs (%d days)", keep_days, min);
		rw_error_hint("Keep at least window_days + baseline_days.");
		return RW_ECONFIG;
	}
	rc = app_prune_raw(out, app->cfg, raw, keep_days);
	if (rc == 0)
		rc = app_db(&db, app);
	if (rc == 0)
		rc = app_prune_db(out, db, keep_days, PRUNE_BATCH);
	return rc;
}

void
app_prune_counts_format(GString *out, const struct app_prune_counts *c)
{
	g_string_append_printf(out, "%lld row(s) from %d table(s) in %lld "
	    "batch(es), %lld raw file(s)", c->rows, c->tables, c->batches,
	    c->raw_files);
}

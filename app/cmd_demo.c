/*
 * cmd_demo - the whole pipeline on the bundled sample data, in a private
 * embedded cluster of its own (STATE/demo) so it never mixes with real data:
 * SNDS reports -> loader, complaint Maildir -> ARF ingest, Postfix logs ->
 * MTA loader, analysis of every day, the incidents open on the last day,
 * the HTML report, and the backtest of what the analysis stored.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze/an_backtest.h"
#include "app/app_cmds.h"
#include "arf/arf_ingest.h"
#include "mta/mta_classify.h"
#include "mta/mta_load.h"
#include "out/out_html.h"
#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_util.h"
#include "ingest/snds_files.h"

#define DEMO_SOURCE "demo"
#define DEMO_TZ "America/Los_Angeles"
/* the sample hosts' smtp transports and their IPs, as
 * data/sample/generate_mta_logs.py writes the log (IP_BY_SERVICE) */
#define DEMO_MTA_SERVICES                                                   \
	"ip10:192.0.2.10, ip11:192.0.2.11, ip12:192.0.2.12, "                \
	"ip13:192.0.2.13, ip14:192.0.2.14, ip15:192.0.2.15, "                \
	"ip16:192.0.2.16, ip17:192.0.2.17, ip50:192.0.2.50, "                \
	"net20:198.51.100.20, net21:198.51.100.21, net22:198.51.100.22, "    \
	"net23:198.51.100.23, net24:198.51.100.24, net25:198.51.100.25, "    \
	"net26:198.51.100.26, net27:198.51.100.27, small5:203.0.113.5, "     \
	"small6:203.0.113.6"

static int
demo_reset(struct rw_db *db)
{
	int rc = rw_db_exec(db, "DROP SCHEMA IF EXISTS repwatch CASCADE");

	if (rc == 0)
		rc = rw_db_migrate(db, NULL);
	return rc;
}

/* copy_tree - copy a small directory tree (the sample Maildir), so the
 * ingest can move messages without touching the repository's copy */
static int
copy_tree(const char *from, const char *to)
{
	GDir *dir = g_dir_open(from, 0, NULL);
	const char *name;
	int rc = rw_mkdir_p(to, 0700);

	if (dir == NULL)
		return rw_error_set(RW_EDATA, "cannot read sample directory \"%s\"",
		    from);
	while (rc == 0 && (name = g_dir_read_name(dir)) != NULL) {
		char *src = g_build_filename(from, name, NULL);
		char *dst = g_build_filename(to, name, NULL);
		char *data = NULL;
		size_t len = 0;

		if (g_file_test(src, G_FILE_TEST_IS_DIR))
			rc = copy_tree(src, dst);
		else if ((rc = rw_read_file(&data, &len, src, 64 << 20)) == 0)
			rc = rw_write_atomic(dst, data, len, 0600);
		g_free(data);
		g_free(src);
		g_free(dst);
	}
	g_dir_close(dir);
	return rc;
}

static int
demo_snds(struct rw_db *db, const char *data_dir)
{
	struct snds_load_totals t = {0};
	char *dir = g_build_filename(data_dir, "snds", NULL);
	int rc;

	printf("\n== SNDS: loading %s\n", dir);
	fflush(stdout);
	rc = snds_load_dir(&t, db, DEMO_SOURCE, DEMO_TZ, dir);
	printf("%d report file(s), %ld row(s) loaded, %ld rejected\n", t.files,
	    t.rows, t.rejected);
	g_free(dir);
	return rc;
}

static int
demo_arf(struct app *app, const char *data_dir, const char *state)
{
	char *sample = g_build_filename(data_dir, "maildir", NULL);
	char *copy = g_build_filename(state, "maildir", NULL);
	struct arf_ingest_totals t = {0};
	int status = 0, rc;

	printf("\n== Complaints: ingesting a copy of %s\n", sample);
	fflush(stdout);
	rc = copy_tree(sample, copy);
	if (rc == 0)
		status = app_arf_ingest(&t, app, copy, true);
	fflush(stdout);
	arf_ingest_totals_clear(&t);
	g_free(sample);
	g_free(copy);
	if (rc != 0 || status == 0)
		return rc;
	/* printed as "arf ingest" prints a source's error */
	rw_error_print();
	if (status == RW_EDATA)
		return 0;
	return rw_error_set(status, "complaint ingest failed (exit %d)",
	    rw_exit_code(status));
}

/* the sample Postfix logs as a source [mta.demo] of this run */
static int
demo_mta(struct rw_db *db, struct app *app, const char *data_dir)
{
	struct mta_load_totals t = {0};
	char *glob = g_build_filename(data_dir, "mta", "mail.log*", NULL);
	int rc = rw_config_set(app->cfg, "mta." DEMO_SOURCE, "type",
	    "postfix");

	if (rc == 0)
		rc = rw_config_set(app->cfg, "mta." DEMO_SOURCE, "path", glob);
	if (rc == 0)
		rc = rw_config_set(app->cfg, "mta." DEMO_SOURCE,
		    "ip_by_service", DEMO_MTA_SERVICES);
	if (rc == 0)
		rc = rw_config_set(app->cfg, "mta." DEMO_SOURCE, "timezone",
		    DEMO_TZ);
	printf("\n== MTA logs: loading %s\n", glob);
	fflush(stdout);
	if (rc == 0)
		rc = mta_load_run(&t, db, app->cfg, DEMO_SOURCE, NULL);
	if (rc == 0)
		printf("%zu file(s), %zu lines, %zu attempts to Microsoft: "
		    "%zu delivered, %zu throttled, %zu blocked\n", t.files,
		    t.lines, t.microsoft, t.by_class[MTA_CLASS_DELIVERED],
		    t.by_class[MTA_CLASS_DEFERRED_THROTTLE],
		    t.by_class[MTA_CLASS_BLOCKED]);
	g_free(glob);
	return rc;
}

static int
demo_analyze(struct app *app)
{
	int rc;

	printf("\n== Analysis: replaying every day, incidents open on the "
	    "last day\n");
	fflush(stdout);
	rc = app_analyze_and_report(app, stdout);
	fflush(stdout);
	return rc;
}

static int
demo_report(struct rw_db *db, struct app *app, const char *state)
{
	char *path = g_build_filename(state, "report.html", NULL);
	int rc = out_html_write(db, app->cfg, path, NULL);

	if (rc == 0)
		printf("\n== Report\nHTML report written to %s\n", path);
	g_free(path);
	return rc;
}

/* the backtest of the days the analysis just stored (no second replay) */
static int
demo_backtest(struct rw_db *db, struct app *app)
{
	struct an_backtest_result r;
	int rc;

	printf("\n== Backtest: every block in the sample, and who warned "
	    "first\n");
	fflush(stdout);
	rc = an_backtest_run(&r, db, app->cfg, NULL, NULL, false);
	if (rc == 0)
		app_backtest_print(stdout, &r, false);
	an_backtest_result_clear(&r);
	return rc;
}

/* demo_state - STATE/demo unless a database or state dir was given */
static char *
demo_state(struct app *app)
{
	char *state = rw_config_state_dir(app->cfg);
	char *demo;

	if (app->db_override || rw_config_is_set(app->cfg, "paths", "state_dir"))
		return state;
	demo = g_build_filename(state, "demo", NULL);
	rw_config_set(app->cfg, "paths", "state_dir", demo);
	g_free(state);
	return demo;
}

static const char *
default_data_dir(void)
{
	static const char *const candidates[] = {
		"data/sample", REPWATCH_DATADIR "/sample", NULL,
	};

	for (int i = 0; candidates[i] != NULL; i++)
		if (g_file_test(candidates[i], G_FILE_TEST_IS_DIR))
			return candidates[i];
	return candidates[0];
}

/*
 * demo_run - the steps print their own summaries to stdout; their
 * per-file and per-day progress lines stay hidden unless -v is given.
 */
static int
demo_run(struct app *app, const char *data_dir)
{
	struct rw_db *db;
	char *state = demo_state(app);
	char *work = g_build_filename(state, "work", NULL);
	enum rw_log_level level = rw_log_get_level();
	int rc;

	if (level == RW_LOG_INFO)
		rw_log_set_level(RW_LOG_WARNING);
	rc = app_db_raw(&db, app);
	if (rc == 0)
		rc = demo_reset(db);
	if (rc == 0) {
		printf("repwatch demo: sample data %s, database %s\n", data_dir,
		    rw_db_where(db));
		rc = demo_snds(db, data_dir);
	}
	if (rc == 0 || rc == RW_EDATA) {
		rc = rw_rm_rf(work);
		if (rc == 0)
			rc = demo_arf(app, data_dir, work);
	}
	if (rc == 0)
		rc = demo_mta(db, app, data_dir);
	if (rc == 0)
		rc = demo_analyze(app);
	if (rc == 0)
		rc = demo_report(db, app, state);
	if (rc == 0)
		rc = demo_backtest(db, app);
	rw_log_set_level(level);
	g_free(state);
	g_free(work);
	return rc;
}

int
cmd_demo(struct app *app, int argc, char **argv)
{
	char *data_dir = NULL;
	GOptionEntry entries[] = {
		{"data", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
		    "Sample data directory (default: data/sample)", "DIR"},
		G_OPTION_ENTRY_NULL,
	};
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "demo [--data DIR]",
	    "Load the bundled sample SNDS data, complaint mailbox and Postfix "
	    "logs into a private database, analyze every day, list the "
	    "incidents and backtest them against the sample's blocks.", entries);

	if (rc == 0 && !help)
		rc = demo_run(app, data_dir ? data_dir : default_data_dir());
	g_free(data_dir);
	return rc;
}

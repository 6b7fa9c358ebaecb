/*
 * cmd_out - option parsing and printing for the outputs commands; the work
 * is in nightly, prune, report_html, export_prom and notify.
 */
#include <stdio.h>
#include <string.h>

#include "out/out_prom.h"
#include "app/app_nightly.h"
#include "out/out_notify.h"
#include "app/app_cmds.h"
#include "app/app_prune.h"
#include "out/out_html.h"
#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_util.h"

/* ---- nightly ---------------------------------------------------------- */

/* apply_log - "nightly -q", "-v" and "--log syslog" as the globals */
static int
apply_log(struct app *app, int quiet, const char *log)
{
	const char *target = log != NULL ? log : app->log_target != NULL ?
	    app->log_target : rw_config_get(app->cfg, "log", "target");
	bool syslog = g_strcmp0(target, "syslog") == 0;

	if (log != NULL && strcmp(log, "stderr") != 0 && !syslog)
		return rw_error_set(RW_EUSAGE, "--log: unknown target \"%s\"",
		    log);
	app->verbosity -= quiet;
	/* cron mails whatever we print: info lines only on a terminal */
	rw_log_init(NULL, app->verbosity, syslog);
	if (app->verbosity == 0 && !syslog && !rw_log_interactive())
		rw_log_init(NULL, -1, false);
	return 0;
}

static void
print_result(struct app *app, const struct app_nightly_result *res)
{
	bool interactive = rw_log_interactive();

	if (app->verbosity < 0)
		app_nightly_print_summary(stdout, res, true);
	else if (interactive || app->verbosity > 0 || res->status != 0)
		app_nightly_print_summary(stdout, res, false);
	fflush(stdout);
}

int
cmd_nightly(struct app *app, int argc, char **argv)
{
	int quiet = 0;
	gboolean q = FALSE, v = FALSE;
	char *log = NULL;
	struct app_nightly_result res = {0};
	GOptionEntry entries[] = {
		{"quiet", 'q', 0, G_OPTION_ARG_NONE, &q,
		    "Print only failed steps", NULL},
		{"verbose", 'v', 0, G_OPTION_ARG_NONE, &v,
		    "Print every step and more diagnostics (as repwatch -v "
		    "nightly)", NULL},
		{"log", 0, 0, G_OPTION_ARG_STRING, &log,
		    "Diagnostics to stderr or syslog", "TARGET"},
		G_OPTION_ENTRY_NULL,
	};
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "nightly [-q|-v] [--log TARGET]",
	    "Fetch every SNDS source, ingest every mailbox, analyze the new "
	    "days, write the configured report and Prometheus file, send "
	    "notifications and prune, one run at a time. Quiet on success "
	    "without a terminal; the exit status is the worst step's.",
	    entries);

	quiet = q ? 1 : v ? -1 : 0; /* -v: one level more, as the global */
	if (rc == 0 && help)
		goto cleanup;
	if (rc == 0 && q && v)
		rc = rw_error_set(RW_EUSAGE, "-q and -v cannot be combined");
	if (rc == 0)
		rc = app_no_more_args(argc, argv, 1);
	if (rc == 0)
		rc = apply_log(app, quiet, log);
	if (rc == 0)
		rc = app_nightly_run(&res, app, &app_nightly_default_ops);
cleanup:
	g_free(log);
	if (rc != 0 || help) {
		app_nightly_result_clear(&res);
		return rc;
	}
	print_result(app, &res);
	/* the steps' errors are in the summary: the status alone goes up */
	rw_error_clear();
	rc = res.status;
	app_nightly_result_clear(&res);
	return rc;
}

/* ---- prune ------------------------------------------------------------ */

/* keep_days - --keep-days N (1..36500, a usage error otherwise), else
 * [nightly] keep_days; 0 when neither is set */
static int
keep_days(long long *out, struct app *app, const char *arg)
{
	*out = 0;
	if (arg == NULL) {
		*out = rw_config_int(app->cfg, "nightly", "keep_days");
		return 0;
	}
	if (rw_parse_ll(out, arg, 1, 36500) != 0) {
		rw_error_set(RW_EUSAGE, "invalid --keep-days \"%s\"", arg);
		rw_error_detail("It is a number of days from 1 to 36500.");
		return RW_EUSAGE;
	}
	return 0;
}

int
cmd_prune(struct app *app, int argc, char **argv)
{
	char *arg = NULL;
	long long keep = 0;
	struct app_prune_counts pc = {0};
	GString *line = g_string_new(NULL);
	GOptionEntry entries[] = {
		{"keep-days", 'k', 0, G_OPTION_ARG_STRING, &arg,
		    "Keep this many days, 1..36500 (default: [nightly] "
		    "keep_days)", "N"},
		G_OPTION_ENTRY_NULL,
	};
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "prune [--keep-days N]",
	    "Delete raw responses, complaint reports, SNDS rows, alert "
	    "history and logs older than N days, in batches of 10,000 rows "
	    "(one short transaction each).", entries);

	if (rc == 0 && help)
		goto cleanup;
	if (rc == 0)
		rc = app_no_more_args(argc, argv, 1);
	if (rc == 0)
		rc = keep_days(&keep, app, arg);
	if (rc == 0 && keep <= 0) {
		rc = rw_error_set(RW_EUSAGE, "nothing to prune: [nightly] "
		    "keep_days is 0 and no --keep-days given");
		rw_error_hint("Give --keep-days N or set [nightly] keep_days.");
	}
	if (rc == 0)
		rc = app_prune_app(&pc, app, (int)keep);
	if (rc == 0) {
		app_prune_counts_format(line, &pc);
		printf("pruned %s older than %lld days\n", line->str, keep);
	}
cleanup:
	g_string_free(line, TRUE);
	g_free(arg);
	return rc;
}

/* ---- report ----------------------------------------------------------- */

int
cmd_report(struct app *app, int argc, char **argv)
{
	char *html = NULL, *date = NULL;
	struct rw_db *db = NULL;
	GOptionEntry entries[] = {
		{"html", 0, 0, G_OPTION_ARG_FILENAME, &html,
		    "Write the HTML report to FILE", "FILE"},
		{"date", 0, 0, G_OPTION_ARG_STRING, &date,
		    "Report day (default: the latest analyzed day)", "D"},
		G_OPTION_ENTRY_NULL,
	};
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "report --html FILE [--date D]",
	    "Write one self-contained HTML file: summary, feed health, open "
	    "alerts, and a 60-day chart with forecast per flagged IP or range.",
	    entries);

	if (rc == 0 && help)
		goto cleanup;
	if (rc == 0)
		rc = app_no_more_args(argc, argv, 1);
	if (rc == 0 && html == NULL)
		rc = rw_error_set(RW_EUSAGE, "--html FILE is required");
	if (rc == 0)
		rc = app_db(&db, app);
	if (rc == 0)
		rc = out_html_write(db, app->cfg, html, date);
	if (rc == 0)
		printf("report written to %s\n", html);
cleanup:
	g_free(html);
	g_free(date);
	return rc;
}

/* ---- export ----------------------------------------------------------- */

static int
export_prometheus(struct app *app, const char *path)
{
	struct rw_db *db = NULL;
	long series = 0;
	int rc = app_db(&db, app);

	if (rc == 0)
		rc = out_prom_write(&series, db, path);
	if (rc == 0)
		rw_log_info("%ld series written to %s", series, path);
	return rc;
}

static int
export_notify(struct app *app, bool dry_run)
{
	struct rw_db *db = NULL;
	char *lines = NULL;
	int n = 0;
	int rc = app_db(&db, app);

	if (rc == 0 && dry_run) {
		rc = out_notify_pending(&lines, db);
		if (rc == 0)
			fputs(lines, stdout);
	} else if (rc == 0) {
		rc = out_notify_run(&n, db, app->cfg);
		if (rc == 0)
			printf("%d alert(s) sent\n", n);
	}
	g_free(lines);
	return rc;
}

int
cmd_export(struct app *app, int argc, char **argv)
{
	gboolean dry_run = FALSE;
	GOptionEntry entries[] = {
		{"dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
		    "notify: print the JSON lines, send nothing", NULL},
		G_OPTION_ENTRY_NULL,
	};
	bool help;
	int rc = app_parse_options(&help, &argc, &argv,
	    "export prometheus FILE | export notify [--dry-run]",
	    "Write a node_exporter textfile (prometheus), or send the new and "
	    "escalated incidents and data-health alerts to [notify] command / "
	    "webhook_url (notify).",
	    entries);

	if (rc != 0 || help)
		return rc;
	if (argc >= 2 && strcmp(argv[1], "prometheus") == 0) {
		rc = argc == 3 ? export_prometheus(app, argv[2]) :
		    rw_error_set(RW_EUSAGE, "usage: repwatch export "
		    "prometheus FILE");
	} else if (argc >= 2 && strcmp(argv[1], "notify") == 0) {
		rc = app_no_more_args(argc, argv, 2);
		if (rc == 0)
			rc = export_notify(app, dry_run);
	} else {
		rc = rw_error_set(RW_EUSAGE, "usage: repwatch export prometheus "
		    "FILE | export notify [--dry-run]");
	}
	return rc;
}

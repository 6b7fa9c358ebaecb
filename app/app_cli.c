/*
 * app_cli - global options and command dispatch.
 */
#include <locale.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/app_cli.h"
#include "app/app_cmds.h"
#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_util.h"

/* every command, in the order --help lists them */
const struct app_cmd app_commands[] = {
	{"alerts", cmd_alerts, "List incidents (--by rule: alert rows), silence them; --fail-on for cron"},
	{"analyze", cmd_analyze, "Evaluate the alert rules for a day, or replay a range"},
	{"arf", cmd_arf, "Complaint reports (ARF/JMRP): parse, ingest, stats, reparse"},
	{"backtest", cmd_backtest, "Replay the analysis: was every block warned of, how early"},
	{"config", cmd_config, "Show the effective configuration (secrets masked)"},
	{"db", cmd_db, "Database: migrate, status, url, start, stop"},
	{"demo", cmd_demo, "Run the whole pipeline on the bundled sample data"},
	{"export", cmd_export, "Write a Prometheus textfile; send new incidents (notify)"},
	{"mta", cmd_mta, "Sending MTA logs (Postfix, Exim, KumoMTA, PowerMTA): load, parse, status"},
	{"nightly", cmd_nightly, "The unattended run: fetch, ingest, MTA logs, analyze, export"},
	{"prune", cmd_prune, "Delete data older than --keep-days N, in batches"},
	{"report", cmd_report, "Write the HTML report with charts (--html FILE)"},
	{"snds", cmd_snds, "Microsoft SNDS: fetch, load, show, status, links, login"},
	{NULL, NULL, NULL},
};

static const char usage_line[] =
    "usage: repwatch [--config FILE] [--db CONNINFO] [-v|-q] [--log TARGET] "
    "COMMAND [options]";

static void
print_help(void)
{
	printf("repwatch %s - early warning on Microsoft SNDS, JMRP "
	    "complaint and MTA log data\n\n%s\n\nCommands:\n",
	    REPWATCH_VERSION, usage_line);
	for (const struct app_cmd *c = app_commands; c->name; c++)
		printf("  %-10s %s\n", c->name, c->help);
	printf("\nGlobal options:\n"
	    "  -c, --config FILE     configuration file (default: "
	    "$REPWATCH_CONFIG, else\n"
	    "                        " REPWATCH_SYSCONFDIR
	    "/repwatch/repwatch.conf if it exists)\n"
	    "  -d, --db CONNINFO     PostgreSQL connection string (default: "
	    "[database]\n"
	    "                        conninfo, PG* environment, else the "
	    "embedded cluster);\n"
	    "                        hidden from ps once read: keep passwords "
	    "in PGPASSFILE\n"
	    "                        or REPWATCH_DATABASE_CONNINFO_FILE\n"
	    "  -v, --verbose         more diagnostics (repeatable)\n"
	    "  -q, --quiet           fewer diagnostics (repeatable)\n"
	    "      --log TARGET      stderr (default) or syslog\n"
	    "  -h, --help            show this help\n"
	    "  -V, --version         show the version\n"
	    "\nRun \"repwatch COMMAND --help\" for a command's options.\n"
	    "Exit status: 0 ok, 1 alert threshold hit (--fail-on), 64 usage, "
	    "65 bad input data,\n66 input missing, 69 service unavailable, 70 "
	    "internal error, 74 I/O error,\n75 temporary failure, 78 "
	    "configuration error.\n");
}

static void usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "repwatch: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s\nTry \"repwatch --help\" for more information.\n",
	    usage_line);
}

struct globals {
	char *config;
	char *db;
	char *log;
	int verbose;
	int quiet;
	gboolean help;
	gboolean version;
};

static gboolean
count_verbose(const char *n, const char *v, gpointer data, GError **e)
{
	(void)n, (void)v, (void)e;
	((struct globals *)data)->verbose++;
	return TRUE;
}

static gboolean
count_quiet(const char *n, const char *v, gpointer data, GError **e)
{
	(void)n, (void)v, (void)e;
	((struct globals *)data)->quiet++;
	return TRUE;
}

/* parse_globals - options before the command name (strict POSIX stops at
 * the first non-option, the command) */
static int
parse_globals(struct globals *g, char **out_err, int *argc, char ***argv)
{
	/* GOptionEntry stores callbacks as data pointers */
	union {
		GOptionArgFunc fn;
		gpointer ptr;
	} verbose = {.fn = count_verbose}, quiet = {.fn = count_quiet};
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &g->config, NULL, NULL},
		{"db", 'd', 0, G_OPTION_ARG_STRING, &g->db, NULL, NULL},
		{"log", 0, 0, G_OPTION_ARG_STRING, &g->log, NULL, NULL},
		{"verbose", 'v', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK,
		    verbose.ptr, NULL, NULL},
		{"quiet", 'q', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK,
		    quiet.ptr, NULL, NULL},
		{"help", 'h', 0, G_OPTION_ARG_NONE, &g->help, NULL, NULL},
		{"version", 'V', 0, G_OPTION_ARG_NONE, &g->version, NULL, NULL},
		G_OPTION_ENTRY_NULL,
	};
	GOptionContext *ctx = g_option_context_new(NULL);
	GOptionGroup *grp = g_option_group_new("main", "", "", g, NULL);
	GError *err = NULL;
	int rc = 0;

	g_option_group_add_entries(grp, entries);
	g_option_context_set_main_group(ctx, grp);
	g_option_context_set_help_enabled(ctx, FALSE);
	g_option_context_set_strict_posix(ctx, TRUE);
	*out_err = NULL;
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		/* printed by the caller once the --db value is known */
		*out_err = g_strdup(err->message);
		g_error_free(err);
		rc = RW_EUSAGE;
	}
	g_option_context_free(ctx);
	return rc;
}

static const struct app_cmd *
find_cmd(const char *name)
{
	for (const struct app_cmd *c = app_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* check_state_dir - before any command writes there (issue 17); as root
 * the embedded cluster's user may own it (systemd's StateDirectory) */
static int
check_state_dir(const struct rw_config *cfg)
{
	g_autofree char *dir = rw_config_state_dir(cfg);
	const char *user = rw_config_get(cfg, "database", "cluster_user");
	struct passwd *pw = geteuid() == 0 && user != NULL ? getpwnam(user) :
	    NULL;

	return rw_check_state_dir(dir, pw != NULL ? pw->pw_uid : (uid_t)-1);
}

/*
 * run_cmd - load the configuration, run CMD, print its recorded error once;
 * returns 0 or a negative status, *OUT_ALERT when alerts --fail-on matched
 */
static int
run_cmd(bool *out_alert, struct globals *g, const struct app_cmd *cmd,
    int argc, char **argv)
{
	struct app app = {0};
	bool syslog_on = g->log != NULL && strcmp(g->log, "syslog") == 0;
	int rc;

	app.config_path = g->config;
	app.db_override = g->db;
	app.verbosity = g->verbose - g->quiet;
	app.log_target = g->log;
	rw_log_init("repwatch", app.verbosity, syslog_on);
	rc = rw_config_load(&app.cfg, g->config);
	if (rc == 0)
		rc = check_state_dir(app.cfg);
	if (rc != 0) {
		rw_error_print();
		rw_config_free(app.cfg);
		return rc;
	}
	if (g->log == NULL && strcmp(rw_config_get(app.cfg, "log", "target"),
	    "syslog") == 0)
		rw_log_set_syslog(true);
	rc = cmd->fn(&app, argc, argv);
	/* before app_finish, which may report a failure of its own */
	rw_error_print();
	*out_alert = rc == 0 && app.alert_hit;
	app_finish(&app);
	return rc;
}

static void
globals_free(struct globals *g)
{
	g_free(g->config);
	g_free(g->db);
	g_free(g->log);
}

/*
 * hide_value - overwrite an argument's bytes where ps reads them; a copy
 * goes to HIDDEN, to scrub the value from a usage error
 */
static void
hide_value(GPtrArray *hidden, char *s)
{
	if (s == NULL)
		return;
	g_ptr_array_add(hidden, g_strdup(s));
	memset(s, 'x', strlen(s));
}

/*
 * hide_short - a cluster of short options such as -vd VALUE, -dVALUE or
 * -cFILE: hide the value of -d; returns 1 when the value was the next
 * argument (ARGV[0] is the cluster).
 */
static int
hide_short(GPtrArray *hidden, int argc, char **argv)
{
	for (char *p = argv[0] + 1; *p != '\0'; p++) {
		if (*p != 'd' && *p != 'c')
			continue;
		if (p[1] != '\0') {
			if (*p == 'd')
				hide_value(hidden, p + 1);
			return 0;
		}
		if (argc > 1 && *p == 'd')
			hide_value(hidden, argv[1]);
		return argc > 1 ? 1 : 0;
	}
	return 0;
}

/*
 * hide_db_arg - a --db CONNINFO may hold a password, and the process's
 * argument strings are what ps and /proc/PID/cmdline show for the whole
 * run: once GOption has copied the value, overwrite the original. Only
 * global options (before the command name) are looked at; ARGV is the
 * untouched array (GOption reorders the one it parses).
 */
static void
hide_db_arg(GPtrArray *hidden, int argc, char **argv)
{
	for (int i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			break;
		if (strcmp(a, "--db") == 0 || strcmp(a, "-d") == 0) {
			if (i + 1 < argc)
				hide_value(hidden, argv[i + 1]);
			i++;
		} else if (g_str_has_prefix(a, "--db=")) {
			hide_value(hidden, argv[i] + 5);
		} else if (strcmp(a, "--config") == 0 ||
		    strcmp(a, "--log") == 0) {
			i++;
		} else if (a[1] != '-') {
			i += hide_short(hidden, argc - i, argv + i);
		}
	}
}

/*
 * usage_error_scrubbed - GOption's message quotes the argument it could not
 * take whole ("Unknown option -dhost=h password=..." for -dVALUE, which it
 * does not accept): print it with every --db value replaced.
 */
static void
usage_error_scrubbed(const char *msg, GPtrArray *hidden)
{
	GString *s = g_string_new(msg);

	for (guint i = 0; i < hidden->len; i++) {
		char *v = g_ptr_array_index(hidden, i);

		if (v[0] != '\0')
			g_string_replace(s, v, "xxx", 0);
	}
	usage_error("%s", s->str);
	g_string_free(s, TRUE);
}

static void
zero_free(gpointer p)
{
	memset(p, 0, strlen(p));
	g_free(p);
}

int
app_main(int argc, char **argv)
{
	struct globals g = {0};
	const struct app_cmd *cmd;
	char **orig = g_memdup2(argv, sizeof(char *) * (gsize)(argc + 1));
	GPtrArray *hidden = g_ptr_array_new_with_free_func(zero_free);
	int orig_argc = argc;
	char *err = NULL;
	bool alert = false;
	int rc;

	setlocale(LC_ALL, "");
	rc = parse_globals(&g, &err, &argc, &argv);
	hide_db_arg(hidden, orig_argc, orig);
	g_free(orig);
	if (err != NULL)
		usage_error_scrubbed(err, hidden);
	g_free(err);
	g_ptr_array_free(hidden, TRUE);
	if (rc != 0)
		goto cleanup;
	if (g.log != NULL && strcmp(g.log, "stderr") != 0 &&
	    strcmp(g.log, "syslog") != 0) {
		usage_error("--log: unknown target \"%s\"", g.log);
		rc = RW_EUSAGE;
	} else if (g.version) {
		printf("repwatch %s\n", REPWATCH_VERSION);
	} else if (g.help) {
		print_help();
	} else if (argc < 2) {
		usage_error("%s", "no command given");
		rc = RW_EUSAGE;
	} else if ((cmd = find_cmd(argv[1])) == NULL) {
		usage_error("unknown command \"%s\"", argv[1]);
		rc = RW_EUSAGE;
	} else {
		rc = run_cmd(&alert, &g, cmd, argc - 1, argv + 1);
	}
cleanup:
	globals_free(&g);
	/* the only place a status becomes an exit code; 1 is --fail-on's */
	return alert ? 1 : rw_exit_code(rc);
}

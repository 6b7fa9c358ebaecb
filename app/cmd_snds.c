/*
 * cmd_snds - the "snds" command and its subcommands. Results go to
 * stdout, diagnostics to stderr; the exit status follows the worst
 * failure (65 rejected rows, 69 login expired, 75 temporary, 78 config).
 */
#include <stdio.h>
#include <string.h>

#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_rows.h"
#include "common/rw_seal.h"
#include "common/rw_util.h"
#include "app/app_cmds.h"
#include "ingest/snds_fetch.h"
#include "ingest/snds_files.h"
#include "ingest/snds_load.h"
#include "ingest/snds_oauth.h"
#include "ingest/snds_show.h"
#include "ingest/snds_source.h"

#define LINK_LIFETIME_DAYS 30

static const char snds_usage[] =
    "snds fetch|load|show|status|links|link set|login [options]";

/* ---- fetch ---- */

void
cmd_snds_fetch_report(const struct snds_fetch_event *e, void *data)
{
	(void)data;
	if (e->no_data != NULL)
		printf("source %s: %s %s: no data yet (%s)\n", e->source,
		    e->kind, e->day, e->no_data);
	else
		printf("source %s: %s %s: %ld %s loaded, %ld rejected\n",
		    e->source, e->kind, e->day, e->rows,
		    strcmp(e->kind, "status") == 0 ? "ranges" : "rows",
		    e->rejected);
}

static int
snds_fetch_cmd(struct app *app, int argc, char **argv)
{
	char *source = NULL;
	char *date = NULL, *since = NULL, *until = NULL;
	GOptionEntry entries[] = {
		{"source", 's', 0, G_OPTION_ARG_STRING, &source,
		    "Only this source", "NAME"},
		{"date", 'D', 0, G_OPTION_ARG_STRING, &date, "Only this day",
		    "D"},
		{"since", 0, 0, G_OPTION_ARG_STRING, &since, "First day", "D1"},
		{"until", 0, 0, G_OPTION_ARG_STRING, &until,
		    "Last day (default: today)", "D2"},
		G_OPTION_ENTRY_NULL,
	};
	struct snds_fetch_totals t;
	struct rw_db *db = NULL;
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "snds fetch [--source NAME] "
	    "[--date D | --since D1 --until D2]", "Fetch SNDS data reports "
	    "(default: every missing day of the last lookback_days plus the "
	    "last 3 days) and the IP-status report of every source.", entries);
	struct snds_window w = {date, since, until, cmd_snds_fetch_report,
	    NULL};

	if (rc == 0 && help)
		goto cleanup;
	if (rc == 0)
		rc = app_no_more_args(argc, argv, 1);
	if (rc == 0)
		rc = snds_window_check(&w);
	if (rc == 0)
		rc = app_db(&db, app);
	if (rc == 0)
		rc = snds_fetch_run(&t, db, app->cfg, source, &w);
cleanup:
	g_free(source);
	g_free(date);
	g_free(since);
	g_free(until);
	return rc;
}

/* ---- load ---- */

static int
snds_load_cmd(struct app *app, int argc, char **argv)
{
	char *source = NULL, *date = NULL, *name = NULL;
	gboolean status = FALSE;
	GOptionEntry entries[] = {
		{"source", 's', 0, G_OPTION_ARG_STRING, &source,
		    "Source the files belong to", "NAME"},
		{"status", 0, 0, G_OPTION_ARG_NONE, &status,
		    "The files are IP-status reports", NULL},
		{"date", 'D', 0, G_OPTION_ARG_STRING, &date,
		    "Day the files are for (YYYY-MM-DD)", "D"},
		G_OPTION_ENTRY_NULL,
	};
	struct snds_source *src = NULL;
	struct snds_load_totals t;
	struct rw_db *db;
	GDate d;
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "snds load [--source NAME] "
	    "[--status] [--date D] FILE...|DIR", "Load SNDS data reports (or "
	    "IP-status reports with --status) saved from the portal or kept "
	    "under state_dir/raw/, through the same path as a fetch. A "
	    "directory loads its data-*.csv, then its status-*.csv files.",
	    entries);

	if (rc != 0 || help)
		goto cleanup;
	if (argc < 2)
		rc = rw_error_set(RW_EUSAGE, "no file to load");
	else if (date != NULL && rw_parse_date(&d, date) != 0)
		rc = rw_error_set(RW_EUSAGE, "--date: not a date: \"%s\"", date);
	if (rc == 0)
		rc = snds_source_default(&name, app->cfg, source, "manual");
	if (rc == 0)
		rc = app_db(&db, app);
	if (rc == 0)
		rc = snds_source_get(&src, app->cfg, db, name, true);
	if (rc == 0 && argc == 2 && g_file_test(argv[1], G_FILE_TEST_IS_DIR))
		rc = snds_load_dir(&t, db, name, src->tz, argv[1]);
	else if (rc == 0)
		rc = snds_load_files(&t, db, name, src->tz, status, date,
		    (const char *const *)argv + 1, argc - 1);
	if (rc == 0 || rc == RW_EDATA)
		printf("source %s: %ld %s loaded from %d file(s), %ld "
		    "rejected\n", name, t.rows, status ? "ranges" : "rows",
		    t.files, t.rejected);
cleanup:
	snds_source_free(src);
	g_free(source);
	g_free(date);
	g_free(name);
	return rc;
}

/* ---- show / status ---- */

/* text: the columns that fit a terminal; JSON or CSV give them all */
static const struct rw_col daily_text[] = {
	{"day", RW_COL_TEXT, -10, NULL}, {"source", RW_COL_TEXT, -10, NULL},
	{"ip", RW_COL_TEXT, -15, NULL}, {"filter", RW_COL_TEXT, -6, NULL},
	{"recipients", RW_COL_TEXT, 10, NULL},
	{"complaints", RW_COL_TEXT, -12, NULL},
	{"traps", RW_COL_TEXT, 5, NULL}, {"activity", RW_COL_TEXT, 0, "  "},
};

static const struct rw_col status_text[] = {
	{"day", RW_COL_TEXT, -10, NULL}, {"source", RW_COL_TEXT, -10, NULL},
	{"first_ip", RW_COL_TEXT, -15, NULL},
	{"last_ip", RW_COL_TEXT, -15, NULL},
	{"blocked", RW_COL_TEXT, -7, NULL}, {"reason", RW_COL_TEXT, 0, NULL},
};

static void
daily_text_row(struct rw_rows *w, char **v)
{
	g_autofree char *activity = g_strdup_printf("%s .. %s", v[3], v[4]);

	rw_rows_str(w, v[2]);
	rw_rows_str(w, v[0]);
	rw_rows_str(w, v[1]);
	rw_rows_str(w, v[8]);
	rw_rows_str(w, v[7]);
	rw_rows_str(w, v[9]);
	rw_rows_str(w, v[12] != NULL ? v[12] : "-");
	rw_rows_str(w, activity);
}

static void
status_text_row(struct rw_rows *w, char **v)
{
	rw_rows_str(w, v[1]);
	rw_rows_str(w, v[0]);
	rw_rows_str(w, v[2]);
	rw_rows_str(w, v[3]);
	rw_rows_str(w, strcmp(v[4], "true") == 0 ? "yes" : "no");
	rw_rows_str(w, v[5]);
}

/* T as text (TEXT_COLS, one TEXT_ROW per row; NONE when empty), JSON or CSV */
static void
print_table(const struct snds_table *t, enum rw_rows_format fmt,
    const struct rw_col *text_cols, size_t ntext,
    void (*text_row)(struct rw_rows *, char **), const char *none)
{
	struct rw_rows *w = fmt == RW_ROWS_TEXT ? rw_rows_new(stdout, fmt,
	    text_cols, ntext, 0) : rw_rows_new(stdout, fmt, t->cols, t->ncols,
	    RW_ROWS_CRLF);

	for (guint i = 0; i < t->rows->len; i++) {
		char **v = t->rows->pdata[i];

		if (fmt == RW_ROWS_TEXT)
			text_row(w, v);
		else
			for (size_t j = 0; j < t->ncols; j++)
				rw_rows_str(w, v[j]);
		rw_rows_end(w);
	}
	if (fmt == RW_ROWS_TEXT && rw_rows_count(w) == 0)
		printf("%s\n", none);
	rw_rows_free(w);
}

static int
format_parse(enum rw_rows_format *out, const char *text)
{
	if (!rw_rows_format_from(out, text))
		return rw_error_set(RW_EUSAGE, "--format: unknown format "
		    "\"%s\"", text);
	return 0;
}

static int
snds_show_cmd(struct app *app, int argc, char **argv)
{
	struct app_days days = {0};
	char *source = NULL, *ip = NULL, *format = NULL;
	GOptionEntry entries[] = {
		{"source", 's', 0, G_OPTION_ARG_STRING, &source,
		    "Only this source", "NAME"},
		{"date", 'D', 0, G_OPTION_ARG_STRING, &days.date,
		    "One day (default: the latest stored)", "D"},
		{"from", 0, 0, G_OPTION_ARG_STRING, &days.from,
		    "First day (alone: to the latest stored)", "D1"},
		{"to", 0, 0, G_OPTION_ARG_STRING, &days.to,
		    "Last day (default: the latest stored)", "D2"},
		{"ip", 0, 0, G_OPTION_ARG_STRING, &ip, "One IP or CIDR block",
		    "IP"},
		{"format", 'f', 0, G_OPTION_ARG_STRING, &format,
		    "text (default), json (one object per line) or csv", "F"},
		G_OPTION_ENTRY_NULL,
	};
	struct snds_show_opts o = {0};
	struct snds_table t = {0};
	enum rw_rows_format fmt = RW_ROWS_TEXT;
	struct rw_db *db;
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "snds show [--source NAME] "
	    "[--date D | --from D1 [--to D2]] [--ip IP] [--format text|json|csv]",
	    "Print stored SNDS daily rows.", entries);

	if (rc != 0 || help)
		goto cleanup;
	rc = app_no_more_args(argc, argv, 1);
	if (rc == 0)
		rc = app_days_check(&days, "latest stored day");
	if (rc == 0)
		rc = format_parse(&fmt, format);
	o.source = source;
	o.from = days.from;
	o.to = days.to;
	o.ip = ip;
	if (rc == 0)
		rc = app_db(&db, app);
	if (rc == 0)
		rc = snds_show_daily(&t, db, app->cfg, &o);
	if (rc == 0)
		print_table(&t, fmt, daily_text, G_N_ELEMENTS(daily_text),
		    daily_text_row, "no SNDS data stored for this selection");
	snds_table_clear(&t);
cleanup:
	app_days_clear(&days);
	g_free(source);
	g_free(ip);
	g_free(format);
	return rc;
}

static int
snds_status_cmd(struct app *app, int argc, char **argv)
{
	char *source = NULL, *date = NULL, *format = NULL;
	GOptionEntry entries[] = {
		{"source", 's', 0, G_OPTION_ARG_STRING, &source,
		    "Only this source", "NAME"},
		{"date", 'D', 0, G_OPTION_ARG_STRING, &date,
		    "Snapshot day (default: the latest)", "D"},
		{"format", 'f', 0, G_OPTION_ARG_STRING, &format,
		    "text (default), json or csv", "F"},
		G_OPTION_ENTRY_NULL,
	};
	struct snds_show_opts o = {0};
	struct snds_table t = {0};
	enum rw_rows_format fmt = RW_ROWS_TEXT;
	struct rw_db *db;
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "snds status [--source NAME] "
	    "[--date D] [--format text|json|csv]", "Print the IP-status "
	    "ranges (blocked or junked IPs) of a stored snapshot.", entries);

	if (rc != 0 || help)
		goto cleanup;
	if (argc > 1)
		rc = app_no_more_args(argc, argv, 1);
	if (rc == 0)
		rc = format_parse(&fmt, format);
	o.source = source;
	o.from = date;
	if (rc == 0)
		rc = app_db(&db, app);
	if (rc == 0)
		rc = snds_show_status(&t, db, &o);
	if (rc == 0)
		print_table(&t, fmt, status_text, G_N_ELEMENTS(status_text),
		    status_text_row, "no listed IP ranges in this snapshot");
	snds_table_clear(&t);
cleanup:
	g_free(source);
	g_free(date);
	g_free(format);
	return rc;
}

/* ---- links ---- */

static const char last_sql[] =
    "SELECT (SELECT to_char(max(finished_at), 'YYYY-MM-DD HH24:MI')"
    "  FROM repwatch.snds_fetch_log WHERE source = $1 AND outcome = 'ok'),"
    " (SELECT to_char(finished_at, 'YYYY-MM-DD HH24:MI') || ' ' || outcome"
    "  || COALESCE(': ' || message, '') FROM repwatch.snds_fetch_log"
    "  WHERE source = $1 AND outcome NOT IN ('ok', 'no-data')"
    "  ORDER BY id DESC LIMIT 1)";

static void
link_age(GString *out, const struct snds_source *s)
{
	GDate issued, today;
	char day[11];
	int age;

	if (s->kind == SNDS_KIND_API) {
		g_string_append_printf(out, "%-10s %5s %9s", "-", "-", "-");
		return;
	}
	if (s->issued == NULL || rw_parse_date(&issued, s->issued) != 0) {
		rw_error_clear();
		g_string_append_printf(out, "%-10s %5s %9s", "unknown", "-",
		    "-");
		return;
	}
	/* the day in the source's zone, as snds fetch counts the age */
	rw_today_in(day, s->tz);
	if (rw_parse_date(&today, day) != 0) {
		rw_error_clear();
		rw_today(&today);
	}
	age = g_date_days_between(&issued, &today);
	g_string_append_printf(out, "%-10s %5d %9d", s->issued, age,
	    LINK_LIFETIME_DAYS - age);
}

static int
links_line(struct app *app, struct rw_db *db, const char *name)
{
	struct snds_source *s = NULL;
	PGresult *r = NULL;
	const char *p[1] = {name};
	GString *line = g_string_new(NULL);
	int rc = snds_source_get(&s, app->cfg, db, name, true);

	if (rc == 0)
		rc = rw_db_query(&r, db, last_sql, 1, p);
	if (rc == 0) {
		g_string_append_printf(line, "%-12s %-4s ", name,
		    s->kind == SNDS_KIND_API ? "api" : "link");
		link_age(line, s);
		g_string_append_printf(line, " %-16s %-8s %s",
		    PQgetisnull(r, 0, 0) ? "never" : PQgetvalue(r, 0, 0),
		    s->kind == SNDS_KIND_API ? (s->token_state ? s->token_state :
		    "missing") : "-",
		    PQgetisnull(r, 0, 1) ? "-" : PQgetvalue(r, 0, 1));
		printf("%s\n", line->str);
	}
	PQclear(r);
	g_string_free(line, TRUE);
	snds_source_free(s);
	return rc;
}

static int
snds_links_cmd(struct app *app, int argc, char **argv)
{
	struct rw_db *db;
	char **names = NULL;
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "snds links", "List every SNDS "
	    "source: kind, the day its links were issued, their age and days "
	    "left (links expire after 30 days), token state for API sources, "
	    "last success and last error.", NULL);

	if (rc != 0 || help)
		return rc;
	rc = app_db(&db, app);
	if (rc == 0)
		rc = snds_source_names(&names, app->cfg, db);
	if (rc == 0 && names[0] == NULL)
		printf("no SNDS source is configured\n");
	else if (rc == 0)
		printf("%-12s %-4s %-10s %5s %9s %-16s %-8s %s\n", "source",
		    "kind", "issued", "age", "days left", "last success",
		    "token", "last error");
	for (int i = 0; rc == 0 && names[i] != NULL; i++)
		rc = links_line(app, db, names[i]);
	g_strfreev(names);
	return rc;
}

static int
link_set_check(const char *data_url, const char *status_url,
    const char *issued)
{
	GDate d;
	int rc = 0;

	if (data_url == NULL && status_url == NULL)
		rc = rw_error_set(RW_EUSAGE, "give --data-url, --status-url or "
		    "both");
	if (rc == 0 && data_url != NULL)
		rc = snds_url_allowed("--data-url", data_url);
	if (rc == 0 && status_url != NULL)
		rc = snds_url_allowed("--status-url", status_url);
	if (rc == 0 && issued != NULL && rw_parse_date(&d, issued) != 0)
		rc = rw_error_set(RW_EUSAGE, "--issued: not a date: \"%s\"",
		    issued);
	return rc == RW_ECONFIG ? RW_EUSAGE : rc;
}

/*
 * issued_today - the default issue day of new links: today in the
 * source's zone, the day snds fetch and snds links count a link's age
 * from (the local day made a link issued "today" -1 days old)
 */
static void
issued_today(char out[static 11], const struct rw_config *cfg,
    const char *name)
{
	struct snds_source *s = NULL;
	GDate d;

	if (snds_source_get(&s, cfg, NULL, name, true) == 0) {
		rw_today_in(out, s->tz);
		snds_source_free(s);
		return;
	}
	rw_error_clear();
	rw_today(&d);
	rw_format_date(out, &d);
}

static int
snds_link_cmd(struct app *app, int argc, char **argv)
{
	char *data_url = NULL, *status_url = NULL, *issued = NULL;
	char *state = NULL, *keyfile = NULL;
	GOptionEntry entries[] = {
		{"data-url", 0, 0, G_OPTION_ARG_STRING, &data_url,
		    "Data report link", "URL"},
		{"status-url", 0, 0, G_OPTION_ARG_STRING, &status_url,
		    "IP-status report link", "URL"},
		{"issued", 0, 0, G_OPTION_ARG_STRING, &issued,
		    "Day the links were generated (default: today in the "
		    "source's zone)", "DATE"},
		G_OPTION_ENTRY_NULL,
	};
	struct rw_db *db;
	char today[11] = "";
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "snds link set NAME --data-url URL "
	    "--status-url URL [--issued DATE]", "Store fresh report links for "
	    "source NAME in the database, sealed with the key in "
	    "state_dir/tokens/seal.key; they override the configured "
	    "ones.", entries);

	if (rc != 0 || help)
		goto cleanup;
	if (argc != 3 || strcmp(argv[1], "set") != 0)
		rc = rw_error_set(RW_EUSAGE, "usage: repwatch snds link set "
		    "NAME --data-url URL --status-url URL [--issued DATE]");
	if (rc == 0)
		rc = rw_name_check("SNDS source", argv[2], RW_EUSAGE);
	if (rc == 0)
		rc = link_set_check(data_url, status_url, issued);
	if (rc == 0 && issued == NULL)
		issued_today(today, app->cfg, argv[2]);
	if (rc == 0)
		rc = app_db(&db, app);
	if (rc == 0) {
		state = rw_config_state_dir(app->cfg);
		keyfile = rw_seal_key_path(state);
		rc = snds_source_set_links(db, keyfile, argv[2], data_url,
		    status_url, issued != NULL ? issued : today);
	}
	if (rc == 0)
		printf("source %s: links stored, issued %s\n", argv[2],
		    issued != NULL ? issued : today);
cleanup:
	g_free(data_url);
	g_free(status_url);
	g_free(issued);
	g_free(keyfile);
	g_free(state);
	return rc;
}

/* ---- login ---- */

static void
login_prompt(const char *url, const char *redirect_uri, void *data)
{
	(void)data;
	printf("Open this address in a browser and sign in with the "
	    "Microsoft account that has SNDS access:\n\n  %s\n\n"
	    "Waiting for the browser on %s ...\nOn a headless server, paste "
	    "the address the browser ends on here:\n", url, redirect_uri);
	fflush(stdout);
}

static void
login_bad_paste(void *data)
{
	(void)data;
	fprintf(stderr, "paste the whole URL of the page the browser ended "
	    "on\n");
}

static int
snds_login_cmd(struct app *app, int argc, char **argv)
{
	int port = 0;
	GOptionEntry entries[] = {
		{"port", 'p', 0, G_OPTION_ARG_INT, &port,
		    "Port of the redirect listener on 127.0.0.1 (default: any)",
		    "PORT"},
		G_OPTION_ENTRY_NULL,
	};
	const struct snds_login_ui ui = {login_prompt, login_bad_paste, NULL};
	struct rw_db *db = NULL;
	char *path = NULL;
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "snds login NAME [--port PORT]",
	    "Sign in for API source NAME (OAuth2 with PKCE) and store its "
	    "refresh token in state_dir/tokens/. Prints the address to open; "
	    "the browser's redirect is caught on 127.0.0.1, or the final "
	    "address can be pasted on standard input.", entries);

	if (rc != 0 || help)
		return rc;
	if (argc != 2)
		return rw_error_set(RW_EUSAGE, "usage: repwatch snds login NAME");
	rc = app_db(&db, app);
	if (rc == 0)
		rc = snds_login_run(&path, db, app->cfg, argv[1], port, &ui);
	if (rc == 0)
		printf("source %s: signed in; refresh token saved in %s\n",
		    argv[1], path);
	g_free(path);
	return rc;
}

/* ---- dispatch ---- */

static const struct {
	const char *name;
	int (*fn)(struct app *, int, char **);
} subcommands[] = {
	{"fetch", snds_fetch_cmd},
	{"load", snds_load_cmd},
	{"show", snds_show_cmd},
	{"status", snds_status_cmd},
	{"links", snds_links_cmd},
	{"link", snds_link_cmd},
	{"login", snds_login_cmd},
};

static int
snds_help(int argc, char **argv)
{
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, snds_usage,
	    "Microsoft SNDS: fetch reports (report links or the OAuth REST "
	    "API), load saved files, show stored data and IP status, manage "
	    "report links and logins.\n\n"
	    "  fetch   fetch missing and recent days for every source\n"
	    "  load    load local report files\n"
	    "  show    print stored daily rows\n"
	    "  status  print a stored IP-status snapshot\n"
	    "  links   list sources with link age and last outcome\n"
	    "  link set  store fresh report links for a source\n"
	    "  login   sign in for an API source (OAuth, PKCE)", NULL);

	if (rc == 0 && !help)
		rc = app_usage(NULL, snds_usage);
	return rc;
}

int
cmd_snds(struct app *app, int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-')
		return snds_help(argc, argv);
	for (size_t i = 0; i < G_N_ELEMENTS(subcommands); i++) {
		if (strcmp(argv[1], subcommands[i].name) != 0)
			continue;
		return subcommands[i].fn(app, argc - 1, argv + 1);
	}
	fprintf(stderr, "repwatch: unknown snds command \"%s\"\n", argv[1]);
	return app_usage(NULL, snds_usage);
}

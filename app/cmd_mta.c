/*
 * cmd_mta - the "mta" command: load the sending MTA's logs (load), read
 * and classify log lines without a database (parse), and show what was
 * loaded and where each file was read up to (status).
 */
#include <stdio.h>
#include <string.h>

#include "app/app_cmds.h"
#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_rows.h"
#include "mta/mta_classify.h"
#include "mta/mta_load.h"
#include "mta/mta_reader.h"
#include "mta/mta_source.h"

static const char mta_usage[] = "mta load|parse|status [options]";

/* ---- load ---- */

void
app_mta_totals_format(GString *out, const struct mta_load_totals *t)
{
	g_string_append_printf(out, "%zu file(s), %zu lines, %zu attempts, "
	    "%zu to Microsoft (", t->files, t->lines, t->attempts,
	    t->microsoft);
	for (int c = 0; c < 5; c++)
		g_string_append_printf(out, "%s%s %zu", c > 0 ? ", " : "",
		    mta_class_name((enum mta_class)c), t->by_class[c]);
	g_string_append_printf(out, "), skipped: %zu without IP, %zu "
	    "without time, %zu unreadable, %zu over-long", t->no_ip,
	    t->no_time, t->bad_lines, t->overlong);
}

/* load_one - load NAME (FILES instead of its path when not NULL) */
static int
load_one(struct rw_db *db, struct app *app, const char *name, char **files)
{
	g_autoptr(GString) line = g_string_new(NULL);
	struct mta_load_totals t;
	int rc = mta_load_run(&t, db, app->cfg, name, files);

	if (rc == 0) {
		app_mta_totals_format(line, &t);
		printf("source %s: %s\n", name, line->str);
	}
	return rc;
}

static int
mta_load_cmd(struct app *app, int argc, char **argv)
{
	char *source = NULL;
	GOptionEntry entries[] = {
		{"source", 's', 0, G_OPTION_ARG_STRING, &source,
		    "Only this source (with FILEs: the source they belong to)",
		    "NAME"},
		G_OPTION_ENTRY_NULL,
	};
	g_auto(GStrv) names = NULL;
	struct mta_source *src = NULL;
	struct rw_db *db = NULL;
	int worst = 0, failed = 0;
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "mta load [--source "
	    "NAME] [FILE...]", "Read the new lines of every [mta.NAME] log "
	    "source (or of FILEs, with the source's format) since the last "
	    "run, and count the delivery attempts to Microsoft per sending "
	    "IP, hour and SMTP answer.", entries);

	if (rc != 0 || help)
		goto cleanup;
	if (argc > 1 || source != NULL) {
		/* one source: named, or the only one */
		rc = mta_source_pick(&src, app->cfg, source);
		if (rc == 0)
			rc = app_db(&db, app);
		if (rc == 0)
			rc = load_one(db, app, src->name, argc > 1 ? argv + 1 :
			    NULL);
		goto cleanup;
	}
	names = mta_source_names(app->cfg);
	if (names == NULL || names[0] == NULL) {
		rc = rw_error_set(RW_ECONFIG, "no MTA log source configured");
		rw_error_hint("Add a [mta.NAME] section with type and path "
		    "(doc/mta.md), or give the files and --source.");
		goto cleanup;
	}
	rc = app_db(&db, app);
	for (size_t i = 0; rc == 0 && names[i] != NULL; i++) {
		int one = load_one(db, app, names[i], NULL);

		if (one != 0) {
			/* the next source still loads */
			rw_error_print();
			worst = rw_status_worse(worst, one);
			failed++;
		}
	}
	if (rc == 0 && worst != 0)
		rc = rw_error_set(worst, "%d MTA log source(s) failed to load",
		    failed);
cleanup:
	mta_source_free(src);
	g_free(source);
	return rc;
}

/* ---- parse ---- */

/* one attempt per row; text shows "-" for what is unknown */
static const struct rw_col parse_cols[] = {
	{"time", RW_COL_TEXT, -20, NULL},
	{"utc", RW_COL_TEXT, -20, NULL},
	{"source_ip", RW_COL_TEXT, -15, NULL},
	{"rcpt_domain", RW_COL_TEXT, -18, NULL},
	{"mx", RW_COL_TEXT, -30, NULL},
	{"reply", RW_COL_INT, 5, NULL},
	{"enhanced", RW_COL_TEXT, -8, NULL},
	{"scode", RW_COL_TEXT, -6, NULL},
	{"class", RW_COL_TEXT, -17, NULL},
	{"microsoft", RW_COL_BOOL, -9, NULL},
};

struct parse_run {
	struct mta_parser *parser;
	struct mta_classifier *cls;
	struct rw_rows *rows;
	bool text;
	size_t lines, bad, attempts;
};

/* cell - V, or "-" in text when empty (JSON: null) */
static void
cell(struct parse_run *r, const char *v)
{
	rw_rows_str(r->rows, v != NULL && *v != '\0' ? v : r->text ? "-" :
	    NULL);
}

static void
parse_row(struct parse_run *r, const struct mta_attempt *a)
{
	struct mta_verdict v;
	char utc[32] = "";

	mta_classify(&v, r->cls, a);
	if (a->has_epoch) {
		g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(
		    a->epoch);
		g_autofree char *iso = dt != NULL ?
		    g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;

		if (iso != NULL)
			g_strlcpy(utc, iso, sizeof(utc));
	}
	cell(r, a->time);
	cell(r, utc);
	cell(r, a->source_ip);
	cell(r, a->rcpt_domain);
	cell(r, a->mx_host[0] != '\0' ? a->mx_host : a->mx_ip);
	if (a->reply > 0)
		rw_rows_num(r->rows, a->reply);
	else
		cell(r, NULL);
	cell(r, a->enhanced);
	cell(r, a->scode);
	cell(r, mta_class_name(v.cls));
	/* text: yes or no; JSON: a boolean */
	rw_rows_str(r->rows, r->text ? (v.microsoft ? "yes" : "no") :
	    v.microsoft ? "true" : "false");
	rw_rows_end(r->rows);
}

/* parse_line - one line of NAME; a bad one is logged with NAME:LINENO */
static void
parse_line(struct parse_run *r, const char *s, size_t len, const char *name,
    uint64_t lineno)
{
	struct mta_attempt a;
	bool found = false;

	r->lines++;
	if (mta_parse_line(&a, &found, r->parser, s, len) != 0) {
		if (r->bad++ < 20)
			rw_log_warning("%s:%" G_GUINT64_FORMAT ": %s", name,
			    lineno, rw_error_message());
		rw_error_clear();
		return;
	}
	if (found) {
		r->attempts++;
		parse_row(r, &a);
	}
}

/* parse_stdin - standard input, line by line, each at most CAP bytes */
static int
parse_stdin(struct parse_run *r, size_t cap)
{
	g_autoptr(GString) line = g_string_new(NULL);
	uint64_t lineno = 0;
	bool over = false;
	int ch;

	while ((ch = getchar()) != EOF) {
		if (ch != '\n') {
			if (line->len < cap + 1)
				g_string_append_c(line, (char)ch);
			else
				over = true;
			continue;
		}
		lineno++;
		if (over) {
			r->lines++;
			if (r->bad++ < 20)
				rw_log_warning("-:%" G_GUINT64_FORMAT ": line "
				    "over the limit of %zu bytes", lineno, cap);
		} else {
			parse_line(r, line->str, line->len, "-", lineno);
		}
		g_string_truncate(line, 0);
		over = false;
	}
	if (ferror(stdin))
		return rw_error_set(RW_EIO, "-: cannot read standard input");
	if (line->len > 0)
		parse_line(r, line->str, line->len, "-", lineno + 1);
	return 0;
}

/* parse_file - PATH whole (gzip and zstd too), through mta_reader */
static int
parse_file(struct parse_run *r, const char *path, size_t cap)
{
	struct mta_reader *rd = NULL;
	struct mta_reader_stats st;
	int rc;

	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
		return rw_error_set(RW_ENOINPUT, "%s: no such file", path);
	rc = mta_reader_new(&rd, path, cap, NULL, 0);
	while (rc == 0) {
		const char *s, *file;
		uint64_t lineno;
		size_t len;

		rc = mta_reader_next(rd, &s, &len, &file, &lineno);
		if (rc != 0 || s == NULL)
			break;
		/* a classic syslog stamp's year: the file's time, not now */
		mta_parser_set_now(r->parser, mta_reader_mtime(rd));
		parse_line(r, s, len, path, lineno);
	}
	if (rc == 0) {
		mta_reader_stats(rd, &st);
		if (st.overlong > 0)
			rw_log_warning("%s: %zu line(s) over the limit of %zu "
			    "bytes", path, st.overlong, cap);
		r->bad += st.overlong;
	}
	mta_reader_free(rd);
	return rc;
}

static int
mta_parse_cmd(struct app *app, int argc, char **argv)
{
	char *type = NULL, *source_ip = NULL, *services = NULL, *zone = NULL;
	char *format = NULL;
	GOptionEntry entries[] = {
		{"type", 't', 0, G_OPTION_ARG_STRING, &type,
		    "postfix, exim, kumomta or powermta", "T"},
		{"source-ip", 0, 0, G_OPTION_ARG_STRING, &source_ip,
		    "Sending IP when the log does not name it", "IP"},
		{"ip-by-service", 0, 0, G_OPTION_ARG_STRING, &services,
		    "Postfix: sending IP per service (smtp-ip1:192.0.2.5,...)",
		    "SPEC"},
		{"timezone", 0, 0, G_OPTION_ARG_STRING, &zone,
		    "Zone of time stamps without one (default: local)", "Z"},
		{"format", 'f', 0, G_OPTION_ARG_STRING, &format,
		    "text (default) or json (one object per line)", "F"},
		G_OPTION_ENTRY_NULL,
	};
	char name[] = "command line";
	struct mta_source src = {.name = name};
	struct parse_run r = {0};
	enum rw_rows_format fmt = RW_ROWS_TEXT;
	char *svc[] = {services, NULL};
	size_t cap;
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "mta parse --type T "
	    "[--source-ip IP] [--ip-by-service SPEC] [--timezone Z] "
	    "[--format text|json] FILE...|-", "Read MTA log lines (FILE, a "
	    "gzip- or zstd-compressed one, or - for standard input) and print each "
	    "delivery attempt with its classification; no database.",
	    entries);

	(void)app;
	if (rc != 0 || help)
		goto cleanup;
	if (type == NULL) {
		rc = rw_error_set(RW_EUSAGE, "--type is required");
		rw_error_hint("Give --type postfix, exim, kumomta or "
		    "powermta.");
	} else if (argc < 2) {
		rc = rw_error_set(RW_EUSAGE, "no file to parse");
		rw_error_hint("Give FILE... or - for standard input.");
	} else if (!rw_rows_format_from(&fmt, format) || fmt == RW_ROWS_CSV) {
		rc = rw_error_set(RW_EUSAGE, "--format: unknown format \"%s\"",
		    format);
	} else if (mta_format_parse(&src.format, type) != 0) {
		rc = rw_error_recode(RW_EUSAGE);
		rw_error_prefix("--type");
	}
	src.source_ip = source_ip;
	svc[0] = services;  /* set by app_parse_options, after svc's init */
	src.ip_by_service = services != NULL ? svc : NULL;
	src.timezone = zone;
	if (rc == 0)
		rc = mta_source_parser(&r.parser, &src,
		    g_get_real_time() / G_USEC_PER_SEC);
	if (rc == 0)
		rc = mta_source_classifier(&r.cls, &src);
	if (rc != 0)
		goto cleanup;
	cap = src.format == MTA_KUMOMTA ? MTA_JSON_MAX : MTA_LINE_MAX;
	r.text = fmt == RW_ROWS_TEXT;
	r.rows = rw_rows_new(stdout, fmt, parse_cols,
	    G_N_ELEMENTS(parse_cols), 0);
	for (int i = 1; rc == 0 && i < argc; i++)
		rc = strcmp(argv[i], "-") == 0 ? parse_stdin(&r, cap) :
		    parse_file(&r, argv[i], cap);
	rw_rows_free(r.rows);
	if (rc == 0 && r.bad > 0) {
		rc = rw_error_set(RW_EDATA, "%zu of %zu line(s) could not be "
		    "read", r.bad, r.lines);
		rw_error_detail("%zu delivery attempt(s) were read from the "
		    "rest.", r.attempts);
	}
cleanup:
	mta_classifier_free(r.cls);
	mta_parser_free(r.parser);
	g_free(type);
	g_free(source_ip);
	g_free(services);
	g_free(zone);
	g_free(format);
	return rc;
}

/* ---- status ---- */

/* per source: the last load, and its checkpoints */
static const char status_sql[] =
    "WITH s(source) AS (SELECT unnest($1::text[])"
    " UNION SELECT source FROM repwatch.mta_load"
    " UNION SELECT source FROM repwatch.mta_checkpoint)"
    " SELECT s.source, s.source = ANY($1::text[]),"
    " to_char(l.finished_at, 'YYYY-MM-DD HH24:MI:SS'),"
    " l.files, l.lines, l.attempts, l.microsoft,"
    " l.no_ip + l.no_time + l.bad_lines + l.overlong,"
    " (SELECT count(*) FROM repwatch.mta_load x WHERE x.source = s.source),"
    " c.n, c.lines,"
    " (SELECT sum(attempts) FROM repwatch.mta_attempt_hour h"
    "  WHERE h.source = s.source)"
    " FROM s"
    " LEFT JOIN LATERAL (SELECT * FROM repwatch.mta_load m"
    "  WHERE m.source = s.source ORDER BY m.id DESC LIMIT 1) l ON true"
    " LEFT JOIN LATERAL (SELECT count(*) AS n, sum(lineno) AS lines"
    "  FROM repwatch.mta_checkpoint k WHERE k.source = s.source) c ON true"
    " WHERE $2::text IS NULL OR s.source = $2"
    " ORDER BY s.source";

static const struct rw_col status_cols[] = {
	{"source", RW_COL_TEXT, -12, NULL},
	{"configured", RW_COL_BOOL, -10, NULL},
	{"last_load", RW_COL_TEXT, -19, NULL},
	{"files", RW_COL_INT, 5, NULL},
	{"lines", RW_COL_INT, 10, NULL},
	{"attempts", RW_COL_INT, 10, NULL},
	{"microsoft", RW_COL_INT, 10, NULL},
	{"skipped", RW_COL_INT, 8, NULL},
	{"loads", RW_COL_INT, 6, NULL},
	{"checkpoints", RW_COL_INT, 11, NULL},
	{"lines_read", RW_COL_INT, 11, NULL},
	{"stored_attempts", RW_COL_INT, 15, NULL},
};

static int
mta_status_cmd(struct app *app, int argc, char **argv)
{
	char *source = NULL, *format = NULL;
	GOptionEntry entries[] = {
		{"source", 's', 0, G_OPTION_ARG_STRING, &source,
		    "Only this source", "NAME"},
		{"format", 'f', 0, G_OPTION_ARG_STRING, &format,
		    "text (default), json or csv", "F"},
		G_OPTION_ENTRY_NULL,
	};
	g_auto(GStrv) names = NULL;
	g_autoptr(GString) arr = g_string_new(NULL);
	enum rw_rows_format fmt = RW_ROWS_TEXT;
	PGresult *res = NULL;
	struct rw_db *db = NULL;
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "mta status [--source "
	    "NAME] [--format text|json|csv]", "Print each MTA log source's "
	    "last load, its checkpoints (files and lines read so far) and "
	    "the attempts stored.", entries);

	if (rc != 0 || help)
		goto cleanup;
	rc = app_no_more_args(argc, argv, 1);
	if (rc == 0 && !rw_rows_format_from(&fmt, format))
		rc = rw_error_set(RW_EUSAGE, "--format: unknown format \"%s\"",
		    format);
	names = mta_source_names(app->cfg);
	rw_db_array_literal(arr, (const char *const *)names,
	    names != NULL ? g_strv_length(names) : 0);
	if (rc == 0)
		rc = app_db(&db, app);
	if (rc == 0) {
		const char *params[] = {arr->str, source};

		rc = rw_db_query(&res, db, status_sql, 2, params);
	}
	if (rc == 0) {
		struct rw_rows *w = rw_rows_new(stdout, fmt, status_cols,
		    G_N_ELEMENTS(status_cols), fmt == RW_ROWS_CSV ?
		    RW_ROWS_CRLF : 0);

		for (int i = 0; i < PQntuples(res); i++) {
			for (int j = 0; j < PQnfields(res); j++)
				rw_rows_str(w, PQgetisnull(res, i, j) ? NULL :
				    j == 1 ? (strcmp(PQgetvalue(res, i, j),
				    "t") == 0 ? "true" : "false") :
				    PQgetvalue(res, i, j));
			rw_rows_end(w);
		}
		if (fmt == RW_ROWS_TEXT && rw_rows_count(w) == 0)
			printf("no MTA log source configured or loaded\n");
		rw_rows_free(w);
	}
cleanup:
	PQclear(res);
	g_free(source);
	g_free(format);
	return rc;
}

/* ---- dispatch ---- */

static const struct {
	const char *name;
	int (*fn)(struct app *, int, char **);
} subcommands[] = {
	{"load", mta_load_cmd},
	{"parse", mta_parse_cmd},
	{"status", mta_status_cmd},
};

static int
mta_help(int argc, char **argv)
{
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, mta_usage,
	    "The sending MTA's own logs (Postfix, Exim, KumoMTA, PowerMTA): "
	    "Microsoft's SMTP answers to every delivery attempt, throttling "
	    "and blocks included (doc/mta.md).\n\n"
	    "  load    read the new lines of every [mta.NAME] source\n"
	    "  parse   print the attempts of log files, no database\n"
	    "  status  print each source's last load and checkpoints", NULL);

	if (rc == 0 && !help)
		rc = app_usage(NULL, mta_usage);
	return rc;
}

int
cmd_mta(struct app *app, int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-')
		return mta_help(argc, argv);
	for (size_t i = 0; i < G_N_ELEMENTS(subcommands); i++) {
		if (strcmp(argv[1], subcommands[i].name) != 0)
			continue;
		return subcommands[i].fn(app, argc - 1, argv + 1);
	}
	fprintf(stderr, "repwatch: unknown mta command \"%s\"\n", argv[1]);
	return app_usage(NULL, mta_usage);
}

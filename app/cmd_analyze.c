/*
 * cmd_analyze - the analyze and alerts commands. Results go to stdout,
 * diagnostics to stderr.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analyze/an_alerts.h"
#include "app/app_cmds.h"
#include "analyze/an_facts.h"
#include "analyze/an_incidents.h"
#include "analyze/an_run.h"
#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_rows.h"
#include "common/rw_util.h"

/* default range: the latest day with SNDS or MTA data */
static int
default_days(struct app_days *o, struct rw_db *db)
{
	g_autofree char *first = NULL;
	char *last = NULL;
	int rc;

	if (o->from != NULL && o->to != NULL)
		return 0;
	rc = an_facts_data_days(&first, &last, db);
	if (rc == 0 && last == NULL) {
		rc = rw_error_set(RW_EDATA, "no SNDS or MTA data to analyze");
		rw_error_hint("Load data with \"repwatch snds fetch\" or "
		    "\"repwatch mta load\" first.");
	}
	if (rc == 0)
		return app_days_latest(o, last, "day with SNDS data");
	g_free(last);
	return rc;
}

static int
analyze(struct app *app, struct app_days *o)
{
	struct an_run_totals t;
	struct rw_db *db = NULL;
	int rc = app_db(&db, app);

	if (rc == 0)
		rc = an_run_sync_timezone(db, app->cfg);
	if (rc == 0)
		rc = app_days_refuse_future(o, db, ", the day after "
		    "today in the sources' zone; analyzing a later day would "
		    "make it the latest analyzed day and resolve every alert.");
	if (rc == 0)
		rc = default_days(o, db);
	if (rc == 0)
		rc = an_run_analyze(&t, db, app->cfg, o->from, o->to);
	return rc;
}

int
cmd_analyze(struct app *app, int argc, char **argv)
{
	struct app_days o = {0};
	GOptionEntry entries[] = {
		{"date", 0, 0, G_OPTION_ARG_STRING, &o.date,
		    "Day to analyze (default: latest day with data)", "D"},
		{"from", 0, 0, G_OPTION_ARG_STRING, &o.from,
		    "First day of a replay (alone: to the latest day with "
		    "data)", "D1"},
		{"to", 0, 0, G_OPTION_ARG_STRING, &o.to,
		    "Last day of a replay (default: latest day with data)",
		    "D2"},
		G_OPTION_ENTRY_NULL,
	};
	bool help;
	int rc = app_parse_options(&help, &argc, &argv,
	    "analyze [--date D | --from D1 [--to D2]]",
	    "Evaluate the alert rules for a day, or replay a range day by day "
	    "(each day sees only data up to that day).", entries);

	if (rc == 0 && help)
		goto cleanup;
	if (rc == 0)
		rc = app_no_more_args(argc, argv, 1);
	if (rc == 0)
		rc = app_days_check(&o, "latest day");
	if (rc == 0)
		rc = analyze(app, &o);
cleanup:
	app_days_clear(&o);
	return rc;
}

/* --- alerts output --------------------------------------------------- */

static double
num_member(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	if (n == NULL || JSON_NODE_TYPE(n) != JSON_NODE_VALUE)
		return NAN;
	return json_node_get_double(n);
}

static const char *
str_member(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	if (n == NULL || JSON_NODE_TYPE(n) != JSON_NODE_VALUE ||
	    json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

static bool
is_address(const struct an_alert_row *a)
{
	return strcmp(a->subject_kind, "ip") == 0 ||
	    strcmp(a->subject_kind, "cidr") == 0;
}

static const char *
source_of(const struct an_alert_row *a)
{
	if (a->source != NULL)
		return a->source;
	return strcmp(a->subject_kind, "source") == 0 ? a->subject : NULL;
}

static const struct rw_col alert_cols[] = {
	{"ip", RW_COL_TEXT, 0, NULL}, {"source", RW_COL_TEXT, 0, NULL},
	{"day", RW_COL_TEXT, 0, NULL}, {"rule", RW_COL_TEXT, 0, NULL},
	{"severity", RW_COL_TEXT, 0, NULL}, {"state", RW_COL_TEXT, 0, NULL},
	{"first_day", RW_COL_TEXT, 0, NULL}, {"rate_7d", RW_COL_REAL, 0, NULL},
	{"recipients_7d", RW_COL_INT, 0, NULL},
	{"complaints_7d", RW_COL_INT, 0, NULL},
	{"baseline_rate", RW_COL_REAL, 0, NULL},
	{"ratio", RW_COL_REAL, 0, NULL}, {"p_value", RW_COL_REAL, 0, NULL},
	{"forecast_days", RW_COL_INT, 0, NULL},
	{"message", RW_COL_TEXT, 0, NULL},
};

static const struct rw_col alert_text[] = {
	{"DAY", RW_COL_TEXT, -10, NULL}, {"SEVERITY", RW_COL_TEXT, -8, "  "},
	{"STATE", RW_COL_TEXT, -8, "  "}, {"RULE", RW_COL_TEXT, -12, "  "},
	{"SUBJECT", RW_COL_TEXT, -18, "  "}, {"SINCE", RW_COL_TEXT, -10, "  "},
	{"WHAT", RW_COL_TEXT, 0, "  "},
};

static void
alert_row(struct rw_rows *w, const struct an_alert_row *a)
{
	JsonObject *d = a->details;

	rw_rows_str(w, is_address(a) ? a->subject : NULL);
	rw_rows_str(w, source_of(a));
	rw_rows_str(w, a->day);
	rw_rows_str(w, a->rule);
	rw_rows_str(w, a->severity);
	rw_rows_str(w, a->state);
	rw_rows_str(w, a->first_day);
	rw_rows_num(w, num_member(d, "rate_7d"));
	rw_rows_num(w, num_member(d, "recipients_7d"));
	rw_rows_num(w, num_member(d, "complaints_7d"));
	rw_rows_num(w, num_member(d, "baseline_rate"));
	rw_rows_num(w, num_member(d, "ratio"));
	rw_rows_num(w, num_member(d, "p_value"));
	rw_rows_num(w, num_member(d, "forecast_days"));
	rw_rows_str(w, str_member(d, "message"));
}

/* text: no control character reaches the terminal (rw_rows) */
static void
alert_text_row(struct rw_rows *w, const struct an_alert_row *a)
{
	rw_rows_str(w, a->day);
	rw_rows_str(w, a->severity);
	rw_rows_str(w, a->state);
	rw_rows_str(w, a->rule);
	rw_rows_str(w, a->subject);
	rw_rows_str(w, a->first_day);
	rw_rows_str(w, str_member(a->details, "message"));
}

static void
print_rows(FILE *out, GPtrArray *rows, enum rw_rows_format fmt)
{
	struct rw_rows *w = fmt == RW_ROWS_TEXT ? rw_rows_new(out, fmt,
	    alert_text, G_N_ELEMENTS(alert_text), 0) : rw_rows_new(out, fmt,
	    alert_cols, G_N_ELEMENTS(alert_cols), 0);

	for (guint i = 0; i < rows->len; i++) {
		if (fmt == RW_ROWS_TEXT)
			alert_text_row(w, rows->pdata[i]);
		else
			alert_row(w, rows->pdata[i]);
		rw_rows_end(w);
	}
	if (fmt == RW_ROWS_TEXT && rows->len == 0)
		fprintf(out, "no alerts\n");
	rw_rows_free(w);
}

/* any open alert at FAIL_ON or worse among ROWS */
static bool
fails(GPtrArray *rows, int fail_on)
{
	for (guint i = 0; fail_on >= 0 && i < rows->len; i++) {
		const struct an_alert_row *a = rows->pdata[i];

		if (strcmp(a->state, "open") == 0 &&
		    an_severity_parse(a->severity) >= fail_on)
			return true;
	}
	return false;
}

struct alerts_opts {
	struct app_days days;
	gboolean open;
	char *min_severity, *format, *fail_on, *by;
	bool by_rule;
	int min_rank, fail_rank;
	enum rw_rows_format fmt;
};

static int
alerts_opts_check(struct alerts_opts *o)
{
	int rc = app_days_check(&o->days, "latest day");

	o->min_rank = o->min_severity ? an_severity_parse(o->min_severity) : 0;
	o->fail_rank = o->fail_on ? an_severity_parse(o->fail_on) : -1;
	if (rc == 0 && !rw_rows_format_from(&o->fmt, o->format))
		rc = rw_error_set(RW_EUSAGE, "invalid --format \"%s\"",
		    o->format);
	if (rc == 0 && o->by != NULL && strcmp(o->by, "rule") != 0 &&
	    strcmp(o->by, "incident") != 0)
		rc = rw_error_set(RW_EUSAGE, "invalid --by \"%s\" (incident "
		    "or rule)", o->by);
	o->by_rule = o->by != NULL && strcmp(o->by, "rule") == 0;
	if (rc == 0 && o->min_rank < 0)
		rc = rw_error_set(RW_EUSAGE, "invalid --min-severity \"%s\"",
		    o->min_severity);
	if (rc == 0 && o->fail_on != NULL && o->fail_rank < AN_WARNING)
		rc = rw_error_set(RW_EUSAGE, "invalid --fail-on \"%s\" "
		    "(warning or critical)", o->fail_on);
	return rc;
}

static int
latest_days(struct app_days *o, struct rw_db *db)
{
	char *last = NULL;
	int rc;

	if (o->from != NULL && o->to != NULL)
		return 0;
	rc = an_alerts_latest_day(&last, db);
	if (rc == 0 && last == NULL) {
		rc = rw_error_set(RW_EDATA, "no analyzed day");
		rw_error_hint("Run \"repwatch analyze\" first.");
	}
	if (rc == 0)
		return app_days_latest(o, last, "analyzed day");
	g_free(last);
	return rc;
}

/*
 * list and print incidents (--by rule: alert rows); *OUT_HIT when an open
 * or escalated incident (an open alert) reaches --fail-on
 */
static int
alerts(bool *out_hit, struct app *app, struct alerts_opts *o, FILE *out)
{
	struct rw_db *db = NULL;
	GPtrArray *rows = NULL;
	int rc = app_db(&db, app);

	if (rc == 0)
		rc = latest_days(&o->days, db);
	if (rc == 0 && o->by_rule)
		rc = an_alerts_list(&rows, db, o->days.from, o->days.to,
		    o->open, (enum an_severity)o->min_rank);
	else if (rc == 0)
		rc = an_incidents_list(&rows, db, o->days.from, o->days.to,
		    o->open, (enum an_severity)o->min_rank);
	if (rc == 0 && o->by_rule) {
		print_rows(out, rows, o->fmt);
		*out_hit = fails(rows, o->fail_rank);
	} else if (rc == 0) {
		app_incidents_print(out, rows, o->fmt);
		*out_hit = app_incidents_fail(rows, o->fail_rank);
	}
	if (rows != NULL)
		g_ptr_array_free(rows, TRUE);
	return rc;
}

static const struct {
	const char *name;
	int (*fn)(struct app *app, int argc, char **argv);
} alerts_subcommands[] = {
	{"silence", cmd_alerts_silence},
	{"unsilence", cmd_alerts_unsilence},
	{"silences", cmd_alerts_silences},
};

int
cmd_alerts(struct app *app, int argc, char **argv)
{
	struct alerts_opts o = {0};
	GOptionEntry entries[] = {
		{"date", 0, 0, G_OPTION_ARG_STRING, &o.days.date,
		    "Day to list (default: latest analyzed day)", "D"},
		{"from", 0, 0, G_OPTION_ARG_STRING, &o.days.from,
		    "First day (alone: to the latest analyzed day)", "D1"},
		{"to", 0, 0, G_OPTION_ARG_STRING, &o.days.to,
		    "Last day (default: latest analyzed day)", "D2"},
		{"open", 0, 0, G_OPTION_ARG_NONE, &o.open,
		    "Only incidents (alerts) open on the day, not those "
		    "resolved on it", NULL},
		{"min-severity", 0, 0, G_OPTION_ARG_STRING, &o.min_severity,
		    "info, warning or critical", "S"},
		{"by", 0, 0, G_OPTION_ARG_STRING, &o.by,
		    "incident (default: one row per incident) or rule (one "
		    "row per alert rule and subject)", "B"},
		{"format", 0, 0, G_OPTION_ARG_STRING, &o.format,
		    "text (default), json (one object per line) or csv (the "
		    "lists rules and members joined with a space)", "F"},
		{"fail-on", 0, 0, G_OPTION_ARG_STRING, &o.fail_on,
		    "Exit 1 when an open or escalated incident (with --by "
		    "rule: an open alert) at this severity exists (warning or "
		    "critical)", "S"},
		G_OPTION_ENTRY_NULL,
	};
	bool help;
	int rc;

	for (size_t i = 0; argc > 1 && i < G_N_ELEMENTS(alerts_subcommands);
	    i++)
		if (strcmp(argv[1], alerts_subcommands[i].name) == 0)
			return alerts_subcommands[i].fn(app, argc - 1,
			    argv + 1);
	rc = app_parse_options(&help, &argc, &argv, "alerts [--date D | "
	    "--from D1 [--to D2]] [--open] [--min-severity S] [--by "
	    "incident|rule] [--format text|json|csv] [--fail-on "
	    "warning|critical]\n   or: repwatch alerts silence "
	    "SUBJECT|INCIDENT_ID --until D [--note TEXT]\n   or: repwatch "
	    "alerts unsilence SUBJECT|INCIDENT_ID\n   or: repwatch alerts "
	    "silences [--format text|json|csv]", "List the incidents "
	    "of analyzed days, one row each, most severe first (--by rule: "
	    "the alert rows); silence incidents.", entries);

	if (rc == 0 && help)
		goto cleanup;
	if (rc == 0)
		rc = app_no_more_args(argc, argv, 1);
	if (rc == 0)
		rc = alerts_opts_check(&o);
	if (rc == 0)
		rc = alerts(&app->alert_hit, app, &o, stdout);
cleanup:
	app_days_clear(&o.days);
	g_free(o.min_severity);
	g_free(o.format);
	g_free(o.fail_on);
	g_free(o.by);
	return rc;
}

int
app_analyze_and_report(struct app *app, FILE *out)
{
	struct app_days o = {0};
	struct alerts_opts a = {0};
	struct rw_db *db = NULL;
	g_autofree char *first = NULL;
	bool hit = false;
	int rc = app_db(&db, app);

	if (rc == 0)
		rc = an_run_sync_timezone(db, app->cfg);
	if (rc == 0)
		rc = an_facts_data_days(&first, &o.to, db);
	if (rc == 0 && first == NULL)
		rc = rw_error_set(RW_EDATA, "no SNDS or MTA data to analyze");
	if (rc == 0) {
		o.from = g_strdup(first);
		rc = analyze(app, &o);
	}
	if (rc == 0) {
		a.days.from = g_strdup(o.to);
		a.days.to = g_strdup(o.to);
		a.open = TRUE;
		a.fail_rank = -1;
		rc = alerts(&hit, app, &a, out);
	}
	app_days_clear(&o);
	app_days_clear(&a.days);
	return rc;
}

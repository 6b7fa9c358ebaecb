/*
 * cmd_analyze - the analyze and alerts commands. Results go to stdout,
 * diagnostics to stderr.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/rw_json.h"
#include "analyze/an_alerts.h"
#include "app/app_cmds.h"
#include "analyze/an_facts.h"
#include "analyze/an_run.h"
#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_out.h"
#include "common/rw_util.h"

/* --date D | --from D1 --to D2, checked; missing ones stay NULL */
struct day_opts {
	char *date, *from, *to;
};

static void
day_opts_free(struct day_opts *o)
{
	g_free(o->date);
	g_free(o->from);
	g_free(o->to);
}

static int
check_day(const char *what, const char *s)
{
	GDate d;

	if (s != NULL && rw_parse_date(&d, s) != 0)
		return rw_error_set(RW_EUSAGE, "invalid %s \"%s\"", what, s);
	return 0;
}

static int
day_opts_check(struct day_opts *o)
{
	int rc = check_day("--date", o->date);

	if (rc == 0)
		rc = check_day("--from", o->from);
	if (rc == 0)
		rc = check_day("--to", o->to);
	if (rc == 0 && o->date != NULL && (o->from || o->to))
		rc = rw_error_set(RW_EUSAGE, "--date cannot be combined with "
		    "--from or --to");
	if (rc == 0 && (o->from == NULL) != (o->to == NULL))
		rc = rw_error_set(RW_EUSAGE, "--from and --to go together");
	if (rc == 0 && o->from && strcmp(o->from, o->to) > 0)
		rc = rw_error_set(RW_EUSAGE, "--from %s is after --to %s",
		    o->from, o->to);
	if (rc == 0 && o->date != NULL) {
		o->from = g_strdup(o->date);
		o->to = g_strdup(o->date);
	}
	return rc;
}



/* default range: the latest day with SNDS data */
static int
default_days(struct day_opts *o, struct rw_db *db)
{
	g_autofree char *first = NULL;
	char *last = NULL;
	int rc;

	if (o->from != NULL)
		return 0;
	rc = an_facts_data_days(&first, &last, db);
	if (rc == 0 && last == NULL) {
		rc = rw_error_set(RW_EDATA, "no SNDS data to analyze");
		rw_error_hint("Load data with \"repwatch fetch\" or "
		    "\"repwatch load\" first.");
	}
	if (rc == 0) {
		o->from = g_strdup(last);
		o->to = last;
		last = NULL;
	}
	g_free(last);
	return rc;
}

/*
 * refuse_future - an explicit --date or --to after the horizon (the day
 * after today in the sources' zone) is a typo: analyzing it would make it
 * the latest analyzed day and end every alert (issue 17)
 */
static int
refuse_future(struct day_opts *o, struct rw_db *db)
{
	const char *params[] = {o->to};
	char *horizon = NULL;
	int rc;

	if (o->to == NULL)
		return 0;
	rc = rw_db_query1(&horizon, db, "SELECT CASE WHEN $1::date > "
	    "repwatch.an_horizon() THEN repwatch.an_horizon()::text END", 1,
	    params);
	if (rc == 0 && horizon != NULL) {
		rc = rw_error_set(RW_EUSAGE, "%s %s is in the future",
		    o->date != NULL ? "--date" : "--to", o->to);
		rw_error_detail("The last day that can hold data is %s, the "
		    "day after today in the sources' zone; analyzing a later "
		    "day would make it the latest analyzed day and resolve "
		    "every alert.", horizon);
	}
	g_free(horizon);
	return rc;
}

static int
analyze(struct app *app, struct day_opts *o)
{
	struct an_run_totals t;
	struct rw_db *db = NULL;
	int rc = app_db(&db, app);

	if (rc == 0)
		rc = refuse_future(o, db);
	if (rc == 0)
		rc = default_days(o, db);
	if (rc == 0)
		rc = an_run_analyze(&t, db, app->cfg, o->from, o->to);
	return rc;
}

int
cmd_analyze(struct app *app, int argc, char **argv)
{
	struct day_opts o = {0};
	GOptionEntry entries[] = {
		{"date", 0, 0, G_OPTION_ARG_STRING, &o.date,
		    "Day to analyze (default: latest day with data)", "D"},
		{"from", 0, 0, G_OPTION_ARG_STRING, &o.from,
		    "First day of a replay", "D1"},
		{"to", 0, 0, G_OPTION_ARG_STRING, &o.to,
		    "Last day of a replay", "D2"},
		G_OPTION_ENTRY_NULL,
	};
	bool help;
	int rc = app_parse_options(&help, &argc, &argv,
	    "analyze [--date D | --from D1 --to D2]",
	    "Evaluate the alert rules for a day, or replay a range day by day "
	    "(each day sees only data up to that day).", entries);

	if (rc == 0 && help)
		goto cleanup;
	if (rc == 0 && argc > 1)
		rc = rw_error_set(RW_EUSAGE, "unexpected argument \"%s\"",
		    argv[1]);
	if (rc == 0)
		rc = day_opts_check(&o);
	if (rc == 0)
		rc = analyze(app, &o);
cleanup:
	day_opts_free(&o);
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

static void
json_str(JsonBuilder *b, const char *name, const char *v)
{
	json_builder_set_member_name(b, name);
	if (v != NULL)
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}

static void
json_num(JsonBuilder *b, const char *name, double v, bool integer)
{
	json_builder_set_member_name(b, name);
	if (isnan(v))
		json_builder_add_null_value(b);
	else if (integer)
		json_builder_add_int_value(b, (gint64)llround(v));
	else
		json_builder_add_double_value(b, v);
}

static void
print_json(FILE *out, const struct an_alert_row *a)
{
	JsonBuilder *b = json_builder_new();
	JsonObject *d = a->details;
	JsonNode *root;
	char *s;

	json_builder_begin_object(b);
	json_str(b, "ip", is_address(a) ? a->subject : NULL);
	json_str(b, "source", source_of(a));
	json_str(b, "day", a->day);
	json_str(b, "rule", a->rule);
	json_str(b, "severity", a->severity);
	json_str(b, "state", a->state);
	json_str(b, "first_day", a->first_day);
	json_num(b, "rate_7d", num_member(d, "rate_7d"), false);
	json_num(b, "recipients_7d", num_member(d, "recipients_7d"), true);
	json_num(b, "complaints_7d", num_member(d, "complaints_7d"), true);
	json_num(b, "baseline_rate", num_member(d, "baseline_rate"), false);
	json_num(b, "ratio", num_member(d, "ratio"), false);
	json_num(b, "p_value", num_member(d, "p_value"), false);
	json_num(b, "forecast_days", num_member(d, "forecast_days"), true);
	json_str(b, "message", str_member(d, "message"));
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	s = rw_json_to_string(root);
	fprintf(out, "%s\n", s);
	g_free(s);
	json_node_unref(root);
	g_object_unref(b);
}

/* RFC 4180 field, neutralized against formula injection (rw_out): the
 * message quotes SNDS text such as the IP-status reason */
static void
csv_field(FILE *out, const char *v, bool last)
{
	GString *cell = g_string_new(NULL);

	rw_out_csv_cell(cell, v);
	g_string_append_c(cell, last ? '\n' : ',');
	fputs(cell->str, out);
	g_string_free(cell, TRUE);
}

static void
csv_num(FILE *out, double v, bool integer)
{
	char buf[64] = "";

	if (!isnan(v))
		snprintf(buf, sizeof(buf), integer ? "%.0f" : "%.6g", v);
	csv_field(out, buf, false);
}

static const char csv_header[] =
    "ip,source,day,rule,severity,state,first_day,rate_7d,recipients_7d,"
    "complaints_7d,baseline_rate,ratio,p_value,forecast_days,message\n";

static void
print_csv(FILE *out, const struct an_alert_row *a)
{
	JsonObject *d = a->details;

	csv_field(out, is_address(a) ? a->subject : NULL, false);
	csv_field(out, source_of(a), false);
	csv_field(out, a->day, false);
	csv_field(out, a->rule, false);
	csv_field(out, a->severity, false);
	csv_field(out, a->state, false);
	csv_field(out, a->first_day, false);
	csv_num(out, num_member(d, "rate_7d"), false);
	csv_num(out, num_member(d, "recipients_7d"), true);
	csv_num(out, num_member(d, "complaints_7d"), true);
	csv_num(out, num_member(d, "baseline_rate"), false);
	csv_num(out, num_member(d, "ratio"), false);
	csv_num(out, num_member(d, "p_value"), false);
	csv_num(out, num_member(d, "forecast_days"), true);
	csv_field(out, str_member(d, "message"), true);
}

static void
print_text(FILE *out, const struct an_alert_row *a)
{
	/* no control character reaches the terminal (ESC sequences) */
	g_autofree char *msg = rw_out_text(str_member(a->details,
	    "message"));
	g_autofree char *subject = rw_out_text(a->subject);
	g_autofree char *rule = rw_out_text(a->rule);

	fprintf(out, "%-10s  %-8s  %-8s  %-12s  %-18s  %-10s  %s\n", a->day,
	    a->severity, a->state, rule, subject, a->first_day,
	    msg != NULL ? msg : "");
}

enum out_format { FMT_TEXT, FMT_JSON, FMT_CSV };

static void
print_rows(FILE *out, GPtrArray *rows, enum out_format fmt)
{
	if (fmt == FMT_CSV)
		fputs(csv_header, out);
	if (fmt == FMT_TEXT && rows->len == 0)
		fprintf(out, "no alerts\n");
	else if (fmt == FMT_TEXT)
		fprintf(out, "%-10s  %-8s  %-8s  %-12s  %-18s  %-10s  %s\n",
		    "DAY", "SEVERITY", "STATE", "RULE", "SUBJECT", "SINCE",
		    "WHAT");
	for (guint i = 0; i < rows->len; i++) {
		if (fmt == FMT_JSON)
			print_json(out, rows->pdata[i]);
		else if (fmt == FMT_CSV)
			print_csv(out, rows->pdata[i]);
		else
			print_text(out, rows->pdata[i]);
	}
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
	struct day_opts days;
	gboolean open;
	char *min_severity, *format, *fail_on;
	int min_rank, fail_rank;
	enum out_format fmt;
};

static int
parse_format(enum out_format *out, const char *s)
{
	if (s == NULL || strcmp(s, "text") == 0)
		*out = FMT_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = FMT_JSON;
	else if (strcmp(s, "csv") == 0)
		*out = FMT_CSV;
	else
		return rw_error_set(RW_EUSAGE, "invalid --format \"%s\"", s);
	return 0;
}

static int
alerts_opts_check(struct alerts_opts *o)
{
	int rc = day_opts_check(&o->days);

	o->min_rank = o->min_severity ? an_severity_parse(o->min_severity) : 0;
	o->fail_rank = o->fail_on ? an_severity_parse(o->fail_on) : -1;
	if (rc == 0)
		rc = parse_format(&o->fmt, o->format);
	if (rc == 0 && o->min_rank < 0)
		rc = rw_error_set(RW_EUSAGE, "invalid --min-severity \"%s\"",
		    o->min_severity);
	if (rc == 0 && o->fail_on != NULL && o->fail_rank < AN_WARNING)
		rc = rw_error_set(RW_EUSAGE, "invalid --fail-on \"%s\" "
		    "(warning or critical)", o->fail_on);
	return rc;
}

static int
latest_days(struct day_opts *o, struct rw_db *db)
{
	char *last = NULL;
	int rc;

	if (o->from != NULL)
		return 0;
	rc = an_alerts_latest_day(&last, db);
	if (rc == 0 && last == NULL) {
		rc = rw_error_set(RW_EDATA, "no analyzed day");
		rw_error_hint("Run \"repwatch analyze\" first.");
	}
	if (rc == 0) {
		o->from = g_strdup(last);
		o->to = last;
	}
	return rc;
}

/* list and print; *OUT_HIT when an open alert reaches --fail-on */
static int
alerts(bool *out_hit, struct app *app, struct alerts_opts *o, FILE *out)
{
	struct rw_db *db = NULL;
	GPtrArray *rows = NULL;
	int rc = app_db(&db, app);

	if (rc == 0)
		rc = latest_days(&o->days, db);
	if (rc == 0)
		rc = an_alerts_list(&rows, db, o->days.from, o->days.to,
		    o->open, (enum an_severity)o->min_rank);
	if (rc == 0) {
		print_rows(out, rows, o->fmt);
		*out_hit = fails(rows, o->fail_rank);
	}
	if (rows != NULL)
		g_ptr_array_free(rows, TRUE);
	return rc;
}

int
cmd_alerts(struct app *app, int argc, char **argv)
{
	struct alerts_opts o = {0};
	GOptionEntry entries[] = {
		{"date", 0, 0, G_OPTION_ARG_STRING, &o.days.date,
		    "Day to list (default: latest analyzed day)", "D"},
		{"from", 0, 0, G_OPTION_ARG_STRING, &o.days.from,
		    "First day", "D1"},
		{"to", 0, 0, G_OPTION_ARG_STRING, &o.days.to, "Last day", "D2"},
		{"open", 0, 0, G_OPTION_ARG_NONE, &o.open,
		    "Only alerts open on the day (not those resolved on it)",
		    NULL},
		{"min-severity", 0, 0, G_OPTION_ARG_STRING, &o.min_severity,
		    "info, warning or critical", "S"},
		{"format", 0, 0, G_OPTION_ARG_STRING, &o.format,
		    "text (default), json (one object per line) or csv", "F"},
		{"fail-on", 0, 0, G_OPTION_ARG_STRING, &o.fail_on,
		    "Exit 1 when an open alert at this severity exists "
		    "(warning or critical)", "S"},
		G_OPTION_ENTRY_NULL,
	};
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "alerts [--date D | --from D1 "
	    "--to D2] [--open] [--min-severity S] [--format text|json|csv] "
	    "[--fail-on warning|critical]", "List the alerts of analyzed "
	    "days, most severe first.", entries);

	if (rc == 0 && help)
		goto cleanup;
	if (rc == 0 && argc > 1)
		rc = rw_error_set(RW_EUSAGE, "unexpected argument \"%s\"",
		    argv[1]);
	if (rc == 0)
		rc = alerts_opts_check(&o);
	if (rc == 0)
		rc = alerts(&app->alert_hit, app, &o, stdout);
cleanup:
	day_opts_free(&o.days);
	g_free(o.min_severity);
	g_free(o.format);
	g_free(o.fail_on);
	return rc;
}

int
app_analyze_and_report(struct app *app, FILE *out)
{
	struct day_opts o = {0};
	struct alerts_opts a = {0};
	struct rw_db *db = NULL;
	g_autofree char *first = NULL;
	bool hit = false;
	int rc = app_db(&db, app);

	if (rc == 0)
		rc = an_facts_data_days(&first, &o.to, db);
	if (rc == 0 && first == NULL)
		rc = rw_error_set(RW_EDATA, "no SNDS data to analyze");
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
	day_opts_free(&o);
	day_opts_free(&a.days);
	return rc;
}

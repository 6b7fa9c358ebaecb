/*
 * cmd_alerts - the incident listing of "alerts" (one row per incident,
 * text, JSON lines or CSV through rw_rows) and the silence subcommands
 * "alerts silence", "alerts unsilence" and "alerts silences".
 */
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analyze/an_incidents.h"
#include "analyze/an_silence.h"
#include "app/app_cmds.h"
#include "common/rw_error.h"
#include "common/rw_rows.h"

/* --- the incident listing -------------------------------------------- */

/* the keys of "alerts --format json" (issue 13), in order; CSV the same */
static const struct rw_col incident_cols[] = {
	{"incident_id", RW_COL_TEXT, 0, NULL},
	{"subject", RW_COL_TEXT, 0, NULL}, {"kind", RW_COL_TEXT, 0, NULL},
	{"severity", RW_COL_TEXT, 0, NULL}, {"state", RW_COL_TEXT, 0, NULL},
	{"first_day", RW_COL_TEXT, 0, NULL}, {"last_day", RW_COL_TEXT, 0, NULL},
	{"rules", RW_COL_JSON, 0, NULL}, {"members", RW_COL_JSON, 0, NULL},
	{"rate_7d", RW_COL_REAL, 0, NULL},
	{"recipients_7d", RW_COL_INT, 0, NULL},
	{"complaints_7d", RW_COL_INT, 0, NULL},
	{"baseline_rate", RW_COL_REAL, 0, NULL},
	{"forecast_days", RW_COL_INT, 0, NULL},
	{"listed", RW_COL_BOOL, 0, NULL}, {"filter", RW_COL_TEXT, 0, NULL},
	{"message", RW_COL_TEXT, 0, NULL},
	{"silenced_until", RW_COL_TEXT, 0, NULL},
};

#define RULES_COL 7
#define MEMBERS_COL 8

static const struct rw_col incident_text[] = {
	{"DAY", RW_COL_TEXT, -10, NULL}, {"SEVERITY", RW_COL_TEXT, -8, "  "},
	{"STATE", RW_COL_TEXT, -9, "  "}, {"SUBJECT", RW_COL_TEXT, -33, "  "},
	{"SINCE", RW_COL_TEXT, -10, "  "}, {"RATE_7D", RW_COL_TEXT, 7, "  "},
	{"ID", RW_COL_TEXT, -16, "  "}, {"RULES", RW_COL_TEXT, 0, "  "},
};

/* the part of member IP after its range's prefix ("192.0.2."), or NULL */
static const char *
host_part(const char *ip, const char *prefix)
{
	size_t n = strlen(prefix);

	return n > 0 && strncmp(ip, prefix, n) == 0 ? ip + n - 1 : NULL;
}

static long
octet(const char *host)
{
	char *end = NULL;
	gint64 v = host != NULL ? g_ascii_strtoll(host + 1, &end, 10) : -1;

	return host != NULL && end != host + 1 && *end == '\0' ? (long)v : -1;
}

/*
 * members_short - "8 IPs: .20-.27" for the members of a /24: the last
 * octets, consecutive ones as runs, at most 4 runs shown
 */
static void
members_short(GString *s, const struct an_incident *inc)
{
	g_autofree char *prefix = g_strdup(inc->subject);
	char *dot = strrchr(prefix, '.');
	GPtrArray *m = inc->members;
	int runs = 0;

	if (dot != NULL)
		dot[1] = '\0';
	g_string_append_printf(s, " (%u IP%s: ", m->len,
	    m->len == 1 ? "" : "s");
	for (guint i = 0; i < m->len; i++) {
		const struct an_incident_member *a = m->pdata[i];
		const char *host = dot != NULL ? host_part(a->ip, prefix) : NULL;
		long o = octet(host);
		guint j = i;

		while (o >= 0 && j + 1 < m->len && octet(host_part(((struct
		    an_incident_member *)m->pdata[j + 1])->ip, prefix)) ==
		    o + (long)(j + 1 - i))
			j++;
		if (runs++ == 4) {
			g_string_append(s, ", ...");
			break;
		}
		g_string_append_printf(s, "%s%s", i > 0 ? ", " : "",
		    host != NULL ? host : a->ip);
		if (j > i)
			g_string_append_printf(s, "-.%ld", o + (long)(j - i));
		i = j;
	}
	g_string_append_c(s, ')');
}

static void
text_row(struct rw_rows *w, const struct an_incident *inc)
{
	g_autoptr(GString) subject = g_string_new(inc->subject);
	g_autoptr(GString) rules = g_string_new(NULL);
	char rate[32] = "";

	if (inc->is_range && inc->members->len > 0)
		members_short(subject, inc);
	for (size_t i = 0; inc->rules != NULL && inc->rules[i]; i++)
		g_string_append_printf(rules, "%s%s", i > 0 ? ", " : "",
		    inc->rules[i]);
	if (inc->silenced_until != NULL)
		g_string_append_printf(rules, "  (silenced until %s)",
		    inc->silenced_until);
	if (!isnan(inc->num.rate_7d))
		snprintf(rate, sizeof(rate), "%.2f%%", inc->num.rate_7d * 100);
	rw_rows_str(w, inc->day);
	rw_rows_str(w, an_severity_name(inc->severity));
	rw_rows_str(w, an_incident_state_name(inc->state));
	rw_rows_str(w, subject->str);
	rw_rows_str(w, inc->first_day);
	rw_rows_str(w, rate);
	rw_rows_str(w, inc->id);
	rw_rows_str(w, rules->str);
}

/* a list cell: a JSON array, or for CSV the items joined with a space */
static void
list_cell(struct rw_rows *w, enum rw_rows_format fmt, const char *const *v,
    GPtrArray *members)
{
	g_autoptr(GString) s = g_string_new(NULL);
	JsonArray *a = json_array_new();
	JsonNode *n = json_node_new(JSON_NODE_ARRAY);
	guint len = members != NULL ? members->len : 0;

	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		json_array_add_string_element(a, v[i]);
	for (guint i = 0; i < len; i++)
		json_array_add_string_element(a,
		    ((struct an_incident_member *)members->pdata[i])->ip);
	for (guint i = 0; i < json_array_get_length(a); i++)
		g_string_append_printf(s, "%s%s", i > 0 ? " " : "",
		    json_array_get_string_element(a, i));
	json_node_take_array(n, a);
	if (fmt == RW_ROWS_JSON) {
		rw_rows_json(w, n);
		return;
	}
	json_node_unref(n);
	rw_rows_str(w, s->str);
}

static void
data_row(struct rw_rows *w, enum rw_rows_format fmt,
    const struct an_incident *inc)
{
	const struct an_incident_numbers *n = &inc->num;

	rw_rows_str(w, inc->id);
	rw_rows_str(w, inc->subject);
	rw_rows_str(w, an_incident_kind(inc));
	rw_rows_str(w, an_severity_name(inc->severity));
	rw_rows_str(w, an_incident_state_name(inc->state));
	rw_rows_str(w, inc->first_day);
	rw_rows_str(w, inc->last_day);
	list_cell(w, fmt, (const char *const *)inc->rules, NULL);
	list_cell(w, fmt, NULL, inc->is_range ? inc->members : NULL);
	rw_rows_num(w, n->rate_7d);
	rw_rows_num(w, n->recipients_7d);
	rw_rows_num(w, n->complaints_7d);
	rw_rows_num(w, n->baseline_rate);
	rw_rows_num(w, n->forecast_days >= 0 ? n->forecast_days : NAN);
	rw_rows_str(w, n->listed ? "true" : "false");
	rw_rows_str(w, n->filter);
	rw_rows_str(w, n->message);
	rw_rows_str(w, inc->silenced_until);
}

void
app_incidents_print(FILE *out, GPtrArray *incidents, enum rw_rows_format fmt)
{
	struct rw_col cols[G_N_ELEMENTS(incident_cols)];
	struct rw_rows *w;

	/* CSV: the lists as text (joined with a space) */
	memcpy(cols, incident_cols, sizeof(cols));
	if (fmt == RW_ROWS_CSV)
		cols[RULES_COL].kind = cols[MEMBERS_COL].kind = RW_COL_TEXT;
	w = fmt == RW_ROWS_TEXT ? rw_rows_new(out, fmt, incident_text,
	    G_N_ELEMENTS(incident_text), 0) : rw_rows_new(out, fmt, cols,
	    G_N_ELEMENTS(cols), 0);
	for (guint i = 0; i < incidents->len; i++) {
		if (fmt == RW_ROWS_TEXT)
			text_row(w, incidents->pdata[i]);
		else
			data_row(w, fmt, incidents->pdata[i]);
		rw_rows_end(w);
	}
	if (fmt == RW_ROWS_TEXT && incidents->len == 0)
		fprintf(out, "no incidents\n");
	rw_rows_free(w);
}

bool
app_incidents_fail(GPtrArray *incidents, int fail_on)
{
	for (guint i = 0; fail_on >= 0 && i < incidents->len; i++) {
		const struct an_incident *inc = incidents->pdata[i];

		if (inc->state != AN_INC_RESOLVED &&
		    (int)inc->severity >= fail_on)
			return true;
	}
	return false;
}

/* --- silences -------------------------------------------------------- */

/* the login name of the user running the command */
static char *
login_name(void)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *env = g_getenv("LOGNAME");
	const char *sudo = g_getenv("SUDO_USER");

	/* under sudo the person is the one who ran it, not root */
	if (geteuid() == 0 && sudo != NULL && sudo[0] != '\0')
		return g_strdup(sudo);
	if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0')
		return g_strdup(pw->pw_name);
	if (env != NULL && env[0] != '\0')
		return g_strdup(env);
	return g_strdup_printf("uid %lu", (unsigned long)geteuid());
}

/* one TARGET argument: argv[1], nothing after it */
static int
one_target(const char **out, int argc, char **argv, const char *cmd)
{
	*out = NULL;
	if (argc < 2)
		return rw_error_set(RW_EUSAGE, "%s needs a subject (IP or /24) "
		    "or an incident id", cmd);
	if (argc > 2)
		return app_no_more_args(argc, argv, 2);
	*out = argv[1];
	return 0;
}

int
cmd_alerts_silence(struct app *app, int argc, char **argv)
{
	char *until = NULL, *note = NULL;
	g_autofree char *who = login_name();
	GOptionEntry entries[] = {
		{"until", 0, 0, G_OPTION_ARG_STRING, &until,
		    "Last silenced day (required)", "D"},
		{"note", 0, 0, G_OPTION_ARG_STRING, &note,
		    "Why, for the record", "TEXT"},
		G_OPTION_ENTRY_NULL,
	};
	struct an_silence *s = NULL;
	struct rw_db *db = NULL;
	const char *target = NULL;
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "alerts silence "
	    "SUBJECT|INCIDENT_ID --until D [--note TEXT]", "Stop "
	    "notifications for an incident (by id) or for any incident of "
	    "an IP or /24 until day D, or until it escalates. Silenced "
	    "incidents stay in every listing, marked.", entries);

	if (rc == 0 && help)
		goto cleanup;
	if (rc == 0)
		rc = one_target(&target, argc, argv, "alerts silence");
	if (rc == 0 && until == NULL)
		rc = rw_error_set(RW_EUSAGE, "alerts silence needs --until D");
	if (rc == 0)
		rc = app_db(&db, app);
	if (rc == 0)
		rc = an_silence_set(&s, db, target, until, note, who);
	if (rc == 0)
		printf("silenced %s%s%s%s until %s\n", s->subject,
		    s->incident_id ? " (" : "", s->incident_id ?
		    s->incident_id : "", s->incident_id ? ")" : "", s->until);
cleanup:
	an_silence_free(s);
	g_free(until);
	g_free(note);
	return rc;
}

int
cmd_alerts_unsilence(struct app *app, int argc, char **argv)
{
	GOptionEntry entries[] = {G_OPTION_ENTRY_NULL};
	g_autofree char *who = login_name();
	struct rw_db *db = NULL;
	const char *target = NULL;
	int lifted = 0;
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "alerts unsilence "
	    "SUBJECT|INCIDENT_ID", "Lift the silences in force on a "
	    "subject or an incident (kept on record as lifted).", entries);

	if (rc == 0 && help)
		return 0;
	if (rc == 0)
		rc = one_target(&target, argc, argv, "alerts unsilence");
	if (rc == 0)
		rc = app_db(&db, app);
	if (rc == 0)
		rc = an_silence_unset(&lifted, db, target, who);
	if (rc == 0)
		printf("lifted %d silence%s on %s\n", lifted,
		    lifted == 1 ? "" : "s", target);
	return rc;
}

static const struct rw_col silence_cols[] = {
	{"target", RW_COL_TEXT, -24, NULL}, {"until", RW_COL_TEXT, -10, "  "},
	{"who", RW_COL_TEXT, -12, "  "}, {"when", RW_COL_TEXT, -20, "  "},
	{"note", RW_COL_TEXT, 0, "  "},
};

static void
print_silences(GPtrArray *v, enum rw_rows_format fmt)
{
	struct rw_rows *w = rw_rows_new(stdout, fmt, silence_cols,
	    G_N_ELEMENTS(silence_cols), 0);

	for (guint i = 0; i < v->len; i++) {
		const struct an_silence *s = v->pdata[i];

		rw_rows_str(w, s->incident_id ? s->incident_id : s->subject);
		rw_rows_str(w, s->until);
		rw_rows_str(w, s->created_by);
		rw_rows_str(w, s->created_at);
		rw_rows_str(w, s->note);
		rw_rows_end(w);
	}
	if (fmt == RW_ROWS_TEXT && v->len == 0)
		printf("no silences in force\n");
	rw_rows_free(w);
}

int
cmd_alerts_silences(struct app *app, int argc, char **argv)
{
	char *format = NULL;
	GOptionEntry entries[] = {
		{"format", 0, 0, G_OPTION_ARG_STRING, &format,
		    "text (default), json (one object per line) or csv", "F"},
		G_OPTION_ENTRY_NULL,
	};
	enum rw_rows_format fmt = RW_ROWS_TEXT;
	struct rw_db *db = NULL;
	GPtrArray *v = NULL;
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "alerts silences "
	    "[--format text|json|csv]", "List the silences in force: "
	    "target (incident id or subject), until, who set it, when (UTC) "
	    "and the note.", entries);

	if (rc == 0 && help)
		goto cleanup;
	if (rc == 0)
		rc = app_no_more_args(argc, argv, 1);
	if (rc == 0 && !rw_rows_format_from(&fmt, format))
		rc = rw_error_set(RW_EUSAGE, "invalid --format \"%s\"",
		    format);
	if (rc == 0)
		rc = app_db(&db, app);
	if (rc == 0)
		rc = an_silence_list(&v, db, false);
	if (rc == 0)
		print_silences(v, fmt);
	if (v != NULL)
		g_ptr_array_free(v, TRUE);
cleanup:
	g_free(format);
	return rc;
}

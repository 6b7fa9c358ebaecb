/*
 * cmd_backtest - "repwatch backtest": replay the analysis (or judge what
 * is stored), then print every block event with repwatch's first warning
 * and the peer rules' leads, and the summary (text, or one JSON object).
 * Nothing in the output depends on the clock, so identical replays print
 * identical bytes.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analyze/an_backtest.h"
#include "app/app_cmds.h"
#include "common/rw_error.h"
#include "common/rw_json.h"
#include "common/rw_util.h"

/* ---- text ------------------------------------------------------------ */

static const struct rw_col block_text[] = {
	{"SUBJECT", RW_COL_TEXT, -27, NULL},
	{"BLOCK_DAY", RW_COL_TEXT, -10, "  "},
	{"SOURCE", RW_COL_TEXT, -11, "  "},
	{"WARNED", RW_COL_TEXT, -10, "  "},
	{"RULE", RW_COL_TEXT, -12, "  "},
	{"LEAD", RW_COL_TEXT, 4, "  "},
	{"FIXED", RW_COL_TEXT, 5, "  "},
	{"7DAY", RW_COL_TEXT, 4, "  "},
	{"CODE", RW_COL_TEXT, 0, "  "},
};

static void
lead_cell(struct rw_rows *w, int lead)
{
	char buf[16];

	if (lead == AN_BT_NONE) {
		rw_rows_str(w, "-");
		return;
	}
	snprintf(buf, sizeof(buf), "%d", lead);
	rw_rows_str(w, buf);
}

/* "3 days", "1 day", "2.5 days"; "-" when there is none */
static void
append_days(GString *out, double v)
{
	if (isnan(v))
		g_string_append(out, "-");
	else if (v == floor(v))
		g_string_append_printf(out, "%.0f day%s", v, v == 1 ? "" : "s");
	else
		g_string_append_printf(out, "%.1f days", v);
}

static void
print_line(FILE *out, const char *what, int n, int of, double median)
{
	GString *s = g_string_new(NULL);

	g_string_printf(s, "%-34s %d of %d, median lead ", what, n, of);
	append_days(s, median);
	fprintf(out, "%s\n", s->str);
	g_string_free(s, TRUE);
}

static void
print_text(FILE *out, const struct an_backtest_result *r)
{
	struct rw_rows *w = rw_rows_new(out, RW_ROWS_TEXT, block_text,
	    G_N_ELEMENTS(block_text), 0);

	for (guint i = 0; i < r->blocks->len; i++) {
		const struct an_backtest_block *b = r->blocks->pdata[i];

		rw_rows_str(w, b->subject);
		rw_rows_str(w, b->block_day);
		rw_rows_str(w, b->block_source);
		rw_rows_str(w, b->first_warning_day ? b->first_warning_day :
		    "-");
		rw_rows_str(w, b->rule ? b->rule : "-");
		lead_cell(w, b->lead_days);
		lead_cell(w, b->peer_fixed_lead_days);
		lead_cell(w, b->peer_7day_lead_days);
		rw_rows_str(w, b->code ? b->code : "-");
		rw_rows_end(w);
	}
	rw_rows_free(w);
	if (r->blocks->len == 0)
		fprintf(out, "no block events from %s to %s\n", r->from, r->to);
	app_backtest_summary(out, r);
}

void
app_backtest_summary(FILE *out, const struct an_backtest_result *r)
{
	const struct an_backtest_summary *s = &r->summary;

	fprintf(out, "\nbacktest %s..%s: %d block event%s\n", r->from, r->to,
	    s->blocks, s->blocks == 1 ? "" : "s");
	print_line(out, "repwatch warned before the block:", s->warned,
	    s->blocks, s->median_lead_days);
	print_line(out, "peer fixed (daily rate > 0.3%):", s->peer_fixed_warned,
	    s->blocks, s->peer_fixed_median_lead_days);
	print_line(out, "peer 7-day (rate > 0.1%, >= 1000):",
	    s->peer_7day_warned, s->blocks, s->peer_7day_median_lead_days);
	fprintf(out, "%-34s %d (%d led to a block, %d pending, %d false)\n",
	    "incidents:", s->incidents, s->true_incidents,
	    s->pending_incidents, s->false_incidents);
	if (isnan(s->false_per_1000))
		fprintf(out, "%-34s - (no healthy IP-days)\n",
		    "false incidents per 1000 IP-days:");
	else
		fprintf(out, "%-34s %.2f (%d false on %lld healthy IP-days)\n",
		    "false incidents per 1000 IP-days:", s->false_per_1000,
		    s->false_incidents, s->healthy_ip_days);
}

/* ---- JSON ------------------------------------------------------------ */

static void
j_key(GString *o, const char *key)
{
	if (o->len > 0 && o->str[o->len - 1] != '{')
		g_string_append_c(o, ',');
	g_string_append_printf(o, "\"%s\":", key);
}

static void
j_str(GString *o, const char *key, const char *v)
{
	JsonNode *n;
	char *text;

	j_key(o, key);
	if (v == NULL) {
		g_string_append(o, "null");
		return;
	}
	n = json_node_init_string(json_node_alloc(), v);
	text = rw_json_to_string(n);
	g_string_append(o, text);
	g_free(text);
	json_node_unref(n);
}

static void
j_int(GString *o, const char *key, long long v, bool null)
{
	j_key(o, key);
	if (null)
		g_string_append(o, "null");
	else
		g_string_append_printf(o, "%lld", v);
}

/* a number with at most 2 decimals, so the bytes do not depend on how a
 * double prints */
static void
j_num(GString *o, const char *key, double v)
{
	j_key(o, key);
	if (isnan(v))
		g_string_append(o, "null");
	else if (v == floor(v))
		g_string_append_printf(o, "%.0f", v);
	else {
		char buf[64];
		size_t n;

		snprintf(buf, sizeof(buf), "%.2f", v);
		n = strlen(buf);
		if (buf[n - 1] == '0')
			buf[n - 1] = '\0';
		g_string_append(o, buf);
	}
}

static void
j_lead(GString *o, const char *key, int lead)
{
	j_int(o, key, lead, lead == AN_BT_NONE);
}

static void
j_block(GString *o, const struct an_backtest_block *b)
{
	g_string_append_c(o, '{');
	j_str(o, "subject", b->subject);
	j_str(o, "block_day", b->block_day);
	j_str(o, "block_source", b->block_source);
	j_str(o, "code", b->code);
	j_str(o, "first_warning_day", b->first_warning_day);
	j_str(o, "rule", b->rule);
	j_lead(o, "lead_days", b->lead_days);
	j_lead(o, "peer_fixed_lead_days", b->peer_fixed_lead_days);
	j_lead(o, "peer_7day_lead_days", b->peer_7day_lead_days);
	g_string_append_c(o, '}');
}

static void
j_summary(GString *o, const struct an_backtest_result *r)
{
	const struct an_backtest_summary *s = &r->summary;

	g_string_append_c(o, '{');
	j_str(o, "from", r->from);
	j_str(o, "to", r->to);
	j_int(o, "blocks", s->blocks, false);
	j_int(o, "warned", s->warned, false);
	j_num(o, "median_lead_days", s->median_lead_days);
	j_int(o, "peer_fixed_warned", s->peer_fixed_warned, false);
	j_num(o, "peer_fixed_median_lead_days",
	    s->peer_fixed_median_lead_days);
	j_int(o, "peer_7day_warned", s->peer_7day_warned, false);
	j_num(o, "peer_7day_median_lead_days", s->peer_7day_median_lead_days);
	j_int(o, "incidents", s->incidents, false);
	j_int(o, "true_incidents", s->true_incidents, false);
	j_int(o, "pending_incidents", s->pending_incidents, false);
	j_int(o, "false_incidents", s->false_incidents, false);
	j_int(o, "healthy_ip_days", s->healthy_ip_days, false);
	j_num(o, "false_per_1000_healthy_ip_days", s->false_per_1000);
	j_int(o, "lookback_days", r->params.lookback_days, false);
	j_int(o, "episode_gap_days", r->params.episode_gap_days, false);
	j_int(o, "block_gap_days", r->params.block_gap_days, false);
	j_int(o, "horizon_days", r->params.horizon_days, false);
	g_string_append_c(o, '}');
}

/* one object: {"blocks":[ one block a line ],"summary":{...}} */
static void
print_json(FILE *out, const struct an_backtest_result *r)
{
	GString *o = g_string_new("{\"blocks\":[");

	for (guint i = 0; i < r->blocks->len; i++) {
		g_string_append(o, i ? ",\n" : "\n");
		j_block(o, r->blocks->pdata[i]);
	}
	g_string_append(o, r->blocks->len ? "\n],\"summary\":" :
	    "],\"summary\":");
	j_summary(o, r);
	g_string_append(o, "}\n");
	fputs(o->str, out);
	g_string_free(o, TRUE);
}

void
app_backtest_print(FILE *out, const struct an_backtest_result *r, bool json)
{
	if (json)
		print_json(out, r);
	else
		print_text(out, r);
}

/* ---- the command ----------------------------------------------------- */

int
cmd_backtest(struct app *app, int argc, char **argv)
{
	struct app_days days = {0};
	char *format = NULL;
	gboolean stored = FALSE;
	GOptionEntry entries[] = {
		{"from", 0, 0, G_OPTION_ARG_STRING, &days.from,
		    "First day (default: the first day with data)", "D1"},
		{"to", 0, 0, G_OPTION_ARG_STRING, &days.to,
		    "Last day (default: the latest day with data)", "D2"},
		{"format", 0, 0, G_OPTION_ARG_STRING, &format,
		    "text (default) or json (one object: blocks and summary)",
		    "F"},
		{"no-replay", 0, 0, G_OPTION_ARG_NONE, &stored,
		    "Judge the stored analysis of the days instead of "
		    "replaying them", NULL},
		G_OPTION_ENTRY_NULL,
	};
	struct an_backtest_result r = {0};
	struct rw_db *db = NULL;
	bool help, json = false;
	int rc = app_parse_options(&help, &argc, &argv, "backtest [--from D1] "
	    "[--to D2] [--format text|json] [--no-replay]", "Replay the "
	    "analysis day by day, then list every block event (Microsoft "
	    "block answers in the MTA logs, new SNDS IP-status listings) "
	    "with the first day repwatch warned and the peer rules' leads, "
	    "and a summary.", entries);

	if (rc == 0 && help)
		goto cleanup;
	if (rc == 0)
		rc = app_no_more_args(argc, argv, 1);
	if (rc == 0 && format != NULL && strcmp(format, "text") != 0 &&
	    strcmp(format, "json") != 0)
		rc = rw_error_set(RW_EUSAGE, "invalid --format \"%s\" (text "
		    "or json)", format);
	json = format != NULL && strcmp(format, "json") == 0;
	if (rc == 0)
		rc = app_days_check(&days, NULL);
	if (rc == 0)
		rc = app_db(&db, app);
	if (rc == 0)
		rc = app_days_refuse_future(&days, db, ".");
	if (rc == 0)
		rc = an_backtest_run(&r, db, app->cfg, days.from, days.to,
		    !stored);
	if (rc == 0)
		app_backtest_print(stdout, &r, json);
cleanup:
	an_backtest_result_clear(&r);
	app_days_clear(&days);
	g_free(format);
	return rc;
}

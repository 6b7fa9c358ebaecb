/*
 * cmd_arf_stats - "repwatch arf stats": the totals of arf_stats_get as
 * text or one JSON object, through rw_rows.
 */
#include <stdio.h>

#include "app/app_cmds.h"
#include "arf/arf_stats.h"
#include "common/rw_error.h"
#include "common/rw_rows.h"

/* text: "messages       12", "feedback type  abuse        10" */
static const struct rw_col text_cols[] = {
	{"", RW_COL_TEXT, -14, NULL}, {"", RW_COL_TEXT, -12, NULL},
	{"", RW_COL_TEXT, 0, NULL},
};

static void
text_groups(struct rw_rows *w, const char *label, const GPtrArray *g)
{
	for (guint i = 0; i < g->len; i++) {
		const struct arf_stats_count *c = g->pdata[i];
		g_autofree char *n = g_strdup_printf("%lld", c->count);

		/* feedback types come from the reports: rw_rows neutralizes */
		rw_rows_str(w, label);
		rw_rows_str(w, c->name);
		rw_rows_str(w, n);
		rw_rows_end(w);
	}
}

static void
print_text(FILE *out, const struct arf_stats *s)
{
	struct rw_rows *w = rw_rows_new(out, RW_ROWS_TEXT, text_cols,
	    G_N_ELEMENTS(text_cols), RW_ROWS_NO_HEADER);

	for (int i = 0; i < ARF_STATS_TOTALS; i++) {
		g_autofree char *n = g_strdup_printf("%lld", s->totals[i]);

		rw_rows_str(w, arf_stats_total_names[i]);
		rw_rows_str(w, n);
		rw_rows_end(w);
	}
	text_groups(w, "feedback type", s->by_feedback_type);
	text_groups(w, "provider", s->by_provider);
	rw_rows_free(w);
}

static JsonNode *
group_object(const GPtrArray *g)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *n;

	json_builder_begin_object(b);
	for (guint i = 0; i < g->len; i++) {
		const struct arf_stats_count *c = g->pdata[i];

		json_builder_set_member_name(b, c->name);
		json_builder_add_int_value(b, c->count);
	}
	json_builder_end_object(b);
	n = json_builder_get_root(b);
	g_object_unref(b);
	return n;
}

/* JSON: one object, the totals then by_feedback_type and by_provider */
static void
print_json(FILE *out, const struct arf_stats *s)
{
	struct rw_col cols[ARF_STATS_TOTALS + 2];
	struct rw_rows *w;

	for (int i = 0; i < ARF_STATS_TOTALS; i++)
		cols[i] = (struct rw_col){arf_stats_total_names[i], RW_COL_INT,
		    0, NULL};
	cols[ARF_STATS_TOTALS] = (struct rw_col){"by_feedback_type",
	    RW_COL_JSON, 0, NULL};
	cols[ARF_STATS_TOTALS + 1] = (struct rw_col){"by_provider",
	    RW_COL_JSON, 0, NULL};
	w = rw_rows_new(out, RW_ROWS_JSON, cols, G_N_ELEMENTS(cols), 0);
	for (int i = 0; i < ARF_STATS_TOTALS; i++) {
		g_autofree char *n = g_strdup_printf("%lld", s->totals[i]);

		rw_rows_str(w, n);
	}
	rw_rows_json(w, group_object(s->by_feedback_type));
	rw_rows_json(w, group_object(s->by_provider));
	rw_rows_end(w);
	rw_rows_free(w);
}

int
cmd_arf_stats_print(struct rw_db *db, FILE *out, bool json)
{
	struct arf_stats s;
	int rc = arf_stats_get(&s, db);

	if (rc == 0 && json)
		print_json(out, &s);
	else if (rc == 0)
		print_text(out, &s);
	arf_stats_clear(&s);
	return rc;
}

int
cmd_arf_stats(struct app *app, int argc, char **argv)
{
	gboolean json = FALSE;
	GOptionEntry entries[] = {
		{"json", 0, 0, G_OPTION_ARG_NONE, &json,
		    "One JSON object", NULL},
		G_OPTION_ENTRY_NULL,
	};
	struct rw_db *db = NULL;
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "arf stats [--json]",
	    "Totals of complaint ingestion in the database: messages read, "
	    "complaints by feedback type and provider, duplicates, not a "
	    "report, quarantined, reports without a sending IP, complaints "
	    "whose "
	    "sending IP is inside the receiving provider's own networks "
	    "(inside_provider: a wrongly derived IP; must be 0).", entries);

	if (rc != 0 || help)
		return rc;
	rc = app_db(&db, app);
	if (rc == 0)
		rc = cmd_arf_stats_print(db, stdout, json);
	return rc;
}

/*
 * cmd_arf - the arf command: parse (no database), ingest, stats, reparse.
 */
#include <stdio.h>
#include <string.h>

#include "app/app_cmds.h"
#include "arf/arf_ingest.h"
#include "arf/arf_json.h"
#include "arf/arf_parse.h"
#include "arf/arf_reparse.h"
#include "arf/arf_source.h"
#include "arf/arf_stats.h"
#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_rows.h"
#include "common/rw_util.h"

static const char arf_usage[] = "arf parse|ingest|stats|reparse ...";

static void
print_text(const struct arf_record *r)
{
	const char *reason = arf_record_get(r, ARF_K_REASON);
	const char *ip = arf_record_get(r, ARF_K_SOURCE_IP);
	const char *ft = arf_record_get(r, ARF_K_FEEDBACK_TYPE);
	const char *prov = arf_record_get(r, ARF_K_PROVIDER);

	printf("%s: %s", arf_record_get(r, ARF_K_INPUT),
	    arf_format_name(arf_record_format(r)));
	if (arf_record_is_report(r))
		printf(" %s from %s, ip %s (%s), domain %s", ft,
		    prov != NULL ? prov : "unknown provider",
		    ip != NULL ? ip : "unknown",
		    ip != NULL ? arf_ip_origin_name(arf_record_ip_origin(r)) :
		    "none",
		    arf_record_get(r, ARF_K_SENDING_DOMAIN) != NULL ?
		    arf_record_get(r, ARF_K_SENDING_DOMAIN) : "unknown");
	if (reason != NULL)
		printf(" (%s)", reason);
	printf("\n");
}

struct parse_out {
	bool json;
};

static int
parse_one(void *ctx, const struct arf_msg *m, struct arf_record *r)
{
	struct parse_out *po = ctx;

	(void)m;
	if (po->json) {
		char *line = arf_json_line(r);

		printf("%s\n", line);
		g_free(line);
	} else {
		print_text(r);
	}
	return 0;
}

static int
arf_parse_cmd(struct app *app, int argc, char **argv)
{
	gboolean json = FALSE;
	GOptionEntry entries[] = {
		{"json", 0, 0, G_OPTION_ARG_NONE, &json,
		    "One JSON object per message and line", NULL},
		G_OPTION_ENTRY_NULL,
	};
	struct parse_out po;
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "arf parse [--json] FILE...|-",
	    "Parse complaint reports (files, Maildir or mbox, - for standard "
	    "input) and print one record per message. No database needed.",
	    entries);

	if (rc != 0 || help)
		return rc;
	if (argc < 2)
		return app_usage(NULL, "arf parse [--json] FILE...|-");
	po.json = json;
	return arf_parse_sources(app->cfg, (const char *const *)argv + 1,
	    parse_one, &po);
}

/* ---- ingest ------------------------------------------------------------ */

/* on a terminal, one line of progress rewritten after each batch */
static void
ingest_progress(void *ctx, const char *name, const struct arf_counts *c,
    bool done)
{
	(void)ctx;
	if (!rw_log_interactive())
		return;
	if (!done)
		fprintf(stderr, "\r%s: %lld messages read, %lld complaints "
		    "stored", name, c->messages, c->complaints);
	else if (c->messages >= 1000)
		fprintf(stderr, "\n");
}

static void
print_totals(const char *name, const struct arf_ingest_totals *t)
{
	const struct arf_counts *c = &t->counts;

	printf("%s: %lld messages, %lld complaints stored (%lld reports), "
	    "%lld duplicates, %lld not a report, %lld quarantined, "
	    "%lld without sending IP\n", name, c->messages, c->complaints,
	    c->reports, c->duplicates, c->not_a_report, c->quarantined,
	    c->without_ip);
	if (t->has_breakdown)
		printf("%s: by feedback type: %s; by provider: %s\n", name,
		    t->types != NULL ? t->types : "none",
		    t->providers != NULL ? t->providers : "none");
}

int
app_arf_ingest(struct arf_ingest_totals *out, struct app *app,
    const char *source, bool show)
{
	struct arf_ingest_spec spec;
	struct rw_db *db = NULL;
	int rc = arf_ingest_spec_init(&spec, app->cfg, source);

	memset(out, 0, sizeof(*out));
	spec.progress = show ? ingest_progress : NULL;
	if (rc == 0)
		rc = app_db(&db, app);
	if (rc == 0)
		rc = arf_ingest_run(out, db, app->cfg, &spec);
	if (rc == 0 && show)
		print_totals(spec.name, out);
	arf_ingest_spec_clear(&spec);
	return rc;
}

/* every source is tried; the exit status is the worst outcome */
static int
ingest_args(struct app *app, char **args, int n)
{
	int worst = 0;

	for (int i = 0; i < n; i++) {
		struct arf_ingest_totals t;
		int rc = app_arf_ingest(&t, app, args[i], true);

		if (rc != 0) {
			rw_error_print();
			worst = rw_status_worse(worst, rc);
		}
		arf_ingest_totals_clear(&t);
	}
	return worst;
}

static int
arf_ingest_cmd(struct app *app, int argc, char **argv)
{
	char **names = NULL;
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "arf ingest [SOURCE...]",
	    "Load complaint reports into the database. SOURCE is a Maildir, "
	    "an mbox file, an .eml file or folder, - (one message on standard "
	    "input, for MTA delivery), an imap:// or imaps:// URL, or the NAME "
	    "of a [mailbox.NAME] section; without SOURCE, every configured "
	    "mailbox.", NULL);

	if (rc != 0 || help)
		return rc;
	if (argc >= 2)
		return ingest_args(app, argv + 1, argc - 1);
	names = rw_config_instances(app->cfg, "mailbox");
	if (names == NULL || names[0] == NULL) {
		g_strfreev(names);
		return rw_error_set(RW_EUSAGE, "no source given and no "
		    "[mailbox.NAME] section configured");
	}
	rc = ingest_args(app, names, (int)g_strv_length(names));
	g_strfreev(names);
	return rc;
}

/* ---- stats ------------------------------------------------------------- */

/* text: "messages       12", "feedback type  abuse        10" */
static const struct rw_col stats_cols[] = {
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
stats_text(FILE *out, const struct arf_stats *s)
{
	struct rw_rows *w = rw_rows_new(out, RW_ROWS_TEXT, stats_cols,
	    G_N_ELEMENTS(stats_cols), RW_ROWS_NO_HEADER);

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
stats_json(FILE *out, const struct arf_stats *s)
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

static int
arf_stats_print(struct rw_db *db, FILE *out, bool json)
{
	struct arf_stats s;
	int rc = arf_stats_get(&s, db);

	if (rc == 0 && json)
		stats_json(out, &s);
	else if (rc == 0)
		stats_text(out, &s);
	arf_stats_clear(&s);
	return rc;
}

static int
arf_stats_cmd(struct app *app, int argc, char **argv)
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
		rc = arf_stats_print(db, stdout, json);
	return rc;
}

/* ---- reparse ----------------------------------------------------------- */

/* from -> to pairs printed; the rest are summed on one line */
#define MAX_PAIRS 30

static void
print_moves(const struct arf_reparse_result *r, bool dry_run)
{
	long long reports = 0, complaints = 0, rest = 0, rest_pairs = 0;
	guint n = r->moves->len;

	for (guint i = 0; i < n; i++) {
		const struct arf_reparse_move *m = &g_array_index(r->moves,
		    struct arf_reparse_move, i);

		reports += m->reports;
		complaints += m->complaints;
	}
	printf("%s %lld stored reports: %lld %s to another IP (%lld "
	    "complaints, %lld days of facts)\n", dry_run ? "would reparse" :
	    "reparsed", r->read - r->unreadable, reports, dry_run ?
	    "would move" : "moved", complaints, r->days);
	for (guint i = 0; i < n; i++) {
		const struct arf_reparse_move *m = &g_array_index(r->moves,
		    struct arf_reparse_move, i);

		if (i >= MAX_PAIRS) {
			rest += m->reports;
			rest_pairs++;
			continue;
		}
		printf("  %8lld  %s -> %s\n", m->reports, m->from, m->to);
	}
	if (rest_pairs > 0)
		printf("  %8lld  in %lld more from -> to pairs\n", rest,
		    rest_pairs);
	if (r->unreadable > 0)
		printf("%lld stored reports no longer read as reports; left "
		    "unchanged\n", r->unreadable);
	if (r->skipped > 0)
		printf("%lld reports without stored headers ([arf] keep = none)"
		    "; left unchanged\n", r->skipped);
}

static int
arf_reparse_cmd(struct app *app, int argc, char **argv)
{
	char *since = NULL;
	gboolean dry_run = FALSE;
	GOptionEntry entries[] = {
		{"since", 0, 0, G_OPTION_ARG_STRING, &since,
		    "Only reports that arrived on or after this day",
		    "YYYY-MM-DD"},
		{"dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
		    "Show what would move; change nothing", NULL},
		G_OPTION_ENTRY_NULL,
	};
	struct arf_reparse_result res = {0};
	struct rw_db *db = NULL;
	GDate d;
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, "arf reparse [--since YYYY-MM-DD] "
	    "[--dry-run]",
	    "Derive the sending IP of stored reports again from their stored "
	    "headers ([arf] keep = headers or full) with this version's "
	    "parser and provider tables, update the reports and the "
	    "analyzer's daily facts of the days whose complaints moved, and "
	    "print how many moved from which IP to which.", entries);

	if (rc != 0 || help) {
		g_free(since);
		return rc;
	}
	if (argc > 1 || (since != NULL && rw_parse_date(&d, since) != 0)) {
		g_free(since);
		return app_usage(NULL, "arf reparse [--since YYYY-MM-DD] "
		    "[--dry-run]");
	}
	rc = app_db(&db, app);
	if (rc == 0)
		rc = arf_reparse_run(&res, db, app->cfg, since, dry_run);
	if (rc == 0)
		print_moves(&res, dry_run);
	arf_reparse_result_clear(&res);
	g_free(since);
	return rc;
}

int
cmd_arf(struct app *app, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct app *, int, char **);
	} subs[] = {
		{"parse", arf_parse_cmd},
		{"ingest", arf_ingest_cmd},
		{"stats", arf_stats_cmd},
		{"reparse", arf_reparse_cmd},
	};

	if (argc >= 2) {
		for (size_t i = 0; i < G_N_ELEMENTS(subs); i++)
			if (strcmp(argv[1], subs[i].name) == 0)
				return subs[i].fn(app, argc - 1, argv + 1);
	}
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("usage: repwatch %s\n\n"
		    "  parse [--json] FILE...|-   parse reports, print records\n"
		    "  ingest SOURCE...           load mailboxes into the "
		    "database\n"
		    "  stats [--json]             totals in the database\n"
		    "  reparse [--since D] [--dry-run]\n"
		    "                             derive stored reports' sending "
		    "IPs again\n",
		    arf_usage);
		return 0;
	}
	return app_usage(NULL, arf_usage);
}

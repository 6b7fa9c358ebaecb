/*
 * app - per-run state shared by the subcommands.
 */
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "common/rw_cluster.h"
#include "common/rw_error.h"
#include "common/rw_log.h"

int
app_conninfo(char **out, bool *out_embedded, struct app *app)
{
	const char *ci = app->db_override;

	*out_embedded = false;
	if (ci == NULL)
		ci = rw_config_get(app->cfg, "database", "conninfo");
	if (ci == NULL && (g_getenv("PGHOST") != NULL ||
	    g_getenv("PGDATABASE") != NULL))
		ci = ""; /* libpq reads PG* itself */
	if (ci != NULL) {
		*out = g_strdup(ci);
		return 0;
	}
	if (app->cluster == NULL) {
		char *state = rw_config_state_dir(app->cfg);
		int rc = rw_cluster_new(&app->cluster, app->cfg, state);

		g_free(state);
		if (rc != 0)
			return rc;
	}
	*out_embedded = true;
	*out = g_strdup(rw_cluster_conninfo(app->cluster));
	return 0;
}

int
app_db_raw(struct rw_db **out, struct app *app)
{
	char *ci = NULL;
	bool embedded;
	int rc;

	if (app->db != NULL) {
		*out = app->db;
		return 0;
	}
	rc = app_conninfo(&ci, &embedded, app);
	if (rc == 0 && embedded)
		rc = rw_cluster_acquire(app->cluster);
	if (rc == 0)
		rc = rw_db_connect(&app->db, ci);
	g_free(ci);
	*out = app->db;
	return rc;
}

int
app_db(struct rw_db **out, struct app *app)
{
	int applied = 0;
	int rc = app_db_raw(out, app);

	if (rc == 0)
		rc = rw_db_migrate(*out, &applied);
	if (rc == 0 && applied > 0)
		rw_log_debug("applied %d migration(s)", applied);
	if (rc != 0)
		*out = NULL;
	return rc;
}

void
app_finish(struct app *app)
{
	rw_db_free(app->db);
	app->db = NULL;
	if (app->cluster != NULL) {
		if (!app->keep_cluster &&
		    !rw_config_bool(app->cfg, "database", "keep_running") &&
		    rw_cluster_release(app->cluster) != 0)
			rw_error_print();
		rw_cluster_free(app->cluster);
		app->cluster = NULL;
	}
	rw_config_free(app->cfg);
	app->cfg = NULL;
}

static void
print_cmd_usage(GOptionContext *ctx, const char *usage)
{
	(void)ctx;
	fprintf(stderr, "usage: repwatch %s\n", usage);
	fprintf(stderr, "Try \"repwatch %.*s --help\" for more information.\n",
	    (int)strcspn(usage, " ["), usage);
}

int
app_usage(const char *msg, const char *usage)
{
	if (msg != NULL)
		fprintf(stderr, "repwatch: %s\n", msg);
	fprintf(stderr, "usage: repwatch %s\n", usage);
	return RW_EUSAGE;
}

int
app_no_more_args(int argc, char **argv, int want)
{
	if (argc > want)
		return rw_error_set(RW_EUSAGE, "unexpected argument \"%s\"",
		    argv[want]);
	return 0;
}

int
app_parse_options(bool *out_help, int *argc, char ***argv, const char *usage,
    const char *summary, const GOptionEntry *entries)
{
	gboolean help = FALSE;
	GOptionEntry help_entry[] = {
		{"help", 'h', 0, G_OPTION_ARG_NONE, &help, "Show this help", NULL},
		G_OPTION_ENTRY_NULL,
	};
	GOptionContext *ctx = g_option_context_new(NULL);
	GError *err = NULL;
	int rc = 0;

	*out_help = false;
	g_option_context_set_help_enabled(ctx, FALSE);
	g_option_context_add_main_entries(ctx, help_entry, NULL);
	if (entries != NULL)
		g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		fprintf(stderr, "repwatch: %s\n", err->message);
		print_cmd_usage(ctx, usage);
		g_error_free(err);
		rc = RW_EUSAGE;
	} else if (help) {
		char *text = g_option_context_get_help(ctx, TRUE, NULL);

		printf("usage: repwatch %s\n\n%s\n", usage, summary);
		/* GOption's own "Usage:" paragraph names the bare program */
		const char *rest = strstr(text, "\n\n");

		printf("\n%s", rest ? rest + 2 : text);
		g_free(text);
		*out_help = true;
	}
	g_option_context_free(ctx);
	return rc;
}

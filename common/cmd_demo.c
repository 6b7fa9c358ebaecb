/*
 * cmd_demo - the whole pipeline on the bundled sample data, in a private
 * embedded cluster of its own (STATE/demo) so it never mixes with real data.
 */
#include <stdio.h>
#include <string.h>

#include "common/rw_cmds.h"
#include "common/rw_error.h"
#include "common/rw_log.h"

static int
demo_reset(struct rw_db *db)
{
	int rc = rw_db_exec(db, "DROP SCHEMA IF EXISTS repwatch CASCADE");

	if (rc == 0)
		rc = rw_db_migrate(db, NULL);
	return rc;
}

int
cmd_demo(struct rw_app *app, int argc, char **argv)
{
	char *data_dir = NULL;
	GOptionEntry entries[] = {
		{"data", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
		    "Sample data directory (default: data/sample)", "DIR"},
		G_OPTION_ENTRY_NULL,
	};
	struct rw_db *db;
	int rc = rw_cmd_parse(&argc, &argv, "demo [--data DIR]",
	    "Load the bundled sample SNDS data and complaint mailbox into a "
	    "private database, analyze it and summarize.", entries);

	if (rc != 0)
		return rc == 1 ? 0 : rw_exit_code(rc);
	if (!app->db_override && !rw_config_is_set(app->cfg, "paths", "state_dir")) {
		char *state = rw_config_state_dir(app->cfg);
		char *demo = g_build_filename(state, "demo", NULL);

		rw_config_set(app->cfg, "paths", "state_dir", demo);
		g_free(state);
		g_free(demo);
	}
	rc = rw_app_db_raw(&db, app);
	if (rc == 0)
		rc = demo_reset(db);
	if (rc != 0)
		goto cleanup;
	printf("repwatch demo: database %s\n", rw_db_where(db));
cleanup:
	g_free(data_dir);
	return rc ? rw_cmd_fail(rc) : 0;
}

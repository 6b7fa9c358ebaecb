/*
 * cmd_db - "repwatch db migrate|status|url|start|stop".
 */
#include <stdio.h>
#include <string.h>

#include "common/rw_cluster.h"
#include "app/app_cmds.h"
#include "common/rw_error.h"
#include "common/rw_log.h"

static const char db_usage[] = "db migrate|status|url|start|stop";

static int
db_migrate(struct app *app)
{
	struct rw_db *db;
	int applied = 0;
	int rc = app_db_raw(&db, app);

	if (rc == 0)
		rc = rw_db_migrate(db, &applied);
	if (rc != 0)
		return rc;
	if (applied == 0)
		printf("database is up to date (%s)\n", rw_db_where(db));
	else
		printf("applied %d migration(s) to %s\n", applied, rw_db_where(db));
	return 0;
}

static int
db_status(struct app *app)
{
	struct rw_db *db;
	g_autoptr(GString) text = g_string_new(NULL);
	int pending = 0;
	int rc = app_db_raw(&db, app);

	if (rc == 0)
		rc = rw_db_render_status(text, db);
	if (rc == 0)
		rc = rw_db_pending(&pending, db);
	if (rc != 0)
		return rc;
	fputs(text->str, stdout);
	if (app->cluster != NULL)
		printf("embedded cluster: %s\n",
		    rw_cluster_datadir(app->cluster));
	printf("%d pending migration(s)%s\n", pending,
	    pending ? "; run \"repwatch db migrate\"" : "");
	return 0;
}

static int
db_url(struct app *app)
{
	char *ci = NULL;
	bool embedded;
	int rc = app_conninfo(&ci, &embedded, app);

	if (rc != 0)
		return rc;
	if (!embedded) {
		char *masked = g_strdup(*ci ? "(configured conninfo; not shown, it "
		    "may hold a password)" : "(libpq PG* environment)");

		printf("%s\n", masked);
		g_free(masked);
	} else {
		printf("%s\n", ci);
	}
	g_free(ci);
	return 0;
}

/* db_start - start the embedded cluster and keep it up for dashboards */
static int
db_start(struct app *app)
{
	struct rw_db *db;
	int rc = 0;

	if (app->db_override || rw_config_get(app->cfg, "database", "conninfo")) {
		rw_error_set(RW_EUSAGE, "no embedded cluster in use");
		rw_error_detail("A database is configured with --db or [database] "
		    "conninfo.");
		return RW_EUSAGE;
	}
	rc = app_db(&db, app);
	if (rc == 0)
		rc = rw_cluster_keep(app->cluster, true);
	if (rc != 0)
		return rc;
	app->keep_cluster = true;
	printf("embedded cluster running: %s\n", rw_cluster_conninfo(app->cluster));
	return 0;
}

static int
db_stop(struct app *app)
{
	char *ci = NULL;
	bool embedded;
	int rc = app_conninfo(&ci, &embedded, app);

	g_free(ci);
	if (rc == 0 && !embedded)
		rc = rw_error_set(RW_EUSAGE, "no embedded cluster in use");
	if (rc == 0)
		rc = rw_cluster_keep(app->cluster, false);
	if (rc == 0)
		rc = rw_cluster_stop(app->cluster);
	if (rc != 0)
		return rc;
	printf("embedded cluster stopped\n");
	return 0;
}

int
cmd_db(struct app *app, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct app *);
	} actions[] = {
		{"migrate", db_migrate}, {"status", db_status}, {"url", db_url},
		{"start", db_start}, {"stop", db_stop},
	};
	bool help;
	int rc = app_parse_options(&help, &argc, &argv, db_usage,
	    "migrate: apply pending migrations. status: applied and pending "
	    "migrations and where the database is. url: a conninfo for psql or "
	    "a dashboard. start/stop: keep the embedded cluster running, or stop "
	    "it.", NULL);

	if (rc != 0 || help)
		return rc;
	for (size_t i = 0; argc == 2 && i < G_N_ELEMENTS(actions); i++)
		if (strcmp(argv[1], actions[i].name) == 0)
			return actions[i].fn(app);
	return app_usage(NULL, db_usage);
}

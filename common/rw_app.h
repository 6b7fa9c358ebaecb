/*
 * rw_app - what every subcommand gets: the configuration, the global
 * options and, on demand, a migrated database connection (starting the
 * embedded cluster when no database is configured).
 */
#ifndef RW_APP_H
#define RW_APP_H

#include <stdbool.h>
#include "common/rw_config.h"
#include "common/rw_db.h"

struct rw_cluster;

struct rw_app {
	struct rw_config *cfg;
	const char *config_path; /* --config */
	const char *db_override; /* --db */
	int verbosity;           /* -v count minus -q count */
	const char *log_target;  /* --log stderr|syslog */
	struct rw_cluster *cluster;
	struct rw_db *db;
	bool keep_cluster;       /* leave the embedded cluster running */
};

/*
 * rw_app_db - the connection, opened once per run; migrates first so every
 * command sees the current schema. Errors are recorded (RW_ETEMP when the
 * server cannot be reached).
 */
int rw_app_db(struct rw_db **out, struct rw_app *app);
/* rw_app_db_raw - connect without migrating (db status) */
int rw_app_db_raw(struct rw_db **out, struct rw_app *app);
/* rw_app_conninfo - which conninfo we will use; *out_embedded when ours */
int rw_app_conninfo(char **out, bool *out_embedded, struct rw_app *app);
/* rw_app_finish - close the connection, stop a cluster we started */
void rw_app_finish(struct rw_app *app);

/*
 * A subcommand: returns an exit status (0, 64, 65, 69, 75, 78...).
 * argv[0] is the command name.
 */
typedef int (*rw_cmd_fn)(struct rw_app *app, int argc, char **argv);

struct rw_cmd {
	const char *name;
	rw_cmd_fn fn;
	const char *help;
};

extern const struct rw_cmd rw_commands[];

/*
 * rw_cmd_parse - parse a subcommand's options with GOptionContext. Prints
 * the error and usage on a bad option and returns RW_EUSAGE; returns 1 when
 * --help was printed (the command returns 0 then).
 */
int rw_cmd_parse(int *argc, char ***argv, const char *usage,
    const char *summary, const GOptionEntry *entries);

/*
 * rw_cmd_call - run another command's handler with a literal,
 * NULL-terminated ARGS (args[0] = command name); returns its exit status.
 */
int rw_cmd_call(struct rw_app *app, rw_cmd_fn fn, const char *const *args);

/* rw_cmd_fail - print the recorded error once, return its exit status */
int rw_cmd_fail(int status);

#endif

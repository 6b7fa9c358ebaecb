/*
 * app - what every subcommand gets: the configuration, the global
 * options and, on demand, a migrated database connection (starting the
 * embedded cluster when no database is configured).
 */
#ifndef APP_H
#define APP_H

#include <stdbool.h>
#include "common/rw_config.h"
#include "common/rw_db.h"

struct rw_cluster;

struct app {
	struct rw_config *cfg;
	const char *config_path; /* --config */
	const char *db_override; /* --db */
	int verbosity;           /* -v count minus -q count */
	const char *log_target;  /* --log stderr|syslog */
	struct rw_cluster *cluster;
	struct rw_db *db;
	bool keep_cluster;       /* leave the embedded cluster running */
	bool alert_hit;          /* alerts --fail-on matched: exit status 1 */
};

/*
 * app_db - the connection, opened once per run; migrates first so every
 * command sees the current schema. Errors are recorded (RW_ETEMP when the
 * server cannot be reached).
 */
int app_db(struct rw_db **out, struct app *app);
/* app_db_raw - connect without migrating (db status) */
int app_db_raw(struct rw_db **out, struct app *app);
/* app_conninfo - which conninfo we will use; *out_embedded when ours */
int app_conninfo(char **out, bool *out_embedded, struct app *app);
/* app_finish - close the connection, stop a cluster we started */
void app_finish(struct app *app);

/*
 * A subcommand: returns 0 or a negative rw_status with the error recorded;
 * app_main prints the recorded error once and maps the status to the exit
 * code. argv[0] is the command name.
 */
typedef int (*app_cmd_fn)(struct app *app, int argc, char **argv);

struct app_cmd {
	const char *name;
	app_cmd_fn fn;
	const char *help;
};

extern const struct app_cmd app_commands[];

/*
 * app_parse_options - parse a subcommand's options with GOptionContext.
 * Prints the error and usage on a bad option and returns RW_EUSAGE (nothing
 * recorded: the message is out); sets *OUT_HELP when --help was printed,
 * and the command returns 0 at once.
 */
int app_parse_options(bool *out_help, int *argc, char ***argv,
    const char *usage, const char *summary, const GOptionEntry *entries);

/*
 * app_usage - print "usage: repwatch USAGE" (after MSG when not NULL) to
 * standard error; returns RW_EUSAGE with nothing recorded
 */
int app_usage(const char *msg, const char *usage);

/* app_no_more_args - RW_EUSAGE naming ARGV[WANT] when ARGC > WANT */
int app_no_more_args(int argc, char **argv, int want);

#endif

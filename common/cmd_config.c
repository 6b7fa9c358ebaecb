/*
 * cmd_config - "repwatch config show|check|keys".
 */
#include <stdio.h>
#include <string.h>

#include "common/rw_cmds.h"
#include "common/rw_error.h"

static const char *const type_names[] = {
	"string", "secret", "url", "integer", "number", "boolean", "date",
	"path", "choice", "time zone", "list",
};

static void
print_keys(void)
{
	for (const struct rw_config_key *k = rw_config_keys; k->section; k++)
		printf("[%s] %s (%s%s%s%s%s)\n    %s\n", k->section, k->key,
		    type_names[k->type], k->def ? ", default " : "",
		    k->def ? k->def : "", k->choices ? ", " : "",
		    k->choices ? k->choices : "", k->help);
}

int
cmd_config(struct rw_app *app, int argc, char **argv)
{
	gboolean all = FALSE;
	GOptionEntry entries[] = {
		{"all", 'a', 0, G_OPTION_ARG_NONE, &all,
		    "Also list keys that are unset", NULL},
		G_OPTION_ENTRY_NULL,
	};
	int rc = rw_cmd_parse(&argc, &argv, "config show|check|keys [--all]",
	    "Show the effective configuration with secrets masked (show), "
	    "validate it (check) or list every key (keys).", entries);

	if (rc != 0)
		return rc == 1 ? 0 : rw_exit_code(rc);
	if (argc != 2) {
		fprintf(stderr, "usage: repwatch config show|check|keys [--all]\n");
		return rw_exit_code(RW_EUSAGE);
	}
	if (strcmp(argv[1], "show") == 0) {
		rw_config_dump(app->cfg, stdout, all);
	} else if (strcmp(argv[1], "check") == 0) {
		printf("configuration ok: %s\n", rw_config_file(app->cfg) ?
		    rw_config_file(app->cfg) : "built-in defaults");
	} else if (strcmp(argv[1], "keys") == 0) {
		print_keys();
	} else {
		fprintf(stderr, "repwatch: config: unknown action \"%s\"\n"
		    "usage: repwatch config show|check|keys [--all]\n", argv[1]);
		return rw_exit_code(RW_EUSAGE);
	}
	return 0;
}

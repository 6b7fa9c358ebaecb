/*
 * cmd_arf - the arf command: parse (no database), ingest, stats.
 */
#include <stdio.h>
#include <string.h>

#include "common/rw_error.h"
#include "common/rw_log.h"
#include "app/app_cmds.h"
#include "arf/arf_ingest.h"
#include "arf/arf_json.h"
#include "arf/arf_parse.h"
#include "arf/arf_reparse.h"
#include "arf/arf_source.h"
#include "arf/arf_stats.h"

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

int
cmd_arf(struct app *app, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct app *, int, char **);
	} subs[] = {
		{"parse", arf_parse_cmd},
		{"ingest", arf_ingest_cmd},
		{"stats", cmd_arf_stats},
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

/*
 * snds_source - one SNDS source as configured ([snds.NAME]) and as
 * remembered in repwatch.snds_source (links set with "snds link set",
 * the day the links were first used, the token state).
 */
#ifndef SNDS_SOURCE_H
#define SNDS_SOURCE_H

#include <stdbool.h>
#include "common/rw_config.h"
#include "common/rw_db.h"

enum snds_kind {
	SNDS_KIND_LINK,
	SNDS_KIND_API,
};

struct snds_source {
	char *name;
	enum snds_kind kind;
	bool configured;        /* has a [snds.NAME] section */
	char *tz;
	char *data_url;         /* effective: database over configuration */
	char *status_url;
	char *issued;           /* YYYY-MM-DD or NULL when never used */
	const char *issued_origin; /* "link set", "config", "first use" */
	char *api_base;
	char *authorize_url;
	char *token_url;
	char *client_id;
	char *scope;
	char *ca_file;
	char *token_state;      /* from the database, NULL = unknown */
	long timeout;
	long retries;
	long retry_delay_ms;
	long lookback_days;
	long raw_retention_days;
	long long max_body;
};

/*
 * snds_source_get - source NAME from CFG, with the database's overrides
 * when DB is not NULL. Unknown names are RW_ECONFIG unless ALLOW_UNKNOWN
 * (manual loads), which gives the defaults.
 */
int snds_source_get(struct snds_source **out, const struct rw_config *cfg,
    struct rw_db *db, const char *name, bool allow_unknown);
void snds_source_free(struct snds_source *s);

/* snds_source_names - configured names, then database-only names */
int snds_source_names(char ***out, const struct rw_config *cfg,
    struct rw_db *db);

/*
 * snds_source_default - NAME when given, else the only configured source,
 * else FALLBACK (may be NULL: then RW_EUSAGE when none or several).
 */
int snds_source_default(char **out, const struct rw_config *cfg,
    const char *name, const char *fallback);

/* snds_source_register - make sure the database row exists */
int snds_source_register(struct rw_db *db, const struct snds_source *s);
/* snds_source_mark_used - remember the first day the links were used */
int snds_source_mark_used(struct rw_db *db, struct snds_source *s,
    const char *today);
/*
 * snds_source_set_links - store links (NULL keeps the stored one), sealed
 * with the key in KEYFILE (rw_seal), and their issue day
 */
int snds_source_set_links(struct rw_db *db, const char *keyfile,
    const char *name, const char *data_url, const char *status_url,
    const char *issued);
int snds_source_set_token_state(struct rw_db *db, const char *name,
    const char *state);

/* snds_url_allowed - https, or http to a loopback host; else RW_ECONFIG */
int snds_url_allowed(const char *what, const char *url);

#endif

/*
 * rw_config - the effective configuration: INI file (GKeyFile), then
 * REPWATCH_<SECTION>_<KEY> environment overrides (and _FILE variants),
 * then built-in defaults, all driven by one key table (rw_config_keys.c).
 *
 * Sections named "snds.NAME" or "mailbox.NAME" are instances of a section
 * pattern ("snds.*"): their keys come from the pattern's rows.
 */
#ifndef RW_CONFIG_H
#define RW_CONFIG_H

#include <stdbool.h>
#include <stdio.h>
#include <glib.h>

#include "common/rw_mask.h"

enum rw_config_type {
	RW_CT_STRING,
	RW_CT_SECRET,   /* string, masked in every output */
	RW_CT_URL,      /* string, query values and userinfo masked */
	RW_CT_INT,
	RW_CT_DOUBLE,
	RW_CT_BOOL,
	RW_CT_DATE,     /* YYYY-MM-DD */
	RW_CT_PATH,
	RW_CT_ENUM,     /* one of choices, "a|b|c" */
	RW_CT_TIMEZONE, /* IANA zone name */
	RW_CT_LIST,     /* comma-separated */
	RW_CT_SECRET_URL, /* URL whose path is the secret (webhooks): only
	                     scheme and host are ever shown */
};

struct rw_config_key {
	const char *section; /* "database", or a pattern "snds.*" */
	const char *key;
	enum rw_config_type type;
	const char *def;     /* default as text, NULL = unset */
	const char *choices; /* ENUM choices; INT/DOUBLE "min..max" */
	const char *help;
};

/* the table, terminated by a row with section == NULL */
extern const struct rw_config_key rw_config_keys[];

struct rw_config;

/*
 * rw_config_load - read PATH (or $REPWATCH_CONFIG, or the system file when
 * it exists, or nothing) and validate. Errors name file:line and key and
 * return RW_ECONFIG.
 */
int rw_config_load(struct rw_config **out, const char *path);
/* rw_config_load_data - DATA as if read from file NAME; NULL, NULL:
 * defaults and environment only (tests, demo) */
int rw_config_load_data(struct rw_config **out, const char *name,
    const char *data);
void rw_config_free(struct rw_config *cfg);

/* file the configuration came from, or NULL for built-in defaults */
const char *rw_config_file(const struct rw_config *cfg);

/*
 * rw_config_warnings - what was accepted but deserves a look (a repeated
 * key or section, with file:line), NULL-terminated; also logged as
 * warnings when found.
 */
const char *const *rw_config_warnings(const struct rw_config *cfg);

/* effective value as text (file, env or default); NULL when unset */
const char *rw_config_get(const struct rw_config *cfg, const char *section,
    const char *key);
bool rw_config_is_set(const struct rw_config *cfg, const char *section,
    const char *key);
long long rw_config_int(const struct rw_config *cfg, const char *section,
    const char *key);
double rw_config_double(const struct rw_config *cfg, const char *section,
    const char *key);
bool rw_config_bool(const struct rw_config *cfg, const char *section,
    const char *key);
/* list values, NULL-terminated, caller frees with g_strfreev */
char **rw_config_list(const struct rw_config *cfg, const char *section,
    const char *key);
/* instance names of a pattern: prefix "snds" -> {"main", "backup", NULL} */
char **rw_config_instances(const struct rw_config *cfg, const char *prefix);
/* set a value programmatically (command-line overrides, tests) */
int rw_config_set(struct rw_config *cfg, const char *section, const char *key,
    const char *value);

/*
 * rw_config_render - "config show": every key, its effective value (secrets
 * masked) and origin, appended to OUT
 */
void rw_config_render(GString *out, const struct rw_config *cfg,
    bool defaults);

/* rw_config_state_dir - [paths] state_dir or the per-user default */
char *rw_config_state_dir(const struct rw_config *cfg);

#endif

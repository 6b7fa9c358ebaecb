/*
 * rw_config_int - what the parts of rw_config share: the configuration's
 * own struct and the steps rw_config.c runs from rw_config_env.c (the
 * environment overrides) and rw_config_check.c (value validation).
 */
#ifndef RW_CONFIG_INT_H
#define RW_CONFIG_INT_H

#include <stdbool.h>
#include <glib.h>

#include "common/rw_config.h"

enum origin { ORIGIN_FILE, ORIGIN_ENV, ORIGIN_SET };

struct value {
	char *text;
	enum origin origin;
	char *where; /* "repwatch.conf:12" or "REPWATCH_X" */
};

struct rw_config {
	char *path;        /* NULL: no file */
	char *name;        /* file's base name for messages */
	char *text;        /* file contents, for line lookups */
	bool on_disk;      /* path is a real file (permission check) */
	GHashTable *values; /* "section\nkey" -> struct value */
	GPtrArray *sections; /* every section seen, in order */
	GPtrArray *warnings; /* NULL-terminated, logged when found */
};

/*
 * rw_config_store - validate TEXT for [SECTION] KEY and remember it;
 * WHERE ("repwatch.conf:12", "environment variable X") is consumed
 */
int rw_config_store(struct rw_config *cfg, const char *section,
    const char *key, const char *text, enum origin origin, char *where);

/* rw_config_load_env - every REPWATCH_<SECTION>_<KEY>(_FILE) of ours */
int rw_config_load_env(struct rw_config *cfg);

/* rw_config_validate - NULL when TEXT suits K, else what is wrong */
const char *rw_config_validate(const struct rw_config_key *k,
    const char *text);

/*
 * rw_config_section_problem - what is wrong with SECTION as a whole (a
 * postfix [mta.NAME] without source_ip or ip_by_service), or NULL; the
 * caller warns of it and g_frees it
 */
char *rw_config_section_problem(const struct rw_config *cfg,
    const char *section);

#endif

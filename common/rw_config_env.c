/*
 * rw_config_env - REPWATCH_<SECTION>_<KEY> environment overrides, and
 * their _FILE variants (the value read from a file, for secrets).
 */
#include <string.h>

#include "common/rw_config_int.h"
#include "common/rw_error.h"
#include "common/rw_util.h"

extern char **environ;

/* upper_name - upper case, dots and dashes as underscores */
static char *
upper_name(const char *s)
{
	char *u = g_ascii_strup(s, -1);

	for (char *p = u; *p; p++)
		if (*p == '.' || *p == '-')
			*p = '_';
	return u;
}

/* env_name - REPWATCH_<SECTION>_<KEY> */
static char *
env_name(const char *section, const char *key)
{
	char *s = g_strdup_printf("REPWATCH_%s_%s", section, key);
	char *u = upper_name(s);

	g_free(s);
	return u;
}

/* env_value - the value of VAR, or of the file named by VAR_FILE */
static int
env_value(char **out, const char *var, const char *raw, bool is_file)
{
	char *data = NULL;
	int rc;

	if (!is_file) {
		*out = g_strdup(raw);
		return 0;
	}
	rc = rw_read_file(&data, NULL, raw, 64 * 1024);
	if (rc != 0) {
		rw_error_prefix("environment variable %s_FILE", var);
		return rw_error_recode(RW_ECONFIG);
	}
	g_strchomp(data);
	*out = data;
	return 0;
}

/* match_pattern - REPWATCH_SNDS_<NAME>_<KEY> for pattern row K */
static bool
match_pattern(const struct rw_config_key *k, const char *name,
    char **out_section)
{
	size_t sl = strlen(k->section);
	char *base = g_strndup(k->section, sl - 2);
	char *prefix = env_name(base, "");
	char *ukey = upper_name(k->key);
	char *suffix = g_strconcat("_", ukey, NULL);
	size_t nl = strlen(name), pl = strlen(prefix), xl = strlen(suffix);
	bool hit = nl > pl + xl && g_str_has_prefix(name, prefix) &&
	    g_str_has_suffix(name, suffix);

	if (hit) {
		char *inst = g_ascii_strdown(name + pl, (gssize)(nl - pl - xl));

		*out_section = g_strdup_printf("%s.%s", base, inst);
		g_free(inst);
	}
	g_free(base);
	g_free(prefix);
	g_free(ukey);
	g_free(suffix);
	return hit;
}

/* match_env - find (section, key) for an environment variable name */
static bool
match_env(const char *name, char **out_section, const char **out_key)
{
	for (const struct rw_config_key *k = rw_config_keys; k->section; k++) {
		size_t sl = strlen(k->section);
		bool hit;

		if (sl > 2 && strcmp(k->section + sl - 2, ".*") == 0) {
			hit = match_pattern(k, name, out_section);
		} else {
			char *want = env_name(k->section, k->key);

			hit = strcmp(want, name) == 0;
			g_free(want);
			if (hit)
				*out_section = g_strdup(k->section);
		}
		if (hit) {
			*out_key = k->key;
			return true;
		}
	}
	return false;
}

static bool
env_reserved(const char *name)
{
	static const char *const reserved[] = {
		"REPWATCH_CONFIG", "REPWATCH_BIN", "REPWATCH_SRC", NULL,
	};

	return g_strv_contains(reserved, name) ||
	    g_str_has_prefix(name, "REPWATCH_TEST");
}

static int
load_env_var(struct rw_config *cfg, const char *entry)
{
	const char *eq = strchr(entry, '=');
	char *name = g_strndup(entry, (gsize)(eq - entry));
	char *section = NULL, *val = NULL;
	const char *key;
	bool is_file = false;
	int rc = 0;

	if (g_str_has_suffix(name, "_FILE") && !match_env(name, &section, &key)) {
		name[strlen(name) - 5] = '\0';
		is_file = true;
	}
	g_free(section);
	section = NULL;
	if (!match_env(name, &section, &key))
		goto cleanup; /* not one of ours: ignore */
	rc = env_value(&val, name, eq + 1, is_file);
	if (rc == 0)
		rc = rw_config_store(cfg, section, key, val, ORIGIN_ENV,
		    g_strdup_printf("environment variable %s%s", name,
			is_file ? "_FILE" : ""));
cleanup:
	g_free(name);
	g_free(section);
	g_free(val);
	return rc;
}

int
rw_config_load_env(struct rw_config *cfg)
{
	for (char **e = environ; *e != NULL; e++) {
		int rc;

		if (!g_str_has_prefix(*e, "REPWATCH_") || strchr(*e, '=') == NULL)
			continue;
		char *name = g_strndup(*e, (gsize)(strchr(*e, '=') - *e));
		bool skip = env_reserved(name);
		g_free(name);
		if (skip)
			continue;
		rc = load_env_var(cfg, *e);
		if (rc != 0)
			return rc;
	}
	return 0;
}

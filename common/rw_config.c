/*
 * rw_config - effective configuration from file, environment and defaults.
 *
 * GKeyFile parses the INI syntax; this module only maps what it read onto
 * the key table, validates it and remembers where each value came from so
 * that errors can name file:line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/rw_config.h"
#include "common/rw_config_int.h"
#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_util.h"

#define RW_SYSTEM_CONFIG REPWATCH_SYSCONFDIR "/repwatch/repwatch.conf"
#define RW_CONFIG_MAX_BYTES (1024 * 1024)

static void
value_free(void *p)
{
	struct value *v = p;

	g_free(v->text);
	g_free(v->where);
	g_free(v);
}

static char *
vkey(const char *section, const char *key)
{
	return g_strconcat(section, "\n", key, NULL);
}

/* section_matches - SECTION is PATTERN, or an instance of "name.*" */
static bool
section_matches(const char *pattern, const char *section)
{
	size_t n = strlen(pattern);

	if (n < 2 || strcmp(pattern + n - 2, ".*") != 0)
		return strcmp(pattern, section) == 0;
	return strncmp(pattern, section, n - 1) == 0 && section[n - 1] != '\0';
}

static const struct rw_config_key *
find_key(const char *section, const char *key)
{
	for (const struct rw_config_key *k = rw_config_keys; k->section; k++)
		if (strcmp(k->key, key) == 0 && section_matches(k->section, section))
			return k;
	return NULL;
}

static bool
section_known(const char *section)
{
	for (const struct rw_config_key *k = rw_config_keys; k->section; k++)
		if (section_matches(k->section, section))
			return true;
	return false;
}

/*
 * line_of - line number of KEY in [SECTION] of the file text (its last
 * setting, the one GKeyFile keeps), or of the first [SECTION] line when KEY
 * is NULL; 0 if none
 */
static int
line_of(const struct rw_config *cfg, const char *section, const char *key)
{
	char **lines;
	bool in = (key == NULL);
	int found = 0;

	if (cfg->text == NULL)
		return 0;
	lines = g_strsplit(cfg->text, "\n", -1);
	for (int i = 0; lines[i] != NULL; i++) {
		char *l = g_strstrip(lines[i]);
		size_t kl;

		if (l[0] == '[') {
			char *end = strchr(l, ']');

			in = end != NULL && (size_t)(end - l - 1) == strlen(section) &&
			    strncmp(l + 1, section, strlen(section)) == 0;
			if (in && key == NULL && found == 0)
				found = i + 1;
			continue;
		}
		if (!in || key == NULL)
			continue;
		kl = strlen(key);
		if (strncmp(l, key, kl) == 0 &&
		    (l[kl] == '=' || l[kl] == ' ' || l[kl] == '\t'))
			found = i + 1;
	}
	g_strfreev(lines);
	return found;
}

static char *
file_where(const struct rw_config *cfg, const char *section, const char *key)
{
	int line = line_of(cfg, section, key);

	if (line > 0)
		return g_strdup_printf("%s:%d", cfg->name, line);
	return g_strdup(cfg->name);
}

/*
 * instance_check - the NAME of a [snds.NAME] or [mailbox.NAME] section
 * becomes a directory and file name (raw/NAME/, tokens/NAME.json), so it
 * must be a plain name: "../../x" would write and prune elsewhere.
 */
static int
instance_check(const char *section, const char *where)
{
	for (const struct rw_config_key *k = rw_config_keys; k->section; k++) {
		size_t n = strlen(k->section);

		if (n < 2 || strcmp(k->section + n - 2, ".*") != 0 ||
		    !section_matches(k->section, section))
			continue;
		if (rw_name_check(g_str_has_prefix(section, "snds.") ?
		    "SNDS source" : g_str_has_prefix(section, "mta.") ?
		    "MTA log source" : "mailbox", section + n - 1,
		    RW_ECONFIG) == 0)
			return 0;
		rw_error_prefix("%s", where);
		return RW_ECONFIG;
	}
	return 0;
}

int
rw_config_store(struct rw_config *cfg, const char *section, const char *key,
    const char *text, enum origin origin, char *where)
{
	const struct rw_config_key *k = find_key(section, key);
	const char *problem;
	struct value *v;

	if (k == NULL) {
		rw_error_set(RW_ECONFIG, "%s: [%s] %s: unknown key", where,
		    section, key);
		g_free(where);
		return RW_ECONFIG;
	}
	if (instance_check(section, where) != 0) {
		g_free(where);
		return RW_ECONFIG;
	}
	problem = rw_config_validate(k, text);
	if (problem != NULL) {
		rw_error_set(RW_ECONFIG, "%s: [%s] %s: %s", where, section, key,
		    problem);
		if (k->type == RW_CT_ENUM)
			rw_error_hint("Allowed values: %s.", k->choices);
		else if (k->choices != NULL && k->type != RW_CT_LIST)
			rw_error_hint("Allowed range: %s.", k->choices);
		g_free(where);
		return RW_ECONFIG;
	}
	v = g_new0(struct value, 1);
	v->text = g_strdup(text);
	v->origin = origin;
	v->where = where;
	g_hash_table_replace(cfg->values, vkey(section, key), v);
	if (!g_ptr_array_find_with_equal_func(cfg->sections, section,
		g_str_equal, NULL))
		g_ptr_array_add(cfg->sections, g_strdup(section));
	return 0;
}

static int
load_group(struct rw_config *cfg, GKeyFile *kf, const char *group)
{
	gchar **keys = g_key_file_get_keys(kf, group, NULL, NULL);
	int rc = 0;

	if (!section_known(group)) {
		char *where = file_where(cfg, group, NULL);

		rc = rw_error_set(RW_ECONFIG, "%s: unknown section [%s]", where,
		    group);
		g_free(where);
		goto cleanup;
	} else {
		char *where = file_where(cfg, group, NULL);

		rc = instance_check(group, where);
		g_free(where);
		if (rc != 0)
			goto cleanup;
	}
	for (int i = 0; keys != NULL && keys[i] != NULL && rc == 0; i++) {
		gchar *val = g_key_file_get_value(kf, group, keys[i], NULL);

		rc = rw_config_store(cfg, group, keys[i], val ? val : "",
		    ORIGIN_FILE, file_where(cfg, group, keys[i]));
		g_free(val);
	}
cleanup:
	g_strfreev(keys);
	return rc;
}

static void
warn(struct rw_config *cfg, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* warn - remember a warning (rw_config_warnings) and log it */
static void
warn(struct rw_config *cfg, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	rw_log_warning("%s", msg);
	/* keep the NULL terminator last */
	g_ptr_array_index(cfg->warnings, cfg->warnings->len - 1) = msg;
	g_ptr_array_add(cfg->warnings, NULL);
}

/* the name of a "[section]" line, or NULL */
static char *
header_name(const char *l)
{
	const char *end = strchr(l, ']');

	return l[0] == '[' && end != NULL ? g_strndup(l + 1,
	    (gsize)(end - l - 1)) : NULL;
}

/*
 * find_duplicates - GKeyFile merges a repeated section and keeps the last
 * of a repeated key without a word, so an edit lower in the file silently
 * undoes one above it (or the reverse). Say where, and which one wins.
 */
static void
find_duplicates(struct rw_config *cfg)
{
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, NULL);
	char **lines = g_strsplit(cfg->text, "\n", -1);
	char *section = g_strdup("");

	for (int i = 0; lines[i] != NULL; i++) {
		char *l = g_strstrip(lines[i]);
		char *name = header_name(l), *eq, *id;
		gpointer first;

		if (name != NULL) {
			g_free(section);
			section = name;
			id = g_strconcat("[", name, NULL);
		} else if (l[0] != '#' && (eq = strchr(l, '=')) != NULL) {
			*eq = '\0';
			id = vkey(section, g_strstrip(l));
		} else {
			continue;
		}
		first = g_hash_table_lookup(seen, id);
		if (first == NULL) {
			g_hash_table_insert(seen, id, GINT_TO_POINTER(i + 1));
			continue;
		}
		if (name != NULL)
			warn(cfg, "%s:%d: section [%s] appears again (first at "
			    "line %d); the two are merged", cfg->name, i + 1,
			    name, GPOINTER_TO_INT(first));
		else
			warn(cfg, "%s:%d: [%s] %s is set again (first at line "
			    "%d); this later value wins", cfg->name, i + 1,
			    section, l, GPOINTER_TO_INT(first));
		g_free(id);
	}
	g_free(section);
	g_strfreev(lines);
	g_hash_table_destroy(seen);
}

/* holds_secrets - does the file set a secret or a URL with a key in it */
static bool
holds_secrets(struct rw_config *cfg)
{
	GHashTableIter it;
	gpointer hk, hv;

	g_hash_table_iter_init(&it, cfg->values);
	while (g_hash_table_iter_next(&it, &hk, &hv)) {
		char **sk = g_strsplit(hk, "\n", 2);
		const struct rw_config_key *k = find_key(sk[0], sk[1]);
		struct value *v = hv;
		bool secret = k && (k->type == RW_CT_SECRET ||
		    k->type == RW_CT_SECRET_URL ||
		    (k->type == RW_CT_URL && (strchr(v->text, '?') ||
			strchr(v->text, '@'))));

		g_strfreev(sk);
		if (secret && v->origin == ORIGIN_FILE)
			return true;
	}
	return false;
}

static int
load_file(struct rw_config *cfg)
{
	GKeyFile *kf = g_key_file_new();
	GError *err = NULL;
	gchar **groups = NULL;
	int rc = 0;

	if (!g_key_file_load_from_data(kf, cfg->text, (gsize)-1,
		G_KEY_FILE_NONE, &err)) {
		rc = rw_error_set(RW_ECONFIG, "%s: %s", cfg->name, err->message);
		goto cleanup;
	}
	find_duplicates(cfg);
	groups = g_key_file_get_groups(kf, NULL);
	for (int i = 0; groups[i] != NULL && rc == 0; i++)
		rc = load_group(cfg, kf, groups[i]);
	if (rc == 0 && cfg->on_disk && holds_secrets(cfg))
		rc = rw_check_private(cfg->path, "configuration file");
cleanup:
	if (err)
		g_error_free(err);
	g_strfreev(groups);
	g_key_file_free(kf);
	return rc;
}

static struct rw_config *
config_new(void)
{
	struct rw_config *cfg = g_new0(struct rw_config, 1);

	cfg->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    value_free);
	cfg->sections = g_ptr_array_new_with_free_func(g_free);
	cfg->warnings = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(cfg->warnings, NULL);
	return cfg;
}

static int config_from_text(struct rw_config **out, const char *name,
    const char *data, bool on_disk);
static int check_order(const struct rw_config *cfg);

/* resolve_path - --config, $REPWATCH_CONFIG, the system file, or none */
static const char *
resolve_path(const char *path, bool *out_required)
{
	const char *env = g_getenv("REPWATCH_CONFIG");

	*out_required = true;
	if (path != NULL)
		return path;
	if (env != NULL && *env != '\0')
		return env;
	*out_required = false;
	return RW_SYSTEM_CONFIG;
}

int
rw_config_load(struct rw_config **out, const char *path)
{
	bool required;
	const char *p = resolve_path(path, &required);
	char *text = NULL;
	int rc;

	*out = NULL;
	if (!required && access(p, F_OK) != 0)
		return rw_config_load_data(out, NULL, NULL);
	rc = rw_read_file(&text, NULL, p, RW_CONFIG_MAX_BYTES);
	if (rc != 0) {
		rw_error_recode(RW_ECONFIG);
		rw_error_hint("Pass an existing file with --config, or none to "
		    "use the built-in defaults.");
		return RW_ECONFIG;
	}
	rc = config_from_text(out, p, text, true);
	g_free(text);
	return rc;
}

int
rw_config_load_data(struct rw_config **out, const char *name,
    const char *data)
{
	return config_from_text(out, name, data, false);
}

static int
config_from_text(struct rw_config **out, const char *name, const char *data,
    bool on_disk)
{
	struct rw_config *cfg = config_new();
	int rc = 0;

	cfg->on_disk = on_disk;
	if (data != NULL) {
		cfg->path = g_strdup(name ? name : "(string)");
		cfg->name = g_path_get_basename(cfg->path);
		/* Windows editors save UTF-8 with a byte order mark */
		if (g_str_has_prefix(data, "\xEF\xBB\xBF"))
			data += 3;
		cfg->text = g_strdup(data);
		rc = load_file(cfg);
	}
	if (rc == 0)
		rc = rw_config_load_env(cfg);
	if (rc == 0)
		rc = check_order(cfg);
	for (guint i = 0; rc == 0 && i < cfg->sections->len; i++) {
		char *problem = rw_config_section_problem(cfg,
		    g_ptr_array_index(cfg->sections, i));

		if (problem != NULL)
			warn(cfg, "%s", problem);
		g_free(problem);
	}
	if (rc != 0) {
		rw_config_free(cfg);
		cfg = NULL;
	}
	*out = cfg;
	return rc;
}

void
rw_config_free(struct rw_config *cfg)
{
	if (cfg == NULL)
		return;
	g_hash_table_destroy(cfg->values);
	g_ptr_array_free(cfg->sections, TRUE);
	g_ptr_array_free(cfg->warnings, TRUE);
	g_free(cfg->path);
	g_free(cfg->name);
	g_free(cfg->text);
	g_free(cfg);
}

const char *
rw_config_file(const struct rw_config *cfg)
{
	return cfg->path;
}

const char *const *
rw_config_warnings(const struct rw_config *cfg)
{
	return (const char *const *)cfg->warnings->pdata;
}

static const struct value *
lookup(const struct rw_config *cfg, const char *section, const char *key)
{
	char *k = vkey(section, key);
	const struct value *v = g_hash_table_lookup(cfg->values, k);

	g_free(k);
	return v;
}

/*
 * Keys that only make sense in one order. Each is valid alone, so the
 * table of keys cannot say it: a warning_rate above critical_rate would
 * make every warning critical and hide the warning level.
 */
static const struct order_rule {
	const char *section, *low, *high;
	bool strict;        /* low < high, else low <= high */
	const char *why;
} order_rules[] = {
	{"analyze", "warning_rate", "critical_rate", false,
	    "A warning cannot need a higher rate than a critical alert."},
	{"analyze", "spike_days", "window_days", false,
	    "The rise is judged on the last spike_days days of the recent "
	    "window."},
	{"analyze", "link_warn_days", "link_valid_days", true,
	    "The link warning must come before the links expire."},
};

static int
check_order(const struct rw_config *cfg)
{
	for (size_t i = 0; i < G_N_ELEMENTS(order_rules); i++) {
		const struct order_rule *r = &order_rules[i];
		const struct value *vl = lookup(cfg, r->section, r->low);
		const struct value *vh = lookup(cfg, r->section, r->high);
		double lo = rw_config_double(cfg, r->section, r->low);
		double hi = rw_config_double(cfg, r->section, r->high);

		if ((vl == NULL && vh == NULL) ||
		    (r->strict ? lo < hi : lo <= hi))
			continue;
		/* name the setting that was written (the low one if both) */
		rw_error_set(RW_ECONFIG, "%s: [%s] %s (%s) must be %s %s (%s)",
		    vl != NULL ? vl->where : vh->where, r->section, r->low,
		    rw_config_get(cfg, r->section, r->low), r->strict ?
		    "below" : "at most", r->high,
		    rw_config_get(cfg, r->section, r->high));
		rw_error_detail("%s", r->why);
		return RW_ECONFIG;
	}
	return 0;
}

const char *
rw_config_get(const struct rw_config *cfg, const char *section,
    const char *key)
{
	const struct value *v = lookup(cfg, section, key);
	const struct rw_config_key *k;

	if (v != NULL)
		return v->text;
	k = find_key(section, key);
	g_return_val_if_fail(k != NULL, NULL);
	return k->def;
}

bool
rw_config_is_set(const struct rw_config *cfg, const char *section,
    const char *key)
{
	return lookup(cfg, section, key) != NULL;
}

long long
rw_config_int(const struct rw_config *cfg, const char *section,
    const char *key)
{
	const char *t = rw_config_get(cfg, section, key);
	long long v = 0;

	if (t != NULL)
		(void)rw_parse_ll(&v, t, G_MININT64, G_MAXINT64);
	return v;
}

double
rw_config_double(const struct rw_config *cfg, const char *section,
    const char *key)
{
	const char *t = rw_config_get(cfg, section, key);
	double v = 0;

	if (t != NULL)
		(void)rw_parse_double(&v, t);
	return v;
}

bool
rw_config_bool(const struct rw_config *cfg, const char *section,
    const char *key)
{
	const char *t = rw_config_get(cfg, section, key);
	bool v = false;

	if (t != NULL)
		(void)rw_parse_bool(&v, t);
	return v;
}

char **
rw_config_list(const struct rw_config *cfg, const char *section,
    const char *key)
{
	const char *t = rw_config_get(cfg, section, key);
	GPtrArray *a = g_ptr_array_new();
	char **parts = g_strsplit(t ? t : "", ",", -1);

	for (int i = 0; parts[i] != NULL; i++) {
		char *p = g_strstrip(parts[i]);

		if (*p != '\0')
			g_ptr_array_add(a, g_strdup(p));
	}
	g_strfreev(parts);
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

char **
rw_config_instances(const struct rw_config *cfg, const char *prefix)
{
	GPtrArray *a = g_ptr_array_new();
	size_t pl = strlen(prefix);

	for (guint i = 0; i < cfg->sections->len; i++) {
		const char *s = g_ptr_array_index(cfg->sections, i);

		if (strncmp(s, prefix, pl) == 0 && s[pl] == '.' && s[pl + 1])
			g_ptr_array_add(a, g_strdup(s + pl + 1));
	}
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

int
rw_config_set(struct rw_config *cfg, const char *section, const char *key,
    const char *value)
{
	return rw_config_store(cfg, section, key, value, ORIGIN_SET,
	    g_strdup("command line"));
}

char *
rw_config_state_dir(const struct rw_config *cfg)
{
	const char *v = rw_config_get(cfg, "paths", "state_dir");
	const char *xdg = g_getenv("XDG_STATE_HOME");

	if (v != NULL && *v != '\0')
		return g_strdup(v);
	if (geteuid() == 0)
		return g_strdup("/var/lib/repwatch");
	if (xdg != NULL && *xdg == '/')
		return g_build_filename(xdg, "repwatch", NULL);
	return g_build_filename(g_get_home_dir(), ".local", "state",
	    "repwatch", NULL);
}

static char *
shown_value(const struct rw_config_key *k, const char *text)
{
	if (text == NULL)
		return NULL;
	if (k->type == RW_CT_SECRET)
		return rw_mask_secret(text);
	if (k->type == RW_CT_URL)
		return rw_mask_url(text);
	if (k->type == RW_CT_SECRET_URL)
		return rw_mask_webhook(text);
	return g_strdup(text);
}

static void
dump_key(const struct rw_config *cfg, GString *out, const char *section,
    const struct rw_config_key *k, bool defaults)
{
	const struct value *v = lookup(cfg, section, k->key);
	char *shown = shown_value(k, v ? v->text : k->def);

	if (v != NULL)
		g_string_append_printf(out, "%s = %s\t# %s\n", k->key, shown, v->where);
	else if (shown != NULL)
		g_string_append_printf(out, "%s = %s\t# default\n", k->key, shown);
	else if (defaults)
		g_string_append_printf(out, "# %s =\t# unset\n", k->key);
	g_free(shown);
}

static void
dump_section(const struct rw_config *cfg, GString *out, const char *pattern,
    const char *section, bool defaults)
{
	g_string_append_printf(out, "[%s]\n", section);
	for (const struct rw_config_key *k = rw_config_keys; k->section; k++)
		if (strcmp(k->section, pattern) == 0)
			dump_key(cfg, out, section, k, defaults);
	g_string_append_c(out, '\n');
}

void
rw_config_render(GString *out, const struct rw_config *cfg, bool defaults)
{
	const char *prev = "";

	g_string_append_printf(out, "# configuration: %s\n\n",
	    cfg->path ? cfg->path : "built-in defaults");
	for (const struct rw_config_key *k = rw_config_keys; k->section; k++) {
		size_t sl = strlen(k->section);

		if (strcmp(k->section, prev) == 0)
			continue;
		prev = k->section;
		if (sl > 2 && strcmp(k->section + sl - 2, ".*") == 0) {
			char *base = g_strndup(k->section, sl - 2);
			char **inst = rw_config_instances(cfg, base);

			for (int i = 0; inst[i] != NULL; i++) {
				char *s = g_strdup_printf("%s.%s", base, inst[i]);
				dump_section(cfg, out, k->section, s, defaults);
				g_free(s);
			}
			g_strfreev(inst);
			g_free(base);
			continue;
		}
		dump_section(cfg, out, k->section, k->section, defaults);
	}
}

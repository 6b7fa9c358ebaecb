/*
 * snds_source - configuration plus database overrides for one source.
 */
#include <string.h>
#include <gio/gio.h>

#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_util.h"
#include "common/rw_seal.h"
#include "ingest/snds_http.h"
#include "ingest/snds_source.h"

static char *
cfg_dup(const struct rw_config *cfg, const char *section, const char *key)
{
	const char *v = rw_config_get(cfg, section, key);

	return v != NULL && *v != '\0' ? g_strdup(v) : NULL;
}

static bool
is_configured(const struct rw_config *cfg, const char *name)
{
	char **names = rw_config_instances(cfg, "snds");
	bool hit = g_strv_contains((const char *const *)names, name);

	g_strfreev(names);
	return hit;
}

static void
from_config(struct snds_source *s, const struct rw_config *cfg)
{
	char *sec = g_strdup_printf("snds.%s", s->name);
	const char *kind = rw_config_get(cfg, sec, "type");

	s->kind = g_strcmp0(kind, "api") == 0 ? SNDS_KIND_API : SNDS_KIND_LINK;
	s->tz = cfg_dup(cfg, sec, "timezone");
	s->data_url = cfg_dup(cfg, sec, "data_url");
	s->status_url = cfg_dup(cfg, sec, "status_url");
	s->issued = cfg_dup(cfg, sec, "issued");
	s->issued_origin = s->issued != NULL ? "config" : NULL;
	s->api_base = cfg_dup(cfg, sec, "api_base");
	s->authorize_url = cfg_dup(cfg, sec, "authorize_url");
	s->token_url = cfg_dup(cfg, sec, "token_url");
	s->client_id = cfg_dup(cfg, sec, "client_id");
	s->scope = cfg_dup(cfg, sec, "scope");
	s->ca_file = cfg_dup(cfg, sec, "ca_file");
	s->timeout = (long)rw_config_int(cfg, sec, "timeout");
	s->retries = (long)rw_config_int(cfg, sec, "retries");
	s->retry_delay_ms = (long)rw_config_int(cfg, sec, "retry_delay_ms");
	s->lookback_days = (long)rw_config_int(cfg, sec, "lookback_days");
	s->raw_retention_days = (long)rw_config_int(cfg, sec,
	    "raw_retention_days");
	s->max_body = rw_config_int(cfg, sec, "max_body");
	if (s->tz == NULL)
		s->tz = g_strdup("America/Los_Angeles");
	g_free(sec);
}

static void
replace(char **dst, PGresult *r, int col)
{
	if (PQgetisnull(r, 0, col))
		return;
	g_free(*dst);
	*dst = g_strdup(PQgetvalue(r, 0, col));
}

/* what a sealed link is bound to: its source and column */
static char *
link_aad(const char *name, const char *column)
{
	return g_strdup_printf("snds_source.%s:%s", column, name);
}

/* a link stored by "link set": sealed (plain text only from before) */
static int
replace_link(char **dst, PGresult *r, int col, const char *name,
    const char *keyfile)
{
	const char *v = PQgetvalue(r, 0, col);
	char *aad, *plain = NULL;
	int rc;

	if (PQgetisnull(r, 0, col) || !rw_is_sealed(v)) {
		replace(dst, r, col);
		return 0;
	}
	aad = link_aad(name, col == 1 ? "data_url" : "status_url");
	rc = rw_unseal(&plain, keyfile, aad, v);
	g_free(aad);
	if (rc != 0) {
		rw_error_prefix("source %s", name);
		rw_error_hint("Restore that key file, or store the links again: "
		    "repwatch snds link set %s --data-url URL --status-url "
		    "URL.", name);
		return rc;
	}
	g_free(*dst);
	*dst = plain;
	return 0;
}

/* links and dates remembered in the database win over the configuration */
static int
from_db(bool *out_found, struct snds_source *s, struct rw_db *db,
    const char *keyfile)
{
	static const char sql[] =
	    "SELECT kind, data_url, status_url, issued, first_used,"
	    " token_state FROM repwatch.snds_source WHERE name = $1";
	const char *p[1] = {s->name};
	PGresult *r = NULL;
	int rc = rw_db_query(&r, db, sql, 1, p);

	*out_found = false;
	if (rc != 0 || PQntuples(r) == 0)
		goto cleanup;
	*out_found = true;
	if (!s->configured)
		s->kind = strcmp(PQgetvalue(r, 0, 0), "api") == 0 ?
		    SNDS_KIND_API : SNDS_KIND_LINK;
	rc = replace_link(&s->data_url, r, 1, s->name, keyfile);
	if (rc == 0)
		rc = replace_link(&s->status_url, r, 2, s->name, keyfile);
	if (rc != 0)
		goto cleanup;
	if (!PQgetisnull(r, 0, 3)) {
		replace(&s->issued, r, 3);
		s->issued_origin = "link set";
	} else if (s->issued == NULL && !PQgetisnull(r, 0, 4)) {
		replace(&s->issued, r, 4);
		s->issued_origin = "first use";
	}
	replace(&s->token_state, r, 5);
cleanup:
	PQclear(r);
	return rc;
}

int
snds_source_get(struct snds_source **out, const struct rw_config *cfg,
    struct rw_db *db, const char *name, bool allow_unknown)
{
	struct snds_source *s = g_new0(struct snds_source, 1);
	bool in_db = false;
	int rc = 0;

	*out = NULL;
	/* configured names were checked when read: this one is typed */
	rc = rw_name_check("SNDS source", name, RW_EUSAGE);
	if (rc != 0) {
		g_free(s);
		return rc;
	}
	s->name = g_strdup(name);
	s->configured = is_configured(cfg, name);
	from_config(s, cfg);
	if (db != NULL) {
		char *state = rw_config_state_dir(cfg);
		char *keyfile = rw_seal_key_path(state);

		rc = from_db(&in_db, s, db, keyfile);
		g_free(keyfile);
		g_free(state);
	}
	if (rc == 0 && !s->configured && !in_db && !allow_unknown) {
		rc = rw_error_set(RW_ECONFIG, "SNDS source \"%s\" is not "
		    "configured", name);
		rw_error_hint("Add a [snds.%s] section to the configuration.",
		    name);
	}
	if (rc != 0) {
		snds_source_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void
snds_source_free(struct snds_source *s)
{
	if (s == NULL)
		return;
	g_free(s->name);
	g_free(s->tz);
	g_free(s->data_url);
	g_free(s->status_url);
	g_free(s->issued);
	g_free(s->api_base);
	g_free(s->authorize_url);
	g_free(s->token_url);
	g_free(s->client_id);
	g_free(s->scope);
	g_free(s->ca_file);
	g_free(s->token_state);
	g_free(s);
}

int
snds_source_names(char ***out, const struct rw_config *cfg, struct rw_db *db)
{
	char **conf = rw_config_instances(cfg, "snds");
	GPtrArray *a = g_ptr_array_new();
	PGresult *r = NULL;
	int rc = 0;

	for (char **n = conf; *n != NULL; n++)
		g_ptr_array_add(a, g_strdup(*n));
	if (db != NULL)
		rc = rw_db_query(&r, db, "SELECT name FROM repwatch.snds_source"
		    " ORDER BY name", 0, NULL);
	for (int i = 0; rc == 0 && r != NULL && i < PQntuples(r); i++) {
		const char *n = PQgetvalue(r, i, 0);

		if (g_strv_contains((const char *const *)conf, n))
			continue;
		/* a row written by hand or before names were checked */
		if (rw_name_check("SNDS source", n, RW_ECONFIG) != 0) {
			rw_log_warning("%s in repwatch.snds_source; skipped",
			    rw_error_message());
			rw_error_clear();
			continue;
		}
		g_ptr_array_add(a, g_strdup(n));
	}
	PQclear(r);
	g_strfreev(conf);
	g_ptr_array_add(a, NULL);
	*out = (char **)g_ptr_array_free(a, FALSE);
	return rc;
}

int
snds_source_default(char **out, const struct rw_config *cfg,
    const char *name, const char *fallback)
{
	char **names;
	int rc = 0;

	*out = NULL;
	if (name != NULL) {
		*out = g_strdup(name);
		return 0;
	}
	names = rw_config_instances(cfg, "snds");
	if (g_strv_length(names) == 1)
		*out = g_strdup(names[0]);
	else if (fallback != NULL)
		*out = g_strdup(fallback);
	else if (names[0] == NULL)
		rc = rw_error_set(RW_ECONFIG, "no SNDS source is configured");
	else
		rc = rw_error_set(RW_EUSAGE, "%u SNDS sources are configured; "
		    "name one with --source", g_strv_length(names));
	g_strfreev(names);
	return rc;
}

int
snds_source_register(struct rw_db *db, const struct snds_source *s)
{
	static const char sql[] =
	    "INSERT INTO repwatch.snds_source (name, kind) VALUES ($1, $2)"
	    " ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind"
	    " WHERE repwatch.snds_source.kind IS DISTINCT FROM EXCLUDED.kind";
	const char *p[2] = {s->name, s->kind == SNDS_KIND_API ? "api" : "link"};

	return rw_db_query(NULL, db, sql, 2, p);
}

int
snds_source_mark_used(struct rw_db *db, struct snds_source *s,
    const char *today)
{
	static const char sql[] =
	    "UPDATE repwatch.snds_source SET first_used = $2::date,"
	    " updated_at = now() WHERE name = $1 AND first_used IS NULL";
	const char *p[2] = {s->name, today};
	int rc = snds_source_register(db, s);

	if (rc == 0)
		rc = rw_db_query(NULL, db, sql, 2, p);
	if (rc == 0 && s->issued == NULL) {
		s->issued = g_strdup(today);
		s->issued_origin = "first use";
	}
	return rc;
}

/* a link sealed for the database (NULL stays NULL) */
static int
seal_link(char **out, const char *keyfile, const char *name,
    const char *column, const char *url)
{
	char *aad;
	int rc;

	*out = NULL;
	if (url == NULL)
		return 0;
	aad = link_aad(name, column);
	rc = rw_seal(out, keyfile, aad, url);
	g_free(aad);
	return rc;
}

int
snds_source_set_links(struct rw_db *db, const char *keyfile,
    const char *name, const char *data_url, const char *status_url,
    const char *issued)
{
	static const char sql[] =
	    "INSERT INTO repwatch.snds_source (name, kind, data_url,"
	    " status_url, issued) VALUES ($1, 'link', $2, $3, $4::date)"
	    " ON CONFLICT (name) DO UPDATE SET"
	    " data_url = COALESCE(EXCLUDED.data_url,"
	    "  repwatch.snds_source.data_url),"
	    " status_url = COALESCE(EXCLUDED.status_url,"
	    "  repwatch.snds_source.status_url),"
	    " issued = EXCLUDED.issued, updated_at = now()";
	char *data = NULL, *status = NULL;
	const char *p[4] = {name, NULL, NULL, issued};
	int rc = seal_link(&data, keyfile, name, "data_url", data_url);

	if (rc == 0)
		rc = seal_link(&status, keyfile, name, "status_url",
		    status_url);
	p[1] = data;
	p[2] = status;
	if (rc == 0)
		rc = rw_db_query(NULL, db, sql, 4, p);
	g_free(data);
	g_free(status);
	return rc;
}

int
snds_source_set_token_state(struct rw_db *db, const char *name,
    const char *state)
{
	static const char sql[] =
	    "INSERT INTO repwatch.snds_source (name, kind, token_state,"
	    " token_checked) VALUES ($1, 'api', $2, now())"
	    " ON CONFLICT (name) DO UPDATE SET token_state = EXCLUDED.token_state,"
	    " token_checked = now(), updated_at = now()";
	const char *p[2] = {name, state};

	return rw_db_query(NULL, db, sql, 2, p);
}

int
snds_url_allowed(const char *what, const char *url)
{
	GUri *u = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
	char *masked = rw_mask_url(url);
	int rc = 0;

	if (u == NULL || g_uri_get_host(u) == NULL || *g_uri_get_host(u) == '\0') {
		rc = rw_error_set(RW_ECONFIG, "%s: invalid URL \"%s\"", what,
		    masked);
	} else if (g_ascii_strcasecmp(g_uri_get_scheme(u), "https") == 0) {
		rc = 0;
	} else if (g_ascii_strcasecmp(g_uri_get_scheme(u), "http") != 0 ||
	    !snds_loopback_host(g_uri_get_host(u))) {
		rc = rw_error_set(RW_ECONFIG, "%s: refusing \"%s\"", what,
		    masked);
		rw_error_detail("Only https:// is accepted, or http:// to a "
		    "loopback address.");
	}
	if (u != NULL)
		g_uri_unref(u);
	g_free(masked);
	return rc;
}

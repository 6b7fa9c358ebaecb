/*
 * mta_source - a [mta.NAME] section read into a struct mta_source, and
 * the parser and classifier it configures (mta_source.h).
 */
#include <string.h>

#include <glib.h>

#include "common/rw_error.h"
#include "mta/mta_source.h"

char **
mta_source_names(const struct rw_config *cfg)
{
	return rw_config_instances(cfg, "mta");
}

/* get - the value of KEY in SECTION, NULL when unset or empty */
static char *
get(const struct rw_config *cfg, const char *section, const char *key)
{
	const char *v = rw_config_get(cfg, section, key);

	return v != NULL && *v != '\0' ? g_strdup(v) : NULL;
}

/* list - the items of list KEY in SECTION, NULL when there are none */
static char **
list(const struct rw_config *cfg, const char *section, const char *key)
{
	char **v = rw_config_list(cfg, section, key);

	if (v != NULL && v[0] == NULL) {
		g_strfreev(v);
		return NULL;
	}
	return v;
}

/* configured - whether NAME is one of the configured sources */
static bool
configured(const struct rw_config *cfg, const char *name)
{
	g_auto(GStrv) names = mta_source_names(cfg);

	return names != NULL && g_strv_contains((const char *const *)names,
	    name);
}

int
mta_source_get(struct mta_source **out, const struct rw_config *cfg,
    const char *name)
{
	g_autofree char *section = g_strdup_printf("mta.%s", name);
	g_autofree char *type = NULL;
	struct mta_source *s;
	int rc;

	*out = NULL;
	if (!configured(cfg, name)) {
		rw_error_set(RW_ECONFIG, "no MTA log source \"%s\"", name);
		rw_error_hint("Add a [mta.%s] section with type and path to "
		    "the configuration.", name);
		return RW_ECONFIG;
	}
	type = get(cfg, section, "type");
	if (type == NULL) {
		rw_error_set(RW_ECONFIG, "[%s] type is not set", section);
		rw_error_hint("Set type = postfix, exim, kumomta or powermta.");
		return RW_ECONFIG;
	}
	s = g_new0(struct mta_source, 1);
	s->name = g_strdup(name);
	rc = mta_format_parse(&s->format, type);
	if (rc != 0) {
		rw_error_prefix("[%s] type", section);
		mta_source_free(s);
		return rc;
	}
	s->path = get(cfg, section, "path");
	s->source_ip = get(cfg, section, "source_ip");
	s->ip_by_service = list(cfg, section, "ip_by_service");
	s->timezone = get(cfg, section, "timezone");
	s->extra_rules = get(cfg, section, "extra_rules");
	s->domains = list(cfg, section, "domains");
	s->mx_suffixes = list(cfg, section, "mx_suffixes");
	if (s->format == MTA_POSTFIX && s->source_ip == NULL &&
	    s->ip_by_service == NULL) {
		rw_error_set(RW_ECONFIG, "[%s] type = postfix needs source_ip "
		    "or ip_by_service", section);
		rw_error_detail("Postfix does not log the address it sent "
		    "from, and its deliveries carry no [IP] in Microsoft's "
		    "answer: they would all be dropped as \"without IP\" while "
		    "the blocks, which name the IP, were kept.");
		rw_error_hint("Set source_ip = IP for one outgoing address, or "
		    "ip_by_service = SERVICE:IP, ... for smtp transports bound "
		    "to several (doc/mta.md).");
		mta_source_free(s);
		return RW_ECONFIG;
	}
	*out = s;
	return 0;
}

void
mta_source_free(struct mta_source *s)
{
	if (s == NULL)
		return;
	g_free(s->name);
	g_free(s->path);
	g_free(s->source_ip);
	g_strfreev(s->ip_by_service);
	g_free(s->timezone);
	g_free(s->extra_rules);
	g_strfreev(s->domains);
	g_strfreev(s->mx_suffixes);
	g_free(s);
}

int
mta_source_pick(struct mta_source **out, const struct rw_config *cfg,
    const char *name)
{
	g_auto(GStrv) names = NULL;

	*out = NULL;
	if (name != NULL)
		return mta_source_get(out, cfg, name);
	names = mta_source_names(cfg);
	if (names == NULL || names[0] == NULL) {
		rw_error_set(RW_ECONFIG, "no MTA log source configured");
		rw_error_hint("Add a [mta.NAME] section with type and path to "
		    "the configuration.");
		return RW_ECONFIG;
	}
	if (names[1] != NULL) {
		rw_error_set(RW_ECONFIG, "%u MTA log sources are configured",
		    g_strv_length(names));
		rw_error_hint("Name the one the files belong to with --source "
		    "NAME.");
		return RW_ECONFIG;
	}
	return mta_source_get(out, cfg, names[0]);
}

int
mta_source_parser(struct mta_parser **out, const struct mta_source *s,
    int64_t now)
{
	struct mta_parser *p = NULL;
	g_autofree char *services = NULL;
	const char *key = NULL;
	int rc;

	*out = NULL;
	rc = mta_parser_new(&p, s->format);
	if (rc == 0 && s->source_ip != NULL) {
		key = "source_ip";
		rc = mta_parser_set_source_ip(p, s->source_ip);
	}
	if (rc == 0 && s->ip_by_service != NULL) {
		key = "ip_by_service";
		services = g_strjoinv(",", s->ip_by_service);
		rc = mta_parser_add_services(p, services);
	}
	if (rc == 0 && s->timezone != NULL) {
		key = "timezone";
		rc = mta_parser_set_zone(p, s->timezone);
	}
	if (rc == 0 && now > 0)
		mta_parser_set_now(p, now);
	if (rc != 0) {
		if (key != NULL) {
			rc = rw_error_recode(RW_ECONFIG);
			rw_error_prefix("[mta.%s] %s", s->name, key);
		}
		mta_parser_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int
mta_source_classifier(struct mta_classifier **out,
    const struct mta_source *s)
{
	struct mta_classifier *c = NULL;
	int rc;

	*out = NULL;
	rc = mta_classifier_new(&c);
	if (rc == 0 && s->extra_rules != NULL) {
		rc = mta_classifier_add_rules(c, s->extra_rules);
		if (rc != 0)
			rw_error_prefix("[mta.%s] extra_rules", s->name);
	}
	if (rc == 0 && s->domains != NULL) {
		g_autofree char *spec = g_strjoinv(",", s->domains);

		rc = mta_classifier_add_domains(c, spec);
		if (rc != 0)
			rw_error_prefix("[mta.%s] domains", s->name);
	}
	if (rc == 0 && s->mx_suffixes != NULL) {
		g_autofree char *spec = g_strjoinv(",", s->mx_suffixes);

		rc = mta_classifier_add_mx(c, spec);
		if (rc != 0)
			rw_error_prefix("[mta.%s] mx_suffixes", s->name);
	}
	if (rc != 0) {
		mta_classifier_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

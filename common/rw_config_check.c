/*
 * rw_config_check - does a value suit its key's type: numbers in range,
 * enum choices, URLs, lists of networks or host names, dates, zones; and
 * the problems of a section that no single key shows.
 */
#include <string.h>

#include "common/rw_config_int.h"
#include "common/rw_ip.h"
#include "common/rw_util.h"

/* check_range - "min..max" bounds of INT and DOUBLE keys */
static bool
check_range(const struct rw_config_key *k, double v)
{
	char **b;
	double lo, hi;
	bool ok = true;

	if (k->choices == NULL)
		return true;
	b = g_strsplit(k->choices, "..", 2);
	if (b[0] && b[1] && rw_parse_double(&lo, b[0]) == 0 &&
	    rw_parse_double(&hi, b[1]) == 0)
		ok = v >= lo && v <= hi;
	g_strfreev(b);
	return ok;
}

static bool
enum_ok(const struct rw_config_key *k, const char *text)
{
	char **c = g_strsplit(k->choices, "|", -1);
	bool ok = g_strv_contains((const char *const *)c, text);

	g_strfreev(c);
	return ok;
}

/* url_problem - NULL for an http(s) or imap(s) URL; a mailbox may also be
 * a path */
static const char *
url_problem(const struct rw_config_key *k, const char *text)
{
	static const char *const schemes[] = {"http", "https", "imap", "imaps",
		NULL};
	char *scheme;
	bool known;

	if (strstr(text, "://") == NULL)
		return strcmp(k->section, "mailbox.*") == 0 ? NULL : "not a URL";
	if (!g_uri_is_valid(text, G_URI_FLAGS_ENCODED, NULL))
		return "not a valid URL";
	scheme = g_uri_parse_scheme(text);
	known = scheme != NULL && g_strv_contains(schemes, scheme);
	g_free(scheme);
	return known ? NULL : "unsupported URL scheme";
}

/* list_problem - every item of a list of networks or host names */
static const char *
list_problem(const struct rw_config_key *k, const char *text)
{
	bool cidr = k->choices != NULL && strcmp(k->choices, "CIDR networks")
	    == 0;
	bool host = k->choices != NULL && strcmp(k->choices, "host names")
	    == 0;
	char **items = g_strsplit(text, ",", -1);
	const char *problem = NULL;

	for (int i = 0; problem == NULL && items[i] != NULL; i++) {
		char *it = g_strstrip(items[i]);
		struct rw_cidr c;

		if (*it == '\0')
			continue;
		if (cidr && !rw_cidr_parse(&c, it))
			problem = "not a list of CIDR networks (a.b.c.d/n, x:y::/n)";
		else if (host && strspn(it, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_*") != strlen(it))
			problem = "not a list of host names";
	}
	g_strfreev(items);
	return problem;
}

/* rw_config_validate - NULL when TEXT suits K, else what is wrong */
const char *
rw_config_validate(const struct rw_config_key *k, const char *text)
{
	long long ll;
	double d;
	bool b;
	GDate date;
	GTimeZone *tz;

	switch (k->type) {
	case RW_CT_INT:
		if (rw_parse_ll(&ll, text, G_MININT64, G_MAXINT64) != 0)
			return "not an integer";
		return check_range(k, (double)ll) ? NULL : "out of range";
	case RW_CT_DOUBLE:
		if (rw_parse_double(&d, text) != 0)
			return "not a number";
		return check_range(k, d) ? NULL : "out of range";
	case RW_CT_BOOL:
		return rw_parse_bool(&b, text) == 0 ? NULL : "not a boolean";
	case RW_CT_DATE:
		return rw_parse_date(&date, text) == 0 ? NULL : "not a date";
	case RW_CT_ENUM:
		return enum_ok(k, text) ? NULL : "not one of the allowed values";
	case RW_CT_URL:
	case RW_CT_SECRET_URL:
		return url_problem(k, text);
	case RW_CT_TIMEZONE:
		tz = g_time_zone_new_identifier(text);
		if (tz == NULL)
			return "not a known time zone";
		g_time_zone_unref(tz);
		return NULL;
	case RW_CT_LIST:
		return list_problem(k, text);
	default:
		return NULL;
	}
}

/*
 * rw_config_section_problem - what is wrong with SECTION as a whole, or
 * NULL (g_free): a postfix [mta.NAME] source needs source_ip or
 * ip_by_service, as Postfix does not log the address it sent from
 */
char *
rw_config_section_problem(const struct rw_config *cfg, const char *section)
{
	const char *type, *ip;
	g_auto(GStrv) services = NULL;
	g_autofree char *id = NULL;
	const struct value *v;

	if (!g_str_has_prefix(section, "mta."))
		return NULL;
	type = rw_config_get(cfg, section, "type");
	ip = rw_config_get(cfg, section, "source_ip");
	if (type == NULL ||
	    strcmp(type, "postfix") != 0 || (ip != NULL && *ip != '\0'))
		return NULL;
	services = rw_config_list(cfg, section, "ip_by_service");
	if (services != NULL && services[0] != NULL)
		return NULL;
	id = g_strconcat(section, "\n", "type", NULL);
	v = g_hash_table_lookup(cfg->values, id);
	return g_strdup_printf("%s: [%s] type = postfix needs source_ip or "
	    "ip_by_service (Postfix does not log the address it sent from); "
	    "mta load refuses this source", v != NULL ? v->where : cfg->name,
	    section);
}

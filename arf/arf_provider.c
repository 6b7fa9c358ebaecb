/*
 * arf_provider - feedback loop identification.
 */
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "arf/arf_provider.h"

struct rule {
	const char *needle; /* case-insensitive substring */
	const char *provider;
};

/* User-Agent products (reference section 8) */
static const struct rule ua_rules[] = {
	{"jmrp", "microsoft"},
	{"yahoo!-mail-feedback", "yahoo"},
	{"aol scomp", "aol"},
	{"comcast feedback loop", "comcast"},
	{"zoho mail", "zoho"},
	{"ntesdmarcreporter", "netease"},
	{"abusix", "abusix"},
	{NULL, NULL},
};

/* report sender domains */
static const struct rule from_rules[] = {
	{"@hotmail.com", "microsoft"},
	{"@arf.mail.yahoo.com", "yahoo"},
	{"@aol.net", "aol"},
	{"@aol.com", "aol"},
	{"@fbl.zoho.com", "zoho"},
	{"mail.ru", "mail.ru"},
	{"@email-abuse.amazonses.com", "amazon-ses"},
	{NULL, NULL},
};

static const char *
match(const struct rule *rules, const char *text)
{
	if (text == NULL)
		return NULL;
	for (const struct rule *r = rules; r->needle != NULL; r++) {
		char *low = g_ascii_strdown(text, -1);
		bool hit = strstr(low, r->needle) != NULL;

		g_free(low);
		if (hit)
			return r->provider;
	}
	return NULL;
}

/* "feedbackloop@comcastfbl.senderscore.net" -> "comcast" */
static char *
senderscore(const char *from)
{
	const char *at = from != NULL ? strchr(from, '@') : NULL;
	const char *end;

	if (at == NULL)
		return NULL;
	end = g_strrstr(at, "fbl.senderscore.net");
	if (end == NULL || end == at + 1)
		return NULL;
	return g_ascii_strdown(at + 1, end - at - 1);
}

char *
arf_provider_guess(const struct arf_provider_hints *h)
{
	const char *p;
	char *ss;

	if (h->jmrp_legacy)
		return g_strdup("microsoft");
	if (h->mru_header)
		return g_strdup("mail.ru");
	/* Validity-hosted loops name the mailbox provider in "Source:" */
	if (h->source_field != NULL && *h->source_field != '\0')
		return g_ascii_strdown(h->source_field, -1);
	ss = senderscore(h->report_from);
	if (ss != NULL)
		return ss;
	if (h->user_agent != NULL &&
	    g_ascii_strncasecmp(h->user_agent, "ReturnPathFBL", 13) == 0)
		return g_strdup("validity");
	p = match(ua_rules, h->user_agent);
	if (p == NULL)
		p = match(from_rules, h->report_from);
	return g_strdup(p);
}

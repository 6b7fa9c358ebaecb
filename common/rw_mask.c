/*
 * rw_mask - secrets out of everything printed: report links carry their
 * key in the query or the path, conninfo and IMAP carry passwords.
 */
#include <stdbool.h>
#include <string.h>
#include <glib.h>

#include "common/rw_mask.h"

/* mask_query - "a=1&key=SECRET" -> "a=1&key=***" (date kept) */
static void
mask_query(GString *out, const char *query)
{
	char **pairs = g_strsplit(query, "&", -1);

	for (int i = 0; pairs[i] != NULL; i++) {
		char *eq = strchr(pairs[i], '=');

		if (i > 0)
			g_string_append_c(out, '&');
		if (eq == NULL) {
			g_string_append(out, "***");
			continue;
		}
		g_string_append_len(out, pairs[i], eq - pairs[i] + 1);
		if (g_ascii_strncasecmp(pairs[i], "date=", 5) == 0)
			g_string_append(out, eq + 1);
		else
			g_string_append(out, "***");
	}
	g_strfreev(pairs);
}

/* secret_segment - a long path segment with digits looks like a key */
static bool
secret_segment(const char *seg)
{
	size_t n = strlen(seg);
	bool digit = false;

	for (const char *p = seg; *p; p++)
		digit |= g_ascii_isdigit(*p);
	return n >= 20 && digit;
}

static void
mask_path(GString *out, const char *path)
{
	char **segs = g_strsplit(path, "/", -1);

	for (int i = 0; segs[i] != NULL; i++) {
		if (i > 0)
			g_string_append_c(out, '/');
		g_string_append(out, secret_segment(segs[i]) ? "***" : segs[i]);
	}
	g_strfreev(segs);
}

char *
rw_mask_url(const char *url)
{
	GUri *uri;
	GString *out;

	if (url == NULL)
		return NULL;
	uri = g_uri_parse(url, G_URI_FLAGS_ENCODED | G_URI_FLAGS_HAS_PASSWORD,
	    NULL);
	if (uri == NULL)
		return g_strdup("***");
	out = g_string_new(g_uri_get_scheme(uri));
	g_string_append(out, "://");
	if (g_uri_get_user(uri) != NULL)
		g_string_append_printf(out, "%s%s@", g_uri_get_user(uri),
		    g_uri_get_password(uri) ? ":***" : "");
	if (g_uri_get_host(uri) != NULL)
		g_string_append(out, g_uri_get_host(uri));
	if (g_uri_get_port(uri) > 0)
		g_string_append_printf(out, ":%d", g_uri_get_port(uri));
	mask_path(out, g_uri_get_path(uri));
	if (g_uri_get_query(uri) != NULL) {
		g_string_append_c(out, '?');
		mask_query(out, g_uri_get_query(uri));
	}
	g_uri_unref(uri);
	return g_string_free(out, FALSE);
}

char *
rw_mask_webhook(const char *url)
{
	GUri *uri;
	char *out, *host;

	if (url == NULL)
		return NULL;
	uri = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
	if (uri == NULL || g_uri_get_host(uri) == NULL) {
		if (uri != NULL)
			g_uri_unref(uri);
		return g_strdup("***");
	}
	/* GUri drops the brackets of an IPv6 literal: put them back */
	host = strchr(g_uri_get_host(uri), ':') != NULL ?
	    g_strdup_printf("[%s]", g_uri_get_host(uri)) :
	    g_strdup(g_uri_get_host(uri));
	if (g_uri_get_port(uri) > 0)
		out = g_strdup_printf("%s://%s:%d/***", g_uri_get_scheme(uri),
		    host, g_uri_get_port(uri));
	else
		out = g_strdup_printf("%s://%s/***", g_uri_get_scheme(uri),
		    host);
	g_free(host);
	g_uri_unref(uri);
	return out;
}

char *
rw_mask_secret(const char *value)
{
	if (value == NULL || *value == '\0')
		return g_strdup("");
	return g_strdup("********");
}


/*
 * snds_http - common/rw_http underneath; see snds_http.h.
 */
#include <string.h>
#include <curl/curl.h>
#include <glib.h>
#include <gio/gio.h>

#include "common/rw_error.h"
#include "common/rw_http.h"
#include "ingest/snds_http.h"

#define MAX_REDIRECTS 5

bool
snds_sign_in_host(const char *host)
{
	static const char *const hosts[] = {
		"login.microsoftonline.com", "login.live.com",
		"login.microsoft.com", "account.live.com",
	};

	for (size_t i = 0; host != NULL && i < G_N_ELEMENTS(hosts); i++) {
		if (g_ascii_strcasecmp(host, hosts[i]) == 0)
			return true;
	}
	return false;
}

static struct curl_slist *
headers_for(const struct snds_http_opts *o, bool same_host)
{
	struct curl_slist *h = NULL;

	h = curl_slist_append(h, "Accept: text/csv, application/octet-stream,"
	    " application/json, */*;q=0.5");
	if (o->bearer != NULL && same_host) {
		char *auth = g_strdup_printf("Authorization: Bearer %s",
		    o->bearer);

		h = curl_slist_append(h, auth);
		g_free(auth);
	}
	return h;
}

/* the HTTP-only options: the rest is rw_http's */
static void
setup(CURL *c, const struct snds_http_opts *o)
{
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	if (o->form != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, o->form);
}

/* rw_http_perform's status as a failure kind */
static enum snds_http_fail
fail_of(int rc)
{
	switch (rc) {
	case 0:
		return SNDS_HTTP_OK;
	case RW_EDATA:
		return SNDS_HTTP_TOO_BIG;
	case RW_ETEMP:
		return SNDS_HTTP_TRANSIENT;
	default:
		return SNDS_HTTP_ERROR;
	}
}

static char *
host_of(const char *url)
{
	GUri *u = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
	char *h = NULL;

	if (u != NULL) {
		h = g_strdup(g_uri_get_host(u));
		g_uri_unref(u);
	}
	return h;
}

bool
snds_loopback_host(const char *host)
{
	GInetAddress *a;
	bool lo;

	if (host == NULL)
		return false;
	if (g_ascii_strcasecmp(host, "localhost") == 0)
		return true;
	a = g_inet_address_new_from_string(host);
	if (a == NULL)
		return false;
	lo = g_inet_address_get_is_loopback(a);
	g_object_unref(a);
	return lo;
}

/*
 * The rule of the first URL holds for every hop: https://, or plain
 * http:// only from a loopback link to a loopback host (a test stand-in or
 * a local proxy). Without it a loopback link could send us, and the
 * report key in the query, to any http:// host.
 */
static enum snds_http_fail
check_redirect(const char *first, const char *next)
{
	char *h = host_of(next);
	char *fh = host_of(first);
	enum snds_http_fail f = SNDS_HTTP_OK;

	/*
	 * A target with no host (mailto:, "http:x") is no sign-in page:
	 * taking it for one would report an expired link (or mark an API
	 * login expired) for what is a bad redirect.
	 */
	if (h == NULL)
		f = SNDS_HTTP_REFUSED;
	else if (snds_sign_in_host(h))
		f = SNDS_HTTP_SIGN_IN;
	else if (g_ascii_strncasecmp(next, "https://", 8) == 0)
		f = SNDS_HTTP_OK;
	else if (g_ascii_strncasecmp(next, "http://", 7) != 0 ||
	    g_ascii_strncasecmp(first, "http://", 7) != 0 ||
	    !snds_loopback_host(fh) || !snds_loopback_host(h))
		f = SNDS_HTTP_REFUSED;
	g_free(h);
	g_free(fh);
	return f;
}

/* one hop; returns rw_http_perform's status, fills status and type */
static int
one_hop(struct rw_http *h, struct snds_http_resp *out, const char *url,
    const struct snds_http_opts *o, bool same_host)
{
	CURL *c = rw_http_curl(h);
	struct curl_slist *hd = headers_for(o, same_host);
	const char *ct = NULL;
	int rc;

	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
	rc = rw_http_perform(h, url);
	out->status = rw_http_response_code(h);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
	g_free(out->content_type);
	out->content_type = g_strdup(ct);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hd);
	return rc;
}

static void
follow(struct rw_http *h, struct snds_http_resp *out, const char *url,
    const struct snds_http_opts *o)
{
	char *first_host = host_of(url);
	char *cur = g_strdup(url);

	for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
		char *host = host_of(cur);
		const char *next = NULL;
		int rc = one_hop(h, out, cur, o,
		    g_strcmp0(host, first_host) == 0);

		g_free(host);
		out->fail = fail_of(rc);
		if (rc != 0 || out->status < 300 || out->status >= 400)
			break;
		curl_easy_getinfo(rw_http_curl(h), CURLINFO_REDIRECT_URL,
		    &next);
		if (next == NULL)
			break;
		out->fail = check_redirect(url, next);
		g_free(cur);
		cur = g_strdup(next);
		if (out->fail != SNDS_HTTP_OK)
			break;
		/* a redirected POST becomes a GET, as browsers do */
		curl_easy_setopt(rw_http_curl(h), CURLOPT_HTTPGET, 1L);
	}
	out->final_url = cur;
	g_free(first_host);
}

void
snds_http_request(struct snds_http_resp *out, const char *url,
    const struct snds_http_opts *o)
{
	const struct rw_http_opts ho = {
		.ca_file = o->ca_file,
		.connect_timeout = 30,
		.timeout = o->timeout > 0 ? o->timeout : 60L,
		.max_body = o->max_body,
	};
	/* the outcome is OUT's: what rw_http records is put back */
	struct rw_error_saved *saved = rw_error_save();
	struct rw_http *h = NULL;

	memset(out, 0, sizeof(*out));
	if (rw_http_new(&h, &ho) != 0) {
		out->fail = SNDS_HTTP_ERROR;
		g_strlcpy(out->error, "cannot start libcurl", sizeof(out->error));
		rw_error_restore(saved);
		return;
	}
	setup(rw_http_curl(h), o);
	follow(h, out, url, o);
	if (out->fail != SNDS_HTTP_OK)
		g_strlcpy(out->error, rw_http_result(h) != CURLE_OK ?
		    rw_http_reason(h) : "transfer failed", sizeof(out->error));
	out->body = rw_http_take_body(h, &out->len);
	rw_http_free(h);
	rw_error_restore(saved);
}

void
snds_http_resp_clear(struct snds_http_resp *r)
{
	g_free(r->content_type);
	g_free(r->body);
	g_free(r->final_url);
	memset(r, 0, sizeof(*r));
}

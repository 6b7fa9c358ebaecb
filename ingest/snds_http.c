/*
 * snds_http - libcurl underneath; see snds_http.h.
 */
#include <string.h>
#include <curl/curl.h>
#include <glib.h>
#include <gio/gio.h>

#include "ingest/snds_http.h"

#define MAX_REDIRECTS 5

struct sink {
	GString *body;
	long long max;
	bool too_big;
};

void
snds_http_init(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		g_once_init_leave(&done, 1);
	}
}

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

static size_t
on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	size_t len = size * n;

	if ((long long)(s->body->len + len) > s->max) {
		s->too_big = true;
		return 0; /* libcurl aborts the transfer */
	}
	g_string_append_len(s->body, data, (gssize)len);
	return len;
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

static void
setup(CURL *c, const struct snds_http_opts *o, struct sink *s, char *errbuf)
{
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	/* redirects are followed by hand (follow), each hop checked */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout > 0 ? o->timeout : 60L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_body);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "repwatch/" REPWATCH_VERSION);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	if (o->form != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, o->form);
}

static enum snds_http_fail
fail_of(CURLcode cc, const struct sink *s)
{
	switch (cc) {
	case CURLE_OK:
		return SNDS_HTTP_OK;
	case CURLE_FILESIZE_EXCEEDED:
		return SNDS_HTTP_TOO_BIG;
	case CURLE_WRITE_ERROR:
		return s->too_big ? SNDS_HTTP_TOO_BIG : SNDS_HTTP_ERROR;
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
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

/* one hop; returns the curl code, fills status and content type */
static CURLcode
one_hop(CURL *c, struct snds_http_resp *out, const char *url,
    const struct snds_http_opts *o, bool same_host)
{
	struct curl_slist *h = headers_for(o, same_host);
	const char *ct = NULL;
	CURLcode cc;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
	g_free(out->content_type);
	out->content_type = g_strdup(ct);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(h);
	return cc;
}

static void
follow(CURL *c, struct snds_http_resp *out, const char *url,
    const struct snds_http_opts *o, struct sink *s)
{
	char *first_host = host_of(url);
	char *cur = g_strdup(url);
	CURLcode cc = CURLE_OK;

	for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
		char *host = host_of(cur);
		const char *next = NULL;

		g_string_truncate(s->body, 0);
		cc = one_hop(c, out, cur, o, g_strcmp0(host, first_host) == 0);
		g_free(host);
		out->fail = fail_of(cc, s);
		if (cc != CURLE_OK || out->status < 300 || out->status >= 400)
			break;
		curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &next);
		if (next == NULL)
			break;
		out->fail = check_redirect(url, next);
		g_free(cur);
		cur = g_strdup(next);
		if (out->fail != SNDS_HTTP_OK)
			break;
		/* a redirected POST becomes a GET, as browsers do */
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	out->final_url = cur;
	g_free(first_host);
}

void
snds_http_request(struct snds_http_resp *out, const char *url,
    const struct snds_http_opts *o)
{
	struct sink s = {g_string_new(NULL), o->max_body, false};
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *c;

	memset(out, 0, sizeof(*out));
	snds_http_init();
	c = curl_easy_init();
	if (c == NULL) {
		out->fail = SNDS_HTTP_ERROR;
		g_strlcpy(out->error, "cannot start libcurl", sizeof(out->error));
		g_string_free(s.body, TRUE);
		return;
	}
	setup(c, o, &s, errbuf);
	follow(c, out, url, o, &s);
	if (out->fail != SNDS_HTTP_OK)
		g_strlcpy(out->error, errbuf[0] ? errbuf : "transfer failed",
		    sizeof(out->error));
	out->len = s.body->len;
	out->body = g_string_free(s.body, FALSE);
	curl_easy_cleanup(c);
}

void
snds_http_resp_clear(struct snds_http_resp *r)
{
	g_free(r->content_type);
	g_free(r->body);
	g_free(r->final_url);
	memset(r, 0, sizeof(*r));
}

/*
 * rw_http - libcurl set-up; see rw_http.h.
 */
#include <string.h>
#include <glib.h>

#include "common/rw_error.h"
#include "common/rw_http.h"
#include "common/rw_mask.h"

struct rw_http {
	CURL *curl;
	struct rw_http_opts o;
	char *name;              /* copy of o.name */
	GString *body;
	bool too_big;
	CURLcode result;
	char errbuf[CURL_ERROR_SIZE];
};

int
rw_http_init(void)
{
	static gsize done;

	if (g_once_init_enter(&done))
		g_once_init_leave(&done,
		    curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 1 : 2);
	return done == 1 ? 0 : rw_error_set(RW_ESOFTWARE, "cannot start "
	    "libcurl (curl_global_init failed)");
}

bool
rw_http_transient(CURLcode c)
{
	switch (c) {
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
		return true;
	default:
		return false;
	}
}

static size_t
on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct rw_http *h = ctx;
	size_t len = size * n;

	if (h->o.max_body <= 0)
		return len; /* read and dropped */
	if ((long long)(h->body->len + len) > h->o.max_body) {
		h->too_big = true;
		return 0; /* libcurl aborts the transfer */
	}
	g_string_append_len(h->body, data, (gssize)len);
	return len;
}

static void
setup(struct rw_http *h)
{
	CURL *c = h->curl;
	const struct rw_http_opts *o = &h->o;
	const char *protocols = o->protocols != NULL ? o->protocols :
	    "http,https";

	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protocols);
	/* a caller that follows redirects does it by hand, checking each */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	if (o->connect_timeout > 0)
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	if (o->timeout > 0)
		curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout);
	if (o->low_speed_time > 0) {
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT,
		    o->low_speed_limit);
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o->low_speed_time);
	}
	if (o->max_body > 0)
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)o->max_body);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "repwatch/" REPWATCH_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
}

int
rw_http_new(struct rw_http **out, const struct rw_http_opts *o)
{
	struct rw_http *h;
	int rc = rw_http_init();

	*out = NULL;
	if (rc != 0)
		return rc;
	h = g_new0(struct rw_http, 1);
	h->curl = curl_easy_init();
	if (h->curl == NULL) {
		g_free(h);
		return rw_error_set(RW_ESOFTWARE, "cannot start libcurl "
		    "(curl_easy_init failed)");
	}
	h->o = *o;
	h->name = g_strdup(o->name);
	h->o.name = h->name;
	h->body = g_string_new(NULL);
	setup(h);
	/* libcurl copied these strings; the caller's may go */
	h->o.protocols = h->o.ca_file = NULL;
	*out = h;
	return 0;
}

void
rw_http_free(struct rw_http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->curl);
	g_string_free(h->body, TRUE);
	g_free(h->name);
	g_free(h);
}

CURL *
rw_http_curl(struct rw_http *h)
{
	return h->curl;
}

int
rw_http_perform(struct rw_http *h, const char *url)
{
	char *masked;
	int rc;

	g_string_truncate(h->body, 0);
	h->too_big = false;
	h->errbuf[0] = '\0';
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	h->result = curl_easy_perform(h->curl);
	if (h->result == CURLE_OK)
		return 0;
	masked = h->name != NULL ? g_strdup(h->name) : rw_mask_url(url);
	if (h->result == CURLE_FILESIZE_EXCEEDED || h->too_big)
		rc = rw_error_set(RW_EDATA, "%s: response larger than %lld "
		    "bytes", masked, h->o.max_body);
	else
		rc = rw_error_set(rw_http_transient(h->result) ? RW_ETEMP :
		    RW_EUNAVAIL, "%s: %s", masked,
		    curl_easy_strerror(h->result));
	g_free(masked);
	return rc;
}

CURLcode
rw_http_result(const struct rw_http *h)
{
	return h->result;
}

const char *
rw_http_reason(const struct rw_http *h)
{
	return h->errbuf[0] != '\0' ? h->errbuf :
	    curl_easy_strerror(h->result);
}

const char *
rw_http_body(const struct rw_http *h, size_t *out_len)
{
	if (out_len != NULL)
		*out_len = h->body->len;
	return h->body->str;
}

char *
rw_http_take_body(struct rw_http *h, size_t *out_len)
{
	char *b;

	if (out_len != NULL)
		*out_len = h->body->len;
	b = g_string_free(h->body, FALSE);
	h->body = g_string_new(NULL);
	return b;
}

long
rw_http_response_code(struct rw_http *h)
{
	long code = 0;

	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
	return code;
}

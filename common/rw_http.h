/*
 * rw_http - the one place libcurl is configured: global initialisation
 * (once per process, thread-safe) and handles with TLS verification on,
 * a list of allowed protocols (redirects never followed by libcurl),
 * time-outs, a ceiling on the response body, a user agent and an error
 * buffer. Callers add only what their protocol needs (IMAP log-in, POST
 * bodies, headers) on rw_http_curl().
 */
#ifndef RW_HTTP_H
#define RW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <curl/curl.h>

struct rw_http_opts {
	const char *protocols;   /* "http,https" when NULL; "imap,imaps" */
	const char *ca_file;     /* extra CA file, NULL = system store */
	/* the URL as messages show it (already masked); NULL: rw_mask_url */
	const char *name;
	long connect_timeout;    /* seconds, 0 = libcurl's default */
	long timeout;            /* seconds for the whole transfer, 0 = none */
	long low_speed_limit;    /* bytes/s ... */
	long low_speed_time;     /* ... for this long (s): give up; 0 = off */
	/* response bodies are kept up to this many bytes and the transfer
	 * aborted past it; 0 = bodies are read and dropped */
	long long max_body;
};

struct rw_http;

/* rw_http_init - global libcurl setup, once per process (any thread) */
int rw_http_init(void);

/* rw_http_new - a handle configured from O (copied); RW_ESOFTWARE if none */
int rw_http_new(struct rw_http **out, const struct rw_http_opts *o);
void rw_http_free(struct rw_http *h);
/* rw_http_curl - the libcurl handle, for protocol-specific options */
CURL *rw_http_curl(struct rw_http *h);

/*
 * rw_http_perform - one transfer from URL (the body of a previous one is
 * dropped). Returns 0, or after rw_error_set naming the masked URL:
 * RW_EDATA when the body passed max_body, RW_ETEMP for a failure worth a
 * retry (rw_http_transient), RW_EUNAVAIL for any other. An HTTP error
 * status is no failure here: see rw_http_response_code.
 */
int rw_http_perform(struct rw_http *h, const char *url);

/* the last transfer: libcurl's code, its reason (the error buffer, which
 * may name the host), the body, the HTTP status */
CURLcode rw_http_result(const struct rw_http *h);
const char *rw_http_reason(const struct rw_http *h);
const char *rw_http_body(const struct rw_http *h, size_t *out_len);
/* rw_http_take_body - the body as a new NUL-terminated string */
char *rw_http_take_body(struct rw_http *h, size_t *out_len);
long rw_http_response_code(struct rw_http *h);

/* rw_http_transient - time-out, refused, reset, truncated: retry later */
bool rw_http_transient(CURLcode c);

#endif

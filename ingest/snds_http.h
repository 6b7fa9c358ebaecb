/*
 * snds_http - one HTTP exchange (common/rw_http), for SNDS and its OAuth
 * endpoints. TLS verification is always on; bodies are capped; redirects
 * are followed by hand so that a hop to a sign-in page is seen (and never
 * requested) and a bearer token never leaves the original host.
 */
#ifndef SNDS_HTTP_H
#define SNDS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

struct snds_http_opts {
	long timeout;            /* seconds for the whole exchange */
	long long max_body;      /* bytes */
	const char *ca_file;     /* extra CA file, NULL = system store */
	const char *bearer;      /* Authorization: Bearer, never logged */
	const char *form;        /* POST x-www-form-urlencoded when set */
};

enum snds_http_fail {
	SNDS_HTTP_OK,            /* a complete response arrived */
	SNDS_HTTP_TRANSIENT,     /* time-out, reset, truncated: retry */
	SNDS_HTTP_TOO_BIG,       /* body over max_body */
	SNDS_HTTP_SIGN_IN,       /* redirected to a sign-in page */
	SNDS_HTTP_REFUSED,       /* redirect to a scheme or host we do not
	                            allow (final_url names it) */
	SNDS_HTTP_ERROR,         /* anything else (DNS, TLS...) */
};

struct snds_http_resp {
	enum snds_http_fail fail;
	long status;
	char *content_type;
	char *body;              /* NUL-terminated, len bytes */
	size_t len;
	char *final_url;         /* secret-bearing: mask before printing */
	char error[256];         /* libcurl's reason, no URL in it */
};

/* snds_http_request - GET (or POST when o->form) URL; see fail */
void snds_http_request(struct snds_http_resp *out, const char *url,
    const struct snds_http_opts *o);
void snds_http_resp_clear(struct snds_http_resp *r);

/* snds_sign_in_host - HOST is one of Microsoft's sign-in hosts */
bool snds_sign_in_host(const char *host);
/* snds_loopback_host - "localhost" or a loopback address literal */
bool snds_loopback_host(const char *host);

#endif

/*
 * snds_classify - what an SNDS HTTP response means (reference section 1.5).
 *
 * SNDS answers an expired link or a missing login with a 200 and an HTML
 * page, and "no data yet" with an empty body, 204 or 404: neither may ever
 * be read as zero traffic or zero complaints.
 */
#ifndef SNDS_CLASSIFY_H
#define SNDS_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

enum snds_class {
	SNDS_CLASS_OK,          /* CSV body to parse */
	SNDS_CLASS_NO_DATA,     /* empty, 204, 404: retry on a later run */
	SNDS_CLASS_EXPIRED,     /* HTML, sign-in redirect, 401, 403, 410 */
	SNDS_CLASS_BAD_REQUEST, /* 400 and other 4xx: our request is wrong */
	SNDS_CLASS_TEMPORARY,   /* 5xx, 408, 429, transport failure */
};

struct snds_response {
	long status;               /* HTTP status, 0 = no response */
	const char *content_type;  /* may be NULL */
	const char *body;
	size_t len;
	const char *final_url;     /* after redirects, may be NULL */
};

struct snds_verdict {
	enum snds_class cls;
	char outcome[16];   /* snds_fetch_log.outcome value */
	char title[128];    /* HTML page title, "" when none */
	char why[256];      /* short lower-case explanation */
};

void snds_classify(struct snds_verdict *out, const struct snds_response *r);
const char *snds_class_name(enum snds_class cls);

/* snds_is_html - the body is an HTML document; TITLE (nullable) its title */
bool snds_is_html(char *title, size_t titlelen, const char *content_type,
    const char *body, size_t len);

#endif

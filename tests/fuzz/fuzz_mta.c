/*
 * fuzz_mta - the MTA log parsers and the classifier on arbitrary logs.
 * The first byte picks the format (Postfix, Exim, KumoMTA, PowerMTA); the
 * rest is split into lines fed in order to one parser, and each attempt
 * is classified. A line is an attempt, not an attempt, or RW_EDATA; every
 * output string is NUL-terminated within its buffer; classes, outcomes
 * and reply codes are in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "common/rw_error.h"
#include "mta/mta_classify.h"
#include "mta/mta_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* terminated - BUF (a char array) holds a NUL */
#define terminated(buf) (memchr((buf), '\0', sizeof(buf)) != NULL)

static void
check(const struct mta_attempt *a, const struct mta_classifier *c)
{
	struct mta_verdict v;

	if (!terminated(a->time) || !terminated(a->source_ip) ||
	    !terminated(a->answer_ip) || !terminated(a->service) ||
	    !terminated(a->rcpt_domain) || !terminated(a->mx_host) ||
	    !terminated(a->mx_ip) || !terminated(a->enhanced) ||
	    !terminated(a->scode) || !terminated(a->text))
		abort();
	if (a->outcome > MTA_BOUNCED || (a->reply != 0 &&
	    (a->reply < 200 || a->reply > 599)))
		abort();
	mta_classify(&v, c, a);
	if (v.cls > MTA_CLASS_BOUNCED_OTHER ||
	    (a->outcome == MTA_DELIVERED) != (v.cls == MTA_CLASS_DELIVERED))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mta_parser *p = NULL;
	struct mta_classifier *c = NULL;
	const char *s, *end;

	if (size < 1)
		return 0;
	if (mta_parser_new(&p, (enum mta_format)(data[0] % 4)) != 0 ||
	    mta_parser_add_services(p, "smtp-ip1:192.0.2.1 ip2:2001:db8::2")
	    != 0 || mta_parser_set_source_ip(p, "192.0.2.9") != 0 ||
	    mta_classifier_new(&c) != 0)
		abort();
	s = (const char *)data + 1;
	end = (const char *)data + size;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);
		struct mta_attempt a;
		bool found = false;
		int rc = mta_parse_line(&a, &found, p, s, n);

		if (rc != 0 && (rc != RW_EDATA || found))
			abort();
		if (found)
			check(&a, c);
		rw_error_clear();
		s += n + 1;
	}
	mta_classifier_free(c);
	mta_parser_free(p);
	return 0;
}

/*
 * arf_parse - one message in, one arf_record out.
 *
 * Recognises RFC 5965 ARF (also the 2026 JMRP ARF and the provider
 * quirks of the reference), legacy Microsoft JMRP (wrapper and inline),
 * and classifies everything else as not-a-report with a reason. Messages
 * over a limit, or that GMime cannot read, get the quarantine verdict.
 */
#ifndef ARF_PARSE_H
#define ARF_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "arf/arf_record.h"

struct rw_config;
struct arf_infra;

enum arf_keep {
	ARF_KEEP_HEADERS, /* wrapper headers, report fields, original headers */
	ARF_KEEP_FULL,
	ARF_KEEP_NONE,
};

struct arf_limits {
	size_t max_bytes;   /* whole message */
	int max_depth;      /* MIME nesting */
	int max_headers;    /* fields in one header block */
	size_t max_header_bytes; /* one header field, folded lines and all */
	size_t max_line_bytes;   /* one line */
	bool accept_dmarc;  /* store auth-failure reports */
	enum arf_keep keep;
	char **trace_headers; /* NULL-terminated, may be NULL; not owned */
	struct arf_infra *infra; /* provider tables; NULL: built-in only */
};

/* arf_limits_default - the built-in defaults of the [arf] section */
void arf_limits_default(struct arf_limits *out);
/*
 * arf_limits_from_config - [arf] settings; *out_trace must be freed with
 * g_strfreev after use (it backs out->trace_headers), and the limits
 * with arf_limits_clear (the provider tables).
 */
void arf_limits_from_config(struct arf_limits *out, char ***out_trace,
    const struct rw_config *cfg);
/* arf_limits_clear - free what arf_limits_from_config made */
void arf_limits_clear(struct arf_limits *lim);

/*
 * arf_parse - classify and read one message. INPUT names it in messages
 * (file, "mbox:offset", "imap:UID"). Never fails on bad data: the verdict
 * is in the record.
 */
int arf_parse(struct arf_record **out, const char *data, size_t len,
    const char *input, const struct arf_limits *lim);

#endif

/*
 * snds_show - stored SNDS rows as text, JSON lines or CSV ("snds show",
 * "snds status").
 */
#ifndef SNDS_SHOW_H
#define SNDS_SHOW_H

#include <stdio.h>
#include "common/rw_config.h"
#include "common/rw_db.h"

enum snds_format {
	SNDS_FMT_TEXT,
	SNDS_FMT_JSON,
	SNDS_FMT_CSV,
};

struct snds_show_opts {
	const char *source;  /* NULL = every source */
	const char *from;    /* YYYY-MM-DD; NULL = the latest stored day */
	const char *to;
	const char *ip;      /* an IP or CIDR, NULL = all */
	enum snds_format format;
};

/* snds_format_parse - "text", "json" or "csv"; RW_EUSAGE otherwise */
int snds_format_parse(enum snds_format *out, const char *text);

/* daily rows; activity times in each source's zone, ISO 8601 with offset */
int snds_show_daily(struct rw_db *db, const struct rw_config *cfg,
    const struct snds_show_opts *o, FILE *out);
/* the IP-status ranges of one snapshot day (FROM, or the latest) */
int snds_show_status(struct rw_db *db, const struct snds_show_opts *o,
    FILE *out);

#endif

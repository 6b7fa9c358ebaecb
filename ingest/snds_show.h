/*
 * snds_show - stored SNDS rows ("snds show") and IP-status ranges ("snds
 * status") as tables of text cells; app/ writes them (rw_rows).
 */
#ifndef SNDS_SHOW_H
#define SNDS_SHOW_H

#include "common/rw_config.h"
#include "common/rw_db.h"
#include "common/rw_rows.h"

struct snds_show_opts {
	const char *source;  /* NULL = every source */
	const char *from;    /* YYYY-MM-DD; NULL = the latest stored day */
	const char *to;      /* NULL = the latest stored day of the selection */
	const char *ip;      /* an IP or CIDR, NULL = all */
};

/*
 * A table: the columns (name, JSON kind) and the rows, each an array of
 * NCOLS cells as text, NULL for SQL NULL; booleans are "true" or "false".
 */
struct snds_table {
	const struct rw_col *cols;
	size_t ncols;
	GPtrArray *rows;     /* char *[ncols] */
};

void snds_table_clear(struct snds_table *t);

/*
 * snds_show_daily - daily rows: source, ip, day, activity_start and
 * activity_end (ISO 8601 in each source's zone, with offset), the counts,
 * filter, complaint rates, trap_hits, sample_helo, jmr_p1_sender,
 * comments. *OUT is set up even on failure (clear it).
 */
int snds_show_daily(struct snds_table *out, struct rw_db *db,
    const struct rw_config *cfg, const struct snds_show_opts *o);
/*
 * snds_show_status - the IP-status ranges of one snapshot day (FROM, or the
 * latest): source, day, first_ip, last_ip, blocked, reason
 */
int snds_show_status(struct snds_table *out, struct rw_db *db,
    const struct snds_show_opts *o);

#endif

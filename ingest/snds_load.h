/*
 * snds_load - SNDS reports into PostgreSQL.
 *
 * Data reports: parsed rows are COPYed into a temporary staging table, then
 * merged into repwatch.snds_daily with one INSERT ... ON CONFLICT DO UPDATE
 * keyed by (source, ip, activity_start), so loading a day again is
 * idempotent and a revised day replaces the old values. A day not stored
 * yet is COPYed into repwatch.snds_daily directly, falling back to the
 * staged merge when a row collides (same result, one more pass). IP-status reports
 * replace the snapshot of their day. Rejected rows go to
 * repwatch.snds_reject; one repwatch.snds_fetch_log row records the load.
 * Everything of one load is one transaction.
 */
#ifndef SNDS_LOAD_H
#define SNDS_LOAD_H

#include <stdbool.h>
#include "common/rw_db.h"
#include "ingest/snds_csv.h"
#include "ingest/snds_fetchlog.h"

struct snds_load_opts {
	enum snds_csv_kind kind;
	const char *source;
	const char *tz;            /* IANA zone of the source */
	const char *day;           /* data: requested day or NULL;
	                              status: the snapshot day (required) */
	const char *input;         /* file name or masked URL, for messages */
	const struct snds_csv_limits *limits; /* NULL = defaults */
	struct snds_fetch_rec log; /* http_status, sha256... from the fetch */
	long long max_bytes;       /* file: ceiling, 0 = SNDS_FILE_MAX */
};

/* bytes read at most from one report file (a day of 7 M IPs) */
#define SNDS_FILE_MAX (1024LL * 1024 * 1024)

struct snds_load_result {
	long rows;          /* rows merged (data) or ranges stored (status) */
	long rejected;
	long headers;
	long duplicates;    /* data rows superseded by a later line */
	long long fetch_id;
	char day_min[11];   /* data: first and last activity day loaded */
	char day_max[11];
};

/* snds_load_buffer - one whole report already in memory */
int snds_load_buffer(struct snds_load_result *out, struct rw_db *db,
    const struct snds_load_opts *opts, const char *body, size_t len);
/*
 * snds_load_file - stream a local file (manual export or raw replay): a
 * regular file or a FIFO/pipe, at most opts->max_bytes; a device or a
 * directory is refused (RW_EDATA) before anything is read.
 */
int snds_load_file(struct snds_load_result *out, struct rw_db *db,
    const struct snds_load_opts *opts, const char *path);

#endif

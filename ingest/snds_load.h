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

/* what the fetch log row says (snds_fetch_log columns) */
struct snds_fetch_rec {
	const char *source;
	const char *day;          /* YYYY-MM-DD or NULL */
	const char *kind;         /* data, status, token, login */
	const char *url_masked;   /* masked URL or "file:PATH" */
	long http_status;         /* 0 = none */
	long long bytes;          /* -1 = unknown */
	long rows_loaded;         /* -1 = unknown */
	long rows_rejected;
	const char *body_sha256;  /* NULL = none */
	const char *raw_path;
	const char *outcome;      /* snds_fetch_log.outcome */
	const char *message;      /* never holds a key */
	gint64 started_at;        /* g_get_real_time() microseconds, 0 = now */
};

/* snds_fetch_log_write - insert REC; *out_id (nullable) gets the id */
int snds_fetch_log_write(long long *out_id, struct rw_db *db,
    const struct snds_fetch_rec *rec);

struct snds_load_opts {
	enum snds_csv_kind kind;
	const char *source;
	const char *tz;            /* IANA zone of the source */
	const char *day;           /* data: requested day or NULL;
	                              status: the snapshot day (required) */
	const char *input;         /* file name or masked URL, for messages */
	const struct snds_csv_limits *limits; /* NULL = defaults */
	struct snds_fetch_rec log; /* http_status, sha256... from the fetch */
};

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
/* snds_load_file - stream a local file (manual export or raw replay) */
int snds_load_file(struct snds_load_result *out, struct rw_db *db,
    const struct snds_load_opts *opts, const char *path);

/* totals of snds_load_files */
struct snds_load_totals {
	int files;
	long rows;
	long rejected;
	int failed;         /* files that could not be loaded at all */
};

/*
 * snds_load_files - load PATHS (data reports, or status reports when
 * STATUS) for SOURCE read in zone TZ; DAY (nullable) is the requested day,
 * else a status file's day comes from a YYYY-MM-DD in its name, else
 * today. Each file is its own transaction. Returns RW_EDATA when any row
 * was rejected, the first hard error otherwise.
 */
int snds_load_files(struct snds_load_totals *out, struct rw_db *db,
    const char *source, const char *tz, bool status, const char *day,
    const char *const *paths, int npaths);

/*
 * snds_load_dir - a directory of saved reports (the demo's sample data):
 * every data-*.csv in name order, then every status-*.csv, whose snapshot
 * day is the YYYY-MM-DD in its name. Totals cover both kinds.
 */
int snds_load_dir(struct snds_load_totals *out, struct rw_db *db,
    const char *source, const char *tz, const char *dir);

#endif

/*
 * snds_fetchlog - the fetch log: one row per HTTP request (or local load)
 * and its outcome, never holding a key; the analyzer's data-health rules
 * read it.
 */
#ifndef SNDS_FETCHLOG_H
#define SNDS_FETCHLOG_H

#include <glib.h>
#include "common/rw_db.h"

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

#endif

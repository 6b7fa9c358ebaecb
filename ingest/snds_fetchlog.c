/*
 * snds_fetchlog - one row of repwatch.snds_fetch_log (see snds_fetchlog.h).
 */
#include <glib.h>

#include "ingest/snds_fetchlog.h"

static char *
opt_ll(long long v)
{
	return v < 0 ? NULL : g_strdup_printf("%lld", v);
}

int
snds_fetch_log_write(long long *out_id, struct rw_db *db,
    const struct snds_fetch_rec *rec)
{
	static const char sql[] =
	    "INSERT INTO repwatch.snds_fetch_log (id, source, day, kind,"
	    " started_at, finished_at, url_masked, http_status, bytes,"
	    " rows_loaded, rows_rejected, body_sha256, raw_path, outcome,"
	    " message) VALUES (COALESCE($1::bigint, nextval("
	    "pg_get_serial_sequence('repwatch.snds_fetch_log', 'id'))),"
	    " $2, $3::date, $4, COALESCE(to_timestamp($5::double precision"
	    " / 1e6), now()), now(), $6, $7::integer, $8::bigint,"
	    " $9::integer, $10::integer, $11, $12, $13, $14) RETURNING id";
	char *num[6];
	const char *p[14];
	char *id = NULL;
	int rc;

	num[0] = out_id != NULL ? opt_ll(*out_id > 0 ? *out_id : -1) : NULL;
	num[1] = rec->started_at > 0 ? opt_ll(rec->started_at) : NULL;
	num[2] = rec->http_status > 0 ? opt_ll(rec->http_status) : NULL;
	num[3] = opt_ll(rec->bytes);
	num[4] = opt_ll(rec->rows_loaded);
	num[5] = opt_ll(rec->rows_rejected);
	p[0] = num[0];
	p[1] = rec->source;
	p[2] = rec->day;
	p[3] = rec->kind;
	p[4] = num[1];
	p[5] = rec->url_masked;
	p[6] = num[2];
	p[7] = num[3];
	p[8] = num[4];
	p[9] = num[5];
	p[10] = rec->body_sha256;
	p[11] = rec->raw_path;
	p[12] = rec->outcome;
	p[13] = rec->message;
	rc = rw_db_query1(&id, db, sql, 14, p);
	if (rc == 0 && out_id != NULL && id != NULL)
		*out_id = g_ascii_strtoll(id, NULL, 10);
	g_free(id);
	for (size_t i = 0; i < G_N_ELEMENTS(num); i++)
		g_free(num[i]);
	return rc;
}

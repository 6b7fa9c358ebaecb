/*
 * snds_load - SNDS reports into PostgreSQL (see snds_load.h).
 *
 * The parser streams rows straight into COPY, so memory stays flat however
 * large the report; only rejects (capped) are held until the COPY ends,
 * because the connection cannot run other statements during a COPY.
 *
 * A data report takes one of two paths. A day the database has no rows of
 * yet is COPYed straight into repwatch.snds_daily: no staging pass, no
 * sort, no merge, which is most of the cost of a large report. Should a
 * row collide with a stored one (or the report hold the same IP and period
 * twice), the unique index stops the COPY, the transaction is rolled back
 * and the report is read again through the staging table and the merge,
 * which gives the same result as if it had taken that path first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_util.h"
#include "ingest/snds_load.h"
#include "ingest/snds_load_int.h"

#define REJECTS_KEPT 10000
#define REJECTS_LOGGED 5 /* rejects named on stderr per input */
#define SQLSTATE_UNIQUE "23505"

struct reject_row {
	long line;
	char *raw;
	char *reason;
};

struct ts_memo {
	gint64 utc;
	char text[40];                    /* "" = nothing remembered */
};

struct snds_loader {
	struct rw_db *db;
	struct snds_load_opts o;
	char *source, *tz, *day, *input; /* owned copies of o's strings */
	struct snds_csv *csv;
	struct rw_copy *copy;
	bool try_direct;                  /* a first pass: direct if new */
	bool started;                     /* the COPY has begun */
	bool direct;                      /* COPY into snds_daily itself */
	bool copy_failed;                 /* the server stopped the COPY */
	struct ts_memo ts[4];             /* start, end, trap start, end */
	bool in_tx;
	GPtrArray *rejects;
	long rejected;
	long long fetch_id;
	long long bytes;
	GChecksum *sha;
	char day_min[11], day_max[11];
	int status;                       /* first COPY failure */
};

static const char data_stage_sql[] =
    "CREATE TEMPORARY TABLE snds_stage ("
    " ip inet, s bigint, e bigint, day date, rcpt bigint, dat bigint,"
    " rcp bigint, filter text, rate text, lo numeric, hi numeric,"
    " hi_open boolean, ts bigint, te bigint, hits integer, helo text,"
    " sender text, comments text, raw_s text, raw_e text, line integer"
    ") ON COMMIT DROP";
static const char data_stage_cols[] =
    "ip, s, e, day, rcpt, dat, rcp, filter, rate, lo, hi, hi_open, ts, te,"
    " hits, helo, sender, comments, raw_s, raw_e, line";

#define DAILY_COLS \
    "source, ip, activity_start, activity_end, day, rcpt_commands," \
    " data_commands, recipients, filter, complaint_rate_text," \
    " complaint_rate_low, complaint_rate_high, complaint_rate_high_open," \
    " trap_start, trap_end, trap_hits, sample_helo, jmr_p1_sender," \
    " comments, raw_start, raw_end, fetch_id"
static const char daily_cols[] = DAILY_COLS;

static const char status_stage_sql[] =
    "CREATE TEMPORARY TABLE snds_stage ("
    " first_ip inet, last_ip inet, blocked boolean, reason text,"
    " line integer) ON COMMIT DROP";
static const char status_stage_cols[] =
    "first_ip, last_ip, blocked, reason, line";

/*
 * One statement merges the report. Rows go in primary-key order, which
 * keeps the index inserts local (measurably faster than file order), and
 * the same sort gives DISTINCT ON for free: when a report holds the same
 * IP and period twice, the later line wins.
 */
#define MERGE_COLS "(" DAILY_COLS ", loaded_at) "
#define MERGE_SELECT \
    "SELECT DISTINCT ON (ip, s) $1, ip, to_timestamp(s), to_timestamp(e)," \
    " day, rcpt, dat, rcp, filter, rate, lo, hi, hi_open," \
    " to_timestamp(ts), to_timestamp(te), hits, helo, sender, comments," \
    " raw_s, raw_e, $2::bigint, now() FROM pg_temp.snds_stage" \
    " ORDER BY ip, s, line DESC "
#define MERGE_CONFLICT \
    "ON CONFLICT (source, ip, activity_start) DO UPDATE SET" \
    " activity_end = EXCLUDED.activity_end, day = EXCLUDED.day," \
    " rcpt_commands = EXCLUDED.rcpt_commands," \
    " data_commands = EXCLUDED.data_commands," \
    " recipients = EXCLUDED.recipients, filter = EXCLUDED.filter," \
    " complaint_rate_text = EXCLUDED.complaint_rate_text," \
    " complaint_rate_low = EXCLUDED.complaint_rate_low," \
    " complaint_rate_high = EXCLUDED.complaint_rate_high," \
    " complaint_rate_high_open = EXCLUDED.complaint_rate_high_open," \
    " trap_start = EXCLUDED.trap_start, trap_end = EXCLUDED.trap_end," \
    " trap_hits = EXCLUDED.trap_hits, sample_helo = EXCLUDED.sample_helo," \
    " jmr_p1_sender = EXCLUDED.jmr_p1_sender," \
    " comments = EXCLUDED.comments, raw_start = EXCLUDED.raw_start," \
    " raw_end = EXCLUDED.raw_end, fetch_id = EXCLUDED.fetch_id," \
    " loaded_at = EXCLUDED.loaded_at"

static const char merge_sql[] =
    "INSERT INTO repwatch.snds_daily " MERGE_COLS MERGE_SELECT MERGE_CONFLICT;
/* ---- parser callbacks: rows into COPY ---- */

static int start_data_copy(struct snds_loader *l, const char *day);

static void
copy_time(struct rw_copy *c, bool has, const struct snds_time *t)
{
	if (has)
		rw_copy_field_int(c, t->utc);
	else
		rw_copy_field(c, NULL);
}

static void
track_day(struct snds_loader *l, const char *day)
{
	if (l->day_min[0] == '\0' || strcmp(day, l->day_min) < 0)
		g_strlcpy(l->day_min, day, sizeof(l->day_min));
	if (strcmp(day, l->day_max) > 0)
		g_strlcpy(l->day_max, day, sizeof(l->day_max));
}

/*
 * a timestamptz for COPY: UTC seconds written with an explicit +00. Rows
 * repeat the same few instants, so each column remembers its last one.
 */
static void
copy_timestamptz(struct snds_loader *l, int col, bool has,
    const struct snds_time *t)
{
	struct ts_memo *m = &l->ts[col];
	time_t secs = (time_t)t->utc;
	struct tm tm;

	if (!has) {
		rw_copy_field(l->copy, NULL);
		return;
	}
	if (m->text[0] == '\0' || m->utc != t->utc) {
		if (gmtime_r(&secs, &tm) == NULL || strftime(m->text,
		    sizeof(m->text), "%Y-%m-%d %H:%M:%S+00", &tm) == 0) {
			m->text[0] = '\0';
			rw_copy_field(l->copy, NULL);
			return;
		}
		m->utc = t->utc;
	}
	rw_copy_field(l->copy, m->text);
}

/* the columns both paths write the same way, from rcpt_commands to
 * trap_hits minus the timestamps */
static void
copy_counts_and_rate(struct rw_copy *c, const struct snds_data_row *r)
{
	rw_copy_field_int(c, r->rcpt_commands);
	rw_copy_field_int(c, r->data_commands);
	rw_copy_field_int(c, r->recipients);
	rw_copy_field(c, snds_filter_name(r->filter));
	rw_copy_field(c, r->rate_text);
	rw_copy_field(c, r->rate.low_frac);
	rw_copy_field(c, r->rate.high_frac);
	rw_copy_field(c, r->rate.high_open ? "t" : "f");
}

static void
copy_texts(struct rw_copy *c, const struct snds_data_row *r)
{
	if (r->trap_hits >= 0)
		rw_copy_field_int(c, r->trap_hits);
	else
		rw_copy_field(c, NULL);
	rw_copy_field(c, r->sample_helo);
	rw_copy_field(c, r->jmr_p1_sender);
	rw_copy_field(c, r->comments);
	rw_copy_field(c, r->raw_start);
	rw_copy_field(c, r->raw_end);
}

/* one row in snds_daily's own shape (DAILY_COLS) */
static void
copy_daily_row(struct snds_loader *l, const struct snds_data_row *r)
{
	struct rw_copy *c = l->copy;

	rw_copy_field(c, l->source);
	rw_copy_field(c, r->ip);
	copy_timestamptz(l, 0, true, &r->start);
	copy_timestamptz(l, 1, true, &r->end);
	rw_copy_field(c, r->start.day);
	copy_counts_and_rate(c, r);
	copy_timestamptz(l, 2, r->has_trap_start, &r->trap_start);
	copy_timestamptz(l, 3, r->has_trap_end, &r->trap_end);
	copy_texts(c, r);
	rw_copy_field_int(c, l->fetch_id);
}

/* one row in the staging table's shape (data_stage_cols) */
static void
copy_stage_row(struct snds_loader *l, const struct snds_data_row *r)
{
	struct rw_copy *c = l->copy;

	rw_copy_field(c, r->ip);
	rw_copy_field_int(c, r->start.utc);
	rw_copy_field_int(c, r->end.utc);
	rw_copy_field(c, r->start.day);
	copy_counts_and_rate(c, r);
	copy_time(c, r->has_trap_start, &r->trap_start);
	copy_time(c, r->has_trap_end, &r->trap_end);
	copy_texts(c, r);
	rw_copy_field_int(c, r->line);
}

static int
on_data(void *ctx, const struct snds_data_row *r)
{
	struct snds_loader *l = ctx;
	int rc;

	if (!l->started && (rc = start_data_copy(l, r->start.day)) != 0)
		return rc;
	if (l->direct)
		copy_daily_row(l, r);
	else
		copy_stage_row(l, r);
	track_day(l, r->start.day);
	rc = rw_copy_end_row(l->copy);
	if (rc != 0)
		l->copy_failed = true;
	return rc;
}

static int
on_status(void *ctx, const struct snds_status_row *r)
{
	struct snds_loader *l = ctx;
	struct rw_copy *c = l->copy;
	int rc;

	rw_copy_field(c, r->first_ip);
	rw_copy_field(c, r->last_ip);
	rw_copy_field(c, r->blocked ? "t" : "f");
	rw_copy_field(c, r->reason);
	rw_copy_field_int(c, r->line);
	rc = rw_copy_end_row(c);
	if (rc != 0)
		l->copy_failed = true;
	return rc;
}

static void
reject_row_free(void *p)
{
	struct reject_row *r = p;

	g_free(r->raw);
	g_free(r->reason);
	g_free(r);
}

static int
on_reject(void *ctx, const struct snds_reject *rej)
{
	struct snds_loader *l = ctx;
	struct reject_row *r;

	l->rejected++;
	/* the first few named where they are; all in repwatch.snds_reject */
	if (l->rejected <= REJECTS_LOGGED)
		rw_log_warning("%s:%ld: row rejected: %s", l->input != NULL ?
		    l->input : l->source, rej->line, rej->reason);
	if (l->rejects->len >= REJECTS_KEPT)
		return 0;
	r = g_new0(struct reject_row, 1);
	r->line = rej->line;
	r->raw = g_strdup(rej->raw);
	r->reason = g_strdup(rej->reason);
	g_ptr_array_add(l->rejects, r);
	return 0;
}

/* ---- loader ---- */

/* set_horizon - rows may start at most one day after today in the
 * source's zone (slack for clocks and zones); a later one would become the
 * "latest" day the alerts follow (issue 17) */
static int
set_horizon(struct snds_loader *l)
{
	char today[11], max[11];
	GDate d;

	rw_today_in(today, l->tz);
	if (rw_parse_date(&d, today) != 0)
		return 0;
	g_date_add_days(&d, 1);
	rw_format_date(max, &d);
	snds_csv_set_max_day(l->csv, max);
	/* an IP-status snapshot of a future day would be the latest one */
	if (l->o.kind == SNDS_CSV_STATUS && l->day != NULL &&
	    strcmp(l->day, max) > 0)
		return rw_error_set(RW_EDATA, "%s: IP-status report day %s is "
		    "in the future (after %s, the day after today in the "
		    "source's zone)", l->input != NULL ? l->input : l->source,
		    l->day, max);
	return 0;
}

static void snds_loader_free(struct snds_loader *l);

static int
reserve_fetch_id(struct snds_loader *l)
{
	char *id = NULL;
	int rc = rw_db_query1(&id, l->db, "SELECT nextval(pg_get_serial_"
	    "sequence('repwatch.snds_fetch_log', 'id'))", 0, NULL);

	if (rc == 0)
		l->fetch_id = g_ascii_strtoll(id, NULL, 10);
	g_free(id);
	return rc;
}

/*
 * day_is_new - whether SOURCE has no rows of DAY yet, the day of the
 * report's first row: then the direct path will most likely not collide
 * (a report is one day; should a later row collide after all, the load
 * costs one more pass, nothing else).
 */
static int
day_is_new(bool *out, struct snds_loader *l, const char *day)
{
	static const char sql[] =
	    "SELECT NOT EXISTS (SELECT 1 FROM repwatch.snds_daily"
	    " WHERE day = $2::date AND source = $1)";
	const char *p[2] = {l->source, day};
	char *v = NULL;
	int rc = rw_db_query1(&v, l->db, sql, 2, p);

	*out = rc == 0 && v != NULL && strcmp(v, "t") == 0;
	g_free(v);
	return rc;
}

static int
begin_copy(struct snds_loader *l)
{
	bool data = l->o.kind == SNDS_CSV_DATA;
	int rc;

	l->started = true;
	if (l->direct)
		return rw_copy_begin(&l->copy, l->db, "repwatch.snds_daily",
		    daily_cols);
	rc = rw_db_exec(l->db, data ? data_stage_sql : status_stage_sql);
	if (rc == 0)
		rc = rw_copy_begin(&l->copy, l->db, "pg_temp.snds_stage",
		    data ? data_stage_cols : status_stage_cols);
	return rc;
}

/*
 * A status report's COPY starts at once (an empty report still replaces
 * the snapshot); a data report's with its first row, whose day decides
 * the path.
 */
static int
loader_start(struct snds_loader *l)
{
	int rc = rw_db_begin(l->db);

	if (rc != 0)
		return rc;
	l->in_tx = true;
	rc = reserve_fetch_id(l);
	if (rc == 0 && l->o.kind == SNDS_CSV_STATUS)
		rc = begin_copy(l);
	return rc;
}

static int
start_data_copy(struct snds_loader *l, const char *day)
{
	int rc = 0;

	if (l->try_direct)
		rc = day_is_new(&l->direct, l, day);
	return rc == 0 ? begin_copy(l) : rc;
}

int
snds_loader_new(struct snds_loader **out, struct rw_db *db,
    const struct snds_load_opts *opts, bool try_direct)
{
	static const struct snds_csv_callbacks cb = {
		on_data, on_status, on_reject,
	};
	struct snds_loader *l = g_new0(struct snds_loader, 1);
	int rc;

	*out = NULL;
	l->db = db;
	l->o = *opts;
	l->try_direct = try_direct;
	l->source = g_strdup(opts->source);
	l->tz = g_strdup(opts->tz);
	l->day = g_strdup(opts->day);
	l->input = g_strdup(opts->input);
	l->rejects = g_ptr_array_new_with_free_func(reject_row_free);
	l->sha = g_checksum_new(G_CHECKSUM_SHA256);
	rc = snds_csv_new(&l->csv, opts->kind, l->tz, opts->limits, &cb, l);
	if (rc == 0)
		rc = set_horizon(l);
	if (rc == 0)
		rc = loader_start(l);
	if (rc != 0) {
		snds_loader_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

int
snds_loader_feed(struct snds_loader *l, const char *buf, size_t len)
{
	if (l->status != 0)
		return l->status;
	l->bytes += (long long)len;
	g_checksum_update(l->sha, (const guchar *)buf, (gssize)len);
	l->status = snds_csv_feed(l->csv, buf, len);
	return l->status;
}

static int
merge_data(long *out_rows, struct snds_loader *l)
{
	char *id = g_strdup_printf("%lld", l->fetch_id);
	const char *p[2] = {l->source, id};
	PGresult *r = NULL;
	/* the sort of a large report stays in memory */
	int rc = rw_db_exec(l->db, "SET LOCAL work_mem = '64MB'");

	if (rc == 0)
		rc = rw_db_query(&r, l->db, merge_sql, 2, p);
	if (rc == 0)
		*out_rows = g_ascii_strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	g_free(id);
	return rc;
}

static int
merge_status(long *out_rows, struct snds_loader *l)
{
	static const char del_sql[] =
	    "DELETE FROM repwatch.snds_status_snapshot"
	    " WHERE source = $1 AND day = $2::date";
	static const char snap_sql[] =
	    "INSERT INTO repwatch.snds_status_snapshot (source, day, ranges,"
	    " fetch_id) SELECT $1, $2::date, count(DISTINCT (first_ip,"
	    " last_ip)), $3::bigint FROM pg_temp.snds_stage";
	static const char ranges_sql[] =
	    "INSERT INTO repwatch.snds_ip_status (source, day, first_ip,"
	    " last_ip, blocked, reason) SELECT DISTINCT ON (first_ip, last_ip)"
	    " $1, $2::date, first_ip, last_ip, blocked, reason"
	    " FROM pg_temp.snds_stage ORDER BY first_ip, last_ip, line DESC";
	char *id = g_strdup_printf("%lld", l->fetch_id);
	const char *p[3] = {l->source, l->day, id};
	PGresult *r = NULL;
	int rc = rw_db_query(NULL, l->db, del_sql, 2, p);

	if (rc == 0)
		rc = rw_db_query(NULL, l->db, snap_sql, 3, p);
	if (rc == 0)
		rc = rw_db_query(&r, l->db, ranges_sql, 2, p);
	if (rc == 0)
		*out_rows = g_ascii_strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	g_free(id);
	return rc;
}

static int
store_rejects(struct snds_loader *l)
{
	struct rw_copy *c = NULL;
	const char *kind = l->o.kind == SNDS_CSV_DATA ? "data" : "status";
	int rc;

	if (l->rejects->len == 0)
		return 0;
	rc = rw_copy_begin(&c, l->db, "repwatch.snds_reject",
	    "source, day, kind, input, line, raw, reason, fetch_id");
	for (guint i = 0; rc == 0 && i < l->rejects->len; i++) {
		const struct reject_row *r = g_ptr_array_index(l->rejects, i);

		rw_copy_field(c, l->source);
		rw_copy_field(c, l->day);
		rw_copy_field(c, kind);
		rw_copy_field(c, l->input);
		rw_copy_field_int(c, r->line);
		rw_copy_field(c, r->raw);
		rw_copy_field(c, r->reason);
		rw_copy_field_int(c, l->fetch_id);
		rc = rw_copy_end_row(c);
	}
	if (rc == 0)
		return rw_copy_finish(c, NULL);
	rw_copy_abort(c, "reject rows failed");
	return rc;
}

static const char *
load_outcome(const struct snds_loader *l, long rows)
{
	if (l->rejected > 0)
		return "rejected";
	if (l->o.kind == SNDS_CSV_DATA && rows == 0)
		return "no-data";
	return "ok";
}

static int
write_log(struct snds_loader *l, long rows, const char *outcome,
    const char *message)
{
	struct snds_fetch_rec rec = l->o.log;
	long long id = l->fetch_id;

	rec.source = l->source;
	rec.day = l->day;
	rec.kind = l->o.kind == SNDS_CSV_DATA ? "data" : "status";
	if (rec.url_masked == NULL)
		rec.url_masked = l->input;
	rec.bytes = l->bytes;
	rec.rows_loaded = rows;
	rec.rows_rejected = l->rejected;
	if (rec.body_sha256 == NULL)
		rec.body_sha256 = g_checksum_get_string(l->sha);
	rec.outcome = outcome;
	rec.message = message;
	return snds_fetch_log_write(&id, l->db, &rec);
}

static int
finish_copy(long long *out_rows, struct snds_loader *l)
{
	int rc = l->status != 0 ? l->status : snds_csv_finish(l->csv);
	struct rw_copy *c = l->copy;

	l->copy = NULL;
	if (c == NULL)  /* a data report without a row */
		return rc;
	if (rc != 0 && !l->copy_failed) {
		rw_copy_abort(c, "load failed");
		return rc;
	}
	/* after a refused row, finishing reads the server's reason */
	return rw_copy_finish(c, out_rows);
}

/* a collision on the direct path: roll back and let the caller retry */
static int
direct_collided(struct snds_loader *l, int rc)
{
	if (!l->direct || rc == 0 ||
	    strcmp(rw_db_sqlstate(l->db), SQLSTATE_UNIQUE) != 0)
		return rc;
	rw_log_debug("%s: rows already stored, loading through the merge",
	    l->input != NULL ? l->input : l->source);
	rw_error_clear();
	if (rw_db_rollback(l->db) != 0)
		return rw_error_code();
	l->in_tx = false;
	return SNDS_LOAD_RETRY;
}

static int
loader_rows(struct snds_load_result *out, struct snds_loader *l)
{
	long long copied = 0;
	int rc = direct_collided(l, finish_copy(&copied, l));

	if (rc != 0)
		return rc;
	if (l->direct || !l->started)
		out->rows = (long)copied;
	else
		rc = l->o.kind == SNDS_CSV_DATA ? merge_data(&out->rows, l) :
		    merge_status(&out->rows, l);
	return rc;
}

static int
loader_merge(struct snds_load_result *out, struct snds_loader *l)
{
	struct snds_csv_stats st;
	int rc = loader_rows(out, l);

	snds_csv_get_stats(&st, l->csv);
	if (rc == SNDS_LOAD_RETRY)
		return rc;
	if (rc == 0)
		rc = store_rejects(l);
	if (rc == 0)
		rc = write_log(l, out->rows, load_outcome(l, out->rows),
		    l->o.log.message);
	if (rc == 0)
		rc = rw_db_commit(l->db);
	if (rc == 0)
		l->in_tx = false;
	out->rejected = l->rejected;
	out->headers = st.headers;
	if (l->o.kind == SNDS_CSV_DATA && rc == 0)
		out->duplicates = st.rows - out->rows;
	return rc;
}

/*
 * After a failed load the transaction is rolled back and a failure row is
 * logged on its own, keeping the recorded error for the caller.
 */
static void
log_failure(struct snds_loader *l, int code)
{
	char *msg = g_strdup(rw_error_message());
	char *detail = g_strdup(rw_error_get_detail());
	char *hint = g_strdup(rw_error_get_hint());

	if (l->copy != NULL) {
		rw_copy_abort(l->copy, "load failed");
		l->copy = NULL;
	}
	if (l->in_tx && rw_db_rollback(l->db) == 0)
		l->in_tx = false;
	if (!l->in_tx && write_log(l, 0, code == RW_ETEMP ? "temporary" :
	    "error", msg) != 0)
		rw_log_warning("cannot record the failed load in the fetch "
		    "log: %s", rw_error_message());
	rw_error_set(code, "%s", msg);
	if (detail != NULL && *detail != '\0')
		rw_error_detail("%s", detail);
	if (hint != NULL && *hint != '\0')
		rw_error_hint("%s", hint);
	g_free(msg);
	g_free(detail);
	g_free(hint);
}

/*
 * snds_loader_commit - finish parsing, merge, store rejects and the fetch
 * log row, COMMIT. Frees L whatever happens. SNDS_LOAD_RETRY when the
 * direct COPY collided (rolled back, nothing logged).
 */
static int
snds_loader_commit(struct snds_load_result *out, struct snds_loader *l)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = loader_merge(out, l);
	out->fetch_id = l->fetch_id;
	g_strlcpy(out->day_min, l->day_min, sizeof(out->day_min));
	g_strlcpy(out->day_max, l->day_max, sizeof(out->day_max));
	if (rc < 0)
		log_failure(l, rc);
	snds_loader_free(l);
	return rc;
}

/* snds_loader_free - ROLLBACK if still open; NULL is a no-op */
static void
snds_loader_free(struct snds_loader *l)
{
	if (l == NULL)
		return;
	if (l->copy != NULL)
		rw_copy_abort(l->copy, "load abandoned");
	if (l->in_tx && rw_db_rollback(l->db) != 0)
		rw_error_clear();
	snds_csv_free(l->csv);
	g_ptr_array_free(l->rejects, TRUE);
	g_checksum_free(l->sha);
	g_free(l->source);
	g_free(l->tz);
	g_free(l->day);
	g_free(l->input);
	g_free(l);
}

int
snds_loader_finish(struct snds_load_result *out, struct snds_loader *l,
    int rc)
{
	if (rc == 0 || l->copy_failed)
		return snds_loader_commit(out, l);
	log_failure(l, rc);
	snds_loader_free(l);
	return rc;
}

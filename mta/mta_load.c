/*
 * mta_load - the loader of MTA log sources (mta_load.h): read, parse,
 * classify, count per bucket in memory, then COPY, add to
 * repwatch.mta_attempt_hour, replace the checkpoints and log the load,
 * all in one transaction per source.
 */
#include <fnmatch.h>
#include <glob.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include <glib.h>
#include <zlib.h>

#include "common/rw_error.h"
#include "common/rw_log.h"
#include "mta/mta_classify.h"
#include "mta/mta_load.h"
#include "mta/mta_reader.h"
#include "mta/mta_source.h"

struct bucket {
	char ip[RW_IP_BUF];
	int64_t hour;
	enum mta_class cls;
	char code[16], enhanced[16];
	int reply;
	uint64_t attempts;
	int64_t first_at, last_at;
	char *answer;          /* of the earliest attempt, valid UTF-8 */
	char answer_ip[RW_IP_BUF];
};

/* checkpoints with their own copies of the paths */
struct cpset {
	GArray *cps;      /* struct mta_checkpoint */
	GPtrArray *paths; /* the paths they point to (g_free) */
};

/* the state of loading one source */
struct load {
	struct rw_db *db;
	const struct mta_source *src;
	struct mta_parser *parser;
	struct mta_classifier *cls;
	GHashTable *buckets;     /* "ip hour class code enhanced" -> bucket */
	struct mta_load_totals t;
	struct cpset *cps;       /* where the readers stopped */
	struct mta_reader_run *run; /* shared by the readers of the source */
	/* the file being read: its bad lines */
	char *file;
	size_t file_bad;
	uint64_t first_bad;
	char *first_msg;
	int64_t file_mtime; /* the parser's time of reading */
};

static void
bucket_free(gpointer p)
{
	struct bucket *b = p;

	g_free(b->answer);
	g_free(b);
}

static struct cpset *
cps_new(void)
{
	struct cpset *c = g_new0(struct cpset, 1);

	c->cps = g_array_new(FALSE, TRUE, sizeof(struct mta_checkpoint));
	c->paths = g_ptr_array_new_with_free_func(g_free);
	return c;
}

/* cps_add - CP with a copy of its path */
static void
cps_add(struct cpset *c, const struct mta_checkpoint *cp)
{
	struct mta_checkpoint k = *cp;
	char *path = g_strdup(cp->path);

	k.path = path;
	g_ptr_array_add(c->paths, path);
	g_array_append_val(c->cps, k);
}

static void
cps_free(struct cpset *c)
{
	if (c == NULL)
		return;
	g_array_free(c->cps, TRUE);
	g_ptr_array_free(c->paths, TRUE);
	g_free(c);
}

/* time_text - EPOCH as a UTC time stamp PostgreSQL reads */
static void
time_text(char out[static 32], int64_t epoch)
{
	time_t t = (time_t)epoch;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%d %H:%M:%S+00", &tm) == 0)
		g_strlcpy(out, "1970-01-01 00:00:00+00", 32);
}

/* ---- the buckets ------------------------------------------------------ */

static const char tmp_sql[] =
    "CREATE TEMP TABLE IF NOT EXISTS mta_load_rows ("
    " ip inet NOT NULL, hour timestamptz NOT NULL, class text NOT NULL,"
    " code text NOT NULL, enhanced text NOT NULL, reply smallint,"
    " attempts bigint NOT NULL, first_at timestamptz NOT NULL,"
    " last_at timestamptz NOT NULL, answer text, answer_ip inet)"
    " ON COMMIT DROP";

/* add the rows of the temporary table; the answer of the earliest stays */
static const char merge_sql[] =
    "INSERT INTO repwatch.mta_attempt_hour AS h (source, ip, hour, class,"
    " code, enhanced, reply, attempts, first_at, last_at, answer,"
    " answer_ip)"
    " SELECT $1, ip, hour, class, code, enhanced, reply, attempts,"
    " first_at, last_at, answer, answer_ip FROM pg_temp.mta_load_rows"
    " ON CONFLICT (source, ip, hour, class, code, enhanced) DO UPDATE SET"
    " attempts = h.attempts + EXCLUDED.attempts,"
    " first_at = least(h.first_at, EXCLUDED.first_at),"
    " last_at = greatest(h.last_at, EXCLUDED.last_at),"
    " reply = CASE WHEN EXCLUDED.first_at < h.first_at"
    "  THEN EXCLUDED.reply ELSE h.reply END,"
    " answer = CASE WHEN EXCLUDED.first_at < h.first_at"
    "  THEN EXCLUDED.answer ELSE h.answer END,"
    " answer_ip = CASE WHEN EXCLUDED.first_at < h.first_at"
    "  THEN EXCLUDED.answer_ip ELSE h.answer_ip END,"
    " loaded_at = now()";

static void
copy_bucket(struct rw_copy *c, const struct bucket *b)
{
	char ts[32];

	rw_copy_field(c, b->ip);
	time_text(ts, b->hour);
	rw_copy_field(c, ts);
	rw_copy_field(c, mta_class_name(b->cls));
	rw_copy_field(c, b->code);
	rw_copy_field(c, b->enhanced);
	if (b->reply > 0)
		rw_copy_field_int(c, b->reply);
	else
		rw_copy_field(c, NULL);
	rw_copy_field_int(c, (long long)b->attempts);
	time_text(ts, b->first_at);
	rw_copy_field(c, ts);
	time_text(ts, b->last_at);
	rw_copy_field(c, ts);
	rw_copy_field(c, b->answer);
	rw_copy_field(c, b->answer_ip[0] != '\0' ? b->answer_ip : NULL);
}

/* flush - the buckets into repwatch.mta_attempt_hour (in the transaction) */
static int
flush(struct load *l)
{
	const char *params[] = {l->src->name};
	struct rw_copy *c = NULL;
	GHashTableIter it;
	gpointer v;
	int rc;

	if (g_hash_table_size(l->buckets) == 0)
		return 0;
	rc = rw_db_exec(l->db, tmp_sql);
	if (rc == 0)
		rc = rw_db_exec(l->db, "TRUNCATE pg_temp.mta_load_rows");
	if (rc == 0)
		rc = rw_copy_begin(&c, l->db, "pg_temp.mta_load_rows",
		    "ip, hour, class, code, enhanced, reply, attempts, "
		    "first_at, last_at, answer, answer_ip");
	g_hash_table_iter_init(&it, l->buckets);
	while (rc == 0 && g_hash_table_iter_next(&it, NULL, &v)) {
		copy_bucket(c, v);
		rc = rw_copy_end_row(c);
	}
	if (c != NULL) {
		/* after a failed row too: the server's reason is the error */
		int frc = rw_copy_finish(c, NULL);

		if (frc != 0)
			rc = frc;
	}
	if (rc == 0)
		rc = rw_db_query(NULL, l->db, merge_sql, 1, params);
	if (rc == 0)
		g_hash_table_remove_all(l->buckets);
	return rc;
}

/* count - attempt A to Microsoft, of class CLS, into its bucket */
static int
count(struct load *l, const struct mta_attempt *a, enum mta_class cls)
{
	const char *ip = a->source_ip[0] != '\0' ? a->source_ip : a->answer_ip;
	const char *code = a->scode[0] != '\0' ? a->scode : a->enhanced;
	int64_t hour;
	/* "ip hour class code enhanced": 45 + 20 + 11 + 15 + 15 + 4 bytes */
	char key[RW_IP_BUF + 80];
	struct bucket *b;

	if (!a->has_epoch) {
		l->t.no_time++;
		return 0;
	}
	if (ip[0] == '\0') {
		l->t.no_ip++;
		return 0;
	}
	hour = a->epoch - ((a->epoch % 3600) + 3600) % 3600;
	g_snprintf(key, sizeof(key), "%s %" G_GINT64_FORMAT " %d %s %s", ip,
	    hour, (int)cls, code, a->enhanced);
	b = g_hash_table_lookup(l->buckets, key);
	if (b == NULL) {
		b = g_new0(struct bucket, 1);
		g_strlcpy(b->ip, ip, sizeof(b->ip));
		b->hour = hour;
		b->cls = cls;
		g_strlcpy(b->code, code, sizeof(b->code));
		g_strlcpy(b->enhanced, a->enhanced, sizeof(b->enhanced));
		b->first_at = b->last_at = a->epoch;
		g_hash_table_insert(l->buckets, g_strdup(key), b);
	} else if (a->epoch < b->first_at) {
		b->first_at = a->epoch;
		g_clear_pointer(&b->answer, g_free);
	}
	if (a->epoch > b->last_at)
		b->last_at = a->epoch;
	if (b->answer == NULL) {
		b->answer = g_utf8_make_valid(a->text, -1);
		b->reply = a->reply;
		g_strlcpy(b->answer_ip, a->answer_ip, sizeof(b->answer_ip));
	}
	b->attempts++;
	l->t.microsoft++;
	l->t.by_class[cls]++;
	if (g_hash_table_size(l->buckets) >= MTA_LOAD_BUCKETS)
		return flush(l);
	return 0;
}

/* ---- the lines -------------------------------------------------------- */

/* file_done - the warning for the bad lines of the file just read */
static void
file_done(struct load *l)
{
	if (l->file != NULL && l->file_bad > 0)
		rw_log_warning("%s:%" G_GUINT64_FORMAT ": %s (%zu unreadable "
		    "line(s) in this file, skipped)", l->file, l->first_bad,
		    l->first_msg, l->file_bad);
	g_clear_pointer(&l->file, g_free);
	g_clear_pointer(&l->first_msg, g_free);
	l->file_bad = 0;
	l->first_bad = 0;
}

/*
 * pmta_header - PowerMTA's header row names the columns: reading FILE
 * from the middle (a checkpoint), give the parser its first line first
 */
static void
pmta_header(struct load *l, const char *file)
{
	gzFile gz = gzopen(file, "rb");
	char *buf = g_malloc(MTA_LINE_MAX + 2);
	struct mta_attempt *a = g_new0(struct mta_attempt, 1);
	bool found;

	if (gz != NULL && gzgets(gz, buf, MTA_LINE_MAX + 2) != NULL &&
	    strchr(buf, '\n') != NULL &&
	    mta_parse_line(a, &found, l->parser, buf, strlen(buf)) != 0)
		rw_error_clear();
	if (gz != NULL)
		gzclose(gz);
	g_free(a);
	g_free(buf);
}

/* line - one line of FILE: parse, classify, count */
static int
line(struct load *l, struct mta_attempt *a, const char *s, size_t len,
    const char *file, uint64_t lineno, int64_t mtime)
{
	struct mta_verdict v;
	bool found = false;

	if (l->file == NULL || strcmp(l->file, file) != 0) {
		file_done(l);
		l->file = g_strdup(file);
		if (l->src->format == MTA_POWERMTA && lineno > 1)
			pmta_header(l, file);
	}
	if (l->file_mtime != mtime) {
		/* a classic syslog stamp's year: the file's, not today's */
		mta_parser_set_now(l->parser, mtime);
		l->file_mtime = mtime;
	}
	if (mta_parse_line(a, &found, l->parser, s, len) != 0) {
		if (l->file_bad++ == 0) {
			l->first_bad = lineno;
			l->first_msg = g_strdup(rw_error_message());
		}
		l->t.bad_lines++;
		rw_error_clear();
		return 0;
	}
	if (!found)
		return 0;
	l->t.attempts++;
	if (!mta_is_microsoft(l->cls, a))
		return 0;
	mta_classify(&v, l->cls, a);
	return count(l, a, v.cls);
}

/* keep_checkpoints - copy what R read up to into l->cps */
static void
keep_checkpoints(struct load *l, struct mta_reader *r)
{
	const struct mta_checkpoint *cps;
	struct mta_reader_stats st;
	size_t n;

	mta_reader_checkpoints(r, &cps, &n);
	for (size_t i = 0; i < n; i++)
		cps_add(l->cps, &cps[i]);
	mta_reader_stats(r, &st);
	l->t.files += st.files;
	l->t.lines += st.lines;
	l->t.overlong += st.overlong;
}

/* read_path - every new line of PATTERN (a glob or one file) */
static int
read_path(struct load *l, const char *pattern)
{
	struct mta_reader *r = NULL;
	struct mta_attempt *a = g_new0(struct mta_attempt, 1);
	size_t cap = l->src->format == MTA_KUMOMTA ? MTA_JSON_MAX :
	    MTA_LINE_MAX;
	int rc = mta_reader_open(&r, l->run, pattern, cap);

	while (rc == 0) {
		const char *s, *file;
		uint64_t lineno;
		size_t len;

		rc = mta_reader_next(r, &s, &len, &file, &lineno);
		if (rc != 0 || s == NULL)
			break;
		rc = line(l, a, s, len, file, lineno, mta_reader_mtime(r));
	}
	file_done(l);
	if (rc == 0)
		keep_checkpoints(l, r);
	mta_reader_free(r);
	g_free(a);
	return rc;
}

/* ---- checkpoints and the transaction ----------------------------------- */

/* u64 - a numeric column read back (checked) */
static int
u64(uint64_t *out, const char *v, const char *what)
{
	char *end = NULL;
	guint64 n = g_ascii_strtoull(v, &end, 10);

	if (end == v || *end != '\0')
		return rw_error_set(RW_EDATA, "checkpoint %s \"%s\" is no "
		    "number", what, v);
	*out = n;
	return 0;
}

/* read_checkpoints - the source's stored checkpoints into OUT */
static int
read_checkpoints(struct cpset *out, struct load *l)
{
	const char *params[] = {l->src->name};
	PGresult *res = NULL;
	int rc = rw_db_query(&res, l->db, "SELECT path, inode, device,"
	    " byte_offset, lineno, head, tail FROM repwatch.mta_checkpoint"
	    " WHERE source = $1 ORDER BY byte_offset DESC, path", 1, params);

	for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
		struct mta_checkpoint cp = {0};

		rc = u64(&cp.inode, PQgetvalue(res, i, 1), "inode");
		if (rc == 0)
			rc = u64(&cp.device, PQgetvalue(res, i, 2), "device");
		if (rc == 0)
			rc = u64(&cp.offset, PQgetvalue(res, i, 3), "offset");
		if (rc == 0)
			rc = u64(&cp.lineno, PQgetvalue(res, i, 4), "lineno");
		if (rc != 0)
			break;
		g_strlcpy(cp.head, PQgetvalue(res, i, 5), sizeof(cp.head));
		g_strlcpy(cp.tail, PQgetvalue(res, i, 6), sizeof(cp.tail));
		cp.path = PQgetvalue(res, i, 0);
		cps_add(out, &cp);
	}
	PQclear(res);
	return rc;
}

/*
 * store_checkpoints - replace the rows of the files read (and, reading
 * the configured path, of every file its pattern matched before: rotated
 * away or deleted; and the older rows of a file read, by device, inode
 * and first line, whatever name they had) with where the readers stopped
 */
static int
store_checkpoints(struct load *l, const struct cpset *prev, bool pattern)
{
	g_autoptr(GPtrArray) gone = g_ptr_array_new();
	g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GString) arr = g_string_new(NULL);
	g_autoptr(GString) idarr = g_string_new(NULL);
	g_autofree char *canon = pattern ?
	    mta_reader_canonical(l->src->path) : NULL;
	struct rw_copy *c = NULL;
	const char *params[3];
	int rc;

	for (guint i = 0; pattern && i < prev->paths->len; i++) {
		char *p = prev->paths->pdata[i];

		if (fnmatch(l->src->path, p, FNM_PATHNAME) == 0 ||
		    fnmatch(canon, p, FNM_PATHNAME) == 0)
			g_ptr_array_add(gone, p);
	}
	for (guint i = 0; i < l->cps->paths->len; i++) {
		const struct mta_checkpoint *cp = &g_array_index(l->cps->cps,
		    struct mta_checkpoint, i);

		g_ptr_array_add(gone, l->cps->paths->pdata[i]);
		g_ptr_array_add(ids, g_strdup_printf("%" G_GUINT64_FORMAT ":%"
		    G_GUINT64_FORMAT ":%s", cp->device, cp->inode, cp->head));
	}
	rw_db_array_literal(arr, (const char *const *)gone->pdata, gone->len);
	rw_db_array_literal(idarr, (const char *const *)ids->pdata, ids->len);
	params[0] = l->src->name;
	params[1] = arr->str;
	params[2] = idarr->str;
	rc = rw_db_query(NULL, l->db, "DELETE FROM repwatch.mta_checkpoint"
	    " WHERE source = $1 AND (path = ANY($2::text[]) OR"
	    " device || ':' || inode || ':' || head = ANY($3::text[]))", 3,
	    params);
	if (rc == 0 && l->cps->cps->len > 0)
		rc = rw_copy_begin(&c, l->db, "repwatch.mta_checkpoint",
		    "source, path, inode, device, byte_offset, lineno, head, "
		    "tail");
	for (guint i = 0; rc == 0 && i < l->cps->cps->len; i++) {
		const struct mta_checkpoint *cp = &g_array_index(l->cps->cps,
		    struct mta_checkpoint, i);
		char num[24];

		rw_copy_field(c, l->src->name);
		rw_copy_field(c, cp->path);
		snprintf(num, sizeof(num), "%" G_GUINT64_FORMAT, cp->inode);
		rw_copy_field(c, num);
		snprintf(num, sizeof(num), "%" G_GUINT64_FORMAT, cp->device);
		rw_copy_field(c, num);
		snprintf(num, sizeof(num), "%" G_GUINT64_FORMAT, cp->offset);
		rw_copy_field(c, num);
		snprintf(num, sizeof(num), "%" G_GUINT64_FORMAT, cp->lineno);
		rw_copy_field(c, num);
		rw_copy_field(c, cp->head);
		rw_copy_field(c, cp->tail);
		rc = rw_copy_end_row(c);
	}
	if (c != NULL) {
		int frc = rw_copy_finish(c, NULL);

		if (frc != 0)
			rc = frc;
	}
	return rc;
}

/* log_load - the repwatch.mta_load row of this load */
static int
log_load(struct load *l, int64_t started)
{
	const struct mta_load_totals *t = &l->t;
	const size_t n[] = {t->files, t->lines, t->attempts, t->microsoft,
	    t->no_ip, t->no_time, t->bad_lines, t->overlong};
	char num[G_N_ELEMENTS(n) + 1][24];
	const char *params[G_N_ELEMENTS(n) + 2] = {l->src->name, num[0]};

	g_snprintf(num[0], sizeof(num[0]), "%" G_GINT64_FORMAT, started);
	for (size_t i = 0; i < G_N_ELEMENTS(n); i++) {
		g_snprintf(num[i + 1], sizeof(num[0]), "%zu", n[i]);
		params[i + 2] = num[i + 1];
	}
	return rw_db_query(NULL, l->db, "INSERT INTO repwatch.mta_load"
	    " (source, started_at, files, lines, attempts, microsoft, no_ip,"
	    " no_time, bad_lines, overlong) VALUES ($1,"
	    " to_timestamp($2::bigint), $3::int, $4::bigint, $5::bigint,"
	    " $6::bigint, $7::bigint, $8::bigint, $9::bigint, $10::bigint)",
	    10, params);
}

/* check_files - every explicit file exists (a glob of none is no error) */
static int
check_files(char **files)
{
	for (size_t i = 0; files != NULL && files[i] != NULL; i++)
		if (!g_file_test(files[i], G_FILE_TEST_EXISTS))
			return rw_error_set(RW_ENOINPUT, "%s: no such file",
			    files[i]);
	return 0;
}

/*
 * warn_shared - a file read here that another configured source's path
 * matches too: each source counts its attempts, so they count twice
 */
static void
warn_shared(struct load *l, const struct rw_config *cfg)
{
	g_auto(GStrv) names = mta_source_names(cfg);

	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		struct mta_source *o = NULL;
		g_autofree char *pat = NULL;
		glob_t g = {0};

		if (strcmp(names[i], l->src->name) == 0 ||
		    mta_source_get(&o, cfg, names[i]) != 0 || o->path == NULL) {
			rw_error_clear();
			mta_source_free(o);
			continue;
		}
		pat = mta_reader_canonical(o->path);
		if (glob(pat, 0, NULL, &g) != 0)
			g.gl_pathc = 0;
		for (size_t k = 0; k < g.gl_pathc; k++) {
			struct stat st;

			if (stat(g.gl_pathv[k], &st) != 0 ||
			    !S_ISREG(st.st_mode))
				continue;
			for (guint j = 0; j < l->cps->cps->len; j++) {
				const struct mta_checkpoint *cp =
				    &g_array_index(l->cps->cps,
				    struct mta_checkpoint, j);

				if (cp->inode == (uint64_t)st.st_ino &&
				    cp->device == (uint64_t)st.st_dev)
					rw_log_warning("mta sources %s and %s "
					    "both read %s: its attempts are "
					    "counted twice (give each file to "
					    "one source)", l->src->name,
					    o->name, cp->path);
			}
		}
		globfree(&g);
		mta_source_free(o);
	}
}

/* read_all - the configured path, or FILES, inside the transaction */
static int
read_all(struct load *l, char **files)
{
	struct cpset *prev = cps_new();
	const char *params[] = {l->src->name};
	/*
	 * An xid now, not at the first write after reading the files: the
	 * rows get loaded_at = now() (this transaction's start), and
	 * repwatch.an_refresh_mta() waits only for transactions holding an
	 * xid (pg_stat_activity.backend_xid) that began before its snapshot;
	 * without one a load still reading would be missed for good.
	 */
	int rc = rw_db_query(NULL, l->db, "SELECT pg_current_xact_id()", 0,
	    NULL);

	if (rc == 0)
		rc = rw_db_query(NULL, l->db, "SELECT pg_advisory_xact_lock("
		    "hashtext('repwatch.mta_load:' || $1))", 1, params);

	if (rc == 0)
		rc = read_checkpoints(prev, l);
	/* one run: a checkpoint used once, a file read once, by any name */
	l->run = mta_reader_run_new(&g_array_index(prev->cps,
	    struct mta_checkpoint, 0), prev->cps->len);
	if (files == NULL) {
		if (rc == 0)
			rc = read_path(l, l->src->path);
	} else {
		for (size_t i = 0; rc == 0 && files[i] != NULL; i++)
			rc = read_path(l, files[i]);
	}
	mta_reader_run_free(l->run);
	l->run = NULL;
	if (rc == 0)
		rc = flush(l);
	if (rc == 0)
		rc = store_checkpoints(l, prev, files == NULL);
	cps_free(prev);
	return rc;
}

/* load_source - SRC in one transaction; its counts added to OUT */
static int
load_source(struct mta_load_totals *out, struct rw_db *db,
    const struct rw_config *cfg, const struct mta_source *src, char **files)
{
	struct load l = {.db = db, .src = src};
	int64_t started = g_get_real_time() / G_USEC_PER_SEC;
	int rc = 0;

	if (files == NULL && src->path == NULL) {
		rw_error_set(RW_ECONFIG, "[mta.%s] path is not set", src->name);
		rw_error_hint("Set path to the log file or a glob of it and "
		    "its rotated copies (/var/log/mail.log*).");
		return RW_ECONFIG;
	}
	rc = check_files(files);
	if (rc == 0)
		rc = mta_source_parser(&l.parser, src, started);
	if (rc == 0)
		rc = mta_source_classifier(&l.cls, src);
	l.buckets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    bucket_free);
	l.cps = cps_new();
	l.t.sources = 1;
	if (rc == 0)
		rc = rw_db_begin(db);
	if (rc == 0) {
		rc = read_all(&l, files);
		if (rc == 0)
			rc = log_load(&l, started);
		if (rc == 0)
			rc = rw_db_commit(db);
		if (rc != 0) {
			struct rw_error_saved *e = rw_error_save();

			rw_db_rollback(db);
			rw_error_restore(e);
			rw_error_prefix("mta source %s", src->name);
		}
	}
	if (rc == 0) {
		warn_shared(&l, cfg);
		out->sources += l.t.sources;
		out->files += l.t.files;
		out->lines += l.t.lines;
		out->attempts += l.t.attempts;
		out->microsoft += l.t.microsoft;
		out->no_ip += l.t.no_ip;
		out->no_time += l.t.no_time;
		out->bad_lines += l.t.bad_lines;
		out->overlong += l.t.overlong;
		for (size_t i = 0; i < G_N_ELEMENTS(l.t.by_class); i++)
			out->by_class[i] += l.t.by_class[i];
	}
	file_done(&l);
	cps_free(l.cps);
	g_hash_table_destroy(l.buckets);
	mta_classifier_free(l.cls);
	mta_parser_free(l.parser);
	return rc;
}

int
mta_load_run(struct mta_load_totals *out, struct rw_db *db,
    const struct rw_config *cfg, const char *source, char **files)
{
	g_auto(GStrv) names = NULL;
	struct mta_source *src = NULL;
	int worst = 0, failed = 0, n = 0;

	memset(out, 0, sizeof(*out));
	if (files != NULL || source != NULL) {
		int rc = mta_source_pick(&src, cfg, source);

		if (rc == 0)
			rc = load_source(out, db, cfg, src, files);
		mta_source_free(src);
		return rc;
	}
	names = mta_source_names(cfg);
	for (size_t i = 0; names != NULL && names[i] != NULL; i++, n++) {
		int rc = mta_source_get(&src, cfg, names[i]);

		if (rc == 0)
			rc = load_source(out, db, cfg, src, NULL);
		mta_source_free(src);
		src = NULL;
		if (rc != 0) {
			/* the next source still loads; this one is logged */
			rw_error_print();
			worst = rw_status_worse(worst, rc);
			failed++;
		}
	}
	if (worst != 0)
		rw_error_set(worst, "%d of %d MTA log sources failed to load",
		    failed, n);
	return worst;
}

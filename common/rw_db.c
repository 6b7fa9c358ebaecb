/*
 * rw_db - checked libpq use (see rw_db.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rw_db.h"
#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_sqlfiles.h"
#include "common/rw_util.h"

#define COPY_CHUNK (256 * 1024)

struct rw_db {
	PGconn *conn;
	char *where;
	char sqlstate[6];   /* of the last failed statement, "" if none */
};

struct rw_copy {
	struct rw_db *db;
	char *table;
	GString *buf;
	bool row_open;
	long long rows;
	int failed;
};

/* first_line - PostgreSQL messages end in newlines; keep the first line */
static char *
first_line(const char *msg)
{
	const char *nl = strchr(msg, '\n');

	return nl ? g_strndup(msg, (gsize)(nl - msg)) : g_strdup(msg);
}

static void
notice_to_log(void *arg, const char *message)
{
	char *m = first_line(message);

	(void)arg;
	rw_log_debug("server: %s", m);
	g_free(m);
}

static char *
describe(PGconn *conn)
{
	const char *host = PQhost(conn);

	return g_strdup_printf("%s \"%s\", database \"%s\"",
	    (host && host[0] == '/') ? "socket directory" : "host",
	    host ? host : "", PQdb(conn) ? PQdb(conn) : "");
}

/* conninfo_refused - RW_ECONFIG for a connection string, never quoted */
static int
conninfo_refused(const char *detail)
{
	rw_error_set(RW_ECONFIG, "invalid database connection string");
	rw_error_detail("%s", detail);
	rw_error_hint("Write key=value pairs, single-quoting a value that "
	    "holds spaces (password='a b'), or a postgresql:// URI with "
	    "%%-encoded special characters. Keep passwords out of the "
	    "command line: use PGPASSFILE or REPWATCH_DATABASE_CONNINFO_FILE.");
	return RW_ECONFIG;
}

/*
 * uri_spills - a postgresql:// URI whose password holds an unencoded "@"
 * or "/" parses, but the rest of the password becomes the host, the port
 * or the database name, which the connect error then quotes
 * ('could not translate host name "ss1SECRET@h"'). Before the query, a
 * URI has at most one "@", inside the authority (before the first "/").
 */
static bool
uri_spills(const char *conninfo)
{
	static const char *const prefixes[] = {"postgresql://", "postgres://"};
	const char *s = NULL, *end, *slash, *at;

	for (size_t i = 0; i < G_N_ELEMENTS(prefixes) && s == NULL; i++) {
		if (g_str_has_prefix(conninfo, prefixes[i]))
			s = conninfo + strlen(prefixes[i]);
	}
	if (s == NULL)
		return false;
	end = strchr(s, '?');
	if (end == NULL)
		end = s + strlen(s);
	slash = memchr(s, '/', (size_t)(end - s));
	at = memchr(s, '@', (size_t)(end - s));
	if (at == NULL)
		return false;
	return memchr(at + 1, '@', (size_t)(end - at - 1)) != NULL ||
	    (slash != NULL && slash < at);
}

/*
 * conninfo_check - libpq's parse errors quote the text around the fault
 * ('missing "=" after "def123SECRET"', a bad %-escape of a URI), which is
 * often the password: parse first and say only that it failed.
 */
static int
conninfo_check(char **out_password, const char *conninfo)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &err);

	*out_password = NULL;
	if (opts == NULL) {
		if (err != NULL) {
			memset(err, 0, strlen(err));
			PQfreemem(err);
		}
		return conninfo_refused("libpq could not parse it; its message "
		    "is not shown because it may quote a password.");
	}
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
		    o->val[0] != '\0')
			*out_password = g_strdup(o->val);
	}
	PQconninfoFree(opts);
	if (!uri_spills(conninfo))
		return 0;
	if (*out_password != NULL)
		memset(*out_password, 0, strlen(*out_password));
	g_free(*out_password);
	*out_password = NULL;
	return conninfo_refused("The URI holds an \"@\" or a \"/\" that is "
	    "not %-encoded before its host: part of the password would be "
	    "taken for the host, port or database name.");
}

int
rw_db_connect(struct rw_db **out, const char *conninfo)
{
	struct rw_db *db;
	PGconn *conn;
	char *msg, *password = NULL;

	*out = NULL;
	if (conninfo_check(&password, conninfo ? conninfo : "") != 0)
		return RW_ECONFIG;
	conn = PQconnectdb(conninfo ? conninfo : "");
	if (conn == NULL) {
		g_free(password);
		return rw_error_set(RW_EFAIL, "out of memory");
	}
	if (PQstatus(conn) == CONNECTION_BAD) {
		msg = first_line(PQerrorMessage(conn));
		rw_error_set(RW_ETEMP, "could not connect to the database");
		/* an option value echoed back ("invalid ... value") */
		if (password != NULL && strstr(msg, password) != NULL)
			rw_error_detail("libpq's message is not shown because "
			    "it quotes the password.");
		else
			rw_error_detail("%s", msg);
		if (password != NULL)
			memset(password, 0, strlen(password));
		g_free(password);
		rw_error_hint("Check [database] conninfo, --db or the PG* "
		    "environment; unset all three to use the embedded cluster.");
		g_free(msg);
		PQfinish(conn);
		return RW_ETEMP;
	}
	if (password != NULL)
		memset(password, 0, strlen(password));
	g_free(password);
	PQsetNoticeProcessor(conn, notice_to_log, NULL);
	db = g_new0(struct rw_db, 1);
	db->conn = conn;
	db->where = describe(conn);
	if (rw_db_exec(db, "SELECT pg_catalog.set_config('search_path', '', false)") != 0) {
		rw_db_free(db);
		return RW_ETEMP;
	}
	*out = db;
	return 0;
}

void
rw_db_free(struct rw_db *db)
{
	if (db == NULL)
		return;
	PQfinish(db->conn);
	g_free(db->where);
	g_free(db);
}

PGconn *
rw_db_conn(struct rw_db *db)
{
	return db->conn;
}

void
rw_db_array_literal(GString *out, const char *const *items, size_t n)
{
	g_string_append_c(out, '{');
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			g_string_append_c(out, ',');
		if (items[i] == NULL) {
			g_string_append(out, "NULL");
			continue;
		}
		g_string_append_c(out, '"');
		for (const char *p = items[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				g_string_append_c(out, '\\');
			g_string_append_c(out, *p);
		}
		g_string_append_c(out, '"');
	}
	g_string_append_c(out, '}');
}

const char *
rw_db_where(struct rw_db *db)
{
	return db->where;
}

const char *
rw_db_sqlstate(struct rw_db *db)
{
	return db->sqlstate;
}

/*
 * temporary_state - SQLSTATEs that another try may not meet, so an MTA
 * must defer (75), not bounce: class 08 (connection exception), 57P01..
 * 57P03 (shut down by an administrator, crash shut-down, still starting),
 * 57014 (statement cancelled: timeout, pg_cancel_backend), class 53
 * (insufficient resources: disk full 53100, out of memory 53200, too many
 * connections 53300), 40001 and 40P01 (serialization failure, deadlock).
 * libpq still reports CONNECTION_OK when it reads them.
 */
static bool
temporary_state(const char *state)
{
	static const char *const codes[] = {"57P01", "57P02", "57P03",
	    "57014", "53000", "53100", "53200", "53300", "40001", "40P01"};

	if (state == NULL)
		return false;
	if (strncmp(state, "08", 2) == 0)
		return true;
	for (size_t i = 0; i < G_N_ELEMENTS(codes); i++)
		if (strcmp(state, codes[i]) == 0)
			return true;
	return false;
}

/* result_error - record the error of R (or the connection), RW_ETEMP when
 * the connection is gone so the run can be retried */
static int
result_error(struct rw_db *db, const PGresult *r, const char *what)
{
	const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(db->conn);
	const char *detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
	char *line = first_line(m && *m ? m : "unknown error");
	int code = PQstatus(db->conn) == CONNECTION_OK && !temporary_state(r ?
	    PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL) ? RW_EFAIL :
	    RW_ETEMP;
	char *shortsql = g_strndup(what, 60);
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	g_strlcpy(db->sqlstate, state ? state : "", sizeof(db->sqlstate));
	for (char *p = shortsql; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	rw_error_set(code, "database error: %s", line);
	if (detail != NULL)
		rw_error_detail("%s (statement: %s...)", detail, shortsql);
	else
		rw_error_detail("Statement: %s...", g_strstrip(shortsql));
	g_free(line);
	g_free(shortsql);
	return code;
}

int
rw_db_query(PGresult **out, struct rw_db *db, const char *sql, int nparams,
    const char *const *params)
{
	PGresult *r = PQexecParams(db->conn, sql, nparams, NULL, params, NULL,
	    NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	int rc;

	if (out != NULL)
		*out = NULL;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		rc = result_error(db, r, sql);
		PQclear(r);
		return rc;
	}
	if (out != NULL)
		*out = r;
	else
		PQclear(r);
	return 0;
}

int
rw_db_exec(struct rw_db *db, const char *sql)
{
	PGresult *r = PQexec(db->conn, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = result_error(db, r, sql);
	PQclear(r);
	return rc;
}

int
rw_db_query1(char **out, struct rw_db *db, const char *sql, int nparams,
    const char *const *params)
{
	PGresult *r;
	int rc = rw_db_query(&r, db, sql, nparams, params);

	*out = NULL;
	if (rc != 0)
		return rc;
	if (PQntuples(r) > 0 && PQnfields(r) > 0 && !PQgetisnull(r, 0, 0))
		*out = g_strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

int
rw_db_begin(struct rw_db *db)
{
	return rw_db_exec(db, "BEGIN");
}

int
rw_db_commit(struct rw_db *db)
{
	return rw_db_exec(db, "COMMIT");
}

int
rw_db_rollback(struct rw_db *db)
{
	PGresult *r;

	if (PQtransactionStatus(db->conn) == PQTRANS_IDLE)
		return 0;
	/* keep the error that made us roll back */
	r = PQexec(db->conn, "ROLLBACK");
	PQclear(r);
	return 0;
}

static int
lock_call(struct rw_db *db, const char *fn, int64_t key, char **out)
{
	char keytext[32], sql[64];
	const char *p[1] = {keytext};

	snprintf(keytext, sizeof(keytext), "%lld", (long long)key);
	snprintf(sql, sizeof(sql), "SELECT pg_catalog.%s($1::bigint)", fn);
	return rw_db_query1(out, db, sql, 1, p);
}

int
rw_db_lock(struct rw_db *db, int64_t key)
{
	char *v = NULL;
	int rc = lock_call(db, "pg_advisory_lock", key, &v);

	g_free(v);
	return rc;
}

int
rw_db_trylock(bool *out_taken, struct rw_db *db, int64_t key)
{
	char *v = NULL;
	int rc = lock_call(db, "pg_try_advisory_lock", key, &v);

	*out_taken = rc == 0 && v != NULL && v[0] == 't';
	g_free(v);
	return rc;
}

/*
 * rw_db_unlock - called on the way out, often after a failure: keep the
 * first error (the cause), not the unlock's own ("server closed the
 * connection" naming pg_advisory_unlock). A lost session has released its
 * locks already.
 */
int
rw_db_unlock(struct rw_db *db, int64_t key)
{
	struct rw_error_saved *cause = NULL;
	char *v = NULL;
	int rc;

	if (PQstatus(db->conn) != CONNECTION_OK)
		return 0;
	if (rw_error_code() != 0)
		cause = rw_error_save();
	rc = lock_call(db, "pg_advisory_unlock", key, &v);
	if (cause != NULL)
		rw_error_restore(cause);
	g_free(v);
	return rc;
}

/* --- COPY --------------------------------------------------------------- */

int
rw_copy_begin(struct rw_copy **out, struct rw_db *db, const char *table,
    const char *columns)
{
	char *sql = g_strdup_printf("COPY %s (%s) FROM STDIN", table, columns);
	PGresult *r = PQexec(db->conn, sql);
	struct rw_copy *c;
	int rc = 0;

	*out = NULL;
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		rc = result_error(db, r, sql);
		goto cleanup;
	}
	c = g_new0(struct rw_copy, 1);
	c->db = db;
	c->table = g_strdup(table);
	c->buf = g_string_sized_new(COPY_CHUNK + 4096);
	*out = c;
cleanup:
	PQclear(r);
	g_free(sql);
	return rc;
}

/* copy_escape - runs without a special character are appended whole */
static void
copy_escape(GString *b, const char *v, size_t len)
{
	size_t run = 0;

	for (size_t i = 0; i < len; i++) {
		char ch = v[i];

		if (ch != '\\' && ch != '\t' && ch != '\n' && ch != '\r')
			continue;
		g_string_append_len(b, v + run, (gssize)(i - run));
		run = i + 1;
		switch (ch) {
		case '\\':
			g_string_append(b, "\\\\");
			break;
		case '\t':
			g_string_append(b, "\\t");
			break;
		case '\n':
			g_string_append(b, "\\n");
			break;
		default:
			g_string_append(b, "\\r");
		}
	}
	g_string_append_len(b, v + run, (gssize)(len - run));
}

void
rw_copy_field_len(struct rw_copy *c, const char *value, size_t len)
{
	if (c->row_open)
		g_string_append_c(c->buf, '\t');
	c->row_open = true;
	if (value == NULL)
		g_string_append(c->buf, "\\N");
	else
		copy_escape(c->buf, value, len);
}

void
rw_copy_field(struct rw_copy *c, const char *value)
{
	rw_copy_field_len(c, value, value ? strlen(value) : 0);
}

void
rw_copy_field_int(struct rw_copy *c, long long value)
{
	/* digits need no escaping; printf is the dearest part of a row */
	char n[24];
	char *p = n + sizeof(n);
	unsigned long long u = value < 0 ? 0ULL - (unsigned long long)value :
	    (unsigned long long)value;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (value < 0)
		*--p = '-';
	rw_copy_field_len(c, p, (size_t)(n + sizeof(n) - p));
}

static int
copy_flush(struct rw_copy *c)
{
	if (c->buf->len == 0 || c->failed)
		return c->failed;
	if (PQputCopyData(c->db->conn, c->buf->str, (int)c->buf->len) <= 0) {
		c->failed = rw_error_set(RW_ETEMP, "COPY failed for table \"%s\": %s",
		    c->table, PQerrorMessage(c->db->conn));
		return c->failed;
	}
	g_string_truncate(c->buf, 0);
	return 0;
}

int
rw_copy_end_row(struct rw_copy *c)
{
	g_string_append_c(c->buf, '\n');
	c->row_open = false;
	c->rows++;
	if (c->buf->len >= COPY_CHUNK)
		return copy_flush(c);
	return c->failed;
}

static void
copy_free(struct rw_copy *c)
{
	g_string_free(c->buf, TRUE);
	g_free(c->table);
	g_free(c);
}

/* drain - read every result after the COPY ended; the last error wins */
static int
drain(struct rw_copy *c)
{
	PGresult *r;
	int rc = 0;

	while ((r = PQgetResult(c->db->conn)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0) {
			rc = result_error(c->db, r, "COPY");
			rw_error_prefix("COPY into %s", c->table);
		}
		PQclear(r);
	}
	return rc;
}

int
rw_copy_finish(struct rw_copy *c, long long *out_rows)
{
	int rc = copy_flush(c);

	if (PQputCopyEnd(c->db->conn, rc ? "client error" : NULL) <= 0 && !rc)
		rc = rw_error_set(RW_ETEMP, "COPY failed for table \"%s\": %s",
		    c->table, PQerrorMessage(c->db->conn));
	{
		/* the server's reason (a constraint, a bad value) is more
		 * telling than the client's "no COPY in progress" after it */
		int drc = drain(c);

		if (drc != 0)
			rc = drc;
	}
	if (out_rows != NULL)
		*out_rows = c->rows;
	copy_free(c);
	return rc;
}

void
rw_copy_abort(struct rw_copy *c, const char *reason)
{
	PGresult *r;

	if (c == NULL)
		return;
	if (PQputCopyEnd(c->db->conn, reason ? reason : "aborted") > 0)
		while ((r = PQgetResult(c->db->conn)) != NULL)
			PQclear(r);
	copy_free(c);
}

/* --- migrations ----------------------------------------------------------- */

static const char bootstrap_sql[] =
    "CREATE SCHEMA IF NOT EXISTS repwatch;"
    "CREATE TABLE IF NOT EXISTS repwatch.schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

static int
migration_version(const char *name)
{
	long long v = 0;
	char digits[5] = {0};

	memcpy(digits, name, 4);
	return rw_parse_ll(&v, digits, 0, 9999) == 0 ? (int)v : -1;
}

/* applied_set - versions already in schema_migrations */
static int
applied_set(GHashTable **out, struct rw_db *db)
{
	PGresult *r;
	int rc = rw_db_query(&r, db,
	    "SELECT version::text FROM repwatch.schema_migrations", 0, NULL);

	*out = NULL;
	if (rc != 0)
		return rc;
	*out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (int i = 0; i < PQntuples(r); i++)
		g_hash_table_add(*out, g_strdup(PQgetvalue(r, i, 0)));
	PQclear(r);
	return 0;
}

static bool
is_applied(GHashTable *set, int version)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", version);
	return g_hash_table_contains(set, v);
}

static int
apply_one(struct rw_db *db, const struct rw_sqlfile *f, int version)
{
	char v[16];
	const char *p[2] = {v, f->name};
	int rc;

	snprintf(v, sizeof(v), "%d", version);
	rc = rw_db_begin(db);
	if (rc == 0)
		rc = rw_db_exec(db, f->text);
	if (rc == 0)
		rc = rw_db_query(NULL, db,
		    "INSERT INTO repwatch.schema_migrations (version, name) "
		    "VALUES ($1::integer, $2)", 2, p);
	if (rc == 0)
		rc = rw_db_commit(db);
	if (rc != 0) {
		rw_db_rollback(db);
		rw_error_prefix("migration %s", f->name);
		return rc;
	}
	rw_log_info("applied migration %s", f->name);
	return 0;
}

int
rw_db_migrate(struct rw_db *db, int *out_applied)
{
	GHashTable *set = NULL;
	int rc, applied = 0;

	rc = rw_db_lock(db, RW_LOCK_MIGRATE);
	if (rc != 0)
		return rc;
	rc = rw_db_exec(db, bootstrap_sql);
	if (rc == 0)
		rc = applied_set(&set, db);
	for (const struct rw_sqlfile *f = rw_migrations; rc == 0 && f->name; f++) {
		int version = migration_version(f->name);

		if (version < 0) {
			rc = rw_error_set(RW_ESOFTWARE, "bad migration name %s",
			    f->name);
			break;
		}
		if (is_applied(set, version))
			continue;
		rc = apply_one(db, f, version);
		applied += rc == 0;
	}
	if (set != NULL)
		g_hash_table_destroy(set);
	{
		int urc = rw_db_unlock(db, RW_LOCK_MIGRATE);

		if (rc == 0)
			rc = urc;
	}
	if (out_applied != NULL)
		*out_applied = applied;
	return rc;
}

/* migrations_table - has schema_migrations been created yet */
static int
migrations_table(bool *out, struct rw_db *db)
{
	char *v = NULL;
	int rc = rw_db_query1(&v, db,
	    "SELECT pg_catalog.to_regclass('repwatch.schema_migrations') "
	    "IS NOT NULL", 0, NULL);

	*out = v != NULL && v[0] == 't';
	g_free(v);
	return rc;
}

int
rw_db_pending(int *out_pending, struct rw_db *db)
{
	GHashTable *set = NULL;
	bool exists;
	int rc = migrations_table(&exists, db), pending = 0;

	if (rc == 0 && exists)
		rc = applied_set(&set, db);
	for (const struct rw_sqlfile *f = rw_migrations; rc == 0 && f->name; f++)
		pending += set == NULL ||
		    !is_applied(set, migration_version(f->name));
	if (set != NULL)
		g_hash_table_destroy(set);
	*out_pending = pending;
	return rc;
}

int
rw_db_render_status(GString *out, struct rw_db *db)
{
	GHashTable *set = NULL;
	bool exists;
	int rc = migrations_table(&exists, db);

	if (rc == 0 && exists)
		rc = applied_set(&set, db);
	if (rc != 0)
		return rc;
	g_string_append_printf(out, "database: %s\n", db->where);
	for (const struct rw_sqlfile *f = rw_migrations; f->name; f++) {
		bool done = set && is_applied(set, migration_version(f->name));

		g_string_append_printf(out, "  %-8s %s\n", done ? "applied" : "pending", f->name);
	}
	if (set != NULL)
		g_hash_table_destroy(set);
	return 0;
}

/*
 * rw_db - a checked libpq connection: empty search_path, every result
 * checked and cleared, parameters only through PQexecParams, COPY for bulk.
 * All repwatch objects live in schema "repwatch" and are schema-qualified.
 */
#ifndef RW_DB_H
#define RW_DB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <glib.h>
#include <libpq-fe.h>

struct rw_db;

/* rw_db_connect - connect with CONNINFO; RW_ETEMP when unreachable */
int rw_db_connect(struct rw_db **out, const char *conninfo);
void rw_db_free(struct rw_db *db);
PGconn *rw_db_conn(struct rw_db *db);
/* masked description of where we are connected ("socket /x, db y") */
const char *rw_db_where(struct rw_db *db);
/* SQLSTATE of the last statement that failed ("" when none did) */
const char *rw_db_sqlstate(struct rw_db *db);

/* rw_db_exec - run SQL without parameters, expect no error */
int rw_db_exec(struct rw_db *db, const char *sql);
/*
 * rw_db_query - run SQL with NPARAMS text parameters ($1...; NULL = SQL
 * NULL). OUT (may be NULL) receives the result, to be PQclear'd.
 */
int rw_db_query(PGresult **out, struct rw_db *db, const char *sql,
    int nparams, const char *const *params);
/* rw_db_query1 - single value of row 0 column 0 as a new string (or NULL) */
int rw_db_query1(char **out, struct rw_db *db, const char *sql, int nparams,
    const char *const *params);

/*
 * column values of row ROW of a result (rw_db_col.c): rw_db_double NAN for
 * SQL NULL, rw_db_int NULL_VALUE, rw_db_strdup NULL (else a new string),
 * rw_db_bool false (else whether the value is "t")
 */
double rw_db_double(const PGresult *r, int row, int col);
int rw_db_int(const PGresult *r, int row, int col, int null_value);
char *rw_db_strdup(const PGresult *r, int row, int col);
bool rw_db_bool(const PGresult *r, int row, int col);

/*
 * rw_db_array_literal - append to OUT the text[] literal of the N ITEMS:
 * {"a","b\"c",NULL,""}. Every element is quoted (so "" and "NULL" stay
 * strings), '"' and '\\' are escaped, a NULL item is an SQL NULL.
 */
void rw_db_array_literal(GString *out, const char *const *items, size_t n);

int rw_db_begin(struct rw_db *db);
int rw_db_commit(struct rw_db *db);
int rw_db_rollback(struct rw_db *db);

/*
 * advisory locks (session level); rw_db_trylock sets *OUT_TAKEN, false when
 * another session holds KEY (not an error)
 */
int rw_db_lock(struct rw_db *db, int64_t key);
int rw_db_trylock(bool *out_taken, struct rw_db *db, int64_t key);
int rw_db_unlock(struct rw_db *db, int64_t key);

/* lock keys, one per kind of exclusive work */
#define RW_LOCK_MIGRATE INT64_C(0x7277000000000001)
#define RW_LOCK_NIGHTLY INT64_C(0x7277000000000002)
#define RW_LOCK_ANALYZE INT64_C(0x7277000000000003)

/*
 * COPY FROM STDIN in text format. Fields are escaped here; rows are
 * buffered and sent in large chunks.
 */
struct rw_copy;
int rw_copy_begin(struct rw_copy **out, struct rw_db *db, const char *table,
    const char *columns);
/* add one field to the current row; VALUE NULL = SQL NULL */
void rw_copy_field(struct rw_copy *c, const char *value);
void rw_copy_field_len(struct rw_copy *c, const char *value, size_t len);
void rw_copy_field_int(struct rw_copy *c, long long value);
int rw_copy_end_row(struct rw_copy *c);
/* finish: send the rest, end the COPY, out_rows (nullable) rows sent */
int rw_copy_finish(struct rw_copy *c, long long *out_rows);
/* abort with a reason; the server discards what was sent; frees c */
void rw_copy_abort(struct rw_copy *c, const char *reason);

/* migrations (sql/migrations/NNNN_name.sql, compiled in) */
int rw_db_migrate(struct rw_db *db, int *out_applied);
/* number of migrations not yet applied (0 = up to date) */
int rw_db_pending(int *out_pending, struct rw_db *db);
/* rw_db_render_status - "db status": where, then each migration's state */
int rw_db_render_status(GString *out, struct rw_db *db);

#endif

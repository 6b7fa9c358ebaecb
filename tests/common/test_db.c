/*
 * test_db - migrations and the checked libpq layer against a real server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/rw_db.h"
#include "common/rw_error.h"
#include "common/rw_sqlfiles.h"
#include "tests/common/testdb.h"

static int
count_migrations(void)
{
	int n = 0;

	for (const struct rw_sqlfile *f = rw_migrations; f->name; f++)
		n++;
	return n;
}

static void
test_migrate_fresh_and_noop(void **state)
{
	struct rw_db *db = NULL;
	char *ci = NULL, *v = NULL;
	int applied = -1, pending = -1;

	(void)state;
	TESTDB_REQUIRE();
	assert_int_equal(testdb_create(&ci), 0);
	assert_int_equal(rw_db_connect(&db, ci), 0);
	assert_int_equal(rw_db_pending(&pending, db), 0);
	assert_int_equal(pending, count_migrations());
	assert_int_equal(rw_db_migrate(db, &applied), 0);
	if (applied != count_migrations())
		fail_msg("first migrate: got %d applied, want %d", applied,
		    count_migrations());
	assert_int_equal(rw_db_migrate(db, &applied), 0);
	if (applied != 0)
		fail_msg("second migrate: got %d applied, want 0", applied);
	assert_int_equal(rw_db_pending(&pending, db), 0);
	assert_int_equal(pending, 0);
	assert_int_equal(rw_db_query1(&v, db,
	    "SELECT count(*) FROM repwatch.schema_migrations", 0, NULL), 0);
	assert_int_equal(strtol(v, NULL, 10), count_migrations());
	g_free(v);
	rw_db_free(db);
	testdb_drop(ci);
	g_free(ci);
}

/* four processes migrate one fresh database at once: the advisory lock
 * serializes them, each migration is applied exactly once */
static void
test_migrate_concurrent(void **state)
{
	char *ci = NULL, *v = NULL;
	struct rw_db *db = NULL;
	pid_t pids[4];

	(void)state;
	TESTDB_REQUIRE();
	assert_int_equal(testdb_create(&ci), 0);
	for (int i = 0; i < 4; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct rw_db *cdb = NULL;
			int rc = rw_db_connect(&cdb, ci);

			if (rc == 0)
				rc = rw_db_migrate(cdb, NULL);
			rw_db_free(cdb);
			_exit(rc == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < 4; i++) {
		int st = 0;

		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			fail_msg("migrating process %d failed (status %d)", i, st);
	}
	assert_int_equal(rw_db_connect(&db, ci), 0);
	assert_int_equal(rw_db_query1(&v, db,
	    "SELECT count(*) FROM repwatch.schema_migrations", 0, NULL), 0);
	assert_int_equal(strtol(v, NULL, 10), count_migrations());
	g_free(v);
	rw_db_free(db);
	testdb_drop(ci);
	g_free(ci);
}

/* values with quotes, backslashes, tabs, newlines and SQL fragments go
 * through COPY and parameters unchanged */
static void
test_copy_and_params_roundtrip(void **state)
{
	static const char *const values[] = {
		"plain", "it's \"quoted\"", "back\\slash\\", "tab\there",
		"new\nline\r\n", "'); DROP TABLE x; --", "\\N", "\x01\x1f ctl",
		"", "ünïcødé ✓",
	};
	struct rw_db *db = NULL;
	struct rw_copy *c = NULL;
	PGresult *r = NULL;
	char *ci = NULL;
	long long rows = 0;

	(void)state;
	TESTDB_REQUIRE();
	assert_int_equal(testdb_open(&db, &ci), 0);
	assert_int_equal(rw_db_exec(db, "CREATE TABLE public.t (i int, v text)"), 0);
	assert_int_equal(rw_copy_begin(&c, db, "public.t", "i, v"), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
		rw_copy_field_int(c, (long long)i);
		rw_copy_field(c, values[i]);
		assert_int_equal(rw_copy_end_row(c), 0);
	}
	rw_copy_field_int(c, 99);
	rw_copy_field(c, NULL);
	assert_int_equal(rw_copy_end_row(c), 0);
	assert_int_equal(rw_copy_finish(c, &rows), 0);
	assert_int_equal(rows, (long long)G_N_ELEMENTS(values) + 1);
	for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
		char idx[16];
		const char *p[2] = {idx, values[i]};

		snprintf(idx, sizeof(idx), "%zu", i);
		assert_int_equal(rw_db_query(&r, db,
		    "SELECT v, v = $2 FROM public.t WHERE i = $1::int", 2, p), 0);
		assert_int_equal(PQntuples(r), 1);
		if (strcmp(PQgetvalue(r, 0, 0), values[i]) != 0)
			fail_msg("row %zu: got \"%s\", want \"%s\"", i,
			    PQgetvalue(r, 0, 0), values[i]);
		assert_string_equal(PQgetvalue(r, 0, 1), "t");
		PQclear(r);
	}
	assert_int_equal(rw_db_query(&r, db,
	    "SELECT v IS NULL FROM public.t WHERE i = 99", 0, NULL), 0);
	assert_string_equal(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	rw_db_free(db);
	testdb_drop(ci);
	g_free(ci);
}

/* rw_db_array_literal: what the server parses is what went in, NULLs and
 * the string "NULL" included */
static void
test_array_literal_roundtrip(void **state)
{
	static const char *const values[] = {
		"plain", "it's \"quoted\"", "back\\slash\\", "tab\there",
		"new\nline\r\n", "{a,b}", NULL, "NULL", "", " sp ",
		"ünïcødé ✓",
	};
	const size_t n = G_N_ELEMENTS(values);
	GString *lit = g_string_new(NULL);
	const char *p[1];
	struct rw_db *db = NULL;
	PGresult *r = NULL;
	char *ci = NULL;

	(void)state;
	TESTDB_REQUIRE();
	assert_int_equal(testdb_open(&db, &ci), 0);
	rw_db_array_literal(lit, values, n);
	p[0] = lit->str;
	assert_int_equal(rw_db_query(&r, db, "SELECT x FROM unnest($1::text[]) "
	    "WITH ORDINALITY AS u(x, i) ORDER BY i", 1, p), 0);
	assert_int_equal(PQntuples(r), (int)n);
	for (size_t i = 0; i < n; i++) {
		if (values[i] == NULL) {
			if (!PQgetisnull(r, (int)i, 0))
				fail_msg("element %zu: got \"%s\", want NULL",
				    i, PQgetvalue(r, (int)i, 0));
		} else if (PQgetisnull(r, (int)i, 0) ||
		    strcmp(PQgetvalue(r, (int)i, 0), values[i]) != 0) {
			fail_msg("element %zu: got \"%s\", want \"%s\"", i,
			    PQgetvalue(r, (int)i, 0), values[i]);
		}
	}
	PQclear(r);
	g_string_free(lit, TRUE);
	rw_db_free(db);
	testdb_drop(ci);
	g_free(ci);
}

static void
test_errors_and_locks(void **state)
{
	struct rw_db *db = NULL, *db2 = NULL;
	bool taken = false;
	struct rw_copy *c = NULL;
	char *ci = NULL;

	(void)state;
	TESTDB_REQUIRE();
	assert_int_equal(testdb_open(&db, &ci), 0);
	assert_int_equal(rw_db_exec(db, "SELECT * FROM repwatch.nope"), RW_EFAIL);
	assert_non_null(strstr(rw_error_message(), "repwatch.nope"));
	/* a bad COPY row aborts the COPY and names the table */
	assert_int_equal(rw_copy_begin(&c, db, "repwatch.analysis_run", "day"), 0);
	rw_copy_field(c, "not-a-date");
	rw_copy_end_row(c);
	assert_int_not_equal(rw_copy_finish(c, NULL), 0);
	assert_non_null(strstr(rw_error_message(), "repwatch.analysis_run"));
	/* advisory locks exclude a second session */
	assert_int_equal(rw_db_connect(&db2, ci), 0);
	assert_int_equal(rw_db_trylock(&taken, db, RW_LOCK_NIGHTLY), 0);
	assert_true(taken);
	assert_int_equal(rw_db_trylock(&taken, db2, RW_LOCK_NIGHTLY), 0);
	assert_false(taken);
	assert_int_equal(rw_db_unlock(db, RW_LOCK_NIGHTLY), 0);
	assert_int_equal(rw_db_trylock(&taken, db2, RW_LOCK_NIGHTLY), 0);
	assert_true(taken);
	/* unreachable server: temporary failure */
	rw_db_free(db2);
	assert_int_equal(rw_db_connect(&db2, "host=/nonexistent dbname=x"),
	    RW_ETEMP);
	assert_null(db2);
	rw_db_free(db);
	testdb_drop(ci);
	g_free(ci);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_fresh_and_noop),
		cmocka_unit_test(test_migrate_concurrent),
		cmocka_unit_test(test_copy_and_params_roundtrip),
		cmocka_unit_test(test_array_literal_roundtrip),
		cmocka_unit_test(test_errors_and_locks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

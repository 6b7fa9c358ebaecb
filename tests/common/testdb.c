/*
 * testdb - per-test databases (see testdb.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <cmocka.h>

#include "common/rw_error.h"
#include "tests/common/testdb.h"

bool
testdb_available(void)
{
	return g_getenv("PGHOST") != NULL;
}

static int
admin_exec(const char *sql_prefix, const char *name)
{
	struct rw_db *db = NULL;
	char *sql = g_strdup_printf("%s \"%s\"", sql_prefix, name);
	int rc = rw_db_connect(&db, "dbname=postgres");

	/* NAME is generated below from a counter and the pid: not input */
	if (rc == 0)
		rc = rw_db_exec(db, sql);
	rw_db_free(db);
	g_free(sql);
	return rc;
}

int
testdb_create(char **out_conninfo)
{
	static int counter;
	char name[64];
	int rc;

	snprintf(name, sizeof(name), "rwtest_%d_%d_%d", (int)getpid(),
	    counter++, g_random_int_range(0, 1000000));
	rc = admin_exec("CREATE DATABASE", name);
	*out_conninfo = rc == 0 ? g_strdup_printf("dbname=%s", name) : NULL;
	return rc;
}

int
testdb_open(struct rw_db **out, char **out_conninfo)
{
	int rc = testdb_create(out_conninfo);

	*out = NULL;
	if (rc == 0)
		rc = rw_db_connect(out, *out_conninfo);
	if (rc == 0)
		rc = rw_db_migrate(*out, NULL);
	return rc;
}

void
testdb_drop(const char *conninfo)
{
	if (conninfo == NULL || !g_str_has_prefix(conninfo, "dbname="))
		return;
	if (admin_exec("DROP DATABASE IF EXISTS",
	    conninfo + strlen("dbname=")) != 0)
		rw_error_clear();
}

int
testdb_fx_setup(void **state)
{
	struct testdb_fx *f = g_new0(struct testdb_fx, 1);

	*state = f;
	if (!testdb_available())
		return 0;
	if (testdb_open(&f->db, &f->conninfo) != 0) {
		rw_error_print();
		return -1;
	}
	return 0;
}

int
testdb_fx_teardown(void **state)
{
	struct testdb_fx *f = *state;

	rw_db_free(f->db);
	testdb_drop(f->conninfo);
	g_free(f->conninfo);
	g_free(f);
	return 0;
}

void
testdb_check_rc(int rc, const char *what)
{
	if (rc != 0) {
		print_error("%s: %s\n", what, rw_error_message());
		rw_error_clear();
		fail();
	}
}

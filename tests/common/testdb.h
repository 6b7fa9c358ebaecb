/*
 * testdb - a fresh database per test on the server scripts/test.sh started
 * (PG* environment). Without a server the test is skipped, unless
 * REPWATCH_TEST_REQUIRE_DB=1 (set by scripts/test.sh), where it fails.
 */
#ifndef TESTDB_H
#define TESTDB_H

#include <stdbool.h>
#include "common/rw_db.h"

/* testdb_available - PG* points at a server (else skip or fail) */
bool testdb_available(void);
/* testdb_create - new empty database; its conninfo in *out (g_free) */
int testdb_create(char **out_conninfo);
/* testdb_open - new database, connected and migrated */
int testdb_open(struct rw_db **out, char **out_conninfo);
void testdb_drop(const char *conninfo);

/* a migrated database of its own for each cmocka test */
struct testdb_fx {
	struct rw_db *db;
	char *conninfo;
};

/*
 * testdb_fx_setup / testdb_fx_teardown - cmocka setup and teardown: *STATE
 * is a struct testdb_fx, its db NULL when no server is configured (the
 * test's TESTDB_REQUIRE skips then)
 */
int testdb_fx_setup(void **state);
int testdb_fx_teardown(void **state);

/* testdb_check_rc - fail the running cmocka test, naming WHAT and the
 * recorded error, unless RC is 0 */
void testdb_check_rc(int rc, const char *what);

/* skip (or fail under scripts/test.sh) when no server is configured */
#define TESTDB_REQUIRE()                                                    \
	do {                                                                \
		if (!testdb_available()) {                                  \
			if (g_strcmp0(g_getenv("REPWATCH_TEST_REQUIRE_DB"), "1") == 0) \
				fail_msg("no PostgreSQL (PGHOST unset)");   \
			skip();                                             \
		}                                                           \
	} while (0)

#endif

/*
 * DB tests of ingest/snds_load against a real PostgreSQL (label db): what
 * lands in snds_daily, snds_reject, the status snapshot and the fetch log;
 * idempotent reloads; revised days; duplicates in one report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib.h>

#include "common/rw_error.h"
#include "ingest/snds_files.h"
#include "tests/common/testdb.h"

#define FIX "tests/fixtures/snds/"
#define LA "America/Los_Angeles"

/* one query's rows as "a|b|c" lines joined by "\n" */
static char *
q(struct testdb_fx *f, const char *sql)
{
	PGresult *r = NULL;
	GString *s = g_string_new(NULL);

	if (rw_db_query(&r, f->db, sql, 0, NULL) != 0) {
		rw_error_print();
		fail();
	}
	for (int i = 0; i < PQntuples(r); i++) {
		if (i > 0)
			g_string_append_c(s, '\n');
		for (int j = 0; j < PQnfields(r); j++) {
			if (j > 0)
				g_string_append_c(s, '|');
			g_string_append(s, PQgetisnull(r, i, j) ? "NULL" :
			    PQgetvalue(r, i, j));
		}
	}
	PQclear(r);
	return g_string_free(s, FALSE);
}

static void
expect_q(struct testdb_fx *f, const char *sql, const char *want)
{
	char *got = q(f, sql);

	if (strcmp(got, want) != 0) {
		print_error("%s\n got:\n%s\n want:\n%s\n", sql, got, want);
		fail();
	}
	g_free(got);
}

static int
load(struct snds_load_result *res, struct testdb_fx *f, enum snds_csv_kind kind,
    const char *day, const char *file)
{
	struct snds_load_opts o = {0};

	o.kind = kind;
	o.source = "main";
	o.tz = LA;
	o.day = day;
	o.input = file;
	o.log.bytes = -1;
	o.log.url_masked = "file:test";
	return snds_load_file(res, f->db, &o, file);
}

/* a report in a temporary file; the caller unlinks and frees the path */
static char *
temp_report(const char *text)
{
	char *path = g_build_filename(g_get_tmp_dir(), "snds-load-XXXXXX.csv",
	    NULL);
	int fd = g_mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

static void
test_data_load(void **state)
{
	struct testdb_fx *f = *state;
	struct snds_load_result res;

	TESTDB_REQUIRE();
	assert_int_equal(load(&res, f, SNDS_CSV_DATA, NULL,
	    FIX "data_crlf.csv"), 0);
	assert_int_equal(res.rows, 3);
	assert_int_equal(res.rejected, 0);
	assert_string_equal(res.day_min, "2026-03-02");
	assert_string_equal(res.day_max, "2026-08-03");
	expect_q(f, "SET TIME ZONE 'UTC'", "");
	expect_q(f, "SELECT ip, activity_start, activity_end, day,"
	    " rcpt_commands, data_commands, recipients, filter,"
	    " complaint_rate_text, complaint_rate_low::float8,"
	    " complaint_rate_high::float8, complaint_rate_high_open,"
	    " trap_start, trap_end, trap_hits, sample_helo, jmr_p1_sender,"
	    " comments, raw_start FROM repwatch.snds_daily ORDER BY ip",
	    "192.0.2.25|2026-03-02 08:00:00+00|2026-03-03 07:59:00+00|"
	    "2026-03-02|2410|2398|2405|GREEN|< 0.1%|0|0.001|t|NULL|NULL|0|"
	    "mta1.example.net|bounces@example.net|NULL|3/2/2026 12:00 AM\n"
	    "198.51.100.40|2026-03-02 15:00:00+00|2026-03-03 14:00:00+00|"
	    "2026-03-02|880|861|870|YELLOW|0.6%|0.006|0.006|f|"
	    "2026-03-02 17:14:00+00|2026-03-03 00:51:00+00|3|"
	    "mta2.example.net|@example.net|sample comment, with a comma|"
	    "3/2/2026 7:00 AM\n"
	    "203.0.113.9|2026-08-04 00:00:00+00|2026-08-04 23:00:00+00|"
	    "2026-08-03|150|150|150|RED|2%|0.02|0.02|f|NULL|NULL|NULL|"
	    "mta9.example.org|NULL|NULL|8/3/2026 5:00 PM");
	/* the fetch log row names the load and its id is on every row */
	expect_q(f, "SELECT source, kind, url_masked, rows_loaded,"
	    " rows_rejected, outcome, length(body_sha256),"
	    " bytes FROM repwatch.snds_fetch_log",
	    "main|data|file:test|3|0|ok|64|376");
	expect_q(f, "SELECT count(*) FROM repwatch.snds_daily d JOIN"
	    " repwatch.snds_fetch_log l ON l.id = d.fetch_id", "3");
	/* loading again changes nothing but the fetch id */
	assert_int_equal(load(&res, f, SNDS_CSV_DATA, NULL,
	    FIX "data_crlf.csv"), 0);
	expect_q(f, "SELECT count(*), count(DISTINCT fetch_id),"
	    " max(fetch_id) = (SELECT max(id) FROM repwatch.snds_fetch_log)"
	    " FROM repwatch.snds_daily", "3|1|t");
}

static void
test_revised_and_duplicates(void **state)
{
	struct testdb_fx *f = *state;
	struct snds_load_result res;
	char *path;
	static const char revised[] =
	    "192.0.2.25,3/2/2026 12:00 AM,3/2/2026 11:59 PM,2410,2398,2405,"
	    "YELLOW,0.4%,,,,mta1.example.net,bounces@example.net,\n"
	    "192.0.2.25,3/2/2026 12:00 AM,3/2/2026 11:59 PM,2410,2398,2405,"
	    "RED,1.2%,,,,mta1.example.net,bounces@example.net,later line\n";

	TESTDB_REQUIRE();
	path = temp_report(revised);
	assert_int_equal(load(&res, f, SNDS_CSV_DATA, "2026-03-02",
	    FIX "data_crlf.csv"), 0);
	assert_int_equal(load(&res, f, SNDS_CSV_DATA, "2026-03-02", path), 0);
	assert_int_equal(res.rows, 1);
	assert_int_equal(res.duplicates, 1);
	expect_q(f, "SELECT filter, complaint_rate_text, comments, trap_hits"
	    " FROM repwatch.snds_daily WHERE ip = '192.0.2.25'",
	    "RED|1.2%|later line|NULL");
	expect_q(f, "SELECT count(*) FROM repwatch.snds_daily", "3");
	unlink(path);
	g_free(path);
}

#define ALL_COLS \
    "SELECT ip, activity_start, activity_end, day, rcpt_commands," \
    " data_commands, recipients, filter, complaint_rate_text," \
    " complaint_rate_low::text, complaint_rate_high::text," \
    " complaint_rate_high_open, trap_start, trap_end, trap_hits," \
    " sample_helo, jmr_p1_sender, comments, raw_start, raw_end" \
    " FROM repwatch.snds_daily ORDER BY ip"

/*
 * A new day is COPYed straight into snds_daily, a stored one goes through
 * the staged merge, which rewrites every column: both must store the same
 * text, numerics included.
 */
static void
test_paths_agree(void **state)
{
	struct testdb_fx *f = *state;
	struct snds_load_result res;
	char *direct, *merged;

	TESTDB_REQUIRE();
	expect_q(f, "SET TIME ZONE 'UTC'", "");
	assert_int_equal(load(&res, f, SNDS_CSV_DATA, NULL,
	    FIX "data_crlf.csv"), 0);
	assert_int_equal(res.rows, 3);
	direct = q(f, ALL_COLS);
	expect_q(f, "SELECT complaint_rate_low::text, complaint_rate_high::text"
	    " FROM repwatch.snds_daily WHERE ip = '198.51.100.40'",
	    "0.006|0.006");
	assert_int_equal(load(&res, f, SNDS_CSV_DATA, NULL,
	    FIX "data_crlf.csv"), 0);
	assert_int_equal(res.rows, 3);
	merged = q(f, ALL_COLS);
	if (strcmp(direct, merged) != 0) {
		print_error("direct COPY:\n%s\nstaged merge:\n%s\n", direct,
		    merged);
		fail();
	}
	expect_q(f, "SELECT count(*), count(DISTINCT fetch_id) FROM"
	    " repwatch.snds_daily", "3|1");
	g_free(direct);
	g_free(merged);
}

/*
 * Which path a load took shows in the physical order of the rows: the
 * direct COPY keeps the report's order, the merge writes key order.
 */
static void
test_path_taken(void **state)
{
	struct testdb_fx *f = *state;
	struct snds_load_result res;
	static const char unsorted[] =
	    "198.51.100.9,3/2/2026 12:00 AM,3/2/2026 11:59 PM,10,10,10,"
	    "GREEN,< 0.1%,,,,mta1.example.net,bounces@example.net,\n"
	    "192.0.2.1,3/2/2026 12:00 AM,3/2/2026 11:59 PM,20,20,20,"
	    "GREEN,< 0.1%,,,,mta2.example.net,bounces@example.net,\n";
	char *path;

	TESTDB_REQUIRE();
	path = temp_report(unsorted);
	assert_int_equal(load(&res, f, SNDS_CSV_DATA, NULL, path), 0);
	expect_q(f, "SELECT string_agg(host(ip), ' ' ORDER BY ctid) FROM"
	    " repwatch.snds_daily", "198.51.100.9 192.0.2.1");
	assert_int_equal(load(&res, f, SNDS_CSV_DATA, NULL, path), 0);
	expect_q(f, "SELECT string_agg(host(ip), ' ' ORDER BY ctid) FROM"
	    " repwatch.snds_daily", "192.0.2.1 198.51.100.9");
	unlink(path);
	g_free(path);
}

/*
 * The same IP and period twice in a new report stops the direct COPY; the
 * second pass must count rejects once and log one load, later line winning.
 */
static void
test_direct_collision(void **state)
{
	struct testdb_fx *f = *state;
	struct snds_load_result res;
	char *path;
	static const char dup[] =
	    "192.0.2.25,3/2/2026 12:00 AM,3/2/2026 11:59 PM,2410,2398,2405,"
	    "YELLOW,0.4%,,,,mta1.example.net,bounces@example.net,\n"
	    "192.0.2.26,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,"
	    "PURPLE,0.4%,,,,mta1.example.net,bounces@example.net,\n"
	    "192.0.2.27,3/2/2026 12:00 AM,3/2/2026 11:59 PM,10,10,10,"
	    "GREEN,< 0.1%,,,,mta2.example.net,bounces@example.net,\n"
	    "192.0.2.25,3/2/2026 12:00 AM,3/2/2026 11:59 PM,2410,2398,2405,"
	    "RED,1.2%,,,,mta1.example.net,bounces@example.net,later line\n";

	TESTDB_REQUIRE();
	path = temp_report(dup);
	assert_int_equal(load(&res, f, SNDS_CSV_DATA, NULL, path), 0);
	assert_int_equal(res.rows, 2);
	assert_int_equal(res.duplicates, 1);
	assert_int_equal(res.rejected, 1);
	expect_q(f, "SELECT ip, filter, comments FROM repwatch.snds_daily"
	    " ORDER BY ip", "192.0.2.25|RED|later line\n192.0.2.27|GREEN|NULL");
	expect_q(f, "SELECT count(*), min(line) FROM repwatch.snds_reject",
	    "1|2");
	expect_q(f, "SELECT count(*), min(outcome), min(rows_loaded),"
	    " min(rows_rejected) FROM repwatch.snds_fetch_log", "1|rejected|2|1");
	unlink(path);
	g_free(path);
}

static void
test_rejects(void **state)
{
	struct testdb_fx *f = *state;
	struct snds_load_result res;

	TESTDB_REQUIRE();
	assert_int_equal(load(&res, f, SNDS_CSV_DATA, "2026-03-02",
	    FIX "data_bad.csv"), 0);
	assert_int_equal(res.rows, 2);
	assert_int_equal(res.rejected, 10);
	expect_q(f, "SELECT count(*), min(line), max(line), min(day)::text,"
	    " bool_and(fetch_id IS NOT NULL), min(input) FROM"
	    " repwatch.snds_reject", "10|2|11|2026-03-02|t|"
	    FIX "data_bad.csv");
	expect_q(f, "SELECT raw, reason FROM repwatch.snds_reject"
	    " WHERE line = 5",
	    "192.0.2.43,3/2/2026 12:00 AM,3/2/2026 11:59 PM,100,100,100,BLUE,"
	    "0.3%,,,,a.example,b@example,|column 7 (filter result): \"BLUE\""
	    " is not GREEN, YELLOW or RED");
	expect_q(f, "SELECT outcome, rows_loaded, rows_rejected FROM"
	    " repwatch.snds_fetch_log", "rejected|2|10");
}

static void
test_status_snapshot(void **state)
{
	struct testdb_fx *f = *state;
	struct snds_load_result res;
	char *empty;

	TESTDB_REQUIRE();
	assert_int_equal(load(&res, f, SNDS_CSV_STATUS, "2026-03-03",
	    FIX "status.csv"), 0);
	assert_int_equal(res.rows, 4);
	assert_int_equal(res.rejected, 2);
	expect_q(f, "SELECT day, ranges FROM repwatch.snds_status_snapshot",
	    "2026-03-03|4");
	expect_q(f, "SELECT first_ip, last_ip, blocked, reason FROM"
	    " repwatch.snds_ip_status ORDER BY first_ip",
	    "1.1.1.254|1.1.2.1|t|SpamHaus SBL/XBL\n"
	    "192.0.2.9|192.0.2.9|f|\n"
	    "198.51.100.40|198.51.100.40|f|Junked due to user complaints or "
	    "other evidence of spamming\n"
	    "203.0.113.0|203.0.113.255|t|Blocked due to user complaints or "
	    "other evidence of spamming");
	/* the per-IP view (0002_snds.sql) expands ranges across octets */
	expect_q(f, "SELECT count(*) FROM repwatch.snds_ip_status_per_ip",
	    "262");
	expect_q(f, "SELECT string_agg(host(ip), ' ' ORDER BY ip) FROM"
	    " repwatch.snds_ip_status_per_ip WHERE first_ip = '1.1.1.254'",
	    "1.1.1.254 1.1.1.255 1.1.2.0 1.1.2.1");
	/* a later snapshot of the same day replaces it; empty = all clear */
	empty = temp_report("");
	assert_int_equal(load(&res, f, SNDS_CSV_STATUS, "2026-03-03", empty),
	    0);
	unlink(empty);
	g_free(empty);
	expect_q(f, "SELECT day, ranges FROM repwatch.snds_status_snapshot",
	    "2026-03-03|0");
	expect_q(f, "SELECT count(*) FROM repwatch.snds_ip_status", "0");
	expect_q(f, "SELECT outcome FROM repwatch.snds_fetch_log ORDER BY id",
	    "rejected\nok");
}

static void
test_missing_file(void **state)
{
	struct testdb_fx *f = *state;
	struct snds_load_totals t;
	const char *paths[] = {"tests/fixtures/snds/nope.csv"};

	TESTDB_REQUIRE();
	assert_int_equal(snds_load_files(&t, f->db, "main", LA, false, NULL,
	    paths, 1), RW_EDATA);
	assert_non_null(strstr(rw_error_message(), "nope.csv"));
	rw_error_clear();
	expect_q(f, "SELECT count(*) FROM repwatch.snds_daily", "0");
}

/*
 * issue 17 item 7: a device or an endless pipe read without end; now a
 * device is refused before reading and every file stops at max_bytes.
 */
struct ceiling_case {
	const char *name;
	const char *input;   /* "pipe" = endless writer, "file", or a path */
	long long max_bytes;
	int want_rc;
	const char *want_msg;
};

static const struct ceiling_case ceiling_cases[] = {
	{"endless pipe", "pipe", 1 << 20, RW_EDATA, "is larger than 1048576"},
	{"file over the ceiling", "file", 20, RW_EDATA, "is larger than 20 "},
	{"file under the ceiling", "file", 1 << 20, 0, NULL},
	{"device /dev/zero", "/dev/zero", 0, RW_EDATA, "not a regular file"},
	{"directory", "tests/fixtures/snds", 0, RW_EDATA,
	    "not a regular file"},
};

static void
test_file_ceiling(void **state)
{
	struct testdb_fx *f = *state;
	const char *row = "192.0.2.1,3/2/2026 12:00 AM,3/2/2026 11:59 PM,"
	    "1,1,1,GREEN,0%,,,,h,s,c\n";

	TESTDB_REQUIRE();
	for (size_t i = 0; i < G_N_ELEMENTS(ceiling_cases); i++) {
		const struct ceiling_case *c = &ceiling_cases[i];
		struct snds_load_opts o = {0};
		struct snds_load_result res;
		FILE *pipe = NULL;
		char *path;
		int rc;

		if (strcmp(c->input, "pipe") == 0) {
			pipe = popen("yes '192.0.2.1,3/2/2026 12:00 AM,"
			    "3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,h,s,c'", "r");
			assert_non_null(pipe);
			path = g_strdup_printf("/dev/fd/%d", fileno(pipe));
		} else if (strcmp(c->input, "file") == 0) {
			path = temp_report(row);
		} else {
			path = g_strdup(c->input);
		}
		o.kind = SNDS_CSV_DATA;
		o.source = "main";
		o.tz = LA;
		o.input = path;
		o.log.bytes = -1;
		o.log.url_masked = "file:test";
		o.max_bytes = c->max_bytes;
		rc = snds_load_file(&res, f->db, &o, path);
		if (rc != c->want_rc || (c->want_msg != NULL &&
		    strstr(rw_error_message(), c->want_msg) == NULL)) {
			print_error("%s: got %d \"%s\", want %d \"%s\"\n",
			    c->name, rc, rc != 0 ? rw_error_message() : "",
			    c->want_rc, c->want_msg ? c->want_msg : "");
			fail();
		}
		rw_error_clear();
		if (pipe != NULL)
			pclose(pipe);
		else if (strcmp(c->input, "file") == 0)
			unlink(path);
		g_free(path);
	}
	/* only the file under the ceiling was stored */
	expect_q(f, "SELECT count(*) FROM repwatch.snds_daily", "1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_data_load, testdb_fx_setup, testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_revised_and_duplicates,
		    testdb_fx_setup, testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_paths_agree, testdb_fx_setup,
		    testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_direct_collision, testdb_fx_setup,
		    testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_path_taken, testdb_fx_setup,
		    testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_rejects, testdb_fx_setup, testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_status_snapshot, testdb_fx_setup,
		    testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, testdb_fx_setup,
		    testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_file_ceiling, testdb_fx_setup,
		    testdb_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

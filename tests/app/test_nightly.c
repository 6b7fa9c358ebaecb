/*
 * test_nightly - the runner with fake steps on a real database: order of
 * the steps, a failing step does not stop the others, the run's status is
 * the worst step's, both locks refuse a second run at once, run_log.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <cmocka.h>

#include "app/app_nightly.h"
#include "common/rw_error.h"
#include "common/rw_util.h"
#include "tests/common/testdb.h"

static GString *trace;      /* "kind:arg " per step called */
static const char *fail_at; /* "kind:arg" that fails */
static int fail_code;

static int
fake(const char *kind, const char *arg)
{
	g_string_append_printf(trace, "%s:%s ", kind, arg ? arg : "-");
	if (fail_at != NULL && strstr(fail_at, kind) == fail_at &&
	    g_str_has_suffix(fail_at, arg ? arg : "-"))
		return rw_error_set(fail_code, "fake %s failure", kind);
	return 0;
}

#define FAKE(kind)                                                          \
	static int fake_##kind(GString *c, struct app *a, const char *arg) \
	{                                                                   \
		(void)a;                                                    \
		g_string_append(c, "1 thing");                              \
		return fake(#kind, arg);                                    \
	}
FAKE(fetch)
FAKE(ingest)
FAKE(mta)
FAKE(analyze)
FAKE(report)
FAKE(prometheus)
FAKE(notify)
FAKE(prune)

static const struct app_nightly_ops fake_ops = {
	fake_fetch, fake_ingest, fake_mta, fake_analyze, fake_report, fake_prometheus,
	fake_notify, fake_prune,
};

struct fixture {
	char *ci;
	char *state;
	struct app app;
};

static const char conf_fmt[] =
    "[paths]\nstate_dir = %s\n"
    "[snds.alpha]\ntype = link\n"
    "data_url = https://snds.invalid/data?key=k\n"
    "[snds.beta]\ntype = link\n"
    "data_url = https://snds.invalid/data?key=k\n"
    "[mailbox.m1]\nurl = /nonexistent/m1\n"
    "[mailbox.m2]\nurl = /nonexistent/m2\n"
    "[mta.p1]\ntype = postfix\npath = /nonexistent/mail.log\n"
    "[nightly]\nreport_html = %s/r.html\nprometheus_file = %s/r.prom\n"
    "keep_days = 400\n"
    "[notify]\ncommand = cat\n";

static void
app_open(struct fixture *f)
{
	g_autofree char *conf = g_strdup_printf(conf_fmt, f->state, f->state,
	    f->state);

	memset(&f->app, 0, sizeof(f->app));
	assert_int_equal(rw_config_load_data(&f->app.cfg, "test.conf", conf),
	    0);
	f->app.db_override = f->ci;
}

static int
setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);
	const char *tmp = g_getenv("REPWATCH_TEST_TMP");
	struct rw_db *db = NULL;

	*state = f;
	if (!testdb_available())
		return 0;
	f->state = g_dir_make_tmp("nightly-XXXXXX", NULL);
	if (tmp != NULL) {
		g_free(f->state);
		f->state = g_build_filename(tmp, "nightly-XXXXXX", NULL);
		g_mkdtemp(f->state);
	}
	assert_int_equal(testdb_open(&db, &f->ci), 0);
	/* one SNDS day, so the analysis has a range */
	assert_int_equal(rw_db_exec(db, "INSERT INTO repwatch.snds_daily "
	    "(source, ip, activity_start, activity_end, day, rcpt_commands, "
	    "data_commands, recipients, filter, complaint_rate_text, "
	    "raw_start, raw_end) VALUES ('alpha', '192.0.2.1', "
	    "'2026-08-14 07:00Z', '2026-08-15 06:59Z', '2026-08-14', 10, 10, "
	    "10, 'GREEN', '< 0.1%', 'x', 'x')"), 0);
	rw_db_free(db);
	trace = g_string_new(NULL);
	app_open(f);
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	app_finish(&f->app);
	if (f->ci != NULL)
		testdb_drop(f->ci);
	if (f->state != NULL)
		rw_rm_rf(f->state);
	g_free(f->ci);
	g_free(f->state);
	g_free(f);
	if (trace != NULL)
		g_string_free(trace, TRUE);
	trace = NULL;
	fail_at = NULL;
	return 0;
}

static void
test_order_and_all_ok(void **state)
{
	struct fixture *f = *state;
	struct app_nightly_result res = {0};

	TESTDB_REQUIRE();
	assert_int_equal(app_nightly_run(&res, &f->app, &fake_ops), 0);
	g_autofree char *want = g_strdup_printf("fetch:alpha fetch:beta "
	    "ingest:m1 ingest:m2 mta:p1 analyze:2026-08-14..2026-08-14 "
	    "report:%s/r.html prometheus:%s/r.prom notify:- prune:400 "
	    "prometheus:%s/r.prom ", f->state, f->state, f->state);
	assert_string_equal(trace->str, want);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.steps->len, 10);
	assert_true(res.run_id > 0);
	app_nightly_result_clear(&res);
}

static void
expect_worst(struct fixture *f, const char *at, int code, int want)
{
	struct app_nightly_result res = {0};

	g_string_truncate(trace, 0);
	fail_at = at;
	fail_code = code;
	assert_int_equal(app_nightly_run(&res, &f->app, &fake_ops), 0);
	/* every step still ran */
	assert_non_null(strstr(trace->str, "prune:400"));
	assert_non_null(strstr(trace->str, "fetch:beta"));
	assert_int_equal(res.status, want);
	app_nightly_result_clear(&res);
}

static void
test_failure_isolated_worst_exit(void **state)
{
	struct fixture *f = *state;

	TESTDB_REQUIRE();
	/* a dead mailbox does not stop the fetch after it or the analysis */
	expect_worst(f, "ingest:m1", RW_EUNAVAIL, RW_EUNAVAIL);
	expect_worst(f, "fetch:alpha", RW_ETEMP, RW_ETEMP);
	/* an MTA log that cannot be read does not stop the analysis */
	expect_worst(f, "mta:p1", RW_ENOINPUT, RW_ENOINPUT);
	assert_non_null(strstr(trace->str, "mta:p1 analyze:"));
	expect_worst(f, "analyze:2026-08-14..2026-08-14", RW_EDATA, RW_EDATA);
	expect_worst(f, "prune:400", RW_ECONFIG, RW_ECONFIG);
}

/*
 * When the days to analyze cannot be read, the analyze step fails with the
 * database's error and status (it once said "step analyze is not available
 * in this build", status 70).
 */
static void
test_analyze_range_error(void **state)
{
	struct fixture *f = *state;
	struct app_nightly_result res = {0};
	const struct app_nightly_step *s = NULL;
	struct rw_db *db = NULL;

	TESTDB_REQUIRE();
	assert_int_equal(app_db(&db, &f->app), 0);
	assert_int_equal(rw_db_exec(db, "ALTER TABLE repwatch.analysis_run "
	    "RENAME TO analysis_run_gone"), 0);
	assert_int_equal(app_nightly_run(&res, &f->app, &fake_ops), 0);
	for (guint i = 0; i < res.steps->len; i++) {
		const struct app_nightly_step *x = res.steps->pdata[i];

		if (strcmp(x->kind, "analyze") == 0)
			s = x;
	}
	if (s == NULL) {
		/* fail() returns to cmocka, but is not declared noreturn */
		fail_msg("no analyze step");
		abort();
	}
	/* the fake analyze step never ran: there was no range to give it */
	assert_null(strstr(trace->str, "analyze:"));
	assert_int_equal(s->status, RW_EFAIL);
	assert_non_null(s->message);
	assert_non_null(strstr(s->message, "analysis_run"));
	assert_null(strstr(s->message, "not available"));
	assert_int_equal(res.status, RW_EFAIL);
	/* the other steps still ran */
	assert_non_null(strstr(trace->str, "prune:400"));
	assert_int_equal(rw_db_exec(db, "ALTER TABLE repwatch."
	    "analysis_run_gone RENAME TO analysis_run"), 0);
	app_nightly_result_clear(&res);
}

static void
test_run_log(void **state)
{
	struct fixture *f = *state;
	struct app_nightly_result res = {0};
	struct rw_db *db = NULL;
	char *v = NULL;
	g_autofree char *id = NULL;

	TESTDB_REQUIRE();
	fail_at = "ingest:m2";
	fail_code = RW_EUNAVAIL;
	assert_int_equal(app_nightly_run(&res, &f->app, &fake_ops), 0);
	id = g_strdup_printf("%lld", res.run_id);
	const char *params[] = {id};
	assert_int_equal(app_db(&db, &f->app), 0);
	assert_int_equal(rw_db_query1(&v, db, "SELECT exit_code || ' ' || "
	    "jsonb_array_length(summary->'steps') || ' ' || (summary->'steps'"
	    "->3->>'outcome') || ' ' || (summary->'steps'->3->>'message') || "
	    "' ' || (finished_at IS NOT NULL) FROM repwatch.run_log WHERE id = "
	    "$1::bigint", 1, params), 0);
	assert_string_equal(v, "69 10 failed fake ingest failure true");
	g_free(v);
	app_nightly_result_clear(&res);
}

static void
test_file_lock(void **state)
{
	struct fixture *f = *state;
	struct app_nightly_result res = {0};
	g_autofree char *path = NULL;
	int fd;

	TESTDB_REQUIRE();
	path = app_nightly_lock_path(&f->app);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(app_nightly_run(&res, &f->app, &fake_ops), RW_ETEMP);
	assert_string_equal(rw_error_message(),
	    "another nightly run is in progress");
	assert_int_equal(trace->len, 0); /* no step ran */
	app_nightly_result_clear(&res);
	close(fd);
	rw_error_clear();
	assert_int_equal(app_nightly_run(&res, &f->app, &fake_ops), 0);
	app_nightly_result_clear(&res);
}

static void
test_db_lock(void **state)
{
	struct fixture *f = *state;
	struct app_nightly_result res = {0};
	struct rw_db *other = NULL;
	bool taken = false;

	TESTDB_REQUIRE();
	assert_int_equal(rw_db_connect(&other, f->ci), 0);
	assert_int_equal(rw_db_trylock(&taken, other, RW_LOCK_NIGHTLY), 0);
	assert_true(taken);
	assert_int_equal(app_nightly_run(&res, &f->app, &fake_ops), RW_ETEMP);
	assert_int_equal(trace->len, 0);
	assert_int_equal(rw_exit_code(RW_ETEMP), 75);
	app_nightly_result_clear(&res);
	rw_db_free(other);
	rw_error_clear();
}

static void
test_summary_quiet(void **state)
{
	struct fixture *f = *state;
	struct app_nightly_result res = {0};
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	TESTDB_REQUIRE();
	assert_int_equal(app_nightly_run(&res, &f->app, &fake_ops), 0);
	out = open_memstream(&buf, &len);
	app_nightly_print_summary(out, &res, true);
	fclose(out);
	assert_int_equal(len, 0); /* -q on success: nothing */
	free(buf);
	out = open_memstream(&buf, &len);
	app_nightly_print_summary(out, &res, false);
	fclose(out);
	assert_non_null(strstr(buf, "ingest m1"));
	assert_non_null(strstr(buf, "nightly: ok, exit 0"));
	free(buf);
	app_nightly_result_clear(&res);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_and_all_ok, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_failure_isolated_worst_exit,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analyze_range_error, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_file_lock, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_db_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary_quiet, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * DB tests of the arf area's library entry points against a real
 * PostgreSQL (label db): arf_ingest_spec_init resolves a source as
 * "arf ingest" does, arf_ingest_run returns in its totals what it stored
 * (the numbers nightly used to re-read from repwatch.arf_run), and
 * arf_reparse_run returns the moves it made or would make.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "common/rw_config.h"
#include "common/rw_error.h"
#include "common/rw_util.h"
#include "arf/arf_ingest.h"
#include "arf/arf_reparse.h"
#include "tests/common/testdb.h"

#define FIX "tests/fixtures/arf/"

struct fx {
	struct rw_db *db;
	char *conninfo;
	char *dir;  /* a Maildir of the sample messages */
	struct rw_config *cfg;
};

/* put FIX/NAME into the Maildir's new/ */
static void
deliver(struct fx *f, const char *name)
{
	g_autofree char *path = g_build_filename(FIX, name, NULL);
	g_autofree char *to = g_build_filename(f->dir, "new", name, NULL);
	g_autofree char *data = NULL;
	gsize len = 0;

	assert_true(g_file_get_contents(path, &data, &len, NULL));
	assert_true(g_file_set_contents(to, data, (gssize)len, NULL));
}

static void
deliver_all(struct fx *f)
{
	deliver(f, "arf-basic.eml");
	deliver(f, "jmrp-legacy.eml");
	deliver(f, "bounce-dsn.eml");
}

static int
setup(void **state)
{
	struct fx *f = g_new0(struct fx, 1);
	g_autofree char *conf = NULL;

	*state = f;
	f->dir = g_dir_make_tmp("arf_ingest_run.XXXXXX", NULL);
	if (f->dir == NULL)
		return -1;
	for (int i = 0; i < 3; i++) {
		const char *sub[] = {"new", "cur", "tmp"};
		g_autofree char *d = g_build_filename(f->dir, sub[i], NULL);

		g_mkdir(d, 0700);
	}
	conf = g_strdup_printf("[mailbox.fbl]\nurl = %s\n"
	    "[mailbox.nourl]\nuser = fbl\n"
	    "[mailbox.secret]\nurl = imaps://fbl@imap.example.net/INBOX\n"
	    "password = hunter2\n", f->dir);
	if (rw_config_load_data(&f->cfg, "test.conf", conf) != 0) {
		rw_error_print();
		return -1;
	}
	if (!testdb_available())
		return 0;
	if (testdb_open(&f->db, &f->conninfo) != 0) {
		rw_error_print();
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	rw_db_free(f->db);
	testdb_drop(f->conninfo);
	g_free(f->conninfo);
	rw_config_free(f->cfg);
	if (f->dir != NULL && rw_rm_rf(f->dir) != 0)
		rw_error_print();
	g_free(f->dir);
	g_free(f);
	return 0;
}

static char *
q1(struct fx *f, const char *sql)
{
	char *v = NULL;

	if (rw_db_query1(&v, f->db, sql, 0, NULL) != 0) {
		rw_error_print();
		fail();
	}
	return v;
}

/* the progress callback: how often it was called, the last sum */
struct seen {
	int batches, done;
	long long messages;
};

static void
on_progress(void *ctx, const char *name, const struct arf_counts *sum,
    bool done)
{
	struct seen *s = ctx;

	assert_string_equal(name, "fbl");
	if (done)
		s->done++;
	else
		s->batches++;
	s->messages = sum->messages;
}

static int
run(struct arf_ingest_totals *t, struct fx *f, const char *source,
    struct seen *seen)
{
	struct arf_ingest_spec spec;
	int rc = arf_ingest_spec_init(&spec, f->cfg, source);

	spec.progress = on_progress;
	spec.progress_ctx = seen;
	if (rc == 0)
		rc = arf_ingest_run(t, f->db, f->cfg, &spec);
	arf_ingest_spec_clear(&spec);
	return rc;
}

/* the totals are what was stored, and what the run recorded */
static void
test_ingest_totals(void **state)
{
	struct fx *f = *state;
	struct arf_ingest_totals t;
	struct seen seen = {0};
	g_autofree char *run_row = NULL;

	TESTDB_REQUIRE();
	deliver_all(f);
	assert_int_equal(run(&t, f, "fbl", &seen), 0);
	assert_int_equal(t.counts.messages, 3);
	assert_int_equal(t.counts.complaints, 2);
	assert_int_equal(t.counts.reports, 2);
	assert_int_equal(t.counts.duplicates, 0);
	assert_int_equal(t.counts.not_a_report, 1);
	assert_int_equal(t.counts.quarantined, 0);
	assert_int_equal(t.counts.without_ip, 0);
	assert_true(t.has_breakdown);
	assert_string_equal(t.types, "abuse 2");
	assert_non_null(strstr(t.providers, "microsoft 1"));
	assert_int_equal(seen.done, 1);
	assert_true(seen.batches >= 1);
	assert_int_equal(seen.messages, 3);
	run_row = q1(f, "SELECT messages || ' ' || complaints || ' ' || "
	    "duplicates || ' ' || quarantined || ' ' || outcome FROM "
	    "repwatch.arf_run WHERE mailbox = 'fbl'");
	assert_string_equal(run_row, "3 2 0 0 ok");
	arf_ingest_totals_clear(&t);

	/* the same messages again: nothing new, all counted as duplicates */
	deliver_all(f);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(run(&t, f, "fbl", &seen), 0);
	assert_int_equal(t.counts.messages, 3);
	assert_int_equal(t.counts.complaints, 0);
	assert_int_equal(t.counts.duplicates, 3);
	assert_false(t.has_breakdown);
	assert_null(t.types);
	arf_ingest_totals_clear(&t);
}

/* a source that cannot be read: an error, and totals of nothing */
static void
test_ingest_missing(void **state)
{
	struct fx *f = *state;
	struct arf_ingest_totals t;
	struct seen seen = {0};
	g_autofree char *gone = g_build_filename(f->dir, "gone", NULL);

	TESTDB_REQUIRE();
	assert_int_equal(run(&t, f, gone, &seen), RW_ENOINPUT);
	assert_non_null(strstr(rw_error_message(), gone));
	assert_int_equal(t.counts.messages, 0);
	assert_false(t.has_breakdown);
	rw_error_clear();
	arf_ingest_totals_clear(&t);
}

/* names, paths and URLs resolve as "arf ingest SOURCE" takes them */
static void
test_spec_init(void **state)
{
	struct fx *f = *state;
	struct arf_ingest_spec s;

	assert_int_equal(arf_ingest_spec_init(&s, f->cfg, "fbl"), 0);
	assert_string_equal(s.name, "fbl");
	assert_string_equal(s.source, f->dir);
	arf_ingest_spec_clear(&s);

	assert_int_equal(arf_ingest_spec_init(&s, f->cfg, "secret"), 0);
	assert_string_equal(s.name, "secret");
	assert_string_equal(s.source, "imaps://fbl@imap.example.net/INBOX");
	assert_string_equal(s.opts.password, "hunter2");
	arf_ingest_spec_clear(&s);

	/* a URL given directly is shown with its password masked */
	assert_int_equal(arf_ingest_spec_init(&s, f->cfg,
	    "imaps://fbl:hunter2@imap.example.net/INBOX"), 0);
	assert_string_equal(s.source,
	    "imaps://fbl:hunter2@imap.example.net/INBOX");
	assert_null(strstr(s.name, "hunter2"));
	assert_null(s.opts.password);
	arf_ingest_spec_clear(&s);

	assert_int_equal(arf_ingest_spec_init(&s, f->cfg, "-"), 0);
	assert_string_equal(s.name, "-");
	assert_string_equal(s.source, "-");
	arf_ingest_spec_clear(&s);

	assert_int_equal(arf_ingest_spec_init(&s, f->cfg, "nourl"),
	    RW_ECONFIG);
	assert_string_equal(rw_error_message(), "mailbox \"nourl\" has no url");
	rw_error_clear();
	arf_ingest_spec_clear(&s);
}

static const struct arf_reparse_move *
move_at(const struct arf_reparse_result *r, guint i)
{
	return &g_array_index(r->moves, struct arf_reparse_move, i);
}

/* a report whose stored IP is wrong moves back; a dry run changes nothing */
static void
test_reparse_moves(void **state)
{
	struct fx *f = *state;
	struct arf_ingest_totals t;
	struct arf_reparse_result r;
	struct seen seen = {0};
	g_autofree char *ip = NULL, *again = NULL;

	TESTDB_REQUIRE();
	deliver_all(f);
	assert_int_equal(run(&t, f, "fbl", &seen), 0);
	arf_ingest_totals_clear(&t);
	assert_int_equal(rw_db_exec(f->db, "UPDATE repwatch.arf_report SET "
	    "source_ip = '192.0.2.250' WHERE host(source_ip) = "
	    "'192.0.2.25'"), 0);

	assert_int_equal(arf_reparse_run(&r, f->db, f->cfg, NULL, true), 0);
	assert_int_equal(r.read, 2);
	assert_int_equal(r.unreadable, 0);
	assert_int_equal(r.skipped, 0);
	assert_int_equal(r.moves->len, 1);
	assert_string_equal(move_at(&r, 0)->from, "192.0.2.250");
	assert_string_equal(move_at(&r, 0)->to, "192.0.2.25");
	assert_int_equal(move_at(&r, 0)->reports, 1);
	assert_int_equal(move_at(&r, 0)->complaints, 1);
	arf_reparse_result_clear(&r);
	ip = q1(f, "SELECT count(*) FROM repwatch.arf_report WHERE "
	    "host(source_ip) = '192.0.2.250'");
	assert_string_equal(ip, "1");

	assert_int_equal(arf_reparse_run(&r, f->db, f->cfg, NULL, false), 0);
	assert_int_equal(r.moves->len, 1);
	arf_reparse_result_clear(&r);
	again = q1(f, "SELECT count(*) FROM repwatch.arf_report WHERE "
	    "host(source_ip) = '192.0.2.25'");
	assert_string_equal(again, "1");

	assert_int_equal(arf_reparse_run(&r, f->db, f->cfg, "2000-01-01",
	    false), 0);
	assert_int_equal(r.read, 2);
	assert_int_equal(r.moves->len, 0);
	arf_reparse_result_clear(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ingest_totals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ingest_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_spec_init, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reparse_moves, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

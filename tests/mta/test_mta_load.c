/*
 * Tests of mta/mta_load on a real PostgreSQL (scripts/test.sh): the
 * buckets a Postfix log makes in repwatch.mta_attempt_hour (per IP, UTC
 * hour, class, code; attempts, first and last time, the earliest answer),
 * the sending IP from the service or Microsoft's [IP], what is skipped and
 * counted, a re-run and appended lines counted once, flushes in batches
 * inside the transaction, a failed load rolled back whole, FILE
 * arguments checkpointed under their source (one file by two names read
 * once, older rows of the file dropped), a PowerMTA file read on from a
 * checkpoint, and a new PowerMTA file with the old one's header row read
 * whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "common/rw_config.h"
#include "common/rw_error.h"
#include "common/rw_util.h"
#include "mta/mta_load.h"
#include "tests/common/testdb.h"

struct fx {
	struct testdb_fx db;
	char *dir, *log;
	struct rw_config *cfg;
};

/* pf - a Postfix delivery line */
static char *
pf(const char *stamp, const char *service, const char *rcpt,
    const char *dsn, const char *status, const char *answer)
{
	return g_strdup_printf("%s mx1 postfix%s/smtp[5150]: 9A1B2C3D4E: "
	    "to=<%s>, relay=hotmail-com.olc.protection.outlook.com"
	    "[52.101.8.48]:25, delay=1, delays=0/0/0/1, dsn=%s, status=%s "
	    "(host hotmail-com.olc.protection.outlook.com[52.101.8.48] said: "
	    "%s (in reply to MAIL FROM command))\n", stamp, service, rcpt,
	    dsn, status, answer);
}

#define THROTTLE(ip, tag) "451 4.7.651 The mail server [" ip "] has been " \
	"temporarily rate limited due to IP reputation. " tag " (S3114)"
#define BLOCK(ip) "550 5.7.1 Unfortunately, messages from [" ip "] " \
	"weren't sent. Please contact your Internet service provider since " \
	"part of their network is on our block list (S3150)."

static void
append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
append_pf(const char *path, const char *stamp, const char *service,
    const char *rcpt, const char *dsn, const char *status,
    const char *answer)
{
	g_autofree char *l = pf(stamp, service, rcpt, dsn, status, answer);

	append(path, l);
}

static int
setup(void **state)
{
	struct fx *f = g_new0(struct fx, 1);
	const char *tmp = g_getenv("REPWATCH_TEST_TMP");
	void *dbs = NULL;
	g_autofree char *conf = NULL;

	*state = f;
	testdb_fx_setup(&dbs);
	f->db = *(struct testdb_fx *)dbs;
	g_free(dbs);
	f->dir = g_build_filename(tmp != NULL ? tmp : g_get_tmp_dir(),
	    "mtaload-XXXXXX", NULL);
	assert_non_null(g_mkdtemp(f->dir));
	f->log = g_build_filename(f->dir, "mail.log", NULL);
	conf = g_strdup_printf("[mta.pf]\ntype = postfix\npath = %s*\n"
	    "ip_by_service = smtp-ip1:192.0.2.101\ntimezone = UTC\n", f->log);
	assert_int_equal(rw_config_load_data(&f->cfg, "t.conf", conf), 0);
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	struct testdb_fx *dbs = g_new0(struct testdb_fx, 1);

	*dbs = f->db;
	testdb_fx_teardown((void **)&dbs);
	rw_rm_rf(f->dir);
	rw_config_free(f->cfg);
	g_free(f->dir);
	g_free(f->log);
	g_free(f);
	return 0;
}

/* q - one value of SQL as text ("" for NULL) */
static char *
q(struct fx *f, const char *sql)
{
	char *v = NULL;

	testdb_check_rc(rw_db_query1(&v, f->db.db, sql, 0, NULL), sql);
	return v != NULL ? v : g_strdup("");
}

static void
expect_sql(struct fx *f, const char *what, const char *sql, const char *want)
{
	g_autofree char *got = q(f, sql);

	if (strcmp(got, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", what, got, want);
}

static const char rows_sql[] =
    "SELECT string_agg(concat_ws(' ', host(ip), to_char(hour AT TIME ZONE"
    " 'UTC', 'HH24'), class, code, enhanced, reply, attempts,"
    " to_char(first_at AT TIME ZONE 'UTC', 'HH24:MI'),"
    " to_char(last_at AT TIME ZONE 'UTC', 'HH24:MI'),"
    " coalesce(host(answer_ip), '-'),"
    " coalesce(substring(answer from 'reputation\\. (\\w+)'),"
    " substring(answer from 'said: (\\d+)'))), '; '"
    " ORDER BY ip, hour, class, code)"
    " FROM repwatch.mta_attempt_hour WHERE source = 'pf'";

static void
write_first(struct fx *f)
{
	/* three throttles of one hour, the earliest answer in the middle */
	append_pf(f->log, "2026-12-07T05:10:00+00:00", "/smtp-ip1",
	    "a@hotmail.com", "4.7.651", "deferred",
	    THROTTLE("192.0.2.101", "second"));
	append_pf(f->log, "2026-12-07T05:05:00+00:00", "/smtp-ip1",
	    "b@outlook.com", "4.7.651", "deferred",
	    THROTTLE("192.0.2.101", "earliest"));
	append_pf(f->log, "2026-12-07T05:20:00+00:00", "/smtp-ip1",
	    "c@live.de", "4.7.651", "deferred",
	    THROTTLE("192.0.2.101", "third"));
	/* the next hour: its own bucket */
	append_pf(f->log, "2026-12-07T06:01:00+00:00", "/smtp-ip1",
	    "a@hotmail.com", "4.7.651", "deferred",
	    THROTTLE("192.0.2.101", "nexthour"));
	/* no service IP: Microsoft's [IP] is the sender */
	append_pf(f->log, "2026-12-07T05:30:00+00:00", "", "a@msn.com",
	    "5.7.1", "bounced", BLOCK("198.51.100.7"));
	/* no service IP and no [IP]: skipped, counted */
	append_pf(f->log, "2026-12-07T05:31:00+00:00", "", "a@msn.com",
	    "4.4.4", "deferred", "451 4.4.4 Temporary server error.");
	/* delivered */
	append_pf(f->log, "2026-12-07T05:32:00+00:00", "/smtp-ip1",
	    "d@hotmail.com", "2.6.0", "sent", "250 2.6.0 Queued mail");
	/* not Microsoft: an attempt, not stored */
	append(f->log, "2026-12-07T05:33:00+00:00 mx1 postfix/smtp[1]: "
	    "AB12: to=<x@gmail.com>, relay=gmail-smtp-in.l.google.com"
	    "[142.250.102.27]:25, delay=1, dsn=2.0.0, status=sent (250 2.0.0 "
	    "OK)\n");
	/* not an attempt; then an unreadable line (a NUL byte) */
	append(f->log, "2026-12-07T05:34:00+00:00 mx1 postfix/qmgr[1]: AB12: "
	    "removed\n");
	{
		FILE *fp = fopen(f->log, "a");

		assert_non_null(fp);
		assert_int_equal(fwrite("bad\0line\n", 1, 9, fp), 9);
		assert_int_equal(fclose(fp), 0);
	}
}

static void
test_aggregate(void **state)
{
	struct fx *f = *state;
	struct mta_load_totals t;

	TESTDB_REQUIRE();
	write_first(f);
	assert_int_equal(mta_load_run(&t, f->db.db, f->cfg, NULL, NULL), 0);
	assert_int_equal(t.sources, 1);
	assert_int_equal(t.files, 1);
	assert_int_equal(t.lines, 10);
	assert_int_equal(t.attempts, 8);
	assert_int_equal(t.microsoft, 6);
	assert_int_equal(t.no_ip, 1);
	assert_int_equal(t.no_time, 0);
	assert_int_equal(t.bad_lines, 1);
	assert_int_equal(t.by_class[1], 4);  /* deferred-throttle */
	assert_int_equal(t.by_class[3], 1);  /* blocked */
	assert_int_equal(t.by_class[0], 1);  /* delivered */
	expect_sql(f, "buckets", rows_sql,
	    "192.0.2.101 05 deferred-throttle S3114 4.7.651 451 3 05:05 05:20 "
	    "192.0.2.101 earliest; "
	    "192.0.2.101 05 delivered 2.6.0 2.6.0 250 1 05:32 05:32 - 250; "
	    "192.0.2.101 06 deferred-throttle S3114 4.7.651 451 1 06:01 06:01 "
	    "192.0.2.101 nexthour; "
	    "198.51.100.7 05 blocked S3150 5.7.1 550 1 05:30 05:30 "
	    "198.51.100.7 550");
	expect_sql(f, "the load row", "SELECT concat_ws(' ', files, lines, "
	    "attempts, microsoft, no_ip, no_time, bad_lines, overlong) FROM "
	    "repwatch.mta_load WHERE source = 'pf'", "1 10 8 6 1 0 1 0");
	expect_sql(f, "one checkpoint at the end", "SELECT concat_ws(' ', "
	    "count(*), sum(lineno)) FROM repwatch.mta_checkpoint WHERE "
	    "source = 'pf'", "1 10");

	/* a re-run reads nothing */
	assert_int_equal(mta_load_run(&t, f->db.db, f->cfg, "pf", NULL), 0);
	assert_int_equal(t.lines, 0);
	assert_int_equal(t.microsoft, 0);

	/* appended lines: a later one keeps the answer, an earlier one
	 * takes it over */
	append_pf(f->log, "2026-12-07T05:50:00+00:00", "/smtp-ip1",
	    "a@hotmail.com", "4.7.651", "deferred",
	    THROTTLE("192.0.2.101", "laterone"));
	append_pf(f->log, "2026-12-07T06:00:30+00:00", "/smtp-ip1",
	    "a@hotmail.com", "4.7.651", "deferred",
	    THROTTLE("192.0.2.101", "earlier6"));
	assert_int_equal(mta_load_run(&t, f->db.db, f->cfg, NULL, NULL), 0);
	assert_int_equal(t.lines, 2);
	assert_int_equal(t.microsoft, 2);
	expect_sql(f, "merged", rows_sql,
	    "192.0.2.101 05 deferred-throttle S3114 4.7.651 451 4 05:05 05:50 "
	    "192.0.2.101 earliest; "
	    "192.0.2.101 05 delivered 2.6.0 2.6.0 250 1 05:32 05:32 - 250; "
	    "192.0.2.101 06 deferred-throttle S3114 4.7.651 451 2 06:00 06:01 "
	    "192.0.2.101 earlier6; "
	    "198.51.100.7 05 blocked S3150 5.7.1 550 1 05:30 05:30 "
	    "198.51.100.7 550");
	expect_sql(f, "three loads", "SELECT count(*) FROM repwatch.mta_load",
	    "3");
}

/*
 * more buckets than MTA_LOAD_BUCKETS: flushed in batches inside the one
 * transaction, every attempt stored once
 */
static void
test_batches(void **state)
{
	struct fx *f = *state;
	const int n = MTA_LOAD_BUCKETS + 7;
	g_autoptr(GString) text = g_string_new(NULL);
	g_autofree char *want = g_strdup_printf("%d %d", n, n + 1);
	struct mta_load_totals t;

	TESTDB_REQUIRE();
	for (int i = 0; i < n; i++) {
		g_autofree char *ip = g_strdup_printf("10.%d.%d.%d",
		    i >> 16, (i >> 8) & 255, i & 255);
		g_autofree char *ans = g_strdup_printf("550 5.7.1 messages "
		    "from [%s] weren't sent (S3150)", ip);
		g_autofree char *l = pf("2026-12-07T05:10:00Z", "", "a@live.com",
		    "5.7.1", "bounced", ans);

		g_string_append(text, l);
	}
	/* one more of the first IP: the same bucket, in another batch */
	{
		g_autofree char *l = pf("2026-12-07T05:11:00Z", "",
		    "a@live.com", "5.7.1", "bounced", "550 5.7.1 messages "
		    "from [10.0.0.0] weren't sent (S3150)");

		g_string_append(text, l);
	}
	append(f->log, text->str);
	assert_int_equal(mta_load_run(&t, f->db.db, f->cfg, NULL, NULL), 0);
	assert_int_equal(t.microsoft, (size_t)n + 1);
	expect_sql(f, "rows and attempts", "SELECT concat_ws(' ', count(*), "
	    "sum(attempts)) FROM repwatch.mta_attempt_hour", want);
	expect_sql(f, "the first IP's bucket", "SELECT concat_ws(' ', "
	    "attempts, to_char(first_at AT TIME ZONE 'UTC', 'HH24:MI'), "
	    "to_char(last_at AT TIME ZONE 'UTC', 'HH24:MI')) FROM "
	    "repwatch.mta_attempt_hour WHERE ip = '10.0.0.0'", "2 05:10 05:11");
}

/*
 * a load failing at its very end (a trigger refuses the mta_load row)
 * rolls back the counts and the checkpoints: the next run counts the same
 * lines once
 */
static void
test_rollback(void **state)
{
	struct fx *f = *state;
	struct mta_load_totals t;

	TESTDB_REQUIRE();
	write_first(f);
	assert_int_equal(rw_db_exec(f->db.db, "CREATE FUNCTION pg_temp.no() "
	    "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
	    "'injected failure'; END $$; CREATE TRIGGER no BEFORE INSERT ON "
	    "repwatch.mta_load FOR EACH ROW EXECUTE FUNCTION pg_temp.no()"),
	    0);
	rw_error_clear();
	assert_int_not_equal(mta_load_run(&t, f->db.db, f->cfg, "pf", NULL),
	    0);
	assert_non_null(strstr(rw_error_message(), "injected failure"));
	assert_non_null(strstr(rw_error_message(), "mta source pf"));
	expect_sql(f, "no counts", "SELECT count(*) FROM "
	    "repwatch.mta_attempt_hour", "0");
	expect_sql(f, "no checkpoints", "SELECT count(*) FROM "
	    "repwatch.mta_checkpoint", "0");
	assert_int_equal(rw_db_exec(f->db.db, "DROP TRIGGER no ON "
	    "repwatch.mta_load"), 0);
	assert_int_equal(mta_load_run(&t, f->db.db, f->cfg, "pf", NULL), 0);
	assert_int_equal(t.lines, 10);
	expect_sql(f, "counted once", "SELECT sum(attempts) FROM "
	    "repwatch.mta_attempt_hour", "6");
}

/* FILE arguments: the source's format, checkpointed by their path */
static void
test_files(void **state)
{
	struct fx *f = *state;
	g_autofree char *other = g_build_filename(f->dir, "old.log", NULL);
	g_autofree char *gone = g_build_filename(f->dir, "none.log", NULL);
	char *files[] = {other, NULL};
	char *missing[] = {gone, NULL};
	struct mta_load_totals t;

	TESTDB_REQUIRE();
	append_pf(other, "2026-12-07T05:10:00Z", "/smtp-ip1", "a@live.com",
	    "4.7.651", "deferred", THROTTLE("192.0.2.101", "x"));
	append_pf(f->log, "2026-12-07T05:10:00Z", "/smtp-ip1", "a@live.com",
	    "4.7.651", "deferred", THROTTLE("192.0.2.101", "y"));
	assert_int_equal(mta_load_run(&t, f->db.db, f->cfg, NULL, files), 0);
	assert_int_equal(t.lines, 1);
	assert_int_equal(mta_load_run(&t, f->db.db, f->cfg, "pf", files), 0);
	assert_int_equal(t.lines, 0);
	/* the configured path does not drop the file's checkpoint */
	assert_int_equal(mta_load_run(&t, f->db.db, f->cfg, "pf", NULL), 0);
	assert_int_equal(t.lines, 1);
	g_autofree char *want = g_strdup_printf("%s %s", other, f->log);
	expect_sql(f, "checkpoints", "SELECT string_agg(path, ' ' ORDER BY "
	    "path DESC) FROM repwatch.mta_checkpoint WHERE source = 'pf'",
	    want);
	expect_sql(f, "attempts", "SELECT sum(attempts) FROM "
	    "repwatch.mta_attempt_hour", "2");
	rw_error_clear();
	assert_int_equal(mta_load_run(&t, f->db.db, f->cfg, "pf", missing),
	    RW_ENOINPUT);
	assert_non_null(strstr(rw_error_message(), "none.log"));
	assert_int_equal(mta_load_run(&t, f->db.db, f->cfg, "nope", files),
	    RW_ECONFIG);
}

/*
 * pm_source - the PowerMTA fixture's rows in *ROWS, and a configuration
 * whose source "pm" reads PATH in the test's directory (a pattern or not)
 */
static struct rw_config *
pm_source(struct fx *f, GStrv *rows, const char *path)
{
	g_autofree char *fix = NULL, *conf = NULL;
	struct rw_config *cfg = NULL;

	assert_true(g_file_get_contents("tests/fixtures/mta/powermta.csv",
	    &fix, NULL, NULL));
	*rows = g_strsplit(fix, "\n", -1);
	conf = g_strdup_printf("[mta.pm]\ntype = powermta\npath = %s/%s\n"
	    "timezone = UTC\n", f->dir, path);
	assert_int_equal(rw_config_load_data(&cfg, "t.conf", conf), 0);
	return cfg;
}

/*
 * PowerMTA: a file read on from a checkpoint still knows its columns
 * (the header row is read again)
 */
static void
test_powermta_resume(void **state)
{
	struct fx *f = *state;
	g_autofree char *acct = NULL;
	g_auto(GStrv) rows = NULL;
	struct rw_config *cfg = NULL;
	struct mta_load_totals t;

	TESTDB_REQUIRE();
	cfg = pm_source(f, &rows, "acct-*.csv");
	acct = g_build_filename(f->dir, "acct-1.csv", NULL);
	/* the header, a Gmail delivery, a 4.7.650 deferral, an S3150 bounce */
	for (int i = 0; i < 4; i++) {
		g_autofree char *l = g_strconcat(rows[i], "\n", NULL);

		append(acct, l);
	}
	assert_int_equal(mta_load_run(&t, f->db.db, cfg, "pm", NULL), 0);
	assert_int_equal(t.lines, 4);
	assert_int_equal(t.attempts, 3);
	assert_int_equal(t.microsoft, 2);
	assert_int_equal(t.bad_lines, 0);
	{
		g_autofree char *l = g_strconcat(rows[2], "\n", NULL);

		append(acct, l);
	}
	assert_int_equal(mta_load_run(&t, f->db.db, cfg, "pm", NULL), 0);
	assert_int_equal(t.lines, 1);
	assert_int_equal(t.bad_lines, 0);
	assert_int_equal(t.microsoft, 1);
	expect_sql(f, "the deferral twice", "SELECT concat_ws(' ', host(ip), "
	    "class, code, attempts) FROM repwatch.mta_attempt_hour WHERE "
	    "source = 'pm' AND class = 'deferred-throttle'",
	    "203.0.113.5 deferred-throttle S775 2");
	rw_config_free(cfg);
}

/*
 * one file named relatively and absolutely in one call is read once;
 * the configured pattern reads nothing more; an older row of the same
 * file under another name is dropped
 */
static void
test_files_two_names(void **state)
{
	struct fx *f = *state;
	g_autofree char *cwd = g_get_current_dir();
	char rel[] = "mail.log";
	char *files[] = {rel, f->log, NULL};
	struct mta_load_totals t;
	int rc;

	TESTDB_REQUIRE();
	write_first(f);
	assert_int_equal(g_chdir(f->dir), 0);
	rc = mta_load_run(&t, f->db.db, f->cfg, "pf", files);
	assert_int_equal(g_chdir(cwd), 0);
	assert_int_equal(rc, 0);
	if (t.lines != 10)
		fail_msg("two names of one file: got %zu lines, want 10",
		    t.lines);
	expect_sql(f, "counted once", "SELECT sum(attempts) FROM "
	    "repwatch.mta_attempt_hour", "6");
	expect_sql(f, "one checkpoint", "SELECT count(*) FROM "
	    "repwatch.mta_checkpoint", "1");
	assert_int_equal(mta_load_run(&t, f->db.db, f->cfg, "pf", NULL), 0);
	assert_int_equal(t.lines, 0);
	/* a row of the file under an older name: dropped on the next store */
	assert_int_equal(rw_db_exec(f->db.db, "INSERT INTO "
	    "repwatch.mta_checkpoint (source, path, inode, device, "
	    "byte_offset, lineno, head) SELECT source, 'logs/mail.log', inode,"
	    " device, 0, 0, head FROM repwatch.mta_checkpoint"), 0);
	append_pf(f->log, "2026-12-07T05:50:00+00:00", "/smtp-ip1",
	    "a@hotmail.com", "4.7.651", "deferred",
	    THROTTLE("192.0.2.101", "later"));
	assert_int_equal(mta_load_run(&t, f->db.db, f->cfg, "pf", NULL), 0);
	assert_int_equal(t.lines, 1);
	expect_sql(f, "the older row dropped", "SELECT count(*) FROM "
	    "repwatch.mta_checkpoint", "1");
}

/* pm_rows - N copies of the fixture's deferral row, each its own minute */
static char *
pm_rows(const char *row, int n, int minute0)
{
	GString *out = g_string_new(NULL);

	for (int i = 0; i < n; i++) {
		g_autofree char *stamp = g_strdup_printf("2026-05-14 %02d:%02d"
		    ":33+0200", 10 + (minute0 + i) / 60, (minute0 + i) % 60);
		g_auto(GStrv) parts = g_strsplit(row, "2026-05-14 17:49:33+0200",
		    2);

		assert_int_equal(g_strv_length(parts), 2);
		g_string_append_printf(out, "%s%s%s\n", parts[0], stamp,
		    parts[1]);
	}
	return g_string_free(out, FALSE);
}

/*
 * PowerMTA: every accounting file starts with the same header row; a new
 * acct file (the old one moved away) is read whole, not from the old
 * file's offset
 */
static void
test_powermta_new_file(void **state)
{
	struct fx *f = *state;
	g_autofree char *acct = NULL, *away = NULL;
	g_autofree char *old = NULL, *new = NULL;
	g_auto(GStrv) rows = NULL;
	struct rw_config *cfg = NULL;
	struct mta_load_totals t;

	TESTDB_REQUIRE();
	cfg = pm_source(f, &rows, "acct.csv");
	acct = g_build_filename(f->dir, "acct.csv", NULL);
	away = g_build_filename(f->dir, "acct-old.bak", NULL);
	old = pm_rows(rows[2], 20, 0);
	append(acct, rows[0]);
	append(acct, "\n");
	append(acct, old);
	assert_int_equal(mta_load_run(&t, f->db.db, cfg, "pm", NULL), 0);
	assert_int_equal(t.lines, 21);
	assert_int_equal(t.microsoft, 20);
	assert_int_equal(g_rename(acct, away), 0);
	new = pm_rows(rows[2], 30, 100);
	append(acct, rows[0]);
	append(acct, "\n");
	append(acct, new);
	assert_int_equal(mta_load_run(&t, f->db.db, cfg, "pm", NULL), 0);
	if (t.lines != 31 || t.microsoft != 30)
		fail_msg("new acct.csv: got %zu lines, %zu attempts, want 31, "
		    "30", t.lines, t.microsoft);
	expect_sql(f, "every attempt once", "SELECT sum(attempts) FROM "
	    "repwatch.mta_attempt_hour WHERE source = 'pm'", "50");
	expect_sql(f, "the tail is stored", "SELECT length(tail) FROM "
	    "repwatch.mta_checkpoint WHERE source = 'pm'", "64");
	rw_config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_aggregate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_powermta_resume, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_files_two_names, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_powermta_new_file, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

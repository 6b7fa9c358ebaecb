/*
 * test_rw_error - the one recorded error: set, detail, hint, prefix,
 * recode, save/restore, clear, print, one record per thread; the exit
 * status of every status; the order rw_status_worse keeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "common/rw_error.h"

#define EXPECT_STR(what, got, want) \
	do { \
		if (strcmp((got), (want)) != 0) { \
			print_error("%s: got \"%s\", want \"%s\"\n", (what), \
			    (got), (want)); \
			fail(); \
		} \
	} while (0)

#define EXPECT_INT(what, got, want) \
	do { \
		if ((got) != (want)) { \
			print_error("%s: got %d, want %d\n", (what), (int)(got), \
			    (int)(want)); \
			fail(); \
		} \
	} while (0)

/* expect_record - the whole recorded error */
static void
expect_record(const char *what, int code, const char *msg,
    const char *detail, const char *hint)
{
	char w[256];

	snprintf(w, sizeof(w), "%s: code", what);
	EXPECT_INT(w, rw_error_code(), code);
	snprintf(w, sizeof(w), "%s: message", what);
	EXPECT_STR(w, rw_error_message(), msg);
	snprintf(w, sizeof(w), "%s: detail", what);
	EXPECT_STR(w, rw_error_get_detail(), detail);
	snprintf(w, sizeof(w), "%s: hint", what);
	EXPECT_STR(w, rw_error_get_hint(), hint);
}

static int
setup(void **state)
{
	(void)state;
	rw_error_clear();
	return 0;
}

static void
test_empty(void **state)
{
	(void)state;
	expect_record("fresh record", 0, "", "", "");
}

static void
test_set(void **state)
{
	static const struct {
		int code, want;
	} cases[] = {
		{RW_EDATA, RW_EDATA}, {RW_ECONFIG, RW_ECONFIG},
		{RW_EFAIL, RW_EFAIL}, {-200, -200},
		/* not a failure status: recorded as an unclassified failure */
		{0, RW_EFAIL}, {1, RW_EFAIL}, {70, RW_EFAIL},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		int got = rw_error_set(cases[i].code, "case %zu: %s", i, "x");
		char what[64], msg[64];

		snprintf(what, sizeof(what), "rw_error_set(%d)", cases[i].code);
		EXPECT_INT(what, got, cases[i].want);
		snprintf(msg, sizeof(msg), "case %zu: x", i);
		expect_record(what, cases[i].want, msg, "", "");
	}
}

static void
test_detail_hint(void **state)
{
	(void)state;
	rw_error_set(RW_EDATA, "bad row");
	rw_error_detail("Line %d has %d fields.", 12, 3);
	rw_error_hint("Check the %s.", "export");
	expect_record("with detail and hint", RW_EDATA, "bad row",
	    "Line 12 has 3 fields.", "Check the export.");
	/* a new error forgets the old one's detail and hint */
	rw_error_set(RW_EIO, "disk");
	expect_record("set again", RW_EIO, "disk", "", "");
	/* a later detail replaces the earlier one */
	rw_error_detail("first");
	rw_error_detail("second");
	EXPECT_STR("detail twice", rw_error_get_detail(), "second");
}

static void
test_prefix(void **state)
{
	(void)state;
	rw_error_set(RW_ETEMP, "connection refused");
	rw_error_detail("d");
	rw_error_prefix("source %s", "main");
	expect_record("one prefix", RW_ETEMP, "source main: connection refused",
	    "d", "");
	rw_error_prefix("fetch");
	EXPECT_STR("two prefixes", rw_error_message(),
	    "fetch: source main: connection refused");
}

static void
test_recode(void **state)
{
	(void)state;
	rw_error_set(RW_EIO, "could not read \"x\"");
	rw_error_hint("h");
	EXPECT_INT("rw_error_recode return", rw_error_recode(RW_ECONFIG),
	    RW_ECONFIG);
	expect_record("recoded", RW_ECONFIG, "could not read \"x\"", "", "h");
}

static void
test_save_restore(void **state)
{
	struct rw_error_saved *saved;

	(void)state;
	rw_error_set(RW_ETEMP, "the cause");
	rw_error_detail("its detail");
	rw_error_hint("its hint");
	saved = rw_error_save();
	/* clean-up work fails and overwrites the record */
	rw_error_set(RW_EFAIL, "unlock failed");
	rw_error_detail("other");
	expect_record("overwritten", RW_EFAIL, "unlock failed", "other", "");
	rw_error_restore(saved);
	expect_record("restored", RW_ETEMP, "the cause", "its detail",
	    "its hint");
	/* saving an empty record restores an empty one */
	rw_error_clear();
	saved = rw_error_save();
	rw_error_set(RW_EDATA, "x");
	rw_error_restore(saved);
	expect_record("restored empty", 0, "", "", "");
}

static void
test_clear_and_print(void **state)
{
	(void)state;
	rw_error_set(RW_EDATA, "m");
	rw_error_detail("d");
	rw_error_hint("h");
	rw_error_clear();
	expect_record("cleared", 0, "", "", "");
	rw_error_set(RW_EUNAVAIL, "printed once");
	rw_error_detail("d");
	rw_error_print();
	expect_record("after print", 0, "", "", "");
	rw_error_print(); /* nothing recorded: prints nothing, no crash */
}

static gpointer
other_thread(gpointer data)
{
	(void)data;
	rw_error_set(RW_EIO, "in the other thread");
	return GINT_TO_POINTER(rw_error_code());
}

static void
test_per_thread(void **state)
{
	GThread *t;

	(void)state;
	rw_error_set(RW_EDATA, "in this thread");
	t = g_thread_new("rw_error", other_thread, NULL);
	EXPECT_INT("other thread's code", GPOINTER_TO_INT(g_thread_join(t)),
	    RW_EIO);
	expect_record("this thread after the other", RW_EDATA,
	    "in this thread", "", "");
}

static void
test_exit_code(void **state)
{
	static const struct {
		int status, want;
	} cases[] = {
		{RW_OK, 0}, {RW_EFAIL, 70}, {RW_EUSAGE, 64}, {RW_EDATA, 65},
		{RW_ENOINPUT, 66}, {RW_EUNAVAIL, 69}, {RW_ESOFTWARE, 70},
		{RW_EIO, 74}, {RW_ETEMP, 75}, {RW_ECONFIG, 78},
		/* positive statuses are exit statuses already */
		{1, 1}, {2, 2},
		/* the edge of what an exit status can hold */
		{-125, 125}, {-126, 70}, {-255, 70}, {-1000, 70},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char what[64];

		snprintf(what, sizeof(what), "rw_exit_code(%d)",
		    cases[i].status);
		EXPECT_INT(what, rw_exit_code(cases[i].status), cases[i].want);
	}
}

static void
test_status_worse(void **state)
{
	/* least to most severe; a row of the same rank holds equals */
	static const int rank[][4] = {
		{RW_OK},
		{RW_EDATA},
		{RW_ETEMP},
		{RW_EUNAVAIL},
		{RW_ECONFIG, RW_ENOINPUT},
		{RW_EFAIL, RW_EUSAGE, RW_ESOFTWARE, RW_EIO},
	};
	static const int width[] = {1, 1, 1, 1, 2, 4};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(rank); i++) {
		for (size_t j = 0; j < G_N_ELEMENTS(rank); j++) {
			for (int x = 0; x < width[i]; x++) {
				for (int y = 0; y < width[j]; y++) {
					int a = rank[i][x], b = rank[j][y];
					/* the worse rank; on a tie the first */
					int want = j > i ? b : a;
					char what[64];

					snprintf(what, sizeof(what),
					    "rw_status_worse(%d, %d)", a, b);
					EXPECT_INT(what, rw_status_worse(a, b),
					    want);
				}
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_empty, setup),
		cmocka_unit_test_setup(test_set, setup),
		cmocka_unit_test_setup(test_detail_hint, setup),
		cmocka_unit_test_setup(test_prefix, setup),
		cmocka_unit_test_setup(test_recode, setup),
		cmocka_unit_test_setup(test_save_restore, setup),
		cmocka_unit_test_setup(test_clear_and_print, setup),
		cmocka_unit_test_setup(test_per_thread, setup),
		cmocka_unit_test(test_exit_code),
		cmocka_unit_test(test_status_worse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

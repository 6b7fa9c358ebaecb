/*
 * Unit tests of snds_window_check: the days "snds fetch" is asked for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "common/rw_error.h"
#include "ingest/snds_fetch.h"

struct window_case {
	const char *what;
	const char *date, *since, *until;
	int want;
	const char *want_msg;  /* NULL when WANT is 0 */
};

static const struct window_case cases[] = {
	{"nothing asked: the default window", NULL, NULL, NULL, 0, NULL},
	{"one valid day", "2026-03-02", NULL, NULL, 0, NULL},
	{"since alone", NULL, "2026-03-01", NULL, 0, NULL},
	{"since and until", NULL, "2026-03-01", "2026-03-05", 0, NULL},
	{"bad --date", "2026-13-02", NULL, NULL, RW_EUSAGE,
	    "not a date: \"2026-13-02\""},
	{"bad --since", NULL, "yesterday", NULL, RW_EUSAGE,
	    "not a date: \"yesterday\""},
	{"bad --until", NULL, "2026-03-01", "2026-02-30", RW_EUSAGE,
	    "not a date: \"2026-02-30\""},
	{"--date with --since", "2026-03-02", "2026-03-01", NULL, RW_EUSAGE,
	    "--date excludes --since and --until"},
	{"--date with --until", "2026-03-02", NULL, "2026-03-03", RW_EUSAGE,
	    "--date excludes --since and --until"},
	{"--until without --since", NULL, NULL, "2026-03-03", RW_EUSAGE,
	    "--until needs --since"},
	{"--until without --since, bad day", NULL, NULL, "x", RW_EUSAGE,
	    "--until needs --since"},
};

static void
test_window_check(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct window_case *c = &cases[i];
		struct snds_window w = {c->date, c->since, c->until, NULL, NULL};
		int got;

		rw_error_clear();
		got = snds_window_check(&w);
		if (got != c->want) {
			print_error("%s: got %d, want %d\n", c->what, got,
			    c->want);
			fail();
		}
		if (c->want_msg != NULL &&
		    strcmp(rw_error_message(), c->want_msg) != 0) {
			print_error("%s: got \"%s\", want \"%s\"\n", c->what,
			    rw_error_message(), c->want_msg);
			fail();
		}
	}
	rw_error_clear();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

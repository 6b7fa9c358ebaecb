/*
 * test_exit - exit statuses (issue 17 item 13): 1 is reserved for
 * "--fail-on matched", so no failure status maps to it; the sysexits codes
 * map to themselves. Before the fix RW_EFAIL (an unexpected database
 * error, a full disk) and anything below -125 exited 1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/rw_error.h"

static void
test_no_failure_exits_1(void **state)
{
	(void)state;
	for (int s = -300; s < 0; s++) {
		int got = rw_exit_code(s);

		if (got == 1 || got == 0) {
			print_error("rw_exit_code(%d): got %d, want neither 0 "
			    "nor 1\n", s, got);
			fail();
		}
	}
}

static void
test_codes(void **state)
{
	static const struct {
		int status, want;
	} cases[] = {
		{RW_OK, 0}, {1, 1}, {RW_EFAIL, 70}, {RW_EUSAGE, 64},
		{RW_EDATA, 65}, {RW_ENOINPUT, 66}, {RW_EUNAVAIL, 69},
		{RW_ESOFTWARE, 70}, {RW_EIO, 74}, {RW_ETEMP, 75},
		{RW_ECONFIG, 78}, {-200, 70},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		int got = rw_exit_code(cases[i].status);

		if (got != cases[i].want) {
			print_error("rw_exit_code(%d): got %d, want %d\n",
			    cases[i].status, got, cases[i].want);
			fail();
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_failure_exits_1),
		cmocka_unit_test(test_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

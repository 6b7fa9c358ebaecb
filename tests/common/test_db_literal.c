/*
 * test_db_literal - rw_db_array_literal, table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "common/rw_db.h"

struct lit_case {
	const char *name;
	const char *items[4];
	size_t n;
	const char *want;
};

static const struct lit_case cases[] = {
	{"empty", {NULL}, 0, "{}"},
	{"one", {"a"}, 1, "{\"a\"}"},
	{"two", {"a", "b"}, 2, "{\"a\",\"b\"}"},
	{"quote", {"say \"hi\""}, 1, "{\"say \\\"hi\\\"\"}"},
	{"backslash", {"a\\b"}, 1, "{\"a\\\\b\"}"},
	{"null", {"a", NULL, "b"}, 3, "{\"a\",NULL,\"b\"}"},
	{"empty string", {""}, 1, "{\"\"}"},
	{"word NULL", {"NULL"}, 1, "{\"NULL\"}"},
	{"braces and commas", {"{x,y}", " z "}, 2, "{\"{x,y}\",\" z \"}"},
	{"cidr", {"192.0.2.0/24", "2001:db8::1"}, 2,
	    "{\"192.0.2.0/24\",\"2001:db8::1\"}"},
};

static void
test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		GString *got = g_string_new(NULL);

		rw_db_array_literal(got, cases[i].items, cases[i].n);
		if (strcmp(got->str, cases[i].want) != 0)
			fail_msg("%s: got %s, want %s", cases[i].name, got->str,
			    cases[i].want);
		g_string_free(got, TRUE);
	}
}

/* the literal is appended: what OUT held stays */
static void
test_appends(void **state)
{
	const char *items[] = {"x"};
	GString *got = g_string_new("ARRAY ");

	(void)state;
	rw_db_array_literal(got, items, 1);
	assert_string_equal(got->str, "ARRAY {\"x\"}");
	g_string_free(got, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_appends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_out - untrusted text on its way out (issue 17 item 18): CSV cells
 * neutralized against formula injection as OWASP recommends, control
 * characters kept off terminals, XML kept well-formed, Prometheus label
 * values valid UTF-8 without controls. Before rw_out, each of these cells
 * went out unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "out/out_prom.h"
#include "common/rw_out.h"

struct pair {
	const char *in, *want;
};

static void
check(const char *what, const char *in, const char *got, const char *want)
{
	if (g_strcmp0(got, want) != 0) {
		print_error("%s(\"%s\"): got \"%s\", want \"%s\"\n", what,
		    in, got ? got : "(null)", want ? want : "(null)");
		fail();
	}
}

static void
test_csv(void **state)
{
	static const struct pair cases[] = {
		{"plain", "plain"},
		{"", ""},
		{"a,b", "\"a,b\""},
		{"say \"hi\"", "\"say \"\"hi\"\"\""},
		{"=HYPERLINK(\"http://x\",\"y\")",
		    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
		{"+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\""},
		{"-2+3+cmd|' /C calc'!A0", "\"'-2+3+cmd|' /C calc'!A0\""},
		{"@SUM(1+1)", "\"'@SUM(1+1)\""},
		{"\t=1", "\"'\t=1\""},
		{"\r=1", "\"'\r=1\""},
		{"-1", "-1"},
		{"-0.25", "-0.25"},
		{"+3e2", "+3e2"},
		{"a=b", "a=b"},
		{"red\x1b[31mtext", "red?[31mtext"},
		{"two\nlines", "\"two\nlines\""},
		{"bad\xff utf8", "bad\xef\xbf\xbd utf8"},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		GString *out = g_string_new(NULL);

		rw_out_csv_cell(out, cases[i].in);
		check("rw_out_csv_cell", cases[i].in, out->str, cases[i].want);
		g_string_free(out, TRUE);
	}
}

static void
test_text(void **state)
{
	static const struct pair cases[] = {
		{"mail.example.com", "mail.example.com"},
		{"\x1b]0;pwned\x07title", "?]0;pwned?title"},
		{"\x1b[2Jclear", "?[2Jclear"},
		{"c1 \xc2\x9b" "31m", "c1 ?31m"},
		{"del\x7f", "del?"},
		{"tab\tnl\n", "tab?nl?"},
		{"caf\xc3\xa9", "caf\xc3\xa9"},
		{"bad\xc3", "bad\xef\xbf\xbd"},
		{NULL, NULL},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = rw_out_text(cases[i].in);

		check("rw_out_text", cases[i].in, got, cases[i].want);
		g_free(got);
	}
}

static void
test_xml(void **state)
{
	static const struct pair cases[] = {
		{"a < b & c", "a < b & c"}, /* libxml2 escapes these */
		{"esc\x1b[31m", "esc\xef\xbf\xbd[31m"},
		{"nul-free\x01\x02", "nul-free\xef\xbf\xbd\xef\xbf\xbd"},
		{"keep\ttab\nline\r", "keep\ttab\nline\r"},
		{"bad\xfe", "bad\xef\xbf\xbd"},
		{"\xef\xbf\xbe", "\xef\xbf\xbd"}, /* U+FFFE */
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = rw_out_xml(cases[i].in);

		check("rw_out_xml", cases[i].in, got, cases[i].want);
		g_free(got);
	}
}

static void
test_prom_label(void **state)
{
	static const struct pair cases[] = {
		{"192.0.2.1", "192.0.2.1"},
		{"a\"b\\c", "a\\\"b\\\\c"},
		{"x\x1b[31my", "x?[31my"},
		{"line\nbreak", "line?break"},
		{"bad\xff", "bad\xef\xbf\xbd"},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		GString *out = g_string_new(NULL);

		out_prom_label_escape(out, cases[i].in);
		check("out_prom_label_escape", cases[i].in, out->str,
		    cases[i].want);
		g_string_free(out, TRUE);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_xml),
		cmocka_unit_test(test_prom_label),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

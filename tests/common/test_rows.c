/*
 * Unit tests of rw_rows: the same table as text, JSON lines and CSV,
 * NULL cells, neutralized control characters and formula cells, JSON
 * escaping.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "common/rw_rows.h"

static const struct rw_col cols[] = {
	{"name", RW_COL_TEXT, -6, NULL},
	{"n", RW_COL_INT, 4, NULL},
	{"rate", RW_COL_REAL, -8, "  "},
	{"ok", RW_COL_BOOL, -5, NULL},
	{"note", RW_COL_TEXT, -10, NULL},
};

/* a row: text cells (NULL = null), or a number for the rate when TEXT
 * of the rate is "num" */
struct row {
	const char *name, *n, *rate, *ok, *note;
	double num;
};

static const struct row rows[] = {
	{"alpha", "12", "0.25", "true", "plain", 0},
	{"b\x1b[2J", NULL, NULL, "false", "=cmd|' /C calc'!A0", 0},
	{"q\"uote", "-3", "num", "true", "a,b\nc", 0.000123456789},
	{"ctl\x01", "7", "num", NULL, "-2+3", NAN},
	{"tab", "-1", "-0.5", "true", "tab\there", 0},
};

struct format_case {
	const char *what;
	enum rw_rows_format format;
	unsigned flags;
	size_t nrows;
	const char *want;
};

static const struct format_case cases[] = {
	{"text", RW_ROWS_TEXT, 0, G_N_ELEMENTS(rows),
	    "name      n  rate     ok    note\n"
	    "alpha    12  0.25     true  plain\n"
	    "b?[2J                 false =cmd|' /C calc'!A0\n"
	    "q\"uote   -3  0.000123457 true  a,b?c\n"
	    "ctl?      7                 -2+3\n"
	    "tab      -1  -0.5     true  tab?here\n"},
	{"text without a heading", RW_ROWS_TEXT, RW_ROWS_NO_HEADER, 1,
	    "alpha    12  0.25     true  plain\n"},
	{"text, no rows: nothing", RW_ROWS_TEXT, 0, 0, ""},
	{"json", RW_ROWS_JSON, 0, G_N_ELEMENTS(rows),
	    "{\"name\":\"alpha\",\"n\":12,\"rate\":0.25,\"ok\":true,"
	    "\"note\":\"plain\"}\n"
	    "{\"name\":\"b\\u001b[2J\",\"n\":null,\"rate\":null,\"ok\":false,"
	    "\"note\":\"=cmd|' /C calc'!A0\"}\n"
	    "{\"name\":\"q\\\"uote\",\"n\":-3,\"rate\":0.000123456789,"
	    "\"ok\":true,\"note\":\"a,b\\nc\"}\n"
	    "{\"name\":\"ctl\\u0001\",\"n\":7,\"rate\":null,\"ok\":null,"
	    "\"note\":\"-2+3\"}\n"
	    "{\"name\":\"tab\",\"n\":-1,\"rate\":-0.5,\"ok\":true,"
	    "\"note\":\"tab\\there\"}\n"},
	{"json, no rows: nothing", RW_ROWS_JSON, 0, 0, ""},
	{"csv", RW_ROWS_CSV, 0, G_N_ELEMENTS(rows),
	    "name,n,rate,ok,note\n"
	    "alpha,12,0.25,true,plain\n"
	    "b?[2J,,,false,\"'=cmd|' /C calc'!A0\"\n"
	    "\"q\"\"uote\",-3,0.000123457,true,\"a,b\nc\"\n"
	    "ctl?,7,,,\"'-2+3\"\n"
	    "tab,-1,-0.5,true,tab\there\n"},
	{"csv with CRLF, no rows: the heading", RW_ROWS_CSV, RW_ROWS_CRLF, 0,
	    "name,n,rate,ok,note\r\n"},
};

static void
put_row(struct rw_rows *w, const struct row *r)
{
	rw_rows_str(w, r->name);
	rw_rows_str(w, r->n);
	if (r->rate != NULL && strcmp(r->rate, "num") == 0)
		rw_rows_num(w, r->num);
	else
		rw_rows_str(w, r->rate);
	rw_rows_str(w, r->ok);
	rw_rows_str(w, r->note);
	rw_rows_end(w);
}

static void
test_formats(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct format_case *c = &cases[i];
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		struct rw_rows *w;

		assert_non_null(f);
		w = rw_rows_new(f, c->format, cols, G_N_ELEMENTS(cols),
		    c->flags);
		for (size_t j = 0; j < c->nrows; j++)
			put_row(w, &rows[j]);
		assert_int_equal(rw_rows_count(w), (long)c->nrows);
		rw_rows_free(w);
		fclose(f);
		if (strcmp(buf, c->want) != 0) {
			print_error("%s:\ngot:\n%s\nwant:\n%s\n", c->what, buf,
			    c->want);
			free(buf);
			fail();
		}
		free(buf);
	}
}

/* a row ended early: text stops there, JSON and CSV get nulls */
static void
test_short_row(void **state)
{
	static const struct {
		enum rw_rows_format format;
		const char *want;
	} short_cases[] = {
		{RW_ROWS_TEXT, "key   value\n"},
		{RW_ROWS_JSON, "{\"a\":\"key\",\"b\":\"value\",\"c\":null}\n"},
		{RW_ROWS_CSV, "a,b,c\nkey,value,\n"},
	};
	static const struct rw_col three[] = {
		{"a", RW_COL_TEXT, -5, NULL}, {"b", RW_COL_TEXT, -12, NULL},
		{"c", RW_COL_TEXT, 0, NULL},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(short_cases); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		struct rw_rows *w = rw_rows_new(f, short_cases[i].format, three,
		    3, RW_ROWS_NO_HEADER);

		rw_rows_str(w, "key");
		rw_rows_str(w, "value");
		rw_rows_end(w);
		rw_rows_free(w);
		fclose(f);
		if (strcmp(buf, short_cases[i].want) != 0) {
			print_error("format %d: got \"%s\", want \"%s\"\n",
			    (int)short_cases[i].format, buf,
			    short_cases[i].want);
			fail();
		}
		free(buf);
	}
}

static void
test_format_names(void **state)
{
	static const struct {
		const char *text;
		bool ok;
		enum rw_rows_format want;
	} names[] = {
		{NULL, true, RW_ROWS_TEXT}, {"text", true, RW_ROWS_TEXT},
		{"json", true, RW_ROWS_JSON}, {"csv", true, RW_ROWS_CSV},
		{"xml", false, RW_ROWS_TEXT}, {"", false, RW_ROWS_TEXT},
		{"JSON", false, RW_ROWS_TEXT},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		enum rw_rows_format got = RW_ROWS_TEXT;
		bool ok = rw_rows_format_from(&got, names[i].text);

		if (ok != names[i].ok || (ok && got != names[i].want)) {
			print_error("%s: got %d/%d, want %d/%d\n",
			    names[i].text ? names[i].text : "(NULL)", ok,
			    (int)got, names[i].ok, (int)names[i].want);
			fail();
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_short_row),
		cmocka_unit_test(test_format_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

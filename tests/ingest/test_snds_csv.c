/*
 * Unit tests of ingest/snds_csv: every CSV quirk of the reference, the
 * complaint-rate forms, timestamps across DST changes. Table-driven; each
 * failure prints "got X, want Y".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "common/rw_error.h"
#include "ingest/snds_csv.h"

#define FIX "tests/fixtures/snds/"

/* ---- helpers ---- */

static char *
iso_utc(gint64 t)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *s = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");

	g_date_time_unref(dt);
	return s;
}

static void
expect_str(const char *what, const char *got, const char *want)
{
	if (g_strcmp0(got, want) != 0) {
		print_error("%s: got \"%s\", want \"%s\"\n", what,
		    got ? got : "(null)", want ? want : "(null)");
		fail();
	}
}

static void
expect_long(const char *what, long got, long want)
{
	if (got != want) {
		print_error("%s: got %ld, want %ld\n", what, got, want);
		fail();
	}
}

/* ---- complaint rate ---- */

struct rate_case {
	const char *text;
	int ok;
	double low, high;
	bool open;
	const char *low_pct, *high_pct;
	const char *low_frac, *high_frac;
};

static const struct rate_case rate_cases[] = {
	{"< 0.1%", 1, 0, 0.001, true, "0", "0.1", "0.00", "0.001"},
	{"<0.1%", 1, 0, 0.001, true, "0", "0.1", "0.00", "0.001"},
	{"0.4%", 1, 0.004, 0.004, false, "0.4", "0.4", "0.004", "0.004"},
	{"11%", 1, 0.11, 0.11, false, "11", "11", "0.11", "0.11"},
	{"112%", 1, 1.12, 1.12, false, "112", "112", "1.12", "1.12"},
	{"0%", 1, 0, 0, false, "0", "0", "0.00", "0.00"},
	{"0.1% - < 1%", 1, 0.001, 0.01, true, "0.1", "1", "0.001", "0.01"},
	{"0.1% - 1%", 1, 0.001, 0.01, false, "0.1", "1", "0.001", "0.01"},
	{"0.1%-0.3%", 1, 0.001, 0.003, false, "0.1", "0.3", "0.001", "0.003"},
	{"1234.5678%", 1, 12.345678, 12.345678, false, "1234.5678",
	    "1234.5678", "12.345678", "12.345678"},
	{"07.25%", 1, 0.0725, 0.0725, false, "07.25", "07.25", "0.0725",
	    "0.0725"},
	{"", 0, 0, 0, false, NULL, NULL, NULL, NULL},
	{"0.4", 0, 0, 0, false, NULL, NULL, NULL, NULL},
	{"%", 0, 0, 0, false, NULL, NULL, NULL, NULL},
	{"-1%", 0, 0, 0, false, NULL, NULL, NULL, NULL},
	{"1e2%", 0, 0, 0, false, NULL, NULL, NULL, NULL},
	{"inf%", 0, 0, 0, false, NULL, NULL, NULL, NULL},
	{"0x10%", 0, 0, 0, false, NULL, NULL, NULL, NULL},
	{".5%", 0, 0, 0, false, NULL, NULL, NULL, NULL},
	{"5.%", 0, 0, 0, false, NULL, NULL, NULL, NULL},
	{"1.2.3%", 0, 0, 0, false, NULL, NULL, NULL, NULL},
	{"2% - 1%", 0, 0, 0, false, NULL, NULL, NULL, NULL},
	{"< 0.1% - 1%", 0, 0, 0, false, NULL, NULL, NULL, NULL},
	{"0.4%%", 0, 0, 0, false, NULL, NULL, NULL, NULL},
	{"0.4% extra", 0, 0, 0, false, NULL, NULL, NULL, NULL},
	{"> 1%", 0, 0, 0, false, NULL, NULL, NULL, NULL},
};

static void
test_rate(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(rate_cases); i++) {
		const struct rate_case *c = &rate_cases[i];
		struct snds_rate r;
		int rc = snds_rate_parse(&r, c->text);
		char *what = g_strdup_printf("rate \"%s\"", c->text);

		if ((rc == 0) != c->ok) {
			print_error("%s: got %s, want %s\n", what,
			    rc == 0 ? "accepted" : "rejected",
			    c->ok ? "accepted" : "rejected");
			fail();
		}
		if (c->ok) {
			expect_str(what, r.low_pct, c->low_pct);
			expect_str(what, r.high_pct, c->high_pct);
			expect_str(what, r.low_frac, c->low_frac);
			expect_str(what, r.high_frac, c->high_frac);
			expect_long(what, r.high_open, c->open);
			assert_float_equal(r.low, c->low, 1e-12);
			assert_float_equal(r.high, c->high, 1e-12);
		}
		g_free(what);
	}
}

/* ---- timestamps ---- */

struct time_case {
	const char *tz;
	const char *text;
	const char *utc;  /* NULL = rejected */
	const char *day;
};

#define LA "America/Los_Angeles"

static const struct time_case time_cases[] = {
	{LA, "2/10/2026 4:00 PM", "2026-02-11T00:00:00Z", "2026-02-10"},
	{LA, "2/10/2026 12:00 AM", "2026-02-10T08:00:00Z", "2026-02-10"},
	{LA, "2/10/2026 12:00 PM", "2026-02-10T20:00:00Z", "2026-02-10"},
	{LA, "02/09/2026 09:05 am", "2026-02-09T17:05:00Z", "2026-02-09"},
	/* spring forward, 2026-03-08 02:00 PST -> 03:00 PDT */
	{LA, "3/7/2026 11:00 PM", "2026-03-08T07:00:00Z", "2026-03-07"},
	{LA, "3/8/2026 1:59 AM", "2026-03-08T09:59:00Z", "2026-03-08"},
	{LA, "3/8/2026 2:30 AM", "2026-03-08T10:00:00Z", "2026-03-08"},
	{LA, "3/8/2026 3:00 AM", "2026-03-08T10:00:00Z", "2026-03-08"},
	{LA, "3/8/2026 11:59 PM", "2026-03-09T06:59:00Z", "2026-03-08"},
	/* fall back, 2026-11-01 02:00 PDT -> 01:00 PST: 1:30 read as PST */
	{LA, "11/1/2026 12:30 AM", "2026-11-01T07:30:00Z", "2026-11-01"},
	{LA, "11/1/2026 1:30 AM", "2026-11-01T09:30:00Z", "2026-11-01"},
	{LA, "11/1/2026 2:00 AM", "2026-11-01T10:00:00Z", "2026-11-01"},
	{"Europe/Berlin", "3/29/2026 3:30 AM", "2026-03-29T01:30:00Z",
	    "2026-03-29"},
	{"UTC", "2/10/2026 4:00 PM", "2026-02-10T16:00:00Z", "2026-02-10"},
	{"UTC", "2/29/2028 4:00 PM", "2028-02-29T16:00:00Z", "2028-02-29"},
	{LA, "2/30/2026 1:00 AM", NULL, NULL},
	{LA, "2/29/2026 1:00 AM", NULL, NULL},
	{LA, "13/1/2026 1:00 AM", NULL, NULL},
	{LA, "2/10/2026 13:00 PM", NULL, NULL},
	{LA, "2/10/2026 4:00", NULL, NULL},
	{LA, "2026-02-10 04:00", NULL, NULL},
	{LA, "2/10/2026 4:00 PM UTC", NULL, NULL},
	{LA, "2/10/1969 4:00 PM", NULL, NULL},
	{LA, "", NULL, NULL},
};

static void
test_time(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(time_cases); i++) {
		const struct time_case *c = &time_cases[i];
		GTimeZone *tz = g_time_zone_new_identifier(c->tz);
		struct snds_time t;
		char *what = g_strdup_printf("time \"%s\" in %s", c->text,
		    c->tz);
		char *got = NULL;

		if (snds_time_parse(&t, tz, c->text) == 0)
			got = iso_utc(t.utc);
		expect_str(what, got, c->utc);
		if (got != NULL)
			expect_str(what, t.day, c->day);
		g_free(got);
		g_free(what);
		g_time_zone_unref(tz);
	}
}

/* ---- whole inputs ---- */

struct collect {
	GPtrArray *rows;
	GPtrArray *rejects;
};

static char *
opt_time(bool has, const struct snds_time *t)
{
	return has ? iso_utc(t->utc) : g_strdup("-");
}

static char *
data_summary(const struct snds_data_row *r)
{
	char *s = iso_utc(r->start.utc), *e = iso_utc(r->end.utc);
	char *ts = opt_time(r->has_trap_start, &r->trap_start);
	char *te = opt_time(r->has_trap_end, &r->trap_end);
	char *out = g_strdup_printf("%ld %s %s %s %s %" G_GINT64_FORMAT "/%"
	    G_GINT64_FORMAT "/%" G_GINT64_FORMAT " %s \"%s\" [%s,%s%c "
	    "trap=%s,%s,%" G_GINT64_FORMAT " helo=%s from=%s c=%s", r->line,
	    r->ip, r->start.day, s, e, r->rcpt_commands, r->data_commands,
	    r->recipients, snds_filter_name(r->filter), r->rate_text,
	    r->rate.low_pct, r->rate.high_pct, r->rate.high_open ? ')' : ']',
	    ts, te, r->trap_hits, r->sample_helo ? r->sample_helo : "NULL",
	    r->jmr_p1_sender ? r->jmr_p1_sender : "NULL",
	    r->comments ? r->comments : "NULL");

	g_free(s);
	g_free(e);
	g_free(ts);
	g_free(te);
	return out;
}

static int
on_data(void *ctx, const struct snds_data_row *r)
{
	struct collect *c = ctx;

	g_ptr_array_add(c->rows, data_summary(r));
	return 0;
}

static int
on_status(void *ctx, const struct snds_status_row *r)
{
	struct collect *c = ctx;

	g_ptr_array_add(c->rows, g_strdup_printf("%ld %s-%s %s \"%s\"",
	    r->line, r->first_ip, r->last_ip, r->blocked ? "blocked" : "listed",
	    r->reason));
	return 0;
}

static int
on_reject(void *ctx, const struct snds_reject *r)
{
	struct collect *c = ctx;

	g_ptr_array_add(c->rejects, g_strdup_printf("%ld: %s | %s", r->line,
	    r->reason, r->raw));
	return 0;
}

static const struct snds_csv_callbacks collect_cb = {
	on_data, on_status, on_reject,
};

#define MAXW 16

struct input_case {
	const char *name;
	const char *file;          /* fixture, or NULL for text */
	const char *text;
	size_t len;                /* of text when it holds NUL bytes */
	enum snds_csv_kind kind;
	struct snds_csv_limits lim;
	long rows, rejected, headers;
	const char *want_rows[MAXW];    /* prefixes, in order, NULL-ended */
	const char *want_rejects[MAXW]; /* prefixes, in order */
};

#define ROW1 "192.0.2.25 2026-03-02 2026-03-02T08:00:00Z " \
	"2026-03-03T07:59:00Z 2410/2398/2405 GREEN \"< 0.1%\" [0,0.1) " \
	"trap=-,-,0 helo=mta1.example.net from=bounces@example.net c=NULL"
#define ROW2 "198.51.100.40 2026-03-02 2026-03-02T15:00:00Z " \
	"2026-03-03T14:00:00Z 880/861/870 YELLOW \"0.6%\" [0.6,0.6] " \
	"trap=2026-03-02T17:14:00Z,2026-03-03T00:51:00Z,3 " \
	"helo=mta2.example.net from=@example.net " \
	"c=sample comment, with a comma"
#define ROW3 "203.0.113.9 2026-08-03 2026-08-04T00:00:00Z " \
	"2026-08-04T23:00:00Z 150/150/150 RED \"2%\" [2,2] trap=-,-,-1 " \
	"helo=mta9.example.org from=NULL c=NULL"

static const struct input_case input_cases[] = {
	{"legacy CRLF", FIX "data_crlf.csv", NULL, 0, SNDS_CSV_DATA, {0},
	    3, 0, 0, {"1 " ROW1, "2 " ROW2, "3 " ROW3}, {NULL}},
	{"LF, BOM, no final newline", FIX "data_lf_bom_noeol.csv", NULL,
	    0, SNDS_CSV_DATA, {0}, 3, 0, 0,
	    {"1 " ROW1, "2 " ROW2, "3 " ROW3}, {NULL}},
	{"header skipped", FIX "data_header.csv", NULL, 0, SNDS_CSV_DATA, {0},
	    1, 0, 1, {"2 192.0.2.25 "}, {NULL}},
	/* a quoted cell may not span a line end: line 2 opens one */
	{"quotes, 13 fields", FIX "data_quoted.csv", NULL, 0, SNDS_CSV_DATA,
	    {0}, 2, 2, 0,
	    {"1 192.0.2.30 ", "4 192.0.2.32 "},
	    {"2: quoted cell not closed at end of line | 192.0.2.31,",
	     "3: malformed quoting"}},
	/* issue 17 item 6: one stray quote took the 5 valid rows after it */
	{"stray quote costs one row", NULL,
	    "192.0.2.1,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h,s,c\n"
	    "192.0.2.2,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h,s,\"stray\n"
	    "192.0.2.3,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h,s,c\n"
	    "192.0.2.4,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h,s,\"quoted, fine\"\r\n"
	    "192.0.2.5,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h,s,c\n"
	    "192.0.2.6,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h,s,c\n"
	    "192.0.2.7,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h,s,c\n", 0, SNDS_CSV_DATA, {0}, 6, 1, 0,
	    {"1 192.0.2.1 ", "3 192.0.2.3 ", "4 192.0.2.4 ", "5 192.0.2.5 ",
	     "6 192.0.2.6 ", "7 192.0.2.7 "},
	    {"2: quoted cell not closed at end of line | 192.0.2.2,"}},
	{"bad rows", FIX "data_bad.csv", NULL, 0, SNDS_CSV_DATA, {0}, 2, 10, 0,
	    {"1 192.0.2.40 ", "13 192.0.2.50 "},
	    {"2: column 1 (IP address): \"192.0.2.300\" is not an IPv4",
	     "3: column 2 (activity start): invalid timestamp \"13/2/2026",
	     "4: column 4 (RCPT commands): invalid count \"1e3\"",
	     "5: column 7 (filter result): \"BLUE\" is not GREEN",
	     "6: column 8 (complaint rate): cannot read \"lots\"",
	     "7: expected 14 fields, found 7 | 192.0.2.45,",
	     "8: malformed quoting",
	     "9: column 4 (RCPT commands): invalid count \"-5\"",
	     "10: activity end before activity start",
	     "11: column 11 (trap hits): invalid count \"zero\""}},
	{"status ranges", FIX "status.csv", NULL, 0, SNDS_CSV_STATUS, {0},
	    4, 2, 0,
	    {"1 203.0.113.0-203.0.113.255 blocked \"Blocked due to user",
	     "2 198.51.100.40-198.51.100.40 listed \"Junked",
	     "3 1.1.1.254-1.1.2.1 blocked \"SpamHaus SBL/XBL\"",
	     "4 192.0.2.9-192.0.2.9 listed \"\""},
	    {"5: range end 192.0.2.10 is below its start 192.0.2.20",
	     "6: column 3 (blocked): \"Maybe\" is not Yes"}},
	{"status empty body", NULL, "", 0, SNDS_CSV_STATUS, {0}, 0, 0, 0,
	    {NULL}, {NULL}},
	/* issue 17 item 5: ::ffff:a.b.c.d is the IPv4 address it carries */
	{"mapped IPv4 data row", NULL,
	    "::ffff:192.0.2.50,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,"
	    "GREEN,0%,,,,h,s,\n"
	    "::FFFF:c000:233,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,"
	    "GREEN,0%,,,,h,s,\n"
	    "2001:db8::1,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,"
	    "GREEN,0%,,,,h,s,\n", 0, SNDS_CSV_DATA, {0}, 2, 1, 0,
	    {"1 192.0.2.50 ", "2 192.0.2.51 "},
	    {"3: column 1 (IP address): \"2001:db8::1\" is not an IPv4"}},
	{"mapped IPv4 status range", NULL,
	    "::ffff:203.0.113.0,::ffff:203.0.113.255,Yes,Blocked\n", 0,
	    SNDS_CSV_STATUS, {0}, 1, 0, 0,
	    {"1 203.0.113.0-203.0.113.255 blocked"}, {NULL}},
	{"blank lines only", NULL, "\r\n\n\r\n", 0, SNDS_CSV_DATA, {0}, 0, 0, 0,
	    {NULL}, {NULL}},
	{"unterminated quote at end", NULL,
	    "192.0.2.1,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h,s,\"open\n", 0, SNDS_CSV_DATA, {0}, 0, 1, 0, {NULL},
	    {"1: quoted cell not closed at end of line | 192.0.2.1,"}},
	{"unterminated quote, no final newline", NULL,
	    "192.0.2.1,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h,s,\"open", 0, SNDS_CSV_DATA, {0}, 0, 1, 0, {NULL},
	    {"1: unterminated quoted cell at end of input | 192.0.2.1,"}},
	{"oversize cell", NULL,
	    "192.0.2.1,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h,s,0123456789abcdef0123456789abcdef\n"
	    "192.0.2.2,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h,s,short\n", 0, SNDS_CSV_DATA, {0, 20, 0, 0}, 1, 1, 0,
	    {"2 192.0.2.2 "}, {"1: column 14: cell longer than 20 bytes"}},
	{"overlong line, then recovery", NULL,
	    "192.0.2.1,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h,s,\"a very long comment that goes on and on and on and on\"\n"
	    "192.0.2.2,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h,s,short\n", 0, SNDS_CSV_DATA, {100, 0, 0, 0}, 1, 1, 0,
	    {"2 192.0.2.2 "}, {"1: record longer than 100 bytes"}},
	{"too many fields", NULL,
	    "192.0.2.1,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h,s,c,extra\n", 0, SNDS_CSV_DATA, {0}, 0, 1, 0, {NULL},
	    {"1: expected 14 fields, found 15"}},
	{"garbage first line is no header", NULL, "hello 1,2,3\n", 0,
	    SNDS_CSV_DATA, {0}, 0, 1, 0, {NULL},
	    {"1: expected 14 fields, found 3 | hello 1,2,3"}},
	{"invalid UTF-8 and NUL", NULL,
	    "192.0.2.1,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h,s,caf\xe9\n"
	    "192.0.2.2,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h\0x,s,\n"
	    "192.0.2.3,3/2/2026 12:00 AM,3/2/2026 11:59 PM,1,1,1,GREEN,0%,,,,"
	    "h,s,caf\xc3\xa9\n", 218, SNDS_CSV_DATA, {0}, 1, 2, 0,
	    {"3 192.0.2.3 "},
	    {"1: column 14: invalid UTF-8 or NUL byte | 192.0.2.1,",
	     "2: column 12: invalid UTF-8 or NUL byte | 192.0.2.2,"}},
};

static void
check_list(const char *what, GPtrArray *got, const char *const *want)
{
	size_t n = 0;

	while (n < MAXW && want[n] != NULL)
		n++;
	for (size_t i = 0; i < n && i < got->len; i++) {
		const char *g = g_ptr_array_index(got, i);

		if (!g_str_has_prefix(g, want[i])) {
			print_error("%s [%zu]:\n  got  %s\n  want %s...\n",
			    what, i, g, want[i]);
			fail();
		}
	}
}

static void
run_input(const struct input_case *c, size_t chunk, const char *data,
    size_t len)
{
	struct collect col = {g_ptr_array_new_with_free_func(g_free),
	    g_ptr_array_new_with_free_func(g_free)};
	struct snds_csv *p = NULL;
	struct snds_csv_stats st;
	char *what = g_strdup_printf("%s (chunk %zu)", c->name, chunk);

	assert_int_equal(snds_csv_new(&p, c->kind, LA, &c->lim, &collect_cb,
	    &col), 0);
	for (size_t off = 0; off < len; off += chunk)
		assert_int_equal(snds_csv_feed(p, data + off,
		    MIN(chunk, len - off)), 0);
	assert_int_equal(snds_csv_finish(p), 0);
	snds_csv_get_stats(&st, p);
	expect_long(what, st.rows, c->rows);
	expect_long(what, st.rejected, c->rejected);
	expect_long(what, st.headers, c->headers);
	expect_long(what, (long)col.rows->len, c->rows);
	check_list(what, col.rows, c->want_rows);
	check_list(what, col.rejects, c->want_rejects);
	snds_csv_free(p);
	g_ptr_array_free(col.rows, TRUE);
	g_ptr_array_free(col.rejects, TRUE);
	g_free(what);
}

static void
test_inputs(void **state)
{
	static const size_t chunks[] = {1, 2, 7, 4096};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(input_cases); i++) {
		const struct input_case *c = &input_cases[i];
		char *data = NULL;
		size_t len;

		if (c->file != NULL) {
			assert_true(g_file_get_contents(c->file, &data, &len,
			    NULL));
		} else {
			len = c->len != 0 ? c->len : strlen(c->text);
			data = g_memdup2(c->text, len);
		}
		for (size_t k = 0; k < G_N_ELEMENTS(chunks); k++)
			run_input(c, chunks[k], data, len);
		g_free(data);
	}
}

/* a callback failure stops the parse and is returned */
static int
stop_data(void *ctx, const struct snds_data_row *r)
{
	(void)ctx;
	(void)r;
	return rw_error_set(RW_EIO, "disk full");
}

static void
test_callback_stops(void **state)
{
	struct snds_csv_callbacks cb = {stop_data, NULL, NULL};
	struct snds_csv *p = NULL;
	char *data;
	size_t len;

	(void)state;
	assert_true(g_file_get_contents(FIX "data_crlf.csv", &data, &len,
	    NULL));
	assert_int_equal(snds_csv_new(&p, SNDS_CSV_DATA, LA, NULL, &cb, NULL),
	    0);
	assert_int_equal(snds_csv_feed(p, data, len), RW_EIO);
	assert_int_equal(snds_csv_finish(p), RW_EIO);
	snds_csv_free(p);
	g_free(data);
}

static void
test_row_ceiling(void **state)
{
	struct snds_csv_limits lim = {0, 0, 0, 2};
	struct collect col = {g_ptr_array_new_with_free_func(g_free),
	    g_ptr_array_new_with_free_func(g_free)};
	struct snds_csv *p = NULL;
	char *data;
	size_t len;

	(void)state;
	assert_true(g_file_get_contents(FIX "data_crlf.csv", &data, &len,
	    NULL));
	assert_int_equal(snds_csv_new(&p, SNDS_CSV_DATA, LA, &lim,
	    &collect_cb, &col), 0);
	assert_int_equal(snds_csv_feed(p, data, len), RW_EDATA);
	expect_str("ceiling", rw_error_message(), "more than 2 rows");
	snds_csv_free(p);
	g_ptr_array_free(col.rows, TRUE);
	g_ptr_array_free(col.rejects, TRUE);
	g_free(data);
}

static void
test_bad_zone(void **state)
{
	struct snds_csv *p = NULL;

	(void)state;
	assert_int_equal(snds_csv_new(&p, SNDS_CSV_DATA, "Mars/Olympus", NULL,
	    &collect_cb, NULL), RW_ECONFIG);
	assert_null(p);
	snds_csv_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_inputs),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_row_ceiling),
		cmocka_unit_test(test_bad_zone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

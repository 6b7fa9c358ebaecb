/*
 * test_an_backtest - the pure parts of analyze/an_backtest, table-driven:
 * the first warning of the episode leading to a block (gap, lookback,
 * days after the block), MTA block episode starts, the median, and the
 * peer rules (fixed daily 0.3 %, 7-day 0.1 % with >= 1,000 recipients)
 * with no look-ahead.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "analyze/an_backtest.h"

#define END (-999)

static size_t
count(const int *v)
{
	size_t n = 0;

	while (v[n] != END)
		n++;
	return n;
}

/* ---- first warning --------------------------------------------------- */

static const struct {
	const char *what;
	int days[48];
	int block, gap, lookback, want;
} first_cases[] = {
	{"no warning at all", {END}, 10, 2, 30, AN_BT_NONE},
	{"the day before", {9, END}, 10, 2, 30, 9},
	{"the block day itself: lead 0", {10, END}, 10, 2, 30, 10},
	{"a chain of days", {5, 6, 7, 8, 9, END}, 10, 2, 30, 5},
	{"one quiet day inside keeps the chain", {5, 7, 9, END}, 10, 2, 30,
	    5},
	{"gap of exactly GAP days keeps it", {6, 8, END}, 10, 2, 30, 6},
	{"two quiet days break it", {5, 8, END}, 10, 2, 30, 8},
	{"an older episode is not this one", {1, 2, 3, 8, 9, END}, 10, 2, 30,
	    8},
	{"last warning GAP days before the block", {8, END}, 10, 2, 30, 8},
	{"last warning too long before", {7, END}, 10, 2, 30, AN_BT_NONE},
	{"warnings after the block are ignored", {9, 11, 12, END}, 10, 2, 30,
	    9},
	{"only after the block", {11, 12, END}, 10, 2, 30, AN_BT_NONE},
	{"repeated days (several rules)", {8, 8, 9, 9, 9, END}, 10, 2, 30, 8},
	{"lookback clamps a long chain", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
	    12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
	    28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, END}, 40, 2,
	    30, 10},
	{"lookback: a last day older than it", {5, END}, 40, 40, 30,
	    AN_BT_NONE},
	{"gap 1: consecutive days only", {5, 6, 8, 9, END}, 10, 1, 30, 8},
};

static void
test_first_warning(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(first_cases); i++) {
		int got = an_backtest_first_warning(first_cases[i].days,
		    count(first_cases[i].days), first_cases[i].block,
		    first_cases[i].gap, first_cases[i].lookback);

		if (got != first_cases[i].want)
			fail_msg("%s: got %d, want %d", first_cases[i].what,
			    got, first_cases[i].want);
	}
}

/* ---- MTA block episodes ---------------------------------------------- */

static const struct {
	const char *what;
	int days[16];
	int gap;
	int want[16];
} start_cases[] = {
	{"none", {END}, 14, {END}},
	{"one day", {7, END}, 14, {7, END}},
	{"consecutive days are one episode", {7, 8, 9, 10, END}, 14,
	    {7, END}},
	{"a pause of 14 days is the same episode", {7, 8, 22, END}, 14,
	    {7, END}},
	{"a pause of 15 days starts another", {7, 8, 23, 24, END}, 14,
	    {7, 23, END}},
	{"repeats (several sources)", {7, 7, 30, 30, END}, 14,
	    {7, 30, END}},
	{"three episodes", {1, 2, 20, 21, 40, END}, 14, {1, 20, 40, END}},
};

static void
test_episode_starts(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(start_cases); i++) {
		int out[16];
		size_t n = an_backtest_episode_starts(out, start_cases[i].days,
		    count(start_cases[i].days), start_cases[i].gap);
		size_t want = count(start_cases[i].want);

		if (n != want)
			fail_msg("%s: got %zu starts, want %zu",
			    start_cases[i].what, n, want);
		for (size_t k = 0; k < n; k++)
			if (out[k] != start_cases[i].want[k])
				fail_msg("%s: start %zu got %d, want %d",
				    start_cases[i].what, k, out[k],
				    start_cases[i].want[k]);
	}
}

/* ---- median ---------------------------------------------------------- */

static const struct {
	int v[8];
	double want;
} median_cases[] = {
	{{END}, NAN},
	{{3, END}, 3},
	{{1, 3, END}, 2},
	{{5, 1, 3, END}, 3},
	{{4, 1, 3, 2, END}, 2.5},
	{{7, 7, 1, END}, 7},
	{{0, 10, END}, 5},
};

static void
test_median(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(median_cases); i++) {
		double got = an_backtest_median(median_cases[i].v,
		    count(median_cases[i].v));
		double want = median_cases[i].want;

		if (isnan(want) ? !isnan(got) : got != want)
			fail_msg("case %zu: got %g, want %g", i, got, want);
	}
}

/* ---- peer rules ------------------------------------------------------ */

#define NA NAN

static const struct {
	const char *what;
	struct an_bt_day s[12];
	size_t n;
	int fixed[12], week[12];
} peer_cases[] = {
	{"exactly 0.3 % is not above; 0.4 % is",
	    {{1, 1000, 3}, {2, 1000, 4}}, 2, {2, END}, {1, 2, END}},
	{"a day without SNDS recipients counts nowhere",
	    {{1, NA, 50}, {2, 1000, 1}}, 2, {END}, {END}},
	{"0 recipients: no rate", {{1, 0, 5}}, 1, {END}, {END}},
	{"7-day: under 1,000 recipients never warns",
	    {{1, 100, 1}, {2, 100, 1}, {3, 100, 1}, {4, 100, 1},
	    {5, 100, 1}, {6, 100, 1}}, 6,
	    {1, 2, 3, 4, 5, 6, END}, {END}},
	{"7-day: warns once the week has 1,000 and the rate > 0.1 %",
	    {{1, 500, 0}, {2, 400, 1}, {3, 100, 1}, {4, 900, 0}}, 4,
	    {3, END}, {3, 4, END}},
	{"7-day: exactly 0.1 % is not above",
	    {{1, 1000, 1}, {2, 1000, 1}}, 2, {END}, {END}},
	{"7-day: day d-7 has left the window",
	    {{1, 1000, 9}, {8, 1000, 0}}, 2, {1, END}, {1, END}},
	{"7-day: day d-6 is still inside",
	    {{1, 1000, 9}, {7, 1000, 0}}, 2, {1, END}, {1, 7, END}},
	{"7-day: complaints of a day without recipients left out",
	    {{1, 1000, 0}, {2, NA, 40}, {3, 1000, 1}}, 3, {END}, {END}},
	{"no look-ahead: a later spike does not move earlier days",
	    {{1, 2000, 0}, {2, 2000, 0}, {3, 2000, 60}}, 3, {3, END},
	    {3, END}},
};

static void
check_days(const char *what, const char *rule, GArray *got, const int *want)
{
	size_t n = count(want);

	if (got->len != n)
		fail_msg("%s: %s warned on %u days, want %zu", what, rule,
		    got->len, n);
	for (size_t k = 0; k < n; k++)
		if (g_array_index(got, int, k) != want[k])
			fail_msg("%s: %s day %zu got %d, want %d", what, rule,
			    k, g_array_index(got, int, k), want[k]);
}

static void
test_peer_days(void **state)
{
	struct an_backtest_params p;

	(void)state;
	an_backtest_params_default(&p);
	for (size_t i = 0; i < G_N_ELEMENTS(peer_cases); i++) {
		GArray *fixed = g_array_new(FALSE, FALSE, sizeof(int));
		GArray *week = g_array_new(FALSE, FALSE, sizeof(int));

		an_backtest_peer_days(fixed, week, peer_cases[i].s,
		    peer_cases[i].n, &p);
		check_days(peer_cases[i].what, "fixed", fixed,
		    peer_cases[i].fixed);
		check_days(peer_cases[i].what, "7day", week,
		    peer_cases[i].week);
		g_array_free(fixed, TRUE);
		g_array_free(week, TRUE);
	}
}

/* the 0.3 % variant of the 7-day peer is a parameter */
static void
test_peer_week_rate(void **state)
{
	struct an_backtest_params p;
	struct an_bt_day s[] = {{1, 1000, 2}, {2, 1000, 3}, {3, 1000, 5}};
	GArray *fixed = g_array_new(FALSE, FALSE, sizeof(int));
	GArray *week = g_array_new(FALSE, FALSE, sizeof(int));
	int want_fixed[] = {3, END}, want_week[] = {3, END};

	(void)state;
	an_backtest_params_default(&p);
	p.week_rate = 0.003;
	an_backtest_peer_days(fixed, week, s, G_N_ELEMENTS(s), &p);
	check_days("0.3 %", "fixed", fixed, want_fixed);
	check_days("0.3 %", "7day", week, want_week);
	g_array_free(fixed, TRUE);
	g_array_free(week, TRUE);
}

static void
test_defaults(void **state)
{
	struct an_backtest_params p;

	(void)state;
	an_backtest_params_default(&p);
	assert_int_equal(p.lookback_days, 30);
	assert_int_equal(p.block_gap_days, 14);
	assert_int_equal(p.horizon_days, 14);
	assert_true(p.fixed_rate == 0.003);
	assert_true(p.week_rate == 0.001);
	assert_true(p.week_min_recipients == 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_warning),
		cmocka_unit_test(test_episode_starts),
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_peer_days),
		cmocka_unit_test(test_peer_week_rate),
		cmocka_unit_test(test_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

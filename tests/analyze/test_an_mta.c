/*
 * test_an_mta - the MTA rules (analyze/an_mta) on hand-made numbers:
 * throttled (spread and exact tests against the IP's own baseline, floor
 * share, gates, the window of an open day, Student's t tail,
 * Benjamini-Hochberg over IPs with data), blocked, range-blocked and the
 * code table. The
 * numbers are what repwatch.an_mta_day sums would give.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/an_mta.h"

#include "an_rules_lib.h"

/* one IP: the day, the 28 days before it, the 3-day window and the 28
 * days before that; the baseline days are 28 x the daily volume. Both
 * rules judge against the 28 days before the window (n_win_base); the
 * cases keep the day's own 28 days (n_day_base) as written then, equal */
struct throttle_case {
	const char *name;
	double n_day, t_day;
	double n_day_base, t_day_base;
	double n_win, t_win;
	double n_win_base, t_win_base;
	bool want;
	int want_days; /* window judged when it fires */
};

static struct an_mta_ip *
ip_of(const struct throttle_case *c, const char *key)
{
	struct an_mta_ip *x = an_mta_ip_new(key, "203.0.113.0/24");

	x->n_day = c->n_day;
	x->t_day = c->t_day;
	x->n_win = c->n_win;
	x->t_win = c->t_win;
	x->n_base = c->n_win_base;
	x->t_base = c->t_win_base;
	x->b_day = 0;
	/* 28 baseline days alike (no spread beyond the binomial) */
	if (c->n_win_base > 0) {
		double ls = an_mta_log_share(c->t_win_base / 28,
		    c->n_win_base / 28);

		x->k_base = 28;
		x->ls_base = 28 * ls;
		x->ls2_base = 28 * ls * ls;
	}
	return x;
}

/* the findings of one IP alone on its day */
static GPtrArray *
alone(struct an_mta_ip *x, const struct an_params *p)
{
	GPtrArray *ips = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)an_mta_ip_free);
	GPtrArray *f = an_findings_new();

	g_ptr_array_add(ips, x);
	an_mta_findings(f, ips, p);
	g_ptr_array_free(ips, TRUE);
	return f;
}

static void
test_throttled(void **state)
{
	static const struct throttle_case cases[] = {
		/* 20,000 a day at 2 %: 560,000 and 11,200 over 28 days */
		{"steady 2% (2.1% on the day)", 20000, 420, 560000, 11200,
		    60000, 1250, 560000, 11200, false, 0},
		{"2% -> 8% on the day", 20000, 1600, 560000, 11200,
		    60000, 2430, 560000, 11200, true, 1},
		{"2% -> 3.5%: significant, under x2", 20000, 700, 560000,
		    11200, 60000, 1540, 560000, 11200, false, 0},
		/* 0.1 % usual: floored at 0.5 %, so 0.9 % is x1.8 */
		{"0.1% -> 0.9%: under x2 the floor", 20000, 180, 560000, 560,
		    60000, 220, 560000, 560, false, 0},
		{"never throttled -> 3%", 20000, 600, 560000, 0, 60000, 600,
		    560000, 0, true, 1},
		/* 300 attempts, no history: judged against 5 % */
		{"new IP, 30% throttled", 300, 90, NAN, NAN, 300, 90, NAN,
		    NAN, true, 1},
		{"new IP, 8% throttled: under x2 the floor share", 300, 24,
		    NAN, NAN, 300, 24, NAN, NAN, false, 0},
		/* usual 0.5 %: 20 of 1,000 fire, 19 are under
		 * throttle_min_throttled */
		{"0.5% -> 2.0%, 20 answers", 1000, 20, 28000, 140, 3000, 30,
		    28000, 140, true, 1},
		{"0.5% -> 1.9%, 19 answers", 1000, 19, 28000, 140, 3000, 29,
		    28000, 140, false, 0},
		{"new IP, 15 of 30 throttled: too few attempts", 30, 15, NAN,
		    NAN, 30, 15, NAN, NAN, false, 0},
		/* 80 a day: the day alone is too small, 3 days are judged */
		{"small IP, 1% -> 25% over 3 days", 80, 20, 2240, 22, 240, 60,
		    2240, 22, true, 3},
		{"small IP, throttled earlier, not on the day", 80, 0, 2240,
		    22, 240, 60, 2240, 22, false, 0},
		{"small IP, under the minimum over 3 days too", 50, 20, 1400,
		    14, 150, 60, 1400, 14, false, 0},
		/* 32 of 300 against its usual 10 %: no rise */
		{"small IP, usual 10%", 100, 12, 2800, 280, 300, 32, 2800,
		    280, false, 0},
	};
	struct an_params p;

	(void)state;
	an_params_default(&p);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct throttle_case *c = &cases[i];
		GPtrArray *f = alone(ip_of(c, "203.0.113.5"), &p);
		const struct an_finding *x = find_subject_rule(f, "throttled",
		    "203.0.113.5");
		gint64 days = x ? json_object_get_int_member(x->extra,
		    "window_days") : 0;

		if ((x != NULL) != c->want || (x && days != c->want_days)) {
			print_error("%s: got %s (%" G_GINT64_FORMAT " days), "
			    "want %s (%d days)\n", c->name, x ? "throttled" :
			    "none", days, c->want ? "throttled" : "none",
			    c->want_days);
			fail();
		}
		if (x != NULL) {
			assert_int_equal(x->severity, AN_WARNING);
			assert_string_equal(x->subject_kind, "ip");
		}
		g_ptr_array_free(f, TRUE);
	}
}

/* the numbers the finding carries */
static void
test_throttled_extra(void **state)
{
	static const struct throttle_case c = {"2% -> 8%", 20000, 1600,
	    560000, 11200, 60000, 2430, 560000, 11200, true, 1};
	struct an_params p;
	GPtrArray *f;
	const struct an_finding *x;
	JsonObject *e;

	(void)state;
	an_params_default(&p);
	f = alone(ip_of(&c, "203.0.113.5"), &p);
	x = find_subject_rule(f, "throttled", "203.0.113.5");
	assert_non_null(x);
	e = x->extra;
	assert_true(json_object_get_double_member(e, "attempts") == 20000);
	assert_true(json_object_get_double_member(e, "throttled") == 1600);
	assert_true(fabs(json_object_get_double_member(e, "share") - 0.08) <
	    1e-12);
	assert_true(fabs(json_object_get_double_member(e, "baseline_share") -
	    0.02) < 1e-12);
	assert_true(fabs(json_object_get_double_member(e, "share_ratio") -
	    4) < 1e-9);
	/* the spread test's: t = 11 with 27 degrees of freedom */
	assert_true(json_object_get_double_member(e, "p") < 1e-15);
	assert_true(json_object_get_double_member(e, "baseline_days") == 28);
	assert_true(json_object_get_double_member(e, "q") <= p.mta.alpha);
	if (strstr(x->message, "8.0% of 20000 attempts") == NULL ||
	    strstr(x->message, "usual 2.00%") == NULL) {
		print_error("message: got \"%s\", want 8.0%% of 20000 "
		    "attempts ... usual 2.00%%\n", x->message);
		fail();
	}
	g_ptr_array_free(f, TRUE);
}

/* BH over the day's IPs: one weak rise among 40 clean IPs is not a
 * discovery, the same rise alone is */
static void
test_throttled_bh(void **state)
{
	/* 600 a day, usual 2 %; 26 of 600 on the day: x2.2, p ~ 0.001 */
	static const struct throttle_case weak = {"weak", 600, 26, 16800,
	    336, 1800, 62, 16800, 336, true, 1};
	static const struct throttle_case clean = {"clean", 600, 12, 16800,
	    336, 1800, 36, 16800, 336, false, 0};
	struct an_params p;
	GPtrArray *ips, *f;
	double p_alone;

	(void)state;
	an_params_default(&p);
	f = alone(ip_of(&weak, "203.0.113.5"), &p);
	assert_non_null(find_subject_rule(f, "throttled", "203.0.113.5"));
	g_ptr_array_free(f, TRUE);

	ips = g_ptr_array_new_with_free_func((GDestroyNotify)an_mta_ip_free);
	g_ptr_array_add(ips, ip_of(&weak, "203.0.113.5"));
	for (int i = 0; i < 40; i++) {
		char key[32];

		snprintf(key, sizeof(key), "198.51.100.%d", i + 1);
		g_ptr_array_add(ips, ip_of(&clean, key));
	}
	f = an_findings_new();
	an_mta_findings(f, ips, &p);
	p_alone = ((struct an_mta_ip *)ips->pdata[0])->p_value;
	if (f->len != 0 || !(p_alone <= p.mta.alpha)) {
		print_error("41 IPs: got %u findings (p %g), want none with "
		    "p <= alpha\n", f->len, p_alone);
		fail();
	}
	assert_true(fabs(((struct an_mta_ip *)ips->pdata[0])->q_value -
	    fmin(1, 41 * p_alone)) < 1e-12);
	g_ptr_array_free(f, TRUE);
	g_ptr_array_free(ips, TRUE);
}

/* Student's t tail against table values */
static void
test_t_sf(void **state)
{
	static const struct {
		double t, df, want;
	} cases[] = {
		{1, 1, 0.25},            /* Cauchy: 1/2 - atan(1)/pi */
		{2.228139, 10, 0.025},   /* t(0.975, 10) */
		{2.472660, 27, 0.01},    /* t(0.99, 27) */
		{3.746947, 4, 0.01},     /* t(0.99, 4) */
		{1.959964, 1e7, 0.025},  /* the normal */
		{0, 5, 0.5},
		{-2.228139, 10, 0.975},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		double got = an_t_sf(cases[i].t, cases[i].df);

		if (fabs(got - cases[i].want) > 2e-4 * fmax(cases[i].want,
		    0.01)) {
			print_error("t_sf(%g, %g): got %.6g, want %.6g\n",
			    cases[i].t, cases[i].df, got, cases[i].want);
			fail();
		}
	}
}

/*
 * The spread test: 28 baseline days at 10,000 attempts whose shares vary
 * as real ones do (log sd 0.3 around 2 %), against the same days with no
 * spread. Twice the usual share is ordinary for the first, not the second;
 * four times is a rise for both; fewer than 3 days give no test.
 */
static void
test_spread(void **state)
{
	struct {
		const char *name;
		double c1, n1, sd, k;
		bool want; /* p <= 0.001 */
	} cases[] = {
		{"x2, log sd 0.3", 400, 10000, 0.3, 28, false},
		{"x2, no spread", 400, 10000, 0, 28, true},
		{"x4, log sd 0.3", 800, 10000, 0.3, 28, true},
		{"x1, no spread", 200, 10000, 0, 28, false},
		{"x4, 2 days", 800, 10000, 0, 2, false},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		double m = an_mta_log_share(200, 10000), k = cases[i].k;
		/* K days at m -/+ sd alternately: sample sd ~ sd */
		double ls = k * m, ls2 = k * (m * m + cases[i].sd *
		    cases[i].sd);
		double got = an_mta_spread_p(cases[i].c1, cases[i].n1, k, ls,
		    ls2);

		if ((got <= 0.001) != cases[i].want) {
			print_error("%s: got p %g, want %s 0.001\n",
			    cases[i].name, got, cases[i].want ? "<=" : ">");
			fail();
		}
	}
}

/* the day alone only when it has the volume and is over */
static void
test_day_window(void **state)
{
	static const struct {
		double n_day;
		bool open, want;
	} cases[] = {
		{5000, false, true},
		{5000, true, false},  /* today, while it runs */
		{100, false, false},  /* under throttle_min_attempts */
		{NAN, false, false},
	};
	struct an_params p;

	(void)state;
	an_params_default(&p);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		if (an_mta_day_window(cases[i].n_day, cases[i].open, &p) !=
		    cases[i].want) {
			print_error("%g attempts, open %d: got %d, want %d\n",
			    cases[i].n_day, cases[i].open, !cases[i].want,
			    cases[i].want);
			fail();
		}
}

/* BH counts only the IPs with attempts in their judged window: the weak
 * rise beside 40 IPs without data that day is judged as alone */
static void
test_bh_data_only(void **state)
{
	static const struct throttle_case weak = {"weak", 600, 26, 16800,
	    336, 1800, 62, 16800, 336, true, 1};
	static const struct throttle_case idle = {"idle", NAN, NAN, 16800,
	    336, NAN, NAN, 16800, 336, false, 0};
	struct an_params p;
	GPtrArray *ips, *f;
	const struct an_mta_ip *w;

	(void)state;
	an_params_default(&p);
	ips = g_ptr_array_new_with_free_func((GDestroyNotify)an_mta_ip_free);
	g_ptr_array_add(ips, ip_of(&weak, "203.0.113.5"));
	for (int i = 0; i < 40; i++) {
		char key[32];

		snprintf(key, sizeof(key), "198.51.100.%d", i + 1);
		g_ptr_array_add(ips, ip_of(&idle, key));
	}
	f = an_findings_new();
	an_mta_findings(f, ips, &p);
	w = ips->pdata[0];
	if (f->len != 1 || w->q_value != w->p_value) {
		print_error("weak rise and 40 idle IPs: got %u findings, q %g "
		    "(p %g), want 1 with q = p\n", f->len, w->q_value,
		    w->p_value);
		fail();
	}
	g_ptr_array_free(f, TRUE);
	g_ptr_array_free(ips, TRUE);
}

struct block_case {
	const char *name;
	double blocked;
	const char *code;
	const char *want; /* NULL = no finding; else in the message */
};

static void
test_blocked(void **state)
{
	static const struct block_case cases[] = {
		{"S3150", 37, "S3150",
		    "S3150 (the IP is on Microsoft's block list)"},
		{"S3140", 5, "S3140", "S3140 (part of the IP's network"},
		{"banned IP", 2, "5.7.606", "5.7.606 (banned sending IP)"},
		{"5.7.649", 2, "5.7.649", "(banned sending IP)"},
		{"5.7.650 is not a ban", 2, "5.7.650", "blocked 203.0.113.5: "
		    "5.7.650, first"},
		{"no code", 1, "", "a block answer"},
		{"no block on the day", 0, NULL, NULL},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct block_case *c = &cases[i];
		struct an_mta_ip *x = an_mta_ip_new("203.0.113.5",
		    "203.0.113.0/24");
		GPtrArray *f = an_findings_new();
		const struct an_finding *b;

		x->b_day = c->blocked;
		x->n_day = 400;
		if (c->blocked > 0) {
			x->block_code = g_strdup(c->code);
			x->first_block_at = g_strdup("2026-03-05 09:14");
			x->block_answer = g_strdup("550 5.7.1 Unfortunately, "
			    "messages from [203.0.113.5] weren't sent.");
		}
		an_mta_rule_blocked(f, x);
		b = find_subject_rule(f, "blocked", "203.0.113.5");
		if ((b != NULL) != (c->want != NULL) || (b != NULL &&
		    (strstr(b->message, c->want) == NULL ||
		    strstr(b->message, "https://sender.office.com") == NULL ||
		    strstr(b->message, "2026-03-05 09:14 UTC") == NULL ||
		    b->severity != AN_CRITICAL ||
		    strcmp(b->subject_kind, "ip") != 0))) {
			print_error("%s: got %s, want %s\n", c->name,
			    b ? b->message : "none", c->want ? c->want :
			    "none");
			fail();
		}
		if (b != NULL)
			assert_string_equal(json_object_get_string_member(
			    b->extra, "code"), c->code);
		g_ptr_array_free(f, TRUE);
		an_mta_ip_free(x);
	}
}

/* IPs "KEY:CODE" (CODE empty = not blocked) -> range-blocked subjects */
struct range_case {
	const char *name;
	const char *ips;
	int range_min_ips;
	const char *want; /* "" = none, else "SUBJECT CODES" */
};

static void
test_range_blocked(void **state)
{
	static const struct range_case cases[] = {
		{"two of three blocked", "203.0.113.5:S3140 203.0.113.6:S3140 "
		    "203.0.113.7:", 2, "203.0.113.0/24 S3140"},
		{"two codes", "203.0.113.5:S3140 203.0.113.6:S3150", 2,
		    "203.0.113.0/24 S3140, S3150"},
		{"one blocked", "203.0.113.5:S3150 203.0.113.6:", 2, ""},
		{"two in different /24s", "203.0.113.5:S3150 "
		    "198.51.100.5:S3150", 2, ""},
		{"range_min_ips 3", "203.0.113.5:S3140 203.0.113.6:S3140", 3,
		    ""},
		{"range_min_ips 1 still needs two", "203.0.113.5:S3140", 1,
		    ""},
	};
	struct an_params p;

	(void)state;
	an_params_default(&p);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct range_case *c = &cases[i];
		g_auto(GStrv) w = g_strsplit(c->ips, " ", -1);
		GPtrArray *ips = g_ptr_array_new_with_free_func(
		    (GDestroyNotify)an_mta_ip_free);
		GPtrArray *f = an_findings_new(), *ranges;
		GString *got = g_string_new(NULL);

		for (int k = 0; w[k] != NULL; k++) {
			g_auto(GStrv) kc = g_strsplit(w[k], ":", 2);
			g_autofree char *net = NULL;
			struct an_mta_ip *x;

			net = g_strdup_printf("%.*s.0/24",
			    (int)(strrchr(kc[0], '.') - kc[0]), kc[0]);
			x = an_mta_ip_new(kc[0], net);
			x->n_day = 100;
			x->b_day = *kc[1] ? 10 : 0;
			x->block_code = g_strdup(kc[1]);
			x->first_block_at = *kc[1] ?
			    g_strdup_printf("2026-03-05 0%d:00", k + 1) : NULL;
			g_ptr_array_add(ips, x);
		}
		p.range_min_ips = c->range_min_ips;
		ranges = an_mta_ranges(ips);
		for (guint k = 0; k < ranges->len; k++)
			an_mta_rule_range_blocked(f, ranges->pdata[k], &p);
		for (guint k = 0; k < f->len; k++) {
			const struct an_finding *x = f->pdata[k];

			assert_string_equal(x->subject_kind, "cidr");
			assert_int_equal(x->severity, AN_CRITICAL);
			assert_non_null(strstr(x->message, "01:00 UTC"));
			g_string_append_printf(got, "%s%s %s", k ? "; " : "",
			    x->subject, json_object_get_string_member(
			    x->extra, "codes"));
		}
		if (strcmp(got->str, c->want) != 0) {
			print_error("%s: got \"%s\", want \"%s\"\n", c->name,
			    got->str, c->want);
			fail();
		}
		g_string_free(got, TRUE);
		g_ptr_array_free(ranges, TRUE);
		g_ptr_array_free(f, TRUE);
		g_ptr_array_free(ips, TRUE);
	}
}

static void
test_code_meaning(void **state)
{
	static const struct {
		const char *code, *want;
	} cases[] = {
		{"S775", "rate limited due to IP reputation"},
		{"S3114", "rate limited due to IP reputation"},
		{"S3150", "the IP is on Microsoft's block list"},
		{"5.7.511", "banned sender"},
		{"5.7.606", "banned sending IP"},
		{"5.7.649", "banned sending IP"},
		{"5.7.605", NULL},
		{"5.7.650", NULL},
		{"5.7.6x6", NULL},
		{"", NULL},
		{NULL, NULL},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const char *got = an_mta_code_meaning(cases[i].code);

		if (g_strcmp0(got, cases[i].want) != 0) {
			print_error("%s: got %s, want %s\n", cases[i].code ?
			    cases[i].code : "(null)", got ? got : "(null)",
			    cases[i].want ? cases[i].want : "(null)");
			fail();
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_throttled),
		cmocka_unit_test(test_throttled_extra),
		cmocka_unit_test(test_throttled_bh),
		cmocka_unit_test(test_t_sf),
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_day_window),
		cmocka_unit_test(test_bh_data_only),
		cmocka_unit_test(test_blocked),
		cmocka_unit_test(test_range_blocked),
		cmocka_unit_test(test_code_meaning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_an_stats - exact tails, rate-ratio test, confidence bound, BH,
 * trend fit and forecast against values computed independently (exact sums
 * in Python's integers, detection.md 3.3).
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "analyze/an_stats.h"

static void
check_close(const char *what, double got, double want, double rel)
{
	double tol = fabs(want) * rel + 1e-15;

	if (fabs(got - want) > tol) {
		print_error("%s: got %.10g, want %.10g\n", what, got, want);
		fail();
	}
}

struct tail_case {
	const char *name;
	double c, p, n; /* p = mu for Poisson, n unused */
	double want;
};

static void
test_poisson_sf(void **state)
{
	static const struct tail_case cases[] = {
		/* detection.md 3.3: n = 3000, p0 = 0.1 %, expected 3 */
		{"P(X>=9|3)", 9, 3.0, 0, 0.0038029920616758917},
		{"P(X>=10|3)", 10, 3.0, 0, 0.0011024881301153755},
		{"P(X>=1|3)", 1, 3.0, 0, 0.950212931632136},
		{"P(X>=0|3)", 0, 3.0, 0, 1.0},
		{"P(X>=1|0)", 1, 0.0, 0, 0.0},
		{"negative mu", 3, -1.0, 0, 1.0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_close(cases[i].name,
		    an_poisson_sf(cases[i].c, cases[i].p), cases[i].want, 1e-9);
}

/* Beta-binomial: the flip-rate model of the filter rule (reference
 * values from the closed form C(n,x) B(x+a, n-x+b) / B(a, b)) */
static void
test_betabinom(void **state)
{
	static const struct { const char *name; double k, n, a, b, want; }
	    sf[] = {
		{"uniform: P(X>=5), n 7, Beta(1,1)", 5, 7, 1, 1, 3.0 / 8},
		{"3 of 28 flips: P(X>=5 of 7)", 5, 7, 4, 26,
		    0.002630671036743125},
		{"3 of 28 flips: P(X>=6 of 7)", 6, 7, 4, 26,
		    0.0002760048300845251},
		{"0 of 28 flips: P(X>=4 of 7)", 4, 7, 1, 29,
		    0.0005941770647653014},
		{"k = 0", 0, 7, 1, 1, 1.0},
		{"k > n", 8, 7, 1, 1, 0.0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(sf) / sizeof(sf[0]); i++)
		check_close(sf[i].name, an_betabinom_sf(sf[i].k, sf[i].n,
		    sf[i].a, sf[i].b), sf[i].want, 1e-9);
	check_close("P(X=2 of 7), Beta(4,26)", an_betabinom_pmf(2, 7, 4, 26),
	    0.17071329998275117, 1e-9);
}

static void
test_binomial_sf(void **state)
{
	static const struct tail_case cases[] = {
		{"Bin(3000,.001)>=9", 9, 0.001, 3000, 0.003782760692603415},
		{"Bin(3000,.001)>=10", 10, 0.001, 3000, 0.0010944028230199798},
		{"Bin(20,.2)>=10", 10, 0.2, 20, 0.00259482740067285},
		{"Bin(5,.2)>=5", 5, 0.2, 5, 0.00032},
		{"c > n", 6, 0.2, 5, 0.0},
		{"c = 0", 0, 0.2, 5, 1.0},
		{"p out of range", 1, 1.5, 5, 1.0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_close(cases[i].name, an_binomial_sf(cases[i].c,
		    cases[i].p, cases[i].n), cases[i].want, 1e-9);
}

static void
test_rate_ratio(void **state)
{
	(void)state;
	/* 10 of 20 complaints in 7,000 of 35,000 recipients: Bin(20, .2) */
	check_close("10/7000 vs 10/28000",
	    an_rate_ratio_p(10, 7000, 10, 28000), 0.00259482740067285, 1e-9);
	/* clean baseline: all five complaints recent */
	check_close("5/7000 vs 0/28000",
	    an_rate_ratio_p(5, 7000, 0, 28000), 0.00032, 1e-9);
	check_close("no baseline volume", an_rate_ratio_p(5, 7000, 0, 0),
	    1.0, 0);
	check_close("no recent complaints",
	    an_rate_ratio_p(0, 7000, 3, 28000), 1.0, 0);
}

static void
test_poisson_lower(void **state)
{
	(void)state;
	/* Garwood one-sided bounds: chi2 quantiles / 2 */
	check_close("95% lower, c=5", an_poisson_lower(5, 0.95), 1.970, 1e-3);
	check_close("80% lower, c=5", an_poisson_lower(5, 0.80), 3.0896,
	    1e-3);
	check_close("c=0", an_poisson_lower(0, 0.95), 0.0, 0);
}

static void
test_bh(void **state)
{
	double p[] = {0.01, 0.04, 0.03, 0.005, NAN};
	double want[] = {0.025, 0.05, 0.05, 0.025, 1.0};
	double q[5];
	char what[32];

	(void)state;
	an_bh_adjust(q, p, 5);
	for (size_t i = 0; i < 5; i++) {
		snprintf(what, sizeof(what), "q[%zu]", i);
		check_close(what, q[i], want[i], 1e-12);
	}
	/* in place, one value */
	p[0] = 0.3;
	an_bh_adjust(p, p, 1);
	check_close("m=1", p[0], 0.3, 0);
}

/* exact geometric series rate0 * g^t over t = -13..0 */
static void
series(double *t, double *c, double *n, double rate0, double g)
{
	for (int i = 0; i < 14; i++) {
		t[i] = i - 13;
		n[i] = 10000;
		c[i] = n[i] * rate0 * pow(g, t[i]);
	}
}

static void
test_trend_fit(void **state)
{
	double t[14], c[14], n[14];
	struct an_trend f;

	(void)state;
	series(t, c, n, 0.002, 1.1);
	an_trend_fit(&f, t, c, n, 14);
	assert_true(f.ok);
	check_close("a", f.a, log(0.002), 1e-6);
	check_close("growth", an_trend_growth(&f), 1.1, 1e-6);
	assert_int_equal(f.days, 14);

	/* no complaints: no fit, growth 1 */
	for (int i = 0; i < 14; i++)
		c[i] = 0;
	an_trend_fit(&f, t, c, n, 14);
	assert_false(f.ok);
	check_close("growth without fit", an_trend_growth(&f), 1.0, 0);
}

struct fc_case {
	const char *name;
	double rate0, growth, current;
	int horizon;
	int want;
};

static void
test_forecast(void **state)
{
	/* 7-day mean at h: rate0 * g^h * (1 - g^-7) / (1 - 1/g) / 7; for
	 * 0.1 % and x1.1 a day it is 0.0765 % at h = 0, so 0.3 % needs
	 * 1.1^h >= 3.921: h = 15 */
	static const struct fc_case cases[] = {
		{"x1.1 ramp", 0.001, 1.1, 0.0008, 30, 15},
		{"x1.1 ramp, short horizon", 0.001, 1.1, 0.0008, 10, -1},
		{"already above", 0.004, 1.1, 0.0031, 30, 0},
		{"flat", 0.001, 1.0, 0.001, 30, -1},
		{"falling", 0.002, 0.95, 0.002, 30, -1},
	};
	double t[14], c[14], n[14];
	struct an_trend f;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fc_case *k = &cases[i];
		int got;

		series(t, c, n, k->rate0, k->growth);
		an_trend_fit(&f, t, c, n, 14);
		got = an_forecast_days(&f, k->current, 7, 0.003, 1.645,
		    k->horizon);
		if (got != k->want) {
			print_error("%s: got %d days, want %d\n", k->name,
			    got, k->want);
			fail();
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poisson_sf),
		cmocka_unit_test(test_binomial_sf),
		cmocka_unit_test(test_betabinom),
		cmocka_unit_test(test_rate_ratio),
		cmocka_unit_test(test_poisson_lower),
		cmocka_unit_test(test_bh),
		cmocka_unit_test(test_trend_fit),
		cmocka_unit_test(test_forecast),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

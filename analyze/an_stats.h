/*
 * an_stats - the statistics behind the analyzer: exact upper-tail tests for
 * complaint counts, the Benjamini-Hochberg correction for testing thousands
 * of subjects a day, a Poisson trend fit on daily counts and the forecast of
 * days until the 7-day rate crosses a threshold.
 *
 * Pure functions over numbers: no database, no configuration, no errors
 * recorded; invalid inputs give a neutral result (p = 1, no fit).
 */
#ifndef AN_STATS_H
#define AN_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* an_poisson_sf - P(X >= c) for X ~ Poisson(mu) (1 when c = 0) */
double an_poisson_sf(double c, double mu);

/* an_binomial_sf - P(X >= c) for X ~ Binomial(n, p) */
double an_binomial_sf(double c, double p, double n);

/*
 * an_betabinom_sf - P(X >= k) for X ~ Beta-binomial(n, a, b): the number of
 * successes in n trials whose success rate is uncertain, known only as a
 * Beta(a, b) posterior (e.g. a flip rate estimated from an IP's history).
 * 1 when k <= 0, 0 when k > n.
 */
double an_betabinom_sf(double k, double n, double a, double b);
/* an_betabinom_pmf - P(X = x) for the same X (0 outside 0..n) */
double an_betabinom_pmf(double x, double n, double a, double b);

/*
 * an_rate_ratio_p - one-sided exact test that the recent rate c1/n1 exceeds
 * the baseline rate c0/n0: conditional on c0 + c1, c1 is binomial with
 * success probability n1 / (n0 + n1) under equal rates (Przyborowski and
 * Wilenski). The baseline's own sampling noise is thus accounted for.
 */
double an_rate_ratio_p(double c1, double n1, double c0, double n0);

/* an_t_sf - P(T >= t) for Student's T with DF degrees of freedom (1 when
 * T is NAN or DF is not positive) */
double an_t_sf(double t, double df);

/*
 * an_poisson_lower - one-sided lower confidence bound (level CONF, e.g.
 * 0.8) of a Poisson mean after observing c events (exact, via chi-square).
 */
double an_poisson_lower(double c, double conf);

/*
 * an_bh_adjust - Benjamini-Hochberg adjusted p-values (q-values) of the M
 * p-values P into OUT (may alias P). A subject is discovered at false
 * discovery rate alpha when its q <= alpha.
 */
void an_bh_adjust(double *out, const double *p, size_t m);

/* one fitted trend: log(rate_t) = a + b * t, t in days (0 = last day) */
struct an_trend {
	bool ok;      /* a fit exists (some complaints, >= 3 days) */
	double a;     /* log rate at t = 0 */
	double b;     /* log growth per day */
	double se_b;  /* standard error of b */
	int days;     /* days used */
};

/*
 * an_trend_fit - Poisson regression c_t ~ Poisson(n_t * exp(a + b t)) by
 * Newton-Raphson over K days (T in days, 0 = the analyzed day, negative
 * before; C complaints; N recipients). Days with n <= 0 are skipped.
 */
void an_trend_fit(struct an_trend *out, const double *t, const double *c,
    const double *n, size_t k);

/* an_trend_growth - fitted growth factor per day (exp(b)), 1 without fit */
double an_trend_growth(const struct an_trend *fit);

/*
 * an_forecast_days - days from t = 0 until the fitted WINDOW-day rate
 * (constant volume assumed) reaches TARGET: 0 when CURRENT_RATE (the
 * observed window rate) is already there; -1 (null) when the trend is not
 * significantly rising (b / se_b < Z) or the crossing lies beyond HORIZON.
 */
int an_forecast_days(const struct an_trend *fit, double current_rate,
    int window, double target, double z, int horizon);

#endif

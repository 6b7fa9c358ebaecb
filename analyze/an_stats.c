/*
 * an_stats - exact tail tests, Benjamini-Hochberg, Poisson trend, forecast.
 *
 * GSL's Q functions are strict upper tails, P(X > k); the tests here want
 * P(X >= c) = Q(c - 1), with P(X >= 0) = 1.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "analyze/an_stats.h"

/* counts arrive as doubles (sums from SQL); GSL wants unsigned int */
static bool
count_ok(double c)
{
	return isfinite(c) && c >= 0 && c <= 4294967295.0;
}

double
an_poisson_sf(double c, double mu)
{
	if (!count_ok(c) || !isfinite(mu) || mu < 0)
		return 1.0;
	c = floor(c);
	if (c < 1)
		return 1.0;
	if (mu == 0)
		return 0.0;
	return gsl_cdf_poisson_Q((unsigned int)(c - 1), mu);
}

double
an_binomial_sf(double c, double p, double n)
{
	if (!count_ok(c) || !count_ok(n) || !(p >= 0 && p <= 1))
		return 1.0;
	c = floor(c);
	n = floor(n);
	if (c < 1)
		return 1.0;
	if (c > n || p == 0)
		return 0.0;
	if (p == 1)
		return 1.0;
	return gsl_cdf_binomial_Q((unsigned int)(c - 1), p,
	    (unsigned int)n);
}

double
an_betabinom_pmf(double x, double n, double a, double b)
{
	if (!isfinite(x) || !isfinite(n) || x < 0 || x > n || !(a > 0) ||
	    !(b > 0))
		return 0.0;
	x = floor(x);
	n = floor(n);
	return exp(lgamma(n + 1) - lgamma(x + 1) - lgamma(n - x + 1) +
	    lgamma(x + a) + lgamma(n - x + b) - lgamma(n + a + b) -
	    (lgamma(a) + lgamma(b) - lgamma(a + b)));
}

double
an_betabinom_sf(double k, double n, double a, double b)
{
	double lbeta_ab, sum = 0;

	if (!isfinite(k) || !isfinite(n) || n < 0 || !(a > 0) || !(b > 0))
		return 1.0;
	k = ceil(k);
	n = floor(n);
	if (k <= 0)
		return 1.0;
	if (k > n)
		return 0.0;
	lbeta_ab = lgamma(a) + lgamma(b) - lgamma(a + b);
	/* n is a count of days (small): sum the upper tail term by term */
	for (double x = k; x <= n; x++)
		sum += exp(lgamma(n + 1) - lgamma(x + 1) - lgamma(n - x + 1) +
		    lgamma(x + a) + lgamma(n - x + b) - lgamma(n + a + b) -
		    lbeta_ab);
	return fmin(sum, 1.0);
}

double
an_rate_ratio_p(double c1, double n1, double c0, double n0)
{
	if (!(n1 > 0) || !(n0 > 0) || !(c0 >= 0) || !(c1 >= 0))
		return 1.0;
	return an_binomial_sf(c1, n1 / (n0 + n1), c0 + c1);
}

double
an_t_sf(double t, double df)
{
	if (isnan(t) || !(df > 0))
		return 1.0;
	return gsl_cdf_tdist_Q(t, df);
}

double
an_poisson_lower(double c, double conf)
{
	if (!(c > 0) || !isfinite(c) || !(conf > 0 && conf < 1))
		return 0.0;
	/* Garwood: lower bound = chi2_{1-conf}(2c) / 2 */
	return gsl_cdf_chisq_Pinv(1.0 - conf, 2.0 * floor(c)) / 2.0;
}

struct ranked {
	double p;
	size_t i;
};

static int
cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

void
an_bh_adjust(double *out, const double *p, size_t m)
{
	struct ranked *r;
	double run = 1.0;

	if (m == 0)
		return;
	r = calloc(m, sizeof(*r));
	if (r == NULL)
		abort(); /* as GLib does on out-of-memory */
	for (size_t i = 0; i < m; i++) {
		r[i].p = isnan(p[i]) ? 1.0 : p[i];
		r[i].i = i;
	}
	qsort(r, m, sizeof(*r), cmp_ranked);
	/* step-up: q_(k) = min over j >= k of p_(j) * m / j */
	for (size_t k = m; k > 0; k--) {
		double q = r[k - 1].p * (double)m / (double)k;

		if (q < run)
			run = q;
		out[r[k - 1].i] = run;
	}
	free(r);
}

/* one Newton step of the Poisson log-linear fit; false when singular */
static bool
trend_step(struct an_trend *f, const double *t, const double *c,
    const double *n, size_t k)
{
	double g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0, det;

	for (size_t i = 0; i < k; i++) {
		double mu;

		if (!(n[i] > 0))
			continue;
		mu = n[i] * exp(f->a + f->b * t[i]);
		g0 += c[i] - mu;
		g1 += t[i] * (c[i] - mu);
		h00 += mu;
		h01 += t[i] * mu;
		h11 += t[i] * t[i] * mu;
	}
	det = h00 * h11 - h01 * h01;
	if (!(det > 1e-300) || !isfinite(det))
		return false;
	f->a += (h11 * g0 - h01 * g1) / det;
	f->b += (h00 * g1 - h01 * g0) / det;
	f->se_b = sqrt(h00 / det);
	return isfinite(f->a) && isfinite(f->b);
}

/* start values: pooled rate, flat trend; counts days usable */
static double
trend_start(struct an_trend *f, const double *c, const double *n, size_t k)
{
	double sc = 0, sn = 0;

	for (size_t i = 0; i < k; i++) {
		if (!(n[i] > 0) || !(c[i] >= 0))
			continue;
		sc += c[i];
		sn += n[i];
		f->days++;
	}
	if (sc > 0 && sn > 0)
		f->a = log(sc / sn);
	return sc;
}

void
an_trend_fit(struct an_trend *out, const double *t, const double *c,
    const double *n, size_t k)
{
	struct an_trend f = {0};

	*out = f;
	if (trend_start(&f, c, n, k) <= 0 || f.days < 3)
		return;
	for (int it = 0; it < 50; it++) {
		double b0 = f.b;

		if (!trend_step(&f, t, c, n, k))
			return;
		/* complaints only on the last days make the MLE run away;
		 * more than x7.4 a day is not a trend worth extrapolating */
		if (fabs(f.b) > 2.0)
			return;
		if (fabs(f.b - b0) < 1e-9)
			break;
	}
	f.ok = true;
	*out = f;
}

double
an_trend_growth(const struct an_trend *fit)
{
	return fit->ok ? exp(fit->b) : 1.0;
}

/* fitted mean rate over the WINDOW days ending at day H */
static double
window_rate(const struct an_trend *fit, int h, int window)
{
	double s = 0;

	for (int j = 0; j < window; j++)
		s += exp(fit->a + fit->b * (h - j));
	return s / window;
}

int
an_forecast_days(const struct an_trend *fit, double current_rate,
    int window, double target, double z, int horizon)
{
	if (current_rate >= target)
		return 0;
	if (!fit->ok || !(fit->b > 0) || !(fit->se_b > 0) ||
	    fit->b / fit->se_b < z || window < 1)
		return -1;
	for (int h = 1; h <= horizon; h++)
		if (window_rate(fit, h, window) >= target)
			return h;
	return -1;
}

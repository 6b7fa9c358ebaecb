/*
 * an_rules_lib - see an_rules_lib.h
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/an_rules.h"
#include "analyze/an_noise.h"

#include "an_rules_lib.h"


void
sum_into(double *n, double *c, const struct series *x, int from, int to)
{
	*n = *c = NAN;
	for (int d = from < 0 ? 0 : from; d <= to; d++) {
		if (!isnan(x->n[d]))
			*n = (isnan(*n) ? 0 : *n) + x->n[d];
		*c = (isnan(*c) ? 0 : *c) + x->c[d];
	}
}

/* the daily series of X up to day D as an_facts_trends keeps it */
struct an_series *
series_at(const struct series *x, int d, const struct an_params *p)
{
	int len = MAX(p->trend_days, MAX(p->window_days, p->level_long_days));
	GDate end;
	struct an_series *v;

	g_date_clear(&end, 1);
	g_date_set_dmy(&end, DAY0_D, DAY0_M, DAY0_Y);
	g_date_add_days(&end, (guint)d);
	v = an_series_new(&end, len);
	for (int k = 0; k < len && d - k >= 0; k++) {
		if (isnan(x->n[d - k]))
			continue;
		v->n[k] = x->n[d - k];
		v->c[k] = x->c[d - k];
	}
	return v;
}

/* filter counts of X on day D, as repwatch.an_ip_window gives them */
void
filter_at(struct an_subject *s, const struct series *x, int d,
    const struct an_params *p)
{
	int f = p->filter_days, w = p->window_days, b = p->baseline_days;
	double sum = 0, days = 0;

	for (int i = d - w - b + 1; i <= d; i++) {
		int fr = i >= 0 && !isnan(x->n[i]) ? x->filter[i] : 0;

		if (fr < 1)
			continue;
		if (i > d - f) {
			s->f_days++;
			s->f_yellow += fr >= 2;
			s->f_red += fr == 3;
		} else {
			s->fh_days++;
			s->fh_yellow += fr >= 2;
			s->fh_red += fr == 3;
		}
		if (i <= d - w) {
			sum += fr;
			days++;
		}
		if (i > d - 2 && fr == 3)
			s->red_last2++;
	}
	s->filter_base = days > 0 ? sum / days : NAN;
}

/* the subject of series X on day D (0-based), as the SQL would give it */
struct an_subject *
subject_at(const struct series *x, int d, const struct an_params *p)
{
	struct an_subject *s = an_subject_new("192.0.2.10", false);
	int w = p->window_days, b = p->baseline_days;

	s->net = g_strdup("192.0.2.0/24");
	sum_into(&s->n_recent, &s->c_recent, x, d - w + 1, d);
	sum_into(&s->n_base, &s->c_base, x, d - w - b + 1, d - w);
	sum_into(&s->n_last, &s->c_last, x, d - p->spike_days + 1, d);
	sum_into(&s->n_long, &s->c_long, x, d - p->level_long_days + 1, d);
	filter_at(s, x, d, p);
	s->series = series_at(x, d, p);
	s->days_since_data = -1;
	s->data_days = 0;
	for (int i = d; i >= 0 && i > d - w - b; i--) {
		if (isnan(x->n[i]))
			continue;
		if (s->days_since_data < 0)
			s->days_since_data = d - i;
		s->data_days++;
		if (i > d - p->spike_days && x->filter[i] > s->filter_last)
			s->filter_last = x->filter[i];
	}
	return s;
}

int tests_override;

/* findings of series X on day D with one subject in the family */
GPtrArray *
findings_at(const struct series *x, int d, const struct an_params *p)
{
	GPtrArray *out = an_findings_new();
	GPtrArray *fam = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)an_subject_free);
	struct an_subject *s = subject_at(x, d, p);

	g_ptr_array_add(fam, s);
	an_rules_test_rising(s, p);
	an_rules_correct(fam);
	an_rules_count_tests(fam, p);
	if (tests_override > 0)
		s->tests = tests_override;
	an_rules_subject(out, s, p);
	g_ptr_array_free(fam, TRUE);
	return out;
}

const struct an_finding *
find_subject_rule(GPtrArray *f, const char *rule, const char *subject)
{
	for (guint i = 0; i < f->len; i++) {
		const struct an_finding *x = f->pdata[i];

		if (strcmp(x->rule, rule) == 0 && (subject == NULL ||
		    strcmp(x->subject, subject) == 0))
			return x;
	}
	return NULL;
}

const struct an_finding *
find_rule(GPtrArray *f, const char *rule)
{
	return find_subject_rule(f, rule, NULL);
}

/* need_rule F RULE : the finding of RULE in F, or the test fails. cmocka's
 * fail() does not return but is not declared noreturn: the abort() tells
 * the compiler, else -O2's -Wnull-dereference sees the NULL path. */
const struct an_finding *
need_rule(GPtrArray *f, const char *rule)
{
	const struct an_finding *x = find_rule(f, rule);

	if (x == NULL) {
		print_error("no \"%s\" finding\n", rule);
		fail();
		abort();
	}
	return x;
}

int
severity_of(GPtrArray *f, const char *rule)
{
	const struct an_finding *x = find_rule(f, rule);

	return x ? (int)x->severity : -1;
}

/* expect_severity F RULE NAME WANT : RULE's severity in F (-1: no such
 * finding) is WANT, or the case NAME fails; frees F */
void
expect_severity(GPtrArray *f, const char *rule, const char *name, int want)
{
	int got = severity_of(f, rule);

	if (got != want) {
		print_error("%s: got %d, want %d\n", name, got, want);
		fail();
	}
	g_ptr_array_free(f, TRUE);
}

void
flat(struct series *x, double n, double rate)
{
	for (int d = 0; d < DAYS; d++) {
		x->n[d] = n;
		/* spread complaints evenly: floor of the running total */
		x->c[d] = floor(n * rate * (d + 1)) - floor(n * rate * d);
		x->filter[d] = 1;
	}
}


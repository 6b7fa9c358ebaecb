/*
 * an_rules_lib - hand-made daily series for the rule tests (test_an_rules,
 * test_an_noise): window sums built the way repwatch.an_ip_window builds
 * them, so a series replays day by day without a database; and the
 * finding look-ups of those tests and test_an_mta.
 */
#ifndef AN_RULES_LIB_H
#define AN_RULES_LIB_H

#include <stdbool.h>
#include <glib.h>

#include "analyze/an_noise.h"
#include "analyze/an_rules.h"

#define DAYS 120
/* day 0 of every series: day 46 is 2026-08-12, the example */
#define DAY0_Y 2026
#define DAY0_M 6
#define DAY0_D 27

struct series {
	double n[DAYS]; /* NAN = no SNDS row */
	double c[DAYS];
	int filter[DAYS];
};

/* subjects tested that day, when not 1 (the population's size) */
extern int tests_override;

void sum_into(double *n, double *c, const struct series *x, int from,
    int to);
struct an_series *series_at(const struct series *x, int d,
    const struct an_params *p);
void filter_at(struct an_subject *s, const struct series *x, int d,
    const struct an_params *p);
struct an_subject *subject_at(const struct series *x, int d,
    const struct an_params *p);
/* findings of series X on day D with one subject in the family */
GPtrArray *findings_at(const struct series *x, int d,
    const struct an_params *p);
const struct an_finding *find_rule(GPtrArray *f, const char *rule);
/* find_subject_rule - RULE's finding on SUBJECT (NULL: any), or NULL */
const struct an_finding *find_subject_rule(GPtrArray *f, const char *rule,
    const char *subject);
/* need_rule - RULE's finding, which must be there */
const struct an_finding *need_rule(GPtrArray *f, const char *rule);
int severity_of(GPtrArray *f, const char *rule);
void expect_severity(GPtrArray *f, const char *rule, const char *name,
    int want);
/* flat - N recipients a day at RATE on every day */
void flat(struct series *x, double n, double rate);

#endif

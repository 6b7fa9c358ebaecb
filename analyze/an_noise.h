/*
 * an_noise - noise control of the alert rules (issue 12), used by an_rules:
 * a worse filter colour counts only when it persists or is confirmed, the
 * level rule judges low-volume subjects over a long window at a confidence
 * that grows with the subjects tested, and a finding whose evidence is one
 * past day decays; trap hits warn only above the IP's own usual.
 */
#ifndef AN_NOISE_H
#define AN_NOISE_H

#include <stdbool.h>
#include <glib.h>

#include "analyze/an_rules.h"

/* the window the level rule judges: the recent one, or for a low-volume
 * subject the long one, where a few hundred recipients a day add up to
 * enough evidence */
struct an_level_window {
	int days;
	double n, c, low, rated;
};

void an_noise_level_window(struct an_level_window *out,
    const struct an_subject *s, const struct an_params *p);
/* an_noise_level_conf - the level bound's confidence for S (Bonferroni
 * over the subjects tested that day) */
double an_noise_level_conf(const struct an_subject *s,
    const struct an_params *p);
/* an_noise_level_bound - the rate judged for C complaints on N recipients
 * (exact lower bound, 0 under level_min_complaints; NAN without volume) */
double an_noise_level_bound(double c, double n, const struct an_subject *s,
    const struct an_params *p);

/* an_noise_range_add_filter - add to the /24 R the days its IP S was
 * worse than its own usual colour */
void an_noise_range_add_filter(struct an_subject *r,
    const struct an_subject *s);

/*
 * an_filter_threshold - k, the fewest days worse than usual among N days
 * with a colour that count as persistent: the smallest k whose chance
 * under the subject's own flip history (XH worse of NH days, Beta prior
 * from P) is at most filter_false_rate; N + 1 when none is.
 */
int an_filter_threshold(double n, double xh, double nh,
    const struct an_params *p);

/* an_noise_filter - the filter finding of S, if any; confirmed by the
 * level or rising findings added to OUT from index FROM on */
void an_noise_filter(GPtrArray *out, const struct an_subject *s,
    const struct an_params *p, guint from);

/*
 * an_noise_spike_decay - F when its evidence (complaint series C on
 * recipients N, last DAYS days) is no one-day spike; info with the days in
 * the message while the spike decays; NULL (F freed) once the last
 * spike_days days are back at baseline.
 */
struct an_finding *an_noise_spike_decay(struct an_finding *f,
    const struct an_subject *s, const double *c, const double *n, int days,
    const struct an_params *p);

/*
 * an_noise_trap - the trap finding of IP S, if any: a warning when the
 * hits of the last spike_days days are significantly above the IP's usual
 * (exact one-sided Poisson test at trap_alpha of the hits against their
 * recipients x base rate, the base rate the IP's own over its baseline
 * days with trap data, at least trap_floor_rate) and at least
 * trap_min_hits; else info. Nothing without hits (NAN: no trap data).
 */
void an_noise_trap(GPtrArray *out, const struct an_subject *s,
    const struct an_params *p);

#endif

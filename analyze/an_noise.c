/*
 * an_noise - noise control of the alert rules (issue 12): filter colour as
 * evidence (persistence threshold from the subject's own Beta-binomial flip
 * history), the level rule's long window and population-wide confidence,
 * the decay of one-day spikes, and trap hits judged against the IP's own
 * trap rate. Pure, like an_rules.
 */
#include <math.h>
#include <string.h>

#include "analyze/an_noise.h"
#include "common/rw_json.h"

/* usual colour of an IP: its mean baseline rank, GREEN without history */
static int
usual_colour(const struct an_subject *s)
{
	return isnan(s->filter_base) ? 1 : (int)lround(s->filter_base);
}

/* days worse than usual: X of N recent days, XH of NH earlier days */
static void
worse_days(const struct an_subject *s, double *x, double *n, double *xh,
    double *nh)
{
	int usual = s->is_range ? 1 : usual_colour(s);

	*n = s->f_days;
	*nh = s->fh_days;
	*x = usual <= 1 ? s->f_yellow : usual == 2 ? s->f_red : 0;
	*xh = usual <= 1 ? s->fh_yellow : usual == 2 ? s->fh_red : 0;
}

/* a /24 counts its IPs' days worse than each IP's own usual colour */
void
an_noise_range_add_filter(struct an_subject *r, const struct an_subject *s)
{
	double x, n, xh, nh;

	worse_days(s, &x, &n, &xh, &nh);
	r->f_days += n;
	r->f_yellow += x;
	r->fh_days += nh;
	r->fh_yellow += xh;
}

/* low-volume subjects are judged over the long window (issue 12) */
void
an_noise_level_window(struct an_level_window *out, const struct an_subject *s,
    const struct an_params *p)
{
	bool lng = p->level_long_days > p->window_days &&
	    !(s->n_recent >= p->level_long_below) && s->n_long > 0;

	if (lng)
		*out = (struct an_level_window){p->level_long_days, s->n_long,
		    s->c_long, s->snds_low_long, s->snds_rated_long};
	else
		*out = (struct an_level_window){p->window_days, s->n_recent,
		    s->c_recent, s->snds_low, s->snds_rated};
	if (isnan(out->c))
		out->c = 0;
}

/*
 * The confidence of the level rule's bound grows with the subjects tested
 * that day (Bonferroni): with level_confidence 0.95 and m subjects, each is
 * judged at 1 - 0.05/m, so a day raises at most 0.05 false level alerts in
 * expectation over the whole population.
 */
double
an_noise_level_conf(const struct an_subject *s, const struct an_params *p)
{
	return 1.0 - (1.0 - p->level_confidence) / MAX(s->tests, 1);
}

/* the rate judged for C complaints on N recipients: the exact lower bound
 * (0 under level_min_complaints), or the observed rate at confidence 0 */
double
an_noise_level_bound(double c, double n, const struct an_subject *s,
    const struct an_params *p)
{
	if (!(n > 0))
		return NAN;
	if (!(p->level_confidence > 0))
		return c / n;
	if (c < p->level_min_complaints)
		return 0;
	/* the bound is below the observed rate: no need to compute it (an
	 * inverse chi-square) for the many subjects already below */
	if (c / n < fmin(p->warning_rate, p->critical_rate))
		return 0;
	return an_poisson_lower(c, an_noise_level_conf(s, p)) / n;
}

/* the baseline rate a spike is measured against */
static double
spike_base(const struct an_subject *s, const struct an_params *p)
{
	double c0 = isnan(s->c_base) ? 0 : s->c_base;

	if (isfinite(s->base_rate))
		return s->base_rate;
	if (s->n_base > 0)
		return fmax(c0 / s->n_base, p->baseline_floor_rate);
	return p->baseline_floor_rate;
}

struct spike {
	int peak;  /* first day of the burst, days before the analyzed day */
	int back;  /* the last BACK + 1 days are at baseline */
};

/* the day is at baseline: its excess is a small share of the peak's (the
 * late reports of the spike), or its count is not significantly above
 * min_ratio times baseline (exact test at alpha: a day of 3 complaints
 * where 1 is expected is noise, not a rise) */
static bool
at_base(double c, double n, double e_peak, double b,
    const struct an_params *p)
{
	return c - n * b <= p->spike_tail * e_peak ||
	    an_poisson_sf(c, p->min_ratio * b * n) > p->spike_alpha;
}

/* days 0..K (the tail, excess E_TAIL) are back at baseline after the
 * burst (excess E_BURST, the days from the peak to day K + 1): the tail
 * is a small share of the burst (its late reports), or day K's count is
 * not significantly above min_ratio times baseline. Pooling the tail
 * keeps one noisy day of late reports (15 % of a spike on its third day,
 * against 0.35 x the peak day's 50 %) from holding a spike's alert. */
static bool
tail_at_base(double c, double n, double e_tail, double e_burst, double b,
    const struct an_params *p)
{
	return e_tail <= p->spike_tail * e_burst ||
	    an_poisson_sf(c, p->min_ratio * b * n) > p->spike_alpha;
}

/*
 * spike_of - the evidence of the last DAYS days is one past day: a peak
 * day before the analyzed one (with the day before it when that one is
 * as high: reports of one send arrive over several days, so noise may put
 * the peak a day late), no later day above it, the days before the burst
 * not significantly above min_ratio times baseline (exact test at alpha:
 * the baseline is an estimate), and the last
 * days back at baseline (their pooled excess against the burst's). C is
 * the complaint series (JMRP counts or SNDS band floors), N its
 * recipients.
 */
static bool
spike_of(struct spike *out, const struct an_subject *s, const double *c,
    const double *n, int days, const struct an_params *p)
{
	const struct an_series *x = s->series;
	int len, peak = -1;
	double b = spike_base(s, p), e_peak = 0, sc = 0, sn = 0;
	double e_burst, e_tail = 0;

	if (x == NULL)
		return false;
	len = MIN(days, x->len);
	for (int k = 0; k < len; k++) {
		double e = c[k] - n[k] * b;

		if (n[k] > 0 && !isnan(c[k]) && (peak < 0 || e > e_peak)) {
			peak = k;
			e_peak = e;
		}
	}
	if (peak <= 0 || !(e_peak > 0))
		return false;
	out->peak = peak;
	if (peak + 1 < len && n[peak + 1] > 0 && !isnan(c[peak + 1]) &&
	    !at_base(c[peak + 1], n[peak + 1], e_peak, b, p))
		out->peak = peak + 1;
	for (int k = out->peak + 1; k < len; k++)
		if (n[k] > 0 && !isnan(c[k])) {
			sc += c[k];
			sn += n[k];
		}
	if (sn > 0 && an_poisson_sf(sc, p->min_ratio * b * sn) <=
	    p->spike_alpha)
		return false; /* a rise that began before the peak */
	out->back = -1;
	sc = sn = 0;
	e_burst = 0; /* excess of the days from the peak on: burst + tail */
	for (int k = 0; k <= peak; k++)
		if (n[k] > 0 && !isnan(c[k]))
			e_burst += c[k] - n[k] * b;
	for (int k = 0; k < peak; k++) {
		if (!(n[k] > 0) || isnan(c[k]))
			continue;
		/* the tail from day K on against the burst before it: late
		 * reports thin out over days, so one noisy day of them must
		 * not read as a new rise */
		e_tail += c[k] - n[k] * b;
		if (!tail_at_base(c[k], n[k], e_tail, e_burst - e_tail, b, p))
			break;
		out->back = k;
		sc += c[k];
		sn += n[k];
	}
	/* and the days back at baseline are significantly below the peak
	 * day's rate: a few complaints on little volume cannot tell a spike
	 * from a ramp, and a ramp must keep its alert */
	return out->back >= 0 &&
	    1.0 - an_poisson_sf(sc + 1, sn * c[peak] / n[peak]) <=
	    p->spike_alpha;
}

static void
day_string(char *buf, size_t len, const GDate *end, int back)
{
	GDate d = *end;

	g_date_subtract_days(&d, (guint)back);
	g_date_strftime(buf, len, "%Y-%m-%d", &d);
}

/*
 * an_noise_spike_decay - a finding whose evidence is one past day: NULL (resolved)
 * once the last spike_days days are back at baseline, info before that,
 * with the days in the message. F unchanged when it is no spike.
 */
struct an_finding *
an_noise_spike_decay(struct an_finding *f, const struct an_subject *s,
    const double *c, const double *n, int days, const struct an_params *p)
{
	struct spike sp;
	char peak[16], back[16];

	if (!spike_of(&sp, s, c, n, days, p))
		return f;
	if (sp.back + 1 >= p->spike_days) {
		an_finding_free(f);
		return NULL;
	}
	day_string(peak, sizeof(peak), &s->series->end, sp.peak);
	day_string(back, sizeof(back), &s->series->end, sp.back);
	f->severity = AN_INFO;
	g_free(f->message);
	f->message = g_strdup_printf("spike on %s, back to baseline since %s",
	    peak, back);
	json_object_set_string_member(f->extra, "spike_day", peak);
	json_object_set_string_member(f->extra, "baseline_since", back);
	return f;
}

int
an_filter_threshold(double n, double xh, double nh,
    const struct an_params *p)
{
	double a = p->filter_prior_flips + (xh > 0 ? xh : 0);
	double b = p->filter_prior_steady + (nh > xh ? nh - xh : 0);

	double tail = 0;
	int k = (int)n + 1;

	/* the upper tail, summed from the top: the smallest k whose
	 * P(X >= k) stays within the false rate */
	for (int x = (int)n; x >= 1; x--) {
		tail += an_betabinom_pmf(x, n, a, b);
		if (tail > p->filter_false_rate)
			break;
		k = x;
	}
	return k;
}

/* complaint evidence on the same subject the same day (level or rising
 * at warning or above) */
static bool
confirmed_by(GPtrArray *out, guint from)
{
	for (guint i = from; i < out->len; i++) {
		const struct an_finding *f = out->pdata[i];

		if (f->severity >= AN_WARNING && (strstr(f->rule, "level") ||
		    strstr(f->rule, "rising")))
			return true;
	}
	return false;
}

/*
 * an_noise_filter - a worse colour than usual is evidence, not an alarm: on
 * its own it is info; persistent (worse on k of the last filter_days days,
 * k from the subject's own flip history) it is a warning; RED on the last
 * two days, or confirmed by complaints, critical.
 */
void
an_noise_filter(GPtrArray *out, const struct an_subject *s,
    const struct an_params *p, guint from)
{
	static const char *const names[] = {"?", "GREEN", "YELLOW", "RED"};
	bool confirmed = confirmed_by(out, from);
	int base = s->is_range ? 1 : usual_colour(s);
	double x, n, xh, nh;
	int k, sev;
	bool worse_now = !s->is_range && s->filter_last > base &&
	    s->filter_last <= 3;
	bool red2 = !s->is_range && base < 3 && s->red_last2 >= 2;
	struct an_finding *f;

	worse_days(s, &x, &n, &xh, &nh);
	/* most subjects: nothing worse, no test */
	if (!(x > 0) && !worse_now && !red2)
		return;
	if (s->is_range) {
		/* a /24 alert falls on each of its IPs: keep the false rate
		 * per IP-day (Bonferroni over the IPs) */
		struct an_params q = *p;

		q.filter_false_rate = p->filter_false_rate / MAX(s->ips, 1);
		k = an_filter_threshold(n, xh, nh, &q);
	} else
		k = an_filter_threshold(n, xh, nh, p);
	if (red2 || ((worse_now || x >= k) && x > 0 && confirmed))
		sev = AN_CRITICAL;
	else if (x >= k && x > 0)
		sev = AN_WARNING;
	else if (worse_now)
		sev = AN_INFO;
	else
		return;
	f = an_finding_new(an_subject_kind(s), s->key,
	    s->is_range ? "range-filter" : "filter", sev);
	an_finding_fill_numbers(f, s);
	if (s->is_range)
		f->message = g_strdup_printf("SNDS filter worse than usual on "
		    "%.0f of %.0f IP-days (%d expected at most)%s", x, n, k - 1,
		    confirmed ? ", with complaints" : "");
	else
		f->message = g_strdup_printf("SNDS filter %s, usually %s; "
		    "worse on %.0f of %.0f days (persistent from %d)%s",
		    names[worse_now ? s->filter_last : MIN(base + 1, 3)],
		    names[MAX(MIN(base, 3), 0)], x, n, k, red2 ? "; RED two "
		    "days running" : confirmed ? ", with complaints" : "");
	if (!s->is_range) {
		json_object_set_string_member(f->extra, "filter",
		    names[s->filter_last >= 0 && s->filter_last <= 3 ?
		    s->filter_last : 0]);
		json_object_set_string_member(f->extra, "filter_baseline",
		    names[MAX(MIN(base, 3), 0)]);
	}
	json_object_set_double_member(f->extra, "worse_days", x);
	json_object_set_double_member(f->extra, "colour_days", n);
	json_object_set_int_member(f->extra, "persistent_from", k);
	json_object_set_double_member(f->extra, "flip_rate", (xh +
	    p->filter_prior_flips) / (nh + p->filter_prior_flips +
	    p->filter_prior_steady));
	json_object_set_boolean_member(f->extra, "confirmed", confirmed);
	g_ptr_array_add(out, f);
}

/*
 * an_noise_trap - SNDS counts trap hits sporadically even on clean IPs (a
 * hit on one day in four is usual), so a hit is evidence, not an alarm:
 * the hits of the last spike_days days are tested against what the IP's
 * own trap rate predicts for their recipients. Without known recipients
 * nothing is expected, and the hits alone (trap_min_hits) decide.
 */
void
an_noise_trap(GPtrArray *out, const struct an_subject *s,
    const struct an_params *p)
{
	double hits = s->traps_last, n, own = NAN, base, mu, pv;
	bool warn;
	struct an_finding *f;

	if (s->is_range || !(hits > 0))
		return;
	n = s->trap_n_last > 0 ? s->trap_n_last : 0;
	if (s->trap_n_base > 0 && s->trap_hits_base >= 0)
		own = s->trap_hits_base / s->trap_n_base;
	base = isnan(own) ? p->trap.floor_rate : fmax(own, p->trap.floor_rate);
	mu = n * base;
	pv = an_poisson_sf(hits, mu);
	warn = hits >= p->trap.min_hits && pv < p->trap.alpha;
	f = an_finding_new("ip", s->key, "trap", warn ? AN_WARNING : AN_INFO);
	an_finding_fill_numbers(f, s);
	if (warn)
		f->message = g_strdup_printf("%.0f SNDS trap hit%s in the last "
		    "%d days, above this IP's usual (%.2g expected, p = %.2g)",
		    hits, hits == 1 ? "" : "s", p->spike_days, mu, pv);
	else if (pv < p->trap.alpha)
		f->message = g_strdup_printf("%.0f SNDS trap hit%s in the last "
		    "%d days, too few for a warning (%.0f needed; %.2g "
		    "expected)", hits, hits == 1 ? "" : "s", p->spike_days,
		    p->trap.min_hits, mu);
	else
		f->message = g_strdup_printf("%.0f SNDS trap hit%s in the last "
		    "%d days, within this IP's usual (%.2g expected)", hits,
		    hits == 1 ? "" : "s", p->spike_days, mu);
	json_object_set_double_member(f->extra, "trap_hits", hits);
	json_object_set_double_member(f->extra, "trap_recipients", n);
	rw_json_set_number(f->extra, "trap_own_rate", own);
	json_object_set_double_member(f->extra, "trap_base_rate", base);
	json_object_set_double_member(f->extra, "trap_expected", mu);
	json_object_set_double_member(f->extra, "trap_p", pv);
	g_ptr_array_add(out, f);
}

/*
 * an_rules - alert rules on per-subject window aggregates.
 *
 * Rates are complaints / recipients pooled over a window, never averages of
 * daily rates: a 300-recipient day must weigh less than a 30,000 one.
 */
#include <math.h>
#include <string.h>

#include "analyze/an_rules.h"

static const char *const severity_names[] = {"info", "warning", "critical"};

const char *
an_severity_name(enum an_severity s)
{
	return s >= AN_INFO && s <= AN_CRITICAL ? severity_names[s] : "info";
}

int
an_severity_parse(const char *s)
{
	for (int i = AN_INFO; i <= AN_CRITICAL; i++)
		if (s != NULL && strcmp(s, severity_names[i]) == 0)
			return i;
	return -1;
}

void
an_params_default(struct an_params *out)
{
	*out = (struct an_params){
		.warning_rate = 0.001, .critical_rate = 0.003,
		.min_recipients = 1000, .level_confidence = 0.95,
		.window_days = 7, .baseline_days = 28, .spike_days = 2,
		.alpha = 0.02, .min_ratio = 1.5, .min_complaints = 5,
		.baseline_floor_rate = 0.0002, .range_min_ips = 2,
		.trend_days = 14, .trend_z = 1.645, .forecast_days = 30,
		.stale_fetch_days = 2, .link_warn_days = 5,
		.link_valid_days = 30, .missing_ip_days = 3,
		.unmatched_share = 0.2,
		.filter_days = 7, .filter_false_rate = 0.001,
		.filter_prior_flips = 1, .filter_prior_steady = 1,
		.level_min_complaints = 5, .level_long_days = 28,
		.level_long_below = 7000, .spike_tail = 0.35,
		.spike_alpha = 0.01,
	};
}

static double
dbl(const struct rw_config *cfg, const char *key)
{
	return rw_config_double(cfg, "analyze", key);
}

static int
num(const struct rw_config *cfg, const char *key)
{
	return (int)rw_config_int(cfg, "analyze", key);
}

void
an_params_load(struct an_params *out, const struct rw_config *cfg)
{
	an_params_default(out);
	out->warning_rate = dbl(cfg, "warning_rate");
	out->critical_rate = dbl(cfg, "critical_rate");
	out->min_recipients = (double)rw_config_int(cfg, "analyze",
	    "min_recipients");
	out->level_confidence = dbl(cfg, "level_confidence");
	out->window_days = num(cfg, "window_days");
	out->baseline_days = num(cfg, "baseline_days");
	out->spike_days = num(cfg, "spike_days");
	out->alpha = dbl(cfg, "alpha");
	out->min_ratio = dbl(cfg, "min_ratio");
	out->min_complaints = num(cfg, "min_complaints");
	out->baseline_floor_rate = dbl(cfg, "baseline_floor_rate");
	out->range_min_ips = num(cfg, "range_min_ips");
	out->trend_days = num(cfg, "trend_days");
	out->trend_z = dbl(cfg, "trend_z");
	out->forecast_days = num(cfg, "forecast_days");
	out->stale_fetch_days = num(cfg, "stale_fetch_days");
	out->link_warn_days = num(cfg, "link_warn_days");
	out->link_valid_days = num(cfg, "link_valid_days");
	out->missing_ip_days = num(cfg, "missing_ip_days");
	out->unmatched_share = dbl(cfg, "unmatched_share");
	out->filter_days = num(cfg, "filter_days");
	out->filter_false_rate = dbl(cfg, "filter_false_rate");
	out->filter_prior_flips = dbl(cfg, "filter_prior_flips");
	out->filter_prior_steady = dbl(cfg, "filter_prior_steady");
	out->level_min_complaints = num(cfg, "level_min_complaints");
	out->level_long_days = num(cfg, "level_long_days");
	out->level_long_below = (double)rw_config_int(cfg, "analyze",
	    "level_long_below");
	out->spike_tail = dbl(cfg, "spike_tail");
	out->spike_alpha = dbl(cfg, "spike_alpha");
}

struct an_series *
an_series_new(const GDate *end, int len)
{
	struct an_series *x = g_new0(struct an_series, 1);

	x->end = *end;
	x->len = len;
	x->n = g_new(double, (gsize)len);
	x->c = g_new(double, (gsize)len);
	x->low = g_new(double, (gsize)len);
	x->rated = g_new(double, (gsize)len);
	for (int i = 0; i < len; i++)
		x->n[i] = x->c[i] = x->low[i] = x->rated[i] = NAN;
	return x;
}

void
an_series_free(struct an_series *x)
{
	if (x == NULL)
		return;
	g_free(x->n);
	g_free(x->c);
	g_free(x->low);
	g_free(x->rated);
	g_free(x);
}

struct an_subject *
an_subject_new(const char *key, bool is_range)
{
	struct an_subject *s = g_new0(struct an_subject, 1);

	s->key = g_strdup(key);
	s->is_range = is_range;
	s->filter_base = NAN;
	s->traps_last = NAN;
	s->n_match_span = NAN;
	s->n_long = s->c_long = s->snds_low_long = s->snds_rated_long = NAN;
	s->tests = 1;
	s->days_since_data = -1;
	s->base_rate = NAN;
	s->ratio = NAN;
	s->p_value = 1.0;
	s->q_value = 1.0;
	return s;
}

void
an_subject_free(struct an_subject *s)
{
	if (s == NULL)
		return;
	g_free(s->key);
	g_free(s->net);
	an_series_free(s->series);
	an_subject_free(s->rest);
	g_free(s);
}

/* NAN-tolerant sum: unknown + x = x, unknown + unknown = unknown */
static void
add(double *sum, double v)
{
	if (isnan(v))
		return;
	*sum = isnan(*sum) ? v : *sum + v;
}

static struct an_subject *
range_new(const char *net)
{
	struct an_subject *r = an_subject_new(net, true);

	r->n_recent = r->c_recent = r->n_base = r->c_base = NAN;
	r->n_last = r->c_last = r->n_day = r->c_day = NAN;
	r->snds_low = r->snds_rated = NAN;
	r->n_long = r->c_long = r->snds_low_long = r->snds_rated_long = NAN;
	r->days_recent = r->days_base = r->data_days = 0;
	return r;
}

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
static void
range_add_filter(struct an_subject *r, const struct an_subject *s)
{
	double x, n, xh, nh;

	worse_days(s, &x, &n, &xh, &nh);
	r->f_days += n;
	r->f_yellow += x;
	r->fh_days += nh;
	r->fh_yellow += xh;
}

static void
range_add(struct an_subject *r, const struct an_subject *s)
{
	add(&r->n_recent, s->n_recent);
	add(&r->c_recent, s->c_recent);
	add(&r->n_base, s->n_base);
	add(&r->c_base, s->c_base);
	add(&r->n_last, s->n_last);
	add(&r->c_last, s->c_last);
	add(&r->n_day, s->n_day);
	add(&r->c_day, s->c_day);
	add(&r->snds_low, s->snds_low);
	add(&r->snds_rated, s->snds_rated);
	add(&r->n_long, s->n_long);
	add(&r->c_long, s->c_long);
	add(&r->snds_low_long, s->snds_low_long);
	add(&r->snds_rated_long, s->snds_rated_long);
	range_add_filter(r, s);
	if (r->top == NULL || s->c_recent > r->top->c_recent)
		r->top = s;
	if (s->data_days > 0)
		r->ips++;
}

/* NAN-tolerant difference: what is left of SUM without V */
static void
sub(double *sum, double v)
{
	if (!isnan(v) && !isnan(*sum))
		*sum -= v;
}

/* the range without its top IP */
static struct an_subject *
range_rest(const struct an_subject *r)
{
	struct an_subject *x = range_new(r->key);
	const struct an_subject *t = r->top;

	x->n_recent = r->n_recent;
	x->c_recent = r->c_recent;
	x->n_base = r->n_base;
	x->c_base = r->c_base;
	x->n_last = r->n_last;
	x->c_last = r->c_last;
	x->n_long = r->n_long;
	x->c_long = r->c_long;
	x->snds_low = r->snds_low;
	x->snds_rated = r->snds_rated;
	x->snds_low_long = r->snds_low_long;
	x->snds_rated_long = r->snds_rated_long;
	x->ips = r->ips - 1;
	if (t == NULL)
		return x;
	sub(&x->n_recent, t->n_recent);
	sub(&x->c_recent, t->c_recent);
	sub(&x->n_base, t->n_base);
	sub(&x->c_base, t->c_base);
	sub(&x->n_last, t->n_last);
	sub(&x->c_last, t->c_last);
	sub(&x->n_long, t->n_long);
	sub(&x->c_long, t->c_long);
	sub(&x->snds_low, t->snds_low);
	sub(&x->snds_rated, t->snds_rated);
	sub(&x->snds_low_long, t->snds_low_long);
	sub(&x->snds_rated_long, t->snds_rated_long);
	return x;
}

GPtrArray *
an_subjects_ranges(GPtrArray *ips, const struct an_params *p)
{
	GHashTable *by_net = g_hash_table_new(g_str_hash, g_str_equal);
	GPtrArray *out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)an_subject_free);
	GHashTableIter it;
	gpointer v;

	for (guint i = 0; i < ips->len; i++) {
		const struct an_subject *s = ips->pdata[i];
		struct an_subject *r;

		if (s->net == NULL)
			continue;
		r = g_hash_table_lookup(by_net, s->net);
		if (r == NULL) {
			r = range_new(s->net);
			g_hash_table_insert(by_net, r->key, r);
		}
		range_add(r, s);
	}
	g_hash_table_iter_init(&it, by_net);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct an_subject *r = v;

		if (r->ips >= p->range_min_ips) {
			r->rest = range_rest(r);
			r->top = NULL; /* the IPs may go before the range */
			g_ptr_array_add(out, r);
		} else
			an_subject_free(r);
	}
	g_hash_table_destroy(by_net);
	return out;
}

struct an_finding *
an_finding_new(const char *kind, const char *subject, const char *rule,
    enum an_severity severity)
{
	struct an_finding *f = g_new0(struct an_finding, 1);

	f->subject_kind = kind;
	f->subject = g_strdup(subject);
	f->rule = rule;
	f->severity = severity;
	f->rate_7d = f->recipients_7d = f->complaints_7d = NAN;
	f->baseline_rate = f->ratio = f->p_value = f->q_value = NAN;
	f->forecast_days = -1;
	f->extra = json_object_new();
	return f;
}

void
an_finding_free(struct an_finding *f)
{
	if (f == NULL)
		return;
	g_free(f->subject);
	g_free(f->source);
	g_free(f->message);
	if (f->extra != NULL)
		json_object_unref(f->extra);
	g_free(f);
}

GPtrArray *
an_findings_new(void)
{
	return g_ptr_array_new_with_free_func(
	    (GDestroyNotify)an_finding_free);
}

/* rate over a window, NAN without volume */
static double
rate_of(double c, double n)
{
	return n > 0 ? (isnan(c) ? 0.0 : c) / n : NAN;
}

/* the rise holds in the last spike_days days too, so one bad day that
 * has left them no longer counts */
static bool
rise_persists(const struct an_subject *s, const struct an_params *p)
{
	double last = rate_of(s->c_last, s->n_last);

	return last >= p->min_ratio * s->base_rate;
}

void
an_rules_test_rising(struct an_subject *s, const struct an_params *p)
{
	double c1 = isnan(s->c_recent) ? 0 : s->c_recent;
	double c0 = isnan(s->c_base) ? 0 : s->c_base;
	double p_cmp, p_floor;

	s->candidate = false;
	s->p_value = 1.0;
	if (!(s->n_recent >= p->min_recipients) ||
	    !(s->n_base >= p->min_recipients))
		return;
	s->base_rate = fmax(c0 / s->n_base, p->baseline_floor_rate);
	s->ratio = rate_of(c1, s->n_recent) / s->base_rate;
	if (c1 < p->min_complaints || !(s->ratio >= p->min_ratio) ||
	    !rise_persists(s, p))
		return;
	/* intersection-union: above its own baseline (exact conditional
	 * test, baseline noise included) and above the floor rate */
	p_cmp = an_rate_ratio_p(c1, s->n_recent, c0, s->n_base);
	p_floor = an_poisson_sf(c1, s->n_recent * p->baseline_floor_rate);
	s->p_value = fmax(p_cmp, p_floor);
	s->candidate = true;
	/* a /24 rises only when it does without its worst IP too (that IP
	 * has its own alert) */
	if (s->rest != NULL) {
		an_rules_test_rising(s->rest, p);
		s->candidate = s->rest->candidate;
		s->p_value = s->candidate ? fmax(s->p_value, s->rest->p_value) :
		    1.0;
	}
}

/* the window the level rule judges: the recent one, or for a low-volume
 * subject the long one, where a few hundred recipients a day add up to
 * enough evidence */
struct level_window {
	int days;
	double n, c, low, rated;
};

static void
level_window(struct level_window *out, const struct an_subject *s,
    const struct an_params *p)
{
	bool lng = p->level_long_days > p->window_days &&
	    !(s->n_recent >= p->level_long_below) && s->n_long > 0;

	if (lng)
		*out = (struct level_window){p->level_long_days, s->n_long,
		    s->c_long, s->snds_low_long, s->snds_rated_long};
	else
		*out = (struct level_window){p->window_days, s->n_recent,
		    s->c_recent, s->snds_low, s->snds_rated};
	if (isnan(out->c))
		out->c = 0;
}

static bool
level_tested(const struct an_subject *s, const struct an_params *p)
{
	struct level_window w;

	level_window(&w, s, p);
	return w.n >= p->min_recipients;
}

void
an_rules_correct(GPtrArray *subjects)
{
	guint m = subjects->len;
	double *pv = g_new(double, m ? m : 1);

	for (guint i = 0; i < m; i++)
		pv[i] = ((struct an_subject *)subjects->pdata[i])->p_value;
	an_bh_adjust(pv, pv, m);
	for (guint i = 0; i < m; i++)
		((struct an_subject *)subjects->pdata[i])->q_value = pv[i];
	g_free(pv);
}

void
an_rules_count_tests(GPtrArray *subjects, const struct an_params *p)
{
	int m = 0;

	for (guint i = 0; i < subjects->len; i++)
		m += level_tested(subjects->pdata[i], p);
	for (guint i = 0; i < subjects->len; i++)
		((struct an_subject *)subjects->pdata[i])->tests = MAX(m, 1);
}

/* level of a rate: -1 none, else the severity */
static int
level_of(double rate, const struct an_params *p)
{
	if (rate >= p->critical_rate)
		return AN_CRITICAL;
	if (rate >= p->warning_rate)
		return AN_WARNING;
	return -1;
}

/*
 * The confidence of the level rule's bound grows with the subjects tested
 * that day (Bonferroni): with level_confidence 0.95 and m subjects, each is
 * judged at 1 - 0.05/m, so a day raises at most 0.05 false level alerts in
 * expectation over the whole population.
 */
static double
level_conf(const struct an_subject *s, const struct an_params *p)
{
	return 1.0 - (1.0 - p->level_confidence) / MAX(s->tests, 1);
}

/* the rate judged for C complaints on N recipients: the exact lower bound
 * (0 under level_min_complaints), or the observed rate at confidence 0 */
static double
level_bound(double c, double n, const struct an_subject *s,
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
	return an_poisson_lower(c, level_conf(s, p)) / n;
}

/* the JMRP rate the level rule judges; a /24 the lesser of its own and
 * that without its worst IP */
static double
level_evidence(const struct an_subject *s, const struct an_params *p)
{
	struct level_window w, wr;
	double ev;

	level_window(&w, s, p);
	ev = level_bound(w.c, w.n, s, p);
	if (s->rest == NULL)
		return ev;
	level_window(&wr, s->rest, p);
	return fmin(ev, wr.n >= p->min_recipients ?
	    level_bound(wr.c, wr.n, s, p) : 0);
}

/* the second witness, only where JMRP counts nothing (not set up, or its
 * reports lost) but SNDS bands imply complaints; judged like JMRP counts */
static double
snds_floor_rate(const struct an_subject *s, const struct an_params *p)
{
	struct level_window w;

	double ev;

	level_window(&w, s, p);
	if (!(w.rated >= p->min_recipients) || w.c > 0 || !(w.low > 0))
		return NAN;
	ev = level_bound(ceil(w.low), w.rated, s, p);
	if (s->rest != NULL) {
		struct level_window wr;

		level_window(&wr, s->rest, p);
		ev = fmin(ev, wr.rated >= p->min_recipients && wr.low > 0 ?
		    level_bound(ceil(wr.low), wr.rated, s, p) : 0);
	}
	return ev;
}

bool
an_rules_needs_trend(const struct an_subject *s, const struct an_params *p)
{
	if (s->candidate && s->q_value <= p->alpha)
		return true;
	return level_tested(s, p) &&
	    (level_of(level_evidence(s, p), p) >= 0 ||
	    level_of(snds_floor_rate(s, p), p) >= 0);
}

static void
fill_numbers(struct an_finding *f, const struct an_subject *s)
{
	f->recipients_7d = s->n_recent;
	f->complaints_7d = isnan(s->c_recent) ? 0 : s->c_recent;
	f->rate_7d = rate_of(s->c_recent, s->n_recent);
	f->baseline_rate = s->base_rate;
	f->ratio = s->ratio;
	if (s->candidate) {
		f->p_value = s->p_value;
		f->q_value = s->q_value;
	}
	if (s->is_range)
		json_object_set_int_member(f->extra, "ips", s->ips);
}

static const char *
kind_of(const struct an_subject *s)
{
	return s->is_range ? "cidr" : "ip";
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
 * spike_decay - a finding whose evidence is one past day: NULL (resolved)
 * once the last spike_days days are back at baseline, info before that,
 * with the days in the message. F unchanged when it is no spike.
 */
static struct an_finding *
spike_decay(struct an_finding *f, const struct an_subject *s,
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

static void
rule_level(GPtrArray *out, const struct an_subject *s,
    const struct an_params *p)
{
	struct level_window w;
	double ev, snds;
	int sev, sev_snds;
	struct an_finding *f;
	const struct an_series *x = s->series;

	level_window(&w, s, p);
	if (!(w.n >= p->min_recipients))
		return;
	ev = level_evidence(s, p);
	snds = snds_floor_rate(s, p);
	sev = level_of(ev, p);
	sev_snds = level_of(snds, p);
	if (sev < 0 && sev_snds < 0)
		return;
	f = an_finding_new(kind_of(s), s->key,
	    s->is_range ? "range-level" : "level", MAX(sev, sev_snds));
	fill_numbers(f, s);
	json_object_set_double_member(f->extra, "rate_lower_bound", ev);
	json_object_set_string_member(f->extra, "witness",
	    sev >= sev_snds ? "jmrp" : "snds");
	json_object_set_int_member(f->extra, "window_days", w.days);
	json_object_set_double_member(f->extra, "recipients_window", w.n);
	json_object_set_double_member(f->extra, "complaints_window", w.c);
	json_object_set_double_member(f->extra, "confidence",
	    p->level_confidence > 0 ? level_conf(s, p) : 0);
	json_object_set_int_member(f->extra, "subjects_tested", s->tests);
	if (!isnan(snds))
		json_object_set_double_member(f->extra, "snds_rate_low", snds);
	if (x != NULL)
		f = sev >= sev_snds ? spike_decay(f, s, x->c, x->n, w.days, p) :
		    spike_decay(f, s, x->low, x->rated, w.days, p);
	if (f != NULL)
		g_ptr_array_add(out, f);
}

static void
rule_rising(GPtrArray *out, const struct an_subject *s,
    const struct an_params *p)
{
	struct an_finding *f;

	if (!s->candidate || !(s->q_value <= p->alpha))
		return;
	f = an_finding_new(kind_of(s), s->key,
	    s->is_range ? "range-rising" : "rising", AN_WARNING);
	fill_numbers(f, s);
	json_object_set_double_member(f->extra, "rate_last_days",
	    rate_of(s->c_last, s->n_last));
	if (s->series != NULL)
		f = spike_decay(f, s, s->series->c, s->series->n,
		    p->window_days, p);
	if (f != NULL)
		g_ptr_array_add(out, f);
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
 * rule_filter - a worse colour than usual is evidence, not an alarm: on
 * its own it is info; persistent (worse on k of the last filter_days days,
 * k from the subject's own flip history) it is a warning; RED on the last
 * two days, or confirmed by complaints, critical.
 */
static void
rule_filter(GPtrArray *out, const struct an_subject *s,
    const struct an_params *p, bool confirmed)
{
	static const char *const names[] = {"?", "GREEN", "YELLOW", "RED"};
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
	f = an_finding_new(kind_of(s), s->key,
	    s->is_range ? "range-filter" : "filter", sev);
	fill_numbers(f, s);
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

static void
rule_trap(GPtrArray *out, const struct an_subject *s,
    const struct an_params *p)
{
	struct an_finding *f;

	if (s->is_range || !(s->traps_last > 0))
		return;
	f = an_finding_new("ip", s->key, "trap", AN_WARNING);
	fill_numbers(f, s);
	f->message = g_strdup_printf("%.0f SNDS trap hits in the last %d days",
	    s->traps_last, p->spike_days);
	json_object_set_double_member(f->extra, "trap_hits", s->traps_last);
	g_ptr_array_add(out, f);
}

void
an_rules_subject(GPtrArray *out, const struct an_subject *s,
    const struct an_params *p)
{
	guint from = out->len;

	rule_level(out, s, p);
	rule_rising(out, s, p);
	rule_filter(out, s, p, confirmed_by(out, from));
	rule_trap(out, s, p);
}

void
an_rules_ip_missing(GPtrArray *out, const struct an_subject *s,
    const struct an_params *p)
{
	int span = p->window_days + p->baseline_days - s->days_since_data;
	struct an_finding *f;

	/* only regular senders: an intermittent one is often absent */
	if (s->is_range || s->days_since_data < p->missing_ip_days ||
	    span <= 0 || s->data_days < 0.7 * span)
		return;
	f = an_finding_new("ip", s->key, "ip-missing", AN_WARNING);
	f->message = g_strdup_printf("no SNDS data for %d days after data "
	    "on %.0f of %d days", s->days_since_data, s->data_days, span);
	json_object_set_int_member(f->extra, "days_without_data",
	    s->days_since_data);
	g_ptr_array_add(out, f);
}

void
an_source_state_free(struct an_source_state *s)
{
	if (s == NULL)
		return;
	g_free(s->name);
	g_free(s->kind);
	g_free(s->token_state);
	g_free(s);
}

static void
add_source(GPtrArray *out, const struct an_source_state *s, const char *rule,
    enum an_severity sev, char *message)
{
	struct an_finding *f = an_finding_new("source", s->name, rule, sev);

	f->source = g_strdup(s->name);
	f->message = message;
	g_ptr_array_add(out, f);
}

static void
rule_link(GPtrArray *out, const struct an_source_state *s,
    const struct an_params *p)
{
	int left = p->link_valid_days - s->link_age_days;

	if (g_strcmp0(s->kind, "link") != 0 || s->link_age_days < 0)
		return;
	if (left <= 0)
		add_source(out, s, "link-expiry", AN_CRITICAL, g_strdup_printf(
		    "report links expired %d days ago; generate new ones in "
		    "SNDS", -left));
	else if (left <= p->link_warn_days)
		add_source(out, s, "link-expiry", AN_WARNING, g_strdup_printf(
		    "report links expire in %d days", left));
}

static void
rule_login(GPtrArray *out, const struct an_source_state *s)
{
	const char *t = s->token_state;

	if (g_strcmp0(s->kind, "api") != 0 || t == NULL ||
	    strcmp(t, "ok") == 0)
		return;
	add_source(out, s, "login", strcmp(t, "missing") == 0 ?
	    AN_WARNING : AN_CRITICAL, g_strdup_printf("OAuth login %s; run "
	    "\"repwatch snds login %s\"", t, s->name));
}

void
an_rules_source(GPtrArray *out, const struct an_source_state *s,
    const struct an_params *p)
{
	if (s->days_since_fetch >= p->stale_fetch_days)
		add_source(out, s, "fetch-stale",
		    s->days_since_fetch >= 7 ? AN_CRITICAL : AN_WARNING,
		    g_strdup_printf("no successful SNDS fetch for %d days",
		    s->days_since_fetch));
	rule_link(out, s, p);
	rule_login(out, s);
}

void
an_listing_free(struct an_listing *l)
{
	if (l == NULL)
		return;
	g_free(l->first_ip);
	g_free(l->last_ip);
	g_free(l->source);
	g_free(l->reason);
	g_free(l);
}

void
an_rules_listing(GPtrArray *out, const struct an_listing *l)
{
	bool single = g_strcmp0(l->first_ip, l->last_ip) == 0;
	char *subject = single ? g_strdup(l->first_ip) :
	    g_strdup_printf("%s-%s", l->first_ip, l->last_ip);
	struct an_finding *f = an_finding_new(single ? "ip" : "cidr", subject,
	    "listed", l->blocked ? AN_CRITICAL : AN_WARNING);

	f->source = g_strdup(l->source);
	f->message = g_strdup_printf("%s %s in the SNDS IP status%s%s",
	    l->is_new ? "newly listed" : "listed",
	    l->blocked ? "as blocked" : "(not blocked: junked)",
	    *l->reason ? ": " : "", l->reason);
	json_object_set_boolean_member(f->extra, "blocked", l->blocked);
	json_object_set_int_member(f->extra, "listed_days", l->listed_days);
	json_object_set_string_member(f->extra, "reason", l->reason);
	g_ptr_array_add(out, f);
	g_free(subject);
}

void
an_rules_unmatched(GPtrArray *out, double complaints, double unmatched,
    const struct an_params *p)
{
	an_rules_unmatched_inside(out, complaints, unmatched, 0, p);
}

/*
 * Complaints attributed to the receiving provider's own addresses are a
 * parser fault, not a sender's problem: any one of them is reported, as
 * its own count, whatever the unmatched share.
 */
void
an_rules_unmatched_inside(GPtrArray *out, double complaints,
    double unmatched, double inside, const struct an_params *p)
{
	struct an_finding *f;
	bool share = complaints >= p->min_complaints &&
	    unmatched / complaints > p->unmatched_share;

	if (!share && !(inside > 0))
		return;
	f = an_finding_new("global", "complaints", "unmatched", AN_WARNING);
	f->complaints_7d = complaints;
	f->message = g_strdup_printf("%.0f of %.0f complaints in the last "
	    "%d days match no SNDS IP (%.0f%%)", unmatched, complaints,
	    p->window_days, complaints > 0 ? 100.0 * unmatched / complaints :
	    0);
	if (inside > 0) {
		char *m = g_strdup_printf("%s; %.0f on addresses inside the "
		    "receiving provider's own networks (run \"repwatch arf "
		    "reparse\")", f->message, inside);

		g_free(f->message);
		f->message = m;
	}
	json_object_set_double_member(f->extra, "unmatched", unmatched);
	json_object_set_double_member(f->extra, "unmatched_share",
	    complaints > 0 ? unmatched / complaints : 0);
	json_object_set_double_member(f->extra, "inside_provider", inside);
	g_ptr_array_add(out, f);
}

/* "0.3%" without trailing zeros */
static char *
pct(double rate)
{
	return g_strdup_printf("%.2g%%", 100.0 * rate);
}

static char *
forecast_phrase(const struct an_finding *f, const struct an_params *p)
{
	g_autofree char *target = pct(p->critical_rate);

	if (f->forecast_days == 0)
		return g_strdup_printf("at %s already", target);
	if (f->forecast_days > 0)
		return g_strdup_printf("%s in about %d day%s", target,
		    f->forecast_days, f->forecast_days == 1 ? "" : "s");
	return g_strdup_printf("no crossing of %s forecast", target);
}

void
an_finding_forecast(struct an_finding *f, const struct an_subject *s,
    const struct an_params *p)
{
	double rate = rate_of(s->c_recent, s->n_recent);
	g_autofree char *phrase = NULL;
	bool rising = strstr(f->rule, "rising") != NULL;
	struct level_window w;

	/* a decayed spike says so; no forecast from a past day */
	if (json_object_has_member(f->extra, "spike_day"))
		return;
	level_window(&w, s, p);
	f->forecast_days = an_forecast_days(&s->trend, rate, p->window_days,
	    p->critical_rate, p->trend_z, p->forecast_days);
	if (s->trend.ok)
		json_object_set_double_member(f->extra, "growth_per_day",
		    an_trend_growth(&s->trend));
	phrase = forecast_phrase(f, p);
	g_free(f->message);
	if (g_strcmp0(json_object_get_string_member_with_default(f->extra,
	    "witness", ""), "snds") == 0) {
		/* JMRP counts are missing; SNDS bands speak for the rate */
		f->forecast_days = -1;
		f->message = g_strdup_printf("SNDS complaint rate at least "
		    "%.2f%% over %d days on %.0f recipients (JMRP: %.0f "
		    "complaints)", 100.0 * w.low / w.rated, w.days, w.n, w.c);
	} else if (rising)
		f->message = g_strdup_printf("%.2f%% and rising \u00d7%.1f "
		    "over baseline; %s", 100.0 * rate, s->ratio, phrase);
	else
		f->message = g_strdup_printf("%.2f%% over %d days on %.0f "
		    "recipients; %s", 100.0 * w.c / w.n, w.days, w.n, phrase);
}

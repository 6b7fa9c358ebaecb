/*
 * an_rules - alert rules on per-subject window aggregates.
 *
 * Rates are complaints / recipients pooled over a window, never averages of
 * daily rates: a 300-recipient day must weigh less than a 30,000 one.
 */
#include <math.h>
#include <string.h>

#include "analyze/an_rules.h"
#include "analyze/an_noise.h"

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
		.resolve_days = 2,
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
		.mta = {.days = 3, .min_attempts = 200, .min_throttled = 20,
		    .floor_share = 0.05, .base_share = 0.005, .min_ratio = 2,
		    .alpha = 0.01},
		.trap = {.floor_rate = 0.0001, .alpha = 0.001, .min_hits = 3},
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
	out->resolve_days = num(cfg, "resolve_days");
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
	out->mta.days = num(cfg, "throttle_days");
	out->mta.min_attempts = num(cfg, "throttle_min_attempts");
	out->mta.min_throttled = num(cfg, "throttle_min_throttled");
	out->mta.floor_share = dbl(cfg, "throttle_floor_share");
	out->mta.base_share = dbl(cfg, "throttle_base_share");
	out->mta.min_ratio = dbl(cfg, "throttle_min_ratio");
	out->mta.alpha = dbl(cfg, "throttle_alpha");
	out->trap.floor_rate = dbl(cfg, "trap_floor_rate");
	out->trap.alpha = dbl(cfg, "trap_alpha");
	out->trap.min_hits = num(cfg, "trap_min_hits");
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
	s->traps_last = s->trap_n_last = NAN;
	s->trap_hits_base = s->trap_n_base = NAN;
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
	an_noise_range_add_filter(r, s);
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

static bool
level_tested(const struct an_subject *s, const struct an_params *p)
{
	struct an_level_window w;

	an_noise_level_window(&w, s, p);
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

/* the JMRP rate the level rule judges; a /24 the lesser of its own and
 * that without its worst IP */
static double
level_evidence(const struct an_subject *s, const struct an_params *p)
{
	struct an_level_window w, wr;
	double ev;

	an_noise_level_window(&w, s, p);
	ev = an_noise_level_bound(w.c, w.n, s, p);
	if (s->rest == NULL)
		return ev;
	an_noise_level_window(&wr, s->rest, p);
	return fmin(ev, wr.n >= p->min_recipients ?
	    an_noise_level_bound(wr.c, wr.n, s, p) : 0);
}

/* the second witness, only where JMRP counts nothing (not set up, or its
 * reports lost) but SNDS bands imply complaints; judged like JMRP counts */
static double
snds_floor_rate(const struct an_subject *s, const struct an_params *p)
{
	struct an_level_window w;

	double ev;

	an_noise_level_window(&w, s, p);
	if (!(w.rated >= p->min_recipients) || w.c > 0 || !(w.low > 0))
		return NAN;
	ev = an_noise_level_bound(ceil(w.low), w.rated, s, p);
	if (s->rest != NULL) {
		struct an_level_window wr;

		an_noise_level_window(&wr, s->rest, p);
		ev = fmin(ev, wr.rated >= p->min_recipients && wr.low > 0 ?
		    an_noise_level_bound(ceil(wr.low), wr.rated, s, p) : 0);
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

void
an_finding_fill_numbers(struct an_finding *f, const struct an_subject *s)
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

const char *
an_subject_kind(const struct an_subject *s)
{
	return s->is_range ? "cidr" : "ip";
}

static void
rule_level(GPtrArray *out, const struct an_subject *s,
    const struct an_params *p)
{
	struct an_level_window w;
	double ev, snds;
	int sev, sev_snds;
	struct an_finding *f;
	const struct an_series *x = s->series;

	an_noise_level_window(&w, s, p);
	if (!(w.n >= p->min_recipients))
		return;
	ev = level_evidence(s, p);
	snds = snds_floor_rate(s, p);
	sev = level_of(ev, p);
	sev_snds = level_of(snds, p);
	if (sev < 0 && sev_snds < 0)
		return;
	f = an_finding_new(an_subject_kind(s), s->key,
	    s->is_range ? "range-level" : "level", MAX(sev, sev_snds));
	an_finding_fill_numbers(f, s);
	json_object_set_double_member(f->extra, "rate_lower_bound", ev);
	json_object_set_string_member(f->extra, "witness",
	    sev >= sev_snds ? "jmrp" : "snds");
	json_object_set_int_member(f->extra, "window_days", w.days);
	json_object_set_double_member(f->extra, "recipients_window", w.n);
	json_object_set_double_member(f->extra, "complaints_window", w.c);
	json_object_set_double_member(f->extra, "confidence",
	    p->level_confidence > 0 ? an_noise_level_conf(s, p) : 0);
	json_object_set_int_member(f->extra, "subjects_tested", s->tests);
	if (!isnan(snds))
		json_object_set_double_member(f->extra, "snds_rate_low", snds);
	if (x != NULL)
		f = sev >= sev_snds ?
		    an_noise_spike_decay(f, s, x->c, x->n, w.days, p) :
		    an_noise_spike_decay(f, s, x->low, x->rated, w.days, p);
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
	f = an_finding_new(an_subject_kind(s), s->key,
	    s->is_range ? "range-rising" : "rising", AN_WARNING);
	an_finding_fill_numbers(f, s);
	json_object_set_double_member(f->extra, "rate_last_days",
	    rate_of(s->c_last, s->n_last));
	if (s->series != NULL)
		f = an_noise_spike_decay(f, s, s->series->c, s->series->n,
		    p->window_days, p);
	if (f != NULL)
		g_ptr_array_add(out, f);
}

void
an_rules_subject(GPtrArray *out, const struct an_subject *s,
    const struct an_params *p)
{
	guint from = out->len;

	rule_level(out, s, p);
	rule_rising(out, s, p);
	an_noise_filter(out, s, p, from);
	an_noise_trap(out, s, p);
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
	struct an_level_window w;

	/* a decayed spike says so; no forecast from a past day */
	if (json_object_has_member(f->extra, "spike_day"))
		return;
	an_noise_level_window(&w, s, p);
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

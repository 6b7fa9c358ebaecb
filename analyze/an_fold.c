/*
 * an_fold - subjects, folding, lifecycle (see an_fold.h).
 */
#include <math.h>
#include <string.h>

#include "analyze/an_fold.h"

void
an_evidence_free(struct an_evidence *e)
{
	if (e == NULL)
		return;
	g_free(e->subject);
	g_free(e->net);
	g_free(e->rule);
	g_free(e->episode_start);
	g_free(e->num.filter);
	g_free(e->num.message);
	g_free(e);
}

/* one subject's day while folding */
struct subj {
	char *subject, *net;
	bool is_range;
	GPtrArray *own;       /* evidence on the subject (borrowed) */
	GPtrArray *folded;    /* a one-IP range's evidence, on its IP */
	GPtrArray *members;   /* ranges: IP subjects inside */
	const struct an_incident *prev;
	struct an_incident *out;
	struct subj *range;   /* IPs: the range incident they fold under */
	bool incident;        /* ranges: an incident today */
};

static void
subj_free(struct subj *s)
{
	g_ptr_array_free(s->own, TRUE);
	g_ptr_array_free(s->folded, TRUE);
	g_ptr_array_free(s->members, TRUE);
	g_free(s);
}

static struct subj *
subj_get(GHashTable *t, char *subject, char *net, bool range)
{
	struct subj *s = g_hash_table_lookup(t, subject);

	if (s != NULL)
		return s;
	s = g_new0(struct subj, 1);
	s->subject = subject;
	s->net = net;
	s->is_range = range;
	s->own = g_ptr_array_new();
	s->folded = g_ptr_array_new();
	s->members = g_ptr_array_new();
	g_hash_table_insert(t, subject, s);
	return s;
}

/* ---- evidence -> numbers ------------------------------------------ */

/* rules whose message and numbers tell most, first */
static int
rule_pref(const char *rule)
{
	/* a block answer is the event itself: its message (code, delisting
	 * page) comes before any forecast of it */
	static const char *const order[] = {
		"blocked", "range-blocked", "level", "rising", "range-level",
		"range-rising", "listed", "throttled", "filter", "range-filter",
		"trap", "ip-missing", NULL,
	};

	for (int i = 0; order[i] != NULL; i++)
		if (strcmp(rule, order[i]) == 0)
			return i;
	return 100;
}

/* a before b: more severe, then the preferred rule, then by name */
static bool
telling_before(const struct an_evidence *a, const struct an_evidence *b)
{
	if (a->severity != b->severity)
		return a->severity > b->severity;
	if (rule_pref(a->rule) != rule_pref(b->rule))
		return rule_pref(a->rule) < rule_pref(b->rule);
	return strcmp(a->rule, b->rule) < 0;
}

static void
numbers_from(struct an_incident_numbers *out, GPtrArray *ev)
{
	const struct an_evidence *msg = NULL, *nums = NULL;

	*out = (struct an_incident_numbers){NAN, NAN, NAN, NAN, -1, false,
	    NULL, NULL};
	for (guint i = 0; i < ev->len; i++) {
		const struct an_evidence *e = ev->pdata[i];

		if (msg == NULL || telling_before(e, msg))
			msg = e;
		if (isfinite(e->num.rate_7d) && (nums == NULL ||
		    telling_before(e, nums)))
			nums = e;
		if (e->num.forecast_days >= 0 && (out->forecast_days < 0 ||
		    e->num.forecast_days < out->forecast_days))
			out->forecast_days = e->num.forecast_days;
		if (strcmp(e->rule, "listed") == 0)
			out->listed = true;
	}
	if (msg != NULL)
		out->message = g_strdup(msg->num.message);
	if (nums != NULL) {
		out->rate_7d = nums->num.rate_7d;
		out->recipients_7d = nums->num.recipients_7d;
		out->complaints_7d = nums->num.complaints_7d;
		out->baseline_rate = nums->num.baseline_rate;
	}
}

static void
numbers_copy(struct an_incident_numbers *out,
    const struct an_incident_numbers *in)
{
	*out = *in;
	out->filter = g_strdup(in->filter);
	out->message = g_strdup(in->message);
}

static void
add_rules(GPtrArray *rules, GPtrArray *ev)
{
	for (guint i = 0; i < ev->len; i++) {
		const struct an_evidence *e = ev->pdata[i];
		bool seen = false;

		for (guint j = 0; j < rules->len && !seen; j++)
			seen = strcmp(rules->pdata[j], e->rule) == 0;
		if (!seen)
			g_ptr_array_add(rules, e->rule);
	}
}

static int
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted copy of the distinct rules */
static char **
rules_strv(GPtrArray *rules)
{
	char **v = g_new0(char *, rules->len + 1);

	g_ptr_array_sort(rules, cmp_str);
	for (guint i = 0; i < rules->len; i++)
		v[i] = g_strdup(rules->pdata[i]);
	return v;
}

static enum an_severity
max_severity(GPtrArray *ev, enum an_severity sev)
{
	for (guint i = 0; i < ev->len; i++) {
		const struct an_evidence *e = ev->pdata[i];

		if (e->severity > sev)
			sev = e->severity;
	}
	return sev;
}

/* the earliest episode start of EV, or FIRST when earlier */
static const char *
earliest(GPtrArray *ev, const char *first)
{
	for (guint i = 0; i < ev->len; i++) {
		const struct an_evidence *e = ev->pdata[i];

		if (first == NULL || strcmp(e->episode_start, first) < 0)
			first = e->episode_start;
	}
	return first;
}

/* ---- members ------------------------------------------------------ */

static struct an_incident_member *
member_new(const struct subj *ip)
{
	struct an_incident_member *m = g_new0(struct an_incident_member, 1);
	GPtrArray *rules = g_ptr_array_new();

	m->ip = g_strdup(ip->subject);
	m->severity = max_severity(ip->own, AN_INFO);
	add_rules(rules, ip->own);
	m->rules = rules_strv(rules);
	numbers_from(&m->num, ip->own);
	g_ptr_array_free(rules, TRUE);
	return m;
}

/* the IP subjects with evidence today that fold under R */
static GPtrArray *
folding_members(const struct subj *r)
{
	GPtrArray *v = g_ptr_array_new();

	for (guint i = 0; i < r->members->len; i++) {
		struct subj *ip = r->members->pdata[i];

		if (ip->own->len > 0)
			g_ptr_array_add(v, ip);
	}
	return v;
}

/* ---- lifecycle ---------------------------------------------------- */

static void
carry(struct an_incident *i, const struct an_incident *p)
{
	i->id = g_strdup(p->id);
	i->first_day = g_strdup(p->first_day);
	i->escalated_day = g_strdup(p->escalated_day);
	i->peak = p->peak;
	i->state = p->state;
}

/* a day on which a rule of its own held: today's evidence */
static void
held(struct an_incident *i, GPtrArray *ev, GPtrArray *members,
    const char *day)
{
	GPtrArray *rules = g_ptr_array_new();

	i->holding = true;
	i->quiet_days = 0;
	i->last_day = g_strdup(day);
	i->severity = max_severity(ev, AN_INFO);
	add_rules(rules, ev);
	for (guint k = 0; k < members->len; k++) {
		const struct subj *m = members->pdata[k];

		i->severity = max_severity(m->own, i->severity);
		add_rules(rules, m->own);
	}
	i->rules = rules_strv(rules);
	numbers_from(&i->num, ev);
	for (guint k = 0; k < members->len && !i->num.listed; k++) {
		const struct subj *m = members->pdata[k];

		for (guint j = 0; j < m->own->len; j++)
			if (strcmp(((struct an_evidence *)m->own->pdata[j])->rule,
			    "listed") == 0)
				i->num.listed = true;
	}
	g_ptr_array_free(rules, TRUE);
}

/* a day without: the last day's evidence, one quiet day more */
static void
quiet(struct an_incident *i, const struct an_incident *p, const char *day,
    int resolve_days)
{
	i->holding = false;
	i->quiet_days = p->quiet_days + 1;
	i->last_day = g_strdup(p->last_day);
	i->severity = p->severity;
	i->rules = g_strdupv(p->rules);
	numbers_copy(&i->num, &p->num);
	if (i->quiet_days >= resolve_days) {
		i->state = AN_INC_RESOLVED;
		i->resolved_day = g_strdup(day);
	}
}

/* true when the range incident of R resolves today */
static bool
resolving(const struct subj *r, int resolve_days)
{
	return r->prev != NULL && r->own->len == 0 &&
	    r->prev->quiet_days + 1 >= resolve_days;
}

/*
 * members_raise - a quiet range still carries its members: one of them
 * worse than the range's severity raises it (and can escalate it), so a
 * member turning critical under a quiet range is not absorbed unseen
 */
static bool
members_raise(struct an_incident *i, GPtrArray *members)
{
	enum an_severity sev = i->severity;

	for (guint k = 0; k < members->len; k++)
		sev = max_severity(((const struct subj *)members->pdata[k])->own,
		    sev);
	if (sev <= i->severity)
		return false;
	i->severity = sev;
	return true;
}

static struct an_incident *
lifecycle(const struct subj *s, GPtrArray *ev, GPtrArray *members,
    const char *day, GHashTable *last_resolved, int resolve_days)
{
	struct an_incident *i = an_incident_new();
	bool raised = false;

	i->subject = g_strdup(s->subject);
	i->is_range = s->is_range;
	i->net = g_strdup(s->net);
	i->day = g_strdup(day);
	if (s->prev != NULL)
		carry(i, s->prev);
	if (ev->len > 0) {
		held(i, ev, members, day);
	} else {
		quiet(i, s->prev, day, resolve_days);
		raised = members_raise(i, members);
	}
	if (s->prev == NULL) {
		const char *first = earliest(ev, NULL);
		const char *after = g_hash_table_lookup(last_resolved,
		    s->subject);

		for (guint k = 0; k < members->len; k++)
			first = earliest(((struct subj *)members->pdata[k])->own,
			    first);
		if (after != NULL && strcmp(after, first) > 0)
			first = after;
		i->first_day = g_strdup(first);
		i->id = an_incident_id(s->subject, first);
		i->state = AN_INC_OPEN;
		i->peak = i->severity;
	} else if ((i->holding || raised) && i->severity > i->peak) {
		i->state = AN_INC_ESCALATED;
		i->peak = i->severity;
		g_free(i->escalated_day);
		i->escalated_day = g_strdup(day);
	}
	return i;
}

/* an IP incident open yesterday whose IP folds under range R today */
static struct an_incident *
folded(const struct subj *ip, const struct subj *r, const char *day)
{
	struct an_incident *i = an_incident_new();
	const struct an_incident *p = ip->prev;

	i->subject = g_strdup(p->subject);
	i->net = g_strdup(p->net);
	i->day = g_strdup(day);
	carry(i, p);
	i->state = AN_INC_RESOLVED;
	i->resolved_day = g_strdup(day);
	i->folded_into = g_strdup(r->out->id);
	i->quiet_days = p->quiet_days;
	i->last_day = g_strdup(p->last_day);
	i->severity = p->severity;
	i->rules = g_strdupv(p->rules);
	numbers_copy(&i->num, &p->num);
	return i;
}

/* ---- the day ------------------------------------------------------ */

static GHashTable *
subjects(GPtrArray *ev, GPtrArray *prev)
{
	GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
	    (GDestroyNotify)subj_free);

	for (guint i = 0; i < ev->len; i++) {
		struct an_evidence *e = ev->pdata[i];

		g_ptr_array_add(subj_get(t, e->subject, e->net,
		    e->is_range)->own, e);
	}
	for (guint i = 0; i < prev->len; i++) {
		const struct an_incident *p = prev->pdata[i];

		subj_get(t, p->subject, p->net, p->is_range)->prev = p;
	}
	return t;
}

static int
cmp_subj(gconstpointer a, gconstpointer b)
{
	return strcmp((*(struct subj *const *)a)->subject,
	    (*(struct subj *const *)b)->subject);
}

/* sorted subjects, so the order never depends on hashing */
static GPtrArray *
sorted(GHashTable *t)
{
	GPtrArray *v = g_ptr_array_new();
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, t);
	while (g_hash_table_iter_next(&it, NULL, &value))
		g_ptr_array_add(v, value);
	g_ptr_array_sort(v, cmp_subj);
	return v;
}

/* which ranges are incidents; a one-IP range's evidence goes to its IP */
static void
decide_ranges(GHashTable *t, GPtrArray *all)
{
	for (guint i = 0; i < all->len; i++) {
		struct subj *ip = all->pdata[i];
		struct subj *r = ip->net ? g_hash_table_lookup(t, ip->net) :
		    NULL;

		if (!ip->is_range && r != NULL && r->is_range)
			g_ptr_array_add(r->members, ip);
	}
	for (guint i = 0; i < all->len; i++) {
		struct subj *r = all->pdata[i];

		if (!r->is_range)
			continue;
		if (r->prev != NULL || r->members->len != 1)
			r->incident = true;
		else
			g_ptr_array_extend(((struct subj *)
			    r->members->pdata[0])->folded, r->own, NULL, NULL);
	}
}

static void
range_incidents(GPtrArray *out, GPtrArray *all, const char *day,
    GHashTable *last_resolved, int resolve_days)
{
	for (guint i = 0; i < all->len; i++) {
		struct subj *r = all->pdata[i];
		GPtrArray *members;

		if (!r->is_range || !r->incident)
			continue;
		members = resolving(r, resolve_days) ? g_ptr_array_new() :
		    folding_members(r);
		r->out = lifecycle(r, r->own, members, day, last_resolved,
		    resolve_days);
		for (guint k = 0; k < members->len; k++)
			g_ptr_array_add(r->out->members,
			    member_new(members->pdata[k]));
		if (!resolving(r, resolve_days))
			for (guint k = 0; k < r->members->len; k++)
				((struct subj *)r->members->pdata[k])->range = r;
		g_ptr_array_add(out, r->out);
		g_ptr_array_free(members, TRUE);
	}
}

static void
ip_incidents(GPtrArray *out, GPtrArray *all, const char *day,
    GHashTable *last_resolved, int resolve_days)
{
	GPtrArray *none = g_ptr_array_new();

	for (guint i = 0; i < all->len; i++) {
		struct subj *ip = all->pdata[i];
		GPtrArray *ev;

		if (ip->is_range)
			continue;
		if (ip->range != NULL) {
			if (ip->prev != NULL)
				g_ptr_array_add(out, folded(ip, ip->range, day));
			continue;
		}
		ev = g_ptr_array_copy(ip->own, NULL, NULL);
		g_ptr_array_extend(ev, ip->folded, NULL, NULL);
		if (ev->len > 0 || ip->prev != NULL)
			g_ptr_array_add(out, lifecycle(ip, ev, none, day,
			    last_resolved, resolve_days));
		g_ptr_array_free(ev, TRUE);
	}
	g_ptr_array_free(none, TRUE);
}

static int
cmp_incident(gconstpointer a, gconstpointer b)
{
	const struct an_incident *x = *(struct an_incident *const *)a;
	const struct an_incident *y = *(struct an_incident *const *)b;

	return strcmp(x->subject, y->subject);
}

GPtrArray *
an_fold_day(const char *day, GPtrArray *ev, GPtrArray *prev,
    GHashTable *last_resolved, int resolve_days)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)an_incident_free);
	GHashTable *t = subjects(ev, prev);
	GPtrArray *all = sorted(t);

	if (resolve_days < 1)
		resolve_days = 1;
	decide_ranges(t, all);
	range_incidents(out, all, day, last_resolved, resolve_days);
	ip_incidents(out, all, day, last_resolved, resolve_days);
	g_ptr_array_sort(out, cmp_incident);
	g_ptr_array_free(all, TRUE);
	g_hash_table_destroy(t);
	return out;
}

/*
 * an_mta - MTA facts (one grouped query over repwatch.an_mta_day per day)
 * and the throttled, blocked and range-blocked rules (see an_mta.h).
 *
 * The throttle test. Microsoft throttles part of a big sender's attempts
 * every day (a few per cent is normal), so a share alone says little; what
 * warns is the share rising above the IP's own. The judged window is the
 * analyzed day alone when it has throttle_min_attempts attempts and is over
 * in the analyzer's zone (the fastest signal), else the last throttle_days
 * days (low-volume IPs, and today while it runs: overnight traffic is
 * mostly retries of deferred mail); the baseline is the baseline_days
 * before that window. Three tests must all reject (intersection-union: the
 * largest p-value): the share exceeds the baseline's own day-to-day spread
 * (a t prediction test on the log share, the spread estimated from the
 * IP's baseline days: real throttle shares vary far beyond binomial noise,
 * by bursts, retries and weekdays); conditional on the throttle answers of
 * both, those of the recent window are binomial under an unchanged share
 * (an_rate_ratio_p, as the rising rule); the share exceeds the lowest
 * baseline share assumed (throttle_base_share). An IP without a baseline
 * (too few attempts, or fewer than 3 days) is judged against
 * throttle_floor_share alone. Gates: throttle_min_attempts,
 * throttle_min_throttled, throttle_min_ratio and, for the wider window,
 * throttle answers on the day itself (a warning holds while Microsoft
 * throttles). Benjamini-Hochberg at throttle_alpha over the day's IPs with
 * attempts in their judged window.
 */
#include <math.h>
#include <string.h>

#include "analyze/an_mta.h"
#include "analyze/an_stats.h"
#include "common/rw_json.h"

struct an_mta_ip *
an_mta_ip_new(const char *key, const char *net)
{
	struct an_mta_ip *x = g_new0(struct an_mta_ip, 1);

	x->key = g_strdup(key);
	x->net = g_strdup(net);
	x->n_day = x->t_day = NAN;
	x->n_win = x->t_win = x->n_base = x->t_base = NAN;
	x->b_day = NAN;
	x->share = x->base_share = x->ratio = NAN;
	x->p_value = x->q_value = 1.0;
	return x;
}

void
an_mta_ip_free(struct an_mta_ip *x)
{
	if (x == NULL)
		return;
	g_free(x->key);
	g_free(x->net);
	g_free(x->first_block_at);
	g_free(x->block_code);
	g_free(x->block_answer);
	g_free(x->last_block_day);
	g_free(x);
}

void
an_mta_range_free(struct an_mta_range *r)
{
	if (r == NULL)
		return;
	g_free(r->net);
	g_free(r->first_block_at);
	g_free(r->codes);
	g_free(r->blocked_ips);
	g_free(r);
}

/* ---- facts ---------------------------------------------------------- */

int
an_mta_refresh(int *out_days, struct rw_db *db)
{
	char *v = NULL;
	int rc = rw_db_query1(&v, db, "SELECT repwatch.an_refresh_mta()", 0,
	    NULL);

	if (rc == 0 && out_days != NULL)
		*out_days = v ? (int)g_ascii_strtoll(v, NULL, 10) : 0;
	g_free(v);
	return rc;
}

/* a day's log throttle share (an_mta_log_share) and the baseline days
 * with attempts (before the throttle_days window); the spread leaves out
 * the days the rule warned on (an earlier analysis: no look-ahead), so a
 * rise longer than the window does not widen its own baseline */
#define LOG_SHARE                                                         \
	"ln((m.throttled + 0.5)::float8 / (m.attempts + 0.5))"
#define WIN_BASE "m.attempts > 0 AND m.day <= $1::date - $2::int"
#define SPREAD_BASE WIN_BASE " AND w.day IS NULL"

/*
 * $1 the day, $2 throttle_days, $3 baseline_days. The lookback is the
 * longer of the two windows with their baselines; (day, ip) is an_mta_day's
 * key, so the day's own columns come from one row. The days the rule
 * warned on in the baseline are read once (w), not per row.
 */
static const char facts_sql[] =
    "WITH w AS (SELECT DISTINCT a.subject, d.day FROM repwatch.alert a "
    "  JOIN repwatch.alert_day d ON d.alert_id = a.id "
    "  WHERE a.rule = 'throttled' AND a.subject_kind = 'ip' "
    "  AND d.day <= $1::date - $2::int "
    "  AND d.day > $1::date - $2::int - $3::int) "
    "SELECT host(m.ip), CASE WHEN family(m.ip) = 4 "
    "    THEN set_masklen(m.ip::cidr, 24)::text END, "
    "  sum(m.attempts) FILTER (WHERE m.day = $1::date), "
    "  sum(m.throttled) FILTER (WHERE m.day = $1::date), "
    "  sum(m.attempts) FILTER (WHERE m.day > $1::date - $2::int), "
    "  sum(m.throttled) FILTER (WHERE m.day > $1::date - $2::int), "
    "  sum(m.attempts) FILTER (WHERE m.day <= $1::date - $2::int), "
    "  sum(m.throttled) FILTER (WHERE m.day <= $1::date - $2::int), "
    "  sum(m.blocked) FILTER (WHERE m.day = $1::date), "
    "  to_char(min(m.first_block_at) FILTER (WHERE m.day = $1::date "
    "      AND m.blocked > 0) AT TIME ZONE 'UTC', "
    "      'YYYY-MM-DD HH24:MI'), "
    "  min(m.block_code) FILTER (WHERE m.day = $1::date "
    "      AND m.blocked > 0), "
    "  min(m.block_answer) FILTER (WHERE m.day = $1::date "
    "      AND m.blocked > 0), "
    "  count(*) FILTER (WHERE m.blocked > 0 AND m.day < $1::date), "
    "  max(m.day) FILTER (WHERE m.blocked > 0 AND m.day < $1::date)::text, "
    "  count(*) FILTER (WHERE " SPREAD_BASE "), "
    "  sum(" LOG_SHARE ") FILTER (WHERE " SPREAD_BASE "), "
    "  sum(" LOG_SHARE " ^ 2) FILTER (WHERE " SPREAD_BASE "), "
    "  $1::date >= (now() AT TIME ZONE repwatch.an_timezone())::date "
    "FROM repwatch.an_mta_day m "
    "LEFT JOIN w ON w.subject = host(m.ip) AND w.day = m.day "
    "WHERE m.day <= $1::date "
    "  AND m.day > $1::date - $2::int - $3::int "
    "GROUP BY m.ip ORDER BY m.ip";

static double
nz(double v)
{
	return isnan(v) ? 0 : v;
}

static struct an_mta_ip *
ip_from_row(const PGresult *r, int i)
{
	struct an_mta_ip *x = an_mta_ip_new(PQgetvalue(r, i, 0), NULL);

	x->net = rw_db_strdup(r, i, 1);
	x->n_day = rw_db_double(r, i, 2);
	x->t_day = rw_db_double(r, i, 3);
	x->n_win = rw_db_double(r, i, 4);
	x->t_win = rw_db_double(r, i, 5);
	x->n_base = rw_db_double(r, i, 6);
	x->t_base = rw_db_double(r, i, 7);
	x->b_day = rw_db_double(r, i, 8);
	x->first_block_at = rw_db_strdup(r, i, 9);
	x->block_code = rw_db_strdup(r, i, 10);
	x->block_answer = rw_db_strdup(r, i, 11);
	x->block_days_before = (int)rw_db_double(r, i, 12);
	x->last_block_day = rw_db_strdup(r, i, 13);
	x->k_base = nz(rw_db_double(r, i, 14));
	x->ls_base = nz(rw_db_double(r, i, 15));
	x->ls2_base = nz(rw_db_double(r, i, 16));
	x->day_open = strcmp(PQgetvalue(r, i, 17), "t") == 0;
	return x;
}

int
an_mta_facts(GPtrArray **out, struct rw_db *db, const char *day,
    const struct an_params *p)
{
	char w[16], b[16];
	const char *params[] = {day, w, b};
	PGresult *r = NULL;
	int rc;

	*out = g_ptr_array_new_with_free_func((GDestroyNotify)an_mta_ip_free);
	snprintf(w, sizeof(w), "%d", MAX(p->mta.days, 1));
	snprintf(b, sizeof(b), "%d", p->baseline_days);
	rc = rw_db_query(&r, db, facts_sql, 3, params);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		g_ptr_array_add(*out, ip_from_row(r, i));
	PQclear(r);
	return rc;
}

/* append ITEM to the ", "-list *LIST unless there */
static void
list_add(char **list, const char *item)
{
	char *n;

	if (item == NULL || *item == '\0')
		return;
	if (*list != NULL) {
		g_auto(GStrv) have = g_strsplit(*list, ", ", -1);

		if (g_strv_contains((const char *const *)have, item))
			return;
	}
	n = *list ? g_strdup_printf("%s, %s", *list, item) : g_strdup(item);
	g_free(*list);
	*list = n;
}

static gint
cmp_range(gconstpointer a, gconstpointer b)
{
	return strcmp((*(struct an_mta_range *const *)a)->net,
	    (*(struct an_mta_range *const *)b)->net);
}

GPtrArray *
an_mta_ranges(GPtrArray *ips)
{
	GHashTable *by_net = g_hash_table_new(g_str_hash, g_str_equal);
	GPtrArray *out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)an_mta_range_free);

	for (guint i = 0; i < ips->len; i++) {
		const struct an_mta_ip *x = ips->pdata[i];
		struct an_mta_range *r;

		if (x->net == NULL)
			continue;
		r = g_hash_table_lookup(by_net, x->net);
		if (r == NULL) {
			r = g_new0(struct an_mta_range, 1);
			r->net = g_strdup(x->net);
			g_hash_table_insert(by_net, r->net, r);
			g_ptr_array_add(out, r);
		}
		r->ips++;
		r->b_day += nz(x->b_day);
		if (!(x->b_day > 0))
			continue;
		r->ips_blocked++;
		list_add(&r->codes, x->block_code);
		list_add(&r->blocked_ips, x->key);
		if (x->first_block_at != NULL && (r->first_block_at == NULL ||
		    strcmp(x->first_block_at, r->first_block_at) < 0)) {
			g_free(r->first_block_at);
			r->first_block_at = g_strdup(x->first_block_at);
		}
	}
	g_hash_table_destroy(by_net);
	g_ptr_array_sort(out, cmp_range);
	return out;
}

/* ---- the throttle test --------------------------------------------- */

bool
an_mta_day_window(double n_day, bool day_open, const struct an_params *p)
{
	return !day_open && nz(n_day) >= p->mta.min_attempts;
}

double
an_mta_log_share(double c, double n)
{
	return log((c + 0.5) / (n + 0.5));
}

double
an_mta_spread_p(double c1, double n1, double k, double ls, double ls2)
{
	double mean, var, v1;

	if (!(k >= 3) || !(n1 > 0) || c1 < 0 || c1 > n1)
		return 1.0;
	mean = ls / k;
	var = fmax(0, (ls2 - ls * ls / k) / (k - 1));
	/* the judged window's own counting noise on the log scale (delta
	 * method; the exact tests rule where counts are small) */
	v1 = 1 / (c1 + 0.5) - 1 / (n1 + 0.5);
	return an_t_sf((an_mta_log_share(c1, n1) - mean) /
	    sqrt(var * (1 + 1 / k) + v1), k - 1);
}

void
an_mta_test_throttle(struct an_mta_ip *x, const struct an_params *p)
{
	double p_cmp = 0.0, p_spread = 0.0, p_floor;

	x->candidate = false;
	x->p_value = 1.0;
	/* the day alone when it has the volume and is over, else the wider
	 * window */
	x->day_window = an_mta_day_window(x->n_day, x->day_open, p);
	x->n1 = nz(x->day_window ? x->n_day : x->n_win);
	x->c1 = nz(x->day_window ? x->t_day : x->t_win);
	/* the same baseline for both: the baseline_days before the window,
	 * so a rise of a few days does not widen its own baseline's spread */
	x->n0 = nz(x->n_base);
	x->c0 = nz(x->t_base);
	/* a baseline needs the volume and 3 days to measure its spread */
	x->has_base = x->n0 >= p->mta.min_attempts && x->n0 > 0 &&
	    x->k_base >= 3;
	x->base_share = x->has_base ?
	    fmax(x->c0 / x->n0, p->mta.base_share) : p->mta.floor_share;
	x->share = x->n1 > 0 ? x->c1 / x->n1 : NAN;
	x->ratio = x->base_share > 0 ? x->share / x->base_share : INFINITY;
	if (!(x->n1 >= p->mta.min_attempts) ||
	    x->c1 < p->mta.min_throttled || !(x->ratio >= p->mta.min_ratio) ||
	    !(nz(x->t_day) > 0))
		return;
	if (x->has_base) {
		p_cmp = an_rate_ratio_p(x->c1, x->n1, x->c0, x->n0);
		p_spread = an_mta_spread_p(x->c1, x->n1, x->k_base,
		    x->ls_base, x->ls2_base);
		p_floor = an_binomial_sf(x->c1, p->mta.base_share, x->n1);
	} else
		p_floor = an_binomial_sf(x->c1, p->mta.floor_share, x->n1);
	x->p_value = fmax(fmax(p_cmp, p_spread), p_floor);
	x->candidate = true;
}

void
an_mta_correct(GPtrArray *ips)
{
	double *pv = g_new(double, ips->len + 1);
	guint m = 0;

	for (guint i = 0; i < ips->len; i++) {
		const struct an_mta_ip *x = ips->pdata[i];

		if (x->n1 > 0)
			pv[m++] = x->p_value;
	}
	an_bh_adjust(pv, pv, m);
	m = 0;
	for (guint i = 0; i < ips->len; i++) {
		struct an_mta_ip *x = ips->pdata[i];

		x->q_value = x->n1 > 0 ? pv[m++] : 1.0;
	}
	g_free(pv);
}

/* ---- rules ---------------------------------------------------------- */

/* what Microsoft's codes say (its answer texts; "Email non-delivery
 * reports and SMTP errors in Exchange Online" for 5.7.511, 5.7.606-649) */
static const struct {
	const char *code;
	const char *meaning;
} code_meanings[] = {
	{"S775", "rate limited due to IP reputation"},
	{"S3114", "rate limited due to IP reputation"},
	{"4.7.650", "rate limited due to IP reputation"},
	{"4.7.651", "rate limited due to IP reputation"},
	{"S3140", "part of the IP's network is on Microsoft's block list"},
	{"S3150", "the IP is on Microsoft's block list"},
	{"5.7.511", "banned sender"},
};

const char *
an_mta_code_meaning(const char *code)
{
	gint64 minor;
	char *end = NULL;

	if (code == NULL)
		return NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(code_meanings); i++)
		if (strcmp(code, code_meanings[i].code) == 0)
			return code_meanings[i].meaning;
	/* 5.7.606 to 5.7.649: banned sending IP */
	if (strncmp(code, "5.7.", 4) == 0) {
		minor = g_ascii_strtoll(code + 4, &end, 10);
		if (end != code + 4 && *end == '\0' && minor >= 606 &&
		    minor <= 649)
			return "banned sending IP";
	}
	return NULL;
}

void
an_mta_rule_throttled(GPtrArray *out, const struct an_mta_ip *x,
    const struct an_params *p)
{
	struct an_finding *f;
	g_autofree char *base = NULL;
	int days = x->day_window ? 1 : MAX(p->mta.days, 1);

	if (!x->candidate || !(x->q_value <= p->mta.alpha))
		return;
	f = an_finding_new("ip", x->key, "throttled", AN_WARNING);
	f->ratio = x->ratio;
	f->p_value = x->p_value;
	f->q_value = x->q_value;
	base = x->has_base ? g_strdup_printf("its usual %.2f%%",
	    100.0 * x->c0 / x->n0) : g_strdup_printf("no baseline; judged "
	    "against %.2g%%", 100.0 * p->mta.floor_share);
	f->message = g_strdup_printf("Microsoft throttled %.1f%% of %.0f "
	    "attempts (%.0f answers 4.7.650/S775 or 4.7.651/S3114) %s (%s, "
	    "\u00d7%.1f); blocks follow when sending keeps on",
	    100.0 * x->share, x->n1, x->c1, days == 1 ? "on the day" :
	    "in the last days", base, x->ratio);
	json_object_set_int_member(f->extra, "window_days", days);
	json_object_set_double_member(f->extra, "attempts", x->n1);
	json_object_set_double_member(f->extra, "throttled", x->c1);
	json_object_set_double_member(f->extra, "share", x->share);
	json_object_set_double_member(f->extra, "attempts_base", x->n0);
	json_object_set_double_member(f->extra, "throttled_base", x->c0);
	rw_json_set_number(f->extra, "baseline_share", x->has_base ?
	    x->c0 / x->n0 : NAN);
	json_object_set_double_member(f->extra, "judged_share", x->base_share);
	json_object_set_double_member(f->extra, "baseline_days", x->k_base);
	json_object_set_double_member(f->extra, "share_ratio", x->ratio);
	json_object_set_double_member(f->extra, "p", x->p_value);
	json_object_set_double_member(f->extra, "q", x->q_value);
	g_ptr_array_add(out, f);
}

/* "S3150 (the IP is on Microsoft's block list)", or the bare code */
static char *
code_phrase(const char *code)
{
	const char *m = an_mta_code_meaning(code);

	if (code == NULL || *code == '\0')
		return g_strdup("a block answer");
	return m ? g_strdup_printf("%s (%s)", code, m) : g_strdup(code);
}

/* the first block answer's text, at most 300 bytes, on a UTF-8 boundary */
static char *
answer_head(const char *answer)
{
	const char *end;

	if (answer == NULL)
		return NULL;
	if (strlen(answer) <= 300)
		return g_strdup(answer);
	end = g_utf8_find_prev_char(answer, answer + 301);
	return g_strndup(answer, end ? (gsize)(end - answer) : 300);
}

void
an_mta_rule_blocked(GPtrArray *out, const struct an_mta_ip *x)
{
	struct an_finding *f;
	g_autofree char *what = NULL;
	g_autofree char *answer = NULL;

	if (!(x->b_day > 0))
		return;
	f = an_finding_new("ip", x->key, "blocked", AN_CRITICAL);
	what = code_phrase(x->block_code);
	f->message = g_strdup_printf("Microsoft blocked %s: %s, first at %s "
	    "UTC, %.0f attempts refused on the day; request delisting at "
	    "https://sender.office.com", x->key, what,
	    x->first_block_at ? x->first_block_at : "?", x->b_day);
	json_object_set_string_member(f->extra, "code",
	    x->block_code ? x->block_code : "");
	json_object_set_string_member(f->extra, "first_block_at",
	    x->first_block_at ? x->first_block_at : "");
	json_object_set_double_member(f->extra, "blocked", x->b_day);
	json_object_set_double_member(f->extra, "attempts", nz(x->n_day));
	answer = answer_head(x->block_answer);
	if (answer != NULL)
		json_object_set_string_member(f->extra, "answer", answer);
	json_object_set_int_member(f->extra, "block_days_before",
	    x->block_days_before);
	if (x->last_block_day != NULL)
		json_object_set_string_member(f->extra, "last_block_day",
		    x->last_block_day);
	json_object_set_string_member(f->extra, "delisting",
	    "https://sender.office.com");
	g_ptr_array_add(out, f);
}

void
an_mta_rule_range_blocked(GPtrArray *out, const struct an_mta_range *r,
    const struct an_params *p)
{
	struct an_finding *f;

	if (r->ips_blocked < MAX(2, p->range_min_ips))
		return;
	f = an_finding_new("cidr", r->net, "range-blocked", AN_CRITICAL);
	f->message = g_strdup_printf("Microsoft blocked %d of %d IPs in %s "
	    "(%s), first at %s UTC: the range is on its block list; request "
	    "delisting at https://sender.office.com", r->ips_blocked, r->ips,
	    r->net, r->codes ? r->codes : "no code",
	    r->first_block_at ? r->first_block_at : "?");
	json_object_set_int_member(f->extra, "ips", r->ips);
	json_object_set_int_member(f->extra, "ips_blocked", r->ips_blocked);
	json_object_set_string_member(f->extra, "blocked_ips",
	    r->blocked_ips ? r->blocked_ips : "");
	json_object_set_string_member(f->extra, "codes",
	    r->codes ? r->codes : "");
	json_object_set_string_member(f->extra, "first_block_at",
	    r->first_block_at ? r->first_block_at : "");
	json_object_set_double_member(f->extra, "blocked", r->b_day);
	json_object_set_string_member(f->extra, "delisting",
	    "https://sender.office.com");
	g_ptr_array_add(out, f);
}

void
an_mta_findings(GPtrArray *out, GPtrArray *ips, const struct an_params *p)
{
	GPtrArray *ranges;

	for (guint i = 0; i < ips->len; i++)
		an_mta_test_throttle(ips->pdata[i], p);
	an_mta_correct(ips);
	for (guint i = 0; i < ips->len; i++) {
		an_mta_rule_blocked(out, ips->pdata[i]);
		an_mta_rule_throttled(out, ips->pdata[i], p);
	}
	ranges = an_mta_ranges(ips);
	for (guint i = 0; i < ranges->len; i++)
		an_mta_rule_range_blocked(out, ranges->pdata[i], p);
	g_ptr_array_free(ranges, TRUE);
}

/*
 * an_backtest - block events, the warnings before them, the peer rules and
 * the summary (definitions in doc/backtest.md). Block events and facts are
 * read with set-based queries; the episode arithmetic is in the pure
 * functions of an_backtest.h, unit-tested on their own.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/an_backtest.h"
#include "analyze/an_facts.h"
#include "analyze/an_rules.h"
#include "analyze/an_run.h"
#include "common/rw_error.h"
#include "common/rw_ip.h"
#include "common/rw_util.h"

void
an_backtest_params_default(struct an_backtest_params *out)
{
	*out = (struct an_backtest_params){
		.lookback_days = 30,
		.episode_gap_days = 2,
		.block_gap_days = 14,
		.horizon_days = 14,
		.fixed_rate = 0.003,
		.week_rate = 0.001,
		.week_min_recipients = 1000,
	};
}

void
an_backtest_block_free(struct an_backtest_block *b)
{
	if (b == NULL)
		return;
	g_free(b->subject);
	g_free(b->block_day);
	g_free(b->block_source);
	g_free(b->code);
	g_free(b->first_warning_day);
	g_free(b->rule);
	g_free(b);
}

void
an_backtest_result_clear(struct an_backtest_result *r)
{
	g_free(r->from);
	g_free(r->to);
	if (r->blocks != NULL)
		g_ptr_array_free(r->blocks, TRUE);
	*r = (struct an_backtest_result){0};
}

/* ---- pure parts ------------------------------------------------------ */

int
an_backtest_first_warning(const int *days, size_t n, int block, int gap,
    int lookback)
{
	size_t i = n;
	int first;

	while (i > 0 && days[i - 1] > block)
		i--;
	if (i == 0 || block - days[i - 1] > gap ||
	    days[i - 1] < block - lookback)
		return AN_BT_NONE;
	first = days[--i];
	while (i > 0 && first - days[i - 1] <= gap &&
	    days[i - 1] >= block - lookback)
		first = days[--i];
	return first;
}

size_t
an_backtest_episode_starts(int *out, const int *days, size_t n, int gap)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (i > 0 && days[i] == days[i - 1])
			continue;
		if (i == 0 || days[i] - days[i - 1] > gap)
			out[k++] = days[i];
	}
	return k;
}

static int
int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

double
an_backtest_median(const int *v, size_t n)
{
	int *s;
	double m;

	if (n == 0)
		return NAN;
	s = g_memdup2(v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), int_cmp);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + (double)s[n / 2]) / 2;
	g_free(s);
	return m;
}

void
an_backtest_peer_days(GArray *fixed, GArray *week,
    const struct an_bt_day *s, size_t n, const struct an_backtest_params *p)
{
	size_t from = 0;

	for (size_t i = 0; i < n; i++) {
		double sn = 0, sc = 0;

		if (isnan(s[i].recipients))
			continue;
		if (s[i].recipients > 0 &&
		    s[i].complaints / s[i].recipients > p->fixed_rate)
			g_array_append_val(fixed, s[i].day);
		while (s[from].day <= s[i].day - 7)
			from++;
		for (size_t j = from; j <= i; j++)
			if (!isnan(s[j].recipients)) {
				sn += s[j].recipients;
				sc += s[j].complaints;
			}
		if (sn >= p->week_min_recipients && sn > 0 &&
		    sc / sn > p->week_rate)
			g_array_append_val(week, s[i].day);
	}
}

/* ---- days ------------------------------------------------------------ */

static int
jday(const char *text)
{
	GDate d;

	if (text == NULL || rw_parse_date(&d, text) != 0)
		return AN_BT_NONE;
	return (int)g_date_get_julian(&d);
}

static char *
day_text(int julian)
{
	GDate d;
	char buf[11];

	g_date_clear(&d, 1);
	g_date_set_julian(&d, (guint32)julian);
	rw_format_date(buf, &d);
	return g_strdup(buf);
}

/* ---- block events ---------------------------------------------------- */

static void
sort_key(unsigned char out[17], const char *ip)
{
	struct rw_cidr c;

	memset(out, 0xff, 17);
	if (rw_ip_binary(&c, ip)) {
		out[0] = c.v4 ? 0 : 1;
		memcpy(out + 1, c.addr, 16);
	}
}

static struct an_backtest_block *
block_new(const char *lo, const char *hi, const char *day,
    const char *source, const char *code)
{
	struct an_backtest_block *b = g_new0(struct an_backtest_block, 1);

	b->subject = strcmp(lo, hi) == 0 ? g_strdup(lo) :
	    g_strdup_printf("%s-%s", lo, hi);
	b->block_day = g_strdup(day);
	b->block_source = g_strdup(source);
	b->code = code != NULL && *code ? g_strdup(code) : NULL;
	b->lead_days = b->peer_fixed_lead_days = b->peer_7day_lead_days =
	    AN_BT_NONE;
	sort_key(b->lo, lo);
	sort_key(b->hi, hi);
	return b;
}

/* the subject's first and last address as text (for SQL arrays) */
static void
subject_bounds(const struct an_backtest_block *b, char **lo, char **hi)
{
	const char *dash = strchr(b->subject, '-');

	*lo = dash ? g_strndup(b->subject, (size_t)(dash - b->subject)) :
	    g_strdup(b->subject);
	*hi = g_strdup(dash ? dash + 1 : b->subject);
}

/* an IP's block days, ascending: one event per episode start in range */
static void
mta_ip_events(GPtrArray *out, const PGresult *r, int from_row, int to_row,
    int first, int last, int gap)
{
	int n = to_row - from_row;
	int *days = g_new(int, n), *starts = g_new(int, n);
	size_t k;

	for (int i = 0; i < n; i++)
		days[i] = jday(PQgetvalue(r, from_row + i, 1));
	k = an_backtest_episode_starts(starts, days, (size_t)n, gap);
	for (size_t j = 0; j < k; j++) {
		int row = from_row;
		g_autofree char *day = NULL;
		const char *ip = PQgetvalue(r, from_row, 0);

		if (starts[j] < first || starts[j] > last)
			continue;
		while (jday(PQgetvalue(r, row, 1)) != starts[j])
			row++;
		day = day_text(starts[j]);
		g_ptr_array_add(out, block_new(ip, ip, day, "mta",
		    PQgetvalue(r, row, 2)));
	}
	g_free(days);
	g_free(starts);
}

static int
mta_events(GPtrArray *out, struct rw_db *db, const char *from,
    const char *to, const struct an_backtest_params *p)
{
	char gap[16];
	const char *params[] = {from, to, gap};
	PGresult *r = NULL;
	int rc, start = 0;

	snprintf(gap, sizeof(gap), "%d", p->block_gap_days);
	rc = rw_db_query(&r, db, "SELECT host(f.ip), f.day::text, "
	    "coalesce(f.block_code, '') FROM repwatch.mta_ip_day_facts("
	    "$1::date - $3::int, $2::date) f WHERE f.blocked > 0 "
	    "ORDER BY f.ip, f.day", 3, params);
	for (int i = 1; rc == 0 && i <= PQntuples(r); i++)
		if (i == PQntuples(r) || strcmp(PQgetvalue(r, i, 0),
		    PQgetvalue(r, start, 0)) != 0) {
			mta_ip_events(out, r, start, i, jday(from), jday(to),
			    p->block_gap_days);
			start = i;
		}
	PQclear(r);
	return rc;
}

/*
 * A listing is new on a snapshot when no source listed the range since the
 * source's snapshot before (for a source's first snapshot: since the
 * latest snapshot of any source before it), or listed it only junked and
 * it is blocked now. The very first snapshot has nothing before it: all
 * its listings are new (as the analyzer's "newly listed"). Sources listing
 * the same range on the same day give one event.
 */
static const char snds_events_sql[] =
    "WITH s AS (SELECT o.source, o.day, lag(o.day) OVER (PARTITION BY "
    "  o.source ORDER BY o.day) AS prev, (SELECT max(x.day) FROM "
    "  repwatch.snds_status_snapshot x WHERE x.day < o.day) AS prev_any "
    "  FROM repwatch.snds_status_snapshot o) "
    "SELECT DISTINCT ON (r.first_ip, r.last_ip, r.day) host(r.first_ip), "
    "  host(r.last_ip), r.day::text, CASE WHEN r.blocked THEN 'blocked' "
    "  ELSE 'junked' END || CASE WHEN r.reason <> '' THEN ': ' || r.reason "
    "  ELSE '' END "
    "FROM repwatch.snds_ip_status r "
    "JOIN s ON s.source = r.source AND s.day = r.day "
    "WHERE r.day BETWEEN $1::date AND $2::date "
    "  AND NOT EXISTS (SELECT 1 FROM repwatch.snds_ip_status q "
    "    WHERE q.first_ip = r.first_ip AND q.last_ip = r.last_ip "
    "    AND q.day < r.day AND q.day >= coalesce(s.prev, s.prev_any) "
    "    AND (q.blocked OR NOT r.blocked)) "
    "ORDER BY r.first_ip, r.last_ip, r.day, r.blocked DESC, r.source";

static int
snds_events(GPtrArray *out, struct rw_db *db, const char *from,
    const char *to)
{
	const char *params[] = {from, to};
	PGresult *r = NULL;
	int rc = rw_db_query(&r, db, snds_events_sql, 2, params);

	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		g_ptr_array_add(out, block_new(PQgetvalue(r, i, 0),
		    PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), "snds-status",
		    PQgetvalue(r, i, 3)));
	PQclear(r);
	return rc;
}

/* ---- the blocks as SQL arrays ---------------------------------------- */

struct block_arrays {
	GString *idx, *lo, *hi, *day;
};

static void
arrays_build(struct block_arrays *a, GPtrArray *blocks)
{
	char **lo = g_new0(char *, blocks->len + 1);
	char **hi = g_new0(char *, blocks->len + 1);
	const char **day = g_new0(const char *, blocks->len + 1);

	a->idx = g_string_new("{");
	a->lo = g_string_new(NULL);
	a->hi = g_string_new(NULL);
	a->day = g_string_new(NULL);
	for (guint i = 0; i < blocks->len; i++) {
		const struct an_backtest_block *b = blocks->pdata[i];

		g_string_append_printf(a->idx, "%s%u", i ? "," : "", i);
		subject_bounds(b, &lo[i], &hi[i]);
		day[i] = b->block_day;
	}
	g_string_append_c(a->idx, '}');
	rw_db_array_literal(a->lo, (const char *const *)lo, blocks->len);
	rw_db_array_literal(a->hi, (const char *const *)hi, blocks->len);
	rw_db_array_literal(a->day, day, blocks->len);
	g_strfreev(lo);
	g_strfreev(hi);
	g_free(day);
}

static void
arrays_free(struct block_arrays *a)
{
	g_string_free(a->idx, TRUE);
	g_string_free(a->lo, TRUE);
	g_string_free(a->hi, TRUE);
	g_string_free(a->day, TRUE);
}

#define BLOCKS_SQL                                                        \
	"unnest($1::int[], $2::inet[], $3::inet[], $4::date[]) "            \
	"AS b(i, lo, hi, day)"

/* ---- repwatch's warnings --------------------------------------------- */

/*
 * Warning-or-critical rows of the replay's history (alert_day) on the block
 * subject, an IP inside it, or a /24 overlapping it, in the lookback up to
 * the block day, by other rules than the block rules themselves; per block
 * and day the most severe rule first, then by name.
 */
static const char warnings_sql[] =
    "SELECT b.i, d.day::text, a.rule FROM " BLOCKS_SQL " "
    "JOIN repwatch.alert_day d ON d.day BETWEEN b.day - $5::int AND b.day "
    "JOIN repwatch.alert a ON a.id = d.alert_id "
    "WHERE d.severity IN ('warning', 'critical') "
    "  AND a.rule NOT IN ('blocked', 'range-blocked', 'listed') "
    "  AND ((CASE WHEN a.subject_kind = 'ip' THEN a.subject::inet END) "
    "       BETWEEN b.lo AND b.hi "
    "    OR (CASE WHEN a.subject_kind = 'cidr' AND strpos(a.subject, '-') "
    "       = 0 THEN a.subject::cidr END) IS NOT NULL "
    "       AND host(network(a.subject::cidr))::inet <= b.hi "
    "       AND host(broadcast(a.subject::cidr))::inet >= b.lo) "
    "ORDER BY b.i, d.day, repwatch.severity_rank(d.severity) DESC, a.rule";

/* the first warning of block B from its rows [FROM_ROW, TO_ROW) */
static void
block_warning(struct an_backtest_block *b, const PGresult *r, int from_row,
    int to_row, const struct an_backtest_params *p)
{
	GArray *days = g_array_new(FALSE, FALSE, sizeof(int));
	int block = jday(b->block_day), first;

	for (int i = from_row; i < to_row; i++) {
		int d = jday(PQgetvalue(r, i, 1));

		g_array_append_val(days, d);
	}
	first = an_backtest_first_warning((const int *)(void *)days->data,
	    days->len, block, p->episode_gap_days, p->lookback_days);
	for (int i = from_row; first != AN_BT_NONE && i < to_row; i++)
		if (jday(PQgetvalue(r, i, 1)) == first) {
			b->first_warning_day = day_text(first);
			b->rule = g_strdup(PQgetvalue(r, i, 2));
			b->lead_days = block - first;
			break;
		}
	g_array_free(days, TRUE);
}

/* call FN for each block's rows (column 0 = block index, ordered) */
static void
per_block(GPtrArray *blocks, const PGresult *r,
    void (*fn)(struct an_backtest_block *, const PGresult *, int, int,
    const struct an_backtest_params *), const struct an_backtest_params *p)
{
	int start = 0, n = PQntuples(r);

	for (int i = 1; i <= n; i++)
		if (i == n || strcmp(PQgetvalue(r, i, 0),
		    PQgetvalue(r, start, 0)) != 0) {
			long k = strtol(PQgetvalue(r, start, 0), NULL, 10);

			if (k >= 0 && (guint)k < blocks->len)
				fn(blocks->pdata[k], r, start, i, p);
			start = i;
		}
}

static int
block_query(PGresult **out, struct rw_db *db, const char *sql,
    struct block_arrays *a, const struct an_backtest_params *p)
{
	char lookback[16];
	const char *params[] = {a->idx->str, a->lo->str, a->hi->str,
	    a->day->str, lookback};

	snprintf(lookback, sizeof(lookback), "%d", p->lookback_days);
	return rw_db_query(out, db, sql, 5, params);
}

/* ---- peers ----------------------------------------------------------- */

/* the daily facts of the IPs inside each block subject, the lookback and
 * the 6 days before it (for the 7-day sums) */
static const char peers_sql[] =
    "SELECT b.i, host(f.ip), f.day::text, f.recipients, f.complaints FROM "
    BLOCKS_SQL " JOIN repwatch.an_ip_day f ON f.ip BETWEEN b.lo AND b.hi "
    "  AND f.day BETWEEN b.day - $5::int - 6 AND b.day "
    "ORDER BY b.i, f.ip, f.day";

static void
peer_ip(GArray *fixed, GArray *week, const PGresult *r, int from_row,
    int to_row, const struct an_backtest_params *p)
{
	size_t n = (size_t)(to_row - from_row);
	struct an_bt_day *s = g_new(struct an_bt_day, n);

	for (size_t i = 0; i < n; i++) {
		int row = from_row + (int)i;

		s[i].day = jday(PQgetvalue(r, row, 2));
		s[i].recipients = PQgetisnull(r, row, 3) ? NAN :
		    g_ascii_strtod(PQgetvalue(r, row, 3), NULL);
		s[i].complaints = g_ascii_strtod(PQgetvalue(r, row, 4), NULL);
	}
	an_backtest_peer_days(fixed, week, s, n, p);
	g_free(s);
}

static int
peer_lead(GArray *days, int block, const struct an_backtest_params *p)
{
	int first;

	g_array_sort(days, int_cmp);
	first = an_backtest_first_warning((const int *)(void *)days->data,
	    days->len, block, p->episode_gap_days, p->lookback_days);
	return first == AN_BT_NONE ? AN_BT_NONE : block - first;
}

static void
block_peers(struct an_backtest_block *b, const PGresult *r, int from_row,
    int to_row, const struct an_backtest_params *p)
{
	GArray *fixed = g_array_new(FALSE, FALSE, sizeof(int));
	GArray *week = g_array_new(FALSE, FALSE, sizeof(int));
	int start = from_row, block = jday(b->block_day);

	for (int i = from_row + 1; i <= to_row; i++)
		if (i == to_row || strcmp(PQgetvalue(r, i, 1),
		    PQgetvalue(r, start, 1)) != 0) {
			peer_ip(fixed, week, r, start, i, p);
			start = i;
		}
	b->peer_fixed_lead_days = peer_lead(fixed, block, p);
	b->peer_7day_lead_days = peer_lead(week, block, p);
	g_array_free(fixed, TRUE);
	g_array_free(week, TRUE);
}

/* ---- incidents and healthy IP-days ----------------------------------- */

/*
 * Incidents first seen in FROM..TO ($5, $6) that reached warning with a
 * rule other than the block rules; true when a blocked day overlapping
 * the subject fell between its first day and its end (the day it resolved,
 * else TO) plus the horizon ($7); pending when that end plus the horizon
 * is after TO; else false. A blocked day is a block event ($2..$4), any
 * day with a block answer or any day a listing was in force (the IP
 * status): an incident opening inside an ongoing block episode, after its
 * start, is true while the blocks go on.
 */
static const char incidents_sql[] =
    "WITH b AS (SELECT lo, hi, day FROM " BLOCKS_SQL " "
    "  UNION SELECT m.ip, m.ip, m.day FROM repwatch.mta_ip_day_facts("
    "    $5::date, $6::date) m WHERE m.blocked > 0 "
    "  UNION SELECT s.first_ip, s.last_ip, s.day FROM "
    "    repwatch.snds_ip_status s WHERE s.day BETWEEN $5::date "
    "    AND $6::date), "
    "i AS (SELECT i.first_day, (SELECT min(d.day) FROM "
    "    repwatch.incident_day d WHERE d.incident_id = i.id "
    "    AND d.state = 'resolved' AND d.day <= $6::date) AS end_day, "
    "  CASE WHEN i.kind = 'ip' THEN i.subject::inet "
    "    ELSE host(network(i.subject::cidr))::inet END AS lo, "
    "  CASE WHEN i.kind = 'ip' THEN i.subject::inet "
    "    ELSE host(broadcast(i.subject::cidr))::inet END AS hi "
    "  FROM repwatch.incident i "
    "  WHERE i.first_day BETWEEN $5::date AND $6::date "
    "  AND EXISTS (SELECT 1 FROM repwatch.incident_day d "
    "    WHERE d.incident_id = i.id AND d.day <= $6::date "
    "    AND d.severity IN ('warning', 'critical') AND NOT d.rules <@ "
    "    ARRAY['blocked', 'range-blocked', 'listed']::text[])), "
    "j AS (SELECT EXISTS (SELECT 1 FROM b WHERE b.lo <= i.hi "
    "    AND b.hi >= i.lo AND b.day >= i.first_day AND b.day <= "
    "    coalesce(i.end_day, $6::date) + $7::int) AS t, "
    "  i.end_day IS NULL OR i.end_day + $7::int > $6::date AS pending "
    "  FROM i) "
    "SELECT count(*), count(*) FILTER (WHERE t), "
    "  count(*) FILTER (WHERE NOT t AND pending), "
    "  count(*) FILTER (WHERE NOT t AND NOT pending) FROM j";

/* IP-days with data (SNDS recipients or MTA attempts) without a block
 * answer that day and not on that day's IP-status snapshot */
static const char healthy_sql[] =
    "WITH m AS (SELECT f.ip, f.day, f.attempts, coalesce(f.blocked, 0) "
    "  AS blocked FROM repwatch.mta_ip_day_facts($1::date, $2::date) f), "
    "x AS (SELECT f.ip, f.day FROM repwatch.an_ip_day f "
    "  WHERE f.day BETWEEN $1::date AND $2::date "
    "  AND f.recipients IS NOT NULL "
    "  UNION SELECT m.ip, m.day FROM m WHERE m.attempts > 0) "
    "SELECT count(*) FROM x WHERE NOT EXISTS (SELECT 1 FROM m "
    "  WHERE m.ip = x.ip AND m.day = x.day AND m.blocked > 0) "
    "  AND NOT EXISTS (SELECT 1 FROM repwatch.snds_ip_status s "
    "  WHERE s.day = x.day AND x.ip BETWEEN s.first_ip AND s.last_ip)";

static long long
col_ll(const PGresult *r, int col)
{
	return g_ascii_strtoll(PQgetvalue(r, 0, col), NULL, 10);
}

static int
count_incidents(struct an_backtest_summary *s, struct rw_db *db,
    struct block_arrays *a, const char *from, const char *to,
    const struct an_backtest_params *p)
{
	char horizon[16];
	const char *params[] = {a->idx->str, a->lo->str, a->hi->str,
	    a->day->str, from, to, horizon};
	const char *hparams[] = {from, to};
	PGresult *r = NULL;
	int rc;

	snprintf(horizon, sizeof(horizon), "%d", p->horizon_days);
	rc = rw_db_query(&r, db, incidents_sql, 7, params);
	if (rc == 0) {
		s->incidents = (int)col_ll(r, 0);
		s->true_incidents = (int)col_ll(r, 1);
		s->pending_incidents = (int)col_ll(r, 2);
		s->false_incidents = (int)col_ll(r, 3);
	}
	PQclear(r);
	r = NULL;
	if (rc == 0)
		rc = rw_db_query(&r, db, healthy_sql, 2, hparams);
	if (rc == 0)
		s->healthy_ip_days = col_ll(r, 0);
	PQclear(r);
	s->false_per_1000 = s->healthy_ip_days > 0 ?
	    1000.0 * s->false_incidents / (double)s->healthy_ip_days : NAN;
	return rc;
}

/* ---- summary and order ----------------------------------------------- */

static void
lead_stats(int *out_warned, double *out_median, GPtrArray *blocks,
    size_t offset)
{
	int *leads = g_new(int, blocks->len + 1);
	size_t n = 0;

	for (guint i = 0; i < blocks->len; i++) {
		int lead = *(const int *)(const void *)
		    ((const char *)blocks->pdata[i] + offset);

		if (lead >= 1)
			leads[n++] = lead;
	}
	*out_warned = (int)n;
	*out_median = an_backtest_median(leads, n);
	g_free(leads);
}

static void
summarize(struct an_backtest_summary *s, GPtrArray *blocks)
{
	s->blocks = (int)blocks->len;
	lead_stats(&s->warned, &s->median_lead_days, blocks,
	    offsetof(struct an_backtest_block, lead_days));
	lead_stats(&s->peer_fixed_warned, &s->peer_fixed_median_lead_days,
	    blocks, offsetof(struct an_backtest_block, peer_fixed_lead_days));
	lead_stats(&s->peer_7day_warned, &s->peer_7day_median_lead_days,
	    blocks, offsetof(struct an_backtest_block, peer_7day_lead_days));
}

/* block day, first address, last address, source */
static gint
block_cmp(gconstpointer pa, gconstpointer pb)
{
	const struct an_backtest_block *a = *(const void *const *)pa;
	const struct an_backtest_block *b = *(const void *const *)pb;
	int c = strcmp(a->block_day, b->block_day);

	if (c == 0)
		c = memcmp(a->lo, b->lo, sizeof(a->lo));
	if (c == 0)
		c = memcmp(a->hi, b->hi, sizeof(a->hi));
	if (c == 0)
		c = strcmp(a->block_source, b->block_source);
	return c;
}

static int
judge(struct an_backtest_result *out, struct rw_db *db)
{
	struct block_arrays a;
	PGresult *r = NULL;
	int rc = mta_events(out->blocks, db, out->from, out->to,
	    &out->params);

	if (rc == 0)
		rc = snds_events(out->blocks, db, out->from, out->to);
	if (rc != 0)
		return rc;
	g_ptr_array_sort(out->blocks, block_cmp);
	arrays_build(&a, out->blocks);
	rc = block_query(&r, db, warnings_sql, &a, &out->params);
	if (rc == 0)
		per_block(out->blocks, r, block_warning, &out->params);
	PQclear(r);
	r = NULL;
	if (rc == 0)
		rc = block_query(&r, db, peers_sql, &a, &out->params);
	if (rc == 0)
		per_block(out->blocks, r, block_peers, &out->params);
	PQclear(r);
	if (rc == 0)
		rc = count_incidents(&out->summary, db, &a, out->from, out->to,
		    &out->params);
	arrays_free(&a);
	summarize(&out->summary, out->blocks);
	return rc;
}

static int
default_range(struct an_backtest_result *out, struct rw_db *db,
    const char *from, const char *to)
{
	char *first = NULL, *last = NULL;
	int rc = 0;

	if (from == NULL || to == NULL)
		rc = an_facts_data_days(&first, &last, db);
	if (rc == 0 && (from == NULL || to == NULL) && last == NULL) {
		rc = rw_error_set(RW_EDATA, "no data to backtest");
		rw_error_hint("Load SNDS data or MTA logs first.");
	}
	if (rc == 0) {
		out->from = g_strdup(from != NULL ? from : first);
		out->to = g_strdup(to != NULL ? to : last);
	}
	if (rc == 0 && (jday(out->from) == AN_BT_NONE ||
	    jday(out->to) == AN_BT_NONE || jday(out->from) > jday(out->to)))
		rc = rw_error_set(RW_EUSAGE, "invalid day range %s..%s",
		    out->from, out->to);
	g_free(first);
	g_free(last);
	return rc;
}

int
an_backtest_run(struct an_backtest_result *out, struct rw_db *db,
    const struct rw_config *cfg, const char *from, const char *to,
    bool replay)
{
	struct an_params ap;
	struct an_run_totals t;
	int rc;

	*out = (struct an_backtest_result){0};
	out->blocks = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)an_backtest_block_free);
	an_backtest_params_default(&out->params);
	an_params_load(&ap, cfg);
	out->params.episode_gap_days = ap.resolve_days > 0 ?
	    ap.resolve_days : 1;
	rc = default_range(out, db, from, to);
	if (rc == 0 && replay) {
		rc = an_run_analyze(&t, db, cfg, out->from, out->to);
		out->days = t.days;
	}
	if (rc == 0 && !replay)
		rc = an_facts_refresh(NULL, db);
	if (rc == 0)
		rc = judge(out, db);
	if (rc != 0)
		rw_error_prefix("backtest %s..%s", out->from ? out->from : "",
		    out->to ? out->to : "");
	return rc;
}

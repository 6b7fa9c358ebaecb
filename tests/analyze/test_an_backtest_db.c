/*
 * test_an_backtest_db - analyze/an_backtest on a real PostgreSQL (label
 * db). Three scenarios:
 *
 *  - stored: a month of hand-made findings written as an_run_day writes
 *    them (alert_day, incidents), SNDS days and complaints for the peer
 *    rules, Microsoft block answers in mta_attempt_hour and an SNDS IP
 *    status with a missing day, a duplicate source and a junked range
 *    turning blocked. The backtest (no replay) must report each block's
 *    day, source, code, first warning day, rule and lead, the peers'
 *    leads, and the summary, exactly (got/want per block);
 *  - ongoing episode: incidents opening after a block episode's start,
 *    while its blocks (answers, a listing in force) go on, are true;
 *  - replay: generated daily data as the feeds deliver it (complaint
 *    rates rising for days before a block, SNDS filter colours that
 *    flicker, a day missing from every feed and an IP-day reported by two
 *    sources, a sudden block with nothing before it, an IP warned of that
 *    is never blocked, a range junked on the IP status); replayed twice,
 *    the results must be identical, and the blocks what the data says.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "analyze/an_backtest.h"
#include "common/rw_error.h"
#include "tests/common/testdb.h"

#include "an_day_lib.h"

#define NONE AN_BT_NONE
#define JUNK "Junked due to user complaints or other evidence of spamming"
#define BLOCK "Blocked due to user complaints or other evidence of spamming"

static void
exec(struct testdb_fx *f, const char *sql)
{
	testdb_check_rc(rw_db_exec(f->db, sql), sql);
}

struct want {
	const char *subject, *day, *source, *code, *first, *rule;
	int lead, fixed, week;
};

static void
check_str(size_t i, const char *what, const char *got, const char *want)
{
	if (g_strcmp0(got, want) != 0)
		fail_msg("block %zu: %s got %s, want %s", i, what,
		    got ? got : "(none)", want ? want : "(none)");
}

static void
check_int(size_t i, const char *what, int got, int want)
{
	if (got != want)
		fail_msg("block %zu: %s got %d, want %d", i, what, got, want);
}

static void
check_blocks(const struct an_backtest_result *r, const struct want *w,
    size_t n)
{
	for (size_t i = 0; i < r->blocks->len && i < n; i++) {
		const struct an_backtest_block *b = r->blocks->pdata[i];

		check_str(i, "subject", b->subject, w[i].subject);
		check_str(i, "block_day", b->block_day, w[i].day);
		check_str(i, "block_source", b->block_source, w[i].source);
		check_str(i, "code", b->code, w[i].code);
		check_str(i, "first_warning_day", b->first_warning_day,
		    w[i].first);
		check_str(i, "rule", b->rule, w[i].rule);
		check_int(i, "lead_days", b->lead_days, w[i].lead);
		check_int(i, "peer_fixed_lead_days", b->peer_fixed_lead_days,
		    w[i].fixed);
		check_int(i, "peer_7day_lead_days", b->peer_7day_lead_days,
		    w[i].week);
	}
	if (r->blocks->len != n)
		fail_msg("got %u blocks, want %zu", r->blocks->len, n);
}

/* ---- stored: a month of hand-made findings -------------------------- */

static const char stored_facts[] =
    /* SNDS: five IPs, every day of March 2026 */
    "INSERT INTO repwatch.snds_daily (source, ip, activity_start, "
    "  activity_end, day, rcpt_commands, data_commands, recipients, "
    "  filter, complaint_rate_text, raw_start, raw_end) "
    "SELECT 't', v.ip::inet, (d + time '08:00') AT TIME ZONE 'UTC', "
    "  (d + 1 + time '08:00') AT TIME ZONE 'UTC', d, v.n, v.n, v.n, "
    "  'GREEN', '< 0.1%', 'x', 'x' "
    "FROM (SELECT date '2026-02-28' + k AS d FROM generate_series(1, 31) "
    "  k) g, (VALUES ('192.0.2.1', 1000), ('192.0.2.2', 2000), "
    "  ('192.0.2.3', 1000), ('192.0.2.5', 1000), ('198.51.100.8', 500)) "
    "  v(ip, n);"
    /* complaints at 20:00 UTC (noon in the analyzer's zone) */
    "INSERT INTO repwatch.arf_report (content_sha256, mailbox, format, "
    "  feedback_type, source_ip, arrival_date) "
    "SELECT md5(c.ip || k || '/' || j), 'test', 'arf', 'abuse', "
    "  c.ip::inet, (date '2026-02-28' + k + time '20:00') AT TIME ZONE "
    "  'UTC' "
    "FROM (VALUES ('192.0.2.1', 1, 8, 1), ('192.0.2.1', 9, 11, 2), "
    "  ('192.0.2.1', 12, 16, 5), ('198.51.100.8', 21, 24, 2)) "
    "  c(ip, d1, d2, n), generate_series(c.d1, c.d2) k, "
    "  generate_series(1, c.n) j;"
    /* Microsoft's answers: deliveries every day, blocks on four days */
    "INSERT INTO repwatch.mta_attempt_hour (source, ip, hour, class, code, "
    "  enhanced, reply, attempts, first_at, last_at, answer) "
    "SELECT 'pf', '192.0.2.1', h, 'delivered', '', '2.6.0', 250, 40, h, "
    "  h + interval '59 minutes', NULL "
    "FROM (SELECT (date '2026-02-28' + k + time '19:00') AT TIME ZONE "
    "  'UTC' AS h FROM generate_series(1, 31) k) g "
    "UNION ALL "
    "SELECT 'pf', b.ip::inet, h, 'blocked', b.code, b.enh, 550, 3, h, "
    "  h + interval '30 minutes', '550 ' || b.enh || ' ...' "
    "FROM (VALUES ('192.0.2.1', 15, 'S3150', '5.7.1'), "
    "  ('192.0.2.1', 16, 'S3150', '5.7.1'), "
    "  ('192.0.2.1', 31, 'S3150', '5.7.1'), "
    "  ('192.0.2.2', 20, '5.7.606', '5.7.606')) b(ip, k, code, enh), "
    "  LATERAL (SELECT (date '2026-02-28' + b.k + time '21:00') AT TIME "
    "  ZONE 'UTC' AS h) g;"
    /* the IP status: no snapshot on the 26th (a late day), a second
     * source on the 24th, the range junked from the 24th, blocked on the
     * 28th */
    "INSERT INTO repwatch.snds_status_snapshot (source, day, ranges) "
    "VALUES ('t', '2026-03-22', 0), ('t', '2026-03-24', 1), "
    "  ('u', '2026-03-24', 1), ('t', '2026-03-25', 1), "
    "  ('t', '2026-03-27', 1), ('t', '2026-03-28', 1);"
    "INSERT INTO repwatch.snds_ip_status (source, day, first_ip, last_ip, "
    "  blocked, reason) "
    "SELECT s, d::date, '198.51.100.8', '198.51.100.9', b, r "
    "FROM (VALUES ('t', '2026-03-24', false, '" JUNK "'), "
    "  ('u', '2026-03-24', false, '" JUNK "'), "
    "  ('t', '2026-03-25', false, '" JUNK "'), "
    "  ('t', '2026-03-27', false, '" JUNK "'), "
    "  ('t', '2026-03-28', true, '" BLOCK "')) v(s, d, b, r)";

/* the findings of each day of March (index = day of month) */
static const char *const stored_findings[32] = {
	[2] = "ip 192.0.2.5 trap warning",
	[5] = "ip 192.0.2.3 level warning",
	[6] = "ip 192.0.2.3 level warning",
	[7] = "ip 192.0.2.3 level warning",
	[9] = "cidr 192.0.2.0/24 range-level warning",
	[10] = "ip 192.0.2.1 rising warning",
	[11] = "ip 192.0.2.1 rising warning",
	[12] = "ip 192.0.2.1 rising warning",
	[13] = "ip 192.0.2.1 rising warning; ip 192.0.2.1 level critical",
	[14] = "ip 192.0.2.1 rising warning; ip 192.0.2.1 level critical",
	[15] = "ip 192.0.2.1 blocked critical",
	[16] = "ip 192.0.2.1 blocked critical",
	[18] = "ip 192.0.2.2 listed critical",
	[19] = "ip 192.0.2.2 level info",
	[20] = "ip 192.0.2.2 blocked critical; "
	    "cidr 198.51.100.0/24 range-rising warning",
	[21] = "cidr 198.51.100.0/24 range-rising warning",
	[22] = "cidr 198.51.100.0/24 range-rising warning",
	[23] = "cidr 198.51.100.0/24 range-rising warning",
	[24] = "cidr 198.51.100.8-198.51.100.9 listed warning",
	[30] = "ip 192.0.2.1 throttled warning",
	[31] = "ip 192.0.2.1 blocked critical",
};

static const struct want stored_want[] = {
	/* range-level on its /24 the day before the IP's own rising */
	{"192.0.2.1", "2026-03-15", "mta", "S3150", "2026-03-09",
	    "range-level", 6, 3, 6},
	/* sudden: the listed, info and blocked rows do not count */
	{"192.0.2.2", "2026-03-20", "mta", "5.7.606", NULL, NULL, NONE, NONE,
	    NONE},
	/* two sources on the 24th: one event */
	{"198.51.100.8-198.51.100.9", "2026-03-24", "snds-status",
	    "junked: " JUNK, "2026-03-20", "range-rising", 4, 3, 2},
	/* junked to blocked; the warnings ended 5 days before (episode
	 * over), the 7-day peer still holds from the 22nd */
	{"198.51.100.8-198.51.100.9", "2026-03-28", "snds-status",
	    "blocked: " BLOCK, NULL, NULL, NONE, NONE, 6},
	/* 15 days without a block answer: a new episode */
	{"192.0.2.1", "2026-03-31", "mta", "S3150", "2026-03-30",
	    "throttled", 1, NONE, NONE},
};

static struct rw_config *
config(void)
{
	struct rw_config *cfg = NULL;

	testdb_check_rc(rw_config_load_data(&cfg, NULL, NULL), "config");
	testdb_check_rc(rw_config_set(cfg, "analyze", "resolve_days", "2"),
	    "resolve_days");
	return cfg;
}

/* FACTS loaded, then March 2026 analyzed day by day with FINDINGS (by
 * day of the month) and backtested stored: *OUT_CFG to free */
static void
backtest_march(struct an_backtest_result *r, struct rw_config **out_cfg,
    struct testdb_fx *f, const char *facts, const char *const findings[32])
{
	*out_cfg = config();
	exec(f, facts);
	for (int d = 1; d <= 31; d++) {
		char day[11];

		snprintf(day, sizeof(day), "2026-03-%02d", d);
		an_day_write(f, day, findings[d] ? findings[d] : "", 2);
	}
	testdb_check_rc(an_backtest_run(r, f->db, *out_cfg, "2026-03-01",
	    "2026-03-31", false), "backtest");
}

static void
test_stored(void **state)
{
	struct testdb_fx *f = *state;
	struct an_backtest_result r;
	struct rw_config *cfg;
	const struct an_backtest_summary *s = &r.summary;

	TESTDB_REQUIRE();
	backtest_march(&r, &cfg, f, stored_facts, stored_findings);
	check_blocks(&r, stored_want, G_N_ELEMENTS(stored_want));
	assert_int_equal(s->blocks, 5);
	assert_int_equal(s->warned, 3);              /* leads 6, 4, 1 */
	assert_true(s->median_lead_days == 4);
	assert_int_equal(s->peer_fixed_warned, 2);   /* 3, 3 */
	assert_true(s->peer_fixed_median_lead_days == 3);
	assert_int_equal(s->peer_7day_warned, 3);    /* 6, 2, 6 */
	assert_true(s->peer_7day_median_lead_days == 6);
	/* false: the trap on 192.0.2.5 and the level episode of 192.0.2.3,
	 * neither IP ever blocked; the rest led to a block */
	assert_int_equal(s->false_incidents, 2);
	assert_int_equal(s->pending_incidents, 0);
	assert_int_equal(s->true_incidents, s->incidents - 2);
	assert_true(s->true_incidents >= 3);
	/* 5 IPs x 31 days, less 4 days with block answers and 4 days
	 * 198.51.100.8 was on a snapshot (not the 26th: none that day) */
	assert_int_equal((int)s->healthy_ip_days, 147);
	assert_true(fabs(s->false_per_1000 - 2000.0 / 147) < 1e-9);
	an_backtest_result_clear(&r);
	rw_config_free(cfg);
}

/* ---- an incident inside an ongoing block episode ------------------- */

/*
 * 192.0.2.40 gets block answers on March 3, 10 and 17 (one episode: 14
 * days apart at most, its event the 3rd); 198.51.100.40-41 is on the IP
 * status from the 2nd to the 25th (one event, the 2nd). An incident opens
 * on each, after the event, while the blocks go on (throttled on the 8th,
 * rising on the 12th), and resolves weeks before the 31st: both led to a
 * blocked day and are true, not false.
 */
static const char episode_facts[] =
    "INSERT INTO repwatch.mta_attempt_hour (source, ip, hour, class, code, "
    "  enhanced, reply, attempts, first_at, last_at, answer) "
    "SELECT 'pf', '192.0.2.40', h, 'blocked', 'S3150', '5.7.1', 550, 3, h, "
    "  h + interval '30 minutes', '550 5.7.1 ... (S3150)' "
    "FROM (SELECT (date '2026-02-28' + k + time '21:00') AT TIME ZONE "
    "  'UTC' AS h FROM unnest(ARRAY[3, 10, 17]) k) g;"
    "INSERT INTO repwatch.snds_status_snapshot (source, day, ranges) "
    "SELECT 't', date '2026-02-28' + k, 1 FROM generate_series(2, 25) k;"
    "INSERT INTO repwatch.snds_ip_status (source, day, first_ip, last_ip, "
    "  blocked, reason) "
    "SELECT 't', date '2026-02-28' + k, '198.51.100.40', '198.51.100.41', "
    "  true, '" BLOCK "' FROM generate_series(2, 25) k";

static const char *const episode_findings[32] = {
	[3] = "ip 192.0.2.40 blocked critical",
	[8] = "ip 192.0.2.40 throttled warning",
	[9] = "ip 192.0.2.40 throttled warning",
	[10] = "ip 192.0.2.40 blocked critical",
	[12] = "ip 198.51.100.40 rising warning",
	[13] = "ip 198.51.100.40 rising warning",
	[17] = "ip 192.0.2.40 blocked critical",
};

static void
test_ongoing_episode(void **state)
{
	struct testdb_fx *f = *state;
	struct an_backtest_result r;
	struct rw_config *cfg;
	const struct an_backtest_summary *s = &r.summary;

	TESTDB_REQUIRE();
	backtest_march(&r, &cfg, f, episode_facts, episode_findings);
	assert_int_equal(s->blocks, 2);
	if (s->incidents != 2 || s->true_incidents != 2 ||
	    s->false_incidents != 0 || s->pending_incidents != 0)
		fail_msg("incidents: got %d (%d true, %d false, %d pending), "
		    "want 2 (2 true, 0 false, 0 pending)", s->incidents,
		    s->true_incidents, s->false_incidents,
		    s->pending_incidents);
	an_backtest_result_clear(&r);
	rw_config_free(cfg);
}

/* ---- replay: generated feeds ---------------------------------------- */

/*
 * 69 days from 2026-01-01 (day k = 2026-01-01 + k), u() a deterministic
 * uniform draw per IP, day and purpose. Ten clean IPs (~0.03 %), a riser
 * (192.0.2.20: 0.1 % on day 46 up to 1.5 %, YELLOW then RED, throttled on
 * days 50-51, blocked S3150 on 52-54), a sudden ban (192.0.2.21, day 30),
 * a four-day spike never blocked (192.0.2.22, days 25-28 at 0.8 %), a
 * colour that flickers (192.0.2.23), a /24 rising together from day 51
 * (198.51.100.30-35, junked as a range on the IP status from day 62; no
 * snapshot on day 61). Day 40 is missing from SNDS (a fetch gap), and
 * 192.0.2.10's day 35 comes from two sources.
 */
static const char replay_facts[] =
    "CREATE TEMPORARY TABLE g AS "
    "WITH v AS (SELECT ip, n, k, date '2026-01-01' + k AS d, "
    "  (hashtext(ip || '/' || k) & 1023) / 1024.0 AS u "
    "  FROM (VALUES ('192.0.2.10', 3000), ('192.0.2.11', 3100), "
    "  ('192.0.2.12', 2900), ('192.0.2.13', 3300), ('192.0.2.14', 2800), "
    "  ('192.0.2.15', 3000), ('192.0.2.16', 3200), ('192.0.2.17', 3000), "
    "  ('192.0.2.18', 2700), ('192.0.2.19', 3400), ('192.0.2.20', 3000), "
    "  ('192.0.2.21', 3000), ('192.0.2.22', 3000), ('192.0.2.23', 3000), "
    "  ('198.51.100.30', 1500), ('198.51.100.31', 1600), "
    "  ('198.51.100.32', 1400), ('198.51.100.33', 1500), "
    "  ('198.51.100.34', 1700), ('198.51.100.35', 1500)) x(ip, n), "
    "  generate_series(0, 68) k) "
    "SELECT ip, k, d, n + (hashtext(ip || k || 'n') & 255) AS n, u, "
    "  CASE WHEN ip = '192.0.2.20' AND k >= 46 THEN (ARRAY[0.001, 0.002, "
    "    0.0035, 0.005, 0.008, 0.012, 0.015])[least(k - 45, 7)] "
    "  WHEN ip = '192.0.2.22' AND k BETWEEN 25 AND 28 THEN 0.008 "
    "  WHEN ip LIKE '198.51.100.%' AND k >= 51 THEN "
    "    least(0.0025 + (k - 51) * 0.001, 0.006) "
    "  ELSE 0.0003 END AS rate, "
    "  CASE WHEN ip = '192.0.2.20' AND k >= 50 THEN 'RED' "
    "  WHEN ip = '192.0.2.20' AND k >= 48 THEN 'YELLOW' "
    "  WHEN ip = '192.0.2.23' AND (hashtext(ip || k || 'f') & 3) = 0 "
    "    THEN 'YELLOW' "
    "  WHEN ip LIKE '198.51.100.%' AND k >= 55 THEN 'YELLOW' "
    "  ELSE 'GREEN' END AS filter FROM v;"
    "INSERT INTO repwatch.snds_daily (source, ip, activity_start, "
    "  activity_end, day, rcpt_commands, data_commands, recipients, "
    "  filter, complaint_rate_text, complaint_rate_low, "
    "  complaint_rate_high, complaint_rate_high_open, raw_start, raw_end) "
    "SELECT s.src, g.ip::inet, (g.d + s.at) AT TIME ZONE 'UTC', "
    "  (g.d + 1 + time '08:00') AT TIME ZONE 'UTC', g.d, s.part * g.n, "
    "  s.part * g.n, s.part * g.n, g.filter, "
    "  CASE WHEN g.rate < 0.001 THEN '< 0.1%' "
    "    ELSE round(g.rate * 100, 1) || '%' END, "
    "  CASE WHEN g.rate < 0.001 THEN 0 ELSE round(g.rate, 3) END, "
    "  CASE WHEN g.rate < 0.001 THEN 0.001 ELSE round(g.rate, 3) END, "
    "  g.rate < 0.001, 'x', 'x' "
    "FROM g CROSS JOIN LATERAL (VALUES ('t', time '08:00', 1.0), "
    "  ('u', time '20:00', 0.5)) s(src, at, part) "
    "WHERE g.k <> 40 AND (CASE WHEN g.ip = '192.0.2.10' AND g.k = 35 "
    "  THEN s.src = 'u' OR s.part = 1.0 ELSE s.src = 't' END);"
    "UPDATE repwatch.snds_daily SET recipients = recipients / 2, "
    "  rcpt_commands = rcpt_commands / 2, data_commands = data_commands "
    "  / 2 WHERE ip = '192.0.2.10' AND day = '2026-02-05' AND source = 't';"
    "INSERT INTO repwatch.arf_report (content_sha256, mailbox, format, "
    "  feedback_type, source_ip, arrival_date) "
    "SELECT md5(g.ip || g.k || '/' || j), 'test', 'arf', 'abuse', "
    "  g.ip::inet, (g.d + time '20:00' + j * interval '1 minute') "
    "  AT TIME ZONE 'UTC' FROM g, generate_series(1, "
    "  floor(g.n * g.rate + g.u)::int) j;"
    "INSERT INTO repwatch.mta_attempt_hour (source, ip, hour, class, code, "
    "  enhanced, reply, attempts, first_at, last_at, answer) "
    "SELECT 'pf', a.ip::inet, h, a.class, a.code, a.enh, a.reply, a.n, h, "
    "  h + interval '59 minutes', a.answer "
    "FROM (SELECT ip, k, 'delivered', '', '2.6.0', 250, 300, NULL "
    "    FROM g WHERE ip IN ('192.0.2.20', '192.0.2.21') "
    "    AND NOT (ip = '192.0.2.20' AND k BETWEEN 52 AND 54) "
    "  UNION ALL SELECT '192.0.2.20', k, 'deferred-throttle', 'S775', "
    "    '4.7.650', 451, n, '451 4.7.650 ... (S775)' "
    "    FROM (VALUES (50, 130), (51, 250)) t(k, n) "
    "  UNION ALL SELECT '192.0.2.20', k, 'blocked', 'S3150', '5.7.1', 550, "
    "    200, '550 5.7.1 ... (S3150)' FROM generate_series(52, 54) k "
    "  UNION ALL SELECT '192.0.2.21', 30, 'blocked', '5.7.606', '5.7.606', "
    "    550, 50, '550 5.7.606 Access denied, banned sending IP') "
    "  a(ip, k, class, code, enh, reply, n, answer), "
    "  LATERAL (SELECT (date '2026-01-01' + a.k + time '20:00') AT TIME "
    "  ZONE 'UTC' AS h) x;"
    "INSERT INTO repwatch.snds_status_snapshot (source, day, ranges) "
    "SELECT 't', date '2026-01-01' + k, CASE WHEN k >= 62 THEN 1 ELSE 0 "
    "  END FROM generate_series(55, 68) k WHERE k <> 61;"
    "INSERT INTO repwatch.snds_ip_status (source, day, first_ip, last_ip, "
    "  blocked, reason) "
    "SELECT 't', date '2026-01-01' + k, '198.51.100.30', '198.51.100.35', "
    "  false, '" JUNK "' FROM generate_series(62, 68) k";

/* every field of R, for comparing two replays */
static char *
result_text(const struct an_backtest_result *r)
{
	const struct an_backtest_summary *s = &r->summary;
	GString *o = g_string_new(NULL);

	g_string_append_printf(o, "%s %s %d\n", r->from, r->to, r->days);
	for (guint i = 0; i < r->blocks->len; i++) {
		const struct an_backtest_block *b = r->blocks->pdata[i];

		g_string_append_printf(o, "%s|%s|%s|%s|%s|%s|%d|%d|%d\n",
		    b->subject, b->block_day, b->block_source,
		    b->code ? b->code : "-", b->first_warning_day ?
		    b->first_warning_day : "-", b->rule ? b->rule : "-",
		    b->lead_days, b->peer_fixed_lead_days,
		    b->peer_7day_lead_days);
	}
	g_string_append_printf(o, "%d %d %.17g %d %.17g %d %.17g %d %d %d %d "
	    "%lld %.17g\n", s->blocks, s->warned, s->median_lead_days,
	    s->peer_fixed_warned, s->peer_fixed_median_lead_days,
	    s->peer_7day_warned, s->peer_7day_median_lead_days, s->incidents,
	    s->true_incidents, s->pending_incidents, s->false_incidents,
	    s->healthy_ip_days, s->false_per_1000);
	return g_string_free(o, FALSE);
}

static const struct want replay_want[] = {
	{"192.0.2.21", "2026-01-31", "mta", "5.7.606", NULL, NULL, NONE,
	    NONE, NONE},
	/* YELLOW on day 48 (0.35 %): the filter rule, as early as the
	 * peers (the 0.1 % and 0.2 % days before are within noise) */
	{"192.0.2.20", "2026-02-22", "mta", "S3150", "2026-02-18", "filter",
	    4, 4, 4},
	/* six IPs at 0.25 % together: range-rising on the first day, a day
	 * before either peer */
	{"198.51.100.30-198.51.100.35", "2026-03-04", "snds-status",
	    "junked: " JUNK, "2026-02-21", "range-rising", 11, 10, 10},
};

static void
test_replay(void **state)
{
	struct testdb_fx *f = *state;
	struct an_backtest_result r1, r2;
	struct rw_config *cfg;
	char *t1, *t2;

	TESTDB_REQUIRE();
	cfg = config();
	exec(f, replay_facts);
	testdb_check_rc(an_backtest_run(&r1, f->db, cfg, NULL, NULL, true),
	    "first replay");
	t1 = result_text(&r1);
	assert_string_equal(r1.from, "2026-01-01");
	assert_string_equal(r1.to, "2026-03-10");
	assert_int_equal(r1.days, 69);
	check_blocks(&r1, replay_want, G_N_ELEMENTS(replay_want));
	/* three incidents: the riser's and the range's led to their blocks,
	 * the spike of 192.0.2.22 to nothing */
	assert_int_equal(r1.summary.incidents, 3);
	assert_int_equal(r1.summary.true_incidents, 2);
	assert_int_equal(r1.summary.false_incidents, 1);
	assert_int_equal(r1.summary.pending_incidents, 0);
	testdb_check_rc(rw_db_query1(&t2, f->db, "SELECT count(*) FROM "
	    "repwatch.incident WHERE subject = '192.0.2.22'", 0, NULL), "q");
	assert_string_equal(t2, "1");
	g_free(t2);
	/* 20 IPs x 68 days with SNDS (day 40 missing) + 2 MTA IP-days on day
	 * 40, less 4 IP-days with block answers and 6 IPs x 7 days listed */
	assert_int_equal((int)r1.summary.healthy_ip_days, 1316);
	testdb_check_rc(an_backtest_run(&r2, f->db, cfg, NULL, NULL, true),
	    "second replay");
	t2 = result_text(&r2);
	assert_string_equal(t1, t2);
	g_free(t1);
	g_free(t2);
	an_backtest_result_clear(&r1);
	an_backtest_result_clear(&r2);
	rw_config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stored,
		    testdb_fx_setup, testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_ongoing_episode,
		    testdb_fx_setup, testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_replay,
		    testdb_fx_setup, testdb_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

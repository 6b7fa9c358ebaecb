/*
 * test_an_mta_db - the MTA rules end to end on a real PostgreSQL (label
 * db): rows in repwatch.mta_attempt_hour as mta_load_run stores them, with
 * Microsoft's real answer texts, then the analyzer as nightly runs it
 * (an_run_pending, an_run_range).
 *
 *  - a database with MTA logs only (no SNDS, no JMRP) is analyzed: a
 *    throttle rise gives throttled from its first day, a block gives
 *    blocked (critical, with the S-code) on its day, two blocked IPs of a
 *    /24 a range-blocked; a steady 2 % throttle share (binomial noise,
 *    weekday/weekend volume) never alerts over 60 days, at high and low
 *    volume;
 *  - real feeds (test_real_feeds: lognormal day-to-day spread, weekends,
 *    retries): at most 1 false throttled per 1,000 steady IP-days, and a
 *    x4 rise warned on its first day;
 *  - today, while it runs, is judged over throttle_days, not alone;
 *  - SNDS data that stops while MTA data goes on raises no ip-missing;
 *  - a complaint level finding and an MTA blocked finding on one IP are
 *    one incident, critical, with both rules and the block's message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>
#include <math.h>

#include "analyze/an_alerts.h"
#include "analyze/an_facts.h"
#include "analyze/an_incidents.h"
#include "analyze/an_run.h"
#include "common/rw_error.h"
#include "common/rw_util.h"
#include "tests/common/testdb.h"

#define NDAYS 60
/* day 0 = 2026-01-01; the analyzer's zone is the default
 * (America/Los_Angeles, UTC-8 in these months): UTC hours 15..23 are the
 * same day there */
#define DAY0_Y 2026
#define DAY0_M 1
#define DAY0_D 1

static const char throttle_text[] =
    "451 4.7.650 The mail server [%s] has been temporarily rate limited "
    "due to IP reputation. For e-mail delivery information, see "
    "https://aka.ms/postmaster (S775) [Name=Protocol Filter Agent]"
    "[AGT=PFA][MxId=11BA6A61D9B0E0C3] [DB8EUR05FT011.eop-eur05.prod."
    "protection.outlook.com 2026-01-05T15:02:11.000Z 08DE2B2F2E7D8F31]";
static const char block_text[] =
    "550 5.7.1 Unfortunately, messages from [%s] weren't sent. Please "
    "contact your Internet service provider since part of their network "
    "is on our block list (%s). You can also refer your provider to "
    "http://mail.live.com/mail/troubleshooting.aspx#errors. "
    "[AM4PEPF00027A6C.eurprd04.prod.outlook.com 2026-02-14T17:42:05.000Z "
    "08DE4A1C77B1E2F0]";

static void
day_text(char out[11], int d)
{
	GDate g;

	g_date_clear(&g, 1);
	g_date_set_dmy(&g, DAY0_D, DAY0_M, DAY0_Y);
	g_date_add_days(&g, (guint)d);
	rw_format_date(out, &g);
}

static bool
weekend(int d)
{
	GDate g;
	GDateWeekday w;

	g_date_clear(&g, 1);
	g_date_set_dmy(&g, DAY0_D, DAY0_M, DAY0_Y);
	g_date_add_days(&g, (guint)d);
	w = g_date_get_weekday(&g);
	return w == G_DATE_SATURDAY || w == G_DATE_SUNDAY;
}

/* one sending IP's days: volume, throttle share, blocks */
struct sender {
	const char *ip;
	double weekday, weekend;   /* attempts a day */
	double share;              /* usual throttle share */
	int rise_from, rise_to;    /* days at rise_share (-1 none) */
	double rise_share;
	int block_day;             /* -1 none */
	const char *block_code;
};

/* Binomial(n, p) by n Bernoulli draws: the flicker of a steady share */
static long long
binomial(GRand *r, long long n, double p)
{
	long long k = 0;

	for (long long i = 0; i < n; i++)
		k += g_rand_double(r) < p;
	return k;
}

static void
copy_row(struct rw_copy *c, const struct sender *s, int d, int hour,
    const char *class, const char *code, const char *enhanced, int reply,
    long long n, const char *answer)
{
	char day[11], ts[64], first[64], last[64];

	day_text(day, d);
	snprintf(ts, sizeof(ts), "%s %02d:00:00+00", day, hour);
	snprintf(first, sizeof(first), "%s %02d:%02d:05+00", day, hour,
	    strcmp(class, "blocked") == 0 ? 42 : 0);
	snprintf(last, sizeof(last), "%s %02d:59:31+00", day, hour);
	rw_copy_field(c, "postfix-main");
	rw_copy_field(c, s->ip);
	rw_copy_field(c, ts);
	rw_copy_field(c, class);
	rw_copy_field(c, code);
	rw_copy_field(c, enhanced);
	if (reply > 0)
		rw_copy_field_int(c, reply);
	else
		rw_copy_field(c, NULL);
	rw_copy_field_int(c, n);
	rw_copy_field(c, first);
	rw_copy_field(c, last);
	rw_copy_field(c, answer);
	rw_copy_field(c, answer ? s->ip : NULL);
	testdb_check_rc(rw_copy_end_row(c), "copy row");
}

/* three hours a day (07:00, 11:00 and 15:00 in the analyzer's zone) */
static void
copy_sender(struct rw_copy *c, GRand *r, const struct sender *s)
{
	g_autofree char *thr = g_strdup_printf(throttle_text, s->ip);

	for (int d = 0; d < NDAYS; d++) {
		double share = d >= s->rise_from && d <= s->rise_to ?
		    s->rise_share : s->share;
		long long n = (long long)((weekend(d) ? s->weekend :
		    s->weekday) / 3);

		for (int h = 15; h <= 23; h += 4) {
			long long t = binomial(r, n, share);

			if (n - t > 0)
				copy_row(c, s, d, h, "delivered", "", "2.6.0",
				    250, n - t, NULL);
			if (t > 0)
				copy_row(c, s, d, h, "deferred-throttle",
				    "S775", "4.7.650", 451, t, thr);
		}
		if (d == s->block_day) {
			g_autofree char *blk = g_strdup_printf(block_text,
			    s->ip, s->block_code);

			copy_row(c, s, d, 17, "blocked", s->block_code,
			    "5.7.1", 550, 37, blk);
		}
	}
}

static void
load_senders(struct rw_db *db, const struct sender *s, size_t n)
{
	struct rw_copy *c = NULL;
	GRand *r = g_rand_new_with_seed(15);

	testdb_check_rc(rw_copy_begin(&c, db, "repwatch.mta_attempt_hour",
	    "source, ip, hour, class, code, enhanced, reply, attempts, "
	    "first_at, last_at, answer, answer_ip"), "copy");
	for (size_t i = 0; i < n; i++)
		copy_sender(c, r, &s[i]);
	testdb_check_rc(rw_copy_finish(c, NULL), "copy finish");
	g_rand_free(r);
}

/* every alert episode "SUBJECT RULE SEVERITY FIRST..LAST DAYS", sorted */
static char *
alert_summary(struct rw_db *db)
{
	char *v = NULL;

	testdb_check_rc(rw_db_query1(&v, db, "SELECT coalesce(string_agg(l, E'\\n' "
	    "ORDER BY l), '') FROM (SELECT a.subject || ' ' || a.rule || ' ' "
	    "|| d.severity || ' ' || min(d.day) || '..' || max(d.day) || ' ' "
	    "|| count(*) AS l FROM repwatch.alert a JOIN repwatch.alert_day d "
	    "ON d.alert_id = a.id GROUP BY a.subject, a.rule, d.severity) x",
	    0, NULL), "alerts");
	return v;
}

static void
expect_text(const char *what, const char *got, const char *want)
{
	if (g_strcmp0(got, want) != 0) {
		print_error("%s:\n got:\n%s\n want:\n%s\n", what, got, want);
		fail();
	}
}

static char *
query1(struct rw_db *db, const char *sql)
{
	char *v = NULL;

	testdb_check_rc(rw_db_query1(&v, db, sql, 0, NULL), sql);
	return v;
}

/*
 * MTA logs only. 203.0.113.5 (15,000 a weekday, 2 %) is throttled at
 * 10 % from 2026-02-10 and blocked (S3150) on 2026-02-14; 192.0.2.10 and
 * .11 are both blocked (S3140) on 2026-02-20; 198.51.100.7 (20,000 a
 * weekday) and 198.51.100.8 (150 a day) stay at 2 % throughout.
 */
static const struct sender mta_only[] = {
	{"203.0.113.5", 15000, 5000, 0.02, 40, 44, 0.10, 44, "S3150"},
	{"198.51.100.7", 20000, 7000, 0.02, -1, -1, 0, -1, NULL},
	{"198.51.100.8", 150, 150, 0.02, -1, -1, 0, -1, NULL},
	{"192.0.2.10", 3000, 1000, 0.02, -1, -1, 0, 50, "S3140"},
	{"192.0.2.11", 3000, 1000, 0.02, -1, -1, 0, 50, "S3140"},
};

static void
test_mta_only(void **state)
{
	struct testdb_fx *f = *state;
	struct an_params p;
	char *from = NULL, *to = NULL;
	g_autofree char *got = NULL, *days = NULL, *msg = NULL;
	g_autofree char *inc = NULL, *missing = NULL;

	TESTDB_REQUIRE();
	load_senders(f->db, mta_only, G_N_ELEMENTS(mta_only));
	testdb_check_rc(an_run_pending(&from, &to, f->db), "pending");
	expect_text("pending days", from, "2026-01-01");
	expect_text("pending to", to, "2026-03-01");
	an_params_default(&p);
	testdb_check_rc(an_run_range(f->db, from, to, &p), "analyze");
	g_free(from);
	g_free(to);

	days = query1(f->db, "SELECT count(*) || ' ' || min(day) || ' ' || "
	    "max(day) || ' ' || min(subjects) FROM repwatch.analysis_run");
	expect_text("analyzed days", days, "60 2026-01-01 2026-03-01 5");
	/* nothing but the rise, the blocks and the blocked range; the
	 * steady senders never alert */
	got = alert_summary(f->db);
	expect_text("alerts", got,
	    "192.0.2.0/24 range-blocked critical 2026-02-20..2026-02-20 1\n"
	    "192.0.2.10 blocked critical 2026-02-20..2026-02-20 1\n"
	    "192.0.2.11 blocked critical 2026-02-20..2026-02-20 1\n"
	    "203.0.113.5 blocked critical 2026-02-14..2026-02-14 1\n"
	    "203.0.113.5 throttled warning 2026-02-10..2026-02-14 5");
	msg = query1(f->db, "SELECT d.details->>'message' FROM "
	    "repwatch.alert a JOIN repwatch.alert_day d ON d.alert_id = a.id "
	    "WHERE a.rule = 'blocked' AND a.subject = '203.0.113.5'");
	if (msg == NULL || strstr(msg, "S3150") == NULL ||
	    strstr(msg, "https://sender.office.com") == NULL ||
	    strstr(msg, "2026-02-14 17:42 UTC") == NULL) {
		print_error("blocked message: got \"%s\", want S3150, "
		    "2026-02-14 17:42 UTC and https://sender.office.com\n",
		    msg ? msg : "(none)");
		fail();
	}
	inc = query1(f->db, "SELECT string_agg(i.subject || ' ' || "
	    "d.severity || ' ' || i.first_day || ' ' || "
	    "array_to_string(d.rules, ','), E'\\n' ORDER BY i.subject) "
	    "FROM repwatch.incident i JOIN repwatch.incident_day d "
	    "ON d.incident_id = i.id WHERE d.day IN ('2026-02-14', "
	    "'2026-02-20') AND d.holding");
	expect_text("incidents", inc,
	    "192.0.2.0/24 critical 2026-02-20 blocked,range-blocked\n"
	    "203.0.113.5 critical 2026-02-10 blocked,throttled");
	missing = query1(f->db, "SELECT count(*) FROM repwatch.alert WHERE "
	    "rule = 'ip-missing'");
	expect_text("ip-missing alerts", missing, "0");
	/* a second night re-analyzes the last three days only */
	testdb_check_rc(an_run_pending(&from, &to, f->db), "pending again");
	expect_text("pending again", from, "2026-02-27");
	g_free(from);
	g_free(to);
}

/* SNDS rows for 203.0.113.5 on the first 30 days only, MTA on all 60:
 * the days without SNDS are analyzed, and raise no ip-missing */
static void
test_snds_stops(void **state)
{
	struct testdb_fx *f = *state;
	struct an_params p;
	g_autofree char *got = NULL;

	TESTDB_REQUIRE();
	load_senders(f->db, mta_only, 2);
	testdb_check_rc(rw_db_exec(f->db, "INSERT INTO repwatch.snds_daily (source, "
	    "ip, activity_start, activity_end, day, rcpt_commands, "
	    "data_commands, recipients, filter, complaint_rate_text, "
	    "raw_start, raw_end) SELECT 'snds', '203.0.113.5', "
	    "g + interval '8 hours', g + interval '32 hours', g::date, 9000, "
	    "9000, 9000, 'GREEN', '< 0.1%', 'x', 'y' FROM generate_series("
	    "'2026-01-01'::timestamp, '2026-01-30', '1 day') g"), "snds");
	an_params_default(&p);
	testdb_check_rc(an_run_range(f->db, "2026-01-01", "2026-03-01", &p),
	    "analyze");
	got = alert_summary(f->db);
	expect_text("alerts", got,
	    "203.0.113.5 blocked critical 2026-02-14..2026-02-14 1\n"
	    "203.0.113.5 throttled warning 2026-02-10..2026-02-14 5");
}

/* a complaint level finding and an MTA block on one IP: one incident */
static void
test_joins_incident(void **state)
{
	static const struct sender blocked[] = {
		{"203.0.113.5", 15000, 5000, 0.02, -1, -1, 0, 44, "S3150"},
	};
	struct testdb_fx *f = *state;
	struct an_params p;
	GPtrArray *findings = NULL, *v = NULL;
	struct an_finding *level;
	const struct an_incident *x;
	g_autofree char *rules = NULL;
	int subjects = 0, rc;

	TESTDB_REQUIRE();
	load_senders(f->db, blocked, 1);
	an_params_default(&p);
	testdb_check_rc(an_facts_refresh(NULL, f->db), "refresh");
	testdb_check_rc(rw_db_begin(f->db), "begin");
	rc = an_run_evaluate(&findings, &subjects, f->db, "2026-02-14", &p);
	/* critical too: on a tie of severity the block's message tells */
	level = an_finding_new("ip", "203.0.113.5", "level", AN_CRITICAL);
	level->rate_7d = 0.0014;
	level->message = g_strdup("0.14% over 7 days on 61000 recipients");
	if (rc == 0) {
		g_ptr_array_add(findings, level);
		level = NULL;
		rc = an_alerts_write_day(NULL, f->db, "2026-02-14", findings,
		    subjects);
	}
	if (rc == 0)
		rc = an_incidents_write_day(NULL, f->db, "2026-02-14", 2);
	rc = rc == 0 ? rw_db_commit(f->db) : (rw_db_rollback(f->db), rc);
	an_finding_free(level);
	testdb_check_rc(rc, "write day");
	testdb_check_rc(an_incidents_list(&v, f->db, "2026-02-14", "2026-02-14",
	    false, AN_INFO), "list");
	assert_int_equal(v->len, 1);
	x = v->pdata[0];
	rules = g_strjoinv(",", x->rules);
	if (strcmp(x->subject, "203.0.113.5") != 0 ||
	    x->severity != AN_CRITICAL || strcmp(rules, "blocked,level") != 0 ||
	    x->num.message == NULL || strstr(x->num.message, "S3150") == NULL) {
		print_error("incident: got %s %s %s \"%s\", want 203.0.113.5 "
		    "critical blocked,level with the S3150 message\n",
		    x->subject, an_severity_name(x->severity), rules,
		    x->num.message ? x->num.message : "(null)");
		fail();
	}
	g_ptr_array_free(v, TRUE);
	g_ptr_array_free(findings, TRUE);
}

/*
 * Real feeds. A steady sender's throttle share is not a coin flipped per
 * attempt: Microsoft throttles in bursts, deferred mail is retried and
 * throttled again, weekends differ. This models them, and says so:
 *  - each day's share = the sender's usual share x lognormal(sd 0.3 on the
 *    log scale), x 1.3 on weekends;
 *  - weekend volume is a third of the weekday's;
 *  - six sending blocks a day; the attempts throttled in one block are
 *    retried in the next (throttled again at twice the day's share).
 * 12 steady senders (3,000 to 20,000 attempts a weekday, 1 % to 4 %) over
 * 90 days: at most one false throttled per 1,000 steady IP-days. One more
 * sender (3,000 a day, 2 % with the same noise) has its share at x4 the
 * usual on days 70-75 (the rise sets the day's share; a noisy x4 that
 * lands at x2.7, 3.3 sd of this noise, is no surer than a false alarm):
 * throttled from day 70 and every day it lasts (the days warned on leave
 * the baseline's spread as they pass the window). The old binomial test, blind to the day-to-day
 * spread, warned on the steady senders here many times.
 */
#define REAL_DAYS 90

static double
normal(GRand *r)
{
	double u = g_rand_double_range(r, 1e-12, 1), v = g_rand_double(r);

	return sqrt(-2 * log(u)) * cos(2 * G_PI * v);
}

static void
copy_real(struct rw_copy *c, GRand *r, const struct sender *s)
{
	g_autofree char *thr = g_strdup_printf(throttle_text, s->ip);

	for (int d = 0; d < REAL_DAYS; d++) {
		double noise = exp(0.3 * normal(r));
		bool rise = d >= s->rise_from && d <= s->rise_to;
		double share = s->share * (weekend(d) ? 1.3 : 1) *
		    (rise ? s->rise_share : noise);
		long long n = (long long)((weekend(d) ? s->weekend :
		    s->weekday) / 6), retry = 0;

		for (int h = 14; h < 20; h++) {
			long long t = binomial(r, n, fmin(share, 0.9));
			long long rt = binomial(r, retry, fmin(2 * share,
			    0.9));

			if (n + retry - t - rt > 0)
				copy_row(c, s, d, h, "delivered", "", "2.6.0",
				    250, n + retry - t - rt, NULL);
			if (t + rt > 0)
				copy_row(c, s, d, h, "deferred-throttle",
				    "S775", "4.7.650", 451, t + rt, thr);
			retry = t + rt;
		}
	}
}

static void
test_real_feeds(void **state)
{
	static const struct sender senders[] = {
		{"198.51.100.1", 3000, 1000, 0.02, -1, -1, 1, -1, NULL},
		{"198.51.100.2", 5000, 1700, 0.01, -1, -1, 1, -1, NULL},
		{"198.51.100.3", 8000, 2700, 0.02, -1, -1, 1, -1, NULL},
		{"198.51.100.4", 10000, 3300, 0.03, -1, -1, 1, -1, NULL},
		{"198.51.100.5", 12000, 4000, 0.02, -1, -1, 1, -1, NULL},
		{"198.51.100.6", 15000, 5000, 0.04, -1, -1, 1, -1, NULL},
		{"198.51.100.7", 20000, 7000, 0.02, -1, -1, 1, -1, NULL},
		{"198.51.100.8", 4000, 1300, 0.015, -1, -1, 1, -1, NULL},
		{"198.51.100.9", 6000, 2000, 0.025, -1, -1, 1, -1, NULL},
		{"198.51.100.10", 9000, 3000, 0.02, -1, -1, 1, -1, NULL},
		{"198.51.100.11", 14000, 4700, 0.01, -1, -1, 1, -1, NULL},
		{"198.51.100.12", 18000, 6000, 0.03, -1, -1, 1, -1, NULL},
		/* day 70 is 2026-03-12, a Thursday */
		{"203.0.113.5", 3000, 3000, 0.02, 70, 75, 4, -1, NULL},
	};
	struct testdb_fx *f = *state;
	struct an_params p;
	struct rw_copy *c = NULL;
	GRand *r = g_rand_new_with_seed(1515);
	char last[11];
	g_autofree char *false_days = NULL, *rise = NULL, *ipdays = NULL;
	long long nfalse, nipdays;

	TESTDB_REQUIRE();
	testdb_check_rc(rw_copy_begin(&c, f->db, "repwatch.mta_attempt_hour",
	    "source, ip, hour, class, code, enhanced, reply, attempts, "
	    "first_at, last_at, answer, answer_ip"), "copy");
	for (size_t i = 0; i < G_N_ELEMENTS(senders); i++)
		copy_real(c, r, &senders[i]);
	testdb_check_rc(rw_copy_finish(c, NULL), "copy finish");
	g_rand_free(r);
	day_text(last, REAL_DAYS - 1);
	an_params_default(&p);
	testdb_check_rc(an_run_range(f->db, "2026-01-01", last, &p),
	    "analyze");
	false_days = query1(f->db, "SELECT count(*) FROM repwatch.alert a "
	    "JOIN repwatch.alert_day d ON d.alert_id = a.id WHERE a.rule = "
	    "'throttled' AND a.subject <> '203.0.113.5'");
	ipdays = query1(f->db, "SELECT count(*) FROM repwatch.an_mta_day "
	    "WHERE ip <> '203.0.113.5'");
	rise = query1(f->db, "SELECT coalesce(min(d.day) || '..' || "
	    "max(d.day) || ' ' || count(*), 'none') FROM repwatch.alert a "
	    "JOIN repwatch.alert_day d ON d.alert_id = a.id "
	    "WHERE a.rule = 'throttled' AND a.subject = '203.0.113.5'");
	nfalse = g_ascii_strtoll(false_days, NULL, 10);
	nipdays = g_ascii_strtoll(ipdays, NULL, 10);
	print_message("real feeds: %lld false throttled days of %lld steady "
	    "IP-days; the rise warned %s\n", nfalse, nipdays, rise);
	if (nipdays != 12 * REAL_DAYS || 1000 * nfalse > nipdays) {
		print_error("steady senders: got %lld throttled days of %lld "
		    "IP-days, want at most 1 per 1,000 of %d\n", nfalse,
		    nipdays, 12 * REAL_DAYS);
		fail();
	}
	expect_text("the rise's warnings", rise, "2026-03-12..2026-03-17 6");
}

/*
 * Today, while it runs (nightly at 06:30 analyzes today up to the
 * horizon): 198.51.100.20 sends 5,000 a day at about 2 % for 40 days, and
 * today so far 600 attempts, 90 throttled (15 %: the night's retries of
 * deferred mail). Judged over the last 3 days (2.7 %), no warning.
 * 198.51.100.21 has the same numbers a day earlier: its 15 % day is over,
 * is judged alone and warns. The days are relative to the database's now.
 */
static void
test_open_day(void **state)
{
	struct testdb_fx *f = *state;
	struct an_params p;
	GPtrArray *found = NULL;
	g_autofree char *today = NULL, *yesterday = NULL;
	const char *days[2];
	const char *want[2] = {"none", "198.51.100.21"};
	int subjects = 0;

	TESTDB_REQUIRE();
	today = query1(f->db, "SELECT (now() AT TIME ZONE "
	    "repwatch.an_timezone())::date::text");
	yesterday = query1(f->db, "SELECT ((now() AT TIME ZONE "
	    "repwatch.an_timezone())::date - 1)::text");
	testdb_check_rc(rw_db_exec(f->db, "INSERT INTO repwatch.an_mta_day "
	    "(day, ip, attempts, delivered, throttled, blocked) "
	    "SELECT t - g - s.lag, s.ip::inet, CASE WHEN g = 0 THEN 600 "
	    "ELSE 5000 END, 0, CASE WHEN g = 0 THEN 90 "
	    "ELSE 90 + 5 * (g % 5) END, 0 "
	    "FROM (SELECT (now() AT TIME ZONE repwatch.an_timezone())::date "
	    "AS t) z, generate_series(0, 40) g, (VALUES ('198.51.100.20', 0), "
	    "('198.51.100.21', 1)) s(ip, lag)"), "an_mta_day");
	an_params_default(&p);
	days[0] = today;
	days[1] = yesterday;
	for (int i = 0; i < 2; i++) {
		GString *got = g_string_new(NULL);

		testdb_check_rc(an_run_evaluate(&found, &subjects, f->db,
		    days[i], &p), "evaluate");
		for (guint j = 0; j < found->len; j++) {
			const struct an_finding *x = found->pdata[j];

			if (strcmp(x->rule, "throttled") == 0)
				g_string_append_printf(got, "%s%s",
				    got->len ? " " : "", x->subject);
		}
		if (got->len == 0)
			g_string_append(got, "none");
		if (strcmp(got->str, want[i]) != 0) {
			print_error("%s (%s): got throttled %s, want %s\n",
			    days[i], i ? "over" : "today", got->str, want[i]);
			fail();
		}
		g_string_free(got, TRUE);
		g_ptr_array_free(found, TRUE);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mta_only,
		    testdb_fx_setup, testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_real_feeds,
		    testdb_fx_setup, testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_open_day,
		    testdb_fx_setup, testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_snds_stops,
		    testdb_fx_setup, testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_joins_incident,
		    testdb_fx_setup, testdb_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

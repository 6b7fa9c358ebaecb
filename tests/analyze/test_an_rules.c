/*
 * test_an_rules - every rule on small hand-made series. A series is daily
 * recipients and complaints; window sums are built the way
 * repwatch.an_ip_window builds them, so a series can be "replayed" day by
 * day without a database.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/an_rules.h"
#include "analyze/an_noise.h"

#include "an_rules_lib.h"

struct level_case {
	const char *name;
	double n_day, rate;
	int want; /* -1 none, else severity */
};

static void
test_level(void **state)
{
	/* 7 days; defaults 0.1 % / 0.3 %, 1,000 recipients, bound at 90 % */
	static const struct level_case cases[] = {
		{"clean high volume", 20000, 0.0003, -1},
		{"0.2% high volume", 20000, 0.002, AN_WARNING},
		{"0.5% high volume", 20000, 0.005, AN_CRITICAL},
		/* 30 a day: under 1,000 even over the 28-day window */
		{"under the volume minimum", 30, 0.02, -1},
		/* 4,200 recipients, 5 complaints: 0.12 % observed, but the
		 * 90 % lower bound is 0.058 %: low-volume noise */
		{"5 on 4,200", 600, 5.0 / 4200, -1},
		{"14 on 4,200", 600, 14.0 / 4200, AN_WARNING},
	};
	struct an_params p;

	(void)state;
	an_params_default(&p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct series x;
		GPtrArray *f;

		flat(&x, cases[i].n_day, cases[i].rate);
		f = findings_at(&x, 40, &p);
		expect_severity(f, "level", cases[i].name, cases[i].want);
	}
}

static void
test_level_snds_witness(void **state)
{
	struct an_params p;
	struct an_subject *s = an_subject_new("192.0.2.1", false);
	GPtrArray *f = an_findings_new();
	const struct an_finding *lv;

	(void)state;
	an_params_default(&p);
	/* no JMRP complaints, SNDS says at least 0.4 % on every row */
	s->n_recent = 20000;
	s->c_recent = 0;
	s->snds_rated = 20000;
	s->snds_low = 80;
	an_rules_subject(f, s, &p);
	lv = need_rule(f, "level");
	assert_int_equal(lv->severity, AN_CRITICAL);
	assert_string_equal(json_object_get_string_member(lv->extra,
	    "witness"), "snds");
	g_ptr_array_free(f, TRUE);
	an_subject_free(s);
}

static void
test_rising_ramp(void **state)
{
	struct an_params p;
	struct series x;
	GPtrArray *f;
	const struct an_finding *r;

	(void)state;
	an_params_default(&p);
	flat(&x, 20000, 0.0004);
	/* from day 35 the rate grows x1.15 a day: 0.04 % -> 0.09 % (d 41) */
	for (int d = 35; d < DAYS; d++)
		x.c[d] = round(20000 * 0.0004 * pow(1.15, d - 34));
	f = findings_at(&x, 41, &p);
	r = need_rule(f, "rising");
	assert_true(r->q_value <= p.alpha);
	assert_true(r->ratio >= p.min_ratio);
	/* the level rule has not fired yet: that is the lead time */
	assert_null(find_rule(f, "level"));
	g_ptr_array_free(f, TRUE);
}

static void
test_rising_low_volume_noise(void **state)
{
	struct an_params p;
	struct series x;
	int alerts = 0;

	(void)state;
	an_params_default(&p);
	/* 300 a day at 0.1 %: a complaint every ~3 days, bunched at random
	 * (a fixed pseudo-random pattern keeps the test repeatable) */
	flat(&x, 300, 0);
	for (int d = 0; d < DAYS; d++)
		x.c[d] = (d * 7919 % 13 == 0) ? 2 : (d * 104729 % 5 == 0);
	for (int d = 35; d < DAYS; d++) {
		GPtrArray *f = findings_at(&x, d, &p);

		alerts += find_rule(f, "rising") != NULL;
		g_ptr_array_free(f, TRUE);
	}
	assert_int_equal(alerts, 0);
}

static void
test_rising_one_off_day(void **state)
{
	struct an_params p;
	struct series x;
	int last_alert = -1;

	(void)state;
	an_params_default(&p);
	flat(&x, 10000, 0.0003);
	x.c[40] = 40; /* one bad day */
	for (int d = 36; d < 50; d++) {
		GPtrArray *f = findings_at(&x, d, &p);

		if (find_rule(f, "rising") != NULL)
			last_alert = d;
		g_ptr_array_free(f, TRUE);
	}
	/* alerts on the day, stops within two days */
	assert_true(last_alert >= 40);
	if (last_alert > 41) {
		print_error("rising still open on day %d after the bad day "
		    "40\n", last_alert);
		fail();
	}
}

static void
test_rising_needs_baseline(void **state)
{
	struct an_params p;
	struct series x;
	GPtrArray *f;

	(void)state;
	an_params_default(&p);
	flat(&x, 20000, 0.002);
	for (int d = 0; d < 30; d++)
		x.n[d] = NAN, x.c[d] = 0; /* a new IP: no baseline yet */
	f = findings_at(&x, 36, &p);
	assert_null(find_rule(f, "rising"));
	assert_non_null(find_rule(f, "level"));
	g_ptr_array_free(f, TRUE);
}

static void
test_bh_family(void **state)
{
	struct an_params p;
	GPtrArray *fam = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)an_subject_free);
	struct an_subject *s;

	(void)state;
	an_params_default(&p);
	/* one modest rise alone passes; hidden among 10,000 it does not */
	s = an_subject_new("192.0.2.1", false);
	s->n_recent = 7000, s->c_recent = 9;
	s->n_base = 28000, s->c_base = 8;
	s->n_last = 2000, s->c_last = 3;
	g_ptr_array_add(fam, s);
	an_rules_test_rising(s, &p);
	assert_true(s->candidate);
	an_rules_correct(fam);
	assert_true(s->q_value <= p.alpha);
	for (int i = 0; i < 9999; i++)
		g_ptr_array_add(fam, an_subject_new("x", false));
	an_rules_correct(fam);
	assert_true(s->q_value > p.alpha);
	g_ptr_array_free(fam, TRUE);
}

static void
test_ranges(void **state)
{
	struct an_params p;
	GPtrArray *ips = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)an_subject_free);
	GPtrArray *ranges;
	const char *keys[] = {"192.0.2.1", "192.0.2.2", "198.51.100.1"};
	const char *nets[] = {"192.0.2.0/24", "192.0.2.0/24",
	    "198.51.100.0/24"};
	struct an_subject *r;

	(void)state;
	an_params_default(&p);
	for (int i = 0; i < 3; i++) {
		struct an_subject *s = an_subject_new(keys[i], false);

		s->net = g_strdup(nets[i]);
		s->n_recent = 1000, s->c_recent = 2;
		s->n_base = 4000, s->c_base = 1;
		s->data_days = 30;
		g_ptr_array_add(ips, s);
	}
	ranges = an_subjects_ranges(ips, &p);
	/* the lone IP of 198.51.100.0/24 makes no range */
	assert_int_equal(ranges->len, 1);
	r = ranges->pdata[0];
	assert_string_equal(r->key, "192.0.2.0/24");
	assert_true(r->is_range);
	assert_int_equal(r->ips, 2);
	assert_true(r->n_recent == 2000 && r->c_recent == 4);
	assert_true(r->n_base == 8000 && r->c_base == 2);
	g_ptr_array_free(ranges, TRUE);
	g_ptr_array_free(ips, TRUE);
}

static void
test_filter_and_trap(void **state)
{
	struct an_params p;
	struct an_subject *s = an_subject_new("192.0.2.1", false);
	GPtrArray *f = an_findings_new();
	const struct an_finding *x;

	(void)state;
	an_params_default(&p);
	s->filter_base = 1.1;  /* mostly GREEN */
	s->filter_last = 3;    /* RED on one of the last days only: info */
	s->f_days = 7;
	s->f_yellow = s->f_red = 1;
	s->fh_days = 28;
	s->fh_yellow = 3;
	/* 4 trap hits on 6,000 recipients, no trap baseline: 0.6 expected at
	 * trap_floor_rate, P(X >= 4) = 0.0034 is not under trap_alpha: info */
	s->traps_last = 4;
	s->trap_n_last = 6000;
	an_rules_subject(f, s, &p);
	x = need_rule(f, "filter");
	assert_int_equal(x->severity, AN_INFO);
	x = need_rule(f, "trap");
	if (x->severity != AN_INFO) {
		print_error("4 trap hits on 6,000: got %s, want info\n",
		    an_severity_name(x->severity));
		fail();
	}
	g_ptr_array_free(f, TRUE);

	/* 9 of them: a warning */
	f = an_findings_new();
	s->traps_last = 9;
	an_rules_subject(f, s, &p);
	x = need_rule(f, "trap");
	if (x->severity != AN_WARNING) {
		print_error("9 trap hits on 6,000: got %s, want warning\n",
		    an_severity_name(x->severity));
		fail();
	}
	g_ptr_array_free(f, TRUE);

	/* always YELLOW is not worsening; unknown traps are not hits */
	f = an_findings_new();
	s->filter_base = 2.0;
	s->filter_last = 2;
	s->traps_last = NAN;
	an_rules_subject(f, s, &p);
	assert_null(find_rule(f, "filter"));
	assert_null(find_rule(f, "trap"));
	g_ptr_array_free(f, TRUE);
	an_subject_free(s);
}

static void
test_ip_missing(void **state)
{
	struct an_params p;
	struct series x;
	GPtrArray *f = an_findings_new();
	struct an_subject *s;

	(void)state;
	an_params_default(&p);
	flat(&x, 5000, 0.0002);
	for (int d = 37; d < DAYS; d++)
		x.n[d] = NAN;
	s = subject_at(&x, 40, &p); /* days 37..40 without data */
	an_rules_ip_missing(f, s, &p);
	assert_non_null(find_rule(f, "ip-missing"));
	an_subject_free(s);
	g_ptr_array_free(f, TRUE);

	/* an intermittent sender (every third day) is not missing */
	f = an_findings_new();
	for (int d = 0; d < DAYS; d++)
		x.n[d] = d % 3 == 0 && d < 37 ? 5000 : NAN;
	s = subject_at(&x, 40, &p);
	an_rules_ip_missing(f, s, &p);
	assert_null(find_rule(f, "ip-missing"));
	an_subject_free(s);
	g_ptr_array_free(f, TRUE);
}

struct source_case {
	const char *name;
	const char *kind, *token;
	int days_since_fetch, link_age;
	const char *want_rule; /* NULL = none */
	int want_sev;
};

static void
test_sources(void **state)
{
	static const struct source_case cases[] = {
		{"fresh link", "link", NULL, 0, 10, NULL, 0},
		{"fetch 2 days old", "link", NULL, 2, 10, "fetch-stale",
		    AN_WARNING},
		{"link 25 days old", "link", NULL, 0, 25, "link-expiry",
		    AN_WARNING},
		{"link 24 days old", "link", NULL, 0, 24, NULL, 0},
		{"link expired", "link", NULL, 0, 31, "link-expiry",
		    AN_CRITICAL},
		{"login failed", "api", "failed", 0, -1, "login", AN_CRITICAL},
		{"token ok", "api", "ok", 0, -1, NULL, 0},
		{"never fetched", "link", NULL, -1, 3, NULL, 0},
	};
	struct an_params p;

	(void)state;
	an_params_default(&p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct source_case *k = &cases[i];
		struct an_source_state *s = g_new0(struct an_source_state, 1);
		GPtrArray *f = an_findings_new();
		const struct an_finding *x;

		s->name = g_strdup("main");
		s->kind = g_strdup(k->kind);
		s->days_since_fetch = k->days_since_fetch;
		s->link_age_days = k->link_age;
		s->token_state = g_strdup(k->token);
		an_rules_source(f, s, &p);
		an_source_state_free(s);
		x = f->len ? f->pdata[0] : NULL;
		if (g_strcmp0(x ? x->rule : NULL, k->want_rule) != 0 ||
		    (x && (int)x->severity != k->want_sev)) {
			print_error("%s: got %s/%d, want %s/%d\n", k->name,
			    x ? x->rule : "none", x ? (int)x->severity : -1,
			    k->want_rule ? k->want_rule : "none", k->want_sev);
			fail();
		}
		g_ptr_array_free(f, TRUE);
	}
}

static void
test_listing_and_unmatched(void **state)
{
	struct an_params p;
	struct an_listing *l = g_new0(struct an_listing, 1);
	GPtrArray *f = an_findings_new();
	const struct an_finding *x;

	(void)state;
	an_params_default(&p);
	l->first_ip = g_strdup("203.0.113.0");
	l->last_ip = g_strdup("203.0.113.255");
	l->source = g_strdup("main");
	l->reason = g_strdup("Blocked due to user complaints");
	l->blocked = l->is_new = true;
	l->listed_days = 1;
	an_rules_listing(f, l);
	an_listing_free(l);
	x = f->pdata[0];
	assert_string_equal(x->rule, "listed");
	assert_string_equal(x->subject_kind, "cidr");
	assert_int_equal(x->severity, AN_CRITICAL);
	assert_non_null(strstr(x->message, "newly listed"));

	an_rules_unmatched(f, 100, 15, &p);  /* 15 % */
	assert_int_equal(f->len, 1);
	an_rules_unmatched(f, 100, 30, &p);  /* 30 % */
	assert_int_equal(f->len, 2);
	an_rules_unmatched(f, 3, 3, &p);     /* too few to judge */
	assert_int_equal(f->len, 2);
	/* complaints on the provider's own IPs: reported as their own count,
	 * even under the share and the minimum */
	an_rules_unmatched_inside(f, 100, 5, 0, &p);
	assert_int_equal(f->len, 2);
	an_rules_unmatched_inside(f, 3, 2, 2, &p);
	assert_int_equal(f->len, 3);
	x = f->pdata[2];
	assert_non_null(strstr(x->message, "2 on addresses inside the "
	    "receiving provider"));
	assert_int_equal((int)json_object_get_double_member(x->extra,
	    "inside_provider"), 2);
	g_ptr_array_free(f, TRUE);
}

static void
test_forecast_message(void **state)
{
	struct an_params p;
	struct an_subject *s = an_subject_new("192.0.2.1", false);
	struct an_finding *f = an_finding_new("ip", "192.0.2.1", "rising",
	    AN_WARNING);
	double t[14], c[14], n[14];

	(void)state;
	an_params_default(&p);
	for (int i = 0; i < 14; i++) {
		t[i] = i - 13;
		n[i] = 10000;
		c[i] = 10000 * 0.001 * pow(1.1, t[i]);
	}
	an_trend_fit(&s->trend, t, c, n, 14);
	s->n_recent = 70000;
	s->c_recent = 56;   /* 0.08 % */
	s->ratio = 2.4;
	an_finding_forecast(f, s, &p);
	assert_int_equal(f->forecast_days, 15);
	assert_string_equal(f->message,
	    "0.08% and rising \u00d72.4 over baseline; 0.3% in about 15 days");
	an_finding_free(f);
	an_subject_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level),
		cmocka_unit_test(test_level_snds_witness),
		cmocka_unit_test(test_rising_ramp),
		cmocka_unit_test(test_rising_low_volume_noise),
		cmocka_unit_test(test_rising_one_off_day),
		cmocka_unit_test(test_rising_needs_baseline),
		cmocka_unit_test(test_bh_family),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_filter_and_trap),
		cmocka_unit_test(test_ip_missing),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_listing_and_unmatched),
		cmocka_unit_test(test_forecast_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

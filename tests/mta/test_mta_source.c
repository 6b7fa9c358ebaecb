/*
 * Unit tests of mta/mta_source (a [mta.NAME] section into a parser and
 * classifier, errors naming the section and key, picking the source a
 * command means) and of the time stamps of syslog lines: the year of a
 * stamp without one (mta_parser_set_now, the December -> January turn, 29
 * February) and RFC 3339 stamps with fractions and offsets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "common/rw_config.h"
#include "common/rw_error.h"
#include "mta/mta_classify.h"
#include "mta/mta_parse.h"
#include "mta/mta_source.h"

/* a Postfix line to Hotmail with time stamp STAMP */
#define PF_LINE(stamp) stamp " mx1 postfix/smtp[5150]: 9A1B2C3D4E: " \
	"to=<a@hotmail.com>, relay=hotmail-com.olc.protection.outlook.com" \
	"[52.101.8.48]:25, delay=1, delays=0/0/0/1, dsn=4.7.651, " \
	"status=deferred (host hotmail-com.olc.protection.outlook.com" \
	"[52.101.8.48] said: 451 4.7.651 The mail server [203.0.113.5] has " \
	"been temporarily rate limited due to IP reputation. (S3114) (in " \
	"reply to MAIL FROM command))"

static struct rw_config *
config(const char *text)
{
	struct rw_config *cfg = NULL;
	int rc = rw_config_load_data(&cfg, "test.conf", text);

	if (rc != 0)
		fail_msg("config: %s", rw_error_message());
	return cfg;
}

/* ---- sections ---------------------------------------------------------- */

/* a host name longer than MTA_NAME_MAX */
#define LONG_NAME "a123456789a123456789a123456789a123456789a123456789" \
	"a123456789a123456789a123456789a123456789a123456789" \
	"a123456789a123456789a123456789a123456789a123456789" \
	"a123456789a123456789a123456789a123456789a123456789" \
	"a123456789a123456789a123456789a123456789a123456789" \
	"a123456789a123456789a123456789a123456789a123456789.example"

struct section_case {
	const char *what, *conf, *name;
	int rc;              /* of get + parser + classifier */
	const char *msg;     /* a part of the error message */
	const char *source_ip_got; /* a Postfix attempt's sending IP */
};

static const struct section_case sections[] = {
	{"full section", "[mta.out]\ntype = postfix\npath = /var/log/m*\n"
	    "source_ip = 192.0.2.1\nip_by_service = smtp-ip1:192.0.2.7, "
	    "smtp-ip2:2001:db8::25\ntimezone = UTC\n"
	    "extra_rules = S3114=blocked\n", "out", 0, NULL, "192.0.2.1"},
	{"no such section", "[mta.out]\ntype = exim\n", "other", RW_ECONFIG,
	    "no MTA log source \"other\"", NULL},
	{"type missing", "[mta.out]\npath = /x\n", "out", RW_ECONFIG,
	    "[mta.out] type is not set", NULL},
	{"source_ip no address", "[mta.out]\ntype = postfix\n"
	    "source_ip = 300.1.1.1\n", "out", RW_ECONFIG,
	    "[mta.out] source_ip: ", NULL},
	{"ip_by_service malformed", "[mta.out]\ntype = postfix\n"
	    "ip_by_service = smtp-ip1\n", "out", RW_ECONFIG,
	    "[mta.out] ip_by_service: ", NULL},
	{"extra_rules malformed", "[mta.out]\ntype = exim\n"
	    "extra_rules = S3114=nonsense\n", "out", RW_ECONFIG,
	    "[mta.out] extra_rules: ", NULL},
	{"postfix without source_ip or ip_by_service",
	    "[mta.out]\ntype = postfix\npath = /x\n", "out", RW_ECONFIG,
	    "[mta.out] type = postfix needs source_ip or ip_by_service", NULL},
	{"postfix with an empty ip_by_service", "[mta.out]\ntype = postfix\n"
	    "ip_by_service =\n", "out", RW_ECONFIG,
	    "[mta.out] type = postfix needs source_ip", NULL},
	{"postfix with ip_by_service only: plain smtp has none",
	    "[mta.out]\ntype = postfix\nip_by_service = smtp-ip1:192.0.2.7\n",
	    "out", 0, NULL, ""},
	{"exim needs no source_ip", "[mta.out]\ntype = exim\n", "out", 0,
	    NULL, NULL},
	{"domains: a name too long", "[mta.out]\ntype = exim\ndomains = "
	    "contoso.example, " LONG_NAME "\n", "out", RW_ECONFIG,
	    "[mta.out] domains: ", NULL},
	{"mx_suffixes: a name too long", "[mta.out]\ntype = exim\n"
	    "mx_suffixes = " LONG_NAME "\n", "out", RW_ECONFIG,
	    "[mta.out] mx_suffixes: ", NULL},
};

static void
test_sections(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(sections); i++) {
		const struct section_case *c = &sections[i];
		struct rw_config *cfg = config(c->conf);
		struct mta_source *s = NULL;
		struct mta_parser *p = NULL;
		struct mta_classifier *k = NULL;
		int rc;

		rw_error_clear();
		rc = mta_source_get(&s, cfg, c->name);
		if (rc == 0)
			rc = mta_source_parser(&p, s, 1765083600);
		if (rc == 0)
			rc = mta_source_classifier(&k, s);
		if (rc != c->rc)
			fail_msg("%s: got rc %d, want %d (%s)", c->what, rc,
			    c->rc, rw_error_message());
		if (c->msg != NULL &&
		    strstr(rw_error_message(), c->msg) == NULL)
			fail_msg("%s: got message \"%s\", want \"%s\" in it",
			    c->what, rw_error_message(), c->msg);
		if (rc == 0 && c->source_ip_got != NULL) {
			const char line[] = PF_LINE("Dec  7 05:00:00");
			struct mta_attempt a;
			bool found;

			assert_int_equal(mta_parse_line(&a, &found, p, line,
			    strlen(line)), 0);
			assert_true(found);
			if (strcmp(a.source_ip, c->source_ip_got) != 0)
				fail_msg("%s: got source ip \"%s\", want "
				    "\"%s\"", c->what, a.source_ip,
				    c->source_ip_got);
		}
		mta_classifier_free(k);
		mta_parser_free(p);
		mta_source_free(s);
		rw_config_free(cfg);
	}
}

/* the full section's values, and its rule winning over the table */
static void
test_values(void **state)
{
	struct rw_config *cfg = config(sections[0].conf);
	struct mta_source *s = NULL;
	struct mta_classifier *k = NULL;
	struct mta_parser *p = NULL;
	const char line[] = PF_LINE("Dec  7 05:00:00");
	struct mta_attempt a;
	struct mta_verdict v;
	bool found;

	(void)state;
	assert_int_equal(mta_source_get(&s, cfg, "out"), 0);
	assert_string_equal(s->name, "out");
	assert_int_equal(s->format, MTA_POSTFIX);
	assert_string_equal(s->path, "/var/log/m*");
	assert_string_equal(s->source_ip, "192.0.2.1");
	assert_int_equal(g_strv_length(s->ip_by_service), 2);
	assert_string_equal(s->ip_by_service[1], "smtp-ip2:2001:db8::25");
	assert_string_equal(s->timezone, "UTC");
	assert_int_equal(mta_source_parser(&p, s, 1765083600), 0);
	assert_int_equal(mta_source_classifier(&k, s), 0);
	assert_int_equal(mta_parse_line(&a, &found, p, line, strlen(line)), 0);
	mta_classify(&v, k, &a);
	/* S3114 is deferred-throttle in the table; the user says blocked */
	assert_string_equal(mta_class_name(v.cls), "blocked");
	/* 7 Dec 2025 05:00 UTC: the year of NOW, the zone UTC */
	assert_true(a.has_epoch);
	assert_int_equal(a.epoch, 1765083600);
	mta_classifier_free(k);
	mta_parser_free(p);
	mta_source_free(s);
	rw_config_free(cfg);
}

/* ---- domains and mx_suffixes ------------------------------------------ */

struct ms_case {
	const char *what, *conf, *domain, *mx;
	bool want;   /* mta_is_microsoft */
};

#define MS_CONF "[mta.out]\ntype = exim\ndomains = Contoso.example, " \
	"fabrikam.*\nmx_suffixes = .mx.example.net, mail.example.org\n"

static const struct ms_case ms_cases[] = {
	{"a domain of the section", MS_CONF, "contoso.example", "", true},
	{"its name.* with a public suffix", MS_CONF, "fabrikam.co.uk", "",
	    true},
	{"its name.* with a customer's domain", MS_CONF,
	    "fabrikam.example.org", "", false},
	{"a built-in domain still", MS_CONF, "hotmail.com", "", true},
	{"an MX suffix of the section", MS_CONF, "x.example",
	    "mx1.mx.example.net", true},
	{"an MX suffix without its dot: the host itself", MS_CONF,
	    "x.example", "mail.example.org", true},
	{"... or a host under it", MS_CONF, "x.example",
	    "a.mail.example.org", true},
	{"... not a longer name", MS_CONF, "x.example", "gmail.example.org",
	    false},
	{"a built-in MX suffix still", MS_CONF, "x.example",
	    "x-example.mail.protection.outlook.com", true},
	{"neither", MS_CONF, "gmail.com", "gmail-smtp-in.l.google.com",
	    false},
	{"without the keys: not the section's domain",
	    "[mta.out]\ntype = exim\n", "contoso.example", "", false},
	{"without the keys: not the section's MX",
	    "[mta.out]\ntype = exim\n", "x.example", "mx1.mx.example.net",
	    false},
};

static void
test_microsoft_lists(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(ms_cases); i++) {
		const struct ms_case *c = &ms_cases[i];
		struct rw_config *cfg = config(c->conf);
		struct mta_source *s = NULL;
		struct mta_classifier *k = NULL;
		struct mta_attempt a;
		bool got;

		assert_int_equal(mta_source_get(&s, cfg, "out"), 0);
		assert_int_equal(mta_source_classifier(&k, s), 0);
		memset(&a, 0, sizeof(a));
		g_strlcpy(a.rcpt_domain, c->domain, sizeof(a.rcpt_domain));
		g_strlcpy(a.mx_host, c->mx, sizeof(a.mx_host));
		got = mta_is_microsoft(k, &a);
		if (got != c->want)
			fail_msg("%s (%s, %s): got microsoft %d, want %d",
			    c->what, c->domain, c->mx, got, c->want);
		mta_classifier_free(k);
		mta_source_free(s);
		rw_config_free(cfg);
	}
}

/* ---- "repwatch config check": the configuration's warnings ----------- */

struct warn_case {
	const char *what, *conf;
	const char *want;   /* the start of the only warning, NULL none */
};

static const struct warn_case warns[] = {
	{"postfix without either", "[paths]\nstate_dir = /tmp\n[mta.pf]\n"
	    "type = postfix\npath = /x\n", "t.conf:4: [mta.pf] type = "
	    "postfix needs source_ip or ip_by_service"},
	{"postfix, an empty ip_by_service", "[mta.pf]\ntype = postfix\n"
	    "ip_by_service = ,\n", "t.conf:2: [mta.pf] type = postfix needs"},
	{"postfix with source_ip", "[mta.pf]\ntype = postfix\n"
	    "source_ip = 192.0.2.1\n", NULL},
	{"postfix with ip_by_service", "[mta.pf]\ntype = postfix\n"
	    "ip_by_service = smtp-ip1:192.0.2.1\n", NULL},
	{"exim", "[mta.ex]\ntype = exim\n", NULL},
	{"no type", "[mta.ex]\npath = /x\n", NULL},
};

static void
test_warnings(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(warns); i++) {
		const struct warn_case *c = &warns[i];
		struct rw_config *cfg = NULL;
		const char *const *got;

		if (rw_config_load_data(&cfg, "t.conf", c->conf) != 0)
			fail_msg("%s: %s", c->what, rw_error_message());
		got = rw_config_warnings(cfg);
		if (c->want == NULL && got[0] != NULL)
			fail_msg("%s: got warning \"%s\", want none", c->what,
			    got[0]);
		if (c->want != NULL && (got[0] == NULL ||
		    !g_str_has_prefix(got[0], c->want) || got[1] != NULL))
			fail_msg("%s: got warning \"%s\", want \"%s...\" alone",
			    c->what, got[0] ? got[0] : "(none)", c->want);
		rw_config_free(cfg);
	}
}

struct pick_case {
	const char *what, *conf, *name;
	int rc;
	const char *want; /* the source picked, or a part of the error */
};

static const struct pick_case picks[] = {
	{"none configured", "[paths]\nstate_dir = /tmp\n", NULL, RW_ECONFIG,
	    "no MTA log source configured"},
	{"the only one", "[mta.a]\ntype = exim\n", NULL, 0, "a"},
	{"two, none named", "[mta.a]\ntype = exim\n[mta.b]\ntype = exim\n",
	    NULL, RW_ECONFIG, "2 MTA log sources"},
	{"two, one named", "[mta.a]\ntype = exim\n[mta.b]\ntype = exim\n",
	    "b", 0, "b"},
	{"named, not there", "[mta.a]\ntype = exim\n", "c", RW_ECONFIG,
	    "no MTA log source \"c\""},
};

static void
test_pick(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(picks); i++) {
		const struct pick_case *c = &picks[i];
		struct rw_config *cfg = config(c->conf);
		struct mta_source *s = NULL;
		int rc = mta_source_pick(&s, cfg, c->name);
		const char *got = rc == 0 ? s->name : rw_error_message();

		if (rc != c->rc || strstr(got, c->want) == NULL)
			fail_msg("%s: got %d \"%s\", want %d \"%s\"", c->what,
			    rc, got, c->rc, c->want);
		mta_source_free(s);
		rw_config_free(cfg);
	}
}

/* ---- time stamps ------------------------------------------------------- */

struct stamp_case {
	const char *what, *stamp, *zone;
	int64_t now;     /* 0: mta_parser_set_now not called */
	int64_t want;    /* 0: no epoch */
};

/* 2026-12-07 05:00:00 UTC = 1796619600; 2027-01-01 00:30 UTC = 1798763400 */
static const struct stamp_case stamps[] = {
	{"this year", "Dec  7 05:00:00", "UTC", 1796619600, 1796619600},
	{"earlier this year", "Mar  3 09:15:02", "UTC", 1796619600,
	    1772529302},
	{"a day ahead is still this year", "Dec  8 05:00:00", "UTC",
	    1796619600, 1796706000},
	{"over a day ahead is last year", "Dec  8 05:00:01", "UTC",
	    1796619600, 1765170001},
	{"Dec read on 1 Jan is last year", "Dec 31 23:59:59", "UTC",
	    1798763400, 1798761599},
	{"Jan 1 read on 31 Dec is next year", "Jan  1 00:10:00", "UTC",
	    1798761000, 1798762200},
	{"the zone", "Dec  7 06:00:00", "+01:00", 1796619600, 1796619600},
	/* 2026-12-30 10:00 UTC, 00:00 at +14: the next year's first second
	 * is a day ahead */
	{"Jan 1 read on 30 Dec at +14 is next year", "Jan  1 00:00:00",
	    "+14:00", 1798624800, 1798711200},
	{"a second later it is last year", "Jan  1 00:00:01", "+14:00",
	    1798624800, 1767175201},
	{"zone Europe/Berlin in summer", "Jul  1 12:00:00", "Europe/Berlin",
	    1796619600, 1782900000},
	{"29 Feb goes back to the leap year", "Feb 29 12:00:00", "UTC",
	    1796619600, 1709208000},
	{"no now: no epoch", "Dec  7 05:00:00", "UTC", 0, 0},
	{"bad month", "Dek  7 05:00:00", "UTC", 1796619600, 0},
	{"bad day", "Dec 32 05:00:00", "UTC", 1796619600, 0},
	{"RFC 3339 with microseconds", "2026-12-07T05:00:00.123456+00:00",
	    "Europe/Berlin", 0, 1796619600},
	{"RFC 3339 with an offset", "2026-12-07T06:00:00+01:00", "UTC", 0,
	    1796619600},
	{"RFC 3339 Z", "2026-12-07T05:00:00Z", "Europe/Berlin", 1796619600,
	    1796619600},
};

static void
test_stamps(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(stamps); i++) {
		const struct stamp_case *c = &stamps[i];
		g_autofree char *line = g_strdup_printf("%s%s", c->stamp,
		    PF_LINE(""));
		struct mta_parser *p = NULL;
		struct mta_attempt a;
		bool found = false;
		int64_t got;

		assert_int_equal(mta_parser_new(&p, MTA_POSTFIX), 0);
		assert_int_equal(mta_parser_set_zone(p, c->zone), 0);
		if (c->now != 0)
			mta_parser_set_now(p, c->now);
		assert_int_equal(mta_parse_line(&a, &found, p, line,
		    strlen(line)), 0);
		if (!found)
			fail_msg("%s: not an attempt", c->what);
		assert_string_equal(a.time, c->stamp);
		got = a.has_epoch ? a.epoch : 0;
		if (got != c->want)
			fail_msg("%s: got epoch %" G_GINT64_FORMAT ", want %"
			    G_GINT64_FORMAT, c->what, got, c->want);
		mta_parser_free(p);
	}
}

/* ---- S-codes in the answer --------------------------------------------- */

struct scode_case {
	const char *answer; /* Microsoft's reply after "said: " */
	const char *want;   /* the S-code found, "" none */
};

static const struct scode_case scodes[] = {
	{"550 5.7.1 Service unavailable, Client host [192.0.2.1] blocked "
	    "using Spamhaus. (AS3130). [AM5EUR02FT017.eop-EUR02.prod."
	    "protection.outlook.com]", "AS3130"},
	{"550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. "
	    "(S3150).", "S3150"},
	{"550 5.7.1 Service unavailable, Client host [192.0.2.1] blocked "
	    "using Spamhaus. (AS16012611)", "AS16012611"},
	{"451 4.7.500 Server busy. Please try again later from [192.0.2.1]. "
	    "(S77719) [BL6P.prod.outlook.com]", "S77719"},
	{"451 4.7.650 (S775) then (AS3114)", "AS3114"},
	{"550 5.7.1 (S12) too short", ""},
	{"550 5.7.1 (S123456) too long", ""},
	{"550 5.7.1 (AS123456789) too long", ""},
	{"550 5.7.1 (aS3130) lower-case prefix", ""},
	{"550 5.7.1 (ABS3130) two letters", ""},
	{"550 5.7.1 (AS3130 unclosed", ""},
};

static void
test_scodes(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(scodes); i++) {
		g_autofree char *line = g_strdup_printf("Dec  7 05:00:00 mx1 "
		    "postfix/smtp[5150]: 9A1B2C3D4E: to=<a@hotmail.com>, "
		    "relay=hotmail-com.olc.protection.outlook.com[52.101.8.48]"
		    ":25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced "
		    "(host hotmail-com.olc.protection.outlook.com[52.101.8.48]"
		    " said: %s (in reply to MAIL FROM command))",
		    scodes[i].answer);
		struct mta_parser *p = NULL;
		struct mta_attempt a;
		bool found = false;

		assert_int_equal(mta_parser_new(&p, MTA_POSTFIX), 0);
		assert_int_equal(mta_parse_line(&a, &found, p, line,
		    strlen(line)), 0);
		assert_true(found);
		if (strcmp(a.scode, scodes[i].want) != 0)
			fail_msg("\"%s\": got S-code \"%s\", want \"%s\"",
			    scodes[i].answer, a.scode, scodes[i].want);
		mta_parser_free(p);
	}
}

/*
 * doc/mta.md lists every entry of the classification table with its
 * class, and every Microsoft domain and MX suffix
 */
static void
test_doc_table(void **state)
{
	g_autofree char *doc = NULL;

	(void)state;
	if (!g_file_get_contents("doc/mta.md", &doc, NULL, NULL))
		fail_msg("cannot read doc/mta.md");
	for (size_t i = 0; i < mta_rules_count; i++) {
		g_autofree char *row = g_strdup_printf("\n| `%s` | %s |",
		    mta_rules[i].code, mta_class_name(mta_rules[i].cls));

		if (strstr(doc, row) == NULL)
			fail_msg("doc/mta.md lacks the row \"%s\"", row + 1);
	}
	for (size_t i = 0; mta_microsoft_domains[i] != NULL; i++) {
		g_autofree char *d = g_strdup_printf("`%s`",
		    mta_microsoft_domains[i]);

		if (strstr(doc, d) == NULL)
			fail_msg("doc/mta.md lacks the domain %s", d);
	}
	for (size_t i = 0; mta_microsoft_mx[i] != NULL; i++) {
		g_autofree char *d = g_strdup_printf("`%s`",
		    mta_microsoft_mx[i]);

		if (strstr(doc, d) == NULL)
			fail_msg("doc/mta.md lacks the MX suffix %s", d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_microsoft_lists),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_stamps),
		cmocka_unit_test(test_scodes),
		cmocka_unit_test(test_doc_table),
	};

	/* a GLib critical (a key asked of the wrong section) fails */
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests of mta/mta_parse and mta/mta_classify on the real and
 * documented log lines of tests/fixtures/mta (SOURCES.md names each
 * one): every line of every fixture has an expected row below, read in
 * order through one parser per file, then classified. Also the ceilings,
 * the answer cap and the settings' errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "common/rw_error.h"
#include "mta/mta_classify.h"
#include "mta/mta_parse.h"

#define FIX "tests/fixtures/mta/"
#define NONE NULL  /* not an attempt */
/* SKIP - line LINE is no attempt, status RC */
#define SKIP(line, rc) {line, rc, NONE, NULL, NULL, NULL, NULL, NULL, \
	NULL, 0, NULL, NULL, 0, NULL, false}

struct want {
	int line;
	int rc;               /* 0 or RW_EDATA */
	const char *outcome;  /* NONE: not an attempt */
	const char *source_ip, *service, *domain, *mx_host, *mx_ip;
	const char *enhanced;
	int reply;
	const char *scode, *answer_ip;
	int64_t epoch;        /* 0: none */
	const char *cls;
	bool microsoft;
};

struct fixture {
	const char *file;
	enum mta_format format;
	const char *source_ip, *services, *zone;
	const struct want *want;
	size_t n;
};

static const struct want postfix[] = {
	{1, 0, "deferred", "192.0.2.100", "", "outlook.com",
	    "outlook-com.olc.protection.outlook.com", "52.101.8.47", "4.4.4",
	    451, "", "", 0, "deferred-other", true},
	{2, 0, "deferred", "192.0.2.101", "smtp-ip1", "hotmail.no",
	    "eur.olc.protection.outlook.com", "52.101.73.27", "4.7.650", 451,
	    "S775", "158.36.161.6", 0, "deferred-throttle", true},
	{3, 0, "bounced", "192.0.2.102", "out2", "live.de",
	    "eur.olc.protection.outlook.com", "52.101.68.3", "5.7.1", 550,
	    "S3150", "172.246.35.50", 1769238010, "blocked", true},
	{4, 0, "bounced", "192.0.2.100", "", "contoso.example",
	    "contoso-example.mail.protection.outlook.com", "52.101.40.12",
	    "5.7.606", 550, "", "203.0.113.5", 0, "blocked", true},
	{5, 0, "bounced", "192.0.2.100", "", "contoso.example",
	    "contoso-example.mail.protection.outlook.com", "52.101.40.12",
	    "5.7.649", 550, "", "203.0.113.5", 0, "blocked", true},
	{6, 0, "bounced", "192.0.2.100", "", "contoso.example",
	    "contoso-example.mail.protection.outlook.com", "52.101.40.12",
	    "5.7.650", 550, "", "", 0, "bounced-other", true},
	{7, 0, "delivered", "192.0.2.100", "", "gmail.com",
	    "gmail-smtp-in.l.google.com", "142.250.102.27", "2.0.0", 250, "",
	    "", 0, "delivered", false},
	{8, 0, "deferred", "192.0.2.100", "", "hotmail.com",
	    "hotmail-com.olc.protection.outlook.com", "52.101.8.48", "4.7.651",
	    451, "S3114", "203.0.113.5", 0, "deferred-throttle", true},
	SKIP(9, 0), SKIP(10, 0), SKIP(11, 0), SKIP(12, 0),
	SKIP(13, 0),
};

static const struct want exim[] = {
	SKIP(1, 0),
	{2, 0, "deferred", "192.0.2.25", "", "hotmail.com",
	    "hotmail-com.olc.protection.outlook.com", "52.101.73.17",
	    "4.7.650", 451, "S775", "192.0.2.25", 1778780973,
	    "deferred-throttle", true},
	{3, 0, "delivered", "192.0.2.100", "", "hotmail.com",
	    "hotmail-com.olc.protection.outlook.com", "52.101.91.152",
	    "2.6.0", 250, "", "", 1789560220, "delivered", true},
	{4, 0, "delivered", "2001:db8::25", "", "outlook.de",
	    "outlook-de.olc.protection.outlook.com", "52.101.68.4", "2.6.0",
	    250, "", "", 1789553020, "delivered", true},
	{5, 0, "bounced", "192.0.2.100", "", "outlook.com",
	    "outlook-com.olc.protection.outlook.com", "40.92.0.1", "5.7.1",
	    550, "", "198.51.100.5", 1784625247, "bounced-other", true},
	{6, 0, "bounced", "198.51.100.5", "", "msn.com",
	    "msn-com.olc.protection.outlook.com", "52.101.10.2", "5.7.1", 550,
	    "S3140", "198.51.100.5", 1784625600, "blocked", true},
	{7, 0, "bounced", "192.0.2.100", "", "gmail.com",
	    "gmail-smtp-in.l.google.com", "1.2.3.4", "5.1.1", 550, "", "",
	    1789560220, "bounced-other", false},
	SKIP(8, 0), SKIP(9, 0), SKIP(10, 0),
};

static const struct want kumomta[] = {
	{1, 0, "delivered", "10.0.0.1", "source2", "recipient.example.com",
	    "gmail-smtp-in.l.google.com", "142.251.2.27", "2.0.0", 250, "",
	    "", 1678069691, "delivered", false},
	{2, 0, "deferred", "203.0.113.5", "ip1", "hotmail.com",
	    "hotmail-com.olc.protection.outlook.com", "52.101.73.17",
	    "4.7.650", 451, "S775", "203.0.113.5", 1778773773,
	    "deferred-throttle", true},
	{3, 0, "bounced", "198.51.100.2", "ip2", "live.com",
	    "live-com.olc.protection.outlook.com", "", "5.7.1", 550, "S3150",
	    "172.246.35.50", 1769238010, "blocked", true},
	SKIP(4, 0),
	SKIP(5, RW_EDATA),
	SKIP(6, RW_EDATA),
};

static const struct want powermta[] = {
	SKIP(1, 0),
	{2, 0, "delivered", "203.0.113.5", "vmta-ip1", "gmail.com",
	    "gmail-smtp-in.l.google.com", "142.250.102.27", "2.0.0", 250, "",
	    "", 1772558160, "delivered", false},
	{3, 0, "deferred", "203.0.113.5", "vmta-ip1", "hotmail.com",
	    "hotmail-com.olc.protection.outlook.com", "52.101.73.17",
	    "4.7.650", 451, "S775", "203.0.113.5", 1778773773,
	    "deferred-throttle", true},
	{4, 0, "bounced", "203.0.113.6", "vmta-ip2", "live.com",
	    "live-com.olc.protection.outlook.com", "52.101.68.3", "5.7.1", 550,
	    "S3150", "203.0.113.6", 1769238010, "blocked", true},
	SKIP(5, 0),
	SKIP(6, RW_EDATA),
	SKIP(7, RW_EDATA),
};

static const struct fixture fixtures[] = {
	{FIX "postfix.log", MTA_POSTFIX, "192.0.2.100",
	    "smtp-ip1:192.0.2.101, out2:192.0.2.102", NULL, postfix,
	    G_N_ELEMENTS(postfix)},
	{FIX "exim.log", MTA_EXIM, "192.0.2.100", NULL, "UTC", exim,
	    G_N_ELEMENTS(exim)},
	{FIX "kumomta.jsonl", MTA_KUMOMTA, NULL, "ip2:198.51.100.2", NULL,
	    kumomta, G_N_ELEMENTS(kumomta)},
	{FIX "powermta.csv", MTA_POWERMTA, NULL, NULL, "UTC", powermta,
	    G_N_ELEMENTS(powermta)},
};

static int failures;

static void
expect_str(const char *what, const char *field, const char *got,
    const char *want)
{
	if (g_strcmp0(got, want) != 0) {
		print_error("%s: %s: got \"%s\", want \"%s\"\n", what, field,
		    got, want);
		failures++;
	}
}

static void
expect_int(const char *what, const char *field, int64_t got, int64_t want)
{
	if (got != want) {
		print_error("%s: %s: got %" G_GINT64_FORMAT ", want %"
		    G_GINT64_FORMAT "\n", what, field, (gint64)got,
		    (gint64)want);
		failures++;
	}
}

static void
check_line(const char *what, const struct want *w, int rc, bool found,
    const struct mta_attempt *a, const struct mta_classifier *c)
{
	struct mta_verdict v;

	expect_int(what, "status", rc, w->rc);
	expect_str(what, "attempt", found ? "yes" : "no",
	    w->outcome != NONE ? "yes" : "no");
	if (!found || w->outcome == NONE)
		return;
	expect_str(what, "outcome", mta_outcome_name(a->outcome), w->outcome);
	expect_str(what, "source_ip", a->source_ip, w->source_ip);
	expect_str(what, "service", a->service, w->service);
	expect_str(what, "domain", a->rcpt_domain, w->domain);
	expect_str(what, "mx_host", a->mx_host, w->mx_host);
	expect_str(what, "mx_ip", a->mx_ip, w->mx_ip);
	expect_str(what, "enhanced", a->enhanced, w->enhanced);
	expect_int(what, "reply", a->reply, w->reply);
	expect_str(what, "scode", a->scode, w->scode);
	expect_str(what, "answer_ip", a->answer_ip, w->answer_ip);
	expect_int(what, "epoch", a->has_epoch ? a->epoch : 0, w->epoch);
	expect_str(what, "time", a->time[0] != '\0' ? "set" : "",
	    "set");
	expect_str(what, "text", a->text[0] != '\0' ? "set" : "", "set");
	mta_classify(&v, c, a);
	expect_str(what, "class", mta_class_name(v.cls), w->cls);
	expect_str(what, "microsoft", v.microsoft ? "yes" : "no",
	    w->microsoft ? "yes" : "no");
	if (strcmp(w->cls, "blocked") == 0 ||
	    strcmp(w->cls, "deferred-throttle") == 0)
		expect_str(what, "rule source", v.source != NULL ? "set" : "",
		    "set");
}

static void
run_fixture(const struct fixture *f, const struct mta_classifier *c)
{
	struct mta_parser *p = NULL;
	char *data = NULL;
	char **lines;
	size_t n = 0;

	assert_true(g_file_get_contents(f->file, &data, NULL, NULL));
	assert_int_equal(mta_parser_new(&p, f->format), 0);
	assert_int_equal(mta_parser_set_source_ip(p, f->source_ip), 0);
	if (f->services != NULL)
		assert_int_equal(mta_parser_add_services(p, f->services), 0);
	if (f->zone != NULL)
		assert_int_equal(mta_parser_set_zone(p, f->zone), 0);
	lines = g_strsplit(data, "\n", -1);
	for (size_t i = 0; lines[i] != NULL; i++) {
		struct mta_attempt a;
		bool found = true;
		char *what;
		int rc;

		if (lines[i][0] == '\0' && lines[i + 1] == NULL)
			break;
		what = g_strdup_printf("%s:%zu", f->file, i + 1);
		rw_error_clear();
		rc = mta_parse_line(&a, &found, p, lines[i], strlen(lines[i]));
		if (n >= f->n || f->want[n].line != (int)i + 1) {
			print_error("%s: no expected row\n", what);
			failures++;
		} else {
			check_line(what, &f->want[n], rc, found, &a, c);
			if (rc != 0 && rw_error_message() == NULL) {
				print_error("%s: no error recorded\n", what);
				failures++;
			}
		}
		n++;
		g_free(what);
	}
	expect_int(f->file, "lines", (int64_t)n, (int64_t)f->n);
	g_strfreev(lines);
	g_free(data);
	mta_parser_free(p);
}

static void
test_fixtures(void **state)
{
	struct mta_classifier *c = NULL;

	(void)state;
	assert_int_equal(mta_classifier_new(&c), 0);
	failures = 0;
	for (size_t i = 0; i < G_N_ELEMENTS(fixtures); i++)
		run_fixture(&fixtures[i], c);
	mta_classifier_free(c);
	assert_int_equal(failures, 0);
}

/* parse - one line through a fresh parser of FORMAT */
static int
parse(struct mta_attempt *a, bool *found, enum mta_format format,
    const char *line, size_t len)
{
	struct mta_parser *p = NULL;
	int rc;

	assert_int_equal(mta_parser_new(&p, format), 0);
	rc = mta_parse_line(a, found, p, line, len);
	mta_parser_free(p);
	return rc;
}

#define PF_HEAD "Mar  3 09:15:02 mx1 postfix/smtp[5150]: 9A1B2C3D4E: " \
	"to=<a@hotmail.com>, relay=h.olc.protection.outlook.com[192.0.2.1]" \
	":25, delay=1, delays=1/0/0/0, dsn=4.7.650, status=deferred (host " \
	"h.olc.protection.outlook.com[192.0.2.1] said: 451 4.7.650 "

/* every input has a ceiling; the kept answer is capped, not refused */
static void
test_ceilings(void **state)
{
	const enum mta_format formats[] = {MTA_POSTFIX, MTA_EXIM,
	    MTA_KUMOMTA, MTA_POWERMTA};
	struct mta_attempt a;
	bool found;
	GString *s;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
		size_t cap = formats[i] == MTA_KUMOMTA ? MTA_JSON_MAX :
		    MTA_LINE_MAX;
		char *big = g_malloc(cap + 2);

		memset(big, 'x', cap + 1);
		big[cap + 1] = '\0';
		found = true;
		assert_int_equal(parse(&a, &found, formats[i], big, cap + 1),
		    RW_EDATA);
		assert_false(found);
		assert_non_null(strstr(rw_error_message(), "over the limit"));
		/* a trailing newline does not count */
		big[cap] = '\n';
		if (formats[i] != MTA_KUMOMTA && formats[i] != MTA_POWERMTA)
			assert_int_equal(parse(&a, &found, formats[i], big,
			    cap + 1), 0);
		g_free(big);
	}
	/* a NUL inside a line */
	assert_int_equal(parse(&a, &found, MTA_EXIM, "2026-01-01 00:00:00 x\0y",
	    23), RW_EDATA);
	/* a long answer is kept, cut */
	s = g_string_new(PF_HEAD);
	for (int i = 0; i < 500; i++)
		g_string_append(s, "rate limited ");
	g_string_append(s, "(S775))");
	assert_int_equal(parse(&a, &found, MTA_POSTFIX, s->str, s->len), 0);
	assert_true(found);
	assert_true(a.text_capped);
	assert_int_equal(strlen(a.text), MTA_TEXT_MAX - 1);
	assert_string_equal(a.enhanced, "4.7.650");
	assert_int_equal(a.reply, 451);
	g_string_free(s, TRUE);
	/* an empty line is no attempt and no error */
	for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
		assert_int_equal(parse(&a, &found, formats[i], "", 0), 0);
		assert_false(found);
	}
}

/* malformed lines of the line formats are "not an attempt", no error */
static void
test_not_attempts(void **state)
{
	static const struct {
		enum mta_format format;
		const char *line;
	} cases[] = {
		{MTA_POSTFIX, "Mar"},
		{MTA_POSTFIX, "Mar  3 09:15:02 mx1 postfix/smtp[1]:"},
		{MTA_POSTFIX, "Mar  3 09:15:02 mx1 postfix/smtp[1]: X: to=<a"},
		{MTA_POSTFIX, "Mar  3 09:15:02 mx1 postfix/smtp[1]: X: "
		    "to=<a@b>, relay=h[1.2.3.4]:25, status=queued (x)"},
		{MTA_POSTFIX, "Mar  3 09:15:02 mx1 postfix/smtp[1]: X: "
		    "to=<a@b>, relay=h[1.2.3.4]:25"},
		{MTA_POSTFIX, "2026-13-45T99:99:99 h postfix/bounce[1]: X: "
		    "to=<a@b>, relay=h, status=sent (x)"},
		{MTA_EXIM, "2026-01-01 00:00:00"},
		{MTA_EXIM, "2026-01-01 00:00:00 id =>"},
		{MTA_EXIM, "2026-01-01 00:00:00 id => a@b R=r T=t"},
		{MTA_EXIM, "2026-01-01 00:00:00 id <= a@b H=h [1.2.3.4]"},
		{MTA_EXIM, "20260101 00:00:00 id => a@b H=h [1.2.3.4]"},
	};
	struct mta_attempt a;
	bool found;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		found = true;
		if (parse(&a, &found, cases[i].format, cases[i].line,
		    strlen(cases[i].line)) != 0 || found) {
			print_error("case %zu: got an attempt or an error, "
			    "want neither: %s\n", i, cases[i].line);
			fail();
		}
	}
}

/*
 * PowerMTA's header names the columns in any order: the first of a
 * repeated name counts, a column missing is empty, a new header row
 * replaces the last one for the rows after it
 */
static void
test_powermta_header(void **state)
{
	static const char *const rows[] = {
		"type,dsnDiag,rcpt,type,vmta",
		"b,550 5.7.1 on our block list (S3150),x@live.com,d,vmta-1",
		"type,rcpt",
		"d,y@Outlook.com",
		"d,z@outlook.com,extra",
	};
	struct mta_parser *p = NULL;
	struct mta_attempt a;
	bool found;

	(void)state;
	assert_int_equal(mta_parser_new(&p, MTA_POWERMTA), 0);
	for (size_t i = 0; i < 4; i++) {
		found = false;
		assert_int_equal(mta_parse_line(&a, &found, p, rows[i],
		    strlen(rows[i])), 0);
		if (found != (i == 1 || i == 3))
			fail_msg("row %zu: found %d, want %d", i, found, !found);
		if (i == 1) {
			expect_int("reordered", "outcome", a.outcome,
			    MTA_BOUNCED);
			expect_str("reordered", "rcpt_domain", a.rcpt_domain,
			    "live.com");
			expect_str("reordered", "scode", a.scode, "S3150");
			expect_int("reordered", "reply", a.reply, 550);
			expect_str("reordered", "service", a.service,
			    "vmta-1");
			expect_str("reordered", "time", a.time, "");
		}
	}
	expect_int("new header", "outcome", a.outcome, MTA_DELIVERED);
	expect_str("new header", "rcpt_domain", a.rcpt_domain,
	    "outlook.com");
	expect_str("new header", "text", a.text, "");
	expect_str("new header", "service", a.service, "");
	assert_int_equal(mta_parse_line(&a, &found, p, rows[4],
	    strlen(rows[4])), RW_EDATA);
	expect_str("a row too long", "error", rw_error_message(),
	    "powermta row has 3 fields, the header 2");
	rw_error_clear();
	mta_parser_free(p);
	if (failures > 0)
		fail_msg("%d mismatches", failures);
}

/* the settings refuse what they cannot use */
static void
test_settings(void **state)
{
	static const char *const bad_services[] = {
		"smtp-ip1", ":192.0.2.1", "a:notanip", "a:192.0.2.1, b",
	};
	struct mta_parser *p = NULL;
	enum mta_format f;

	(void)state;
	assert_int_equal(mta_parser_new(&p, MTA_POSTFIX), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(bad_services); i++)
		assert_int_equal(mta_parser_add_services(p, bad_services[i]),
		    RW_ECONFIG);
	assert_int_equal(mta_parser_add_services(p,
	    "v6:2001:db8::1 v4:192.0.2.1,,"), 0);
	assert_int_equal(mta_parser_set_source_ip(p, "192.0.2.300"),
	    RW_ECONFIG);
	assert_int_equal(mta_parser_set_source_ip(p, "::ffff:192.0.2.1"), 0);
	assert_int_equal(mta_parser_set_zone(p, "Not/AZone"), RW_ECONFIG);
	mta_parser_free(p);
	mta_parser_free(NULL);
	assert_int_equal(mta_format_parse(&f, "kumomta"), 0);
	assert_int_equal(f, MTA_KUMOMTA);
	assert_string_equal(mta_format_name(f), "kumomta");
	assert_int_equal(mta_format_parse(&f, "sendmail"), RW_ECONFIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_ceilings),
		cmocka_unit_test(test_not_attempts),
		cmocka_unit_test(test_powermta_header),
		cmocka_unit_test(test_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

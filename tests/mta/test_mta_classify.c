/*
 * Unit tests of mta/mta_classify on attempts built field by field: the
 * table (each class, the edges of 5.7.606-5.7.649), Microsoft
 * destinations by domain and by MX host, the caller's rules, domains and
 * MX suffixes, and the refused rule texts.
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

struct class_case {
	const char *domain, *mx;
	enum mta_outcome outcome;
	const char *enhanced, *scode;
	const char *want;
	bool want_ms;
};

#define OLC "hotmail-com.olc.protection.outlook.com"
#define M365 "contoso-com.mail.protection.outlook.com"

static const struct class_case cases[] = {
	{"hotmail.com", OLC, MTA_DELIVERED, "2.6.0", "", "delivered", true},
	{"hotmail.com", OLC, MTA_DEFERRED, "4.7.650", "S775",
	    "deferred-throttle", true},
	{"hotmail.com", OLC, MTA_DEFERRED, "4.7.650", "", "deferred-throttle",
	    true},
	{"hotmail.com", OLC, MTA_DEFERRED, "4.7.651", "", "deferred-throttle",
	    true},
	{"hotmail.com", OLC, MTA_DEFERRED, "", "S3114", "deferred-throttle",
	    true},
	{"hotmail.com", OLC, MTA_DEFERRED, "4.4.4", "", "deferred-other",
	    true},
	{"hotmail.com", OLC, MTA_DEFERRED, "4.7.652", "", "deferred-other",
	    true},
	{"live.com", "", MTA_BOUNCED, "5.7.1", "S3150", "blocked", true},
	{"live.com", "", MTA_BOUNCED, "5.7.1", "S3140", "blocked", true},
	{"live.com", "", MTA_BOUNCED, "5.7.1", "", "bounced-other", true},
	{"live.com", "", MTA_BOUNCED, "5.7.1", "S314", "bounced-other", true},
	{"live.com", "", MTA_BOUNCED, "5.7.511", "", "blocked", true},
	{"", M365, MTA_BOUNCED, "5.7.605", "", "bounced-other", true},
	{"", M365, MTA_BOUNCED, "5.7.606", "", "blocked", true},
	{"", M365, MTA_BOUNCED, "5.7.627", "", "blocked", true},
	{"", M365, MTA_BOUNCED, "5.7.649", "", "blocked", true},
	{"", M365, MTA_BOUNCED, "5.7.650", "", "bounced-other", true},
	{"", M365, MTA_BOUNCED, "5.7.6490", "", "bounced-other", true},
	{"", M365, MTA_BOUNCED, "5.6.610", "", "bounced-other", true},
	{"", M365, MTA_BOUNCED, "4.7.606", "", "bounced-other", true},
	/* a 5xx block answered to a deferring MTA is still a block */
	{"", M365, MTA_DEFERRED, "5.7.606", "", "blocked", true},
	/* the S-code decides over the enhanced code */
	{"msn.com", "", MTA_DEFERRED, "4.7.650", "S3150", "blocked", true},
	/* destinations */
	{"hotmail.co.uk", "", MTA_DEFERRED, "4.7.650", "", "deferred-throttle",
	    true},
	{"outlook.de", "", MTA_DEFERRED, "4.7.650", "", "deferred-throttle",
	    true},
	{"windowslive.com", "", MTA_DEFERRED, "4.7.650", "",
	    "deferred-throttle", true},
	{"example.com", "example-com.mail.protection.outlook.com",
	    MTA_DEFERRED, "4.7.650", "", "deferred-throttle", true},
	{"example.com", "example-com.j-v1.mx.microsoft", MTA_BOUNCED,
	    "5.7.606", "", "blocked", true},
	/* not Microsoft: the table does not apply */
	{"gmail.com", "gmail-smtp-in.l.google.com", MTA_DEFERRED, "4.7.650",
	    "S775", "deferred-other", false},
	{"gmail.com", "gmail-smtp-in.l.google.com", MTA_BOUNCED, "5.7.606",
	    "", "bounced-other", false},
	{"gmail.com", "gmail-smtp-in.l.google.com", MTA_DELIVERED, "2.0.0",
	    "", "delivered", false},
	{"hotmail", "", MTA_BOUNCED, "5.7.606", "", "bounced-other", false},
	{"nothotmail.com", "", MTA_BOUNCED, "5.7.606", "", "bounced-other",
	    false},
	{"msn.com.example", "", MTA_BOUNCED, "5.7.606", "", "bounced-other",
	    false},
	{"", "protection.outlook.com.example.net", MTA_BOUNCED, "5.7.606", "",
	    "bounced-other", false},
	{"", "notprotection.outlook.com", MTA_BOUNCED, "5.7.606", "",
	    "bounced-other", false},
	{"", "", MTA_BOUNCED, "5.7.606", "", "bounced-other", false},
	/* "name.*": the star is a public suffix, not any domain */
	{"live.fr", "", MTA_BOUNCED, "5.7.606", "", "blocked", true},
	{"outlook.com.br", "", MTA_BOUNCED, "5.7.606", "", "blocked", true},
	{"hotmail.co.jp", "", MTA_BOUNCED, "5.7.606", "", "blocked", true},
	{"live.nation.example", "", MTA_BOUNCED, "5.7.606", "",
	    "bounced-other", false},
	{"outlook.example.org", "", MTA_BOUNCED, "5.7.606", "",
	    "bounced-other", false},
	{"live.abcd.uk", "", MTA_BOUNCED, "5.7.606", "", "bounced-other",
	    false},
	{"hotmail.co.u1", "", MTA_BOUNCED, "5.7.606", "", "bounced-other",
	    false},
	{"hotmail.c", "", MTA_BOUNCED, "5.7.606", "", "bounced-other", false},
	{"live.", "", MTA_BOUNCED, "5.7.606", "", "bounced-other", false},
	{"outlook.co.uk.example", "", MTA_BOUNCED, "5.7.606", "",
	    "bounced-other", false},
	/* but a customer domain hosted at Microsoft 365, by its MX */
	{"live.nation.example", "live-nation-example.mail.protection."
	    "outlook.com", MTA_BOUNCED, "5.7.606", "", "blocked", true},
	/* S-codes with a letter before the S */
	{"hotmail.com", OLC, MTA_BOUNCED, "5.7.1", "AS3130", "blocked", true},
	{"hotmail.com", OLC, MTA_BOUNCED, "5.7.1", "S3130", "blocked", true},
	{"hotmail.com", OLC, MTA_BOUNCED, "5.7.1", "AS3150", "blocked", true},
	{"hotmail.com", OLC, MTA_BOUNCED, "5.7.1", "AS3140", "blocked", true},
	{"", M365, MTA_BOUNCED, "5.7.1", "AS16012611", "blocked", true},
	{"", M365, MTA_BOUNCED, "5.7.1", "S16012611", "bounced-other", true},
	{"hotmail.com", OLC, MTA_BOUNCED, "5.7.1", "AS31300", "bounced-other",
	    true},
	/* deferred-other on purpose: load and TLS, not reputation */
	{"", M365, MTA_DEFERRED, "4.7.500", "S77719", "deferred-other", true},
	{"", M365, MTA_DEFERRED, "4.7.500", "AS77712344", "deferred-other",
	    true},
	{"hotmail.com", OLC, MTA_DEFERRED, "4.7.66", "", "deferred-other",
	    true},
};

static struct mta_attempt
attempt(const char *domain, const char *mx, enum mta_outcome outcome,
    const char *enhanced, const char *scode)
{
	struct mta_attempt a;

	memset(&a, 0, sizeof(a));
	g_strlcpy(a.rcpt_domain, domain, sizeof(a.rcpt_domain));
	g_strlcpy(a.mx_host, mx, sizeof(a.mx_host));
	g_strlcpy(a.enhanced, enhanced, sizeof(a.enhanced));
	g_strlcpy(a.scode, scode, sizeof(a.scode));
	a.outcome = outcome;
	return a;
}

static void
test_table(void **state)
{
	struct mta_classifier *c = NULL;
	int failures = 0;

	(void)state;
	assert_int_equal(mta_classifier_new(&c), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct class_case *k = &cases[i];
		struct mta_attempt a = attempt(k->domain, k->mx, k->outcome,
		    k->enhanced, k->scode);
		struct mta_verdict v;

		mta_classify(&v, c, &a);
		if (strcmp(mta_class_name(v.cls), k->want) != 0 ||
		    v.microsoft != k->want_ms) {
			print_error("case %zu (%s %s %s %s): got %s%s, want "
			    "%s%s\n", i, k->domain, k->mx, k->enhanced,
			    k->scode, mta_class_name(v.cls),
			    v.microsoft ? " microsoft" : "", k->want,
			    k->want_ms ? " microsoft" : "");
			failures++;
		}
		/* a rule's decision names its source */
		if ((v.cls == MTA_CLASS_BLOCKED ||
		    v.cls == MTA_CLASS_DEFERRED_THROTTLE) &&
		    (v.code == NULL || v.source == NULL ||
		    strlen(v.source) < 20)) {
			print_error("case %zu: no rule source\n", i);
			failures++;
		}
	}
	mta_classifier_free(c);
	assert_int_equal(failures, 0);
}

/* every table entry names a public source */
static void
test_sources(void **state)
{
	(void)state;
	assert_true(mta_rules_count >= 8);
	for (size_t i = 0; i < mta_rules_count; i++) {
		assert_non_null(mta_rules[i].source);
		assert_non_null(strchr(mta_rules[i].source, '.'));
		assert_true(mta_rules[i].cls == MTA_CLASS_BLOCKED ||
		    mta_rules[i].cls == MTA_CLASS_DEFERRED_THROTTLE);
	}
}

/* the caller's rules, domains and MX suffixes come first */
static void
test_user_rules(void **state)
{
	static const char *const bad[] = {
		"S3160", "S3160=", "S3160=fine", "S3160=delivered",
		"X12=blocked", "4.7=blocked", "5.7.700-5.8.750=blocked",
		"5.7.750-5.7.700=blocked", "4.7.650.1=blocked",
		"S12345678=blocked", "AS123456789=blocked", "AAS3130=blocked",
		"A3130=blocked", "AS=blocked", "1S3130=blocked",
	};
	struct mta_classifier *c = NULL;
	struct mta_attempt a;
	struct mta_verdict v;

	(void)state;
	assert_int_equal(mta_classifier_new(&c), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		if (mta_classifier_add_rules(c, bad[i]) != RW_ECONFIG) {
			print_error("rule \"%s\": accepted, want refused\n",
			    bad[i]);
			fail();
		}
	}
	assert_int_equal(mta_classifier_add_rules(c,
	    "S3160=blocked, 4.7.652=deferred-throttle "
	    "5.7.700-5.7.749=blocked,S775=deferred-other"), 0);
	assert_int_equal(mta_classifier_add_domains(c, "Contoso.example, "
	    "fabrikam.*"), 0);
	assert_int_equal(mta_classifier_add_mx(c, ".mx.example.net"), 0);
	assert_int_equal(mta_classifier_add_domains(c, "a@b.example"),
	    RW_ECONFIG);

	/* a prefixed rule is only that code; an unprefixed one both forms */
	assert_int_equal(mta_classifier_add_rules(c, "as3180=blocked "
	    "S3190=blocked"), 0);
	{
		static const struct {
			const char *scode, *want;
		} pre[] = {
			{"AS3180", "blocked"}, {"S3180", "bounced-other"},
			{"BS3180", "bounced-other"}, {"S3190", "blocked"},
			{"AS3190", "blocked"},
		};

		for (size_t i = 0; i < G_N_ELEMENTS(pre); i++) {
			a = attempt("hotmail.com", "", MTA_BOUNCED, "5.7.1",
			    pre[i].scode);
			mta_classify(&v, c, &a);
			if (strcmp(mta_class_name(v.cls), pre[i].want) != 0)
				fail_msg("rule as3180/S3190, answer %s: got "
				    "%s, want %s", pre[i].scode,
				    mta_class_name(v.cls), pre[i].want);
		}
	}
	a = attempt("contoso.example", "", MTA_BOUNCED, "5.7.1", "S3160");
	mta_classify(&v, c, &a);
	assert_string_equal(mta_class_name(v.cls), "blocked");
	assert_string_equal(v.source, "user");
	a = attempt("fabrikam.co.uk", "", MTA_DEFERRED, "4.7.652", "");
	mta_classify(&v, c, &a);
	assert_string_equal(mta_class_name(v.cls), "deferred-throttle");
	a = attempt("x.example", "mx1.mx.example.net", MTA_BOUNCED, "5.7.700",
	    "");
	mta_classify(&v, c, &a);
	assert_string_equal(mta_class_name(v.cls), "blocked");
	a = attempt("x.example", "mx1.mx.example.net", MTA_BOUNCED, "5.7.750",
	    "");
	mta_classify(&v, c, &a);
	assert_string_equal(mta_class_name(v.cls), "bounced-other");
	/* a user rule overrides the table */
	a = attempt("hotmail.com", "", MTA_DEFERRED, "4.7.650", "S775");
	mta_classify(&v, c, &a);
	assert_string_equal(mta_class_name(v.cls), "deferred-other");
	mta_classifier_free(c);
	mta_classifier_free(NULL);
}

static void
test_names(void **state)
{
	enum mta_class cls;

	(void)state;
	for (int i = MTA_CLASS_DELIVERED; i <= MTA_CLASS_BOUNCED_OTHER; i++) {
		assert_int_equal(mta_class_parse(&cls,
		    mta_class_name((enum mta_class)i)), 0);
		assert_int_equal(cls, i);
	}
	assert_int_equal(mta_class_parse(&cls, "throttled"), RW_ECONFIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_user_rules),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

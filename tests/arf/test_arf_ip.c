/*
 * test_arf_ip - address tokens in report fields and trace headers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include <glib.h>

#include "arf/arf_ip.h"
#include "arf/arf_report.h"

enum fn { PARSE, FIRST, RECEIVED, SPF, AR };

static const struct {
	enum fn fn;
	const char *in;
	const char *want; /* NULL: no address */
} cases[] = {
	{PARSE, "192.0.2.1", "192.0.2.1"},
	{PARSE, " 192.0.2.1 (mta.example.com)", "192.0.2.1"},
	{PARSE, "[192.0.2.1]", "192.0.2.1"},
	{PARSE, "IPv6:2001:DB8:0:0::1", "2001:db8::1"},
	{PARSE, "x.x.x.x", NULL},
	{PARSE, "192.0.2.xxx", NULL},
	{PARSE, "256.1.1.1", NULL},
	{PARSE, "(comment) 192.0.2.9", "192.0.2.9"},
	{PARSE, "mta.example.com 192.0.2.9", NULL},
	{PARSE, "", NULL},
	/* issue 17 item 5: mapped IPv4 is IPv4; zone ids and brackets go */
	{PARSE, "::ffff:192.0.2.50", "192.0.2.50"},
	{PARSE, "IPv6:::FFFF:192.0.2.50", "192.0.2.50"},
	{PARSE, "[::ffff:c000:232]", "192.0.2.50"},
	{PARSE, "fe80::1%eth0", "fe80::1"},
	{PARSE, "[2001:db8::1%25en0]", "2001:db8::1"},
	{RECEIVED, "from mta.example.com (mta.example.com [203.0.113.30])\n"
	    "\tby relay.example.com (8.16.1.2/8.16.1.2) with ESMTP id 5",
	    "203.0.113.30"},
	{RECEIVED, "from x ([IPv6:::ffff:198.51.100.9]) by y", "198.51.100.9"},
	{FIRST, "complaint about message from 203.0.113.5", "203.0.113.5"},
	{FIRST, "[203.0.113.173]", "203.0.113.173"},
	{FIRST, "deadbeef.example.com", NULL},
	{RECEIVED, "from mta.example.com (mta.example.com [192.0.2.25]) by "
	    "mx.example.net with ESMTP", "192.0.2.25"},
	{RECEIVED, "from unknown (HELO mta.example.com) (198.51.100.3) by "
	    "mx.example.net with SMTP", "198.51.100.3"},
	{RECEIVED, "from 127.0.0.1 (EHLO mta.example.com) (203.0.113.7) by "
	    "mta1.example.net with SMTP", "203.0.113.7"},
	{RECEIVED, "from [192.0.2.8] (helo=x) by mx.example.net (198.51.100.1)",
	    "192.0.2.8"},
	{RECEIVED, "from mta.example.com ([IPv6:2001:db8::7]) by mx",
	    "2001:db8::7"},
	{RECEIVED, "by mx.example.net with LMTP id 1 for <a@example.net>",
	    NULL},
	{RECEIVED, "from mail pickup service by WEB.local with SMTPSVC", NULL},
	{SPF, "Pass (domain of example.com designates 203.0.113.62 as "
	    "permitted sender) client-ip=203.0.113.62; helo=x;", "203.0.113.62"},
	{AR, "spf=pass (sender IP is 203.0.113.61) smtp.mailfrom=example.com",
	    "203.0.113.61"},
	{AR, "spf=none smtp.mailfrom=example.com", NULL},
};

static bool
run(char out[static ARF_IP_BUF], enum fn fn, const char *in)
{
	switch (fn) {
	case PARSE:
		return arf_ip_parse(out, in);
	case FIRST:
		return arf_ip_first(out, in);
	case RECEIVED:
		return arf_ip_received(out, in);
	case SPF:
		return arf_ip_after(out, in, "client-ip=");
	case AR:
		return arf_ip_after(out, in, "sender IP is");
	}
	return false;
}

static void
test_tokens(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char out[ARF_IP_BUF] = "";
		bool found = run(out, cases[i].fn, cases[i].in);

		if (cases[i].want == NULL && found)
			fail_msg("case %zu \"%s\": got %s, want none", i,
			    cases[i].in, out);
		if (cases[i].want != NULL && (!found ||
		    strcmp(out, cases[i].want) != 0))
			fail_msg("case %zu \"%s\": got %s, want %s", i,
			    cases[i].in, found ? out : "none", cases[i].want);
	}
}

static void
test_public(void **state)
{
	static const struct {
		const char *ip;
		bool want;
	} pub[] = {
		{"192.0.2.1", true}, {"203.0.113.9", true}, {"8.8.8.8", true},
		{"10.1.2.3", false}, {"172.16.0.1", false}, {"172.32.0.1", true},
		{"192.168.1.1", false}, {"127.0.0.1", false},
		{"169.254.1.1", false}, {"100.64.0.1", false},
		{"2001:db8::1", true}, {"::1", false}, {"fe80::1", false},
		{"fd00::1", false}, {"::ffff:10.0.0.1", false},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(pub); i++)
		if (arf_ip_is_public(pub[i].ip) != pub[i].want)
			fail_msg("%s: got %d, want %d", pub[i].ip,
			    !pub[i].want, pub[i].want);
}

static void
test_redacted(void **state)
{
	static const struct {
		const char *addr;
		bool want;
	} red[] = {
		{"user@example.net", false},
		{"redacted@example.net", true},
		{"*****@outlook.com", true},
		{"cb4a01a48251d4765f489076aa81e2a4@comcast.net", true},
		{"@example.net", true},
		{"{{ rcpt }}", true},
		{"cafe@example.net", false},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(red); i++)
		if (arf_report_redacted(red[i].addr) != red[i].want)
			fail_msg("%s: got %d, want %d", red[i].addr,
			    !red[i].want, red[i].want);
}

static void
test_dates(void **state)
{
	static const struct {
		const char *in;
		gint64 want; /* -1: not a date */
	} dates[] = {
		{"Thu, 30 Dec 10 10:37:16 -0800", 1293734236},
		{"Thu, 18 Feb 2010 03:20:00 PST", 1266492000},
		{"8 Oct 2011 12:00:00 (GMT)", 1318075200},
		{"Mon, 1 Feb 2016 10:00:00 -0500 (EST)", 1454338800},
		{"Thu, 30 Dec 2010 13:32:14 UT", 1293715934},
		{"not a date", -1},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(dates); i++) {
		gint64 t = -1;
		bool ok = arf_report_date(&t, dates[i].in);

		if (dates[i].want < 0 ? ok : (!ok || t != dates[i].want))
			fail_msg("\"%s\": got %" G_GINT64_FORMAT ", want %"
			    G_GINT64_FORMAT, dates[i].in, t, dates[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_public),
		cmocka_unit_test(test_redacted),
		cmocka_unit_test(test_dates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

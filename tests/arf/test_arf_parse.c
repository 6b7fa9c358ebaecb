/*
 * test_arf_parse - "repwatch arf parse --json" on one fixture per quirk,
 * compared field by field; plus the parser's limits, content keys and
 * options in-process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-glib/json-glib.h>

#include "arf/arf_json.h"
#include "arf/arf_parse.h"

#define FIX "tests/fixtures/arf/"

/*
 * KEY is a JSON member, "original.x" for the original's; WANT is the
 * value as text: NULL for JSON null, lists joined with "|" ("" = []),
 * "~text" when a list must contain an item holding TEXT.
 */
struct expect {
	const char *fixture;
	const char *key;
	const char *want;
};

static const struct expect cases[] = {
	/* RFC 5965 with every field, then the same in CRLF and CR-only */
	{"arf-basic.eml", "format", "arf"},
	{"arf-basic.eml", "reason", NULL},
	{"arf-basic.eml", "feedback_type", "abuse"},
	{"arf-basic.eml", "user_agent", "ExampleFBL/1.0"},
	{"arf-basic.eml", "version", "1"},
	{"arf-basic.eml", "provider", NULL},
	{"arf-basic.eml", "source_ip", "192.0.2.25"},
	{"arf-basic.eml", "source_ip_origin", "reported"},
	{"arf-basic.eml", "arrival_date", "2026-03-03T09:59:58Z"},
	{"arf-basic.eml", "original_mail_from", "bounce-1001@bounce.example.com"},
	{"arf-basic.eml", "original_rcpt_to", "user@example.net|other@example.net"},
	{"arf-basic.eml", "reported_domain", "example.com"},
	{"arf-basic.eml", "reported_uri",
	    "http://example.com/offer|mailto:unsubscribe@example.com"},
	{"arf-basic.eml", "reporting_mta", "fbl.example.org"},
	{"arf-basic.eml", "incidents", "3"},
	{"arf-basic.eml", "report_message_id", "report-1@fbl.example.org"},
	{"arf-basic.eml", "report_date", "2026-03-03T10:05:00Z"},
	{"arf-basic.eml", "original.message_id", "offer-1001@mail.example.com"},
	{"arf-basic.eml", "original.subject", "Spring offers"},
	{"arf-basic.eml", "original.from", "Example News <news@example.com>"},
	{"arf-basic.eml", "original.date", "2026-03-03T09:59:56Z"},
	{"arf-basic.eml", "original.return_path", "bounce-1001@bounce.example.com"},
	{"arf-basic.eml", "original.list_id", "Offers <offers.example.com>"},
	{"arf-basic.eml", "original.feedback_id", "1001:offers:example"},
	{"arf-basic.eml", "original.trace.X-Campaign-ID", "spring-2026"},
	{"arf-basic.eml", "sending_domain", "example.com"},
	{"arf-basic.eml", "warnings", ""},
	{"arf-crlf.eml", "source_ip", "192.0.2.25"},
	{"arf-crlf.eml", "original_rcpt_to", "user@example.net|other@example.net"},
	{"arf-crlf.eml", "original.subject", "Spring offers"},
	{"arf-cr-only.eml", "format", "arf"},
	{"arf-cr-only.eml", "source_ip", "192.0.2.25"},
	{"arf-cr-only.eml", "original.message_id", "offer-1001@mail.example.com"},
	/* 2026 JMRP: three fields; IP from the inbound hop; masked recipient */
	{"jmrp-2026-arf.eml", "format", "arf"},
	{"jmrp-2026-arf.eml", "provider", "microsoft"},
	{"jmrp-2026-arf.eml", "user_agent", "JMRP/1.0"},
	{"jmrp-2026-arf.eml", "source_ip", "198.51.100.7"},
	{"jmrp-2026-arf.eml", "source_ip_origin", "received-edge"},
	{"jmrp-2026-arf.eml", "original_mail_from", NULL},
	{"jmrp-2026-arf.eml", "original.feedback_id", "77:basket:hmac0123"},
	{"jmrp-2026-arf.eml", "original.trace.X-Campaign-ID", "basket-reminder"},
	{"jmrp-2026-arf.eml", "warnings", "~recipient redacted"},
	/* legacy JMRP: wrapper, masked subject, Office 365, inline */
	{"jmrp-legacy.eml", "format", "jmrp-legacy"},
	{"jmrp-legacy.eml", "feedback_type", "abuse"},
	{"jmrp-legacy.eml", "provider", "microsoft"},
	{"jmrp-legacy.eml", "source_ip", "203.0.113.45"},
	{"jmrp-legacy.eml", "source_ip_origin", "subject"},
	{"jmrp-legacy.eml", "report_date", "2010-12-30T18:37:16Z"},
	{"jmrp-legacy.eml", "original_rcpt_to", "recipient@hotmail.com"},
	{"jmrp-legacy.eml", "original.message_id", "greetings-1@example.com"},
	{"jmrp-legacy-masked-subject.eml", "source_ip", "203.0.113.45"},
	{"jmrp-legacy-masked-subject.eml", "source_ip_origin", "received-edge"},
	{"jmrp-legacy-o365.eml", "source_ip", "203.0.113.62"},
	{"jmrp-legacy-o365.eml", "source_ip_origin", "received-spf"},
	{"jmrp-legacy-o365.eml", "original.message_id", "digest-9@example.com"},
	{"jmrp-legacy-o365.eml", "original_rcpt_to", "someone@outlook.com"},
	{"jmrp-legacy-inline.eml", "format", "jmrp-legacy"},
	{"jmrp-legacy-inline.eml", "source_ip", "203.0.113.206"},
	{"jmrp-legacy-inline.eml", "source_ip_origin", "received-edge"},
	{"jmrp-legacy-inline.eml", "sending_domain", "promo.example.com"},
	/* providers */
	{"yahoo-no-source-ip.eml", "provider", "yahoo"},
	{"yahoo-no-source-ip.eml", "version", "0.1"},
	{"yahoo-no-source-ip.eml", "arrival_date", "2010-02-18T11:20:00Z"},
	{"yahoo-no-source-ip.eml", "original_mail_from", "bounce-77@bounce.example.com"},
	{"yahoo-no-source-ip.eml", "source_ip", "203.0.113.173"},
	{"yahoo-no-source-ip.eml", "source_ip_origin", "x-originating-ip"},
	{"yahoo-no-source-ip.eml", "report_date", NULL},
	{"yahoo-no-source-ip.eml", "original.message_id", "weekly-3@example.com"},
	{"aol-scomp.eml", "provider", "aol"},
	{"aol-scomp.eml", "arrival_date", "2016-04-29T23:34:45Z"},
	{"aol-scomp.eml", "source_ip", "192.0.2.89"},
	{"aol-scomp.eml", "original_rcpt_to", "redacted@aol.com"},
	{"aol-scomp.eml", "warnings", "~recipient redacted"},
	{"comcast-own.eml", "provider", "comcast"},
	{"comcast-own.eml", "original_rcpt_to", "redacted@comcast.net"},
	{"comcast-own.eml", "arrival_date", "2010-12-30T13:32:14Z"},
	{"validity-returnpath.eml", "provider", "comcast"},
	{"validity-returnpath.eml", "source_ip", "192.0.2.25"},
	{"validity-returnpath.eml", "source_ip_origin", "received"},
	{"validity-returnpath.eml", "warnings", "~is not an IP address"},
	{"mailru.eml", "provider", "mail.ru"},
	{"mailru.eml", "feedback_type", "abuse"},
	{"mailru.eml", "source_ip", "192.0.2.100"},
	{"mailru.eml", "original.message_id", "news-8@example.com"},
	{"zoho.eml", "provider", "zoho"},
	{"zoho.eml", "arrival_date", "2016-02-01T17:00:00Z"},
	{"ses-relay.eml", "provider", "yahoo"},
	{"ses-relay.eml", "original_mail_from", "0100017abcdef-1234@amazonses.com"},
	{"ses-relay.eml", "sending_domain", "example.com"},
	/* MIME structure quirks */
	{"report-base64.eml", "format", "arf"},
	{"report-base64.eml", "source_ip", "192.0.2.25"},
	{"report-base64.eml", "incidents", "3"},
	{"rfc822-base64.eml", "source_ip_origin", "received"},
	{"rfc822-base64.eml", "original.message_id", "offer-1001@mail.example.com"},
	{"rfc822-qp.eml", "source_ip", "192.0.2.25"},
	{"rfc822-qp.eml", "original.subject", "Spring offers"},
	{"third-part-text-rfc822-header.eml", "feedback_type", "opt-out"},
	{"third-part-text-rfc822-header.eml", "original.message_id",
	    "offer-1001@mail.example.com"},
	{"third-part-text-rfc822-header.eml", "original_rcpt_to", "user@example.net"},
	{"third-part-message-rfc822-headers.eml", "source_ip", "192.0.2.25"},
	{"forwarded-report.eml", "format", "arf"},
	{"forwarded-report.eml", "report_message_id", "report-fwd@fbl.example.org"},
	{"forwarded-report.eml", "source_ip", "192.0.2.25"},
	{"mbox-from-line.eml", "format", "arf"},
	{"mbox-from-line.eml", "report_message_id", "mbox-1@fbl.example.org"},
	{"source-ip-comment.eml", "source_ip", "192.0.2.77"},
	{"source-ip-ipv6.eml", "source_ip", "2001:db8::25"},
	{"folded-empty-fields.eml", "user_agent", "Example FBL/2.0"},
	{"folded-empty-fields.eml", "original_mail_from", NULL},
	{"folded-empty-fields.eml", "arrival_date", "2026-03-03T09:59:58Z"},
	{"folded-empty-fields.eml", "reported_uri", "http://example.com/a"},
	{"both-dates.eml", "warnings", "~both Arrival-Date and Received-Date"},
	{"both-dates.eml", "arrival_date", "2026-03-03T09:59:58Z"},
	/* not reports, quarantine */
	{"exim-plain.eml", "format", "not-a-report"},
	{"exim-plain.eml", "reason",
	    "multipart/report without a message/feedback-report part"},
	{"exim-plain.eml", "source_ip", NULL},
	{"bounce-dsn.eml", "format", "not-a-report"},
	{"bounce-dsn.eml", "reason", "delivery status notification (bounce)"},
	{"auto-reply.eml", "format", "not-a-report"},
	{"auto-reply.eml", "reason", "automatic reply"},
	{"unsubscribe-request.eml", "format", "not-a-report"},
	{"unsubscribe-request.eml", "feedback_type", NULL},
	{"dmarc-auth-failure.eml", "format", "not-a-report"},
	{"dmarc-auth-failure.eml", "reason",
	    "authentication failure (DMARC) report; [arf] accept_dmarc is off"},
	{"no-feedback-type.eml", "format", "quarantine"},
	{"no-feedback-type.eml", "reason",
	    "feedback report without a Feedback-Type field"},
	{"deep-nesting.eml", "format", "quarantine"},
	{"deep-nesting.eml", "reason", "MIME nesting deeper than the limit of 8"},
};

static JsonObject *
member_object(JsonObject *o, const char *key, const char **out_leaf)
{
	char **parts = g_strsplit(key, ".", 3);
	JsonObject *cur = o;
	int i;

	for (i = 0; parts[i + 1] != NULL && cur != NULL; i++)
		cur = json_object_has_member(cur, parts[i]) ?
		    json_object_get_object_member(cur, parts[i]) : NULL;
	*out_leaf = key + (strlen(key) - strlen(parts[i]));
	g_strfreev(parts);
	return cur;
}

/* the member as comparable text (NULL for null or absent) */
static char *
member_text(JsonObject *o, const char *key)
{
	const char *leaf;
	JsonObject *obj = member_object(o, key, &leaf);
	JsonNode *n;
	GString *s;

	if (obj == NULL || !json_object_has_member(obj, leaf))
		return NULL;
	n = json_object_get_member(obj, leaf);
	if (JSON_NODE_HOLDS_NULL(n))
		return NULL;
	if (JSON_NODE_HOLDS_VALUE(n) &&
	    json_node_get_value_type(n) == G_TYPE_INT64)
		return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
	if (JSON_NODE_HOLDS_VALUE(n))
		return g_strdup(json_node_get_string(n));
	s = g_string_new(NULL);
	for (guint i = 0; JSON_NODE_HOLDS_ARRAY(n) &&
	    i < json_array_get_length(json_node_get_array(n)); i++)
		g_string_append_printf(s, "%s%s", i ? "|" : "",
		    json_array_get_string_element(json_node_get_array(n), i));
	return g_string_free(s, FALSE);
}

static JsonObject *
run_parse(JsonParser *p, const char *fixture)
{
	char *path = g_strconcat(FIX, fixture, NULL);
	const char *bin = g_getenv("REPWATCH_BIN");
	char *argv[] = {g_strdup(bin), g_strdup("arf"), g_strdup("parse"),
	    g_strdup("--json"), path, NULL};
	char *out = NULL;
	int status = -1;
	GError *err = NULL;

	assert_non_null(bin);
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL,
	    NULL, &out, NULL, &status, &err))
		fail_msg("%s: could not run %s: %s", fixture, bin, err->message);
	if (status != 0)
		fail_msg("%s: arf parse exited with status %d", fixture, status);
	if (!json_parser_load_from_data(p, out, -1, &err))
		fail_msg("%s: output is no JSON: %s", fixture, err->message);
	g_free(out);
	for (int i = 0; argv[i] != NULL; i++)
		g_free(argv[i]);
	return json_node_get_object(json_parser_get_root(p));
}

static bool
matches(const char *got, const char *want)
{
	if (want == NULL || got == NULL)
		return want == got;
	if (want[0] == '~')
		return strstr(got, want + 1) != NULL;
	return strcmp(got, want) == 0;
}

static void
test_json_fields(void **state)
{
	int failures = 0;

	(void)state;
	g_setenv("REPWATCH_ARF_TRACE_HEADERS", "X-Campaign-ID", TRUE);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		JsonParser *p;
		JsonObject *o;

		if (i > 0 && strcmp(cases[i].fixture, cases[i - 1].fixture) == 0)
			continue;
		p = json_parser_new();
		o = run_parse(p, cases[i].fixture);
		for (size_t j = i; j < G_N_ELEMENTS(cases) &&
		    strcmp(cases[j].fixture, cases[i].fixture) == 0; j++) {
			char *got = member_text(o, cases[j].key);

			if (!matches(got, cases[j].want)) {
				print_error("%s: %s: got %s, want %s\n",
				    cases[j].fixture, cases[j].key,
				    got ? got : "null",
				    cases[j].want ? cases[j].want : "null");
				failures++;
			}
			g_free(got);
		}
		g_object_unref(p);
	}
	g_unsetenv("REPWATCH_ARF_TRACE_HEADERS");
	assert_int_equal(failures, 0);
}

static char *
fixture(size_t *out_len, const char *name)
{
	char *path = g_strconcat(FIX, name, NULL);
	char *data = NULL;

	assert_true(g_file_get_contents(path, &data, out_len, NULL));
	g_free(path);
	return data;
}

static struct arf_record *
parse_with(const char *data, size_t len, const struct arf_limits *lim)
{
	struct arf_record *r = NULL;

	assert_int_equal(arf_parse(&r, data, len, "test", lim), 0);
	assert_non_null(r);
	return r;
}

/* over each limit: quarantine with the reason */
static void
test_limits(void **state)
{
	static const struct {
		size_t max_bytes;
		int max_depth, max_headers;
		const char *want;
	} limits[] = {
		{1024, 8, 1000, "exceeds the limit of 1024 bytes"},
		{1 << 20, 2, 1000, "MIME nesting deeper than the limit of 2"},
		{1 << 20, 8, 10, "exceed the limit of 10"},
		{1 << 20, 8, 1000, NULL},
	};
	size_t len;
	char *data = fixture(&len, "arf-basic.eml");

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(limits); i++) {
		struct arf_limits lim;
		struct arf_record *r;
		const char *reason;

		arf_limits_default(&lim);
		lim.max_bytes = limits[i].max_bytes;
		lim.max_depth = limits[i].max_depth;
		lim.max_headers = limits[i].max_headers;
		r = parse_with(data, len, &lim);
		reason = arf_record_get(r, ARF_K_REASON);
		if (limits[i].want == NULL) {
			assert_int_equal(arf_record_format(r), ARF_FORMAT_ARF);
		} else {
			assert_int_equal(arf_record_format(r),
			    ARF_FORMAT_QUARANTINE);
			assert_non_null(reason);
			if (strstr(reason, limits[i].want) == NULL)
				fail_msg("limit %zu: got \"%s\", want \"%s\"", i,
				    reason, limits[i].want);
		}
		arf_record_free(r);
	}
	g_free(data);
}

static char *
convert_eol(const char *data, const char *eol)
{
	char **lines = g_strsplit(data, "\n", -1);
	char *out = g_strjoinv(eol, lines);

	g_strfreev(lines);
	return out;
}

/* the content key survives line-ending changes and an mbox From_ line */
static void
test_content_key(void **state)
{
	size_t len;
	char *lf = fixture(&len, "arf-basic.eml");
	char *variants[] = {
		convert_eol(lf, "\r\n"),
		convert_eol(lf, "\r"),
		g_strconcat("From fbl@example.org Tue Mar  3 10:05:00 2026\n", lf,
		    "\n\n", NULL),
	};
	struct arf_limits lim;
	struct arf_record *base;

	(void)state;
	arf_limits_default(&lim);
	base = parse_with(lf, len, &lim);
	assert_int_equal(strlen(arf_record_sha256(base)), 64);
	for (size_t i = 0; i < G_N_ELEMENTS(variants); i++) {
		struct arf_record *r = parse_with(variants[i],
		    strlen(variants[i]), &lim);

		assert_string_equal(arf_record_sha256(r),
		    arf_record_sha256(base));
		arf_record_free(r);
		g_free(variants[i]);
	}
	arf_record_free(base);
	g_free(lf);
}

/* different reports get different keys */
static void
test_content_key_differs(void **state)
{
	static const char *const names[] = {"arf-basic.eml", "arf-crlf.eml",
	    "jmrp-legacy.eml", "jmrp-legacy-masked-subject.eml"};
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, NULL);
	struct arf_limits lim;

	(void)state;
	arf_limits_default(&lim);
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		size_t len;
		char *data = fixture(&len, names[i]);
		struct arf_record *r = parse_with(data, len, &lim);

		assert_false(g_hash_table_contains(seen, arf_record_sha256(r)));
		g_hash_table_add(seen, g_strdup(arf_record_sha256(r)));
		arf_record_free(r);
		g_free(data);
	}
	g_hash_table_unref(seen);
}

static void
test_accept_dmarc(void **state)
{
	size_t len;
	char *data = fixture(&len, "dmarc-auth-failure.eml");
	struct arf_limits lim;
	struct arf_record *r;

	(void)state;
	arf_limits_default(&lim);
	lim.accept_dmarc = true;
	r = parse_with(data, len, &lim);
	assert_int_equal(arf_record_format(r), ARF_FORMAT_ARF);
	assert_string_equal(arf_record_get(r, ARF_K_FEEDBACK_TYPE),
	    "auth-failure");
	assert_false(arf_record_is_complaint(r));
	assert_string_equal(arf_record_get(r, ARF_K_SOURCE_IP), "192.0.2.99");
	arf_record_free(r);
	g_free(data);
}

/* keep = headers stores no body of the original */
static void
test_keep_headers(void **state)
{
	size_t len, hlen;
	char *data = fixture(&len, "arf-basic.eml");
	struct arf_limits lim;
	struct arf_record *r;
	const char *h;
	char *copy;

	(void)state;
	arf_limits_default(&lim);
	r = parse_with(data, len, &lim);
	h = arf_record_headers(r, &hlen);
	assert_non_null(h);
	copy = g_strndup(h, hlen);
	assert_non_null(strstr(copy, "Feedback-Type: abuse"));
	assert_non_null(strstr(copy, "Message-ID: <offer-1001@mail.example.com>"));
	assert_null(strstr(copy, "Spring offers for you."));
	assert_null(strstr(copy, "This is an email abuse report."));
	g_free(copy);
	arf_record_free(r);
	g_free(data);
}

/* garbage of every kind never crashes and always gets a verdict */
static void
test_garbage(void **state)
{
	static const char *const inputs[] = {
		"", "\n", "\r", "From \n", "Content-Type: multipart/report\n\n",
		"Content-Type: multipart/report; boundary=x\n\n--x\n"
		"Content-Type: message/feedback-report\n\n",
		"Content-Type: message/feedback-report\n\nFeedback-Type: abuse\n",
		"Subject: complaint about message from\n\n",
		"From: staff@hotmail.com\nContent-Type: multipart/mixed; "
		"boundary=b\n\n--b\nContent-Type: message/rfc822\n"
		"Content-Transfer-Encoding: base64\n\n!!!!\n--b--\n",
	};
	struct arf_limits lim;

	(void)state;
	arf_limits_default(&lim);
	for (size_t i = 0; i < G_N_ELEMENTS(inputs); i++) {
		struct arf_record *r = parse_with(inputs[i], strlen(inputs[i]),
		    &lim);
		char *json = arf_json_line(r);

		assert_non_null(json);
		g_free(json);
		arf_record_free(r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_fields),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_content_key),
		cmocka_unit_test(test_content_key_differs),
		cmocka_unit_test(test_accept_dmarc),
		cmocka_unit_test(test_keep_headers),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

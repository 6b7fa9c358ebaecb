/*
 * Unit tests of ingest/snds_classify: every response class of the
 * reference (section 1.5), HTML detection with the page title quoted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "ingest/snds_classify.h"

#define CSV1 "192.0.2.25,3/2/2026 12:00 AM,3/2/2026 11:59 PM,2410,2398," \
	"2405,GREEN,< 0.1%,,,0,mta1.example.net,bounces@example.net,\r\n"
#define SIGNIN "@tests/fixtures/snds/signin.html"
#define DATA_URL "https://sendersupport.olc.protection.outlook.com/snds/" \
	"data/?key=secret"

struct class_case {
	long status;
	const char *ctype;
	const char *body;      /* "@file" reads a fixture */
	const char *final_url;
	const char *want_class;
	const char *want_outcome;
	const char *want_title;
};

static const struct class_case cases[] = {
	{200, "text/csv", CSV1, DATA_URL, "ok", "ok", ""},
	{200, "application/octet-stream", CSV1, NULL, "ok", "ok", ""},
	{200, NULL, "\xEF\xBB\xBF" CSV1, NULL, "ok", "ok", ""},
	{200, "application/octet-stream", "", NULL, "no-data", "no-data", ""},
	{200, NULL, " \r\n\r\n", NULL, "no-data", "no-data", ""},
	{204, NULL, "", NULL, "no-data", "no-data", ""},
	{404, "text/html", "<html><title>Not Found</title></html>", NULL,
	    "no-data", "no-data", ""},
	{200, "text/html; charset=utf-8", SIGNIN, NULL, "expired",
	    "login-required", "Sign in to your Microsoft account"},
	{200, "application/octet-stream", SIGNIN, NULL, "expired",
	    "login-required", "Sign in to your Microsoft account"},
	{200, NULL, "  <html><head><title>Error</title></head></html>", NULL,
	    "expired", "login-required", "Error"},
	{200, NULL, "<!DOCTYPE html><html><body>no title</body></html>",
	    NULL, "expired", "login-required", ""},
	{200, "text/html", "plain words", NULL, "expired", "login-required",
	    ""},
	{200, "text/csv", CSV1, "https://login.live.com/login.srf?wa=1",
	    "expired", "login-required", ""},
	{200, "text/html", "<html><title>x</title></html>",
	    "https://login.microsoftonline.com/consumers/oauth2/v2.0/authorize",
	    "expired", "login-required", ""},
	{401, NULL, "", NULL, "expired", "login-required", ""},
	{403, NULL, "", NULL, "expired", "login-required", ""},
	{302, NULL, "", NULL, "expired", "login-required", ""},
	{410, NULL, "", NULL, "expired", "login-required", ""},
	{400, NULL, "bad date", NULL, "bad-request", "bad-request", ""},
	{405, NULL, "", NULL, "bad-request", "bad-request", ""},
	{408, NULL, "", NULL, "temporary", "temporary", ""},
	{429, NULL, "", NULL, "temporary", "temporary", ""},
	{500, "text/html", "<html><title>oops</title></html>", NULL,
	    "temporary", "temporary", ""},
	{503, NULL, "", NULL, "temporary", "temporary", ""},
	{0, NULL, "", NULL, "temporary", "temporary", ""},
};

static void
expect_str(const char *what, const char *got, const char *want)
{
	if (g_strcmp0(got, want) != 0) {
		print_error("%s: got \"%s\", want \"%s\"\n", what, got, want);
		fail();
	}
}

static void
test_classes(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct class_case *c = &cases[i];
		struct snds_response r = {c->status, c->ctype, c->body,
		    strlen(c->body), c->final_url};
		struct snds_verdict v;
		char *file = NULL;
		char *what = g_strdup_printf("case %zu (HTTP %ld)", i,
		    c->status);

		if (c->body[0] == '@') {
			assert_true(g_file_get_contents(c->body + 1, &file,
			    &r.len, NULL));
			r.body = file;
		}
		snds_classify(&v, &r);
		expect_str(what, snds_class_name(v.cls), c->want_class);
		expect_str(what, v.outcome, c->want_outcome);
		expect_str(what, v.title, c->want_title);
		if (c->want_title[0] != '\0')
			assert_non_null(strstr(v.why, c->want_title));
		g_free(file);
		g_free(what);
	}
}

/* a huge title is cut, on a UTF-8 boundary */
static void
test_long_title(void **state)
{
	GString *b = g_string_new("<html><head><title>");
	struct snds_verdict v;
	struct snds_response r = {200, NULL, NULL, 0, NULL};

	(void)state;
	for (int i = 0; i < 300; i++)
		g_string_append(b, "\xC3\xA9");
	g_string_append(b, "</title></head></html>");
	r.body = b->str;
	r.len = b->len;
	snds_classify(&v, &r);
	expect_str("class", snds_class_name(v.cls), "expired");
	assert_true(g_utf8_validate(v.title, -1, NULL));
	assert_true(strlen(v.title) >= sizeof(v.title) - 2);
	g_string_free(b, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_long_title),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

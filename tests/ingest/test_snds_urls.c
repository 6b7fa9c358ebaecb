/*
 * Unit tests of the small pieces around fetching: report-link URLs for a
 * day, the http:// policy, PKCE (RFC 7636 appendix B vector).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "common/rw_error.h"
#include "ingest/snds_fetch.h"
#include "ingest/snds_oauth.h"
#include "ingest/snds_source.h"

struct url_case {
	const char *url, *day, *want;
};

static const struct url_case url_cases[] = {
	{"https://h/snds/data/?key=K", "2026-03-02",
	    "https://h/snds/data/?key=K&date=030226"},
	{"https://h/d?key=K&date=010101&x=1", "2026-12-31",
	    "https://h/d?key=K&x=1&date=123126"},
	{"https://h/d", "2026-03-02", "https://h/d?date=030226"},
	{"https://h/d/{date:%Y-%m-%d}?key=K", "2026-03-02",
	    "https://h/d/2026-03-02?key=K"},
	{"https://h/d?key=K&day={date:%m%d%y}", "2026-03-02",
	    "https://h/d?key=K&day=030226"},
	{"http://127.0.0.1:8080/x?key=a%2Bb", "2026-01-05",
	    "http://127.0.0.1:8080/x?key=a%2Bb&date=010526"},
};

static void
test_link_urls(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(url_cases); i++) {
		const struct url_case *c = &url_cases[i];
		char *got = NULL;

		assert_int_equal(snds_link_url_for_day(&got, c->url, c->day), 0);
		if (strcmp(got, c->want) != 0) {
			print_error("%s for %s: got %s, want %s\n", c->url,
			    c->day, got, c->want);
			fail();
		}
		g_free(got);
	}
}

struct allow_case {
	const char *url;
	int want;
};

static const struct allow_case allow_cases[] = {
	{"https://substrate.office.com/ip-domain-management-snds", 0},
	{"http://127.0.0.1:8080/x", 0},
	{"http://127.5.6.7/x", 0},
	{"http://localhost:99/x", 0},
	{"http://[::1]:8080/x", 0},
	{"http://snds.example/x?key=K", RW_ECONFIG},
	{"http://10.0.0.1/x", RW_ECONFIG},
	{"ftp://snds.example/x", RW_ECONFIG},
	{"not a url", RW_ECONFIG},
	{"https:///nohost", RW_ECONFIG},
};

static void
test_url_policy(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(allow_cases); i++) {
		int got = snds_url_allowed("test", allow_cases[i].url);

		if (got != allow_cases[i].want) {
			print_error("%s: got %d, want %d\n", allow_cases[i].url,
			    got, allow_cases[i].want);
			fail();
		}
		if (got != 0)
			assert_null(strstr(rw_error_message(), "key=K"));
		rw_error_clear();
	}
}

static void
test_pkce(void **state)
{
	char *c = snds_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
	char *v1 = snds_pkce_verifier(), *v2 = snds_pkce_verifier();

	(void)state;
	assert_string_equal(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	assert_int_equal(strlen(v1), 43);
	assert_string_not_equal(v1, v2);
	for (const char *p = v1; *p; p++)
		assert_true(g_ascii_isalnum(*p) || *p == '-' || *p == '_');
	g_free(c);
	g_free(v1);
	g_free(v2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_urls),
		cmocka_unit_test(test_url_policy),
		cmocka_unit_test(test_pkce),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

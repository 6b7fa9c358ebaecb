/*
 * test_arf_conformance - every sample of ../shared/corpus/arf (real
 * third-party reports, read in place, never copied): none crashes, each
 * gets a verdict, and every complaint whose headers carry the sending IP
 * yields it. Skipped when the corpus is not there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <glib.h>

#include "arf/arf_parse.h"

/*
 * Complaints without a sending IP, and why: their headers carry none.
 * kumomta/3.eml: Yahoo report trimmed to Subject/Date in the original, no
 * Received, no Source-IP. kumomta/4.eml: "Source-Ip: x.x.x.x" and an
 * original without trace headers.
 */
static const char *const no_ip_expected[] = {
	"kumomta/3.eml",
	"kumomta/4.eml",
	NULL,
};

/* verdicts the notes in SOURCES.md give */
static const struct {
	const char *file;
	enum arf_format want;
} verdicts[] = {
	{"set-of-emails/bsd/arf-22.eml", ARF_FORMAT_JMRP_LEGACY},
	{"php-bounce-handler/arf6.txt", ARF_FORMAT_JMRP_LEGACY},
	{"php-bounce-handler/fbl-hotmail.txt", ARF_FORMAT_JMRP_LEGACY},
	{"php-bounce-handler/hotmailbounce.txt", ARF_FORMAT_JMRP_LEGACY},
	{"simplelogin/hotmail_complaint.eml", ARF_FORMAT_JMRP_LEGACY},
	{"set-of-emails/bsd/arf-26.eml", ARF_FORMAT_NOT_A_REPORT},
	{"parsedmarc/exim_plain_text_only_no_arf_part.eml",
	    ARF_FORMAT_NOT_A_REPORT},
	{"set-of-emails/mac/arf-01.eml", ARF_FORMAT_ARF},
	{"zoonru-bounce-handler/fixture_feedback_001.eml", ARF_FORMAT_ARF},
};

static char *
corpus_dir(void)
{
	const char *src = g_getenv("REPWATCH_SRC");

	return g_build_filename(src != NULL ? src : ".", "..", "shared",
	    "corpus", "arf", NULL);
}

static void
collect(GPtrArray *files, const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (d == NULL)
		return;
	while ((name = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(dir, name, NULL);

		if (g_file_test(path, G_FILE_TEST_IS_DIR))
			collect(files, path);
		else if (strcmp(name, "SOURCES.md") != 0)
			g_ptr_array_add(files, g_strdup(path));
		g_free(path);
	}
	g_dir_close(d);
}

static bool
listed(const char *rel, const char *const *list)
{
	for (int i = 0; list[i] != NULL; i++)
		if (strcmp(rel, list[i]) == 0)
			return true;
	return false;
}

static void
check_one(const char *path, const char *rel, int *failures)
{
	struct arf_limits lim;
	struct arf_record *r = NULL;
	char *data = NULL;
	size_t len = 0;
	bool has_ip;

	arf_limits_default(&lim);
	assert_true(g_file_get_contents(path, &data, &len, NULL));
	assert_int_equal(arf_parse(&r, data, len, rel, &lim), 0);
	if (arf_record_format(r) == ARF_FORMAT_QUARANTINE) {
		print_error("%s: quarantined: %s\n", rel,
		    arf_record_get(r, ARF_K_REASON));
		(*failures)++;
	}
	has_ip = arf_record_get(r, ARF_K_SOURCE_IP) != NULL;
	if (arf_record_is_complaint(r) && has_ip == listed(rel,
	    no_ip_expected)) {
		print_error("%s: sending IP %s, want %s\n", rel,
		    has_ip ? arf_record_get(r, ARF_K_SOURCE_IP) : "none",
		    has_ip ? "none (listed exception)" : "one");
		(*failures)++;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(verdicts); i++)
		if (strcmp(rel, verdicts[i].file) == 0 &&
		    arf_record_format(r) != verdicts[i].want) {
			print_error("%s: got %s, want %s\n", rel,
			    arf_format_name(arf_record_format(r)),
			    arf_format_name(verdicts[i].want));
			(*failures)++;
		}
	arf_record_free(r);
	g_free(data);
}

static void
test_corpus(void **state)
{
	char *dir = corpus_dir();
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	int failures = 0;

	(void)state;
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		print_message("corpus %s not found; skipping\n", dir);
		g_free(dir);
		g_ptr_array_unref(files);
		skip();
	}
	collect(files, dir);
	assert_true(files->len > 0);
	for (guint i = 0; i < files->len; i++) {
		const char *path = files->pdata[i];

		check_one(path, path + strlen(dir) + 1, &failures);
	}
	print_message("%u corpus files parsed\n", files->len);
	g_ptr_array_unref(files);
	g_free(dir);
	assert_int_equal(failures, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

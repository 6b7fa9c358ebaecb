/*
 * test_seal - secrets sealed for the database: a round trip, and every way
 * an opening must fail (other row, altered text, other key, lost or
 * readable key file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/rw_error.h"
#include "common/rw_seal.h"
#include "common/rw_util.h"

#define URL "https://sendersupport.olc.protection.outlook.com/snds/" \
    "data?key=0123-SECRET-4567"
#define AAD "snds_source.data_url:main"

struct fx {
	char *dir;
	char *keyfile;
};

static int
setup(void **state)
{
	struct fx *f = g_new0(struct fx, 1);

	f->dir = g_dir_make_tmp("rw-seal-XXXXXX", NULL);
	assert_non_null(f->dir);
	f->keyfile = rw_seal_key_path(f->dir);
	rw_error_clear();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	rw_rm_rf(f->dir);
	g_free(f->keyfile);
	g_free(f->dir);
	g_free(f);
	return 0;
}

static char *
seal(struct fx *f, const char *aad, const char *plain)
{
	char *s = NULL;

	if (rw_seal(&s, f->keyfile, aad, plain) != 0) {
		rw_error_print();
		fail();
	}
	return s;
}

/* opening TEXT with AAD must fail with WANT, the message naming WHAT */
static void
expect_refused(struct fx *f, const char *aad, const char *text, int want,
    const char *what)
{
	char *plain = NULL;
	int rc = rw_unseal(&plain, f->keyfile, aad, text);

	if (rc != want || plain != NULL) {
		print_error("unseal: got %d (%s), want %d\n", rc,
		    plain ? plain : "no text", want);
		fail();
	}
	if (strstr(rw_error_message(), what) == NULL) {
		print_error("message \"%s\" does not name \"%s\"\n",
		    rw_error_message(), what);
		fail();
	}
	rw_error_clear();
}

static void
test_round_trip(void **state)
{
	struct fx *f = *state;
	char *a = seal(f, AAD, URL), *b = seal(f, AAD, URL), *plain = NULL;
	struct stat st;

	assert_true(rw_is_sealed(a));
	assert_null(strstr(a, "SECRET"));
	/* a fresh nonce each time: the same link never seals the same */
	assert_string_not_equal(a, b);
	assert_int_equal(rw_unseal(&plain, f->keyfile, AAD, a), 0);
	assert_string_equal(plain, URL);
	g_free(plain);
	assert_int_equal(rw_unseal(&plain, f->keyfile, AAD, b), 0);
	assert_string_equal(plain, URL);
	g_free(plain);
	assert_int_equal(stat(f->keyfile, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_false(rw_is_sealed(URL));
	assert_false(rw_is_sealed(NULL));
	g_free(a);
	g_free(b);
}

static void
test_refusals(void **state)
{
	struct fx *f = *state;
	char *a = seal(f, AAD, URL);
	char *altered = g_strdup(a);
	size_t mid = strlen(RW_SEAL_PREFIX) + 20;

	altered[mid] = altered[mid] == 'A' ? 'B' : 'A';
	expect_refused(f, "snds_source.status_url:main", a, RW_ECONFIG,
	    "snds_source.status_url:main");
	expect_refused(f, "snds_source.data_url:other", a, RW_ECONFIG,
	    "cannot open the sealed");
	expect_refused(f, AAD, altered, RW_ECONFIG, "cannot open the sealed");
	expect_refused(f, AAD, RW_SEAL_PREFIX "c2hvcnQ=", RW_ECONFIG,
	    "cannot open the sealed");
	expect_refused(f, AAD, "plain text", RW_ECONFIG,
	    "cannot open the sealed");
	/* readable by others: refused like every secret file */
	assert_int_equal(chmod(f->keyfile, 0644), 0);
	expect_refused(f, AAD, a, RW_ECONFIG, "accessible by group or others");
	/* another key (the first one lost): nothing opens, nothing is made */
	assert_int_equal(unlink(f->keyfile), 0);
	expect_refused(f, AAD, a, RW_ECONFIG, "seal.key");
	assert_false(g_file_test(f->keyfile, G_FILE_TEST_EXISTS));
	g_free(seal(f, AAD, "x"));
	expect_refused(f, AAD, a, RW_ECONFIG, "cannot open the sealed");
	g_free(altered);
	g_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_rw_util - every function of common/rw_util.h, table-driven where
 * the cases are values: parsing (integers, doubles, booleans, dates),
 * dates, I/O status, directories, atomic and in-place writes, capped
 * reads, private files, state directories, rm -rf, strip, names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/rw_error.h"
#include "common/rw_util.h"

#define EXPECT_INT(what, got, want) \
	do { \
		long long g_ = (got), w_ = (want); \
		if (g_ != w_) { \
			print_error("%s: got %lld, want %lld\n", (what), g_, w_); \
			fail(); \
		} \
	} while (0)

#define EXPECT_STR(what, got, want) \
	do { \
		const char *g_ = (got), *w_ = (want); \
		if (g_ == NULL || strcmp(g_, w_) != 0) { \
			print_error("%s: got \"%s\", want \"%s\"\n", (what), \
			    g_ ? g_ : "(null)", w_); \
			fail(); \
		} \
	} while (0)

#define EXPECT_CONTAINS(what, got, want) \
	do { \
		if (strstr((got), (want)) == NULL) { \
			print_error("%s: got \"%s\", want it to contain " \
			    "\"%s\"\n", (what), (got), (want)); \
			fail(); \
		} \
	} while (0)

/* a scratch directory per test */
static int
setup(void **state)
{
	char *dir = g_dir_make_tmp("test_rw_util.XXXXXX", NULL);

	rw_error_clear();
	*state = dir;
	return dir == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	rw_rm_rf(*state);
	g_free(*state);
	return 0;
}

static char *
in(void **state, const char *name)
{
	return g_build_filename(*state, name, NULL);
}

static void
put(const char *path, const char *text, int mode)
{
	assert_true(g_file_set_contents(path, text, -1, NULL));
	assert_int_equal(chmod(path, (mode_t)mode), 0);
}

static void
test_parse_ll(void **state)
{
	static const struct {
		const char *s;
		long long min, max;
		int rc;
		long long want;
	} cases[] = {
		{"42", 0, 100, 0, 42},
		{"0", 0, 100, 0, 0},
		{"100", 0, 100, 0, 100},
		{"-5", -10, 10, 0, -5},
		{"101", 0, 100, RW_EDATA, 0},
		{"-1", 0, 100, RW_EDATA, 0},
		{"", 0, 100, RW_EDATA, 0},
		{NULL, 0, 100, RW_EDATA, 0},
		{"12x", 0, 100, RW_EDATA, 0},
		{"1.5", 0, 100, RW_EDATA, 0},
		{" 12", 0, 100, RW_EDATA, 0},
		{"12 ", 0, 100, RW_EDATA, 0},
		{"0x10", 0, 100, RW_EDATA, 0},
		{"9223372036854775807", LLONG_MIN, LLONG_MAX, 0, LLONG_MAX},
		{"-9223372036854775808", LLONG_MIN, LLONG_MAX, 0, LLONG_MIN},
		{"9223372036854775808", LLONG_MIN, LLONG_MAX, RW_EDATA, 0},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		long long v = 77;
		int rc = rw_parse_ll(&v, cases[i].s, cases[i].min, cases[i].max);
		char what[96];

		snprintf(what, sizeof(what), "rw_parse_ll(\"%s\", %lld, %lld)",
		    cases[i].s ? cases[i].s : "(null)", cases[i].min,
		    cases[i].max);
		EXPECT_INT(what, rc, cases[i].rc);
		/* on failure the output is left alone */
		EXPECT_INT(what, v, cases[i].rc == 0 ? cases[i].want : 77);
	}
}

static void
test_parse_double(void **state)
{
	static const struct {
		const char *s;
		int rc;
		double want;
	} cases[] = {
		{"1.5", 0, 1.5}, {"-2e3", 0, -2000}, {"0", 0, 0},
		{"0.001", 0, 0.001}, {"1e-300", 0, 1e-300},
		{"", RW_EDATA, 0}, {NULL, RW_EDATA, 0}, {"1.5x", RW_EDATA, 0},
		{"1,5", RW_EDATA, 0}, {"inf", RW_EDATA, 0},
		{"nan", RW_EDATA, 0}, {"1e999", RW_EDATA, 0},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		double v = 77;
		int rc = rw_parse_double(&v, cases[i].s);
		double want = cases[i].rc == 0 ? cases[i].want : 77;
		char what[64];

		snprintf(what, sizeof(what), "rw_parse_double(\"%s\")",
		    cases[i].s ? cases[i].s : "(null)");
		EXPECT_INT(what, rc, cases[i].rc);
		if (v != want) {
			print_error("%s: got %g, want %g\n", what, v, want);
			fail();
		}
	}
}

static void
test_parse_bool(void **state)
{
	static const struct {
		const char *s;
		int rc;
		bool want;
	} cases[] = {
		{"true", 0, true}, {"yes", 0, true}, {"on", 0, true},
		{"1", 0, true}, {"TRUE", 0, true}, {"Yes", 0, true},
		{"false", 0, false}, {"no", 0, false}, {"off", 0, false},
		{"0", 0, false}, {"OFF", 0, false},
		{"", RW_EDATA, false}, {"2", RW_EDATA, false},
		{"y", RW_EDATA, false}, {"true ", RW_EDATA, false},
		{"enabled", RW_EDATA, false},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		bool v = !cases[i].want;
		bool before = v;
		int rc = rw_parse_bool(&v, cases[i].s);
		char what[64];

		snprintf(what, sizeof(what), "rw_parse_bool(\"%s\")",
		    cases[i].s);
		EXPECT_INT(what, rc, cases[i].rc);
		EXPECT_INT(what, v, cases[i].rc == 0 ? cases[i].want : before);
	}
}

static void
test_parse_format_date(void **state)
{
	static const struct {
		const char *s;
		int rc;
	} cases[] = {
		{"2026-02-28", 0}, {"2024-02-29", 0}, {"1900-01-01", 0},
		{"9999-12-31", 0}, {"2026-12-07", 0},
		{"2026-02-29", RW_EDATA}, {"2026-13-01", RW_EDATA},
		{"2026-00-10", RW_EDATA}, {"2026-04-31", RW_EDATA},
		{"2026-01-00", RW_EDATA}, {"1899-12-31", RW_EDATA},
		{"2026-1-01", RW_EDATA}, {"2026/01/01", RW_EDATA},
		{"2026-01-0x", RW_EDATA}, {"2026-01-011", RW_EDATA},
		{"", RW_EDATA}, {NULL, RW_EDATA}, {"+026-01-01", RW_EDATA},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		GDate d;
		char buf[11];
		int rc = rw_parse_date(&d, cases[i].s);
		char what[64];

		snprintf(what, sizeof(what), "rw_parse_date(\"%s\")",
		    cases[i].s ? cases[i].s : "(null)");
		EXPECT_INT(what, rc, cases[i].rc);
		if (rc != 0)
			continue;
		/* a parsed date formats back to the same text */
		rw_format_date(buf, &d);
		snprintf(what, sizeof(what), "rw_format_date(\"%s\")",
		    cases[i].s);
		EXPECT_STR(what, buf, cases[i].s);
	}
}

static void
test_today(void **state)
{
	GDateTime *now;
	GDate d;
	char got[11], *before, *after;

	(void)state;
	/* compared with the clock before and after (a run at midnight) */
	now = g_date_time_new_now_local();
	before = g_date_time_format(now, "%Y-%m-%d");
	g_date_time_unref(now);
	rw_today(&d);
	rw_format_date(got, &d);
	now = g_date_time_new_now_local();
	after = g_date_time_format(now, "%Y-%m-%d");
	g_date_time_unref(now);
	if (strcmp(got, before) != 0 && strcmp(got, after) != 0) {
		print_error("rw_today: got %s, want %s\n", got, before);
		fail();
	}
	g_free(before);
	g_free(after);
}

static void
test_today_in(void **state)
{
	/* zones that are not known fall back to UTC */
	static const struct {
		const char *tz, *like;
	} cases[] = {
		{"UTC", "UTC"}, {NULL, "UTC"}, {"No/Such_Zone", "UTC"},
		{"Pacific/Kiritimati", "Pacific/Kiritimati"},
		{"Pacific/Pago_Pago", "Pacific/Pago_Pago"},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		GTimeZone *z = g_time_zone_new_identifier(cases[i].like);
		GDateTime *now;
		char got[11], *before, *after;
		char what[64];

		assert_non_null(z);
		now = g_date_time_new_now(z);
		before = g_date_time_format(now, "%Y-%m-%d");
		g_date_time_unref(now);
		memset(got, 'x', sizeof(got));
		rw_today_in(got, cases[i].tz);
		now = g_date_time_new_now(z);
		after = g_date_time_format(now, "%Y-%m-%d");
		g_date_time_unref(now);
		snprintf(what, sizeof(what), "rw_today_in(%s)",
		    cases[i].tz ? cases[i].tz : "NULL");
		if (strcmp(got, before) != 0 && strcmp(got, after) != 0) {
			print_error("%s: got %.11s, want %s\n", what, got,
			    before);
			fail();
		}
		g_free(before);
		g_free(after);
		g_time_zone_unref(z);
	}
}

static void
test_io_status(void **state)
{
	static const struct {
		int err, want;
	} cases[] = {
		{ENOSPC, RW_ETEMP}, {EDQUOT, RW_ETEMP}, {EIO, RW_EIO},
		{EACCES, RW_EIO}, {EROFS, RW_EIO}, {0, RW_EIO},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char what[64];

		snprintf(what, sizeof(what), "rw_io_status(%s)",
		    g_strerror(cases[i].err));
		EXPECT_INT(what, rw_io_status(cases[i].err), cases[i].want);
	}
}

static void
test_mkdir_p(void **state)
{
	char *deep = in(state, "a/b/c");
	char *file = in(state, "f");
	char *under = in(state, "f/sub");
	struct stat st;

	EXPECT_INT("rw_mkdir_p(new a/b/c)", rw_mkdir_p(deep, 0700), 0);
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	EXPECT_INT("mode of a/b/c", st.st_mode & 0777, 0700);
	EXPECT_INT("rw_mkdir_p(existing)", rw_mkdir_p(deep, 0700), 0);
	put(file, "x", 0600);
	EXPECT_INT("rw_mkdir_p(under a file)", rw_mkdir_p(under, 0700),
	    RW_EIO);
	EXPECT_CONTAINS("rw_mkdir_p message", rw_error_message(), under);
	g_free(deep);
	g_free(file);
	g_free(under);
}

/* leftovers - names in DIR other than KEEP (temporary files) */
static int
leftovers(const char *dir, const char *keep)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	int n = 0;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL)
		n += strcmp(name, keep) != 0;
	if (d != NULL)
		g_dir_close(d);
	return n;
}

static void
test_write_atomic(void **state)
{
	char *path = in(state, "out.txt");
	char *missing = in(state, "no/such/dir/out.txt");
	char *text = NULL;
	struct stat st;

	EXPECT_INT("rw_write_atomic(new)", rw_write_atomic(path, "one", 3,
	    0600), 0);
	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	EXPECT_STR("content", text, "one");
	g_free(text);
	assert_int_equal(stat(path, &st), 0);
	EXPECT_INT("mode", st.st_mode & 0777, 0600);
	/* replaces, and takes the new mode */
	EXPECT_INT("rw_write_atomic(replace)", rw_write_atomic(path,
	    "second\n", 7, 0640), 0);
	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	EXPECT_STR("replaced content", text, "second\n");
	g_free(text);
	assert_int_equal(stat(path, &st), 0);
	EXPECT_INT("new mode", st.st_mode & 0777, 0640);
	/* empty data is an empty file */
	EXPECT_INT("rw_write_atomic(empty)", rw_write_atomic(path, "", 0,
	    0600), 0);
	assert_int_equal(stat(path, &st), 0);
	EXPECT_INT("empty size", st.st_size, 0);
	EXPECT_INT("temporary files left", leftovers(*state, "out.txt"), 0);
	EXPECT_INT("rw_write_atomic(missing dir)", rw_write_atomic(missing,
	    "x", 1, 0600), RW_EIO);
	EXPECT_CONTAINS("message", rw_error_message(), "no/such/dir/out.txt");
	g_free(path);
	g_free(missing);
}

static void
test_write_output(void **state)
{
	char *file = in(state, "report.html");
	char *target = in(state, "target");
	char *link = in(state, "link");
	char *dangling = in(state, "dangling");
	char *text = NULL;

	EXPECT_INT("rw_write_output(new file)", rw_write_output(file, "a", 1,
	    0644), 0);
	EXPECT_INT("rw_write_output(regular file)", rw_write_output(file,
	    "bb", 2, 0644), 0);
	assert_true(g_file_get_contents(file, &text, NULL, NULL));
	EXPECT_STR("regular content", text, "bb");
	g_free(text);
	/* through a symlink: the target is written, the link stays */
	put(target, "old", 0600);
	assert_int_equal(symlink(target, link), 0);
	EXPECT_INT("rw_write_output(symlink)", rw_write_output(link, "new",
	    3, 0644), 0);
	assert_true(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
	assert_true(g_file_get_contents(target, &text, NULL, NULL));
	EXPECT_STR("symlink target content", text, "new");
	g_free(text);
	/* a character device is written in place */
	EXPECT_INT("rw_write_output(/dev/null)", rw_write_output("/dev/null",
	    "x", 1, 0644), 0);
	assert_int_equal(symlink("nowhere", dangling), 0);
	EXPECT_INT("rw_write_output(dangling symlink)",
	    rw_write_output(dangling, "x", 1, 0644), RW_EUSAGE);
	EXPECT_CONTAINS("dangling message", rw_error_message(), "dangling");
	EXPECT_INT("rw_write_output(directory)", rw_write_output(*state, "x",
	    1, 0644), RW_EUSAGE);
	EXPECT_CONTAINS("directory message", rw_error_message(),
	    "not a regular file");
	g_free(file);
	g_free(target);
	g_free(link);
	g_free(dangling);
}

static void
test_check_state_dir(void **state)
{
	char *missing = in(state, "missing");
	char *file = in(state, "file");
	char *other = in(state, "other");

	EXPECT_INT("rw_check_state_dir(missing)",
	    rw_check_state_dir(missing, (uid_t)-1), 0);
	EXPECT_INT("rw_check_state_dir(own)",
	    rw_check_state_dir(*state, (uid_t)-1), 0);
	EXPECT_INT("rw_check_state_dir(root's /)",
	    rw_check_state_dir("/", (uid_t)-1), 0);
	put(file, "x", 0600);
	EXPECT_INT("rw_check_state_dir(file)",
	    rw_check_state_dir(file, (uid_t)-1), RW_ECONFIG);
	EXPECT_CONTAINS("file message", rw_error_message(),
	    "is not a directory");
	/* another user's directory: only root can make one here */
	if (geteuid() == 0) {
		assert_int_equal(mkdir(other, 0700), 0);
		assert_int_equal(chown(other, 65534, 65534), 0);
		EXPECT_INT("rw_check_state_dir(nobody's)",
		    rw_check_state_dir(other, (uid_t)-1), RW_ECONFIG);
		EXPECT_CONTAINS("other message", rw_error_message(),
		    "belongs to another user");
		EXPECT_INT("rw_check_state_dir(nobody's, also nobody)",
		    rw_check_state_dir(other, 65534), 0);
	}
	g_free(missing);
	g_free(file);
	g_free(other);
}

static void
test_read_file(void **state)
{
	char *path = in(state, "data");
	char *missing = in(state, "missing");
	char *out = NULL;
	size_t len = 0;

	put(path, "12345", 0600);
	EXPECT_INT("rw_read_file(max = size)", rw_read_file(&out, &len, path,
	    5), 0);
	EXPECT_STR("content", out, "12345");
	EXPECT_INT("length", len, 5);
	g_free(out);
	out = NULL;
	EXPECT_INT("rw_read_file(no length)", rw_read_file(&out, NULL, path,
	    100), 0);
	EXPECT_STR("content without length", out, "12345");
	g_free(out);
	out = NULL;
	EXPECT_INT("rw_read_file(max = size - 1)", rw_read_file(&out, &len,
	    path, 4), RW_EDATA);
	assert_null(out);
	EXPECT_CONTAINS("too large message", rw_error_message(), "too large");
	EXPECT_INT("rw_read_file(missing)", rw_read_file(&out, &len, missing,
	    100), RW_EIO);
	assert_null(out);
	EXPECT_CONTAINS("missing message", rw_error_message(), missing);
	put(path, "", 0600);
	EXPECT_INT("rw_read_file(empty)", rw_read_file(&out, &len, path, 0),
	    0);
	EXPECT_INT("empty length", len, 0);
	g_free(out);
	g_free(path);
	g_free(missing);
}

static void
test_check_private(void **state)
{
	static const struct {
		int mode, rc;
	} cases[] = {
		{0600, 0}, {0400, 0}, {0700, 0}, {0640, RW_ECONFIG},
		{0604, RW_ECONFIG}, {0660, RW_ECONFIG}, {0610, RW_ECONFIG},
		{0644, RW_ECONFIG},
	};
	char *path = in(state, "secret");
	char *missing = in(state, "missing");

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char what[64];

		put(path, "pw", cases[i].mode);
		snprintf(what, sizeof(what), "rw_check_private(mode %04o)",
		    (unsigned)cases[i].mode);
		rw_error_clear();
		EXPECT_INT(what, rw_check_private(path, "token file"),
		    cases[i].rc);
		if (cases[i].rc != 0) {
			EXPECT_CONTAINS(what, rw_error_message(), "token file");
			EXPECT_CONTAINS(what, rw_error_get_hint(), "chmod 600");
		}
	}
	EXPECT_INT("rw_check_private(missing)", rw_check_private(missing,
	    "token file"), RW_ECONFIG);
	g_free(path);
	g_free(missing);
}

static void
test_rm_rf(void **state)
{
	char *top = in(state, "top");
	char *deep = in(state, "top/a/b");
	char *f1 = in(state, "top/f");
	char *f2 = in(state, "top/a/b/g");
	char *keep = in(state, "keep");
	char *kept = in(state, "keep/file");
	char *link = in(state, "top/a/link");

	assert_int_equal(g_mkdir_with_parents(deep, 0700), 0);
	assert_int_equal(g_mkdir_with_parents(keep, 0700), 0);
	put(f1, "1", 0600);
	put(f2, "2", 0600);
	put(kept, "k", 0600);
	/* a link to a directory outside: the link goes, not its target */
	assert_int_equal(symlink(keep, link), 0);
	EXPECT_INT("rw_rm_rf(tree)", rw_rm_rf(top), 0);
	EXPECT_INT("tree gone", g_file_test(top, G_FILE_TEST_EXISTS), 0);
	EXPECT_INT("link target kept", g_file_test(kept, G_FILE_TEST_EXISTS),
	    1);
	EXPECT_INT("rw_rm_rf(missing)", rw_rm_rf(top), 0);
	EXPECT_INT("rw_rm_rf(file)", rw_rm_rf(kept), 0);
	EXPECT_INT("file gone", g_file_test(kept, G_FILE_TEST_EXISTS), 0);
	g_free(top);
	g_free(deep);
	g_free(f1);
	g_free(f2);
	g_free(keep);
	g_free(kept);
	g_free(link);
}

static void
test_strip(void **state)
{
	static const struct {
		const char *s, *want;
	} cases[] = {
		{"  a b \t\n", "a b"}, {"abc", "abc"}, {"", ""},
		{" \t\r\n ", ""}, {"\ta", "a"}, {"a\n", "a"},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *s = g_strdup(cases[i].s);
		char *got = rw_strip(s);
		char what[64];

		snprintf(what, sizeof(what), "rw_strip(case %zu)", i);
		EXPECT_STR(what, got, cases[i].want);
		/* trimmed in place */
		EXPECT_INT(what, got == s, 1);
		g_free(s);
	}
}

static void
test_names(void **state)
{
	static const struct {
		const char *name;
		bool valid;
	} cases[] = {
		{"main", true}, {"a.b-c_D9", true}, {"x", true},
		{"trailing.", true}, {"a.b.c", true},
		{"", false}, {NULL, false}, {".hidden", false}, {"..", false},
		{"a..b", false}, {"a/b", false}, {"a b", false},
		{"a\\b", false}, {"caf\xc3\xa9", false}, {"a\nb", false},
		{"-dash-first", true},
	};
	char max[RW_NAME_MAX + 2];

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char what[96];
		int rc;

		snprintf(what, sizeof(what), "rw_name_valid(case %zu \"%s\")", i,
		    cases[i].name ? cases[i].name : "(null)");
		EXPECT_INT(what, rw_name_valid(cases[i].name), cases[i].valid);
		rw_error_clear();
		rc = rw_name_check("SNDS source", cases[i].name, RW_EUSAGE);
		EXPECT_INT(what, rc, cases[i].valid ? 0 : RW_EUSAGE);
		if (!cases[i].valid)
			EXPECT_CONTAINS(what, rw_error_message(),
			    "invalid SNDS source name");
		else
			EXPECT_STR(what, rw_error_message(), "");
	}
	/* RW_NAME_MAX characters is the longest name */
	memset(max, 'n', RW_NAME_MAX);
	max[RW_NAME_MAX] = '\0';
	EXPECT_INT("rw_name_valid(RW_NAME_MAX chars)", rw_name_valid(max), 1);
	max[RW_NAME_MAX] = 'n';
	max[RW_NAME_MAX + 1] = '\0';
	EXPECT_INT("rw_name_valid(RW_NAME_MAX + 1 chars)", rw_name_valid(max),
	    0);
}

static void
test_name_check_shown(void **state)
{
	char *long_name = g_strnfill(1000, '/');
	size_t len;

	(void)state;
	/* a hostile name is escaped in the message */
	EXPECT_INT("rw_name_check(newline)", rw_name_check("mailbox",
	    "a\nb", RW_ECONFIG), RW_ECONFIG);
	EXPECT_CONTAINS("escaped", rw_error_message(), "\"a\\nb\"");
	EXPECT_CONTAINS("detail", rw_error_get_detail(), "at most 64");
	/* and cut to 2 * RW_NAME_MAX characters */
	EXPECT_INT("rw_name_check(long)", rw_name_check("mailbox", long_name,
	    RW_EUSAGE), RW_EUSAGE);
	len = strlen(rw_error_message());
	if (len > 2 * RW_NAME_MAX + 40) {
		print_error("rw_name_check(1000 chars): message of %zu bytes, "
		    "want at most %d\n", len, 2 * RW_NAME_MAX + 40);
		fail();
	}
	EXPECT_INT("rw_name_check(NULL)", rw_name_check("mailbox", NULL,
	    RW_EUSAGE), RW_EUSAGE);
	EXPECT_CONTAINS("NULL shown empty", rw_error_message(), "name \"\"");
	g_free(long_name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ll),
		cmocka_unit_test(test_parse_double),
		cmocka_unit_test(test_parse_bool),
		cmocka_unit_test(test_parse_format_date),
		cmocka_unit_test(test_today),
		cmocka_unit_test(test_today_in),
		cmocka_unit_test(test_io_status),
		cmocka_unit_test_setup_teardown(test_mkdir_p, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_atomic, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_output, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_check_state_dir, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_read_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_private, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rm_rf, setup, teardown),
		cmocka_unit_test(test_strip),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_name_check_shown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

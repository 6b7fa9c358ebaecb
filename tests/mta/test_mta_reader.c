/*
 * Unit tests of mta/mta_reader in temporary directories: resume after an
 * append, rotation (renamed, then gzipped), copytruncate and truncation in
 * place, a partial last line, an over-long line, the order of rotated
 * files, and a pattern matching nothing against a missing directory.
 * Each step reads with the checkpoints of the step before, as a caller
 * storing them would, so a line read twice shows up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <zlib.h>

#include "common/rw_error.h"
#include "mta/mta_reader.h"

struct state {
	char *dir;
	char *source;
	struct mta_checkpoint *cps;
	char **paths; /* the checkpoints' names, owned */
	size_t n;
	size_t line_max;
	struct mta_reader_stats stats;
};

static char *path_of(struct state *s, const char *name)
{
	return g_build_filename(s->dir, name, NULL);
}

static void put(struct state *s, const char *name, const char *text,
    const char *mode)
{
	char *p = path_of(s, name);
	FILE *fp = fopen(p, mode);
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	g_free(p);
}

static void mv(struct state *s, const char *from, const char *to)
{
	char *a = path_of(s, from), *b = path_of(s, to);
	assert_int_equal(g_rename(a, b), 0);
	g_free(a);
	g_free(b);
}

/* gzip_file - NAME to NAME.gz, NAME removed (as logrotate's compress) */
static void gzip_file(struct state *s, const char *name)
{
	char *p = path_of(s, name);
	char *gzp = g_strconcat(p, ".gz", NULL);
	gchar *data;
	gsize len;
	assert_true(g_file_get_contents(p, &data, &len, NULL));
	gzFile gz = gzopen(gzp, "wb");
	assert_non_null(gz);
	assert_int_equal(gzwrite(gz, data, (unsigned)len), (int)len);
	assert_int_equal(gzclose(gz), Z_OK);
	assert_int_equal(g_unlink(p), 0);
	g_free(data);
	g_free(p);
	g_free(gzp);
}

static void keep_checkpoints(struct state *s, struct mta_reader *r)
{
	for (size_t i = 0; i < s->n; i++)
		g_free(s->paths[i]);
	g_free(s->paths);
	g_free(s->cps);
	const struct mta_checkpoint *cps;
	mta_reader_checkpoints(r, &cps, &s->n);
	s->cps = g_new0(struct mta_checkpoint, s->n + 1);
	s->paths = g_new0(char *, s->n + 1);
	for (size_t i = 0; i < s->n; i++) {
		s->cps[i] = cps[i];
		s->paths[i] = g_strdup(cps[i].path);
		s->cps[i].path = s->paths[i];
	}
}

/*
 * run_pos - read what is new since the last step: the lines joined by '|',
 * each "basename:lineno=" prefixed when WITH_POS; keeps the checkpoints
 */
static char *run_pos(struct state *s, bool with_pos)
{
	struct mta_reader *r = NULL;
	int rc = mta_reader_new(&r, s->source, s->line_max, s->cps, s->n);
	if (rc != 0)
		fail_msg("mta_reader_new: got %d (%s), want 0", rc,
		    rw_error_message());
	GString *got = g_string_new(NULL);
	for (;;) {
		const char *line, *file;
		size_t len;
		uint64_t lineno;
		rc = mta_reader_next(r, &line, &len, &file, &lineno);
		assert_int_equal(rc, 0);
		if (line == NULL)
			break;
		if (got->len)
			g_string_append_c(got, '|');
		if (with_pos) {
			char *base = g_path_get_basename(file);
			g_string_append_printf(got, "%s:%llu=", base,
			    (unsigned long long)lineno);
			g_free(base);
		}
		g_string_append_len(got, line, (gssize)len);
	}
	mta_reader_stats(r, &s->stats);
	keep_checkpoints(s, r);
	mta_reader_free(r);
	return g_string_free(got, FALSE);
}

static void step(struct state *s, bool with_pos, const char *want,
    const char *what)
{
	char *got = run_pos(s, with_pos);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", what, got, want);
	g_free(got);
}

static int setup(void **state)
{
	struct state *s = g_new0(struct state, 1);
	s->dir = g_dir_make_tmp("mta_reader_XXXXXX", NULL);
	assert_non_null(s->dir);
	s->source = g_build_filename(s->dir, "mail.log*", NULL);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct state *s = *state;
	GDir *d = g_dir_open(s->dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d)) != NULL) {
		char *p = path_of(s, name);
		g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(s->dir);
	for (size_t i = 0; i < s->n; i++)
		g_free(s->paths[i]);
	g_free(s->paths);
	g_free(s->cps);
	g_free(s->source);
	g_free(s->dir);
	g_free(s);
	return 0;
}

static void test_resume_after_append(void **state)
{
	struct state *s = *state;
	put(s, "mail.log", "a\nb\n", "w");
	step(s, true, "mail.log:1=a|mail.log:2=b", "first run");
	step(s, false, "", "re-run");
	put(s, "mail.log", "c\nd\n", "a");
	step(s, true, "mail.log:3=c|mail.log:4=d", "after append");
	step(s, false, "", "re-run after append");
}

static void test_rotation(void **state)
{
	struct state *s = *state;
	put(s, "mail.log", "a\nb\n", "w");
	step(s, false, "a|b", "first run");
	put(s, "mail.log", "c\n", "a"); /* written before the rotation */
	mv(s, "mail.log", "mail.log.1");
	put(s, "mail.log.1", "d\n", "a"); /* the MTA still had it open */
	put(s, "mail.log", "x\ny\n", "w");
	step(s, true, "mail.log.1:3=c|mail.log.1:4=d|mail.log:1=x|mail.log:2=y",
	    "after rotation");
	step(s, false, "", "re-run after rotation");
}

static void test_rotation_gzip(void **state)
{
	struct state *s = *state;
	put(s, "mail.log", "a\nb\n", "w");
	step(s, false, "a|b", "first run");
	put(s, "mail.log", "c\n", "a");
	mv(s, "mail.log", "mail.log.1");
	put(s, "mail.log", "x\n", "w");
	step(s, false, "c|x", "after rotation");
	/* the next rotation: .1 compressed to .2.gz, a new live file */
	put(s, "mail.log", "y\n", "a");
	mv(s, "mail.log.1", "mail.log.2");
	gzip_file(s, "mail.log.2");
	mv(s, "mail.log", "mail.log.1");
	gzip_file(s, "mail.log.1");
	put(s, "mail.log", "z\n", "w");
	step(s, true, "mail.log.1.gz:2=y|mail.log:1=z", "after gzip");
	step(s, false, "", "re-run after gzip");
	assert_int_equal(s->n, 3);
}

static void test_gzip_unread_rest(void **state)
{
	struct state *s = *state;
	put(s, "mail.log", "a\n", "w");
	step(s, false, "a", "first run");
	put(s, "mail.log", "b\nc\n", "a");
	mv(s, "mail.log", "mail.log.1");
	gzip_file(s, "mail.log.1");
	step(s, true, "mail.log.1.gz:2=b|mail.log.1.gz:3=c", "gzipped rest");
	step(s, false, "", "re-run");
}

static void test_copytruncate(void **state)
{
	struct state *s = *state;
	put(s, "mail.log", "a\nb\n", "w");
	step(s, false, "a|b", "first run");
	put(s, "mail.log", "c\n", "a");
	/* logrotate copytruncate: copy to .1, truncate the live file */
	char *p = path_of(s, "mail.log"), *p1 = path_of(s, "mail.log.1");
	gchar *data;
	gsize len;
	assert_true(g_file_get_contents(p, &data, &len, NULL));
	assert_true(g_file_set_contents(p1, data, (gssize)len, NULL));
	g_free(data);
	g_free(p);
	g_free(p1);
	put(s, "mail.log", "", "w");
	step(s, false, "c", "after copytruncate");
	put(s, "mail.log", "x\n", "a");
	step(s, false, "x", "after copytruncate and a write");
	step(s, false, "", "re-run");
}

struct trunc_case {
	const char *before, *want_before, *after, *want, *what;
};

/* the live file rewritten in place (same inode) */
static const struct trunc_case trunc_cases[] = {
	{"a\nb\nc\n", "a|b|c", "a\n", "a", "same first line, shorter"},
	{"a\nb\nc\n", "a|b|c", "z\nb\nc\nd\n", "z|b|c|d", "new first line"},
	{"a\nb\n", "a|b", "a\nb\nc\n", "c", "same file grown: resume"},
	{"a\nb\n", "a|b", "", "", "emptied"},
	{"a\nb\n", "a|b", "a\n", "a", "emptied, first line again"},
};

static void test_truncation(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(trunc_cases); i++) {
		const struct trunc_case *c = &trunc_cases[i];
		struct state *s = NULL;
		setup((void **)&s);
		put(s, "mail.log", c->before, "w");
		step(s, false, c->want_before, c->what);
		put(s, "mail.log", c->after, "w");
		step(s, false, c->want, c->what);
		step(s, false, "", c->what);
		teardown((void **)&s);
		(void)state;
	}
}

static void test_partial_line(void **state)
{
	struct state *s = *state;
	put(s, "mail.log", "a\nb", "w");
	step(s, false, "a", "partial last line waits");
	step(s, false, "", "still partial");
	put(s, "mail.log", "c\n", "a");
	step(s, true, "mail.log:2=bc", "completed");
}

static void test_partial_first_line(void **state)
{
	struct state *s = *state;
	put(s, "mail.log", "ab", "w");
	step(s, false, "", "no complete first line");
	put(s, "mail.log", "c\nd\n", "a");
	step(s, false, "abc|d", "completed first line");
	step(s, false, "", "re-run");
}

static void test_overlong(void **state)
{
	struct state *s = *state;
	s->line_max = 8;
	put(s, "mail.log", "short\n0123456789abcdef\n12345678\nafter\n",
	    "w");
	step(s, true, "mail.log:1=short|mail.log:3=12345678|mail.log:4=after",
	    "over-long line dropped");
	assert_int_equal(s->stats.overlong, 1);
	assert_int_equal(s->stats.lines, 3);
	step(s, false, "", "re-run");
	assert_int_equal(s->stats.overlong, 0);
}

static void test_order(void **state)
{
	struct state *s = *state;
	put(s, "mail.log.10", "j\n", "w");
	gzip_file(s, "mail.log.10");
	put(s, "mail.log.2", "l\n", "w");
	gzip_file(s, "mail.log.2");
	put(s, "mail.log.9", "k\n", "w");
	put(s, "mail.log.1", "m\n", "w");
	put(s, "mail.log", "n\n", "w");
	step(s, false, "j|k|l|m|n", "oldest first");
	assert_int_equal(s->stats.files, 5);
}

static void test_order_dated(void **state)
{
	struct state *s = *state;
	put(s, "mail.log-20261205", "j\n", "w");
	gzip_file(s, "mail.log-20261205");
	put(s, "mail.log-20261206", "k\n", "w");
	put(s, "mail.log", "n\n", "w");
	step(s, false, "j|k|n", "dated copies, oldest first");
	put(s, "mail.log", "o\n", "a");
	step(s, false, "o", "resume with dated copies");
}

static void test_nothing_and_missing(void **state)
{
	struct state *s = *state;
	step(s, false, "", "pattern matching nothing");
	assert_int_equal(s->stats.files, 0);
	struct mta_reader *r = NULL;
	char *missing = g_build_filename(s->dir, "nodir", "mail.log*", NULL);
	int rc = mta_reader_new(&r, missing, 0, NULL, 0);
	if (rc != RW_ENOINPUT)
		fail_msg("missing directory: got %d, want %d", rc, RW_ENOINPUT);
	assert_null(r);
	assert_non_null(strstr(rw_error_message(), "nodir"));
	rw_error_clear();
	g_free(missing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resume_after_append, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation_gzip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_gzip_unread_rest, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copytruncate, setup,
		    teardown),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test_setup_teardown(test_partial_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_partial_first_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_overlong, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_dated, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_nothing_and_missing, setup,
		    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests of mta/mta_reader in temporary directories: resume after an
 * append, rotation (renamed, then gzipped), copytruncate and truncation in
 * place, a partial last line, an over-long line, the order of rotated
 * files, and a pattern matching nothing against a missing directory;
 * a new file with the first line of the old one (PowerMTA's header row),
 * zstd segments (cut short while written), one file reached by two names
 * in one run and the file's modification time. Copies are in
 * test_mta_reader_copy.c; the steps shared by both in reader_lib.c. Each
 * step reads with the checkpoints of the step before, as a caller storing
 * them would, so a line read twice shows up.
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
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <zstd.h>

#include "common/rw_error.h"
#include "mta/mta_reader.h"
#include "reader_lib.h"

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
	copy_file(s, "mail.log", "mail.log.1", 0);
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

/*
 * every PowerMTA accounting file starts with the same header row: a new
 * file (the old one moved away, or deleted and its inode reused) is read
 * from its start, not from the old file's offset
 */
static void test_same_head_new_file(void **state)
{
	struct state *s = *state;
	const char *want, *want2;
	const char *rows = lines(s, "d,2026-12-07 05:00:00,old", 1, 20,
	    &want);
	put(s, "mail.log", keep(s, g_strconcat("type,timeLogged,rcpt\n", rows,
	    NULL)), "w");
	step(s, false, keep(s, g_strconcat("type,timeLogged,rcpt|", want,
	    NULL)), "first file");
	/* moved out of the pattern, a new file with 30 other rows */
	mv(s, "mail.log", "old.csv");
	rows = lines(s, "d,2026-12-07 06:00:00,new", 1, 30, &want2);
	put(s, "mail.log", keep(s, g_strconcat("type,timeLogged,rcpt\n", rows,
	    NULL)), "w");
	step(s, false, keep(s, g_strconcat("type,timeLogged,rcpt|", want2,
	    NULL)), "a new file with the same header row");
	step(s, false, "", "re-run");
	/* deleted and written again (the inode may be reused) */
	rm(s, "mail.log");
	put(s, "mail.log", "type,timeLogged,rcpt\nd,x,y\n", "w");
	step(s, false, "type,timeLogged,rcpt|d,x,y", "deleted and new");
}

/*
 * zstd_text - TEXT compressed by libzstd's streaming API, one block
 * flushed per line, so that a cut stream still decodes its first lines
 */
static GByteArray *zstd_text(const char *text)
{
	GByteArray *out = g_byte_array_new();
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	size_t cap = ZSTD_CStreamOutSize();
	unsigned char *buf = g_malloc(cap);
	const char *p = text;
	assert_non_null(cc);
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		ZSTD_inBuffer in = {p, n, 0};
		ZSTD_EndDirective how = p[n] == '\0' ? ZSTD_e_end :
		    ZSTD_e_flush;
		size_t left;
		do {
			ZSTD_outBuffer o = {buf, cap, 0};
			left = ZSTD_compressStream2(cc, &o, &in, how);
			assert_false(ZSTD_isError(left));
			g_byte_array_append(out, buf, (guint)o.pos);
		} while (left != 0 || in.pos < in.size);
		p += n;
	}
	g_free(buf);
	ZSTD_freeCCtx(cc);
	return out;
}

/*
 * KumoMTA's segments are zstd, named without an extension: read by their
 * magic bytes; the segment being written is a cut stream: what decodes
 * is read, never a partial last line, and the next run resumes at the
 * decompressed offset
 */
static void test_zstd(void **state)
{
	struct state *s = *state;
	const char *all;
	const char *text = lines(s, "{\"type\":\"Delivery\",\"n\":", 1, 40,
	    &all);
	GByteArray *z = zstd_text(text);
	size_t cut = z->len * 2 / 3;
	/* a cut in the middle of a block: the lines before it decode */
	put_bytes(s, "mail.log", z->data, cut, "w");
	char *got1 = run_pos(s, false);
	assert_true(strlen(got1) > 0);
	assert_true(g_str_has_prefix(all, got1));
	assert_true(strlen(got1) < strlen(all));
	/* a line is whole: the next character of ALL ends it */
	char next = all[strlen(got1)];
	if (next != '|')
		fail_msg("cut stream: a partial line was read: \"%s\"", got1);
	step(s, false, "", "cut stream, nothing new");
	/* the writer goes on: the rest, each line once */
	put_bytes(s, "mail.log", z->data + cut, z->len - cut, "a");
	char *got2 = run_pos(s, false);
	char *both = g_strconcat(got1, "|", got2, NULL);
	if (strcmp(both, all) != 0)
		fail_msg("zstd resumed: got \"%s\", want \"%s\"", both, all);
	step(s, false, "", "re-run");
	assert_int_equal(s->n, 1);
	/* one frame of big blocks: more than a read buffer decodes at once */
	const char *big_all;
	const char *big = lines(s, "kumo record ", 1, 100000, &big_all);
	size_t cap = ZSTD_compressBound(strlen(big));
	unsigned char *zb = g_malloc(cap);
	size_t zn = ZSTD_compress(zb, cap, big, strlen(big), 3);
	assert_false(ZSTD_isError(zn));
	put_bytes(s, "mail.log.1", zb, zn, "w");
	char *got3 = run_pos(s, false);
	if (strcmp(got3, big_all) != 0)
		fail_msg("one zstd frame: got %zu bytes, want %zu",
		    strlen(got3), strlen(big_all));
	g_free(got3);
	g_free(zb);
	g_free(both);
	g_free(got1);
	g_free(got2);
	g_byte_array_free(z, TRUE);
}

/*
 * one file reached by a relative and an absolute name in one run is read
 * once; the checkpoints name it canonically, so a later run by the
 * pattern resumes
 */
static void test_one_file_two_names(void **state)
{
	struct state *s = *state;
	char *cwd = g_get_current_dir();
	put(s, "mail.log", "a\nb\n", "w");
	assert_int_equal(g_chdir(s->dir), 0);
	struct mta_reader_run *run = mta_reader_run_new(NULL, 0);
	struct mta_reader *r1 = NULL, *r2 = NULL;
	char *abs = path_of(s, "mail.log");
	assert_int_equal(mta_reader_open(&r1, run, "mail.log", 0), 0);
	assert_int_equal(mta_reader_open(&r2, run, abs, 0), 0);
	assert_int_equal(g_chdir(cwd), 0);
	int n1 = 0, n2 = 0;
	const char *line, *file;
	size_t len;
	uint64_t lineno;
	while (mta_reader_next(r1, &line, &len, &file, &lineno) == 0 && line)
		n1++;
	while (mta_reader_next(r2, &line, &len, &file, &lineno) == 0 && line)
		n2++;
	if (n1 != 2 || n2 != 0)
		fail_msg("two names: got %d and %d lines, want 2 and 0", n1,
		    n2);
	keep_checkpoints(s, r1);
	assert_int_equal(s->n, 1);
	char *real = realpath(s->dir, NULL);
	char *want = g_build_filename(real, "mail.log", NULL);
	if (strcmp(s->cps[0].path, want) != 0)
		fail_msg("checkpoint path: got \"%s\", want \"%s\"",
		    s->cps[0].path, want);
	mta_reader_free(r1);
	mta_reader_free(r2);
	mta_reader_run_free(run);
	step(s, false, "", "the pattern after the relative name");
	free(real);
	g_free(want);
	g_free(abs);
	g_free(cwd);
}

/* the modification time of the file of the line just read */
static void test_mtime(void **state)
{
	struct state *s = *state;
	put(s, "mail.log.1", "a\n", "w");
	put(s, "mail.log", "b\n", "w");
	char *p = path_of(s, "mail.log.1");
	struct timespec ts[2] = {{1733547600, 0}, {1733547600, 0}};
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	g_free(p);
	struct mta_reader *r = NULL;
	assert_int_equal(mta_reader_new(&r, s->source, 0, NULL, 0), 0);
	const char *line, *file;
	size_t len;
	uint64_t lineno;
	assert_int_equal(mta_reader_next(r, &line, &len, &file, &lineno), 0);
	assert_string_equal(line, "a");
	if (mta_reader_mtime(r) != 1733547600)
		fail_msg("mtime of mail.log.1: got %lld, want 1733547600",
		    (long long)mta_reader_mtime(r));
	assert_int_equal(mta_reader_next(r, &line, &len, &file, &lineno), 0);
	assert_string_equal(line, "b");
	assert_true(mta_reader_mtime(r) > 1733547600 + 86400);
	mta_reader_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resume_after_append, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rotation, setup,
		    teardown),
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
		cmocka_unit_test_setup_teardown(test_overlong, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_order_dated, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_nothing_and_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_same_head_new_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_zstd, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_one_file_two_names, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_mtime, setup,
		    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

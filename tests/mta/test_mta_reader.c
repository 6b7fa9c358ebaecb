/*
 * Unit tests of mta/mta_reader in temporary directories: resume after an
 * append, rotation (renamed, then gzipped), copytruncate and truncation in
 * place, a partial last line, an over-long line, the order of rotated
 * files, and a pattern matching nothing against a missing directory;
 * a new file with the first line of the old one (PowerMTA's header row),
 * zstd segments (cut short while written), one file reached by two names
 * in one run, copies (a logrotate compress in progress, mail.log.save)
 * and the file's modification time; copies judged beyond the first line
 * (PowerMTA's header-only file), two new copies read once, a copy its
 * original outgrew, a copy in progress; random rotation sequences. Each
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
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

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

/* lines - "PREFIX1\n".."PREFIXn\n" as one text, and "PREFIX1|..." */
static char *lines(const char *prefix, int from, int to, char **joined)
{
	GString *t = g_string_new(NULL), *j = g_string_new(NULL);
	for (int i = from; i <= to; i++) {
		g_string_append_printf(t, "%s%d\n", prefix, i);
		g_string_append_printf(j, "%s%s%d", i > from ? "|" : "",
		    prefix, i);
	}
	*joined = g_string_free(j, FALSE);
	return g_string_free(t, FALSE);
}

/*
 * every PowerMTA accounting file starts with the same header row: a new
 * file (the old one moved away, or deleted and its inode reused) is read
 * from its start, not from the old file's offset
 */
static void test_same_head_new_file(void **state)
{
	struct state *s = *state;
	char *want, *want2;
	char *rows = lines("d,2026-12-07 05:00:00,old", 1, 20, &want);
	char *text = g_strconcat("type,timeLogged,rcpt\n", rows, NULL);
	put(s, "mail.log", text, "w");
	char *w = g_strconcat("type,timeLogged,rcpt|", want, NULL);
	step(s, false, w, "first file");
	g_free(w);
	g_free(text);
	g_free(rows);
	g_free(want);
	/* moved out of the pattern, a new file with 30 other rows */
	mv(s, "mail.log", "old.csv");
	rows = lines("d,2026-12-07 06:00:00,new", 1, 30, &want2);
	text = g_strconcat("type,timeLogged,rcpt\n", rows, NULL);
	put(s, "mail.log", text, "w");
	w = g_strconcat("type,timeLogged,rcpt|", want2, NULL);
	step(s, false, w, "a new file with the same header row");
	step(s, false, "", "re-run");
	/* deleted and written again (the inode may be reused) */
	char *p = path_of(s, "mail.log");
	assert_int_equal(g_unlink(p), 0);
	g_free(p);
	put(s, "mail.log", "type,timeLogged,rcpt\nd,x,y\n", "w");
	step(s, false, "type,timeLogged,rcpt|d,x,y", "deleted and new");
	g_free(w);
	g_free(text);
	g_free(rows);
	g_free(want2);
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

static void put_bytes(struct state *s, const char *name,
    const unsigned char *b, size_t n, const char *mode)
{
	char *p = path_of(s, name);
	FILE *fp = fopen(p, mode);
	assert_non_null(fp);
	assert_int_equal(fwrite(b, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
	g_free(p);
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
	char *all;
	char *text = lines("{\"type\":\"Delivery\",\"n\":", 1, 40, &all);
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
	char *big_all;
	char *big = lines("kumo record ", 1, 100000, &big_all);
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
	g_free(big);
	g_free(big_all);
	g_free(both);
	g_free(got1);
	g_free(got2);
	g_byte_array_free(z, TRUE);
	g_free(text);
	g_free(all);
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

/* gzip_prefix - NAME.gz as gzip writes it, cut after half its bytes */
static void gzip_prefix(struct state *s, const char *name, bool whole)
{
	char *p = path_of(s, name);
	char *gzp = g_strconcat(p, ".gz", NULL);
	gchar *data, *z;
	gsize len, zlen;
	assert_true(g_file_get_contents(p, &data, &len, NULL));
	gzFile gz = gzopen(gzp, "wb");
	assert_non_null(gz);
	assert_int_equal(gzwrite(gz, data, (unsigned)len), (int)len);
	assert_int_equal(gzclose(gz), Z_OK);
	if (!whole) {
		assert_true(g_file_get_contents(gzp, &z, &zlen, NULL));
		assert_true(g_file_set_contents(gzp, z, (gssize)zlen / 2,
		    NULL));
		g_free(z);
	}
	g_free(data);
	g_free(p);
	g_free(gzp);
}

/*
 * logrotate's compress: while mail.log.1 and the half-written
 * mail.log.1.gz both exist, the .gz is a copy: not read, and not read
 * later either, once complete and alone; a copy in the pattern
 * (mail.log.save) likewise
 */
static void test_copies(void **state)
{
	struct state *s = *state;
	char *want;
	char *text = lines("line ", 1, 60000, &want);
	put(s, "mail.log", text, "w");
	char *got = run_pos(s, false);
	assert_string_equal(got, want);
	g_free(got);
	mv(s, "mail.log", "mail.log.1");
	put(s, "mail.log", "x\n", "w");
	step(s, false, "x", "after rotation");
	gzip_prefix(s, "mail.log.1", false);
	step(s, false, "", "compress in progress");
	assert_int_equal(s->stats.copies, 1);
	gzip_prefix(s, "mail.log.1", true);
	step(s, false, "", "compressed, the plain file still there");
	char *p = path_of(s, "mail.log.1");
	assert_int_equal(g_unlink(p), 0);
	g_free(p);
	step(s, false, "", "compressed and alone");
	/* a copy of the live file inside the pattern */
	put(s, "mail.log", "y\n", "a");
	step(s, false, "y", "live file");
	char *l = path_of(s, "mail.log"), *c = path_of(s, "mail.log.save");
	gchar *data;
	gsize len;
	assert_true(g_file_get_contents(l, &data, &len, NULL));
	assert_true(g_file_set_contents(c, data, (gssize)len, NULL));
	step(s, false, "", "mail.log.save");
	put(s, "mail.log", "z\n", "a");
	step(s, false, "z", "the live file goes on, the copy is not read");
	step(s, false, "", "re-run");
	g_free(data);
	g_free(l);
	g_free(c);
	g_free(text);
	g_free(want);
}

/* copy_file - FROM's bytes to TO (cp), the first N bytes when N > 0 */
static void copy_file(struct state *s, const char *from, const char *to,
    gsize n)
{
	char *a = path_of(s, from), *b = path_of(s, to);
	gchar *data;
	gsize len;
	assert_true(g_file_get_contents(a, &data, &len, NULL));
	assert_true(g_file_set_contents(b, data, (gssize)(n ? MIN(n, len) :
	    len), NULL));
	g_free(data);
	g_free(a);
	g_free(b);
}

/*
 * PowerMTA's accounting files all start with the header row: a new file
 * is no copy of a file holding the header alone (a quiet hour), so its
 * rows are read in the run that first sees it, not one run late; a new
 * header-only file is all the start of another: a copy, harmless, as its
 * rows are read once written
 */
static void test_header_only_original(void **state)
{
	struct state *s = *state;
	g_free(s->source);
	s->source = g_build_filename(s->dir, "acct-*.csv", NULL);
	const char *hdr = "type,timeLogged,rcpt,dsnDiag\n";
	put(s, "acct-2026-12-07-0600.csv", hdr, "w");
	step(s, false, "type,timeLogged,rcpt,dsnDiag", "header-only file");
	char *text = g_strconcat(hdr, "b,05:00,a@outlook.com,S3150 1\n",
	    "b,05:01,b@outlook.com,S3150 2\n",
	    "b,05:02,c@outlook.com,S3150 3\n", NULL);
	put(s, "acct-2026-12-07-0100.csv", text, "w");
	step(s, false, "type,timeLogged,rcpt,dsnDiag|"
	    "b,05:00,a@outlook.com,S3150 1|b,05:01,b@outlook.com,S3150 2|"
	    "b,05:02,c@outlook.com,S3150 3", "a new file with rows");
	if (s->stats.copies != 0)
		fail_msg("copies: got %zu, want 0", s->stats.copies);
	step(s, false, "", "re-run");
	/* two new files in one run: the header-only one is no copy either */
	put(s, "acct-2026-12-07-0700.csv", hdr, "w");
	put(s, "acct-2026-12-07-0200.csv", "type,timeLogged,rcpt,dsnDiag\n"
	    "b,06:00,d@outlook.com,S3150 4\n", "w");
	step(s, false, "type,timeLogged,rcpt,dsnDiag|"
	    "b,06:00,d@outlook.com,S3150 4", "two new files");
	if (s->stats.copies != 1)
		fail_msg("copies of two new files: got %zu, want 1 (the "
		    "header-only one)", s->stats.copies);
	/* its rows, once written, are read */
	put(s, "acct-2026-12-07-0700.csv", "b,07:00,e@outlook.com,S3150 5\n",
	    "a");
	step(s, false, "b,07:00,e@outlook.com,S3150 5", "rows after the header");
	step(s, false, "", "re-run");
	g_free(text);
}

/*
 * logrotate's compress window on a first run (or with the plain file
 * never read at an offset): mail.log.1 and the half-written mail.log.1.gz
 * are both new; the lines are read once, and not again when the .gz is
 * complete and alone; likewise a copy longer than the live file
 */
static void test_copies_both_new(void **state)
{
	struct state *s = *state;
	char *want;
	char *text = lines("line ", 1, 72, &want);
	put(s, "mail.log.1", text, "w");
	put(s, "mail.log", "", "w");
	gzip_prefix(s, "mail.log.1", false);
	step(s, false, want, "plain and half .gz, both new");
	if (s->stats.copies != 1)
		fail_msg("copies: got %zu, want 1", s->stats.copies);
	gzip_prefix(s, "mail.log.1", true);
	step(s, false, "", "the .gz complete, the plain still there");
	char *p = path_of(s, "mail.log.1");
	assert_int_equal(g_unlink(p), 0);
	g_free(p);
	step(s, false, "", "the .gz alone");
	/* the live file and a shorter copy, both new */
	char *want2;
	char *text2 = lines("live ", 1, 10, &want2);
	put(s, "mail.log", text2, "w");
	copy_file(s, "mail.log", "mail.log.save", 40);
	step(s, false, want2, "live file and a shorter copy");
	put(s, "mail.log", "more\n", "a");
	step(s, false, "more", "the live file goes on");
	p = path_of(s, "mail.log");
	assert_int_equal(g_unlink(p), 0);
	g_free(p);
	step(s, false, "", "the copy alone");
	g_free(text);
	g_free(want);
	g_free(text2);
	g_free(want2);
}

/*
 * a copy its original outgrew (copytruncate's window after the copy):
 * once the original is truncated, the copy is not read again from 0
 */
static void test_copy_outgrown(void **state)
{
	struct state *s = *state;
	char *want, *want2, *want3;
	char *text = lines("line ", 1, 100, &want);
	put(s, "mail.log", text, "w");
	step(s, false, want, "100 lines");
	char *t2 = lines("line ", 101, 110, &want2);
	put(s, "mail.log", t2, "a");
	copy_file(s, "mail.log", "mail.log.1", 0);
	char *t3 = lines("line ", 111, 115, &want3);
	put(s, "mail.log", t3, "a");
	char *w = g_strconcat(want2, "|", want3, NULL);
	step(s, false, w, "the copy and 5 more lines");
	put(s, "mail.log", "new 1\nnew 2\nnew 3\n", "w");
	step(s, false, "new 1|new 2|new 3", "truncated, 3 new lines");
	step(s, false, "", "re-run");
	g_free(text);
	g_free(t2);
	g_free(t3);
	g_free(w);
	g_free(want);
	g_free(want2);
	g_free(want3);
}

/*
 * copytruncate's copy still being written when the run comes: the copy
 * is shorter; when complete (with lines the live file got meanwhile) and
 * the live file truncated, the copy's lines past the live file's
 * checkpoint are read, each once
 */
static void test_copy_in_progress(void **state)
{
	struct state *s = *state;
	char *want, *want2, *want3;
	char *text = lines("line ", 1, 100, &want);
	put(s, "mail.log", text, "w");
	step(s, false, want, "100 lines");
	char *t2 = lines("line ", 101, 110, &want2);
	put(s, "mail.log", t2, "a");
	copy_file(s, "mail.log", "mail.log.1", 850);
	step(s, false, want2, "a partial copy");
	char *t3 = lines("line ", 111, 112, &want3);
	put(s, "mail.log", t3, "a");
	copy_file(s, "mail.log", "mail.log.1", 0);
	put(s, "mail.log", "new 1\n", "w");
	char *w = g_strconcat(want3, "|new 1", NULL);
	step(s, false, w, "the copy complete, the live file truncated");
	step(s, false, "", "re-run");
	g_free(text);
	g_free(t2);
	g_free(t3);
	g_free(w);
	g_free(want);
	g_free(want2);
	g_free(want3);
}

/*
 * step_once - a run must yield "PREFIX<from>".."PREFIX<to>" each once, in
 * any order (files are read by rotation order, not by content)
 */
static void step_once(struct state *s, const char *prefix, int from, int to,
    const char *what)
{
	char *got = run_pos(s, false);
	char **v = g_strsplit(got, "|", -1);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	guint n = 0;
	for (char **l = v; *got && *l; l++, n++)
		if (!g_hash_table_add(seen, *l))
			fail_msg("%s: \"%s\" yielded twice", what, *l);
	for (int i = from; i <= to; i++) {
		char *want = g_strdup_printf("%s%d", prefix, i);
		if (!g_hash_table_contains(seen, want))
			fail_msg("%s: \"%s\" not yielded", what, want);
		g_free(want);
	}
	if (n != (guint)(to - from + 1))
		fail_msg("%s: got %u lines, want %d", what, n, to - from + 1);
	g_hash_table_destroy(seen);
	g_strfreev(v);
	g_free(got);
}

/*
 * three files holding the same new lines in one run (found by
 * test_random_rotations): a new mail.log.save that takes the checkpoint
 * of the old copy it replaced, the live file renamed to mail.log.1 and
 * its half-written .gz; every line once
 */
static void test_copies_three(void **state)
{
	struct state *s = *state;
	char *want, *t2j, *t3j;
	char *text = lines("line ", 1, 10, &want);
	put(s, "mail.log", text, "w");
	step(s, false, want, "10 lines");
	copy_file(s, "mail.log", "mail.log.save", 0);
	step(s, false, "", "a copy");
	char *t2 = lines("line ", 11, 300, &t2j);
	put(s, "mail.log", t2, "a");
	copy_file(s, "mail.log", "mail.log.save", 0);
	char *t3 = lines("line ", 301, 304, &t3j);
	put(s, "mail.log", t3, "a");
	mv(s, "mail.log", "mail.log.1");
	gzip_prefix(s, "mail.log.1", false);
	step_once(s, "line ", 11, 304, "a new copy, renamed, half gzipped");
	gzip_prefix(s, "mail.log.1", true);
	char *p = path_of(s, "mail.log.1");
	assert_int_equal(g_unlink(p), 0);
	g_free(p);
	step(s, false, "", "the .gz alone, the copy still there");
	g_free(text);
	g_free(want);
	g_free(t2);
	g_free(t2j);
	g_free(t3);
	g_free(t3j);
}

/* the random rotation test: a small deterministic generator (xorshift) */
struct prop {
	struct state *s;
	uint64_t rng;
	bool header;       /* every file starts with the same header row */
	int next;          /* the number of the next data line */
	GHashTable *count; /* line -> times yielded */
	GString *log;      /* the operations, for the failure message */
};

static unsigned rnd(struct prop *p, unsigned n)
{
	p->rng ^= p->rng << 13;
	p->rng ^= p->rng >> 7;
	p->rng ^= p->rng << 17;
	return (unsigned)(p->rng % n);
}

static bool exists(struct state *s, const char *name)
{
	char *p = path_of(s, name);
	bool yes = g_file_test(p, G_FILE_TEST_EXISTS);
	g_free(p);
	return yes;
}

static gsize size_of(struct state *s, const char *name)
{
	char *p = path_of(s, name);
	gchar *data = NULL;
	gsize len = 0;
	if (!g_file_get_contents(p, &data, &len, NULL))
		len = 0;
	g_free(data);
	g_free(p);
	return len;
}

/* prop_append - N data lines to NAME, the header first in a new file */
static void prop_append(struct prop *p, const char *name, unsigned n)
{
	GString *t = g_string_new(NULL);
	if (p->header && size_of(p->s, name) == 0)
		g_string_append(t, "type,timeLogged,rcpt\n");
	for (unsigned i = 0; i < n; i++)
		g_string_append_printf(t, "b,L%d,x@outlook.com\n", ++p->next);
	put(p->s, name, t->str, "a");
	g_string_append_printf(p->log, "append %u to %s; ", n, name);
	g_string_free(t, TRUE);
}

static void prop_run(struct prop *p)
{
	char *got = run_pos(p->s, false);
	char **v = g_strsplit(got, "|", -1);
	for (char **l = v; *got && *l; l++) {
		if (strcmp(*l, "type,timeLogged,rcpt") == 0)
			continue;
		gpointer n = g_hash_table_lookup(p->count, *l);
		g_hash_table_insert(p->count, g_strdup(*l),
		    GINT_TO_POINTER(GPOINTER_TO_INT(n) + 1));
	}
	g_string_append_printf(p->log, "run (%zu copies); ",
	    p->s->stats.copies);
	g_strfreev(v);
	g_free(got);
}

/* prop_shift - mail.log.N[.gz] to mail.log.N+1[.gz], the highest first */
static void prop_shift(struct prop *p)
{
	for (int n = 60; n >= 1; n--) {
		const char *ext[] = {"", ".gz"};
		for (size_t e = 0; e < 2; e++) {
			char *a = g_strdup_printf("mail.log.%d%s", n, ext[e]);
			char *b = g_strdup_printf("mail.log.%d%s", n + 1,
			    ext[e]);
			if (exists(p->s, a))
				mv(p->s, a, b);
			g_free(a);
			g_free(b);
		}
	}
}

/*
 * prop_compress - NAME to NAME.gz; in a compress window (sometimes) a run
 * sees the plain file beside the half-written .gz
 */
static void prop_compress(struct prop *p, const char *name)
{
	if (!exists(p->s, name))
		return;
	if (rnd(p, 2) == 0) {
		gzip_prefix(p->s, name, false);
		g_string_append_printf(p->log, "half-gzip %s; ", name);
		prop_run(p);
	}
	gzip_file(p->s, name);
	g_string_append_printf(p->log, "gzip %s; ", name);
}

/* prop_rotate - one of logrotate's ways, the MTA going on meanwhile */
static void prop_rotate(struct prop *p)
{
	unsigned how = rnd(p, 3);
	prop_shift(p);
	if (how == 2 && exists(p->s, "mail.log")) {
		/* copytruncate, the copy sometimes seen while written */
		gsize len = size_of(p->s, "mail.log");
		if (rnd(p, 2) == 0) {
			copy_file(p->s, "mail.log", "mail.log.1",
			    len ? rnd(p, (unsigned)len) + 1 : 0);
			g_string_append(p->log, "partial copy; ");
			prop_run(p);
			prop_append(p, "mail.log", rnd(p, 3));
		}
		copy_file(p->s, "mail.log", "mail.log.1", 0);
		put(p->s, "mail.log", "", "w");
		g_string_append(p->log, "copytruncate; ");
	} else if (exists(p->s, "mail.log")) {
		mv(p->s, "mail.log", "mail.log.1");
		g_string_append(p->log, "rename; ");
		if (rnd(p, 3) == 0)
			prop_append(p, "mail.log.1", 1 + rnd(p, 2));
	}
	if (how == 0)
		prop_compress(p, "mail.log.1"); /* compress at once */
	else
		prop_compress(p, "mail.log.2"); /* delaycompress */
}

/*
 * prop_expire - right after a run (nothing unread is lost), the rotated
 * files past the fourth removed, as logrotate's rotate 4
 */
static void prop_expire(struct prop *p)
{
	prop_run(p);
	for (int n = 5; n <= 61; n++) {
		const char *ext[] = {"", ".gz"};
		for (size_t e = 0; e < 2; e++) {
			char *a = g_strdup_printf("mail.log.%d%s", n, ext[e]);
			char *x = path_of(p->s, a);
			if (g_unlink(x) == 0)
				g_string_append_printf(p->log, "rm %s; ", a);
			g_free(x);
			g_free(a);
		}
	}
}

/* prop_save - a copy of the live file in the pattern (mail.log.save) */
static void prop_save(struct prop *p)
{
	if (!exists(p->s, "mail.log"))
		return;
	copy_file(p->s, "mail.log", "mail.log.save", 0);
	g_string_append(p->log, "cp mail.log mail.log.save; ");
}

static void prop_sequence(uint64_t seed, bool header)
{
	struct state *s = NULL;
	setup((void **)&s);
	struct prop p = {s, seed * 0x9E3779B97F4A7C15ULL + 1, header, 0,
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
	    g_string_new(NULL)};
	for (int op = 0; op < 40; op++) {
		unsigned what = rnd(&p, 8);
		if (what <= 2)
			prop_append(&p, "mail.log",
			    rnd(&p, 8) == 0 ? 300 : 1 + rnd(&p, 4));
		else if (what <= 4)
			prop_run(&p);
		else if (what == 5)
			prop_rotate(&p);
		else if (what == 6)
			prop_expire(&p);
		else
			prop_save(&p);
	}
	prop_run(&p);
	for (int i = 1; i <= p.next; i++) {
		char *l = g_strdup_printf("b,L%d,x@outlook.com", i);
		int n = GPOINTER_TO_INT(g_hash_table_lookup(p.count, l));
		if (n != 1)
			fail_msg("seed %llu%s: line L%d yielded %d times, want "
			    "once; %s", (unsigned long long)seed,
			    header ? " (header)" : "", i, n, p.log->str);
		g_free(l);
	}
	g_hash_table_destroy(p.count);
	g_string_free(p.log, TRUE);
	teardown((void **)&s);
}

/*
 * random sequences of appends, runs and rotations (rename, rename and
 * gzip, delaycompress, copytruncate, compress windows, copies seen while
 * written, old files removed after a run, a mail.log.save copy), with and
 * without a shared header row: after a final run every line written was
 * yielded exactly once
 */
static void test_random_rotations(void **state)
{
	(void)state;
	/*
	 * PROP_SEED=N runs sequence N alone (the failure names it),
	 * PROP_SEEDS=N the first N (a longer search than the suite's 100)
	 */
	const char *one = getenv("PROP_SEED"), *many = getenv("PROP_SEEDS");
	uint64_t from = one ? strtoull(one, NULL, 10) : 1;
	uint64_t to = one ? from : many ? strtoull(many, NULL, 10) : 100;
	for (uint64_t seed = from; seed <= to; seed++) {
		prop_sequence(seed, false);
		prop_sequence(seed, true);
	}
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
		cmocka_unit_test_setup_teardown(test_same_head_new_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_zstd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_file_two_names, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mtime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_only_original,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_copies_both_new, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copy_outgrown, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copy_in_progress, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copies_three, setup,
		    teardown),
		cmocka_unit_test(test_random_rotations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * reader_lib - the shared steps of the reader tests: files in a temporary
 * directory and runs of mta_reader with stored checkpoints (reader_lib.h).
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
#include "common/rw_util.h"
#include "reader_lib.h"

char *keep(struct state *s, char *p)
{
	g_ptr_array_add(s->kept, p);
	return p;
}

char *path_of(struct state *s, const char *name)
{
	return g_build_filename(s->dir, name, NULL);
}

void put_bytes(struct state *s, const char *name, const unsigned char *b,
    size_t n, const char *mode)
{
	char *p = path_of(s, name);
	FILE *fp = fopen(p, mode);
	assert_non_null(fp);
	assert_int_equal(fwrite(b, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
	g_free(p);
}

void put(struct state *s, const char *name, const char *text,
    const char *mode)
{
	put_bytes(s, name, (const unsigned char *)text, strlen(text), mode);
}

void mv(struct state *s, const char *from, const char *to)
{
	char *a = path_of(s, from), *b = path_of(s, to);
	assert_int_equal(g_rename(a, b), 0);
	g_free(a);
	g_free(b);
}

void rm(struct state *s, const char *name)
{
	char *p = path_of(s, name);
	assert_int_equal(g_unlink(p), 0);
	g_free(p);
}

void copy_file(struct state *s, const char *from, const char *to, gsize n)
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

void gzip_prefix(struct state *s, const char *name, bool whole)
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

void gzip_file(struct state *s, const char *name)
{
	gzip_prefix(s, name, true);
	rm(s, name);
}

const char *lines(struct state *s, const char *prefix, int from, int to,
    const char **joined)
{
	GString *t = g_string_new(NULL), *j = g_string_new(NULL);
	for (int i = from; i <= to; i++) {
		g_string_append_printf(t, "%s%d\n", prefix, i);
		g_string_append_printf(j, "%s%s%d", i > from ? "|" : "",
		    prefix, i);
	}
	*joined = keep(s, g_string_free(j, FALSE));
	return keep(s, g_string_free(t, FALSE));
}

const char *put_lines(struct state *s, const char *name, const char *prefix,
    int from, int to)
{
	const char *joined;
	put(s, name, lines(s, prefix, from, to, &joined), "a");
	return joined;
}

void keep_checkpoints(struct state *s, struct mta_reader *r)
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

char *run_pos(struct state *s, bool with_pos)
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

void step(struct state *s, bool with_pos, const char *want, const char *what)
{
	char *got = run_pos(s, with_pos);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", what, got, want);
	g_free(got);
}

int setup(void **state)
{
	struct state *s = g_new0(struct state, 1);
	s->dir = g_dir_make_tmp("mta_reader_XXXXXX", NULL);
	assert_non_null(s->dir);
	s->source = g_build_filename(s->dir, "mail.log*", NULL);
	s->kept = g_ptr_array_new_with_free_func(g_free);
	*state = s;
	return 0;
}

int teardown(void **state)
{
	struct state *s = *state;
	if (rw_rm_rf(s->dir) != 0)
		fail_msg("%s: %s", s->dir, rw_error_message());
	for (size_t i = 0; i < s->n; i++)
		g_free(s->paths[i]);
	g_free(s->paths);
	g_free(s->cps);
	g_ptr_array_free(s->kept, TRUE);
	g_free(s->source);
	g_free(s->dir);
	g_free(s);
	return 0;
}

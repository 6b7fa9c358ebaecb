/*
 * fuzz_mbox - the mbox reader (arf_mbox.c) on arbitrary file bytes with
 * an append at an arbitrary point. The first two bytes choose the split
 * point k; the rest is the file. Three reads are compared:
 *
 *   whole: the complete file read at once;
 *   split: its first k bytes read, then the rest appended and the read
 *          resumed from the stored checkpoint (as a writer racing an
 *          ingest does).
 *
 * Invariants: every message the whole read returns is returned exactly
 * once by the split read, with the same bytes and size, and the split read
 * ends at the same checkpoint (offset and prefix hash); nothing is lost:
 * whole-read messages start on a From_ line, follow one another with no
 * gap, and what is left after the checkpoint is at most one (incomplete)
 * message, after bytes that precede any From_ line. A prefix ending on
 * an empty line can look like a complete last message (what a writer
 * ignoring the locks and stopping exactly there would cause): its part is
 * returned, and the resumed read starts over from the beginning (or, when
 * only empty lines were added to it, passes them over); there every
 * message of the whole read must still be among the split read's
 * (nothing lost; the re-read ones are duplicates, which content keys
 * skip in a real ingest).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "common/rw_error.h"
#include "common/rw_log.h"
#include "arf/arf_source_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* the most messages one input is read as */
#define MAX_MSGS 4096

static char *dir;
static struct arf_source_opts opts = {.max_bytes = 4096};

struct got {
	GPtrArray *data;   /* GBytes, capped as the reader caps */
	GArray *size;      /* gint64 real size */
	GArray *offset;    /* gint64 where each starts */
};

/* the files of the last input and their dotlocks, then the directory */
static void
remove_dir(void)
{
	static const char *const names[] = {"whole", "split", "whole.lock",
	    "split.lock"};

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		char *p = g_build_filename(dir, names[i], NULL);

		unlink(p);
		g_free(p);
	}
	rmdir(dir);
	g_free(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rw_log_set_level(RW_LOG_ERROR);
	dir = g_dir_make_tmp("fuzz_mbox.XXXXXX", NULL);
	if (dir == NULL)
		abort();
	atexit(remove_dir);
	return 0;
}

static void
write_file(const char *path, const uint8_t *data, size_t size, bool append)
{
	FILE *f = fopen(path, append ? "ab" : "wb");

	if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) ||
	    fclose(f) != 0)
		abort();
}

static gint64
location_offset(const char *loc)
{
	const char *p = g_strrstr(loc, ", offset ");

	if (p == NULL)
		abort();
	return g_ascii_strtoll(p + 9, NULL, 10);
}

/* read PATH to its end from RESUME into G; the checkpoint into CP */
static void
read_all(struct got *g, const char *path, const struct arf_checkpoint *resume,
    struct arf_checkpoint *cp)
{
	struct arf_source *s = NULL;
	struct arf_msg m;
	int rc;

	/* the mbox reader itself: any bytes, not only a file that starts
	 * with "From " (which arf_source_open takes for an mbox) */
	if (arf_mbox_open(&s, path, &opts, resume) != 0)
		abort();
	s->opts = opts;
	for (;;) {
		memset(&m, 0, sizeof(m));
		rc = s->ops->next(s, &m);
		if (rc != 1)
			break;
		gint64 size = (gint64)m.size, off = location_offset(m.location);

		if (g->data->len >= MAX_MSGS)
			abort();
		g_ptr_array_add(g->data, g_bytes_new(m.data, m.len));
		g_array_append_val(g->size, size);
		g_array_append_val(g->offset, off);
		arf_msg_clear(&m);
	}
	if (rc != 0 || !s->ops->checkpoint(s, cp))
		abort();
	s->ops->free(s);
}

static void
got_init(struct got *g)
{
	g->data = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g->size = g_array_new(FALSE, FALSE, sizeof(gint64));
	g->offset = g_array_new(FALSE, FALSE, sizeof(gint64));
}

static void
got_clear(struct got *g)
{
	g_ptr_array_unref(g->data);
	g_array_unref(g->size);
	g_array_unref(g->offset);
}

#define OFF(g, i) g_array_index((g)->offset, gint64, i)
#define SIZE(g, i) g_array_index((g)->size, gint64, i)

/* the number of lines starting "From " in D[0, N) */
static int
from_lines(const uint8_t *d, size_t n)
{
	int count = 0;

	for (size_t i = 0; i + 5 <= n; i++)
		if ((i == 0 || d[i - 1] == '\n' || d[i - 1] == '\r') &&
		    memcmp(d + i, "From ", 5) == 0)
			count++;
	return count;
}

/* the whole read: contiguous messages on From_ lines, one tail at most */
static void
check_whole(const struct got *w, const struct arf_checkpoint *cp,
    const uint8_t *d, size_t n)
{
	for (guint i = 0; i < w->data->len; i++) {
		gint64 o = OFF(w, i);

		if (o < 0 || o + 5 > (gint64)n || memcmp(d + o, "From ", 5) != 0)
			abort();
		if (i + 1 < w->data->len && o + SIZE(w, i) != OFF(w, i + 1))
			abort();
		if (i + 1 == w->data->len && o + SIZE(w, i) != cp->mbox_offset)
			abort();
		if (SIZE(w, i) <= 0 || g_bytes_get_size(w->data->pdata[i]) !=
		    (gsize)MIN(SIZE(w, i), (gint64)opts.max_bytes + 1) ||
		    memcmp(g_bytes_get_data(w->data->pdata[i], NULL), d + o,
		    g_bytes_get_size(w->data->pdata[i])) != 0)
			abort();
	}
	if (cp->mbox_offset < 0 || cp->mbox_offset > (gint64)n)
		abort();
	/* left: bytes before a From_ line (skipped once a message follows)
	 * and at most one incomplete message */
	if (from_lines(d + cp->mbox_offset, n - (size_t)cp->mbox_offset) > 1)
		abort();
}

/* the prefix ends with an empty line: its last message may look whole */
static bool
ends_with_empty_line(const uint8_t *d, size_t k)
{
	size_t e = k;

	if (e > 0 && d[e - 1] == '\n')
		e--;
	if (e > 0 && d[e - 1] == '\r')
		e--;
	if (e == k)
		return false;
	return e == 0 || d[e - 1] == '\n' || d[e - 1] == '\r';
}

/* only line ends in D[FROM, TO) */
static bool
only_line_ends(const uint8_t *d, gint64 from, gint64 to)
{
	for (gint64 i = from; i < to; i++)
		if (d[i] != '\n' && d[i] != '\r')
			return false;
	return true;
}

/*
 * message I of the whole read is among the split read's: at the same
 * offset, the same bytes, but for empty lines the append added at its
 * end (passed over as a separator; the content key ignores them)
 */
static bool
found(const struct got *w, guint i, const struct got *s, const uint8_t *d)
{
	gint64 o = OFF(w, i);

	for (guint j = 0; j < s->data->len; j++) {
		gsize n = MIN(g_bytes_get_size(s->data->pdata[j]),
		    g_bytes_get_size(w->data->pdata[i]));

		if (OFF(s, j) == o && SIZE(s, j) <= SIZE(w, i) &&
		    memcmp(g_bytes_get_data(s->data->pdata[j], NULL),
		    g_bytes_get_data(w->data->pdata[i], NULL), n) == 0 &&
		    only_line_ends(d, o + SIZE(s, j), o + SIZE(w, i)))
			return true;
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *whole, *split;
	struct arf_checkpoint cpw, cp1, cp2;
	struct got w, s;
	size_t k;

	/* before the paths: the standalone driver may not initialize */
	if (dir == NULL)
		LLVMFuzzerInitialize(NULL, NULL);
	whole = g_build_filename(dir, "whole", NULL);
	split = g_build_filename(dir, "split", NULL);
	if (size < 2)
		goto cleanup;
	k = ((size_t)data[0] << 8 | data[1]) % (size - 1);
	data += 2;
	size -= 2;
	got_init(&w);
	got_init(&s);
	write_file(whole, data, size, false);
	read_all(&w, whole, NULL, &cpw);
	check_whole(&w, &cpw, data, size);
	write_file(split, data, k, false);
	read_all(&s, split, NULL, &cp1);
	write_file(split, data + k, size - k, true);
	read_all(&s, split, &cp1, &cp2);
	if (!ends_with_empty_line(data, k)) {
		/* exactly once, nothing lost, the same place to go on from */
		if (s.data->len != w.data->len || cp2.mbox_offset !=
		    cpw.mbox_offset || strcmp(cp2.mbox_prefix_sha256,
		    cpw.mbox_prefix_sha256) != 0)
			abort();
		for (guint i = 0; i < w.data->len; i++)
			if (OFF(&s, i) != OFF(&w, i) ||
			    SIZE(&s, i) != SIZE(&w, i) ||
			    !g_bytes_equal(s.data->pdata[i], w.data->pdata[i]))
				abort();
	} else {
		/* nothing lost: every whole-read message read at least once */
		for (guint i = 0; i < w.data->len; i++)
			if (!found(&w, i, &s, data))
				abort();
	}
	arf_checkpoint_clear(&cpw);
	arf_checkpoint_clear(&cp1);
	arf_checkpoint_clear(&cp2);
	got_clear(&w);
	got_clear(&s);
cleanup:
	g_free(whole);
	g_free(split);
	return 0;
}

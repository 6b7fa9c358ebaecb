/*
 * mta_reader - the new lines of an MTA log source since the last run:
 * glob, order by rotation, match checkpoints by first line and tail, skip
 * copies (mta_reader_copy.c), read through mta_reader_stream (plain,
 * gzip, zstd).
 */
#include "mta/mta_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "common/rw_error.h"
#include "mta/mta_parse.h"
#include "mta/mta_reader_int.h"

static void tail_push(struct mta_tailbuf *t, const unsigned char *s, size_t n)
{
	if (n >= MTA_TAIL_BYTES) {
		memcpy(t->b, s + n - MTA_TAIL_BYTES, MTA_TAIL_BYTES);
		t->pos = 0;
		t->n = MTA_TAIL_BYTES;
		return;
	}
	size_t first = MIN(n, MTA_TAIL_BYTES - t->pos);
	memcpy(t->b + t->pos, s, first);
	memcpy(t->b, s + first, n - first);
	t->pos = (t->pos + n) % MTA_TAIL_BYTES;
	t->n = MIN(t->n + n, (size_t)MTA_TAIL_BYTES);
}

/* tail_over - the bytes of ring O (oldest first) pushed into T */
static void tail_over(struct mta_tailbuf *t, const struct mta_tailbuf *o)
{
	if (o->n == MTA_TAIL_BYTES)
		tail_push(t, o->b + o->pos, MTA_TAIL_BYTES - o->pos);
	tail_push(t, o->b, o->n == MTA_TAIL_BYTES ? o->pos : o->n);
}

void mta_tail_hex(char out[static MTA_HEAD_HEX], const struct mta_tailbuf *t)
{
	out[0] = '\0';
	if (t->n == 0)
		return;
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	if (t->n == MTA_TAIL_BYTES) /* full: oldest byte at pos */
		g_checksum_update(sum, t->b + t->pos, MTA_TAIL_BYTES - t->pos);
	g_checksum_update(sum, t->b, t->n == MTA_TAIL_BYTES ? t->pos : t->n);
	g_strlcpy(out, g_checksum_get_string(sum), MTA_HEAD_HEX);
	g_checksum_free(sum);
}

/*
 * rotation_rank - the place of PATH among its rotated copies: group 0 for
 * NAME.N or NAME.N.gz (*n set to N), group 1 for a dated copy NAME-DATE
 * (logrotate's dateext), group 2 for the live file
 */
static int rotation_rank(const char *path, int64_t *n)
{
	size_t len = strlen(path);
	*n = 0;
	if (len > 3 && strcmp(path + len - 3, ".gz") == 0)
		len -= 3;
	else if (len > 4 && strcmp(path + len - 4, ".zst") == 0)
		len -= 4;
	size_t end = len;
	while (len > 0 && g_ascii_isdigit(path[len - 1]))
		len--;
	if (len == end || len == 0)
		return 2;
	if (path[len - 1] == '-')
		return 1;
	if (path[len - 1] != '.' || end - len > 9)
		return 2;
	for (size_t i = len; i < end; i++)
		*n = *n * 10 + (path[i] - '0');
	return 0;
}

/*
 * file_order - oldest first: numbered copies from the highest number,
 * dated copies from the earliest date, then the live file
 */
static int file_order(const void *a, const void *b)
{
	const struct mta_file *x = a, *y = b;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->group == 0 && x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	return strcmp(x->path, y->path);
}

/*
 * read_head - hash the first complete line of F (at most LINE_MAX bytes of
 * it) and its second; leave cp.head (line2) empty when there is no
 * complete first (second) line yet
 */
static int read_head(struct mta_file *f, size_t line_max)
{
	GChecksum *sum[2] = {g_checksum_new(G_CHECKSUM_SHA256),
	    g_checksum_new(G_CHECKSUM_SHA256)};
	char *hex[2] = {f->cp.head, f->line2};
	unsigned char *buf = g_malloc(MTA_READ_CHUNK);
	size_t hashed = 0, line = 0;
	uint64_t first = 0;
	int rc = 0;
	f->cp.head[0] = f->line2[0] = '\0';
	while (line < 2) {
		size_t n, pos = 0;
		rc = mta_stream_read(&f->st, buf, MTA_READ_CHUNK, &n);
		if (rc < 0 || n == 0)
			break; /* no newline: no (second) line yet */
		while (pos < n && line < 2) {
			unsigned char *nl = memchr(buf + pos, '\n', n - pos);
			size_t chunk = nl ? (size_t)(nl - buf) - pos : n - pos;
			size_t take = MIN(chunk, line_max - hashed);
			g_checksum_update(sum[line], buf + pos, take);
			hashed += take;
			pos += chunk + (nl ? 1 : 0);
			if (line == 0)
				first += chunk + (nl ? 1 : 0);
			if (nl) {
				g_strlcpy(hex[line], g_checksum_get_string(
				    sum[line]), MTA_HEAD_HEX);
				line++;
				hashed = 0;
			}
		}
	}
	f->head_len = first;
	g_free(buf);
	g_checksum_free(sum[0]);
	g_checksum_free(sum[1]);
	return rc;
}

int mta_file_position(struct mta_file *f, uint64_t off, bool *reached)
{
	size_t k = (size_t)MIN(off, (uint64_t)MTA_TAIL_BYTES);
	f->at = MTA_NOWHERE;
	f->tail.n = f->tail.pos = 0;
	int rc = mta_stream_seek(&f->st, off - k, reached);
	while (rc == 0 && *reached && f->tail.n < k) {
		size_t got;
		rc = mta_stream_read(&f->st, f->tail.b + f->tail.n,
		    k - f->tail.n, &got);
		f->tail.n += got;
		*reached = got > 0;
	}
	f->tail.pos = f->tail.n % MTA_TAIL_BYTES;
	if (rc == 0 && *reached)
		f->at = off;
	return rc;
}

int mta_file_tail_matches(struct mta_file *f, uint64_t off, const char *tail,
    bool *yes)
{
	char hex[MTA_HEAD_HEX];
	bool reached;
	*yes = false;
	if (f->at != off) {
		int rc = mta_file_position(f, off, &reached);
		if (rc < 0 || !reached)
			return rc;
	}
	mta_tail_hex(hex, &f->tail);
	*yes = strcmp(hex, tail) == 0;
	return 0;
}

/*
 * open_file - open PATH, read its identity and first-line hash; *gone when
 * it vanished since the glob (rotated away: its new name was matched too)
 */
static int open_file(struct mta_file *f, bool *gone, const char *path,
    size_t line_max)
{
	*gone = false;
	f->dup_of = -1;
	f->via = -1;
	f->at = MTA_NOWHERE;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		*gone = true;
		return 0;
	}
	if (fd < 0)
		return rw_error_set(RW_EIO, "%s: %s", path, g_strerror(errno));
	f->path = g_strdup(path);
	f->group = rotation_rank(path, &f->rank);
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return rw_error_set(RW_EIO, "%s: %s", path, g_strerror(e));
	}
	f->cp.inode = (uint64_t)st.st_ino;
	f->cp.device = (uint64_t)st.st_dev;
	f->mtime = (int64_t)st.st_mtime;
	int rc = mta_stream_open(&f->st, fd, f->path);
	if (rc == 0)
		rc = read_head(f, line_max);
	return rc;
}

/*
 * match_checkpoints - first the same file (inode, device, head and tail),
 * then a file renamed or compressed by rotation (the same head and tail),
 * each checkpoint used once in the run; the rest starts at 0
 */
static int match_checkpoints(struct mta_reader *r)
{
	const struct mta_checkpoint *prev = r->run->prev;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < r->n_files; i++) {
			struct mta_file *f = &r->files[i];
			if (f->matched || f->cp.head[0] == '\0')
				continue;
			for (size_t j = 0; j < r->run->n_prev; j++) {
				const struct mta_checkpoint *cp = &prev[j];
				if (r->run->used[j] ||
				    strcmp(cp->head, f->cp.head) != 0)
					continue;
				bool same = cp->inode == f->cp.inode &&
				    cp->device == f->cp.device;
				if (pass == 0 && !same)
					continue;
				bool yes;
				int rc = mta_file_tail_matches(f, cp->offset, cp->tail,
				    &yes);
				if (rc < 0)
					return rc;
				if (!yes)
					continue;
				r->run->used[j] = true;
				f->matched = true;
				f->cp.offset = cp->offset;
				f->cp.lineno = cp->lineno;
				g_strlcpy(f->start_tail, cp->tail,
				    sizeof(f->start_tail));
				break;
			}
		}
	}
	return 0;
}

/* seek_files - move each file to read to its starting offset */
static int seek_files(struct mta_reader *r)
{
	for (size_t i = 0; i < r->n_files; i++) {
		struct mta_file *f = &r->files[i];
		bool reached;
		if (f->dup_of >= 0 || f->at == f->cp.offset)
			continue;
		int rc = mta_file_position(f, f->cp.offset, &reached);
		if (rc < 0)
			return rc;
		if (!reached)
			return rw_error_set(RW_EIO, "%s: cannot seek to %llu",
			    f->path, (unsigned long long)f->cp.offset);
	}
	return 0;
}

char *mta_reader_canonical(const char *pattern)
{
	char *dir = g_path_get_dirname(pattern);
	char *base = g_path_get_basename(pattern);
	char *real = strpbrk(dir, "*?[") == NULL ? realpath(dir, NULL) : NULL;
	char *out = real != NULL ? g_build_filename(real, base, NULL) :
	    g_strdup(pattern);
	free(real);
	g_free(dir);
	g_free(base);
	return out;
}

/* source_dir_check - a pattern whose directory is missing: RW_ENOINPUT */
static int source_dir_check(const char *source)
{
	char *dir = g_path_get_dirname(source);
	int rc = 0;
	if (strpbrk(dir, "*?[") == NULL &&
	    !g_file_test(dir, G_FILE_TEST_IS_DIR))
		rc = rw_error_set(RW_ENOINPUT, "%s: no such directory", dir);
	g_free(dir);
	return rc;
}

struct mta_reader_run *mta_reader_run_new(const struct mta_checkpoint *prev,
    size_t n_prev)
{
	struct mta_reader_run *run = g_new0(struct mta_reader_run, 1);
	run->prev = prev;
	run->n_prev = n_prev;
	run->used = g_new0(bool, n_prev ? n_prev : 1);
	run->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	return run;
}

void mta_reader_run_free(struct mta_reader_run *run)
{
	if (run == NULL)
		return;
	g_free(run->used);
	g_hash_table_destroy(run->seen);
	g_free(run);
}

/* close_file - F's stream and name */
static void close_file(struct mta_file *f)
{
	mta_stream_close(&f->st);
	g_free(f->path);
	f->path = NULL;
}

/*
 * add_file - open PATH (canonical) as the next file of R unless it
 * vanished or another reader of the run has it
 */
static int add_file(struct mta_reader *r, const char *path)
{
	struct mta_file *f = &r->files[r->n_files];
	bool gone;
	int rc = open_file(f, &gone, path, r->line_max);
	if (gone)
		return 0;
	r->n_files++; /* a failed open is freed with the rest */
	if (rc < 0)
		return rc;
	char *key = g_strdup_printf("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT,
	    f->cp.device, f->cp.inode);
	if (!g_hash_table_add(r->run->seen, key)) {
		close_file(f);
		r->n_files--;
	}
	return 0;
}

/* open_all - every regular file SOURCE matches, canonical names */
static int open_all(struct mta_reader *r, const char *source)
{
	char *pattern = mta_reader_canonical(source);
	glob_t g = {0};
	int rc = 0, grc = glob(pattern, GLOB_ERR, NULL, &g);
	if (grc != 0 && grc != GLOB_NOMATCH) {
		rc = rw_error_set(grc == GLOB_NOSPACE ? RW_EFAIL : RW_EIO,
		    "%s: cannot list the files", source);
		goto cleanup;
	}
	r->files = g_new0(struct mta_file, g.gl_pathc ? g.gl_pathc : 1);
	for (size_t i = 0; grc == 0 && i < g.gl_pathc && rc == 0; i++) {
		if (!g_file_test(g.gl_pathv[i], G_FILE_TEST_IS_REGULAR))
			continue;
		char *real = realpath(g.gl_pathv[i], NULL);
		rc = add_file(r, real != NULL ? real : g.gl_pathv[i]);
		free(real);
	}
cleanup:
	globfree(&g);
	g_free(pattern);
	return rc;
}

int mta_reader_open(struct mta_reader **out, struct mta_reader_run *run,
    const char *source, size_t line_max)
{
	*out = NULL;
	int rc = source_dir_check(source);
	if (rc < 0)
		return rc;
	struct mta_reader *r = g_new0(struct mta_reader, 1);
	r->run = run;
	r->line_max = line_max ? line_max : MTA_JSON_MAX;
	r->line = g_string_sized_new(256);
	r->buf = g_malloc(MTA_READ_CHUNK);
	rc = open_all(r, source);
	if (rc < 0)
		goto cleanup;
	qsort(r->files, r->n_files, sizeof *r->files, file_order);
	rc = match_checkpoints(r);
	if (rc == 0)
		rc = mta_reader_advance(r);
	if (rc == 0)
		rc = mta_reader_find_copies(r);
	if (rc == 0)
		rc = seek_files(r);
	if (rc < 0)
		goto cleanup;
	r->stats.files = r->n_files;
	*out = r;
	r = NULL;
cleanup:
	mta_reader_free(r);
	return rc;
}

int mta_reader_new(struct mta_reader **out, const char *source,
    size_t line_max, const struct mta_checkpoint *prev, size_t n_prev)
{
	struct mta_reader_run *run = mta_reader_run_new(prev, n_prev);
	int rc = mta_reader_open(out, run, source, line_max);
	if (rc < 0)
		mta_reader_run_free(run);
	else
		(*out)->own_run = run;
	return rc;
}

/* fill - refill the buffer of the current file: r->blen 0 at its end */
static int fill(struct mta_reader *r, struct mta_file *f)
{
	size_t n;
	int rc = mta_stream_read(&f->st, r->buf, MTA_READ_CHUNK, &n);
	if (rc < 0)
		return rc;
	r->bpos = 0;
	r->blen = n;
	return 0;
}

/*
 * next_in_file - the next complete line of F into r->line; *got false at
 * the end of the file (a partial last line stays unconsumed, its bytes
 * out of the tail)
 */
static int next_in_file(struct mta_reader *r, struct mta_file *f, bool *got)
{
	*got = false;
	for (;;) {
		g_string_truncate(r->line, 0);
		bool over = false, split = false;
		uint64_t taken = 0;
		size_t start = r->bpos;
		for (;;) {
			if (r->bpos == r->blen) {
				int rc = fill(r, f);
				if (rc < 0)
					return rc;
				if (r->blen == 0)
					return 0;
				split = taken > 0;
				start = 0;
			}
			unsigned char *s = r->buf + r->bpos;
			size_t avail = r->blen - r->bpos;
			unsigned char *nl = memchr(s, '\n', avail);
			size_t chunk = nl ? (size_t)(nl - s) : avail;
			size_t room = r->line_max - r->line->len;
			if (chunk > room && !over) {
				/* the line's last bytes from here on */
				over = true;
				r->over.n = r->over.pos = 0;
				tail_push(&r->over, (const unsigned char *)
				    r->line->str, r->line->len);
			}
			if (over)
				tail_push(&r->over, s, chunk);
			g_string_append_len(r->line, (const char *)s,
			    (gssize)MIN(chunk, room));
			r->bpos += chunk + (nl ? 1 : 0);
			taken += chunk + (nl ? 1 : 0);
			if (nl)
				break;
		}
		/* only a whole line enters the tail; mostly one piece */
		if (over) {
			tail_over(&f->tail, &r->over);
			tail_push(&f->tail, (const unsigned char *)"\n", 1);
		} else if (!split) {
			tail_push(&f->tail, r->buf + start, (size_t)taken);
		} else {
			tail_push(&f->tail, (const unsigned char *)r->line->str,
			    r->line->len);
			tail_push(&f->tail, (const unsigned char *)"\n", 1);
		}
		f->cp.offset += taken;
		f->cp.lineno++;
		if (!over) {
			*got = true;
			return 0;
		}
		r->stats.overlong++;
	}
}

int mta_reader_next(struct mta_reader *r, const char **line, size_t *len,
    const char **file, uint64_t *lineno)
{
	*line = NULL;
	*len = 0;
	if (file)
		*file = NULL;
	if (lineno)
		*lineno = 0;
	while (r->cur < r->n_files) {
		struct mta_file *f = &r->files[r->cur];
		bool got = false;
		if (f->dup_of < 0) {
			int rc = next_in_file(r, f, &got);
			if (rc < 0)
				return rc;
		}
		if (got) {
			*line = r->line->str;
			*len = r->line->len;
			if (file)
				*file = f->path;
			if (lineno)
				*lineno = f->cp.lineno;
			r->mtime = f->mtime;
			r->stats.lines++;
			return 0;
		}
		r->cur++;
		r->bpos = r->blen = 0;
	}
	return 0;
}

void mta_reader_checkpoints(struct mta_reader *r,
    const struct mta_checkpoint **out, size_t *n)
{
	g_free(r->out);
	r->out = g_new0(struct mta_checkpoint, r->n_files ? r->n_files : 1);
	for (size_t i = 0; i < r->n_files; i++) {
		const struct mta_file *f = &r->files[i];
		r->out[i] = f->cp; /* a copy's: the end of its shared part */
		mta_tail_hex(r->out[i].tail, &f->tail);
		r->out[i].path = f->path;
	}
	*out = r->out;
	*n = r->n_files;
}

void mta_reader_stats(const struct mta_reader *r,
    struct mta_reader_stats *out)
{
	*out = r->stats;
}

int64_t mta_reader_mtime(const struct mta_reader *r)
{
	return r->mtime;
}

void mta_reader_free(struct mta_reader *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_files; i++)
		close_file(&r->files[i]);
	g_free(r->files);
	g_free(r->buf);
	g_free(r->out);
	if (r->line)
		g_string_free(r->line, TRUE);
	mta_reader_run_free(r->own_run);
	g_free(r);
}

/*
 * mta_reader - the new lines of an MTA log source since the last run:
 * glob, order by rotation, match checkpoints, read through zlib.
 */
#include "mta/mta_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <zlib.h>

#include "common/rw_error.h"
#include "mta/mta_parse.h"

#define READ_CHUNK 65536

struct mfile {
	char *path;
	gzFile gz;
	bool direct;  /* not compressed */
	int group;    /* numbered copy, dated copy, live (file_order) */
	int64_t rank; /* rotation number of a numbered copy */
	struct mta_checkpoint cp;
	bool matched; /* placed at a checkpoint */
	uint64_t size; /* on disk, when opened */
};

struct mta_reader {
	struct mfile *files;
	size_t n_files, cur;
	size_t line_max;
	unsigned char *buf; /* read buffer of the current file */
	size_t bpos, blen;
	bool eof;
	GString *line;
	struct mta_checkpoint *out;
	struct mta_reader_stats stats;
};

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
	const struct mfile *x = a, *y = b;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->group == 0 && x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	return strcmp(x->path, y->path);
}

/*
 * read_head - hash the first complete line of F (at most LINE_MAX bytes of
 * it); leave cp.head empty when there is no complete first line yet
 */
static int read_head(struct mfile *f, size_t line_max)
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	unsigned char *buf = g_malloc(READ_CHUNK);
	size_t hashed = 0;
	bool done = false;
	int rc = 0;
	f->cp.head[0] = '\0';
	while (!done) {
		int n = gzread(f->gz, buf, READ_CHUNK);
		if (n < 0) {
			int e;
			rc = rw_error_set(RW_EIO, "%s: %s", f->path,
			    gzerror(f->gz, &e));
			goto cleanup;
		}
		if (n == 0)
			goto cleanup; /* no newline: no head yet */
		unsigned char *nl = memchr(buf, '\n', (size_t)n);
		size_t chunk = nl ? (size_t)(nl - buf) : (size_t)n;
		size_t take = MIN(chunk, line_max - hashed);
		g_checksum_update(sum, buf, take);
		hashed += take;
		done = nl != NULL;
	}
	g_strlcpy(f->cp.head, g_checksum_get_string(sum), sizeof f->cp.head);
cleanup:
	g_free(buf);
	g_checksum_free(sum);
	return rc;
}

/*
 * open_file - open PATH, read its identity and first-line hash; *gone when
 * it vanished since the glob (rotated away: its new name was matched too)
 */
static int open_file(struct mfile *f, bool *gone, const char *path,
    size_t line_max)
{
	*gone = false;
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
	f->size = (uint64_t)st.st_size;
	f->gz = gzdopen(fd, "rb");
	if (f->gz == NULL) {
		close(fd);
		return rw_error_set(RW_EIO, "%s: cannot open", path);
	}
	int rc = read_head(f, line_max);
	if (rc < 0)
		return rc;
	f->direct = gzdirect(f->gz) != 0;
	return 0;
}

/* place - start F at checkpoint CP, or at 0 if it was truncated */
static void place(struct mfile *f, const struct mta_checkpoint *cp)
{
	f->matched = true;
	if (f->direct && f->size < cp->offset)
		return; /* truncated (copytruncate): start over */
	f->cp.offset = cp->offset;
	f->cp.lineno = cp->lineno;
}

/*
 * match_checkpoints - first the same file (inode, device and head), then a
 * file renamed or compressed by rotation (the same head, each checkpoint
 * used once); the rest starts at 0
 */
static void match_checkpoints(struct mta_reader *r,
    const struct mta_checkpoint *prev, size_t n_prev)
{
	bool *used = g_new0(bool, n_prev ? n_prev : 1);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < r->n_files; i++) {
			struct mfile *f = &r->files[i];
			if (f->matched || f->cp.head[0] == '\0')
				continue;
			for (size_t j = 0; j < n_prev; j++) {
				const struct mta_checkpoint *cp = &prev[j];
				if (used[j] || strcmp(cp->head, f->cp.head) != 0)
					continue;
				if (pass == 0 && (cp->inode != f->cp.inode ||
				    cp->device != f->cp.device))
					continue;
				used[j] = true;
				place(f, cp);
				break;
			}
		}
	}
	g_free(used);
}

/* seek_files - move each file to its starting offset */
static int seek_files(struct mta_reader *r)
{
	for (size_t i = 0; i < r->n_files; i++) {
		struct mfile *f = &r->files[i];
		if (gzrewind(f->gz) != 0)
			return rw_error_set(RW_EIO, "%s: cannot rewind", f->path);
		if (f->cp.offset == 0)
			continue;
		if (gzseek(f->gz, (z_off_t)f->cp.offset, SEEK_SET) < 0)
			return rw_error_set(RW_EIO, "%s: cannot seek to %llu",
			    f->path, (unsigned long long)f->cp.offset);
	}
	return 0;
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

int mta_reader_new(struct mta_reader **out, const char *source,
    size_t line_max, const struct mta_checkpoint *prev, size_t n_prev)
{
	*out = NULL;
	int rc = source_dir_check(source);
	if (rc < 0)
		return rc;
	struct mta_reader *r = g_new0(struct mta_reader, 1);
	r->line_max = line_max ? line_max : MTA_JSON_MAX;
	r->line = g_string_sized_new(256);
	r->buf = g_malloc(READ_CHUNK);
	glob_t g = {0};
	int grc = glob(source, GLOB_ERR, NULL, &g);
	if (grc != 0 && grc != GLOB_NOMATCH) {
		rc = rw_error_set(grc == GLOB_NOSPACE ? RW_EFAIL : RW_EIO,
		    "%s: cannot list the files", source);
		goto cleanup;
	}
	r->files = g_new0(struct mfile, g.gl_pathc ? g.gl_pathc : 1);
	for (size_t i = 0; grc == 0 && i < g.gl_pathc; i++) {
		if (!g_file_test(g.gl_pathv[i], G_FILE_TEST_IS_REGULAR))
			continue;
		bool gone;
		rc = open_file(&r->files[r->n_files], &gone, g.gl_pathv[i],
		    r->line_max);
		if (!gone || rc < 0)
			r->n_files++; /* a failed open is freed with the rest */
		if (rc < 0)
			goto cleanup;
	}
	qsort(r->files, r->n_files, sizeof *r->files, file_order);
	for (size_t i = 0; i < r->n_files; i++)
		r->files[i].cp.path = r->files[i].path;
	match_checkpoints(r, prev, n_prev);
	rc = seek_files(r);
	if (rc < 0)
		goto cleanup;
	r->stats.files = r->n_files;
	*out = r;
	r = NULL;
cleanup:
	globfree(&g);
	mta_reader_free(r);
	return rc;
}

/*
 * fill - refill the buffer of the current file; sets r->eof at its end
 */
static int fill(struct mta_reader *r, struct mfile *f)
{
	int n = gzread(f->gz, r->buf, READ_CHUNK);
	if (n < 0) {
		int e;
		return rw_error_set(RW_EIO, "%s: %s", f->path,
		    gzerror(f->gz, &e));
	}
	r->bpos = 0;
	r->blen = (size_t)n;
	r->eof = n == 0;
	return 0;
}

/*
 * next_in_file - the next complete line of F into r->line; *got false at
 * the end of the file (a partial last line stays unconsumed)
 */
static int next_in_file(struct mta_reader *r, struct mfile *f, bool *got)
{
	*got = false;
	for (;;) {
		g_string_truncate(r->line, 0);
		bool over = false;
		uint64_t taken = 0;
		for (;;) {
			if (r->bpos == r->blen) {
				int rc = fill(r, f);
				if (rc < 0)
					return rc;
				if (r->eof)
					return 0;
			}
			unsigned char *s = r->buf + r->bpos;
			size_t avail = r->blen - r->bpos;
			unsigned char *nl = memchr(s, '\n', avail);
			size_t chunk = nl ? (size_t)(nl - s) : avail;
			size_t room = r->line_max - r->line->len;
			if (chunk > room)
				over = true;
			g_string_append_len(r->line, (const char *)s,
			    (gssize)MIN(chunk, room));
			r->bpos += chunk + (nl ? 1 : 0);
			taken += chunk + (nl ? 1 : 0);
			if (nl)
				break;
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
		struct mfile *f = &r->files[r->cur];
		bool got;
		int rc = next_in_file(r, f, &got);
		if (rc < 0)
			return rc;
		if (got) {
			*line = r->line->str;
			*len = r->line->len;
			if (file)
				*file = f->path;
			if (lineno)
				*lineno = f->cp.lineno;
			r->stats.lines++;
			return 0;
		}
		r->cur++;
		r->bpos = r->blen = 0;
		r->eof = false;
	}
	return 0;
}

void mta_reader_checkpoints(struct mta_reader *r,
    const struct mta_checkpoint **out, size_t *n)
{
	g_free(r->out);
	r->out = g_new0(struct mta_checkpoint, r->n_files ? r->n_files : 1);
	for (size_t i = 0; i < r->n_files; i++)
		r->out[i] = r->files[i].cp;
	*out = r->out;
	*n = r->n_files;
}

void mta_reader_stats(const struct mta_reader *r,
    struct mta_reader_stats *out)
{
	*out = r->stats;
}

void mta_reader_free(struct mta_reader *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_files; i++) {
		if (r->files[i].gz)
			gzclose(r->files[i].gz);
		g_free(r->files[i].path);
	}
	g_free(r->files);
	g_free(r->buf);
	g_free(r->out);
	if (r->line)
		g_string_free(r->line, TRUE);
	g_free(r);
}

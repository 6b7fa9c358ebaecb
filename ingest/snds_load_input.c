/*
 * snds_load_input - a report's bytes for the loader: a buffer, or a file
 * (a FIFO too) read in chunks up to a ceiling and rewound when the direct
 * COPY collided and the report is read again staged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/rw_error.h"
#include "ingest/snds_load.h"
#include "ingest/snds_load_int.h"

#define READ_CHUNK (1024 * 1024)

/*
 * A source of report bytes that can be read again from the start, so a
 * collision on the direct path can be retried staged.
 */
struct feeder {
	const char *body;   /* in memory, or */
	size_t len;
	FILE *f;            /* a file: rewound for the second pass */
	const char *path;
	long long max;      /* a file: ceiling on the bytes read per pass */
	int passes;
};

static int
too_large(const char *path, long long max)
{
	int rc = rw_error_set(RW_EDATA, "file \"%s\" is larger than %lld "
	    "bytes", path, max);

	rw_error_detail("Nothing of it was loaded.");
	rw_error_hint("An SNDS report is far smaller; check that the file "
	    "is a report and not a device or an endless pipe.");
	return rc;
}

/* a pipe that never ends (or a growing file) stops at the ceiling */
static int
feed_stream(struct snds_loader *l, const struct feeder *src)
{
	char *buf = g_malloc(READ_CHUNK);
	long long total = 0;
	size_t n;
	int rc = 0;

	while (rc == 0 && (n = fread(buf, 1, READ_CHUNK, src->f)) > 0) {
		total += (long long)n;
		if (total > src->max)
			rc = too_large(src->path, src->max);
		else
			rc = snds_loader_feed(l, buf, n);
	}
	if (rc == 0 && ferror(src->f))
		rc = rw_error_set(RW_EIO, "cannot read file \"%s\": %s",
		    src->path, g_strerror(errno));
	g_free(buf);
	return rc;
}

static int
feed_all(struct snds_loader *l, struct feeder *src)
{
	if (src->f == NULL)
		return snds_loader_feed(l, src->body, src->len);
	if (src->passes++ > 0 && fseek(src->f, 0, SEEK_SET) != 0)
		return rw_error_set(RW_EIO, "cannot read file \"%s\" again: %s",
		    src->path, g_strerror(errno));
	return feed_stream(l, src);
}

static int
load_pass(struct snds_load_result *out, struct rw_db *db,
    const struct snds_load_opts *opts, struct feeder *src, bool try_direct)
{
	struct snds_loader *l = NULL;
	int rc = snds_loader_new(&l, db, opts, try_direct);

	if (rc != 0)
		return rc;
	rc = feed_all(l, src);
	return snds_loader_finish(out, l, rc);
}

static int
load_from(struct snds_load_result *out, struct rw_db *db,
    const struct snds_load_opts *opts, struct feeder *src, bool try_direct)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = load_pass(out, db, opts, src, try_direct);
	if (rc == SNDS_LOAD_RETRY)
		rc = load_pass(out, db, opts, src, false);
	return rc;
}

int
snds_load_buffer(struct snds_load_result *out, struct rw_db *db,
    const struct snds_load_opts *opts, const char *body, size_t len)
{
	struct feeder src = {body, len, NULL, NULL, 0, 0};

	return load_from(out, db, opts, &src, true);
}

/*
 * reopen_fifo - a FIFO named on the command line is waited for, as cat
 * would: its writer may not have opened it yet, and reading the
 * non-blocking descriptor now would see end of file, an empty report (a
 * directory lists no FIFO to come here). FD is closed; the new one, or -1
 * after an error.
 */
static int
reopen_fifo(int fd, struct stat *st, const char *path)
{
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rw_error_set(RW_EDATA, "cannot open file \"%s\": %s", path,
		    g_strerror(errno));
		return -1;
	}
	if (fstat(fd, st) != 0 || !S_ISFIFO(st->st_mode)) {
		close(fd);
		rw_error_set(RW_EDATA, "file \"%s\" is not a regular file",
		    path);
		return -1;
	}
	return fd;
}

/*
 * open_report - open PATH for reading, without blocking before its type
 * is known, and refuse what is no report: a device (a link to /dev/zero
 * reads without end), a directory, a socket. A FIFO or pipe named
 * explicitly is read (a shell's <(...) is one), up to the ceiling.
 */
static int
open_report(FILE **out, struct stat *st, const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	int flags;

	*out = NULL;
	if (fd < 0)
		return rw_error_set(RW_EDATA, "cannot open file \"%s\": %s",
		    path, g_strerror(errno));
	if (fstat(fd, st) != 0 || !(S_ISREG(st->st_mode) ||
	    S_ISFIFO(st->st_mode))) {
		close(fd);
		return rw_error_set(RW_EDATA, "file \"%s\" is not a regular "
		    "file", path);
	}
	if (S_ISFIFO(st->st_mode) && (fd = reopen_fifo(fd, st, path)) < 0)
		return RW_EDATA;
	/* reads block again: a pipe's writer may be slower than us */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 ||
	    (*out = fdopen(fd, "rb")) == NULL) {
		int rc = rw_error_set(RW_EIO, "cannot read file \"%s\": %s",
		    path, g_strerror(errno));

		close(fd);
		return rc;
	}
	return 0;
}

int
snds_load_file(struct snds_load_result *out, struct rw_db *db,
    const struct snds_load_opts *opts, const char *path)
{
	struct feeder src = {NULL, 0, NULL, path, 0, 0};
	struct stat st;
	int rc;

	memset(out, 0, sizeof(*out));
	src.max = opts->max_bytes > 0 ? opts->max_bytes : SNDS_FILE_MAX;
	rc = open_report(&src.f, &st, path);
	if (rc != 0)
		return rc;
	if (S_ISREG(st.st_mode) && st.st_size > src.max)
		rc = too_large(path, src.max);
	else
		rc = load_from(out, db, opts, &src, S_ISREG(st.st_mode));
	fclose(src.f);
	return rc;
}

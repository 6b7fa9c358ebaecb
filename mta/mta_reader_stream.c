/*
 * mta_reader_stream - one log file as decompressed bytes (mta_reader_int.h):
 * plain and gzip through zlib, zstd (KumoMTA's log segments, which are
 * always compressed) through libzstd's streaming API.
 */
#include "mta/mta_reader_int.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "common/rw_error.h"

#define SKIP_CHUNK 65536

static const unsigned char zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};

int mta_stream_open(struct mta_stream *s, int fd, const char *path)
{
	unsigned char magic[4];
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->fd = fd;
	struct stat st;
	if (fstat(fd, &st) != 0)
		return rw_error_set(RW_EIO, "%s: %s", path, g_strerror(errno));
	s->size = (uint64_t)st.st_size;
	ssize_t n = pread(fd, magic, sizeof(magic), 0);
	if (n < 0)
		return rw_error_set(RW_EIO, "%s: %s", path, g_strerror(errno));
	if (n == (ssize_t)sizeof(magic) &&
	    memcmp(magic, zstd_magic, sizeof(magic)) == 0) {
		s->zs = ZSTD_createDStream();
		s->zin = g_malloc(ZSTD_DStreamInSize());
		if (s->zs == NULL)
			return rw_error_set(RW_EFAIL, "%s: cannot set up zstd",
			    path);
		return mta_stream_rewind(s);
	}
	s->gz = gzdopen(fd, "rb");
	if (s->gz == NULL)
		return rw_error_set(RW_EIO, "%s: cannot open", path);
	s->fd = -1; /* zlib's now */
	s->direct = gzdirect(s->gz) != 0;
	return 0;
}

/* zread - zstd: decompress into BUF until it holds something or the end */
static int zread(struct mta_stream *s, void *buf, size_t n, size_t *got)
{
	ZSTD_outBuffer out = {buf, n, 0};
	while (out.pos == 0) {
		if (s->zin_pos == s->zin_len && !s->zin_eof) {
			ssize_t r = read(s->fd, s->zin, ZSTD_DStreamInSize());
			if (r < 0)
				return rw_error_set(RW_EIO, "%s: %s", s->path,
				    g_strerror(errno));
			s->zin_pos = 0;
			s->zin_len = (size_t)r;
			s->zin_eof = r == 0;
		}
		/* at the end too: what the decoder still holds comes out */
		ZSTD_inBuffer in = {s->zin, s->zin_len, s->zin_pos};
		size_t rc = ZSTD_decompressStream(s->zs, &out, &in);
		s->zin_pos = in.pos;
		if (ZSTD_isError(rc))
			return rw_error_set(RW_EIO, "%s: zstd: %s", s->path,
			    ZSTD_getErrorName(rc));
		if (s->zin_eof && out.pos == 0)
			break; /* the end; a cut stream ends here too */
	}
	*got = out.pos;
	return 0;
}

int mta_stream_read(struct mta_stream *s, void *buf, size_t n, size_t *got)
{
	*got = 0;
	if (s->has_back && n > 0) {
		*(unsigned char *)buf = s->back;
		s->has_back = false;
		*got = 1;
		return 0;
	}
	if (s->zs != NULL)
		return zread(s, buf, n, got);
	int r = gzread(s->gz, buf, (unsigned)MIN(n, (size_t)INT_MAX));
	if (r < 0) {
		int e;
		return rw_error_set(RW_EIO, "%s: %s", s->path,
		    gzerror(s->gz, &e));
	}
	*got = (size_t)r;
	return 0;
}

int mta_stream_peek(struct mta_stream *s, bool *more)
{
	size_t got;
	*more = s->has_back;
	if (s->has_back)
		return 0;
	int rc = mta_stream_read(s, &s->back, 1, &got);
	*more = s->has_back = rc == 0 && got == 1;
	return rc;
}

int mta_stream_rewind(struct mta_stream *s)
{
	s->has_back = false;
	if (s->zs == NULL) {
		if (gzrewind(s->gz) != 0)
			return rw_error_set(RW_EIO, "%s: cannot rewind",
			    s->path);
		return 0;
	}
	if (lseek(s->fd, 0, SEEK_SET) < 0)
		return rw_error_set(RW_EIO, "%s: %s", s->path,
		    g_strerror(errno));
	size_t rc = ZSTD_DCtx_reset(s->zs, ZSTD_reset_session_only);
	if (ZSTD_isError(rc))
		return rw_error_set(RW_EFAIL, "%s: zstd: %s", s->path,
		    ZSTD_getErrorName(rc));
	s->zin_pos = s->zin_len = 0;
	s->zin_eof = false;
	return 0;
}

int mta_stream_seek(struct mta_stream *s, uint64_t off, bool *reached)
{
	*reached = true;
	int rc = mta_stream_rewind(s);
	if (rc < 0 || off == 0)
		return rc;
	if (s->zs == NULL && s->direct) {
		if (gzseek(s->gz, (z_off_t)off, SEEK_SET) < 0)
			return rw_error_set(RW_EIO, "%s: cannot seek to %llu",
			    s->path, (unsigned long long)off);
		/* past the end of a plain file gzseek succeeds: check */
		*reached = off <= s->size;
		return 0;
	}
	unsigned char *buf = g_malloc(SKIP_CHUNK);
	uint64_t done = 0;
	while (rc == 0 && done < off) {
		size_t got;
		rc = mta_stream_read(s, buf, (size_t)MIN((uint64_t)SKIP_CHUNK,
		    off - done), &got);
		if (rc == 0 && got == 0)
			break;
		done += got;
	}
	g_free(buf);
	*reached = done == off;
	return rc;
}

void mta_stream_close(struct mta_stream *s)
{
	if (s->path == NULL)
		return; /* never opened */
	if (s->gz != NULL)
		gzclose(s->gz);
	if (s->fd >= 0)
		close(s->fd);
	if (s->zs != NULL)
		ZSTD_freeDStream(s->zs);
	g_free(s->zin);
	memset(s, 0, sizeof(*s));
}

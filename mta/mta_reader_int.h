/*
 * mta_reader_int - what the files of mta_reader share: one log file as a
 * stream of decompressed bytes (plain, gzip or zstd, told by the magic
 * bytes), with rewind and a forward seek counting decompressed bytes.
 */
#ifndef MTA_READER_INT_H
#define MTA_READER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zlib.h>
#include <zstd.h>

struct mta_stream {
	const char *path;    /* for messages; the caller's */
	int fd;
	gzFile gz;           /* plain or gzip; NULL for zstd */
	ZSTD_DStream *zs;    /* zstd */
	unsigned char *zin;  /* zstd: compressed input */
	size_t zin_pos, zin_len;
	bool zin_eof;        /* zstd: the file's end reached */
	bool direct;         /* not compressed */
	uint64_t size;       /* on disk, when opened */
};

/*
 * mta_stream_open - read FD (owned from now on, also on failure) of PATH:
 * zstd when it starts with 28 B5 2F FD, else through zlib (gzip or
 * plain). S is closed with mta_stream_close() whatever this returns.
 */
int mta_stream_open(struct mta_stream *s, int fd, const char *path);

/*
 * mta_stream_read - up to N decompressed bytes into BUF: *got 0 at the
 * end. A compressed stream cut short (the segment being written, a
 * copy in progress) ends where its decodable bytes end; no error.
 */
int mta_stream_read(struct mta_stream *s, void *buf, size_t n, size_t *got);

/* mta_stream_rewind - back to the first byte */
int mta_stream_rewind(struct mta_stream *s);

/*
 * mta_stream_seek - from the first byte to decompressed offset OFF;
 * *reached false when the stream is shorter
 */
int mta_stream_seek(struct mta_stream *s, uint64_t off, bool *reached);

void mta_stream_close(struct mta_stream *s);

#endif

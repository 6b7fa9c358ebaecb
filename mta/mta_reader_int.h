/*
 * mta_reader_int - what the files of mta_reader share: one log file as a
 * stream of decompressed bytes (plain, gzip or zstd, told by the magic
 * bytes), with rewind and a forward seek counting decompressed bytes; the
 * reader's files and their placement, which mta_reader_copy.c completes
 * with the copies.
 */
#ifndef MTA_READER_INT_H
#define MTA_READER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <zlib.h>
#include <zstd.h>

#include "mta/mta_reader.h"

#define MTA_READ_CHUNK 65536
#define MTA_NOWHERE UINT64_MAX /* the stream's position is not known */

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
	bool has_back;       /* a byte peeked (mta_stream_peek), read next */
	unsigned char back;
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

/*
 * mta_stream_peek - whether a byte follows where S is, without consuming
 * it (the next read returns it first)
 */
int mta_stream_peek(struct mta_stream *s, bool *more);

/* mta_stream_rewind - back to the first byte */
int mta_stream_rewind(struct mta_stream *s);

/*
 * mta_stream_seek - from the first byte to decompressed offset OFF;
 * *reached false when the stream is shorter
 */
int mta_stream_seek(struct mta_stream *s, uint64_t off, bool *reached);

void mta_stream_close(struct mta_stream *s);

/* the last up to MTA_TAIL_BYTES bytes consumed, a ring */
struct mta_tailbuf {
	unsigned char b[MTA_TAIL_BYTES];
	size_t pos; /* where the next byte goes */
	size_t n;   /* bytes held */
};

struct mta_file {
	char *path;
	struct mta_stream st;
	int group;    /* numbered copy, dated copy, live (file_order) */
	int64_t rank; /* rotation number of a numbered copy */
	struct mta_checkpoint cp; /* path set by mta_reader_checkpoints */
	uint64_t head_len; /* bytes of the first line with its newline */
	char line2[MTA_HEAD_HEX]; /* sha256 of the second line; "" if none */
	bool matched; /* placed at a checkpoint (or past a shared part) */
	char start_tail[MTA_HEAD_HEX]; /* the tail where it was placed */
	ptrdiff_t dup_of; /* a copy of files[dup_of], not read; -1 */
	ptrdiff_t via;    /* placed past what it shares with files[via]; -1 */
	int64_t mtime;
	uint64_t at;  /* the stream is here with tail loaded; or MTA_NOWHERE */
	struct mta_tailbuf tail;
};

struct mta_reader_run {
	const struct mta_checkpoint *prev;
	size_t n_prev;
	bool *used;       /* per previous checkpoint */
	GHashTable *seen; /* "device:inode" of the files of the run's readers */
};

struct mta_reader {
	struct mta_reader_run *run, *own_run;
	struct mta_file *files;
	size_t n_files, cur;
	size_t line_max;
	unsigned char *buf; /* read buffer of the current file */
	size_t bpos, blen;
	GString *line;
	struct mta_tailbuf over; /* the last bytes of an over-long line */
	int64_t mtime; /* of the last line's file */
	struct mta_checkpoint *out;
	struct mta_reader_stats stats;
};

/* mta_tail_hex - the tail's sha256 into OUT; "" when empty (offset 0) */
void mta_tail_hex(char out[static MTA_HEAD_HEX], const struct mta_tailbuf *t);

/*
 * mta_file_position - move F's stream to OFF with the bytes before it as
 * its tail; *reached false when F is shorter
 */
int mta_file_position(struct mta_file *f, uint64_t off, bool *reached);

/* mta_file_tail_matches - F's bytes before OFF hash to TAIL: *yes */
int mta_file_tail_matches(struct mta_file *f, uint64_t off, const char *tail,
    bool *yes);

/*
 * mta_reader_advance - a file placed at its own checkpoint that grew and
 * holds the bytes of a further unused checkpoint of its first line (a
 * copy that was being written, complete now) resumes there
 */
int mta_reader_advance(struct mta_reader *r);

/*
 * mta_reader_find_copies - mark the files whose whole content is the
 * start of another file to be read (mta_reader_copy.c); a file holding
 * all another held and more is placed past the shared part
 */
int mta_reader_find_copies(struct mta_reader *r);

#endif

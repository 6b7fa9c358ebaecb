/*
 * mta_reader - the new lines of one MTA log source since the last run.
 *
 * A source is a path or a glob(3) pattern matching the live file and its
 * rotated copies (mail.log, mail.log.1, mail.log.2.gz...). Files are read
 * oldest first: the highest rotation number first, the file without a
 * number (the live one) last; gzip-compressed files are read through zlib
 * and their offsets count decompressed bytes.
 *
 * zstd-compressed ones (KumoMTA's segments, told by their magic bytes,
 * not their name) through libzstd; a compressed stream cut short (the
 * segment being written) yields what decodes.
 *
 * A checkpoint per file is {inode, device, offset, line number, sha256 of
 * the first line, sha256 of the last up to MTA_TAIL_BYTES bytes before
 * the offset ("tail")}. On the next run a file resumes at a checkpoint
 * when its first line and the bytes before the offset match: first the
 * checkpoint of its own inode, then one of a file renamed by rotation
 * (another name or inode, possibly compressed now). Files of the same
 * first line but other bytes there (PowerMTA's accounting files all start
 * with the same header row), truncated files and new first lines start at
 * 0. A file whose whole content is the start of another file to be read
 * (a logrotate compress in progress, copytruncate's copy, mail.log.save)
 * is a copy, not read: judged by the bytes before the other's starting
 * offset when that lies beyond the first line, else from the first byte,
 * and only between files of the same second line (or one without one
 * yet): a shared header row alone never makes a file with rows a copy
 * (mta_reader_copy.c). A copy's checkpoint is its own last complete
 * line: once the original is gone or truncated the copy holds nothing
 * new; when it grew to a further unused checkpoint of its first line (it
 * was still being written) it resumes there. Of two new files one the
 * start of the other, the longer is read. A partial last line (no newline
 * yet) is not consumed; a line over the ceiling is dropped and counted.
 * The caller stores mta_reader_checkpoints() once it committed what it
 * read, so a re-run never yields a line twice. Errors are recorded naming
 * the file, never printed.
 *
 * The readers of one run (struct mta_reader_run) share the previous
 * checkpoints: each is used once, and a file (device, inode) is read by
 * one reader only, whatever name or pattern reaches it.
 */
#ifndef MTA_READER_H
#define MTA_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MTA_HEAD_HEX 65 /* sha256 in hex, with its NUL */
/*
 * bytes before the offset the tail hashes: several lines, as PowerMTA's
 * rows of 500 bytes and more differ in their first columns only
 */
#define MTA_TAIL_BYTES 4096

struct mta_checkpoint {
	const char *path; /* the name the file had (informational) */
	uint64_t inode, device;
	uint64_t offset;  /* bytes consumed (decompressed for gzip) */
	uint64_t lineno;  /* lines consumed, so line numbers carry on */
	char head[MTA_HEAD_HEX]; /* sha256 of the first line; "" if none */
	char tail[MTA_HEAD_HEX]; /* sha256 of the bytes before offset; "" at 0 */
};

struct mta_reader_stats {
	size_t files;    /* files the source matched (not read elsewhere) */
	size_t copies;   /* of which copies of another file, not read */
	size_t lines;    /* lines yielded */
	size_t overlong; /* lines dropped for passing the ceiling */
};

struct mta_reader;
struct mta_reader_run;

/*
 * mta_reader_canonical - PATTERN with its directory made absolute and
 * free of symbolic links (realpath) when it has no glob characters; the
 * names the readers give files are canonical too (g_free)
 */
char *mta_reader_canonical(const char *pattern);

/*
 * mta_reader_run_new - what the readers of one run share: PREV (N_PREV
 * checkpoints, kept by the caller until mta_reader_run_free; NULL and 0
 * on a first run), each used once, and the files already read
 */
struct mta_reader_run *mta_reader_run_new(const struct mta_checkpoint *prev,
    size_t n_prev);
void mta_reader_run_free(struct mta_reader_run *run);

/*
 * mta_reader_open - open every file SOURCE matches, but those another
 * reader of RUN has, and place each at its checkpoint. LINE_MAX is the
 * ceiling of a line in bytes (0: MTA_JSON_MAX). A pattern matching
 * nothing is zero lines; a missing directory is RW_ENOINPUT.
 */
int mta_reader_open(struct mta_reader **out, struct mta_reader_run *run,
    const char *source, size_t line_max);

/* mta_reader_new - mta_reader_open with a run of its own over PREV */
int mta_reader_new(struct mta_reader **out, const char *source,
    size_t line_max, const struct mta_checkpoint *prev, size_t n_prev);

/*
 * mta_reader_next - the next complete line (without its newline; NUL
 * terminated but it may hold NUL bytes, so use LEN; valid until the next
 * call), its file and 1-based line number in that file. Returns 0 with
 * *line NULL at the end, or a negative status on a read error.
 */
int mta_reader_next(struct mta_reader *r, const char **line, size_t *len,
    const char **file, uint64_t *lineno);

/*
 * mta_reader_checkpoints - one checkpoint per file, up to what was read;
 * valid until mta_reader_free().
 */
void mta_reader_checkpoints(struct mta_reader *r,
    const struct mta_checkpoint **out, size_t *n);

void mta_reader_stats(const struct mta_reader *r,
    struct mta_reader_stats *out);

/*
 * mta_reader_mtime - the modification time (seconds since 1970) of the
 * file of the last line mta_reader_next() gave: the reference that dates
 * syslog stamps without a year (mta_parser_set_now)
 */
int64_t mta_reader_mtime(const struct mta_reader *r);

void mta_reader_free(struct mta_reader *r);

#endif

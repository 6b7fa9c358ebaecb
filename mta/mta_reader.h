/*
 * mta_reader - the new lines of one MTA log source since the last run.
 *
 * A source is a path or a glob(3) pattern matching the live file and its
 * rotated copies (mail.log, mail.log.1, mail.log.2.gz...). Files are read
 * oldest first: the highest rotation number first, the file without a
 * number (the live one) last; gzip-compressed files are read through zlib
 * and their offsets count decompressed bytes.
 *
 * A checkpoint per file is {inode, device, offset, line number, sha256 of
 * the first line}. On the next run a file whose first-line hash and inode
 * match a checkpoint resumes at its offset; a file renamed by rotation
 * (the same first line under another name or inode, possibly gzipped now)
 * continues where it was; a truncated file (size below the offset) or a
 * new first line starts at 0. A partial last line (no newline yet) is not
 * consumed; a line over the ceiling is dropped and counted. The caller
 * stores mta_reader_checkpoints() once it committed what it read, so a
 * re-run never yields a line twice. Errors are recorded naming the file,
 * never printed.
 */
#ifndef MTA_READER_H
#define MTA_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MTA_HEAD_HEX 65 /* sha256 in hex, with its NUL */

struct mta_checkpoint {
	const char *path; /* the name the file had (informational) */
	uint64_t inode, device;
	uint64_t offset;  /* bytes consumed (decompressed for gzip) */
	uint64_t lineno;  /* lines consumed, so line numbers carry on */
	char head[MTA_HEAD_HEX]; /* sha256 of the first line; "" if none */
};

struct mta_reader_stats {
	size_t files;    /* files the source matched */
	size_t lines;    /* lines yielded */
	size_t overlong; /* lines dropped for passing the ceiling */
};

struct mta_reader;

/*
 * mta_reader_new - open every file SOURCE matches and place each at its
 * checkpoint among PREV (N_PREV of them; NULL and 0 on a first run).
 * LINE_MAX is the ceiling of a line in bytes (0: MTA_JSON_MAX). A pattern
 * matching nothing is zero lines; a missing directory is RW_ENOINPUT.
 */
int mta_reader_new(struct mta_reader **out, const char *source,
    size_t line_max, const struct mta_checkpoint *prev, size_t n_prev);

/*
 * mta_reader_next - the next complete line (without its newline; NUL
 * terminated but it may hold NUL bytes, so use LEN; valid until the next
 * call), its file and 1-based line number in that file. Returns 0 with *line NULL at the end, or a negative
 * status on a read error.
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

void mta_reader_free(struct mta_reader *r);

#endif

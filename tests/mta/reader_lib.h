/*
 * reader_lib - the shared steps of the reader tests (test_mta_reader,
 * test_mta_reader_copy): files written, renamed, gzipped and copied in a
 * temporary directory, and runs of mta_reader over its "mail.log*"
 * pattern with the checkpoints of the run before, as a caller storing
 * them would, so a line read twice shows up.
 */
#ifndef MTA_READER_LIB_H
#define MTA_READER_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

#include "mta/mta_reader.h"

struct state {
	char *dir;
	char *source; /* the pattern read, "DIR/mail.log*" unless changed */
	struct mta_checkpoint *cps;
	char **paths; /* the checkpoints' names, owned */
	size_t n;
	size_t line_max;
	struct mta_reader_stats stats; /* of the last run */
	GPtrArray *kept; /* strings freed by teardown (keep) */
};

/* setup / teardown - a fresh temporary directory, and its removal */
int setup(void **state);
int teardown(void **state);
/* keep - P, freed by teardown */
char *keep(struct state *s, char *p);
/* path_of - NAME in the test's directory (g_free it) */
char *path_of(struct state *s, const char *name);
/* put / put_bytes - TEXT (N bytes of B) to NAME, fopen MODE "w" or "a" */
void put(struct state *s, const char *name, const char *text,
    const char *mode);
void put_bytes(struct state *s, const char *name, const unsigned char *b,
    size_t n, const char *mode);
void mv(struct state *s, const char *from, const char *to);
void rm(struct state *s, const char *name);
/* copy_file - FROM's bytes to TO (cp), the first N bytes when N > 0 */
void copy_file(struct state *s, const char *from, const char *to, gsize n);
/* gzip_prefix - NAME.gz as gzip writes it, cut after half its bytes
 * unless WHOLE */
void gzip_prefix(struct state *s, const char *name, bool whole);
/* gzip_file - NAME to NAME.gz, NAME removed (as logrotate's compress) */
void gzip_file(struct state *s, const char *name);
/* lines - "PREFIX<from>\n".."PREFIX<to>\n" as one text, and
 * "PREFIX<from>|..." in *JOINED; both kept */
const char *lines(struct state *s, const char *prefix, int from, int to,
    const char **joined);
/* put_lines - lines(PREFIX, FROM, TO) appended to NAME; returns the
 * joined form (kept) */
const char *put_lines(struct state *s, const char *name, const char *prefix,
    int from, int to);
/* keep_checkpoints - R's checkpoints copied into S for the next run */
void keep_checkpoints(struct state *s, struct mta_reader *r);
/* run_pos - read what is new since the last step: the lines joined by
 * '|', each "basename:lineno=" prefixed when WITH_POS; keeps the
 * checkpoints and the stats (g_free the result) */
char *run_pos(struct state *s, bool with_pos);
/* step - run_pos, failing with WHAT unless it yields WANT */
void step(struct state *s, bool with_pos, const char *want,
    const char *what);

#endif

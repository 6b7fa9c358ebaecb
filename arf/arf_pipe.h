/*
 * arf_pipe - a reader thread that reads and parses the next batch while
 * the caller stores the previous one (parsing and PostgreSQL work then
 * overlap). At most two batches are in flight, so memory stays bounded
 * whatever the backlog. Messages are still acknowledged by the caller,
 * after commit, in order.
 */
#ifndef ARF_PIPE_H
#define ARF_PIPE_H

#include <stdbool.h>
#include <glib.h>

#include "arf/arf_parse.h"
#include "arf/arf_source.h"

struct arf_batch {
	GPtrArray *msgs;          /* struct arf_msg * */
	GPtrArray *recs;          /* struct arf_record * */
	size_t bytes;
	struct arf_checkpoint cp; /* source progress after the last message */
	bool has_cp;
	bool end;                 /* no more batches; rc says why */
	int rc;                   /* 0 at the end of the source, or error */
	char *error;              /* the reader's error message */
};

struct arf_pipe;

int arf_pipe_start(struct arf_pipe **out, struct arf_source *src,
    const struct arf_limits *lim, guint batch_size, size_t batch_bytes);
/* arf_pipe_next - the next batch (blocks); b->end marks the last one */
struct arf_batch *arf_pipe_next(struct arf_pipe *p);
/* arf_pipe_done - the caller is finished with B */
void arf_pipe_done(struct arf_pipe *p, struct arf_batch *b);
/* arf_pipe_stop - stop reading, wait for the thread, free everything */
void arf_pipe_stop(struct arf_pipe *p);

#endif

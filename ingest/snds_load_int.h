/*
 * snds_load_int - the loader that snds_load.c runs for snds_load_input.c,
 * which feeds it a report's bytes from memory or a file (twice, when the
 * direct COPY collided).
 */
#ifndef SNDS_LOAD_INT_H
#define SNDS_LOAD_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "ingest/snds_load.h"

/* not an error: the direct COPY collided, read the report again staged */
#define SNDS_LOAD_RETRY 1

struct snds_loader;

/* snds_loader_new - BEGIN, start the COPY (direct or staged) */
int snds_loader_new(struct snds_loader **out, struct rw_db *db,
    const struct snds_load_opts *opts, bool try_direct);
/* snds_loader_feed - the next LEN bytes of the report */
int snds_loader_feed(struct snds_loader *l, const char *buf, size_t len);
/*
 * snds_loader_finish - feeding ended with RC: commit (also after the
 * server stopped the COPY), or log the failure and roll back. Frees L;
 * SNDS_LOAD_RETRY when the direct COPY collided.
 */
int snds_loader_finish(struct snds_load_result *out, struct snds_loader *l,
    int rc);

#endif

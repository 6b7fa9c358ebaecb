/*
 * arf_ingest - read sources, parse, load into PostgreSQL with
 * exactly-once semantics, acknowledge after commit.
 */
#ifndef ARF_INGEST_H
#define ARF_INGEST_H

#include "app/app.h"
#include "arf/arf_record.h"
#include "arf/arf_source.h"

struct rw_config;

/* arf_source_opts_init - defaults from [arf] and [mailbox.NAME] */
void arf_source_opts_init(struct arf_source_opts *out,
    const struct rw_config *cfg, const char *mailbox);

/* called with each parsed message; non-zero stops */
typedef int (*arf_each_fn)(void *ctx, const struct arf_msg *m,
    struct arf_record *r);

/* arf_parse_sources - parse every message of SPECS (no database) */
int arf_parse_sources(const struct rw_config *cfg, const char *const *specs,
    arf_each_fn fn, void *ctx);

int arf_ingest_cmd(struct app *app, int argc, char **argv);

#endif

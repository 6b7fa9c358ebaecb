/*
 * arf_ingest - read sources, parse, load into PostgreSQL with
 * exactly-once semantics, acknowledge after commit.
 *
 * The area's entry point: arf_ingest_spec_init resolves what "arf ingest
 * SOURCE" takes into a spec, arf_ingest_run ingests it and returns what
 * it stored in a totals struct. Nothing here prints; the caller shows the
 * totals (and, through the spec's progress callback, the progress).
 */
#ifndef ARF_INGEST_H
#define ARF_INGEST_H

#include <stdbool.h>

#include "arf/arf_record.h"
#include "arf/arf_source.h"
#include "arf/arf_store.h"

struct rw_config;
struct rw_db;

/* arf_source_opts_init - defaults from [arf] and [mailbox.NAME] */
void arf_source_opts_init(struct arf_source_opts *out,
    const struct rw_config *cfg, const char *mailbox);

/* called with each parsed message; non-zero stops */
typedef int (*arf_each_fn)(void *ctx, const struct arf_msg *m,
    struct arf_record *r);

/* arf_parse_sources - parse every message of SPECS (no database) */
int arf_parse_sources(const struct rw_config *cfg, const char *const *specs,
    arf_each_fn fn, void *ctx);

/*
 * called after each stored batch with the totals so far, and once more
 * with DONE when the source is read (or reading failed)
 */
typedef void (*arf_ingest_progress_fn)(void *ctx, const char *name,
    const struct arf_counts *sum, bool done);

/* one source to ingest; the strings belong to it */
struct arf_ingest_spec {
	char *name;   /* mailbox key in the database, and the name shown */
	char *source; /* path, "-" or imap(s):// URL */
	struct arf_source_opts opts; /* points into the fields below */
	char *user, *password, *bearer, *ca_file;
	arf_ingest_progress_fn progress; /* nullable; set by the caller */
	void *progress_ctx;
};

/*
 * arf_ingest_spec_init - SOURCE names a [mailbox.NAME] section (its url
 * and credentials) or is a Maildir, mbox or .eml path, "-" or an
 * imap(s):// URL itself (shown with its password masked). Clear OUT with
 * arf_ingest_spec_clear whatever the result.
 */
int arf_ingest_spec_init(struct arf_ingest_spec *out,
    const struct rw_config *cfg, const char *source);
void arf_ingest_spec_clear(struct arf_ingest_spec *s);

/* what one run of a source stored */
struct arf_ingest_totals {
	struct arf_counts counts;
	/*
	 * the new reports by feedback type and by provider ("abuse 3,
	 * opt-out 1", NULL when none); looked up only when reports > 0
	 * and the run succeeded, then has_breakdown is set
	 */
	bool has_breakdown;
	char *types;
	char *providers;
};

void arf_ingest_totals_clear(struct arf_ingest_totals *t);

/*
 * arf_ingest_run - ingest SPEC into DB: one reader per source at a time
 * (an advisory lock; standard input takes none), resuming from the stored
 * checkpoint, messages acknowledged after their batch committed. OUT gets
 * what the committed batches stored, also when the run fails part-way.
 * Returns 0 or a negative rw_status.
 */
int arf_ingest_run(struct arf_ingest_totals *out, struct rw_db *db,
    const struct rw_config *cfg, const struct arf_ingest_spec *spec);

#endif

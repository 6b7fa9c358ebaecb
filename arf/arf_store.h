/*
 * arf_store - one batch of parsed messages into PostgreSQL in one
 * transaction. Reports already stored (same content key or report
 * Message-ID) are looked up first, under a transaction-level advisory
 * lock, and only new ones are COPYed into the table; other messages go
 * through a temporary staging table and INSERT ... ON CONFLICT DO NOTHING.
 * Skipped messages count as duplicates. The source checkpoint and the run
 * counters commit with the batch.
 */
#ifndef ARF_STORE_H
#define ARF_STORE_H

#include <glib.h>

#include "arf/arf_parse.h"
#include "arf/arf_record.h"
#include "arf/arf_source.h"

struct rw_db;

struct arf_counts {
	long long messages;
	long long complaints;   /* new reports with feedback type abuse */
	long long reports;      /* new reports of any feedback type */
	long long duplicates;
	long long not_a_report;
	long long quarantined;
	long long without_ip;   /* new reports without a sending IP */
};

struct arf_store;

int arf_store_new(struct arf_store **out, struct rw_db *db,
    const char *mailbox, const struct arf_limits *lim,
    long long quarantine_max);
void arf_store_free(struct arf_store *s);

/* arf_store_run_begin - record the run (own transaction) */
int arf_store_run_begin(struct arf_store *s);
/* arf_store_run_end - mark the run finished with OUTCOME */
int arf_store_run_end(struct arf_store *s, const char *outcome);

/*
 * arf_store_run_breakdown - reports this run stored, "abuse 3, opt-out 1"
 * by feedback type and by provider (NULL when none); g_free both.
 */
int arf_store_run_breakdown(struct arf_store *s, char **out_types,
    char **out_providers);

/*
 * arf_store_batch - store N messages with their records and CP
 * (nullable) in one transaction; OUT receives what was new.
 */
int arf_store_batch(struct arf_store *s, struct arf_msg *const *msgs,
    struct arf_record *const *recs, guint n,
    const struct arf_checkpoint *cp, struct arf_counts *out);

/* arf_store_progress - checkpoint stored for MAILBOX/FOLDER, if any */
int arf_store_progress(struct arf_checkpoint *out, struct rw_db *db,
    const char *mailbox, const char *folder, bool *out_found);

#endif

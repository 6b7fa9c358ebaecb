/*
 * arf_reparse - derive the sending IP of stored reports again from their
 * stored headers ([arf] keep = headers or full) with the current parser
 * and provider tables, update the reports and the analyzer's daily facts
 * of the days whose complaints moved, and say how many moved from which
 * IP to which ("repwatch arf reparse").
 */
#ifndef ARF_REPARSE_H
#define ARF_REPARSE_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

struct rw_config;
struct rw_db;

/*
 * arf_reparse_message - the stored bytes RAW of a report of FORMAT ("arf"
 * or "jmrp-legacy") as a message the parser reads: a full message as it
 * is; the keep = headers form (wrapper headers, report fields, original
 * headers, each block ending in a blank line) rebuilt into a report.
 */
GString *arf_reparse_message(const char *raw, size_t len,
    const char *format);

/* reports whose sending IP moved from one address to another */
struct arf_reparse_move {
	char *from, *to;       /* IP text, "(none)" for no IP */
	long long reports;
	long long complaints;  /* of them, feedback type abuse */
};

struct arf_reparse_result {
	long long read;        /* stored reports with headers read */
	long long unreadable;  /* of them, no longer read as reports: left */
	long long skipped;     /* reports without stored headers: left */
	long long days;        /* days of facts rebuilt (or to rebuild) */
	/* struct arf_reparse_move, most reports first */
	GArray *moves;
};

void arf_reparse_result_clear(struct arf_reparse_result *r);

/*
 * arf_reparse_run - reparse the stored reports that arrived on or after
 * SINCE (YYYY-MM-DD, nullable: all) under the analyzer's lock; with
 * DRY_RUN roll back, changing nothing. OUT says what moved (or would).
 */
int arf_reparse_run(struct arf_reparse_result *out, struct rw_db *db,
    const struct rw_config *cfg, const char *since, bool dry_run);

#endif

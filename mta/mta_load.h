/*
 * mta_load - "repwatch mta load": the new lines of each configured MTA log
 * source since the last run, parsed and classified; the attempts to
 * Microsoft counted per (sending IP, UTC hour, class, code, enhanced
 * code) into repwatch.mta_attempt_hour.
 *
 * A source is loaded in one transaction: the counts are added, the
 * source's checkpoints replaced with where the reader stopped, and one
 * repwatch.mta_load row written. A failure rolls it all back, so the next
 * run reads the same lines again: a line is never counted twice nor lost.
 * Lines that cannot be read do not stop the load: they are counted and one
 * warning per file names file:line of the first (rw_log). Memory stays
 * bounded: lines have ceilings and the counts are flushed to the database
 * (inside the same transaction) every MTA_LOAD_BUCKETS buckets.
 */
#ifndef MTA_LOAD_H
#define MTA_LOAD_H

#include <stddef.h>

#include "common/rw_config.h"
#include "common/rw_db.h"

#define MTA_LOAD_BUCKETS 50000 /* buckets held in memory before a flush */

struct mta_load_totals {
	size_t sources, files, lines;
	size_t attempts;  /* delivery attempts in those lines */
	size_t microsoft; /* of which to Microsoft and stored */
	size_t no_ip;     /* to Microsoft, no sending IP: skipped */
	size_t no_time;   /* to Microsoft, no usable time: skipped */
	size_t bad_lines; /* lines that could not be read */
	size_t overlong;  /* lines over the ceiling, dropped by the reader */
	size_t by_class[5]; /* stored attempts by enum mta_class */
};

/*
 * mta_load_run - load SOURCE (NULL: every [mta.NAME] source; each in its
 * own transaction, a failing one does not stop the others and the worst
 * status is returned) and add what was read to OUT. FILES (NULL or
 * NULL-terminated) are read instead of the source's path, with its
 * format, checkpointed under the source by their path; then SOURCE may be
 * NULL only when one source is configured. RW_ECONFIG for a missing or
 * bad section, RW_ENOINPUT for a missing file or directory.
 */
int mta_load_run(struct mta_load_totals *out, struct rw_db *db,
    const struct rw_config *cfg, const char *source, char **files);

#endif

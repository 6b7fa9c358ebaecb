/*
 * snds_files - "snds load FILE...|DIR" and the demo: saved reports, each
 * file its own transaction through snds_load_file.
 */
#ifndef SNDS_FILES_H
#define SNDS_FILES_H

#include <stdbool.h>
#include "ingest/snds_load.h"

/* totals of snds_load_files */
struct snds_load_totals {
	int files;
	long rows;
	long rejected;
	int failed;         /* files that could not be loaded at all */
};

/*
 * snds_load_files - load PATHS (data reports, or status reports when
 * STATUS) for SOURCE read in zone TZ; DAY (nullable) is the requested day,
 * else a status file's day comes from a YYYY-MM-DD in its name, else
 * today. Each file is its own transaction. Returns RW_EDATA when any row
 * was rejected, the first hard error otherwise.
 */
int snds_load_files(struct snds_load_totals *out, struct rw_db *db,
    const char *source, const char *tz, bool status, const char *day,
    const char *const *paths, int npaths);

/*
 * snds_load_dir - a directory of saved reports (the demo's sample data):
 * every data-*.csv in name order, then every status-*.csv, whose snapshot
 * day is the YYYY-MM-DD in its name. Totals cover both kinds.
 */
int snds_load_dir(struct snds_load_totals *out, struct rw_db *db,
    const char *source, const char *tz, const char *dir);

#endif

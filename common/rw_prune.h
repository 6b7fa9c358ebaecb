/*
 * rw_prune - the one pruner of raw report copies under STATE_DIR/raw,
 * used by "snds fetch" (its source's directory, after each run) and by
 * "prune" / the nightly run (every source's directory).
 *
 * The retention rule: a raw copy of source NAME is kept
 * [snds.NAME] raw_retention_days (0 = none kept), and never longer than
 * [nightly] keep_days or prune --keep-days when those are given: the
 * shorter wins, whichever command runs.
 */
#ifndef RW_PRUNE_H
#define RW_PRUNE_H

#include "common/rw_config.h"

/*
 * The names of raw copies: CSV reports (KIND-DAY.STAMP.csv, or saved by
 * hand) and the temporary files of an interrupted write
 * (KIND-DAY.STAMP.csv.tmp.XXXXXX); anything else is left alone
 */
#define RW_PRUNE_RAW_GLOB "*.csv*"

/*
 * rw_prune_files - remove the regular files under DIR (and its
 * subdirectories) whose names match GLOB (g_pattern_match_simple) and
 * that were last modified more than KEEP_DAYS days ago. Symbolic links
 * are neither followed nor removed, nor is anything else that is no
 * regular file. A missing DIR is fine; one that cannot be read is
 * RW_EIO. *OUT_REMOVED (may be NULL) is increased by the files removed.
 */
int rw_prune_files(long long *out_removed, const char *dir, const char *glob,
    int keep_days);

/*
 * rw_prune_raw_days - the days raw copies of SOURCE are kept: its
 * raw_retention_days, capped by KEEP_DAYS when KEEP_DAYS > 0
 */
int rw_prune_raw_days(const struct rw_config *cfg, const char *source,
    int keep_days);

#endif

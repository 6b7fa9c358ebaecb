/*
 * arf_stats - totals of the complaint tables ("repwatch arf stats" writes
 * them in app/).
 */
#ifndef ARF_STATS_H
#define ARF_STATS_H

#include <glib.h>

struct rw_db;

#define ARF_STATS_TOTALS 7

/* the names of arf_stats.totals, in order (messages, complaints...) */
extern const char *const arf_stats_total_names[ARF_STATS_TOTALS];

struct arf_stats_count {
	char *name;       /* a feedback type or provider ("unknown") */
	long long count;
};

struct arf_stats {
	long long totals[ARF_STATS_TOTALS];
	GPtrArray *by_feedback_type;  /* struct arf_stats_count, by name */
	GPtrArray *by_provider;       /* struct arf_stats_count, by name */
};

/* arf_stats_get - the totals in the database; *OUT is set up even on
 * failure (clear it) */
int arf_stats_get(struct arf_stats *out, struct rw_db *db);
void arf_stats_clear(struct arf_stats *s);

#endif

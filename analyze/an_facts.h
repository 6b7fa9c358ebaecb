/*
 * an_facts - what the analyzer reads from the database for one day: the
 * per-IP window aggregates (one set-based query), daily series of the few
 * subjects that need a trend, source health, IP-status listings and the
 * unmatched complaint share. Days are "YYYY-MM-DD" text; nothing after the
 * analyzed day is read.
 */
#ifndef AN_FACTS_H
#define AN_FACTS_H

#include <stdbool.h>
#include <glib.h>

#include "analyze/an_rules.h"
#include "common/rw_db.h"

/* an_facts_set_timezone - the zone complaint days are computed in */
int an_facts_set_timezone(struct rw_db *db, const char *tz);

/* an_facts_refresh - bring repwatch.an_ip_day and an_mta_day up to date
 * with what was loaded since the last refresh; *out_days (nullable) =
 * days rebuilt (of both) */
int an_facts_refresh(int *out_days, struct rw_db *db);

/* an_facts_data_days - first and last day with SNDS data or MTA answers
 * (NULL if none), never past repwatch.an_horizon() */
int an_facts_data_days(char **out_first, char **out_last, struct rw_db *db);

/* an_facts_day_has_data - SNDS has any row for DAY */
int an_facts_day_has_data(bool *out, struct rw_db *db, const char *day);

/* an_facts_window - one an_subject per IP seen in the lookback of DAY;
 * for IPs with trap hits also the trap rule's recipients and baseline */
int an_facts_window(GPtrArray **out, struct rw_db *db, const char *day,
    const struct an_params *p);

/* an_facts_trends - fit the trend of each subject in SUBJECTS (IPs and
 * ranges) on its last trend_days days */
int an_facts_trends(struct rw_db *db, const char *day, GPtrArray *subjects,
    const struct an_params *p);

/* an_facts_sources - an_source_state per known SNDS source, as of DAY */
int an_facts_sources(GPtrArray **out, struct rw_db *db, const char *day);

/* an_facts_listings - ranges on each source's latest status snapshot
 * (within 3 days up to DAY) */
int an_facts_listings(GPtrArray **out, struct rw_db *db, const char *day);

/* an_facts_unmatched - complaints in the window and those matching no IP
 * (no source IP, or an IP of IPS without SNDS volume) */
int an_facts_unmatched(double *out_complaints, double *out_unmatched,
    struct rw_db *db, const char *day, GPtrArray *ips,
    const struct an_params *p);
/* an_facts_inside_provider - complaints in the window whose derived IP is
 * inside the receiving provider's networks (arf_report.inside_provider) */
int an_facts_inside_provider(double *out, struct rw_db *db, const char *day,
    const struct an_params *p);

#endif

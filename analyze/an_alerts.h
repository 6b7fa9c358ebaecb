/*
 * an_alerts - the alert lifecycle in repwatch.alert / alert_day.
 *
 * alert_day is the truth: one row per alert and analyzed day on which its
 * condition held, with the start of the episode it belongs to. Writing a
 * day replaces that day's rows (re-running a day is idempotent); when the
 * day is the latest analyzed one, the alert rows follow: open with the
 * episode's first day, or resolved; one that holds again is reopened.
 */
#ifndef AN_ALERTS_H
#define AN_ALERTS_H

#include <stdbool.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "analyze/an_rules.h"
#include "common/rw_db.h"

/* an_finding_details - the JSON numbers of a finding (new string) */
char *an_finding_details(const struct an_finding *f);

/*
 * an_alerts_write_day - store FINDINGS as DAY's alert state (inside the
 * caller's transaction); SUBJECTS is recorded in analysis_run. *out_open
 * (nullable) receives the number of alerts open on DAY.
 */
int an_alerts_write_day(int *out_open, struct rw_db *db, const char *day,
    GPtrArray *findings, int subjects);

/* one alert as listed on one day */
struct an_alert_row {
	char *subject_kind, *subject, *source, *day, *rule, *severity;
	char *state, *first_day;
	JsonObject *details;
};

void an_alert_row_free(struct an_alert_row *a);

/*
 * an_alerts_list - alerts open on each analyzed day FROM..TO (and, unless
 * ONLY_OPEN, those resolved on it) at MIN_SEVERITY or above, ordered by
 * day, most severe first.
 */
int an_alerts_list(GPtrArray **out, struct rw_db *db, const char *from,
    const char *to, bool only_open, enum an_severity min_severity);

/* an_alerts_latest_day - the latest analyzed day (NULL when none) */
int an_alerts_latest_day(char **out, struct rw_db *db);

/* an_alerts_open_counts - alerts open now, and how many are critical */
int an_alerts_open_counts(int *out_open, int *out_critical, struct rw_db *db);

#endif

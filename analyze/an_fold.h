/*
 * an_fold - one day's alerts grouped into incidents: which subjects are
 * incidents, which IPs fold under a range, and each incident's lifecycle
 * from the day before. Pure: no database (an_incidents reads and writes).
 *
 * Folding, per /24 range R with alerts of its own or an incident open the
 * day before: R is an incident when it was one the day before, or when
 * its IPs with alerts or open incidents are not exactly one; with exactly
 * one, R's alerts are evidence of that IP's incident instead (a range
 * judged on one IP's days is that IP's problem). IPs inside a range
 * incident that is not resolving fold under it as members; an IP incident
 * open the day before resolves into it. A range incident holds on its own
 * rules only, so it resolves while a member keeps rising, and that member
 * becomes an IP incident again.
 */
#ifndef AN_FOLD_H
#define AN_FOLD_H

#include <glib.h>

#include "analyze/an_incidents.h"

/* one alert that held on the day, mapped to its incident subject */
struct an_evidence {
	char *subject;
	bool is_range;
	char *net;              /* the /24 of an IPv4 IP, else NULL */
	char *rule;
	enum an_severity severity;
	char *episode_start;    /* the alert's first day */
	struct an_incident_numbers num;
};

void an_evidence_free(struct an_evidence *e);

/*
 * an_fold_day - DAY's incidents (new array of struct an_incident, by
 * subject) from EV (struct an_evidence), PREV (the incidents open or
 * escalated on the analyzed day before) and LAST_RESOLVED (subject -> the
 * last day before DAY one of its incidents resolved on, or NULL).
 */
GPtrArray *an_fold_day(const char *day, GPtrArray *ev, GPtrArray *prev,
    GHashTable *last_resolved, int resolve_days);

#endif

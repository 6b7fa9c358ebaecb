/*
 * an_incidents - incidents in repwatch.incident / incident_day (issue 13).
 *
 * An incident is one subject, an IP or a /24 range, with every alert that
 * held on it that day as evidence. IPs inside a range that has its own
 * incident fold under it as members (with their own numbers). Its severity
 * is the highest of its rules (members included), its first day the
 * earliest rule's first day. Lifecycle: open, escalated (the severity went
 * above every earlier one), resolved (no rule of its own held for
 * resolve_days analyzed days, or an IP folded into its range). The id,
 * "inc-" and 12 hex digits, is derived from the subject and the first day,
 * so replays give the same ids and a reopened subject gets a new one.
 *
 * Writing day D reads only the alerts of D and the incidents of the
 * analyzed day before it (no look-ahead); re-writing a day replaces it.
 */
#ifndef AN_INCIDENTS_H
#define AN_INCIDENTS_H

#include <stdbool.h>
#include <glib.h>

#include "analyze/an_rules.h"
#include "common/rw_db.h"

enum an_incident_state {
	AN_INC_OPEN = 0,
	AN_INC_ESCALATED = 1,
	AN_INC_RESOLVED = 2,
};

const char *an_incident_state_name(enum an_incident_state s);
/* an_incident_state_parse - -1 when unknown */
int an_incident_state_parse(const char *s);

/* the evidence numbers of an incident or member on one day */
struct an_incident_numbers {
	double rate_7d, recipients_7d, complaints_7d, baseline_rate; /* NAN */
	int forecast_days;  /* days to the critical rate; -1 = null */
	bool listed;        /* in the SNDS IP status */
	char *filter;       /* worst SNDS colour that day; NULL unknown */
	char *message;      /* of its most telling rule */
};

/* an IP folded under a range incident */
struct an_incident_member {
	char *ip;
	enum an_severity severity;
	char **rules;       /* NULL-terminated, sorted */
	struct an_incident_numbers num;
};

void an_incident_member_free(struct an_incident_member *m);

/* one incident as of one analyzed day */
struct an_incident {
	char *id;
	char *subject;          /* host IP or /24 network */
	bool is_range;
	char *net;              /* the /24 of an IPv4 IP incident, else NULL */
	char *day;              /* the day this row describes */
	enum an_incident_state state;
	enum an_severity severity;
	char *first_day, *last_day;  /* last_day: last day a rule held */
	char *resolved_day, *escalated_day;  /* NULL when not */
	char *folded_into;      /* resolved by folding into this incident */
	char **rules;           /* NULL-terminated, sorted; members' too */
	GPtrArray *members;     /* struct an_incident_member, by IP */
	struct an_incident_numbers num;
	char *silenced_until;   /* NULL: not silenced on DAY */
	const char *event;      /* pending only: "new" or "escalated" */
	/* lifecycle */
	enum an_severity peak;  /* highest severity so far */
	bool holding;           /* a rule of its own held on DAY */
	int quiet_days;         /* analyzed days in a row without one */
};

struct an_incident *an_incident_new(void);
void an_incident_free(struct an_incident *i);
/* an_incident_kind - "range" or "ip" */
const char *an_incident_kind(const struct an_incident *i);
/* an_incident_id - the id of SUBJECT's incident from FIRST_DAY (new) */
char *an_incident_id(const char *subject, const char *first_day);
/* an_incident_is_id - TEXT looks like an incident id */
bool an_incident_is_id(const char *text);

/*
 * an_incidents_write_day - store DAY's incidents from its alert_day rows
 * (once the day's alerts are written, inside the caller's transaction);
 * RESOLVE_DAYS analyzed days without a rule of its own resolve one.
 * *out_open (nullable) receives the incidents open or escalated on DAY.
 */
int an_incidents_write_day(int *out_open, struct rw_db *db, const char *day,
    int resolve_days);

/*
 * an_incidents_list - incidents open or escalated on each analyzed day
 * FROM..TO (and, unless ONLY_OPEN, those resolved on it) at MIN_SEVERITY
 * or above, with their members; ordered by day, most severe first.
 */
int an_incidents_list(GPtrArray **out, struct rw_db *db, const char *from,
    const char *to, bool only_open, enum an_severity min_severity);

/*
 * an_incident_get - the latest row up to the latest analyzed day of the
 * incident TARGET (an id, or a subject: its most recent incident); *out
 * NULL when there is none.
 */
int an_incident_get(struct an_incident **out, struct rw_db *db,
    const char *target);

/*
 * an_incidents_pending - the incidents that need a notification now: open
 * or escalated on the latest analyzed day, warning or worse, never sent or
 * sent at a lower severity (event "new" or "escalated"), and not silenced
 * unless they escalated after the silence was set.
 */
int an_incidents_pending(GPtrArray **out, struct rw_db *db);

/* an_incidents_mark_notified - record INCIDENTS' severities as sent */
int an_incidents_mark_notified(struct rw_db *db, GPtrArray *incidents);

#endif

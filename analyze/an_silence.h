/*
 * an_silence - silences in repwatch.silence (issue 13): "I know, we are on
 * it". A silence names an incident (by id: that incident only) or a
 * subject (an IP or /24: any incident of it) and a last day; until then
 * the incident gets no notification unless it escalates after the silence
 * was set. Silenced incidents stay in every listing, marked. A silence
 * records who set it (the login name the caller passes) and when; lifting
 * one keeps it, with who lifted it and when.
 *
 * Days are analyzed days: a silence is in force while its last day is not
 * before the latest analyzed day.
 */
#ifndef AN_SILENCE_H
#define AN_SILENCE_H

#include <stdbool.h>
#include <glib.h>

#include "common/rw_db.h"

struct an_silence {
	long long id;
	char *subject;          /* IP or /24 */
	char *incident_id;      /* NULL: every incident of the subject */
	char *until;            /* last silenced day */
	char *note;
	char *created_by, *created_at;  /* created_at: ISO 8601 UTC */
	char *from_day;         /* latest analyzed day when set (or NULL) */
	char *lifted_by, *lifted_at;    /* NULL while not lifted */
	bool active;            /* in force on the latest analyzed day */
};

void an_silence_free(struct an_silence *s);

/* notes longer than this (bytes) are refused */
#define AN_SILENCE_NOTE_MAX 1000

/*
 * an_silence_set - silence TARGET (an incident id, an IP or a /24) until
 * the day UNTIL with NOTE (nullable), set by WHO; a silence of the same
 * target in force is replaced. *out (nullable) receives the silence.
 * RW_EUSAGE, naming the target, for an unknown or resolved incident, a
 * malformed subject, an IP that is a member of a range incident, a bad or
 * past day, a long note.
 */
int an_silence_set(struct an_silence **out, struct rw_db *db,
    const char *target, const char *until, const char *note,
    const char *who);

/*
 * an_silence_unset - lift the silences in force on TARGET (an id lifts
 * those of its subject too), recorded as lifted by WHO; *out_lifted
 * (nullable) how many. RW_EUSAGE when there is none.
 */
int an_silence_unset(int *out_lifted, struct rw_db *db, const char *target,
    const char *who);

/* an_silence_list - the silences in force (ALL: every one ever set),
 * soonest end first */
int an_silence_list(GPtrArray **out, struct rw_db *db, bool all);

#endif

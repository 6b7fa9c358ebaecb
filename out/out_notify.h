/*
 * out_notify - tell someone about new and escalated incidents, once.
 *
 * What is sent (issue 13): the incidents an_incidents_pending names (open
 * or escalated on the latest analyzed day, warning or worse, never sent or
 * sent at a lower severity, not silenced unless they escalated after the
 * silence), one JSON object per incident (not per rule), with the keys of
 * "alerts --format json" plus "event" ("new" or "escalated"); then the
 * data-health alerts (stale fetch, link expiry, login, unmatched
 * complaints: no IP or range subject, so no incident), one object per
 * alert row as before, marked "kind": "health". [notify] command receives
 * one JSON object per line on its standard input; [notify] webhook_url
 * receives {"alerts": [...]} as a JSON POST (libcurl, [notify] timeout,
 * [notify] retries with back-off). Only when every configured channel took
 * them are they marked as sent, in one transaction, so a failed night
 * sends them again the next. A resolved incident is done: its subject
 * opens again as a new incident (a new id), so it is new.
 */
#ifndef OUT_NOTIFY_H
#define OUT_NOTIFY_H

#include <stdbool.h>
#include <stdio.h>
#include <glib.h>

#include "common/rw_config.h"
#include "common/rw_db.h"

/* out_notify_pending - the JSON lines out_notify_run would send now (new
 * string, "" when none), nothing marked ("export notify --dry-run") */
int out_notify_pending(char **out_lines, struct rw_db *db);

/* out_notify_run - send the pending incidents and health alerts through
 * every configured channel and mark them; *out_sent lines sent (0 when
 * none pending) */
int out_notify_run(int *out_sent, struct rw_db *db, const struct rw_config *cfg);

#endif

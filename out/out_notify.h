/*
 * out_notify - tell someone about new and escalated alerts, once.
 *
 * An open alert is sent when it was never sent (alert.notified_severity
 * NULL: new) or when its severity rose above the one last sent
 * (escalated). [notify] command receives one JSON object per line on its
 * standard input; [notify] webhook_url receives {"alerts": [...]} as a JSON
 * POST (libcurl, [notify] timeout, [notify] retries with back-off). Only
 * when every configured channel took them are the alerts marked as sent,
 * so a failed night sends them again the next. A resolved alert is
 * forgotten: if it opens again it is new.
 */
#ifndef OUT_NOTIFY_H
#define OUT_NOTIFY_H

#include <stdbool.h>
#include <stdio.h>
#include <glib.h>

#include "common/rw_config.h"
#include "common/rw_db.h"

/* out_notify_pending - JSON lines of the alerts to send (new string, "" when
 * none); *out_ids gets their ids as a PostgreSQL array literal */
int out_notify_pending(char **out_lines, char **out_ids, int *out_count,
    struct rw_db *db);

/* out_notify_run - send the pending alerts through every configured channel
 * and mark them; *out_sent alerts sent (0 when none pending) */
int out_notify_run(int *out_sent, struct rw_db *db, const struct rw_config *cfg);

#endif

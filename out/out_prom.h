/*
 * out_prom - "repwatch export prometheus FILE": a node_exporter
 * textfile-collector file (Prometheus text format 0.0.4), written to a
 * temporary file and renamed so the collector never reads half a file.
 *
 * Per IP: its latest SNDS day's recipients, complaints, complaint rate and
 * filter level, whether the latest IP-status lists or blocks it, and the
 * severity of its open alerts; per IP and in total, Microsoft's answers
 * from the MTA logs on the latest day with MTA data (attempts, throttled,
 * blocked), and per MTA source its last load; per /24 the open alert severity; per SNDS
 * source the last success, link days left and token state; per mailbox the
 * last success and quarantine total; incident counts by severity and
 * state (repwatch.incident_current, zeros included); run totals. Names
 * and labels: doc/outputs.md.
 */
#ifndef OUT_PROM_H
#define OUT_PROM_H

#include <glib.h>

#include "common/rw_db.h"

/* out_prom_render - the whole file as text; *out_series samples */
int out_prom_render(GString *out, long *out_series, struct rw_db *db);

/* out_prom_write - render and write PATH atomically (mode 0644) */
int out_prom_write(long *out_series, struct rw_db *db, const char *path);

/* out_prom_label_escape - a label value as the text format wants it
 * (backslash, double quote and newline escaped), appended to OUT */
void out_prom_label_escape(GString *out, const char *value);

#endif

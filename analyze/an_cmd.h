/*
 * an_cmd - "repwatch analyze" and "repwatch alerts".
 */
#ifndef AN_CMD_H
#define AN_CMD_H

#include <stdio.h>

#include "common/rw_app.h"

int cmd_analyze(struct rw_app *app, int argc, char **argv);
int cmd_alerts(struct rw_app *app, int argc, char **argv);

/*
 * an_analyze_all_and_report - analyze every day from the first day with
 * SNDS data to the last (a replay), then print the alerts open on the last
 * day as the text table to OUT. For "repwatch demo". Returns 0 or a
 * negative status (error recorded).
 */
int an_analyze_all_and_report(struct rw_app *app, FILE *out);

#endif

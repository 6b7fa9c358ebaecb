/*
 * out_cmd - the commands of the outputs area: "repwatch nightly",
 * "repwatch prune", "repwatch report --html", "repwatch export
 * prometheus|notify".
 */
#ifndef OUT_CMD_H
#define OUT_CMD_H

#include "common/rw_app.h"

int cmd_nightly(struct rw_app *app, int argc, char **argv);
int cmd_prune(struct rw_app *app, int argc, char **argv);
int cmd_report(struct rw_app *app, int argc, char **argv);
int cmd_export(struct rw_app *app, int argc, char **argv);

#endif

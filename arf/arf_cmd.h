/*
 * arf_cmd - "repwatch arf parse|ingest|stats".
 */
#ifndef ARF_CMD_H
#define ARF_CMD_H

#include "common/rw_app.h"

int cmd_arf(struct rw_app *app, int argc, char **argv);

#endif

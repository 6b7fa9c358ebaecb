/*
 * snds_cmd - "repwatch snds fetch|load|show|status|links|link set|login".
 */
#ifndef SNDS_CMD_H
#define SNDS_CMD_H

#include "common/rw_app.h"

int cmd_snds(struct rw_app *app, int argc, char **argv);

#endif

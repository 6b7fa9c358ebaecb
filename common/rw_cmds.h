/* rw_cmds - the commands implemented in common/ */
#ifndef RW_CMDS_H
#define RW_CMDS_H

#include "common/rw_app.h"

int cmd_config(struct rw_app *app, int argc, char **argv);
int cmd_db(struct rw_app *app, int argc, char **argv);
int cmd_demo(struct rw_app *app, int argc, char **argv);

#endif

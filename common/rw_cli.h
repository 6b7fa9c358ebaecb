/*
 * rw_cli - the repwatch command line: global options, then one command
 * from the table in rw_cli.c.
 */
#ifndef RW_CLI_H
#define RW_CLI_H

/* rw_main - run repwatch with ARGV; returns the process exit status */
int rw_main(int argc, char **argv);

#endif

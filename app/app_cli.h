/*
 * app_cli - the repwatch command line: global options, then one command
 * from the table in app_cli.c.
 */
#ifndef APP_CLI_H
#define APP_CLI_H

/* app_main - run repwatch with ARGV; returns the process exit status */
int app_main(int argc, char **argv);

#endif

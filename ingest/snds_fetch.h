/*
 * snds_fetch - "repwatch snds fetch": for each source, the days to fetch
 * (missing days of the look-back window plus the last 3, or the days
 * asked for), one request per day with bounded retries, the response
 * classified, CSV loaded, everything recorded in the fetch log; the
 * IP-status report once per run.
 */
#ifndef SNDS_FETCH_H
#define SNDS_FETCH_H

#include "app/app.h"

/* snds_link_url_for_day - URL for DAY (YYYY-MM-DD) of a link or API source */
int snds_link_url_for_day(char **out, const char *url, const char *day);

int snds_fetch_cmd(struct app *app, int argc, char **argv);

#endif

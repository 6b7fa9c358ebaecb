/*
 * arf_stats - totals of the complaint tables, "repwatch arf stats".
 */
#ifndef ARF_STATS_H
#define ARF_STATS_H

#include <stdbool.h>
#include <stdio.h>

struct rw_db;

/* arf_stats_print - totals in the database, as text or one JSON object */
int arf_stats_print(struct rw_db *db, FILE *out, bool json);

#endif

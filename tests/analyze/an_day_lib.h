/*
 * an_day_lib - hand-made analyzed days for the DB tests (test_an_incidents,
 * test_an_backtest_db): findings written as an_run_day writes a day.
 */
#ifndef AN_DAY_LIB_H
#define AN_DAY_LIB_H

#include "tests/common/testdb.h"

/*
 * an_day_write - one analyzed day: findings SPEC "KIND SUBJECT RULE
 * SEVERITY[ RATE]" separated by ";" ("" = none held; the message is "RULE
 * on SUBJECT"), alerts then incidents (RESOLVE_DAYS) in one transaction;
 * an error fails the running test
 */
void an_day_write(struct testdb_fx *f, const char *day, const char *spec,
    int resolve_days);

#endif

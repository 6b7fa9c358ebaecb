/*
 * app_days - the day options of analyze, alerts, backtest and snds show
 * (--date D | --from D1 [--to D2]), checked in one place (app_cmds.h).
 */
#include <string.h>

#include "app/app_cmds.h"
#include "common/rw_error.h"
#include "common/rw_util.h"

void
app_days_clear(struct app_days *o)
{
	g_free(o->date);
	g_free(o->from);
	g_free(o->to);
}

static int
check_day(const char *what, const char *s)
{
	GDate d;

	if (s != NULL && rw_parse_date(&d, s) != 0)
		return rw_error_set(RW_EUSAGE, "invalid %s \"%s\"", what, s);
	return 0;
}

int
app_days_check(struct app_days *o, const char *latest)
{
	int rc = check_day("--date", o->date);

	if (rc == 0)
		rc = check_day("--from", o->from);
	if (rc == 0)
		rc = check_day("--to", o->to);
	if (rc == 0 && o->date != NULL && (o->from || o->to))
		rc = rw_error_set(RW_EUSAGE, "--date cannot be combined with "
		    "--from or --to");
	if (rc == 0 && latest != NULL && o->from == NULL && o->to != NULL) {
		rc = rw_error_set(RW_EUSAGE, "--to needs --from");
		rw_error_hint("Give the first day with --from D1; --from "
		    "alone runs to the %s.", latest);
	}
	if (rc == 0 && o->from && o->to && strcmp(o->from, o->to) > 0)
		rc = rw_error_set(RW_EUSAGE, "--from %s is after --to %s",
		    o->from, o->to);
	if (rc == 0 && o->date != NULL) {
		o->from = g_strdup(o->date);
		o->to = g_strdup(o->date);
	}
	return rc;
}

int
app_days_latest(struct app_days *o, char *last, const char *what)
{
	int rc = 0;

	if (o->from != NULL && o->to != NULL) {
		g_free(last);
		return 0;
	}
	if (o->from != NULL && strcmp(o->from, last) > 0)
		rc = rw_error_set(RW_EUSAGE, "--from %s is after the latest "
		    "%s, %s", o->from, what, last);
	if (o->from == NULL)
		o->from = g_strdup(last);
	o->to = last;
	return rc;
}

int
app_days_refuse_future(const struct app_days *o, struct rw_db *db,
    const char *why)
{
	const char *params[] = {o->to};
	char *horizon = NULL;
	int rc;

	if (o->to == NULL)
		return 0;
	rc = rw_db_query1(&horizon, db, "SELECT CASE WHEN $1::date > "
	    "repwatch.an_horizon() THEN repwatch.an_horizon()::text END", 1,
	    params);
	if (rc == 0 && horizon != NULL) {
		rc = rw_error_set(RW_EUSAGE, "%s %s is in the future",
		    o->date != NULL ? "--date" : "--to", o->to);
		rw_error_detail("The last day that can hold data is %s%s",
		    horizon, why);
	}
	g_free(horizon);
	return rc;
}

/*
 * rw_db_col - column values of a libpq result row (see rw_db.h).
 */
#include <math.h>
#include <string.h>

#include "common/rw_db.h"

double
rw_db_double(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NAN :
	    g_ascii_strtod(PQgetvalue(r, row, col), NULL);
}

int
rw_db_int(const PGresult *r, int row, int col, int null_value)
{
	return PQgetisnull(r, row, col) ? null_value :
	    (int)g_ascii_strtoll(PQgetvalue(r, row, col), NULL, 10);
}

char *
rw_db_strdup(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL :
	    g_strdup(PQgetvalue(r, row, col));
}

bool
rw_db_bool(const PGresult *r, int row, int col)
{
	return !PQgetisnull(r, row, col) &&
	    strcmp(PQgetvalue(r, row, col), "t") == 0;
}

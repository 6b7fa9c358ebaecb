/*
 * an_day_lib - see an_day_lib.h
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>

#include "analyze/an_alerts.h"
#include "analyze/an_incidents.h"
#include "an_day_lib.h"

void
an_day_write(struct testdb_fx *f, const char *day, const char *spec,
    int resolve_days)
{
	GPtrArray *v = an_findings_new();
	char **rows = g_strsplit(spec, ";", -1);
	int rc;

	for (int i = 0; rows[i] != NULL; i++) {
		char **w = g_strsplit(g_strstrip(rows[i]), " ", -1);
		struct an_finding *x;

		if (g_strv_length(w) < 4) {
			g_strfreev(w);
			continue;
		}
		x = an_finding_new(g_intern_string(w[0]), w[1],
		    g_intern_string(w[2]), an_severity_parse(w[3]));
		if (w[4] != NULL)
			x->rate_7d = g_ascii_strtod(w[4], NULL);
		x->message = g_strdup_printf("%s on %s", w[2], w[1]);
		g_ptr_array_add(v, x);
		g_strfreev(w);
	}
	rc = rw_db_begin(f->db);
	if (rc == 0)
		rc = an_alerts_write_day(NULL, f->db, day, v, (int)v->len);
	if (rc == 0)
		rc = an_incidents_write_day(NULL, f->db, day, resolve_days);
	if (rc == 0)
		rc = rw_db_commit(f->db);
	else
		rw_db_rollback(f->db);
	testdb_check_rc(rc, day);
	g_strfreev(rows);
	g_ptr_array_free(v, TRUE);
}

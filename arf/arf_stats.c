/*
 * arf_stats - totals over everything ingested so far.
 */
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "common/rw_json.h"
#include "common/rw_db.h"
#include "common/rw_error.h"
#include "common/rw_out.h"
#include "arf/arf_stats.h"

static const char totals_sql[] =
    "SELECT"
    " (SELECT coalesce(sum(messages), 0) FROM repwatch.arf_run),"
    " (SELECT count(*) FROM repwatch.arf_report"
    "   WHERE feedback_type = 'abuse'),"
    " (SELECT coalesce(sum(duplicates), 0) FROM repwatch.arf_run),"
    " (SELECT count(*) FROM repwatch.arf_message_log"
    "   WHERE outcome = 'not-a-report'),"
    " (SELECT count(*) FROM repwatch.arf_message_log"
    "   WHERE outcome = 'quarantined'),"
    " (SELECT count(*) FROM repwatch.arf_report WHERE source_ip IS NULL),"
    " (SELECT count(*) FROM repwatch.arf_report"
    "   WHERE inside_provider AND feedback_type = 'abuse')";

static const char *const total_keys[] = {
	"messages", "complaints", "duplicates", "not_a_report",
	"quarantined", "without_ip", "inside_provider",
};

#define N_TOTALS G_N_ELEMENTS(total_keys)

static void
add_totals(JsonBuilder *b, PGresult *res)
{
	for (int i = 0; i < (int)N_TOTALS; i++) {
		json_builder_set_member_name(b, total_keys[i]);
		json_builder_add_int_value(b, g_ascii_strtoll(
		    PQgetvalue(res, 0, i), NULL, 10));
	}
}

static void
add_groups(JsonBuilder *b, const char *name, PGresult *res)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_object(b);
	for (int i = 0; i < PQntuples(res); i++) {
		json_builder_set_member_name(b, PQgetvalue(res, i, 0));
		json_builder_add_int_value(b, g_ascii_strtoll(
		    PQgetvalue(res, i, 1), NULL, 10));
	}
	json_builder_end_object(b);
}

static void
print_json(FILE *out, PGresult *tot, PGresult *ft, PGresult *prov)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *n;
	char *s;

	json_builder_begin_object(b);
	add_totals(b, tot);
	add_groups(b, "by_feedback_type", ft);
	add_groups(b, "by_provider", prov);
	json_builder_end_object(b);
	n = json_builder_get_root(b);
	s = rw_json_to_string(n);
	fprintf(out, "%s\n", s);
	g_free(s);
	json_node_unref(n);
	g_object_unref(b);
}

static void
print_text(FILE *out, PGresult *tot, PGresult *ft, PGresult *prov)
{
	for (int i = 0; i < (int)N_TOTALS; i++)
		fprintf(out, "%-14s %s\n", total_keys[i], PQgetvalue(tot, 0, i));
	/* feedback types come from the reports: no control characters out */
	for (int i = 0; i < PQntuples(ft); i++) {
		g_autofree char *t = rw_out_text(PQgetvalue(ft, i, 0));

		fprintf(out, "feedback type  %-12s %s\n", t,
		    PQgetvalue(ft, i, 1));
	}
	for (int i = 0; i < PQntuples(prov); i++) {
		g_autofree char *t = rw_out_text(PQgetvalue(prov, i, 0));

		fprintf(out, "provider       %-12s %s\n", t,
		    PQgetvalue(prov, i, 1));
	}
}

int
arf_stats_print(struct rw_db *db, FILE *out, bool json)
{
	PGresult *tot = NULL, *ft = NULL, *prov = NULL;
	int rc = rw_db_query(&tot, db, totals_sql, 0, NULL);

	if (rc == 0)
		rc = rw_db_query(&ft, db, "SELECT feedback_type, count(*) FROM "
		    "repwatch.arf_report GROUP BY 1 ORDER BY 1", 0, NULL);
	if (rc == 0)
		rc = rw_db_query(&prov, db, "SELECT coalesce(provider, "
		    "'unknown'), count(*) FROM repwatch.arf_report GROUP BY 1 "
		    "ORDER BY 1", 0, NULL);
	if (rc == 0 && json)
		print_json(out, tot, ft, prov);
	else if (rc == 0)
		print_text(out, tot, ft, prov);
	PQclear(tot);
	PQclear(ft);
	PQclear(prov);
	return rc;
}

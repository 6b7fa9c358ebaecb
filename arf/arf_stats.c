/*
 * arf_stats - totals over everything ingested so far.
 */
#include <string.h>

#include "common/rw_db.h"
#include "common/rw_error.h"
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

const char *const arf_stats_total_names[ARF_STATS_TOTALS] = {
	"messages", "complaints", "duplicates", "not_a_report",
	"quarantined", "without_ip", "inside_provider",
};

static void
count_free(gpointer p)
{
	struct arf_stats_count *c = p;

	g_free(c->name);
	g_free(c);
}

/* group - rows of (name, count) */
static int
group(GPtrArray *out, struct rw_db *db, const char *sql)
{
	PGresult *res = NULL;
	int rc = rw_db_query(&res, db, sql, 0, NULL);

	for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
		struct arf_stats_count *c = g_new0(struct arf_stats_count, 1);

		c->name = g_strdup(PQgetvalue(res, i, 0));
		c->count = g_ascii_strtoll(PQgetvalue(res, i, 1), NULL, 10);
		g_ptr_array_add(out, c);
	}
	PQclear(res);
	return rc;
}

int
arf_stats_get(struct arf_stats *out, struct rw_db *db)
{
	PGresult *tot = NULL;
	int rc = rw_db_query(&tot, db, totals_sql, 0, NULL);

	memset(out, 0, sizeof(*out));
	out->by_feedback_type = g_ptr_array_new_with_free_func(count_free);
	out->by_provider = g_ptr_array_new_with_free_func(count_free);
	for (int i = 0; rc == 0 && i < ARF_STATS_TOTALS; i++)
		out->totals[i] = g_ascii_strtoll(PQgetvalue(tot, 0, i), NULL,
		    10);
	PQclear(tot);
	if (rc == 0)
		rc = group(out->by_feedback_type, db, "SELECT feedback_type, "
		    "count(*) FROM repwatch.arf_report GROUP BY 1 ORDER BY 1");
	if (rc == 0)
		rc = group(out->by_provider, db, "SELECT coalesce(provider, "
		    "'unknown'), count(*) FROM repwatch.arf_report GROUP BY 1 "
		    "ORDER BY 1");
	return rc;
}

void
arf_stats_clear(struct arf_stats *s)
{
	if (s->by_feedback_type != NULL)
		g_ptr_array_free(s->by_feedback_type, TRUE);
	if (s->by_provider != NULL)
		g_ptr_array_free(s->by_provider, TRUE);
	memset(s, 0, sizeof(*s));
}

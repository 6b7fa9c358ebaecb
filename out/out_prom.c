/*
 * out_prom - table-driven: each query yields label columns then value
 * columns; each metric names its value column. The MTA families (issue 15)
 * describe the latest day with MTA data, named by
 * repwatch_mta_day_timestamp_seconds.
 */
#include <string.h>

#include "out/out_prom.h"
#include "common/rw_error.h"
#include "common/rw_out.h"
#include "common/rw_util.h"

struct prom_metric {
	const char *name;
	const char *type; /* gauge or counter */
	const char *help;
	int col;          /* value column of the query */
};

struct prom_query {
	const char *sql;  /* $1: first day of the "latest" window */
	int nlabels;
	const char *labels[2];
	struct prom_metric metrics[8];
};

/* the latest SNDS day of each IP (within 30 days of the newest data) */
#define IP_SQL                                                              \
	"WITH latest AS (SELECT DISTINCT ON (f.ip) f.ip, f.net, f.day, "       \
	"f.recipients, f.complaints, f.complaint_rate, f.filter_rank "         \
	"FROM dashboard.ip_daily f WHERE f.has_snds_data AND f.day >= "        \
	"$1::date AND f.day <= repwatch.an_horizon() "                        \
	"ORDER BY f.ip, f.day DESC), snap AS (SELECT source, "                \
	"max(day) AS day FROM repwatch.snds_status_snapshot WHERE day <= "    \
	"repwatch.an_horizon() GROUP BY source), st AS (SELECT s.ip, "        \
	"bool_or(s.blocked) AS blocked FROM "                                  \
	"dashboard.ip_status s JOIN snap USING (source, day) GROUP BY s.ip), " \
	"al AS (SELECT subject, max(severity_rank) + 1 AS sev FROM "           \
	"dashboard.alert_open WHERE subject_kind = 'ip' GROUP BY subject) "    \
	"SELECT host(l.ip), coalesce(l.net::text, ''), "                       \
	"extract(epoch FROM l.day::timestamp)::bigint, l.recipients, "        \
	"l.complaints, l.complaint_rate, l.filter_rank, st.ip IS NOT NULL, "  \
	"coalesce(st.blocked, false), coalesce(al.sev, 0) FROM latest l "     \
	"LEFT JOIN st ON st.ip = l.ip LEFT JOIN al "                         \
	"ON al.subject = host(l.ip) "                                         \
	"ORDER BY l.ip"

/* the latest day with MTA data (the analyzer's zone, not after the
 * horizon; during a nightly run usually today, a partial day) and its
 * facts per IP (repwatch.mta_ip_day_facts) */
#define MTA_DAY_SQL                                                         \
	"WITH d AS (SELECT (max(a.hour) AT TIME ZONE "                        \
	"repwatch.an_timezone())::date AS day FROM "                          \
	"repwatch.mta_attempt_hour a WHERE a.hour < (repwatch.an_horizon() "  \
	"+ 1)::timestamp AT TIME ZONE repwatch.an_timezone() AND $1::date "   \
	"IS NOT NULL), f AS (SELECT f.* FROM d, "                             \
	"repwatch.mta_ip_day_facts(d.day, d.day) f) "

static const struct prom_query queries[] = {
	{IP_SQL, 2, {"ip", "net"}, {
	    {"repwatch_ip_snds_day_timestamp_seconds", "gauge",
		"Start of the IP's latest SNDS day (UTC midnight).", 2},
	    {"repwatch_ip_recipients", "gauge",
		"Recipients on the IP's latest SNDS day.", 3},
	    {"repwatch_ip_complaints", "gauge",
		"JMRP/ARF abuse complaints on the IP's latest SNDS day.", 4},
	    {"repwatch_ip_complaint_rate_ratio", "gauge",
		"Complaints / recipients on the IP's latest SNDS day.", 5},
	    {"repwatch_ip_filter_level", "gauge",
		"SNDS filter colour on the latest day: 1 GREEN, 2 YELLOW, "
		"3 RED.", 6},
	    {"repwatch_ip_listed", "gauge",
		"1 when the latest SNDS IP-status lists the IP.", 7},
	    {"repwatch_ip_blocked", "gauge",
		"1 when the latest SNDS IP-status blocks the IP.", 8},
	    {"repwatch_ip_alert_severity", "gauge",
		"Most severe open alert of the IP: 0 none, 1 info, 2 warning, "
		"3 critical.", 9},
	}},
	{MTA_DAY_SQL "SELECT host(f.ip), coalesce(f.net::text, ''), "
	    "f.attempts, coalesce(f.throttled, 0), coalesce(f.blocked, 0), "
	    "f.throttle_share FROM f ORDER BY f.ip", 2, {"ip", "net"}, {
	    {"repwatch_ip_mta_attempts", "gauge",
		"Delivery attempts to Microsoft on the latest day with MTA "
		"data (repwatch_mta_day_timestamp_seconds).", 2},
	    {"repwatch_ip_mta_throttled_attempts", "gauge",
		"Of those, deferred by Microsoft's IP-reputation throttling "
		"(4.7.650, 4.7.651).", 3},
	    {"repwatch_ip_mta_blocked_attempts", "gauge",
		"Of those, refused by a Microsoft block (S3140, S3150, "
		"5.7.511, 5.7.606-649).", 4},
	    {"repwatch_ip_mta_throttle_share_ratio", "gauge",
		"Throttled / attempts of the IP on the latest MTA day.", 5},
	}},
	{MTA_DAY_SQL "SELECT k.c, coalesce(sum(CASE k.c WHEN 'delivered' "
	    "THEN f.delivered WHEN 'deferred-throttle' THEN f.throttled WHEN "
	    "'deferred-other' THEN f.deferred_other WHEN 'blocked' THEN "
	    "f.blocked ELSE f.bounced_other END), 0) FROM d CROSS JOIN (VALUES "
	    "('blocked'), ('bounced-other'), ('deferred-other'), "
	    "('deferred-throttle'), ('delivered')) k(c) LEFT JOIN f ON true "
	    "WHERE d.day IS NOT NULL GROUP BY k.c ORDER BY k.c", 1, {"class"}, {
	    {"repwatch_mta_attempts", "gauge",
		"Delivery attempts to Microsoft on the latest day with MTA "
		"data, by class (zeros included).", 1},
	}},
	{MTA_DAY_SQL "SELECT extract(epoch FROM d.day::timestamp)::bigint, "
	    "(SELECT count(*) FROM f WHERE f.blocked > 0), (SELECT count(*) "
	    "FROM f WHERE f.throttled > 0), (SELECT count(*) FROM f) FROM d "
	    "WHERE d.day IS NOT NULL", 0, {NULL}, {
	    {"repwatch_mta_day_timestamp_seconds", "gauge",
		"Start of the latest day with MTA data (UTC midnight of the "
		"date in the analyzer's zone; may be today, a partial day).",
		0},
	    {"repwatch_mta_blocked_ips", "gauge",
		"IPs with a Microsoft block answer on the latest MTA day.", 1},
	    {"repwatch_mta_throttled_ips", "gauge",
		"IPs throttled by Microsoft on the latest MTA day.", 2},
	    {"repwatch_mta_ips", "gauge",
		"IPs with attempts to Microsoft on the latest MTA day.", 3},
	}},
	{"SELECT source, extract(epoch FROM max(finished_at))::bigint, "
	    "(array_agg(lines ORDER BY id DESC))[1], (array_agg(bad_lines "
	    "ORDER BY id DESC))[1] FROM repwatch.mta_load WHERE $1::date IS "
	    "NOT NULL GROUP BY source ORDER BY source", 1, {"source"}, {
	    {"repwatch_mta_last_load_timestamp_seconds", "gauge",
		"End of the MTA log source's last load (repwatch mta load, "
		"nightly).", 1},
	    {"repwatch_mta_last_load_lines", "gauge",
		"Log lines read by the source's last load.", 2},
	    {"repwatch_mta_last_load_bad_lines", "gauge",
		"Lines the source's last load could not read.", 3},
	}},
	{"SELECT subject, max(severity_rank) + 1 FROM dashboard.alert_open "
	    "WHERE subject_kind = 'cidr' AND $1::date IS NOT NULL GROUP BY "
	    "subject ORDER BY subject", 1, {"range"}, {
	    {"repwatch_range_alert_severity", "gauge",
		"Most severe open alert of the IP range: 1 info, 2 warning, "
		"3 critical.", 1},
	}},
	{"SELECT v.s, count(a.alert_id) FROM (VALUES ('info'), ('warning'), "
	    "('critical')) v(s) LEFT JOIN dashboard.alert_open a ON a.severity "
	    "= v.s WHERE $1::date IS NOT NULL GROUP BY v.s ORDER BY v.s", 1,
	    {"severity"}, {
	    {"repwatch_alerts_open", "gauge",
		"Open alerts by severity.", 1},
	}},
	/* incident_current holds open and escalated incidents only */
	{"SELECT v.s, v.st, count(c.incident_id), count(c.silenced_until) "
	    "FROM (SELECT s, st FROM unnest(ARRAY['info', 'warning', "
	    "'critical']) s, unnest(ARRAY['open', 'escalated']) st) v "
	    "LEFT JOIN repwatch.incident_current c ON c.severity = v.s AND "
	    "c.state = v.st WHERE $1::date IS NOT NULL GROUP BY v.s, v.st "
	    "ORDER BY v.s, v.st", 2, {"severity", "state"}, {
	    {"repwatch_incidents", "gauge",
		"Incidents open on the latest analyzed day, by severity and "
		"state (open, escalated).", 2},
	    {"repwatch_incidents_silenced", "gauge",
		"Of those, the incidents under a silence.", 3},
	}},
	{"SELECT source, extract(epoch FROM last_success)::bigint, "
	    "CASE kind WHEN 'link' THEN extract(epoch FROM "
	    "link_expires::timestamp)::bigint END, "
	    "(token_state = 'ok')::int, coalesce(token_state, "
	    "'none'), failures_24h FROM dashboard.feed_snds WHERE $1::date IS "
	    "NOT NULL ORDER BY source", 1, {"source"}, {
	    {"repwatch_source_last_success_timestamp_seconds", "gauge",
		"Last successful SNDS request of the source.", 1},
	    {"repwatch_source_link_expiry_timestamp_seconds", "gauge",
		"Start of the day the source's report links expire (UTC "
		"midnight; link sources).", 2},
	    {"repwatch_source_token_ok", "gauge",
		"1 when the source's OAuth token is usable (API sources).", 3},
	    {"repwatch_source_failed_requests_24h", "gauge",
		"Failed SNDS requests of the source in the last 24 hours.", 5},
	}},
	{"SELECT mailbox, extract(epoch FROM last_success)::bigint, "
	    "quarantined_total FROM dashboard.feed_mailbox WHERE $1::date IS "
	    "NOT NULL ORDER BY mailbox", 1, {"mailbox"}, {
	    {"repwatch_mailbox_last_success_timestamp_seconds", "gauge",
		"End of the mailbox's last successful ingest.", 1},
	    {"repwatch_mailbox_quarantined_total", "counter",
		"Messages of the mailbox quarantined (kept in the database).",
		2},
	}},
	{"SELECT 'nightly', count(*), count(*) FILTER (WHERE exit_code <> 0), "
	    "extract(epoch FROM max(finished_at))::bigint, (SELECT exit_code "
	    "FROM repwatch.run_log WHERE command = 'nightly' AND finished_at "
	    "IS NOT NULL ORDER BY id DESC LIMIT 1), (SELECT count(*) FROM "
	    "repwatch.arf_report WHERE lower(feedback_type) = 'abuse'), "
	    "(SELECT coalesce(sum(rows_loaded), 0) FROM "
	    "repwatch.snds_fetch_log), extract(epoch FROM now())::bigint "
	    "FROM repwatch.run_log WHERE command = 'nightly' AND "
	    "finished_at IS NOT NULL AND $1::date IS NOT NULL", 0, {NULL}, {
	    {"repwatch_nightly_runs_total", "counter",
		"Nightly runs recorded in repwatch.run_log.", 1},
	    {"repwatch_nightly_failed_runs_total", "counter",
		"Nightly runs that exited non-zero.", 2},
	    {"repwatch_nightly_last_run_timestamp_seconds", "gauge",
		"End of the last nightly run.", 3},
	    {"repwatch_nightly_last_exit_code", "gauge",
		"Exit status of the last nightly run (0 ok, 65, 69, 75, 78).",
		4},
	    {"repwatch_complaints_total", "counter",
		"Abuse complaints stored (after pruning).", 5},
	    {"repwatch_snds_rows_loaded_total", "counter",
		"SNDS data rows loaded, per the fetch log.", 6},
	    {"repwatch_export_timestamp_seconds", "gauge",
		"When this file was written.", 7},
	}},
};

void
out_prom_label_escape(GString *out, const char *value)
{
	/* valid UTF-8 without control characters, or node_exporter drops the
	 * whole file (a label can be a complaint's sending domain) */
	g_autofree char *clean = rw_out_text(value);

	for (const char *p = clean; *p; p++) {
		if (*p == '\\')
			g_string_append(out, "\\\\");
		else if (*p == '"')
			g_string_append(out, "\\\"");
		else if (*p == '\n')
			g_string_append(out, "\\n");
		else
			g_string_append_c(out, *p);
	}
}

static void
sample(GString *out, const struct prom_query *q, const struct prom_metric *m,
    PGresult *r, int row)
{
	const char *v = PQgetvalue(r, row, m->col);

	g_string_append(out, m->name);
	if (q->nlabels > 0)
		g_string_append_c(out, '{');
	for (int i = 0; i < q->nlabels; i++) {
		g_string_append_printf(out, "%s%s=\"", i ? "," : "",
		    q->labels[i]);
		out_prom_label_escape(out, PQgetvalue(r, row, i));
		g_string_append_c(out, '"');
	}
	if (q->nlabels > 0)
		g_string_append_c(out, '}');
	g_string_append_printf(out, " %s\n", strcmp(v, "t") == 0 ? "1" :
	    strcmp(v, "f") == 0 ? "0" : v);
}

static long
family(GString *out, const struct prom_query *q, const struct prom_metric *m,
    PGresult *r)
{
	long n = 0;

	g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", m->name,
	    m->help, m->name, m->type);
	for (int row = 0; row < PQntuples(r); row++) {
		if (PQgetisnull(r, row, m->col))
			continue;
		sample(out, q, m, r, row);
		n++;
	}
	return n;
}

int
out_prom_render(GString *out, long *out_series, struct rw_db *db)
{
	char *since = NULL;
	/* the latest day with data, SNDS or analyzed (MTA-only users) */
	int rc = rw_db_query1(&since, db, "SELECT coalesce(greatest("
	    "(SELECT max(day) FROM repwatch.snds_daily WHERE day <= "
	    "repwatch.an_horizon()), (SELECT max(day) FROM "
	    "repwatch.analysis_run WHERE day <= repwatch.an_horizon())) - 30, "
	    "current_date)::text", 0, NULL);

	*out_series = 0;
	for (size_t i = 0; rc == 0 && i < G_N_ELEMENTS(queries); i++) {
		const struct prom_query *q = &queries[i];
		const char *params[] = {since};
		PGresult *r = NULL;

		rc = rw_db_query(&r, db, q->sql, 1, params);
		for (int m = 0; rc == 0 && m < 8 && q->metrics[m].name; m++)
			*out_series += family(out, q, &q->metrics[m], r);
		PQclear(r);
	}
	g_free(since);
	return rc;
}

int
out_prom_write(long *out_series, struct rw_db *db, const char *path)
{
	GString *text = g_string_new(NULL);
	int rc = out_prom_render(text, out_series, db);

	if (rc == 0)
		rc = rw_write_output(path, text->str, text->len, 0644);
	if (rc != 0)
		rw_error_prefix("prometheus file \"%s\"", path);
	g_string_free(text, TRUE);
	return rc;
}

/*
 * an_run - one day: facts -> tests -> correction -> trends -> findings ->
 * alerts.
 */
#include <string.h>

#include "analyze/an_alerts.h"
#include "analyze/an_facts.h"
#include "analyze/an_incidents.h"
#include "analyze/an_mta.h"
#include "analyze/an_run.h"
#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_util.h"

/* test every IP and range, then correct over all of them at once */
static GPtrArray *
test_all(GPtrArray *ips, GPtrArray *ranges, const struct an_params *p)
{
	GPtrArray *all = g_ptr_array_sized_new(ips->len + ranges->len);

	for (guint i = 0; i < ips->len; i++)
		g_ptr_array_add(all, ips->pdata[i]);
	for (guint i = 0; i < ranges->len; i++)
		g_ptr_array_add(all, ranges->pdata[i]);
	for (guint i = 0; i < all->len; i++)
		an_rules_test_rising(all->pdata[i], p);
	an_rules_correct(all);
	an_rules_count_tests(all, p);
	return all;
}

static int
fit_trends(struct rw_db *db, const char *day, GPtrArray *all,
    const struct an_params *p)
{
	GPtrArray *need = g_ptr_array_new();
	int rc;

	for (guint i = 0; i < all->len; i++)
		if (an_rules_needs_trend(all->pdata[i], p))
			g_ptr_array_add(need, all->pdata[i]);
	rc = an_facts_trends(db, day, need, p);
	g_ptr_array_free(need, TRUE);
	return rc;
}

static bool
wants_forecast(const struct an_finding *f)
{
	return strstr(f->rule, "level") != NULL ||
	    strstr(f->rule, "rising") != NULL;
}

static void
subject_findings(GPtrArray *out, GPtrArray *all, bool day_has_data,
    const struct an_params *p)
{
	for (guint i = 0; i < all->len; i++) {
		const struct an_subject *s = all->pdata[i];
		guint from = out->len;

		an_rules_subject(out, s, p);
		if (day_has_data)
			an_rules_ip_missing(out, s, p);
		for (guint j = from; j < out->len; j++)
			if (wants_forecast(out->pdata[j]))
				an_finding_forecast(out->pdata[j], s, p);
	}
}

static int
health_findings(GPtrArray *out, struct rw_db *db, const char *day,
    GPtrArray *ips, const struct an_params *p)
{
	GPtrArray *sources = NULL, *listings = NULL;
	double complaints, unmatched, inside = 0;
	int rc;

	rc = an_facts_sources(&sources, db, day);
	for (guint i = 0; rc == 0 && i < sources->len; i++)
		an_rules_source(out, sources->pdata[i], p);
	if (rc == 0)
		rc = an_facts_listings(&listings, db, day);
	for (guint i = 0; rc == 0 && i < listings->len; i++)
		an_rules_listing(out, listings->pdata[i]);
	if (rc == 0)
		rc = an_facts_unmatched(&complaints, &unmatched, db, day, ips,
		    p);
	if (rc == 0)
		rc = an_facts_inside_provider(&inside, db, day, p);
	if (rc == 0)
		an_rules_unmatched_inside(out, complaints, unmatched, inside, p);
	if (sources != NULL)
		g_ptr_array_free(sources, TRUE);
	if (listings != NULL)
		g_ptr_array_free(listings, TRUE);
	return rc;
}

/* the MTA rules (issue 15); *out_only = MTA IPs the SNDS/complaint
 * subjects do not hold, so they count as subjects judged */
static int
mta_findings(GPtrArray *out, int *out_only, struct rw_db *db,
    const char *day, GPtrArray *all, const struct an_params *p)
{
	GPtrArray *mips = NULL;
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	int rc = an_mta_facts(&mips, db, day, p);

	*out_only = 0;
	for (guint i = 0; i < all->len; i++)
		g_hash_table_add(seen, ((struct an_subject *)all->pdata[i])->key);
	if (rc == 0) {
		an_mta_findings(out, mips, p);
		for (guint i = 0; i < mips->len; i++)
			*out_only += !g_hash_table_contains(seen,
			    ((struct an_mta_ip *)mips->pdata[i])->key);
	}
	g_hash_table_destroy(seen);
	g_ptr_array_free(mips, TRUE);
	return rc;
}

int
an_run_evaluate(GPtrArray **out_findings, int *out_subjects,
    struct rw_db *db, const char *day, const struct an_params *p)
{
	GPtrArray *ips = NULL, *ranges = NULL, *all = NULL;
	GPtrArray *findings = an_findings_new();
	bool has_data = false;
	int rc, mta_only = 0;

	*out_findings = NULL;
	rc = an_facts_window(&ips, db, day, p);
	if (rc == 0)
		rc = an_facts_day_has_data(&has_data, db, day);
	if (rc != 0)
		goto cleanup;
	ranges = an_subjects_ranges(ips, p);
	all = test_all(ips, ranges, p);
	rc = fit_trends(db, day, all, p);
	if (rc != 0)
		goto cleanup;
	subject_findings(findings, all, has_data, p);
	rc = health_findings(findings, db, day, ips, p);
	if (rc == 0)
		rc = mta_findings(findings, &mta_only, db, day, all, p);
	*out_subjects = (int)all->len + mta_only;
cleanup:
	if (rc == 0) {
		*out_findings = findings;
		findings = NULL;
	}
	if (findings != NULL)
		g_ptr_array_free(findings, TRUE);
	if (all != NULL)
		g_ptr_array_free(all, TRUE);
	if (ranges != NULL)
		g_ptr_array_free(ranges, TRUE);
	if (ips != NULL)
		g_ptr_array_free(ips, TRUE);
	return rc;
}

static void
count_severities(struct an_day_summary *out, GPtrArray *findings)
{
	out->findings = (int)findings->len;
	for (guint i = 0; i < findings->len; i++) {
		const struct an_finding *f = findings->pdata[i];

		if (f->severity == AN_CRITICAL)
			out->critical++;
		else if (f->severity == AN_WARNING)
			out->warning++;
	}
}

int
an_run_day(struct an_day_summary *out, struct rw_db *db, const char *day,
    const struct an_params *p)
{
	GPtrArray *findings = NULL;
	int rc;

	*out = (struct an_day_summary){0};
	rc = rw_db_begin(db);
	if (rc != 0)
		return rc;
	rc = an_run_evaluate(&findings, &out->subjects, db, day, p);
	if (rc == 0)
		rc = an_alerts_write_day(&out->open, db, day, findings,
		    out->subjects);
	if (rc == 0)
		rc = an_incidents_write_day(NULL, db, day, p->resolve_days);
	if (rc == 0)
		rc = rw_db_commit(db);
	else
		rw_db_rollback(db);
	if (findings != NULL) {
		count_severities(out, findings);
		g_ptr_array_free(findings, TRUE);
	}
	return rc;
}

int
an_run_range(struct rw_db *db, const char *from, const char *to,
    const struct an_params *p)
{
	GDate d, end;
	char day[11];
	int rc, refreshed = 0;

	rc = rw_parse_date(&d, from);
	if (rc == 0)
		rc = rw_parse_date(&end, to);
	if (rc != 0)
		return rw_error_set(RW_EUSAGE, "invalid day range %s..%s",
		    from, to);
	rc = an_facts_refresh(&refreshed, db);
	if (rc == 0)
		rw_log_debug("daily facts rebuilt for %d days", refreshed);
	while (rc == 0 && g_date_compare(&d, &end) <= 0) {
		struct an_day_summary s;

		rw_format_date(day, &d);
		rc = an_run_day(&s, db, day, p);
		if (rc == 0)
			rw_log_info("analyzed %s: %d subjects, %d alerts open "
			    "(%d critical, %d warning)", day, s.subjects,
			    s.open, s.critical, s.warning);
		g_date_add_days(&d, 1);
	}
	return rc;
}

/* the zone of the first [KIND.NAME] section that sets one */
static const char *
first_zone(const struct rw_config *cfg, const char *kind)
{
	char **names = rw_config_instances(cfg, kind);
	const char *tz = NULL;

	for (int i = 0; names != NULL && names[i] != NULL && !tz; i++) {
		g_autofree char *sec = g_strdup_printf("%s.%s", kind, names[i]);

		tz = rw_config_get(cfg, sec, "timezone");
	}
	g_strfreev(names);
	return tz;
}

/*
 * days are SNDS days when SNDS is configured or has data (sources stored
 * with "snds link set" have no section); a user with MTA logs only gets
 * the days of the first MTA source that names its zone
 */
int
an_run_sync_timezone(struct rw_db *db, const struct rw_config *cfg)
{
	const char *tz = first_zone(cfg, "snds");
	char *any = NULL;
	int rc = 0;

	if (tz == NULL)
		rc = rw_db_query1(&any, db, "SELECT EXISTS (SELECT 1 FROM "
		    "repwatch.snds_daily)", 0, NULL);
	if (rc == 0 && tz == NULL && g_strcmp0(any, "f") == 0)
		tz = first_zone(cfg, "mta");
	g_free(any);
	if (rc == 0 && tz != NULL)
		rc = an_facts_set_timezone(db, tz);
	return rc;
}

static int
count_days(int *out, const char *from, const char *to)
{
	GDate a, b;
	int rc = rw_parse_date(&a, from);

	if (rc == 0)
		rc = rw_parse_date(&b, to);
	*out = rc == 0 ? g_date_days_between(&a, &b) + 1 : 0;
	return rc;
}

int
an_run_analyze(struct an_run_totals *out, struct rw_db *db,
    const struct rw_config *cfg, const char *from, const char *to)
{
	struct an_params p;
	bool taken = false;
	int rc = rw_db_trylock(&taken, db, RW_LOCK_ANALYZE);

	*out = (struct an_run_totals){0};
	if (rc == 0 && !taken)
		rc = rw_error_set(RW_ETEMP, "another analyze is running");
	if (rc != 0)
		return rc;
	an_params_load(&p, cfg);
	rc = an_run_sync_timezone(db, cfg);
	if (rc == 0)
		rc = an_run_range(db, from, to, &p);
	if (rc == 0)
		rc = count_days(&out->days, from, to);
	if (rc == 0)
		rc = an_alerts_open_counts(&out->open, &out->critical, db);
	rw_db_unlock(db, RW_LOCK_ANALYZE);
	return rc;
}

int
an_run_pending(char **out_from, char **out_to, struct rw_db *db)
{
	g_autofree char *first = NULL;
	char *last = NULL;
	const char *params[2];
	char *from = NULL;
	int rc = an_facts_data_days(&first, &last, db);

	*out_from = *out_to = NULL;
	if (rc != 0 || last == NULL) {
		g_free(last);
		return rc;
	}
	params[0] = first;
	params[1] = last;
	rc = rw_db_query1(&from, db, "SELECT greatest($1::date, "
	    "least(coalesce(max(day) + 1, $1::date), $2::date - 2))::text "
	    "FROM repwatch.analysis_run WHERE day <= repwatch.an_horizon()",
	    2, params);
	if (rc == 0 && from != NULL) {
		*out_from = from;
		*out_to = last;
		return 0;
	}
	g_free(from);
	g_free(last);
	return rc;
}

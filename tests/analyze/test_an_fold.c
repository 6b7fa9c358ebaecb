/*
 * test_an_fold - an_fold_day without a database: a member turning critical
 * under a range whose own rules went quiet raises and escalates the range
 * incident (found in review: it was absorbed at the range's old severity,
 * with no escalation and no notification, until the range resolved).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/an_fold.h"

static struct an_evidence *
ev(const char *subj, bool range, const char *rule, enum an_severity sev,
    const char *start)
{
	struct an_evidence *e = g_new0(struct an_evidence, 1);

	e->subject = g_strdup(subj);
	e->is_range = range;
	e->net = range ? NULL : g_strdup("192.0.2.0/24");
	e->rule = g_strdup(rule);
	e->severity = sev;
	e->episode_start = g_strdup(start);
	e->num = (struct an_incident_numbers){NAN, NAN, NAN, NAN, -1, false,
	    NULL, NULL};
	return e;
}

static GPtrArray *
evidence(void)
{
	return g_ptr_array_new_with_free_func(
	    (GDestroyNotify)an_evidence_free);
}

static const struct an_incident *
find(GPtrArray *out, const char *subject)
{
	for (guint i = 0; i < out->len; i++) {
		const struct an_incident *x = out->pdata[i];

		if (strcmp(x->subject, subject) == 0)
			return x;
	}
	return NULL;
}

/* need - SUBJECT's incident, which must be there */
static const struct an_incident *
need(GPtrArray *out, const char *subject)
{
	const struct an_incident *x = find(out, subject);

	if (x == NULL) {
		fail_msg("no incident for %s", subject);
		abort();
	}
	return x;
}

static void
test_member_critical_under_quiet_range(void **state)
{
	GHashTable *resolved = g_hash_table_new(g_str_hash, g_str_equal);
	GPtrArray *e1 = evidence(), *e2 = evidence(), *none = g_ptr_array_new();
	GPtrArray *d1, *d2;
	const struct an_incident *r;

	(void)state;
	g_ptr_array_add(e1, ev("192.0.2.0/24", true, "range-rising",
	    AN_WARNING, "2026-08-01"));
	g_ptr_array_add(e1, ev("192.0.2.20", false, "rising", AN_WARNING,
	    "2026-08-01"));
	g_ptr_array_add(e1, ev("192.0.2.21", false, "rising", AN_WARNING,
	    "2026-08-01"));
	d1 = an_fold_day("2026-08-01", e1, none, resolved, 3);
	r = need(d1, "192.0.2.0/24");
	assert_int_equal(r->severity, AN_WARNING);
	/* day 2: the range's own rule stops, member .20 turns critical */
	g_ptr_array_add(e2, ev("192.0.2.20", false, "level", AN_CRITICAL,
	    "2026-08-02"));
	g_ptr_array_add(e2, ev("192.0.2.20", false, "rising", AN_WARNING,
	    "2026-08-01"));
	d2 = an_fold_day("2026-08-02", e2, d1, resolved, 3);
	r = need(d2, "192.0.2.0/24");
	if (r->severity != AN_CRITICAL)
		fail_msg("range severity: got %s, want critical",
		    an_severity_name(r->severity));
	if (r->state != AN_INC_ESCALATED)
		fail_msg("range state: got %s, want escalated",
		    an_incident_state_name(r->state));
	assert_string_equal(r->escalated_day, "2026-08-02");
	assert_null(find(d2, "192.0.2.20")); /* folded, not listed again */
	g_ptr_array_free(d2, TRUE);
	g_ptr_array_free(d1, TRUE);
	g_ptr_array_free(e1, TRUE);
	g_ptr_array_free(e2, TRUE);
	g_ptr_array_free(none, TRUE);
	g_hash_table_destroy(resolved);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_critical_under_quiet_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

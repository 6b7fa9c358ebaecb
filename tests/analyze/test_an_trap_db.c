/*
 * test_an_trap_db - the trap rule's facts read on a real PostgreSQL (label
 * db): rows in repwatch.an_ip_day as an_refresh_facts keeps them, then
 * an_facts_window for one day and the trap rule on its subjects.
 *
 *  - an IP with trap hits gets the recipients of the last spike_days days
 *    and the hits and recipients of its baseline days, each only of days
 *    with trap data, nothing after the analyzed day;
 *  - an IP without hits is not read (its numbers stay unknown);
 *  - after 2026-07-22 (no trap data) nobody is read, no trap finding.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "analyze/an_facts.h"
#include "analyze/an_noise.h"
#include "common/rw_error.h"
#include "tests/common/testdb.h"

/*
 * 2026-06-01 .. 2026-07-31, trap data until 2026-07-21:
 *  .10 clean: 3,000 a day, 1 hit every 4th day (day 0, 4, ...); no trap
 *      count on 2026-06-20 (a row without one)
 *  .20 the same, but 5 hits on each of 07-14 and 07-15
 *  .30 2,000 a day from 07-10 only (no baseline), 1 hit on 07-15, then
 *      40 hits a day on 20,000 recipients after it (look-ahead bait)
 *  .40 3,000 a day, never a hit
 */
static const char load_sql[] =
    "INSERT INTO repwatch.an_ip_day (day, ip, recipients, complaints, "
    "  trap_hits) "
    "SELECT g::date, '192.0.2.10'::inet, 3000, 0, CASE "
    "  WHEN g::date >= '2026-07-22' OR g::date = '2026-06-20' THEN NULL "
    "  WHEN (g::date - '2026-06-01'::date) % 4 = 0 THEN 1 ELSE 0 END "
    "FROM generate_series('2026-06-01'::date, '2026-07-31', '1 day') g "
    "UNION ALL "
    "SELECT g::date, '192.0.2.20'::inet, 3000, 0, CASE "
    "  WHEN g::date >= '2026-07-22' THEN NULL "
    "  WHEN g::date IN ('2026-07-14', '2026-07-15') THEN 5 "
    "  WHEN (g::date - '2026-06-01'::date) % 4 = 0 THEN 1 ELSE 0 END "
    "FROM generate_series('2026-06-01'::date, '2026-07-31', '1 day') g "
    "UNION ALL "
    "SELECT g::date, '192.0.2.30'::inet, "
    "  CASE WHEN g::date > '2026-07-15' THEN 20000 ELSE 2000 END, 0, CASE "
    "  WHEN g::date >= '2026-07-22' THEN NULL "
    "  WHEN g::date = '2026-07-15' THEN 1 "
    "  WHEN g::date > '2026-07-15' THEN 40 ELSE 0 END "
    "FROM generate_series('2026-07-10'::date, '2026-07-31', '1 day') g "
    "UNION ALL "
    "SELECT g::date, '192.0.2.40'::inet, 3000, 0, CASE "
    "  WHEN g::date >= '2026-07-22' THEN NULL ELSE 0 END "
    "FROM generate_series('2026-06-01'::date, '2026-07-31', '1 day') g";

struct trap_want {
	const char *ip;
	double traps_last, n_last, hits_base, n_base;
	int severity; /* -1: no trap finding */
};

static bool
same(double got, double want)
{
	return (isnan(got) && isnan(want)) || got == want;
}

/* the subjects of DAY: each of WANT with its trap numbers and finding */
static void
expect_day(struct rw_db *db, const char *day, const struct trap_want *want,
    size_t n)
{
	struct an_params p;
	GPtrArray *subjects = NULL;

	an_params_default(&p);
	testdb_check_rc(an_facts_window(&subjects, db, day, &p), "window");
	for (size_t i = 0; i < n; i++) {
		const struct trap_want *w = &want[i];
		const struct an_subject *s = NULL;
		GPtrArray *f = an_findings_new();
		int sev = -1;

		for (guint k = 0; k < subjects->len; k++)
			if (strcmp(((struct an_subject *)subjects->pdata[k])->key,
			    w->ip) == 0)
				s = subjects->pdata[k];
		if (s == NULL) {
			print_error("%s %s: no subject\n", day, w->ip);
			fail();
			continue;
		}
		an_noise_trap(f, s, &p);
		if (f->len > 0)
			sev = (int)((struct an_finding *)f->pdata[0])->severity;
		if (!same(s->traps_last, w->traps_last) ||
		    !same(s->trap_n_last, w->n_last) ||
		    !same(s->trap_hits_base, w->hits_base) ||
		    !same(s->trap_n_base, w->n_base) || sev != w->severity) {
			print_error("%s %s: got hits %g on %g, baseline %g on "
			    "%g, severity %d; want %g on %g, %g on %g, %d\n",
			    day, w->ip, s->traps_last, s->trap_n_last,
			    s->trap_hits_base, s->trap_n_base, sev,
			    w->traps_last, w->n_last, w->hits_base, w->n_base,
			    w->severity);
			fail();
		}
		g_ptr_array_free(f, TRUE);
	}
	g_ptr_array_free(subjects, TRUE);
}

static void
test_trap_facts(void **state)
{
	struct testdb_fx *f = *state;
	/*
	 * 2026-07-15: recent days 07-14, 07-15; baseline 06-11 .. 07-08
	 * (28 days, the 7-day window before it). Hits on days 12, 16, ...
	 * 36 after 06-01 in it: 7. .10 lacks the trap count of 06-20: 27
	 * days of recipients.
	 */
	static const struct trap_want mid[] = {
		{"192.0.2.10", 1, 6000, 7, 81000, AN_INFO},
		{"192.0.2.20", 10, 6000, 7, 84000, AN_WARNING},
		{"192.0.2.30", 1, 4000, NAN, NAN, AN_INFO},
		{"192.0.2.40", 0, NAN, NAN, NAN, -1},
	};
	/* 2026-07-25: no trap data in the last days, nothing read */
	static const struct trap_want late[] = {
		{"192.0.2.10", NAN, NAN, NAN, NAN, -1},
		{"192.0.2.20", NAN, NAN, NAN, NAN, -1},
		{"192.0.2.30", NAN, NAN, NAN, NAN, -1},
		{"192.0.2.40", NAN, NAN, NAN, NAN, -1},
	};

	TESTDB_REQUIRE();
	testdb_check_rc(rw_db_exec(f->db, load_sql), "load");
	expect_day(f->db, "2026-07-15", mid, G_N_ELEMENTS(mid));
	expect_day(f->db, "2026-07-25", late, G_N_ELEMENTS(late));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_trap_facts,
		    testdb_fx_setup, testdb_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * DB tests of analyze/an_incidents and an_silence against a real
 * PostgreSQL (label db): hand-made alert days go through
 * an_alerts_write_day and an_incidents_write_day as an_run_day writes
 * them; the incidents of each day are compared with what they should be.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "analyze/an_alerts.h"
#include "analyze/an_incidents.h"
#include "analyze/an_silence.h"
#include "common/rw_error.h"
#include "tests/common/testdb.h"

#include "an_day_lib.h"

static int
cmp_line(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the incidents of DAY, one line each, by subject:
 * "SUBJECT KIND STATE SEVERITY FIRST_DAY RULES MEMBERS" */
static char *
summary(struct testdb_fx *f, const char *day)
{
	GPtrArray *v = NULL;
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	char *out;

	testdb_check_rc(an_incidents_list(&v, f->db, day, day, false, AN_INFO),
	    "list");
	for (guint i = 0; i < v->len; i++) {
		const struct an_incident *x = v->pdata[i];
		char *rules = g_strjoinv(",", x->rules);

		g_ptr_array_add(lines, g_strdup_printf("%s %s %s %s %s %s %u",
		    x->subject, an_incident_kind(x),
		    an_incident_state_name(x->state),
		    an_severity_name(x->severity), x->first_day, rules,
		    x->members->len));
		g_free(rules);
	}
	g_ptr_array_sort(lines, cmp_line);
	g_ptr_array_add(lines, NULL);
	out = g_strjoinv("\n", (char **)lines->pdata);
	g_ptr_array_free(lines, TRUE);
	g_ptr_array_free(v, TRUE);
	return out;
}

static void
expect_day(struct testdb_fx *f, const char *day, const char *want)
{
	char *got = summary(f, day);

	if (strcmp(got, want) != 0) {
		print_error("incidents on %s:\n got:\n%s\n want:\n%s\n", day,
		    got, want);
		fail();
	}
	g_free(got);
}

/* one step of a table: the day's findings and the incidents it gives */
struct step {
	const char *day, *findings, *want;
};

static void
run_steps(struct testdb_fx *f, const struct step *steps, int resolve_days)
{
	for (int i = 0; steps[i].day != NULL; i++) {
		an_day_write(f, steps[i].day, steps[i].findings, resolve_days);
		expect_day(f, steps[i].day, steps[i].want);
	}
}

#define EIGHT_RISING                                                      \
	"ip 198.51.100.20 rising warning; ip 198.51.100.21 rising warning;" \
	"ip 198.51.100.22 rising warning; ip 198.51.100.23 rising warning;" \
	"ip 198.51.100.24 rising warning; ip 198.51.100.25 rising warning;" \
	"ip 198.51.100.26 rising warning; ip 198.51.100.27 rising warning"

/* one IP with four rules (and its /24 judged on its days alone) is one
 * incident; its first day is the earliest rule's */
static void
test_one_ip_four_rules(void **state)
{
	struct testdb_fx *f = *state;
	static const struct step steps[] = {
		{"2026-03-01", "ip 192.0.2.50 rising warning 0.004",
		    "192.0.2.50 ip open warning 2026-03-01 rising 0"},
		{"2026-03-02", "ip 192.0.2.50 rising warning 0.006;"
		    "ip 192.0.2.50 filter critical; ip 192.0.2.50 level "
		    "critical 0.006; ip 192.0.2.50 listed warning;"
		    "cidr 192.0.2.0/24 range-filter warning",
		    "192.0.2.50 ip escalated critical 2026-03-01 "
		    "filter,level,listed,range-filter,rising 0"},
		{NULL, NULL, NULL},
	};
	struct an_incident *x = NULL;

	TESTDB_REQUIRE();
	run_steps(f, steps, 2);
	testdb_check_rc(an_incident_get(&x, f->db, "192.0.2.50"), "get");
	assert_non_null(x);
	if (!x->num.listed || x->num.rate_7d != 0.006 ||
	    strcmp(x->num.message, "level on 192.0.2.50") != 0) {
		print_error("evidence: got listed %d rate %g message \"%s\", "
		    "want listed 1 rate 0.006 message \"level on "
		    "192.0.2.50\"\n", x->num.listed, x->num.rate_7d,
		    x->num.message);
		fail();
	}
	an_incident_free(x);
}

/* a /24 with eight rising members is one range incident, no IP ones */
static void
test_range_eight_members(void **state)
{
	struct testdb_fx *f = *state;
	static const struct step steps[] = {
		{"2026-03-01", "cidr 198.51.100.0/24 range-rising warning",
		    "198.51.100.0/24 range open warning 2026-03-01 "
		    "range-rising 0"},
		{"2026-03-02", "cidr 198.51.100.0/24 range-rising warning;"
		    "cidr 198.51.100.24-198.51.100.25 listed warning;"
		    EIGHT_RISING,
		    "198.51.100.0/24 range open warning 2026-03-01 "
		    "listed,range-rising,rising 8"},
		{NULL, NULL, NULL},
	};
	struct an_incident *x = NULL;

	TESTDB_REQUIRE();
	run_steps(f, steps, 2);
	testdb_check_rc(an_incident_get(&x, f->db, "198.51.100.0/24"), "get");
	assert_non_null(x);
	assert_int_equal(x->members->len, 8);
	assert_string_equal(((struct an_incident_member *)
	    x->members->pdata[0])->ip, "198.51.100.20");
	assert_true(x->num.listed);
	an_incident_free(x);
}

/* the range resolves (no range rule for 2 days) while a member keeps
 * rising: that member becomes its own IP incident */
static void
test_member_outlives_range(void **state)
{
	struct testdb_fx *f = *state;
	static const struct step steps[] = {
		{"2026-03-01", "cidr 198.51.100.0/24 range-rising warning;"
		    EIGHT_RISING,
		    "198.51.100.0/24 range open warning 2026-03-01 "
		    "range-rising,rising 8"},
		{"2026-03-02", "ip 198.51.100.20 rising warning",
		    "198.51.100.0/24 range open warning 2026-03-01 "
		    "range-rising,rising 1"},
		{"2026-03-03", "ip 198.51.100.20 rising warning",
		    "198.51.100.0/24 range resolved warning 2026-03-01 "
		    "range-rising,rising 0\n"
		    "198.51.100.20 ip open warning 2026-03-01 rising 0"},
		{"2026-03-04", "ip 198.51.100.20 rising critical",
		    "198.51.100.20 ip escalated critical 2026-03-01 rising 0"},
		{NULL, NULL, NULL},
	};

	TESTDB_REQUIRE();
	run_steps(f, steps, 2);
}

/* a second IP joining a one-IP range makes it a range incident; the IP
 * incident open until then resolves into it */
static void
test_ip_folds_into_range(void **state)
{
	struct testdb_fx *f = *state;
	static const struct step steps[] = {
		{"2026-03-01", "ip 198.51.100.20 rising warning;"
		    "cidr 198.51.100.0/24 range-rising warning",
		    "198.51.100.20 ip open warning 2026-03-01 "
		    "range-rising,rising 0"},
		{"2026-03-02", "ip 198.51.100.20 rising warning;"
		    "ip 198.51.100.21 rising warning;"
		    "cidr 198.51.100.0/24 range-rising warning",
		    "198.51.100.0/24 range open warning 2026-03-01 "
		    "range-rising,rising 2\n"
		    "198.51.100.20 ip resolved warning 2026-03-01 "
		    "range-rising,rising 0"},
		{NULL, NULL, NULL},
	};
	GPtrArray *v = NULL;

	TESTDB_REQUIRE();
	run_steps(f, steps, 2);
	testdb_check_rc(an_incidents_list(&v, f->db, "2026-03-02", "2026-03-02",
	    false, AN_INFO), "list");
	for (guint i = 0; i < v->len; i++) {
		const struct an_incident *x = v->pdata[i];

		if (!x->is_range)
			assert_non_null(x->folded_into);
	}
	g_ptr_array_free(v, TRUE);
}

static const struct step reopen_steps[] = {
	{"2026-03-01", "ip 203.0.113.5 rising warning",
	    "203.0.113.5 ip open warning 2026-03-01 rising 0"},
	{"2026-03-02", "ip 203.0.113.5 rising warning;"
	    "ip 203.0.113.5 level critical",
	    "203.0.113.5 ip escalated critical 2026-03-01 level,rising 0"},
	{"2026-03-03", "",
	    "203.0.113.5 ip escalated critical 2026-03-01 level,rising 0"},
	{"2026-03-04", "",
	    "203.0.113.5 ip resolved critical 2026-03-01 level,rising 0"},
	{"2026-03-05", "", ""},
	{"2026-03-06", "ip 203.0.113.5 rising warning",
	    "203.0.113.5 ip open warning 2026-03-06 rising 0"},
	{NULL, NULL, NULL},
};

static char *
id_on(struct testdb_fx *f, const char *day)
{
	GPtrArray *v = NULL;
	char *id;

	testdb_check_rc(an_incidents_list(&v, f->db, day, day, false, AN_INFO),
	    "list");
	assert_int_equal(v->len, 1);
	id = g_strdup(((struct an_incident *)v->pdata[0])->id);
	g_ptr_array_free(v, TRUE);
	return id;
}

/* escalate, resolve after 2 quiet days, reopen with a new id */
static void
test_escalate_resolve_reopen(void **state)
{
	struct testdb_fx *f = *state;
	char *a, *b, *c;

	TESTDB_REQUIRE();
	run_steps(f, reopen_steps, 2);
	a = id_on(f, "2026-03-01");
	b = id_on(f, "2026-03-04");
	c = id_on(f, "2026-03-06");
	assert_string_equal(a, b);
	if (strcmp(a, c) == 0) {
		print_error("reopened incident: got id %s again, want a new "
		    "one\n", c);
		fail();
	}
	assert_true(an_incident_is_id(a));
	g_free(a);
	g_free(b);
	g_free(c);
}

/* every incident row of every day, for comparing replays */
static char *
history(struct testdb_fx *f)
{
	GPtrArray *v = NULL;
	GString *s = g_string_new(NULL);

	testdb_check_rc(an_incidents_list(&v, f->db, "2026-01-01", "2026-12-31",
	    false, AN_INFO), "list");
	for (guint i = 0; i < v->len; i++) {
		const struct an_incident *x = v->pdata[i];

		g_string_append_printf(s, "%s %s %s %s %s\n", x->day, x->id,
		    x->subject, an_incident_state_name(x->state),
		    an_severity_name(x->severity));
	}
	g_ptr_array_free(v, TRUE);
	return g_string_free(s, FALSE);
}

/* replaying the same days, over the stored ones or from nothing, gives
 * the same incidents with the same ids */
static void
test_replay_same_ids(void **state)
{
	struct testdb_fx *f = *state;
	static const struct step more[] = {
		{"2026-03-07", "cidr 198.51.100.0/24 range-rising warning;"
		    EIGHT_RISING, NULL},
		{"2026-03-08", "ip 198.51.100.20 rising warning", NULL},
		{NULL, NULL, NULL},
	};
	char *first = NULL, *again;

	TESTDB_REQUIRE();
	for (int round = 0; round < 2; round++) {
		for (int i = 0; reopen_steps[i].day != NULL; i++)
			an_day_write(f, reopen_steps[i].day,
			    reopen_steps[i].findings, 2);
		for (int i = 0; more[i].day != NULL; i++)
			an_day_write(f, more[i].day, more[i].findings, 2);
		if (round == 0)
			first = history(f);
	}
	again = history(f);
	if (strcmp(first, again) != 0) {
		print_error("replay:\n got:\n%s\n want:\n%s\n", again, first);
		fail();
	}
	g_free(again);
	testdb_check_rc(rw_db_exec(f->db, "TRUNCATE repwatch.incident CASCADE"),
	    "truncate");
	for (int i = 0; reopen_steps[i].day != NULL; i++)
		an_day_write(f, reopen_steps[i].day, reopen_steps[i].findings,
		    2);
	for (int i = 0; more[i].day != NULL; i++)
		an_day_write(f, more[i].day, more[i].findings, 2);
	again = history(f);
	if (strcmp(first, again) != 0) {
		print_error("replay from nothing:\n got:\n%s\n want:\n%s\n",
		    again, first);
		fail();
	}
	g_free(again);
	g_free(first);
}

/* the subjects of the notify set, space-separated as "SUBJECT:EVENT" */
static char *
pending(struct testdb_fx *f)
{
	GPtrArray *v = NULL;
	GString *s = g_string_new(NULL);

	testdb_check_rc(an_incidents_pending(&v, f->db), "pending");
	for (guint i = 0; i < v->len; i++) {
		const struct an_incident *x = v->pdata[i];

		g_string_append_printf(s, "%s%s:%s", i ? " " : "", x->subject,
		    x->event);
	}
	g_ptr_array_free(v, TRUE);
	return g_string_free(s, FALSE);
}

static void
expect_pending(struct testdb_fx *f, const char *when, const char *want)
{
	char *got = pending(f);

	if (strcmp(got, want) != 0) {
		print_error("pending %s: got \"%s\", want \"%s\"\n", when, got,
		    want);
		fail();
	}
	g_free(got);
}

/* a silenced incident is not in the notify set until it escalates; it
 * stays listed, marked */
static void
test_silence_until_escalation(void **state)
{
	struct testdb_fx *f = *state;
	struct an_silence *s = NULL;
	struct an_incident *x = NULL;
	GPtrArray *v = NULL;
	int lifted = 0;

	TESTDB_REQUIRE();
	an_day_write(f, "2026-03-01", "ip 192.0.2.50 rising warning;"
	    "ip 192.0.2.60 rising warning", 2);
	expect_pending(f, "before the silence",
	    "192.0.2.50:new 192.0.2.60:new");
	testdb_check_rc(an_silence_set(&s, f->db, "192.0.2.50", "2026-03-09",
	    "on it", "alice"), "silence");
	assert_string_equal(s->created_by, "alice");
	assert_string_equal(s->from_day, "2026-03-01");
	assert_true(s->active);
	an_silence_free(s);
	expect_pending(f, "silenced", "192.0.2.60:new");
	testdb_check_rc(an_incidents_pending(&v, f->db), "pending");
	testdb_check_rc(an_incidents_mark_notified(f->db, v), "mark");
	g_ptr_array_free(v, TRUE);
	testdb_check_rc(an_incident_get(&x, f->db, "192.0.2.50"), "get");
	assert_string_equal(x->silenced_until, "2026-03-09");
	an_incident_free(x);
	an_day_write(f, "2026-03-02", "ip 192.0.2.50 rising warning", 2);
	expect_pending(f, "silenced, same severity", "");
	an_day_write(f, "2026-03-03", "ip 192.0.2.50 level critical", 2);
	expect_pending(f, "escalated after the silence",
	    "192.0.2.50:escalated");
	testdb_check_rc(an_incidents_pending(&v, f->db), "pending");
	testdb_check_rc(an_incidents_mark_notified(f->db, v), "mark");
	g_ptr_array_free(v, TRUE);
	expect_pending(f, "after sending", "");
	testdb_check_rc(an_silence_unset(&lifted, f->db, "192.0.2.50", "bob"),
	    "unsilence");
	assert_int_equal(lifted, 1);
	testdb_check_rc(an_silence_list(&v, f->db, true), "silences");
	assert_int_equal(v->len, 1);
	assert_string_equal(((struct an_silence *)v->pdata[0])->lifted_by,
	    "bob");
	g_ptr_array_free(v, TRUE);
}

/* a silence by id covers that incident only, not a later one; a resolved
 * incident cannot be silenced */
static void
test_silence_by_id(void **state)
{
	struct testdb_fx *f = *state;
	struct an_incident *x = NULL;
	char *x_id;

	TESTDB_REQUIRE();
	an_day_write(f, "2026-03-01", "ip 192.0.2.50 rising warning", 1);
	testdb_check_rc(an_incident_get(&x, f->db, "192.0.2.50"), "get");
	testdb_check_rc(an_silence_set(NULL, f->db, x->id, "2026-03-09", NULL,
	    "alice"), "silence");
	x_id = g_strdup(x->id);
	an_incident_free(x);
	expect_pending(f, "silenced by id", "");
	an_day_write(f, "2026-03-02", "", 1);
	an_day_write(f, "2026-03-03", "ip 192.0.2.50 rising warning", 1);
	expect_pending(f, "reopened", "192.0.2.50:new");
	assert_int_equal(an_silence_set(NULL, f->db, x_id, "2026-03-09", NULL,
	    "alice"), RW_EUSAGE);
	if (strstr(rw_error_message(), "resolved on 2026-03-02") == NULL) {
		print_error("silence of a resolved incident: got \"%s\", want "
		    "\"...resolved on 2026-03-02...\"\n", rw_error_message());
		fail();
	}
	rw_error_clear();
	g_free(x_id);
}

/* bad silences: RW_EUSAGE with the target in the message */
static void
test_silence_refused(void **state)
{
	struct testdb_fx *f = *state;
	static const struct {
		const char *target, *until, *note, *who, *want;
	} cases[] = {
		{"192.0.2.x", "2026-03-09", NULL, "alice", "\"192.0.2.x\""},
		{"198.51.0.0/16", "2026-03-09", NULL, "alice",
		    "\"198.51.0.0/16\""},
		{"inc-000000000000", "2026-03-09", NULL, "alice",
		    "no incident inc-000000000000"},
		{"198.51.100.21", "2026-03-09", NULL, "alice",
		    "198.51.100.21 is a member of incident"},
		{"192.0.2.50", "2026-02-28", NULL, "alice",
		    "192.0.2.50 until 2026-02-28 ends before"},
		{"192.0.2.50", "2026-13-01", NULL, "alice",
		    "silence of 192.0.2.50: \"2026-13-01\" is no day"},
		{"192.0.2.50", "2026-03-09", NULL, "", "silence of 192.0.2.50"},
		{"", "2026-03-09", NULL, "alice", "no subject"},
	};

	TESTDB_REQUIRE();
	an_day_write(f, "2026-03-01", "ip 192.0.2.50 rising warning;"
	    "cidr 198.51.100.0/24 range-rising warning;" EIGHT_RISING, 2);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		int rc = an_silence_set(NULL, f->db, cases[i].target,
		    cases[i].until, cases[i].note, cases[i].who);

		if (rc != RW_EUSAGE || strstr(rw_error_message(),
		    cases[i].want) == NULL) {
			print_error("silence \"%s\" until %s: got %d \"%s\", "
			    "want %d \"...%s...\"\n", cases[i].target,
			    cases[i].until, rc, rw_error_message(), RW_EUSAGE,
			    cases[i].want);
			fail();
		}
		rw_error_clear();
	}
	assert_int_equal(an_silence_unset(NULL, f->db, "192.0.2.50", "bob"),
	    RW_EUSAGE);
	rw_error_clear();
}

/* one query's rows as "a|b|c" lines */
static char *
q(struct testdb_fx *f, const char *sql)
{
	PGresult *r = NULL;
	GString *s = g_string_new(NULL);

	testdb_check_rc(rw_db_query(&r, f->db, sql, 0, NULL), sql);
	for (int i = 0; i < PQntuples(r); i++) {
		for (int j = 0; j < PQnfields(r); j++)
			g_string_append_printf(s, "%s%s", j ? "|" : "",
			    PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j));
		g_string_append_c(s, '\n');
	}
	PQclear(r);
	return g_string_free(s, FALSE);
}

/* the dashboard view: one row per current incident, silences shown,
 * readable by repwatch_reader (the tables behind it are not) */
static void
test_current_view(void **state)
{
	struct testdb_fx *f = *state;
	const char *want =
	    "192.0.2.50|ip|critical|{}|t|2026-03-09\n"
	    "198.51.100.0/24|range|warning|{198.51.100.20,198.51.100.21,"
	    "198.51.100.22,198.51.100.23,198.51.100.24,198.51.100.25,"
	    "198.51.100.26,198.51.100.27}|f|NULL\n";
	char *got;

	TESTDB_REQUIRE();
	an_day_write(f, "2026-03-01", "ip 203.0.113.9 trap warning", 1);
	an_day_write(f, "2026-03-02", "ip 192.0.2.50 listed critical;"
	    "cidr 198.51.100.0/24 range-rising warning;" EIGHT_RISING, 1);
	testdb_check_rc(an_silence_set(NULL, f->db, "192.0.2.50", "2026-03-09",
	    "ticket 42", "alice"), "silence");
	testdb_check_rc(rw_db_exec(f->db, "SET ROLE repwatch_reader"), "role");
	got = q(f, "SELECT subject, kind, severity, members, listed, "
	    "silenced_until FROM repwatch.incident_current ORDER BY subject");
	if (strcmp(got, want) != 0) {
		print_error("incident_current:\n got:\n%s want:\n%s", got, want);
		fail();
	}
	g_free(got);
	assert_int_not_equal(rw_db_exec(f->db, "SELECT count(*) FROM "
	    "repwatch.incident_day"), 0);
	rw_error_clear();
	testdb_check_rc(rw_db_exec(f->db, "RESET ROLE"), "reset");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_ip_four_rules, testdb_fx_setup,
		    testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_range_eight_members,
		    testdb_fx_setup, testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_member_outlives_range,
		    testdb_fx_setup, testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_ip_folds_into_range,
		    testdb_fx_setup, testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_escalate_resolve_reopen,
		    testdb_fx_setup, testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_replay_same_ids, testdb_fx_setup,
		    testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_silence_until_escalation, testdb_fx_setup, testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_silence_by_id, testdb_fx_setup,
		    testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_silence_refused, testdb_fx_setup,
		    testdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_current_view, testdb_fx_setup,
		    testdb_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * an_silence - checked silences: the target resolved to a subject (and an
 * incident), the day checked against the latest analyzed day.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "analyze/an_incidents.h"
#include "analyze/an_silence.h"
#include "common/rw_error.h"
#include "common/rw_util.h"

void
an_silence_free(struct an_silence *s)
{
	if (s == NULL)
		return;
	g_free(s->subject);
	g_free(s->incident_id);
	g_free(s->until);
	g_free(s->note);
	g_free(s->created_by);
	g_free(s->created_at);
	g_free(s->from_day);
	g_free(s->lifted_by);
	g_free(s->lifted_at);
	g_free(s);
}

/* an IPv4 /24 "a.b.c.d/24" as its network "a.b.c.0/24" */
static bool
parse_range(char **out, const char *text)
{
	const char *slash = strchr(text, '/');
	char addr[INET_ADDRSTRLEN];
	unsigned char b[4];

	if (slash == NULL || (size_t)(slash - text) >= sizeof(addr) ||
	    strcmp(slash, "/24") != 0)
		return false;
	memcpy(addr, text, (size_t)(slash - text));
	addr[slash - text] = '\0';
	if (inet_pton(AF_INET, addr, b) != 1)
		return false;
	*out = g_strdup_printf("%u.%u.%u.0/24", b[0], b[1], b[2]);
	return true;
}

/* an IP in its canonical text (as PostgreSQL's host() writes it) */
static bool
parse_ip(char **out, const char *text)
{
	unsigned char b[16];
	char buf[INET6_ADDRSTRLEN];
	int af = strchr(text, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(af, text, b) != 1 ||
	    inet_ntop(af, b, buf, sizeof(buf)) == NULL)
		return false;
	*out = g_strdup(buf);
	return true;
}

static int
parse_subject(char **out, const char *target)
{
	if (strchr(target, '/') ? parse_range(out, target) :
	    parse_ip(out, target))
		return 0;
	return rw_error_set(RW_EUSAGE, "\"%s\" is neither an IP address, a "
	    "/24 range nor an incident id", target);
}

static int
latest_day(char **out, struct rw_db *db)
{
	return rw_db_query1(out, db, "SELECT max(day)::text FROM "
	    "repwatch.analysis_run WHERE day <= repwatch.an_horizon()", 0,
	    NULL);
}

/* the range incident an IP is a member of on the latest day (NULL) */
static int
member_of(char **out, struct rw_db *db, const char *ip, const char *day)
{
	const char *params[] = {ip, day};

	*out = NULL;
	if (day == NULL)
		return 0;
	return rw_db_query1(out, db, "SELECT m.incident_id || ' (' || "
	    "i.subject || ')' FROM repwatch.incident_member_day m "
	    "JOIN repwatch.incident_day d USING (incident_id, day) "
	    "JOIN repwatch.incident i ON i.id = m.incident_id "
	    "WHERE m.ip = $1 AND m.day = $2::date AND d.state <> 'resolved' "
	    "LIMIT 1", 2, params);
}

/* TARGET -> subject and incident id (NULL for a subject silence) */
static int
resolve_target(char **out_subject, char **out_id, struct rw_db *db,
    const char *target, const char *latest)
{
	struct an_incident *inc = NULL;
	char *range = NULL;
	int rc;

	*out_subject = *out_id = NULL;
	if (an_incident_is_id(target)) {
		rc = an_incident_get(&inc, db, target);
		if (rc == 0 && inc == NULL) {
			rc = rw_error_set(RW_EUSAGE, "no incident %s", target);
			rw_error_hint("\"repwatch alerts\" lists the incidents "
			    "with their ids.");
		}
		if (rc == 0 && inc->state == AN_INC_RESOLVED)
			rc = rw_error_set(RW_EUSAGE, "incident %s (%s) resolved "
			    "on %s: nothing to silence", target, inc->subject,
			    inc->resolved_day);
		if (rc == 0) {
			*out_subject = g_strdup(inc->subject);
			*out_id = g_strdup(inc->id);
		}
		an_incident_free(inc);
		return rc;
	}
	rc = parse_subject(out_subject, target);
	if (rc == 0 && strchr(*out_subject, '/') == NULL)
		rc = member_of(&range, db, *out_subject, latest);
	if (rc == 0 && range != NULL) {
		rc = rw_error_set(RW_EUSAGE, "%s is a member of incident %s",
		    target, range);
		rw_error_hint("Silence the range incident (its subject or id).");
	}
	g_free(range);
	return rc;
}

static int
check_input(const char *target, const char *until, const char *note,
    const char *who, const char *latest)
{
	GDate d;

	if (target == NULL || *target == '\0')
		return rw_error_set(RW_EUSAGE, "silence: no subject or "
		    "incident id given");
	if (rw_parse_date(&d, until) != 0)
		return rw_error_set(RW_EUSAGE, "silence of %s: \"%s\" is no "
		    "day (want YYYY-MM-DD)", target, until ? until : "");
	if (latest != NULL && strcmp(until, latest) < 0)
		return rw_error_set(RW_EUSAGE, "silence of %s until %s ends "
		    "before the latest analyzed day %s", target, until, latest);
	if (note != NULL && (strlen(note) > AN_SILENCE_NOTE_MAX ||
	    !g_utf8_validate(note, -1, NULL)))
		return rw_error_set(RW_EUSAGE, "silence of %s: the note must "
		    "be UTF-8 text of at most %d bytes", target,
		    AN_SILENCE_NOTE_MAX);
	if (who == NULL || *who == '\0')
		return rw_error_set(RW_EUSAGE, "silence of %s: no user name "
		    "to record", target);
	return 0;
}

#define SILENCE_COLS                                                      \
	"s.id, s.subject, s.incident_id, s.until::text, s.note, "           \
	"s.created_by, to_char(s.created_at AT TIME ZONE 'UTC', "          \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), s.from_day::text, s.lifted_by, " \
	"to_char(s.lifted_at AT TIME ZONE 'UTC', "                         \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), s.lifted_at IS NULL AND "       \
	"s.until >= coalesce((SELECT max(x.day) FROM repwatch.analysis_run " \
	"x WHERE x.day <= repwatch.an_horizon()), s.until)"

static struct an_silence *
silence_at(const PGresult *r, int row)
{
	struct an_silence *s = g_new0(struct an_silence, 1);
	char **slots[] = {&s->subject, &s->incident_id, &s->until, &s->note,
	    &s->created_by, &s->created_at, &s->from_day, &s->lifted_by,
	    &s->lifted_at};

	s->id = g_ascii_strtoll(PQgetvalue(r, row, 0), NULL, 10);
	for (int c = 0; c < (int)G_N_ELEMENTS(slots); c++)
		*slots[c] = PQgetisnull(r, row, c + 1) ? NULL :
		    g_strdup(PQgetvalue(r, row, c + 1));
	s->active = strcmp(PQgetvalue(r, row, 10), "t") == 0;
	return s;
}

/* replace the silence in force on the same target, else add one;
 * $1 subject, $2 id, $3 until, $4 note, $5 who, $6 latest day */
static const char set_sql[] =
    "WITH old AS (UPDATE repwatch.silence SET lifted_at = now(), "
    "  lifted_by = $5 WHERE lifted_at IS NULL AND subject = $1 "
    "  AND incident_id IS NOT DISTINCT FROM $2 "
    "  AND until >= coalesce($6::date, until) RETURNING id) "
    "INSERT INTO repwatch.silence AS s (subject, incident_id, until, note, "
    "  created_by, from_day) "
    "SELECT $1, $2, $3::date, coalesce($4, ''), $5, $6::date "
    "RETURNING " SILENCE_COLS;

int
an_silence_set(struct an_silence **out, struct rw_db *db,
    const char *target, const char *until, const char *note,
    const char *who)
{
	char *latest = NULL, *subject = NULL, *id = NULL;
	PGresult *r = NULL;
	int rc = latest_day(&latest, db);

	if (out != NULL)
		*out = NULL;
	if (rc == 0)
		rc = check_input(target, until, note, who, latest);
	if (rc == 0)
		rc = resolve_target(&subject, &id, db, target, latest);
	if (rc == 0) {
		const char *params[] = {subject, id, until, note, who, latest};

		rc = rw_db_query(&r, db, set_sql, 6, params);
	}
	if (rc == 0 && out != NULL && PQntuples(r) == 1)
		*out = silence_at(r, 0);
	PQclear(r);
	g_free(latest);
	g_free(subject);
	g_free(id);
	return rc;
}

/* $1 target (id or subject), $2 who, $3 latest day */
static const char unset_sql[] =
    "UPDATE repwatch.silence SET lifted_at = now(), lifted_by = $2 "
    "WHERE lifted_at IS NULL AND until >= coalesce($3::date, until) "
    "AND (incident_id = $1 OR subject = $1 OR subject = (SELECT "
    "  i.subject FROM repwatch.incident i WHERE i.id = $1)) "
    "RETURNING id";

int
an_silence_unset(int *out_lifted, struct rw_db *db, const char *target,
    const char *who)
{
	char *latest = NULL, *subject = NULL;
	PGresult *r = NULL;
	int rc = latest_day(&latest, db);

	if (out_lifted != NULL)
		*out_lifted = 0;
	if (rc == 0 && (target == NULL || *target == '\0'))
		rc = rw_error_set(RW_EUSAGE, "unsilence: no subject or "
		    "incident id given");
	else if (rc == 0 && (who == NULL || *who == '\0'))
		rc = rw_error_set(RW_EUSAGE, "unsilence of %s: no user name "
		    "to record", target);
	else if (rc == 0 && !an_incident_is_id(target))
		rc = parse_subject(&subject, target);
	if (rc == 0) {
		const char *params[] = {subject ? subject : target, who, latest};

		rc = rw_db_query(&r, db, unset_sql, 3, params);
	}
	if (rc == 0 && PQntuples(r) == 0) {
		rc = rw_error_set(RW_EUSAGE, "%s has no silence in force",
		    target);
		rw_error_hint("\"repwatch alerts silences\" lists them.");
	}
	if (rc == 0 && out_lifted != NULL)
		*out_lifted = PQntuples(r);
	PQclear(r);
	g_free(latest);
	g_free(subject);
	return rc;
}

int
an_silence_list(GPtrArray **out, struct rw_db *db, bool all)
{
	const char *params[] = {all ? "t" : "f"};
	PGresult *r = NULL;
	int rc = rw_db_query(&r, db, "SELECT * FROM (SELECT " SILENCE_COLS
	    " AS active FROM repwatch.silence s) x "
	    "WHERE $1::boolean OR x.active ORDER BY x.until, x.subject, x.id",
	    1, params);

	*out = g_ptr_array_new_with_free_func((GDestroyNotify)an_silence_free);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		g_ptr_array_add(*out, silence_at(r, i));
	PQclear(r);
	return rc;
}

/*
 * out_notify - pending incidents and data-health alerts as JSON lines
 * (json-glib), a command fed on stdin, a webhook POST with libcurl.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "analyze/an_incidents.h"
#include "common/rw_json.h"
#include "out/out_notify.h"
#include "common/rw_error.h"
#include "common/rw_http.h"
#include "common/rw_log.h"
#include "common/rw_mask.h"

/* ---- what to send ------------------------------------------------- */

/* the data-health alerts (no IP or range subject, so no incident: stale
 * fetch, link expiry, login, unmatched complaints): open warning or
 * critical, never sent or sent at a lower severity */
static const char health_sql[] =
    "SELECT a.id, CASE WHEN a.notified_severity IS NULL THEN 'new' "
    "ELSE 'escalated' END, a.subject_kind, a.subject, a.source, a.rule, "
    "a.severity, a.notified_severity, a.first_day::text, a.last_day::text, "
    "a.details::text FROM repwatch.alert a WHERE a.state = 'open' AND "
    "a.subject_kind NOT IN ('ip', 'cidr') AND "
    "a.severity <> 'info' AND (a.notified_severity IS NULL OR "
    "repwatch.severity_rank(a.severity) > "
    "repwatch.severity_rank(a.notified_severity)) "
    "ORDER BY repwatch.severity_rank(a.severity) DESC, a.id";

static const char *const health_fields[] = {
	"alert_id", "event", "subject_kind", "subject", "source", "rule",
	"severity", "previous_severity", "first_day", "last_day",
};

static JsonNode *
health_json(PGresult *r, int row)
{
	JsonObject *o = json_object_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	JsonNode *details = json_from_string(PQgetvalue(r, row, 10), NULL);

	for (int c = 0; c < (int)G_N_ELEMENTS(health_fields); c++) {
		if (PQgetisnull(r, row, c))
			json_object_set_null_member(o, health_fields[c]);
		else if (c == 0)
			json_object_set_int_member(o, health_fields[c],
			    g_ascii_strtoll(PQgetvalue(r, row, c), NULL, 10));
		else
			json_object_set_string_member(o, health_fields[c],
			    PQgetvalue(r, row, c));
		if (c == 1) /* after "event": what the line is */
			json_object_set_string_member(o, "kind", "health");
	}
	if (details != NULL && JSON_NODE_HOLDS_OBJECT(details)) {
		JsonObject *d = json_node_get_object(details);

		if (json_object_has_member(d, "message"))
			json_object_set_string_member(o, "message",
			    json_object_get_string_member(d, "message"));
	}
	if (details != NULL)
		json_object_set_member(o, "details", details);
	json_node_take_object(node, o);
	return node;
}

static void
set_opt_string(JsonObject *o, const char *key, const char *v)
{
	if (v == NULL)
		json_object_set_null_member(o, key);
	else
		json_object_set_string_member(o, key, v);
}

static JsonArray *
string_array(char *const *v)
{
	JsonArray *a = json_array_new();

	for (int k = 0; v != NULL && v[k] != NULL; k++)
		json_array_add_string_element(a, v[k]);
	return a;
}

/* incident_json - the keys of "alerts --format json", plus "event" */
static JsonNode *
incident_json(const struct an_incident *i)
{
	JsonObject *o = json_object_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	JsonArray *members = json_array_new();

	json_object_set_string_member(o, "incident_id", i->id);
	json_object_set_string_member(o, "event", i->event != NULL ?
	    i->event : "new");
	json_object_set_string_member(o, "subject", i->subject);
	json_object_set_string_member(o, "kind", an_incident_kind(i));
	json_object_set_string_member(o, "severity",
	    an_severity_name(i->severity));
	json_object_set_string_member(o, "state",
	    an_incident_state_name(i->state));
	set_opt_string(o, "first_day", i->first_day);
	set_opt_string(o, "last_day", i->last_day);
	json_object_set_array_member(o, "rules", string_array(i->rules));
	for (guint k = 0; k < i->members->len; k++)
		json_array_add_string_element(members, ((const struct
		    an_incident_member *)i->members->pdata[k])->ip);
	json_object_set_array_member(o, "members", members);
	rw_json_set_number(o, "rate_7d", i->num.rate_7d);
	rw_json_set_number(o, "recipients_7d", i->num.recipients_7d);
	rw_json_set_number(o, "complaints_7d", i->num.complaints_7d);
	rw_json_set_number(o, "baseline_rate", i->num.baseline_rate);
	if (i->num.forecast_days < 0)
		json_object_set_null_member(o, "forecast_days");
	else
		json_object_set_int_member(o, "forecast_days",
		    i->num.forecast_days);
	json_object_set_boolean_member(o, "listed", i->num.listed);
	set_opt_string(o, "filter", i->num.filter);
	set_opt_string(o, "message", i->num.message);
	set_opt_string(o, "silenced_until", i->silenced_until);
	json_node_take_object(node, o);
	return node;
}

static void
append_line(GString *lines, JsonNode *n)
{
	char *text = rw_json_to_string(n);

	g_string_append_printf(lines, "%s\n", text);
	g_free(text);
	json_node_unref(n);
}

/* what one run sends: the JSON lines, then what to mark once sent */
struct pending {
	GString *lines;
	GPtrArray *incidents;   /* struct an_incident */
	GPtrArray *alert_ids;   /* the health alerts' ids (text) */
};

static void
pending_clear(struct pending *p)
{
	if (p->lines != NULL)
		g_string_free(p->lines, TRUE);
	if (p->incidents != NULL)
		g_ptr_array_free(p->incidents, TRUE);
	if (p->alert_ids != NULL)
		g_ptr_array_free(p->alert_ids, TRUE);
}

static int
pending_load(struct pending *p, struct rw_db *db)
{
	PGresult *r = NULL;
	int rc;

	p->lines = g_string_new(NULL);
	p->alert_ids = g_ptr_array_new_with_free_func(g_free);
	rc = an_incidents_pending(&p->incidents, db);
	for (guint k = 0; rc == 0 && k < p->incidents->len; k++)
		append_line(p->lines, incident_json(p->incidents->pdata[k]));
	if (rc == 0)
		rc = rw_db_query(&r, db, health_sql, 0, NULL);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		append_line(p->lines, health_json(r, i));
		g_ptr_array_add(p->alert_ids, g_strdup(PQgetvalue(r, i, 0)));
	}
	PQclear(r);
	return rc;
}

int
out_notify_pending(char **out_lines, struct rw_db *db)
{
	struct pending p = {0};
	int rc = pending_load(&p, db);

	*out_lines = g_string_free(p.lines, FALSE);
	p.lines = NULL;
	pending_clear(&p);
	return rc;
}

/* ---- command -------------------------------------------------------- */

static int
wait_child(GPid pid, const char *cmd, int timeout)
{
	gint64 end = g_get_monotonic_time() + (gint64)timeout * G_USEC_PER_SEC;
	int st = 0;
	pid_t got;

	while ((got = waitpid(pid, &st, WNOHANG)) == 0 &&
	    g_get_monotonic_time() < end)
		g_usleep(20000);
	if (got == 0) {
		/* the whole group: "/bin/sh -c" forks, and a killed shell
		 * leaves its children holding our stdout open to the end */
		if (kill(-pid, SIGKILL) != 0)
			kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return rw_error_set(RW_ETEMP, "notify command timed out after "
		    "%d s: %s", timeout, cmd);
	}
	if (got < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return rw_error_set(RW_EUNAVAIL, "notify command failed (%s): "
		    "%s", got < 0 ? g_strerror(errno) : WIFEXITED(st) ?
		    "non-zero exit" : "killed by a signal", cmd);
	return 0;
}

/* stdin_file - the lines in an unlinked temporary file (no pipe deadlock
 * with a command that does not read) */
static int
stdin_file(int *out_fd, const char *lines)
{
	GError *err = NULL;
	char *path = NULL;
	int fd = g_file_open_tmp("repwatch-notify-XXXXXX", &path, &err);
	size_t len = strlen(lines), off = 0;

	if (fd < 0) {
		rw_error_set(RW_EIO, "cannot create a temporary file: %s",
		    err->message);
		g_error_free(err);
		return RW_EIO;
	}
	unlink(path);
	g_free(path);
	while (off < len) {
		ssize_t n = write(fd, lines + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return rw_error_set(RW_EIO, "cannot write temporary "
			    "file: %s", g_strerror(errno));
		}
		off += (size_t)n;
	}
	lseek(fd, 0, SEEK_SET);
	*out_fd = fd;
	return 0;
}

/* own_group - in the child: a process group of its own, so a time-out
 * can kill everything the command started */
static void
own_group(gpointer data)
{
	(void)data;
	setpgid(0, 0);
}

static int
run_command(const char *cmd, const char *lines, int timeout)
{
	char *argv[] = {g_strdup("/bin/sh"), g_strdup("-c"), g_strdup(cmd),
	    NULL};
	GError *err = NULL;
	GPid pid;
	int fd = -1;
	int rc = stdin_file(&fd, lines);

	if (rc != 0) {
		for (int i = 0; argv[i] != NULL; i++)
			g_free(argv[i]);
		return rc;
	}
	if (!g_spawn_async_with_fds(NULL, argv, NULL,
	    G_SPAWN_DO_NOT_REAP_CHILD, own_group, NULL, &pid, fd, -1, -1,
	    &err)) {
		rc = rw_error_set(RW_ECONFIG, "cannot run notify command: %s",
		    err->message);
		g_error_free(err);
	} else {
		setpgid(pid, pid); /* also here: no race with an early kill */
		rc = wait_child(pid, cmd, timeout);
		g_spawn_close_pid(pid);
	}
	close(fd);
	for (int i = 0; argv[i] != NULL; i++)
		g_free(argv[i]);
	return rc;
}

/* ---- webhook -------------------------------------------------------- */

static char *
webhook_body(const char *lines)
{
	JsonArray *a = json_array_new();
	JsonObject *o = json_object_new();
	JsonNode *root = json_node_new(JSON_NODE_OBJECT);
	g_auto(GStrv) each = g_strsplit(lines, "\n", -1);
	char *text;

	for (int i = 0; each[i] != NULL; i++) {
		JsonNode *n = *each[i] ? json_from_string(each[i], NULL) : NULL;

		if (n != NULL)
			json_array_add_element(a, n);
	}
	json_object_set_array_member(o, "alerts", a);
	json_node_take_object(root, o);
	text = rw_json_to_string(root);
	json_node_unref(root);
	return text;
}

/* one POST: 0 on 2xx, RW_ETEMP worth a retry, RW_EUNAVAIL not; the
 * message names the webhook */
static int
post_once(struct rw_http *h, const char *url, const char *masked)
{
	long code;

	/* whatever stopped the transfer is worth another try */
	if (rw_http_perform(h, url) != 0)
		return rw_error_recode(RW_ETEMP);
	code = rw_http_response_code(h);
	if (code >= 200 && code < 300)
		return 0;
	if (code >= 500 || code == 429 || code == 408)
		return rw_error_set(RW_ETEMP, "webhook %s: HTTP status %ld",
		    masked, code);
	return rw_error_set(RW_EUNAVAIL, "webhook %s: HTTP status %ld",
	    masked, code);
}

static int
post_webhook(const char *url, const char *lines, int timeout, int retries)
{
	g_autofree char *body = webhook_body(lines);
	/* the whole URL is the credential (Slack .../services/T/B/KEY) */
	g_autofree char *masked = rw_mask_webhook(url);
	g_autofree char *name = g_strdup_printf("webhook %s", masked);
	const struct rw_http_opts o = {.name = name, .timeout = timeout};
	struct curl_slist *hdrs = NULL;
	struct rw_http *h = NULL;
	int rc = rw_http_new(&h, &o);

	if (rc == 0) {
		hdrs = curl_slist_append(NULL,
		    "Content-Type: application/json");
		curl_easy_setopt(rw_http_curl(h), CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(rw_http_curl(h), CURLOPT_POSTFIELDS, body);
		rc = RW_ETEMP;
	}
	for (int i = 0; h != NULL && i <= retries && rc == RW_ETEMP; i++) {
		if (i > 0) {
			rw_log_warning("%s; retry %d of %d", rw_error_message(),
			    i, retries);
			g_usleep((gulong)(G_USEC_PER_SEC << (i - 1 < 5 ? i - 1 :
			    5)));
		}
		rc = post_once(h, url, masked);
	}
	rw_http_free(h);
	curl_slist_free_all(hdrs);
	return rc;
}

/* mark_sent - the incidents and health alerts of P as sent, together */
static int
mark_sent(struct rw_db *db, const struct pending *p)
{
	g_autoptr(GString) ids = g_string_new(NULL);
	const char *params[1];
	int rc = rw_db_begin(db);

	rw_db_array_literal(ids, (const char *const *)p->alert_ids->pdata,
	    p->alert_ids->len);
	params[0] = ids->str;

	if (rc == 0)
		rc = an_incidents_mark_notified(db, p->incidents);
	if (rc == 0)
		rc = rw_db_query(NULL, db, "UPDATE repwatch.alert SET "
		    "notified_severity = severity WHERE id = ANY "
		    "($1::bigint[])", 1, params);
	if (rc == 0)
		return rw_db_commit(db);
	{
		struct rw_error_saved *saved = rw_error_save();

		rw_db_rollback(db);
		rw_error_restore(saved);
	}
	return rc;
}

/*
 * both_channels - post to the webhook after the command returned CMD_RC;
 * one recorded error says what happened to each channel
 */
static int
both_channels(int cmd_rc, const char *url, const char *lines, int timeout,
    int retries)
{
	g_autofree char *cmd_msg = cmd_rc != 0 ?
	    g_strdup(rw_error_message()) : NULL;
	int hook_rc;

	rw_error_clear();
	hook_rc = post_webhook(url, lines, timeout, retries);
	if (cmd_rc == 0)
		return hook_rc;
	if (hook_rc == 0) {
		rw_error_set(cmd_rc, "%s (the webhook took the alerts; they "
		    "will be sent again)", cmd_msg);
		return cmd_rc;
	}
	rw_error_prefix("%s; also", cmd_msg);
	return rw_status_worse(cmd_rc, hook_rc);
}

int
out_notify_run(int *out_sent, struct rw_db *db, const struct rw_config *cfg)
{
	const char *cmd = rw_config_get(cfg, "notify", "command");
	const char *url = rw_config_get(cfg, "notify", "webhook_url");
	int timeout = (int)rw_config_int(cfg, "notify", "timeout");
	int retries = (int)rw_config_int(cfg, "notify", "retries");
	struct pending p = {0};
	int worst = 0;
	/* a resolved alert that reopens is new again (not on --dry-run) */
	int rc = rw_db_exec(db, "UPDATE repwatch.alert SET notified_severity "
	    "= NULL WHERE state = 'resolved' AND notified_severity IS NOT "
	    "NULL");
	int count;

	if (rc == 0)
		rc = pending_load(&p, db);
	count = rc == 0 ? (int)(p.incidents->len + p.alert_ids->len) : 0;

	*out_sent = 0;
	if (rc == 0 && count > 0 && cmd != NULL && *cmd)
		worst = run_command(cmd, p.lines->str, timeout);
	if (rc == 0 && count > 0 && url != NULL && *url)
		worst = both_channels(worst, url, p.lines->str, timeout,
		    retries);
	if (rc == 0)
		rc = worst;
	if (rc == 0 && count > 0)
		rc = mark_sent(db, &p);
	if (rc == 0)
		*out_sent = count;
	pending_clear(&p);
	return rc;
}

/*
 * out_notify - pending alerts as JSON (json-glib), a command fed on stdin, a
 * webhook POST with libcurl.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "common/rw_json.h"
#include "out/out_notify.h"
#include "common/rw_error.h"
#include "common/rw_http.h"
#include "common/rw_log.h"
#include "common/rw_mask.h"

/* every open warning or critical alert never sent, or sent at a lower
 * severity (info is evidence, e.g. one YELLOW day: not worth a message) */
static const char pending_sql[] =
    "SELECT a.id, CASE WHEN a.notified_severity IS NULL THEN 'new' "
    "ELSE 'escalated' END, a.subject_kind, a.subject, a.source, a.rule, "
    "a.severity, a.notified_severity, a.first_day::text, a.last_day::text, "
    "a.details::text FROM repwatch.alert a WHERE a.state = 'open' AND "
    "a.severity <> 'info' AND (a.notified_severity IS NULL OR "
    "repwatch.severity_rank(a.severity) > "
    "repwatch.severity_rank(a.notified_severity)) "
    "ORDER BY repwatch.severity_rank(a.severity) DESC, a.id";

static const char *const fields[] = {
	"alert_id", "event", "subject_kind", "subject", "source", "rule",
	"severity", "previous_severity", "first_day", "last_day",
};

static JsonNode *
alert_json(PGresult *r, int row)
{
	JsonObject *o = json_object_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	JsonNode *details = json_from_string(PQgetvalue(r, row, 10), NULL);

	for (int c = 0; c < (int)G_N_ELEMENTS(fields); c++) {
		if (PQgetisnull(r, row, c))
			json_object_set_null_member(o, fields[c]);
		else if (c == 0)
			json_object_set_int_member(o, fields[c],
			    g_ascii_strtoll(PQgetvalue(r, row, c), NULL, 10));
		else
			json_object_set_string_member(o, fields[c],
			    PQgetvalue(r, row, c));
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

int
out_notify_pending(char **out_lines, char **out_ids, int *out_count,
    struct rw_db *db)
{
	PGresult *r = NULL;
	GString *lines = g_string_new(NULL);
	GString *ids = g_string_new("{");
	int rc = rw_db_exec(db, "UPDATE repwatch.alert SET notified_severity "
	    "= NULL WHERE state = 'resolved' AND notified_severity IS NOT "
	    "NULL");

	if (rc == 0)
		rc = rw_db_query(&r, db, pending_sql, 0, NULL);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		JsonNode *n = alert_json(r, i);
		char *text = rw_json_to_string(n);

		g_string_append_printf(lines, "%s\n", text);
		g_string_append_printf(ids, "%s%s", i ? "," : "",
		    PQgetvalue(r, i, 0));
		g_free(text);
		json_node_unref(n);
	}
	*out_count = rc == 0 ? PQntuples(r) : 0;
	g_string_append_c(ids, '}');
	PQclear(r);
	*out_lines = g_string_free(lines, FALSE);
	*out_ids = g_string_free(ids, FALSE);
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

static int
mark_sent(struct rw_db *db, const char *ids)
{
	const char *params[] = {ids};

	return rw_db_query(NULL, db, "UPDATE repwatch.alert SET "
	    "notified_severity = severity WHERE id = ANY ($1::bigint[])", 1,
	    params);
}

int
out_notify_run(int *out_sent, struct rw_db *db, const struct rw_config *cfg)
{
	const char *cmd = rw_config_get(cfg, "notify", "command");
	const char *url = rw_config_get(cfg, "notify", "webhook_url");
	int timeout = (int)rw_config_int(cfg, "notify", "timeout");
	int retries = (int)rw_config_int(cfg, "notify", "retries");
	char *lines = NULL, *ids = NULL;
	int count = 0, worst = 0;
	int rc = out_notify_pending(&lines, &ids, &count, db);

	*out_sent = 0;
	if (rc == 0 && count > 0 && cmd != NULL && *cmd)
		worst = run_command(cmd, lines, timeout);
	if (rc == 0 && count > 0 && url != NULL && *url) {
		int cmd_rc = worst;

		if (cmd_rc != 0)
			rw_error_print(); /* keep the command's error visible */
		worst = rw_status_worse(worst, post_webhook(url, lines,
		    timeout, retries));
		if (worst == cmd_rc && cmd_rc != 0)
			rw_error_set(cmd_rc, "notify command failed (the "
			    "webhook took the alerts; they will be sent "
			    "again)");
	}
	if (rc == 0)
		rc = worst;
	if (rc == 0 && count > 0)
		rc = mark_sent(db, ids);
	if (rc == 0)
		*out_sent = count;
	g_free(lines);
	g_free(ids);
	return rc;
}

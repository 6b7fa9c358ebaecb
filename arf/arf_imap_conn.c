/*
 * arf_imap_conn - the IMAP source's connection: libcurl (common/rw_http)
 * connects and logs in, then tagged commands go out and replies come in
 * on its socket, each command within its deadline, reconnecting on a lost
 * or silent connection (see arf_imap.c).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "common/rw_error.h"
#include "common/rw_http.h"
#include "common/rw_log.h"
#include "arf/arf_imap_int.h"

#define RETRIES 3


/* a handle that connects and logs in only: the commands are ours */
static int
new_handle(struct imap *m)
{
	const struct arf_source_opts *o = &m->base.opts;
	const struct rw_http_opts ho = {
		.protocols = "imap,imaps",
		.ca_file = o->ca_file,
		.connect_timeout = o->timeout,
		.timeout = 2 * o->timeout,
	};
	int rc = rw_http_new(&m->http, &ho);
	CURL *c;

	if (rc != 0)
		return rc;
	c = rw_http_curl(m->http);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, o->timeout);
	if (o->user != NULL)
		curl_easy_setopt(c, CURLOPT_USERNAME, o->user);
	if (o->password != NULL)
		curl_easy_setopt(c, CURLOPT_PASSWORD, o->password);
	if (o->bearer != NULL) {
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, o->bearer);
		curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2");
	}
	return 0;
}

void
arf_imap_conn_close(struct imap *m)
{
	rw_http_free(m->http);
	m->http = NULL;
	arf_imap_reader_reset(m->rd);
}

/*
 * A server that keeps talking but never finishes (untagged "* OK" lines
 * once a second) is as stuck as a silent one: the command has run out of
 * time. Another connection would fare no better, so no retry; the run
 * stops with a temporary failure and the next one tries again.
 */
static int
past_deadline(struct imap *m)
{
	if (g_get_monotonic_time() < m->deadline)
		return 0;
	m->final = true;
	return rw_error_set(RW_ETEMP, "the imap server did not finish "
	    "answering within %ld s", m->limit);
}

/*
 * wait until the socket is ready for EVENTS, at most timeout seconds of
 * silence and never past the command's deadline
 */
static int
wait_sock(struct imap *m, short events)
{
	struct pollfd p = {.fd = (int)m->sock, .events = events};
	gint64 silence = (gint64)m->base.opts.timeout * 1000;
	gint64 left;
	int n;

	do {
		left = (m->deadline - g_get_monotonic_time()) / 1000 + 1;
		n = poll(&p, 1, (int)CLAMP(MIN(silence, left), 0, G_MAXINT));
	} while (n < 0 && errno == EINTR);
	if (n > 0)
		return 0;
	if (left <= silence)
		return past_deadline(m);
	return rw_error_set(RW_ETEMP, "no answer from the imap server for "
	    "%ld s", m->base.opts.timeout);
}

int
arf_imap_conn_fill(void *ctx, char *buf, size_t cap, size_t *out_n)
{
	struct imap *m = ctx;

	for (;;) {
		CURLcode c;
		int rc = past_deadline(m);

		if (rc != 0)
			return rc;
		c = curl_easy_recv(rw_http_curl(m->http), buf, cap, out_n);
		if (c == CURLE_OK)
			return 0;
		if (c != CURLE_AGAIN)
			return rw_error_set(RW_ETEMP, "could not read from the "
			    "imap server: %s", curl_easy_strerror(c));
		rc = wait_sock(m, POLLIN);
		if (rc != 0)
			return rc;
	}
}

static int
conn_send(struct imap *m, const char *line, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t n = 0;
		CURLcode c = curl_easy_send(rw_http_curl(m->http), line + off,
		    len - off, &n);
		int rc = 0;

		if (c == CURLE_AGAIN)
			rc = wait_sock(m, POLLOUT);
		else if (c != CURLE_OK)
			rc = rw_error_set(RW_ETEMP, "could not send to the imap "
			    "server: %s", curl_easy_strerror(c));
		if (rc != 0)
			return rc;
		off += n;
	}
	return 0;
}

/* the slowest transfer a command's deadline allows for, bytes/s */
#define MIN_RATE (64 * 1024)

/* send "TAG CMD" and read the reply; BODY_TOTAL caps its message bytes */
int
arf_imap_exec_once(struct imap *m, const char *cmd, struct arf_imap_reply *out,
    size_t body_total)
{
	char tag[24];
	struct arf_imap_limits lim = m->lim;
	char *line;
	int rc;

	/* timeout seconds per command, plus time for the bodies it fetches */
	m->limit = m->base.opts.timeout + (long)(body_total / MIN_RATE);
	m->deadline = g_get_monotonic_time() + (gint64)m->limit *
	    G_USEC_PER_SEC;
	g_snprintf(tag, sizeof(tag), "rw%u", ++m->tag);
	line = g_strdup_printf("%s %s\r\n", tag, cmd);
	lim.total_max = body_total;
	rw_log_debug("%s: %s %s", m->where, tag, cmd);
	rc = conn_send(m, line, strlen(line));
	if (rc == 0)
		rc = arf_imap_read_reply(out, m->rd, tag, &lim);
	g_free(line);
	return rc;
}

static int
select_folder(struct imap *m)
{
	struct arf_imap_reply r;
	char *cmd = g_strdup_printf("SELECT %s", m->folder_q);
	int rc;

	arf_imap_reply_init(&r);
	rc = arf_imap_exec_once(m, cmd, &r, 0);
	if (rc == 0 && r.status != 'O')
		rc = rw_error_set(RW_EUNAVAIL, "could not select the folder: %s",
		    r.text != NULL ? r.text : "");
	else if (rc == 0 && r.uidvalidity < 0)
		rc = rw_error_set(RW_EUNAVAIL, "no UIDVALIDITY in the SELECT "
		    "response");
	else if (rc == 0 && m->uidvalidity >= 0 &&
	    r.uidvalidity != m->uidvalidity)
		rc = rw_error_set(RW_ETEMP, "UIDVALIDITY changed from %lld to "
		    "%lld during the run; the next run reads the folder again",
		    (long long)m->uidvalidity, (long long)r.uidvalidity);
	else if (rc == 0)
		m->uidvalidity = r.uidvalidity;
	/* answered but refused: another connection will not help */
	m->final = m->final || (rc != 0 && r.status != 0);
	arf_imap_reply_clear(&r);
	g_free(cmd);
	return rc;
}

/* connect, log in (libcurl), select the folder */
int
arf_imap_conn_open(struct imap *m)
{
	CURLcode c;
	int rc = new_handle(m);

	if (rc != 0)
		return rc;
	rw_http_perform(m->http, m->base_url);
	c = rw_http_result(m->http);
	if (c == CURLE_OK)
		c = curl_easy_getinfo(rw_http_curl(m->http),
		    CURLINFO_ACTIVESOCKET, &m->sock);
	if (c == CURLE_OK && m->sock == CURL_SOCKET_BAD)
		c = CURLE_GOT_NOTHING;
	arf_imap_reader_reset(m->rd);
	m->final = m->final || c == CURLE_LOGIN_DENIED;
	/* IMAP's own message: the callers' prefix (where) names the URL */
	rc = c == CURLE_OK ? select_folder(m) :
	    rw_error_set(rw_http_transient(c) || c == CURLE_LOGIN_DENIED ?
	    RW_ETEMP : RW_EUNAVAIL, "could not log in: %s",
	    curl_easy_strerror(c));
	if (rc != 0)
		arf_imap_conn_close(m);
	return rc;
}

/* CMD with reconnects (OUT initialised by the caller): a lost or silent connection is opened again and
 * CMD repeated (every command here may be: FETCH is PEEK, MOVE of moved
 * UIDs moves nothing) */
int
arf_imap_exec(struct imap *m, const char *cmd, struct arf_imap_reply *out,
    size_t body_total)
{
	int rc = 0;

	for (int attempt = 0; attempt <= RETRIES; attempt++) {
		if (attempt > 0) {
			rw_log_info("%s: %s; connecting again", m->where,
			    rw_error_message());
			rw_error_clear();
			g_usleep((gulong)(250000 << attempt));
			arf_imap_reply_clear(out);
			arf_imap_reply_init(out);
		}
		m->final = false;
		rc = m->http != NULL ? 0 : arf_imap_conn_open(m);
		if (rc == 0)
			rc = arf_imap_exec_once(m, cmd, out, body_total);
		if (rc == 0)
			return 0;
		arf_imap_conn_close(m);
		if (rc != RW_ETEMP || m->final)
			break;
	}
	rw_error_prefix("%s", m->where);
	return rc;
}

/* the command name for messages: "UID FETCH", "CREATE" */
static char *
cmd_name(const char *cmd)
{
	const char *sp = strchr(cmd, ' ');

	if (sp != NULL && g_str_has_prefix(cmd, "UID "))
		sp = strchr(sp + 1, ' ');
	return sp != NULL ? g_strndup(cmd, (gsize)(sp - cmd)) : g_strdup(cmd);
}

/* CMD must end in OK */
int
arf_imap_exec_ok(struct imap *m, const char *cmd, struct arf_imap_reply *out,
    size_t body_total)
{
	int rc = arf_imap_exec(m, cmd, out, body_total);
	char *name;

	if (rc != 0 || out->status == 'O')
		return rc;
	name = cmd_name(cmd);
	rc = rw_error_set(RW_EUNAVAIL, "%s: %s failed: %s", m->where, name,
	    out->text != NULL ? out->text : "no status");
	g_free(name);
	return rc;
}

/*
 * snds_oauth - OAuth2 authorization code + PKCE, refresh-token rotation
 * (see snds_oauth.h). Token responses are parsed with json-glib; secrets
 * are never logged, and the token store is written atomically with mode
 * 0600.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_util.h"
#include "ingest/snds_http.h"
#include "ingest/snds_load.h"
#include "ingest/snds_oauth.h"

#define TOKEN_BODY_MAX (1024 * 1024)
#define TOKEN_FILE_MAX (64 * 1024)
#define REQUEST_HEAD_MAX 8192
#define LOGIN_WAIT_MS (10 * 60 * 1000)

/* ---- PKCE ---- */

static char *
base64url(const guchar *data, gsize len)
{
	char *s = g_base64_encode(data, len);
	char *eq = strchr(s, '=');

	if (eq != NULL)
		*eq = '\0';
	g_strdelimit(s, "+", '-');
	g_strdelimit(s, "/", '_');
	return s;
}

static char *
random_token(gsize bytes)
{
	guchar buf[64];

	g_assert(bytes <= sizeof(buf));
	/* the kernel's CSPRNG: g_random_* is not meant for secrets */
	if (getrandom(buf, bytes, 0) != (ssize_t)bytes)
		g_error("getrandom failed: %s", g_strerror(errno));
	return base64url(buf, bytes);
}

char *
snds_pkce_verifier(void)
{
	return random_token(32); /* 43 characters, RFC 7636 minimum */
}

char *
snds_pkce_challenge(const char *verifier)
{
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
	guchar digest[32];
	gsize len = sizeof(digest);
	char *out;

	g_checksum_update(c, (const guchar *)verifier, (gssize)strlen(verifier));
	g_checksum_get_digest(c, digest, &len);
	out = base64url(digest, len);
	g_checksum_free(c);
	return out;
}

/* ---- token store ---- */

char *
snds_token_path(const char *state_dir, const char *name)
{
	char *file = g_strdup_printf("%s.json", name);
	char *p = g_build_filename(state_dir, "tokens", file, NULL);

	g_free(file);
	return p;
}

static int
token_save(const char *path, const char *refresh_token)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g = json_generator_new();
	JsonNode *root;
	char *dir = g_path_get_dirname(path);
	char *text;
	int rc;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "refresh_token");
	json_builder_add_string_value(b, refresh_token);
	json_builder_set_member_name(b, "saved_at");
	json_builder_add_int_value(b, g_get_real_time() / G_USEC_PER_SEC);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	text = json_generator_to_data(g, NULL);
	rc = rw_mkdir_p(dir, 0700);
	if (rc == 0)
		rc = rw_write_atomic(path, text, strlen(text), 0600);
	memset(text, 0, strlen(text));
	g_free(text);
	g_free(dir);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	return rc;
}

static JsonObject *
parse_object(JsonParser *p, const char *text, size_t len)
{
	JsonNode *root;

	if (!json_parser_load_from_data(p, text, (gssize)len, NULL))
		return NULL;
	root = json_parser_get_root(p);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
		return NULL;
	return json_node_get_object(root);
}

static char *
member_string(JsonObject *o, const char *name)
{
	JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

	if (n == NULL || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return g_strdup(json_node_get_string(n));
}

/* refresh token of the store; NULL (no error) when there is none */
static int
token_load(char **out, const char *path)
{
	JsonParser *p;
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (!g_file_test(path, G_FILE_TEST_EXISTS))
		return 0;
	rc = rw_check_private(path, "token file");
	if (rc == 0)
		rc = rw_read_file(&text, &len, path, TOKEN_FILE_MAX);
	if (rc != 0)
		return rc;
	p = json_parser_new();
	*out = member_string(parse_object(p, text, len), "refresh_token");
	if (*out == NULL)
		rc = rw_error_set(RW_ECONFIG, "token file \"%s\" holds no "
		    "refresh token", path);
	memset(text, 0, len);
	g_free(text);
	g_object_unref(p);
	return rc;
}

/* ---- token endpoint ---- */

static void
form_add(GString *f, const char *key, const char *value)
{
	char *v = g_uri_escape_string(value, NULL, FALSE);

	g_string_append_printf(f, "%s%s=%s", f->len ? "&" : "", key, v);
	g_free(v);
}

struct token_reply {
	char *access_token;
	char *refresh_token;
	char *error;        /* OAuth "error" code */
	char *error_text;   /* error_description, first line */
	long status;
	enum snds_http_fail fail;
	char transport[256];
};

static void
token_reply_clear(struct token_reply *t)
{
	if (t->access_token != NULL)
		memset(t->access_token, 0, strlen(t->access_token));
	if (t->refresh_token != NULL)
		memset(t->refresh_token, 0, strlen(t->refresh_token));
	g_free(t->access_token);
	g_free(t->refresh_token);
	g_free(t->error);
	g_free(t->error_text);
	memset(t, 0, sizeof(*t));
}

static void
first_line(char **s)
{
	if (*s != NULL)
		(*s)[strcspn(*s, "\r\n")] = '\0';
}

static void
token_post(struct token_reply *out, const struct snds_source *s,
    const char *form)
{
	struct snds_http_opts o = {s->timeout, TOKEN_BODY_MAX, s->ca_file,
	    NULL, form};
	struct snds_http_resp r;
	JsonParser *p = json_parser_new();
	JsonObject *obj;

	memset(out, 0, sizeof(*out));
	snds_http_request(&r, s->token_url, &o);
	out->status = r.status;
	out->fail = r.fail;
	g_strlcpy(out->transport, r.error, sizeof(out->transport));
	obj = r.fail == SNDS_HTTP_OK ? parse_object(p, r.body, r.len) : NULL;
	out->access_token = member_string(obj, "access_token");
	out->refresh_token = member_string(obj, "refresh_token");
	out->error = member_string(obj, "error");
	out->error_text = member_string(obj, "error_description");
	first_line(&out->error_text);
	if (r.body != NULL)
		memset(r.body, 0, r.len);
	snds_http_resp_clear(&r);
	g_object_unref(p);
}

#define LOGIN_EXPIRED "source %s: login expired; run `repwatch snds login %s`"

/* RW code and message for a failed token reply; STATE gets token_state */
static int
token_failure(const char **state, const struct snds_source *s,
    const struct token_reply *t)
{
	if (t->fail == SNDS_HTTP_TRANSIENT || t->status >= 500 ||
	    t->status == 429) {
		*state = "failed";
		return rw_error_set(RW_ETEMP, "source %s: token endpoint "
		    "unavailable: %s", s->name, t->fail != SNDS_HTTP_OK ?
		    t->transport : "server error");
	}
	if (g_strcmp0(t->error, "invalid_grant") == 0 || t->status == 401 ||
	    (t->status == 400 && t->error == NULL)) {
		*state = "expired";
		rw_error_set(RW_EUNAVAIL, LOGIN_EXPIRED, s->name, s->name);
		rw_error_detail("The token endpoint answered %s%s%s.",
		    t->error ? t->error : "HTTP 401",
		    t->error_text ? ": " : "",
		    t->error_text ? t->error_text : "");
		return RW_EUNAVAIL;
	}
	*state = "failed";
	return rw_error_set(RW_EUNAVAIL, "source %s: token request refused: "
	    "%s%s%s", s->name, t->error ? t->error : (t->fail != SNDS_HTTP_OK ?
	    t->transport : "no access token in the reply"),
	    t->error_text ? ": " : "", t->error_text ? t->error_text : "");
}

static void
record_token(struct rw_db *db, const struct snds_source *s,
    const char *state, const char *kind, const char *outcome)
{
	struct snds_fetch_rec rec = {0};
	char *masked = rw_mask_url(s->token_url);
	char *msg = g_strdup(rw_error_message());
	int code = rw_error_code();

	if (snds_source_set_token_state(db, s->name, state) != 0)
		rw_log_warning("cannot record the token state: %s",
		    rw_error_message());
	rec.source = s->name;
	rec.kind = kind;
	rec.url_masked = masked;
	rec.bytes = rec.rows_loaded = rec.rows_rejected = -1;
	rec.outcome = outcome;
	rec.message = *msg ? msg : NULL;
	if (outcome != NULL && snds_fetch_log_write(NULL, db, &rec) != 0)
		rw_log_warning("cannot record the token failure: %s",
		    rw_error_message());
	if (code != 0)
		rw_error_set(code, "%s", msg);
	g_free(msg);
	g_free(masked);
}

static const char *
outcome_for(const char *state, int code)
{
	if (code == RW_ETEMP)
		return "temporary";
	return strcmp(state, "expired") == 0 ? "login-required" : "error";
}

/* the rotated refresh token is saved before the access token is used */
static int
refresh(char **out, const struct snds_source *s, const char *path,
    const char *refresh_token, const char **state)
{
	struct token_reply t;
	GString *f = g_string_new(NULL);
	int rc = 0;

	form_add(f, "grant_type", "refresh_token");
	form_add(f, "client_id", s->client_id);
	form_add(f, "refresh_token", refresh_token);
	form_add(f, "scope", s->scope);
	token_post(&t, s, f->str);
	memset(f->str, 0, f->len);
	g_string_free(f, TRUE);
	if (t.fail != SNDS_HTTP_OK || t.status != 200 || t.access_token == NULL)
		rc = token_failure(state, s, &t);
	if (rc == 0 && t.refresh_token != NULL &&
	    (rc = token_save(path, t.refresh_token)) != 0) {
		/* Microsoft rotated the token: the saved one is spent now */
		rw_error_prefix("source %s: cannot save the new refresh token",
		    s->name);
		rw_error_hint("The token on disk may no longer be accepted. "
		    "Make the state directory writable, then run "
		    "`repwatch snds login %s`.", s->name);
	}
	if (rc == 0) {
		*state = "ok";
		*out = g_steal_pointer(&t.access_token);
	}
	token_reply_clear(&t);
	return rc;
}

int
snds_oauth_access_token(char **out, struct rw_db *db,
    const struct snds_source *s, const char *state_dir)
{
	char *path = snds_token_path(state_dir, s->name);
	char *rt = NULL;
	const char *state = "failed";
	int rc = token_load(&rt, path);

	*out = NULL;
	if (rc == 0 && rt == NULL) {
		state = "missing";
		rc = rw_error_set(RW_EUNAVAIL, "source %s: not logged in; run "
		    "`repwatch snds login %s`", s->name, s->name);
	}
	if (rc == 0)
		rc = refresh(out, s, path, rt, &state);
	record_token(db, s, state, "token", rc == 0 ? NULL :
	    outcome_for(state, rc));
	if (rt != NULL)
		memset(rt, 0, strlen(rt));
	g_free(rt);
	g_free(path);
	return rc;
}

/* ---- login: listener and pasted URL ---- */

struct login {
	const struct snds_source *s;
	const struct snds_login_ui *ui;
	char *verifier;
	char *state;
	char *redirect_uri;
	GSocket *sock;
};

static int
listen_loopback(struct login *l, int port)
{
	GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	GSocketAddress *a = g_inet_socket_address_new(lo, (guint16)port);
	GSocketAddress *bound = NULL;
	GError *err = NULL;
	int rc = 0;

	l->sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
	    G_SOCKET_PROTOCOL_TCP, &err);
	if (l->sock == NULL || !g_socket_bind(l->sock, a, TRUE, &err) ||
	    !g_socket_listen(l->sock, &err) ||
	    (bound = g_socket_get_local_address(l->sock, &err)) == NULL) {
		rc = rw_error_set(RW_EUNAVAIL, "cannot listen on 127.0.0.1:%d: "
		    "%s", port, err->message);
		g_error_free(err);
	} else {
		l->redirect_uri = g_strdup_printf("http://localhost:%u/",
		    g_inet_socket_address_get_port(
		    G_INET_SOCKET_ADDRESS(bound)));
	}
	if (bound != NULL)
		g_object_unref(bound);
	g_object_unref(a);
	g_object_unref(lo);
	return rc;
}

static char *
authorize_url(const struct login *l, const char *challenge)
{
	GString *q = g_string_new(NULL);
	char *url;

	form_add(q, "client_id", l->s->client_id);
	form_add(q, "response_type", "code");
	form_add(q, "redirect_uri", l->redirect_uri);
	form_add(q, "response_mode", "query");
	form_add(q, "scope", l->s->scope);
	form_add(q, "state", l->state);
	form_add(q, "code_challenge", challenge);
	form_add(q, "code_challenge_method", "S256");
	url = g_strdup_printf("%s%c%s", l->s->authorize_url,
	    strchr(l->s->authorize_url, '?') ? '&' : '?', q->str);
	g_string_free(q, TRUE);
	return url;
}

/*
 * The browser's redirect request: only its request target is read (capped)
 * and a fixed page is answered. No HTTP server library is in the project's
 * set, and this one request needs none of one.
 */
static char *
read_redirect_request(GSocket *c)
{
	char buf[REQUEST_HEAD_MAX + 1];
	gssize n = g_socket_receive(c, buf, REQUEST_HEAD_MAX, NULL, NULL);
	char **words;
	char *target = NULL;

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	words = g_strsplit(buf, " ", 4);
	if (g_strv_length(words) >= 2 && strcmp(words[0], "GET") == 0)
		target = g_strdup_printf("http://localhost%s", words[1]);
	g_strfreev(words);
	return target;
}

static void
answer_browser(GSocket *c, bool ok)
{
	static const char done[] = "HTTP/1.0 200 OK\r\nContent-Type: "
	    "text/plain\r\nConnection: close\r\n\r\nrepwatch: sign-in "
	    "received; you may close this window.\n";
	static const char nope[] = "HTTP/1.0 404 Not Found\r\nConnection: "
	    "close\r\n\r\n";
	const char *a = ok ? done : nope;

	if (g_socket_send(c, a, strlen(a), NULL, NULL) < 0)
		rw_log_debug("browser went away before the answer");
	g_socket_close(c, NULL);
}

/* code from a redirect URL after checking state; NULL with an error set */
static char *
code_from_url(const struct login *l, const char *url)
{
	GUri *u = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
	GHashTable *q = NULL;
	char *code = NULL;

	if (u != NULL && g_uri_get_query(u) != NULL)
		q = g_uri_parse_params(g_uri_get_query(u), -1, "&",
		    G_URI_PARAMS_NONE, NULL);
	if (q == NULL) {
		rw_error_set(RW_EUSAGE, "not a redirect URL with a code");
	} else if (g_hash_table_lookup(q, "error") != NULL) {
		const char *d = g_hash_table_lookup(q, "error_description");

		rw_error_set(RW_EUNAVAIL, "sign-in refused: %s%s%s",
		    (const char *)g_hash_table_lookup(q, "error"), d ? ": " :
		    "", d ? d : "");
	} else if (g_strcmp0(g_hash_table_lookup(q, "state"), l->state) != 0) {
		rw_error_set(RW_EUSAGE, "the redirect's state does not match "
		    "this login; start again");
	} else if (g_hash_table_lookup(q, "code") == NULL) {
		rw_error_set(RW_EUSAGE, "the redirect URL holds no code");
	} else {
		code = g_strdup(g_hash_table_lookup(q, "code"));
	}
	if (q != NULL)
		g_hash_table_unref(q);
	if (u != NULL)
		g_uri_unref(u);
	return code;
}

static char *
from_browser(struct login *l)
{
	GSocket *c = g_socket_accept(l->sock, NULL, NULL);
	char *target, *code = NULL;

	if (c == NULL)
		return NULL;
	g_socket_set_timeout(c, 10);
	target = read_redirect_request(c);
	if (target != NULL && strstr(target, "state=") != NULL)
		code = code_from_url(l, target);
	answer_browser(c, code != NULL);
	g_object_unref(c);
	g_free(target);
	return code;
}

static char *
from_stdin(struct login *l, bool *eof)
{
	char line[REQUEST_HEAD_MAX];
	char *code;

	if (fgets(line, sizeof(line), stdin) == NULL) {
		*eof = true;
		return NULL;
	}
	g_strstrip(line);
	if (line[0] == '\0')
		return NULL;
	code = code_from_url(l, line);
	if (code == NULL) {
		rw_error_print();
		if (l->ui->bad_paste != NULL)
			l->ui->bad_paste(l->ui->data);
	}
	return code;
}

/* wait for the browser's redirect or a pasted URL, whichever comes */
static int
wait_for_code(char **out, struct login *l)
{
	bool eof = false;
	gint64 end = g_get_monotonic_time() / 1000 + LOGIN_WAIT_MS;

	*out = NULL;
	rw_error_clear();
	while (*out == NULL && rw_error_code() == 0) {
		struct pollfd p[2] = {
			{g_socket_get_fd(l->sock), POLLIN, 0},
			{0, POLLIN, 0},
		};
		int left = (int)(end - g_get_monotonic_time() / 1000);

		if (left <= 0 || poll(p, eof ? 1 : 2, left) == 0)
			return rw_error_set(RW_ETEMP, "no sign-in within 10 "
			    "minutes");
		if (p[0].revents & POLLIN)
			*out = from_browser(l);
		else if (!eof && (p[1].revents & (POLLIN | POLLHUP)))
			*out = from_stdin(l, &eof);
	}
	return *out != NULL ? 0 : rw_error_code();
}

static int
redeem(struct login *l, const char *code, const char *path)
{
	struct token_reply t;
	GString *f = g_string_new(NULL);
	const char *state = "failed";
	int rc = 0;

	form_add(f, "grant_type", "authorization_code");
	form_add(f, "client_id", l->s->client_id);
	form_add(f, "code", code);
	form_add(f, "redirect_uri", l->redirect_uri);
	form_add(f, "code_verifier", l->verifier);
	form_add(f, "scope", l->s->scope);
	token_post(&t, l->s, f->str);
	g_string_free(f, TRUE);
	if (t.fail != SNDS_HTTP_OK || t.status != 200 || t.access_token == NULL)
		rc = token_failure(&state, l->s, &t);
	else if (t.refresh_token == NULL)
		rc = rw_error_set(RW_EUNAVAIL, "source %s: no refresh token "
		    "granted", l->s->name);
	if (rc == 0)
		rc = token_save(path, t.refresh_token);
	token_reply_clear(&t);
	return rc;
}

static int
login_flow(struct login *l, const char *path, int port)
{
	char *challenge, *url, *code = NULL;
	int rc = listen_loopback(l, port);

	if (rc != 0)
		return rc;
	challenge = snds_pkce_challenge(l->verifier);
	url = authorize_url(l, challenge);
	if (l->ui->prompt != NULL)
		l->ui->prompt(url, l->redirect_uri, l->ui->data);
	rc = wait_for_code(&code, l);
	if (rc == 0)
		rc = redeem(l, code, path);
	g_free(code);
	g_free(url);
	g_free(challenge);
	return rc;
}

static int
login_source(struct snds_source **out, const struct rw_config *cfg,
    struct rw_db *db, const char *name)
{
	int rc = snds_source_get(out, cfg, db, name, false);

	if (rc == 0 && (*out)->kind != SNDS_KIND_API)
		rc = rw_error_set(RW_EUSAGE, "source %s uses report links "
		    "(type = link); login is for type = api", name);
	if (rc == 0)
		rc = snds_url_allowed(name, (*out)->token_url);
	if (rc == 0)
		rc = snds_url_allowed(name, (*out)->authorize_url);
	return rc;
}

int
snds_login_run(char **out_path, struct rw_db *db, const struct rw_config *cfg,
    const char *name, int port, const struct snds_login_ui *ui)
{
	struct login l = {0};
	struct snds_source *s = NULL;
	char *state_dir = NULL, *path = NULL;
	int rc = login_source(&s, cfg, db, name);

	*out_path = NULL;
	if (rc == 0) {
		state_dir = rw_config_state_dir(cfg);
		path = snds_token_path(state_dir, s->name);
		l.s = s;
		l.ui = ui;
		l.verifier = snds_pkce_verifier();
		l.state = random_token(16);
		rc = login_flow(&l, path, port);
		record_token(db, s, rc == 0 ? "ok" : "failed", "login",
		    rc == 0 ? "ok" : outcome_for("failed", rc));
	}
	if (rc == 0)
		*out_path = g_steal_pointer(&path);
	if (l.sock != NULL)
		g_object_unref(l.sock);
	g_free(l.verifier);
	g_free(l.state);
	g_free(l.redirect_uri);
	g_free(path);
	g_free(state_dir);
	snds_source_free(s);
	return rc;
}

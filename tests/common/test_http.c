/*
 * test_http - rw_http against a one-connection HTTP server on 127.0.0.1
 * (a thread here): a body within the cap, past it (announced and not),
 * a server that never answers, one that is not there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <glib.h>

#include "common/rw_error.h"
#include "common/rw_http.h"

#define SECRET "s3cr3tvalue"

enum mode {
	SMALL,      /* 200, 5 bytes with Content-Length */
	BIG_LENGTH, /* 200, Content-Length 100000 */
	BIG_STREAM, /* 200, 100000 bytes, no length (HTTP/1.0, close) */
	SILENT,     /* reads the request, never answers */
};

struct server {
	int fd;
	int port;
	enum mode mode;
	GThread *thread;
};

static void
send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void
send_str(int fd, const char *s)
{
	send_all(fd, s, strlen(s));
}

static gpointer
serve(gpointer data)
{
	struct server *s = data;
	int c = accept(s->fd, NULL, NULL);
	char req[4096];
	char *big = g_malloc0(100000);
	struct pollfd p = {.fd = c, .events = POLLIN};

	memset(big, 'x', 100000);
	if (c >= 0 && recv(c, req, sizeof(req), 0) > 0) {
		switch (s->mode) {
		case SMALL:
			send_str(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
			    "Connection: close\r\n\r\nhello");
			break;
		case BIG_LENGTH:
			send_str(c, "HTTP/1.1 200 OK\r\nContent-Length: 100000"
			    "\r\nConnection: close\r\n\r\n");
			send_all(c, big, 100000);
			break;
		case BIG_STREAM:
			send_str(c, "HTTP/1.0 200 OK\r\n\r\n");
			send_all(c, big, 100000);
			break;
		case SILENT:
			/* until the client gives up (or 10 s) */
			poll(&p, 1, 10000);
			break;
		}
	}
	if (c >= 0)
		close(c);
	g_free(big);
	return NULL;
}

static void
server_start(struct server *s, enum mode mode)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->mode = mode;
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->fd >= 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 1), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
	s->port = ntohs(a.sin_port);
	s->thread = g_thread_new("server", serve, s);
}

static void
server_stop(struct server *s)
{
	g_thread_join(s->thread);
	close(s->fd);
}

/* GET MODE's answer with OPTS; returns the status, MSG the message */
static int
get(enum mode mode, const struct rw_http_opts *o, char **msg,
    struct rw_http **out_h)
{
	struct server s;
	struct rw_http *h = NULL;
	char *url;
	int rc;

	server_start(&s, mode);
	url = g_strdup_printf("http://127.0.0.1:%d/report?key=" SECRET
	    "&date=20260101", s.port);
	assert_int_equal(rw_http_new(&h, o), 0);
	rw_error_clear();
	rc = rw_http_perform(h, url);
	*msg = g_strdup(rw_error_message());
	server_stop(&s);
	g_free(url);
	if (out_h != NULL)
		*out_h = h;
	else
		rw_http_free(h);
	return rc;
}

static void
assert_names_masked_url(const char *msg)
{
	if (strstr(msg, "http://127.0.0.1:") == NULL ||
	    strstr(msg, "key=***") == NULL)
		fail_msg("message does not name the masked URL: %s", msg);
	if (strstr(msg, SECRET) != NULL)
		fail_msg("message leaks the secret: %s", msg);
}

static void
test_small_body(void **state)
{
	const struct rw_http_opts o = {.timeout = 10, .max_body = 1024};
	struct rw_http *h = NULL;
	char *msg = NULL;
	size_t len = 0;
	char *body;

	(void)state;
	assert_int_equal(get(SMALL, &o, &msg, &h), 0);
	assert_int_equal(rw_http_response_code(h), 200);
	assert_int_equal(rw_http_result(h), CURLE_OK);
	body = rw_http_take_body(h, &len);
	assert_int_equal(len, 5);
	assert_string_equal(body, "hello");
	g_free(body);
	g_free(msg);
	rw_http_free(h);
}

/* a body over the cap stops the transfer: RW_EDATA naming the URL */
static void
test_size_cap(void **state)
{
	const struct rw_http_opts o = {.timeout = 10, .max_body = 1000};
	const enum mode modes[] = {BIG_LENGTH, BIG_STREAM};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
		char *msg = NULL;
		int rc = get(modes[i], &o, &msg, NULL);

		if (rc != RW_EDATA)
			fail_msg("mode %zu: got %d, want RW_EDATA (%s)", i, rc,
			    msg);
		assert_names_masked_url(msg);
		if (strstr(msg, "larger than 1000 bytes") == NULL)
			fail_msg("mode %zu: got \"%s\", want the cap", i, msg);
		g_free(msg);
	}
}

/* no cap: the body is read and dropped, whatever its size */
static void
test_no_cap_drops_body(void **state)
{
	const struct rw_http_opts o = {.timeout = 10};
	struct rw_http *h = NULL;
	char *msg = NULL;
	size_t len = 1;

	(void)state;
	assert_int_equal(get(BIG_STREAM, &o, &msg, &h), 0);
	rw_http_body(h, &len);
	assert_int_equal(len, 0);
	g_free(msg);
	rw_http_free(h);
}

/* a silent server: the total time-out is a temporary failure */
static void
test_timeout(void **state)
{
	const struct rw_http_opts o = {.timeout = 1, .max_body = 1000};
	gint64 t0 = g_get_monotonic_time();
	char *msg = NULL;
	int rc = get(SILENT, &o, &msg, NULL);

	(void)state;
	if (rc != RW_ETEMP)
		fail_msg("got %d, want RW_ETEMP (%s)", rc, msg);
	assert_names_masked_url(msg);
	assert_true(g_get_monotonic_time() - t0 < 8 * G_USEC_PER_SEC);
	g_free(msg);
}

/* the caller's name for the URL replaces the masked URL */
static void
test_name_and_refused(void **state)
{
	const struct rw_http_opts o = {.timeout = 5,
	    .name = "webhook http://127.0.0.1:1/***"};
	struct rw_http *h = NULL;
	int rc;

	(void)state;
	assert_int_equal(rw_http_new(&h, &o), 0);
	rc = rw_http_perform(h, "http://127.0.0.1:1/services/" SECRET);
	assert_int_equal(rc, RW_ETEMP);
	assert_int_equal(rw_http_result(h), CURLE_COULDNT_CONNECT);
	if (!g_str_has_prefix(rw_error_message(),
	    "webhook http://127.0.0.1:1/***: "))
		fail_msg("got \"%s\"", rw_error_message());
	assert_null(strstr(rw_error_message(), SECRET));
	rw_http_free(h);
}

/* a scheme outside the allowed protocols is refused, not retried */
static void
test_protocols(void **state)
{
	const struct rw_http_opts o = {.timeout = 5};
	struct rw_http *h = NULL;

	(void)state;
	assert_int_equal(rw_http_new(&h, &o), 0);
	assert_int_equal(rw_http_perform(h, "file:///etc/passwd"),
	    RW_EUNAVAIL);
	assert_int_equal(rw_http_result(h), CURLE_UNSUPPORTED_PROTOCOL);
	rw_http_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_body),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_no_cap_drops_body),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_name_and_refused),
		cmocka_unit_test(test_protocols),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

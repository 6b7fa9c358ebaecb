/*
 * rw_error - one recorded error per thread (libgit2 style).
 */
#include <stdarg.h>
#include <stdio.h>

#include "common/rw_error.h"
#include "common/rw_log.h"

struct rw_err {
	int code;
	GString *msg;
	GString *detail;
	GString *hint;
};

static void
err_free(void *p)
{
	struct rw_err *e = p;

	g_string_free(e->msg, TRUE);
	g_string_free(e->detail, TRUE);
	g_string_free(e->hint, TRUE);
	g_free(e);
}

static GPrivate err_key = G_PRIVATE_INIT(err_free);

static struct rw_err *
err_get(void)
{
	struct rw_err *e = g_private_get(&err_key);

	if (e == NULL) {
		e = g_new0(struct rw_err, 1);
		e->msg = g_string_new(NULL);
		e->detail = g_string_new(NULL);
		e->hint = g_string_new(NULL);
		g_private_set(&err_key, e);
	}
	return e;
}

int
rw_error_set(int code, const char *fmt, ...)
{
	struct rw_err *e = err_get();
	va_list ap;

	va_start(ap, fmt);
	g_string_vprintf(e->msg, fmt, ap);
	va_end(ap);
	g_string_truncate(e->detail, 0);
	g_string_truncate(e->hint, 0);
	e->code = code < 0 ? code : RW_EFAIL;
	return e->code;
}

void
rw_error_detail(const char *fmt, ...)
{
	struct rw_err *e = err_get();
	va_list ap;

	va_start(ap, fmt);
	g_string_vprintf(e->detail, fmt, ap);
	va_end(ap);
}

void
rw_error_hint(const char *fmt, ...)
{
	struct rw_err *e = err_get();
	va_list ap;

	va_start(ap, fmt);
	g_string_vprintf(e->hint, fmt, ap);
	va_end(ap);
}

void
rw_error_prefix(const char *fmt, ...)
{
	struct rw_err *e = err_get();
	va_list ap;
	char *prefix;

	va_start(ap, fmt);
	prefix = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_string_prepend(e->msg, ": ");
	g_string_prepend(e->msg, prefix);
	g_free(prefix);
}

int
rw_error_recode(int code)
{
	err_get()->code = code;
	return code;
}

int
rw_error_code(void)
{
	return err_get()->code;
}

const char *
rw_error_message(void)
{
	return err_get()->msg->str;
}

const char *
rw_error_get_detail(void)
{
	return err_get()->detail->str;
}

const char *
rw_error_get_hint(void)
{
	return err_get()->hint->str;
}

void
rw_error_clear(void)
{
	struct rw_err *e = err_get();

	e->code = 0;
	g_string_truncate(e->msg, 0);
	g_string_truncate(e->detail, 0);
	g_string_truncate(e->hint, 0);
}

struct rw_error_saved {
	int code;
	char *msg, *detail, *hint;
};

struct rw_error_saved *
rw_error_save(void)
{
	struct rw_err *e = err_get();
	struct rw_error_saved *s = g_new0(struct rw_error_saved, 1);

	s->code = e->code;
	s->msg = g_strdup(e->msg->str);
	s->detail = g_strdup(e->detail->str);
	s->hint = g_strdup(e->hint->str);
	return s;
}

void
rw_error_restore(struct rw_error_saved *s)
{
	struct rw_err *e = err_get();

	e->code = s->code;
	g_string_assign(e->msg, s->msg);
	g_string_assign(e->detail, s->detail);
	g_string_assign(e->hint, s->hint);
	g_free(s->msg);
	g_free(s->detail);
	g_free(s->hint);
	g_free(s);
}

void
rw_error_print(void)
{
	struct rw_err *e = err_get();

	if (e->msg->len == 0)
		return;
	rw_log_error("%s", e->msg->str);
	if (e->detail->len > 0)
		rw_log_detail("%s", e->detail->str);
	if (e->hint->len > 0)
		rw_log_hint("%s", e->hint->str);
	rw_error_clear();
}

int
rw_exit_code(int status)
{
	if (status >= 0)
		return status;
	/* 1 is reserved for --fail-on: an unclassified failure is ours */
	if (status == RW_EFAIL || status < -125)
		return 70;
	return -status;
}

/* severity order for run summaries: ok < data < unavail < temp < config */
static int
status_rank(int s)
{
	switch (s) {
	case RW_OK:
		return 0;
	case RW_EDATA:
		return 1;
	case RW_EUNAVAIL:
		return 3;
	case RW_ETEMP:
		return 2;
	case RW_ECONFIG:
	case RW_ENOINPUT: /* a configured mailbox is missing: as config */
		return 4;
	default:
		return 5;
	}
}

int
rw_status_worse(int a, int b)
{
	return status_rank(b) > status_rank(a) ? b : a;
}

/*
 * arf_record - the parser's result for one message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arf/arf_record.h"

/* a warning list is capped so a hostile message cannot grow it forever */
#define ARF_MAX_WARNINGS 32

struct arf_record {
	enum arf_format format;
	enum arf_ip_origin ip_origin;
	char *keys[ARF_K_COUNT_];
	GPtrArray *lists[ARF_L_COUNT_]; /* NULL-terminated arrays of char* */
	gint64 times[ARF_T_COUNT_];
	bool has_time[ARF_T_COUNT_];
	gint64 incidents;
	bool rcpt_redacted;
	GPtrArray *fields; /* name, value, name, value... */
	GPtrArray *trace;  /* name, value... */
	char sha256[65];
	GString *headers;
	size_t size;
	GArray *witnesses; /* struct witness, NULL until the first */
	int infra;
	bool inside_provider;
};

struct witness {
	enum arf_ip_origin origin;
	char *ip;
};

static GPtrArray *
terminated_array(void)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(a, NULL);
	return a;
}

struct arf_record *
arf_record_new(const char *input)
{
	struct arf_record *r = g_new0(struct arf_record, 1);

	r->format = ARF_FORMAT_NOT_A_REPORT;
	for (int i = 0; i < ARF_L_COUNT_; i++)
		r->lists[i] = terminated_array();
	r->fields = g_ptr_array_new_with_free_func(g_free);
	r->trace = g_ptr_array_new_with_free_func(g_free);
	r->incidents = -1;
	r->infra = -1;
	r->keys[ARF_K_INPUT] = g_strdup(input);
	return r;
}

void
arf_record_free(struct arf_record *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < ARF_K_COUNT_; i++)
		g_free(r->keys[i]);
	for (int i = 0; i < ARF_L_COUNT_; i++)
		g_ptr_array_unref(r->lists[i]);
	g_ptr_array_unref(r->fields);
	g_ptr_array_unref(r->trace);
	if (r->headers != NULL)
		g_string_free(r->headers, TRUE);
	for (guint i = 0; r->witnesses != NULL && i < r->witnesses->len; i++)
		g_free(g_array_index(r->witnesses, struct witness, i).ip);
	if (r->witnesses != NULL)
		g_array_unref(r->witnesses);
	g_free(r);
}

/* reports carry raw 8-bit headers; JSON and PostgreSQL want UTF-8 */
static char *
valid_utf8(char *v)
{
	char *fixed;

	if (v == NULL || g_utf8_validate(v, -1, NULL))
		return v;
	fixed = g_utf8_make_valid(v, -1);
	g_free(v);
	return fixed;
}

void
arf_record_set(struct arf_record *r, enum arf_key k, const char *v)
{
	arf_record_take(r, k, g_strdup(v));
}

void
arf_record_take(struct arf_record *r, enum arf_key k, char *v)
{
	g_free(r->keys[k]);
	r->keys[k] = valid_utf8(v);
}

static void
list_append(GPtrArray *a, char *v)
{
	/* keep the trailing NULL in place */
	a->pdata[a->len - 1] = v;
	g_ptr_array_add(a, NULL);
}

void
arf_record_add(struct arf_record *r, enum arf_list l, const char *v)
{
	list_append(r->lists[l], valid_utf8(g_strdup(v)));
}

void
arf_record_warn(struct arf_record *r, const char *fmt, ...)
{
	va_list ap;
	GPtrArray *w = r->lists[ARF_L_WARNINGS];

	if (w->len > ARF_MAX_WARNINGS)
		return;
	if (w->len == ARF_MAX_WARNINGS) {
		list_append(w, g_strdup("further warnings omitted"));
		return;
	}
	va_start(ap, fmt);
	list_append(w, valid_utf8(g_strdup_vprintf(fmt, ap)));
	va_end(ap);
}

void
arf_record_set_format(struct arf_record *r, enum arf_format f,
    const char *reason)
{
	r->format = f;
	arf_record_set(r, ARF_K_REASON, reason);
}

void
arf_record_set_ip(struct arf_record *r, const char *ip,
    enum arf_ip_origin origin)
{
	arf_record_set(r, ARF_K_SOURCE_IP, ip);
	r->ip_origin = ip != NULL ? origin : ARF_IP_NONE;
}

void
arf_record_set_time(struct arf_record *r, enum arf_time t, gint64 unix)
{
	r->times[t] = unix;
	r->has_time[t] = true;
}

void
arf_record_set_incidents(struct arf_record *r, gint64 n)
{
	r->incidents = n;
}

void
arf_record_set_rcpt_redacted(struct arf_record *r, bool redacted)
{
	r->rcpt_redacted = redacted;
}

void
arf_record_add_field(struct arf_record *r, const char *name,
    const char *value)
{
	g_ptr_array_add(r->fields, valid_utf8(g_strdup(name)));
	g_ptr_array_add(r->fields, valid_utf8(g_strdup(value)));
}

void
arf_record_add_trace(struct arf_record *r, const char *name,
    const char *value)
{
	for (guint i = 0; i < r->trace->len; i += 2)
		if (g_ascii_strcasecmp(r->trace->pdata[i], name) == 0)
			return;
	g_ptr_array_add(r->trace, valid_utf8(g_strdup(name)));
	g_ptr_array_add(r->trace, valid_utf8(g_strdup(value)));
}

void
arf_record_set_sha256(struct arf_record *r, const char *hex)
{
	g_strlcpy(r->sha256, hex, sizeof(r->sha256));
}

void
arf_record_take_headers(struct arf_record *r, GString *headers)
{
	if (r->headers != NULL)
		g_string_free(r->headers, TRUE);
	r->headers = headers;
}

void
arf_record_set_size(struct arf_record *r, size_t size)
{
	r->size = size;
}

void
arf_record_add_witness(struct arf_record *r, enum arf_ip_origin o,
    const char *ip)
{
	struct witness w = {o, g_strdup(ip)};

	if (r->witnesses == NULL)
		r->witnesses = g_array_new(FALSE, FALSE, sizeof(w));
	g_array_append_val(r->witnesses, w);
}

void
arf_record_set_infra(struct arf_record *r, int provider)
{
	r->infra = provider;
}

void
arf_record_set_inside_provider(struct arf_record *r, bool inside)
{
	r->inside_provider = inside;
}

guint
arf_record_witness_count(const struct arf_record *r)
{
	return r->witnesses != NULL ? r->witnesses->len : 0;
}

void
arf_record_witness_at(const struct arf_record *r, guint i,
    enum arf_ip_origin *out_origin, const char **out_ip)
{
	const struct witness *w = &g_array_index(r->witnesses, struct witness,
	    i);

	*out_origin = w->origin;
	*out_ip = w->ip;
}

const char *
arf_record_witness_agreement(const struct arf_record *r)
{
	guint n = arf_record_witness_count(r);
	const char *ref = r->keys[ARF_K_SOURCE_IP];

	if (n == 0)
		return NULL;
	/* against the IP taken (a reported one may differ from them all) */
	if (ref == NULL)
		ref = g_array_index(r->witnesses, struct witness, 0).ip;
	for (guint i = 0; i < n; i++)
		if (strcmp(ref, g_array_index(r->witnesses, struct witness,
		    i).ip) != 0)
			return "disagree";
	return n == 1 ? "single" : "agree";
}

int
arf_record_infra(const struct arf_record *r)
{
	return r->infra;
}

bool
arf_record_inside_provider(const struct arf_record *r)
{
	return r->inside_provider;
}

const char *
arf_record_get(const struct arf_record *r, enum arf_key k)
{
	return r->keys[k];
}

const char *const *
arf_record_list(const struct arf_record *r, enum arf_list l)
{
	return (const char *const *)r->lists[l]->pdata;
}

guint
arf_record_list_len(const struct arf_record *r, enum arf_list l)
{
	return r->lists[l]->len - 1;
}

enum arf_format
arf_record_format(const struct arf_record *r)
{
	return r->format;
}

enum arf_ip_origin
arf_record_ip_origin(const struct arf_record *r)
{
	return r->ip_origin;
}

bool
arf_record_time(const struct arf_record *r, enum arf_time t,
    gint64 *out_unix)
{
	if (r->has_time[t] && out_unix != NULL)
		*out_unix = r->times[t];
	return r->has_time[t];
}

gint64
arf_record_incidents(const struct arf_record *r)
{
	return r->incidents;
}

bool
arf_record_rcpt_redacted(const struct arf_record *r)
{
	return r->rcpt_redacted;
}

guint
arf_record_field_count(const struct arf_record *r)
{
	return r->fields->len / 2;
}

void
arf_record_field_at(const struct arf_record *r, guint i,
    const char **out_name, const char **out_value)
{
	*out_name = r->fields->pdata[2 * i];
	*out_value = r->fields->pdata[2 * i + 1];
}

guint
arf_record_trace_count(const struct arf_record *r)
{
	return r->trace->len / 2;
}

void
arf_record_trace_at(const struct arf_record *r, guint i,
    const char **out_name, const char **out_value)
{
	*out_name = r->trace->pdata[2 * i];
	*out_value = r->trace->pdata[2 * i + 1];
}

const char *
arf_record_sha256(const struct arf_record *r)
{
	return r->sha256;
}

const char *
arf_record_headers(const struct arf_record *r, size_t *out_len)
{
	if (r->headers == NULL) {
		*out_len = 0;
		return NULL;
	}
	*out_len = r->headers->len;
	return r->headers->str;
}

size_t
arf_record_size(const struct arf_record *r)
{
	return r->size;
}

bool
arf_record_is_report(const struct arf_record *r)
{
	return r->format == ARF_FORMAT_ARF ||
	    r->format == ARF_FORMAT_JMRP_LEGACY;
}

bool
arf_record_is_complaint(const struct arf_record *r)
{
	const char *ft = r->keys[ARF_K_FEEDBACK_TYPE];

	return arf_record_is_report(r) && ft != NULL &&
	    g_ascii_strcasecmp(ft, "abuse") == 0;
}

const char *
arf_format_name(enum arf_format f)
{
	switch (f) {
	case ARF_FORMAT_ARF:
		return "arf";
	case ARF_FORMAT_JMRP_LEGACY:
		return "jmrp-legacy";
	case ARF_FORMAT_NOT_A_REPORT:
		return "not-a-report";
	case ARF_FORMAT_QUARANTINE:
		return "quarantine";
	}
	return "not-a-report";
}

const char *
arf_ip_origin_name(enum arf_ip_origin o)
{
	static const char *const names[] = {
		[ARF_IP_NONE] = NULL,
		[ARF_IP_REPORTED] = "reported",
		[ARF_IP_SUBJECT] = "subject",
		[ARF_IP_RECEIVED] = "received",
		[ARF_IP_RECEIVED_SPF] = "received-spf",
		[ARF_IP_AUTH_RESULTS] = "authentication-results",
		[ARF_IP_X_SENDER_IP] = "x-sender-ip",
		[ARF_IP_X_ORIGINATING_IP] = "x-originating-ip",
		[ARF_IP_RECEIVED_EDGE] = "received-edge",
		[ARF_IP_MS_AUTH_RESULTS] = "ms-auth-results",
		[ARF_IP_ARC_AUTH_RESULTS] = "arc-auth-results",
		[ARF_IP_FOREFRONT_CIP] = "forefront-cip",
		[ARF_IP_CROSSTENANT_IP] = "crosstenant-ip",
	};

	return names[o];
}

enum arf_ip_origin
arf_ip_origin_parse(const char *name)
{
	for (int o = ARF_IP_REPORTED; name != NULL &&
	    o <= ARF_IP_CROSSTENANT_IP; o++)
		if (strcmp(arf_ip_origin_name((enum arf_ip_origin)o),
		    name) == 0)
			return (enum arf_ip_origin)o;
	return ARF_IP_NONE;
}

/* 1000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: four-digit years */
#define FAST_TIME_MIN G_GINT64_CONSTANT(-30610224000)
#define FAST_TIME_MAX G_GINT64_CONSTANT(253402300799)

/* GDateTime's way, for years it would print other than with 4 digits */
static void
format_time_gdt(char buf[static 21], gint64 unix)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(unix);
	char *s;

	if (dt == NULL) {
		g_strlcpy(buf, "1970-01-01T00:00:00Z", 21);
		return;
	}
	s = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
	g_strlcpy(buf, s != NULL ? s : "1970-01-01T00:00:00Z", 21);
	g_free(s);
	g_date_time_unref(dt);
}

/*
 * Three times per stored report: gmtime_r and snprintf, not a GDateTime
 * and its formatter, for the same text.
 */
void
arf_format_time(char buf[static 21], gint64 unix)
{
	time_t t = (time_t)unix;
	struct tm tm;
	int n;

	if (unix < FAST_TIME_MIN || unix > FAST_TIME_MAX ||
	    gmtime_r(&t, &tm) == NULL) {
		format_time_gdt(buf, unix);
		return;
	}
	n = snprintf(buf, 21, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	if (n != 20)
		format_time_gdt(buf, unix);
}

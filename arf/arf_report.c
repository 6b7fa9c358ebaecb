/*
 * arf_report - fields of the feedback-report part.
 */
#include <string.h>

#include "arf/arf_ip.h"
#include "arf/arf_mime.h"
#include "arf/arf_report.h"

/* fields RFC 5965 allows once; a repeat is recorded as a warning */
static const char *const single_fields[] = {
	"Feedback-Type", "User-Agent", "Version", "Original-Envelope-Id",
	"Original-Mail-From", "Arrival-Date", "Received-Date",
	"Reporting-MTA", "Source-IP", "Incidents", NULL,
};

const char *
arf_report_field(const struct arf_record *r, const char *name)
{
	guint n = arf_record_field_count(r);

	for (guint i = 0; i < n; i++) {
		const char *k, *v;

		arf_record_field_at(r, i, &k, &v);
		if (g_ascii_strcasecmp(k, name) == 0)
			return v;
	}
	return NULL;
}

bool
arf_report_date(gint64 *out_unix, const char *text)
{
	GDateTime *dt;

	if (text == NULL)
		return false;
	dt = g_mime_utils_header_decode_date(text);
	if (dt == NULL)
		return false;
	*out_unix = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return true;
}

char *
arf_report_rcpt(const char *value)
{
	const char *lt = strrchr(value, '<');
	const char *gt = lt != NULL ? strchr(lt, '>') : NULL;
	char *s;

	/* a display name before <addr> breaks the grammar but is common */
	if (lt != NULL && gt != NULL)
		s = g_strndup(lt + 1, (gsize)(gt - lt - 1));
	else
		s = g_strdup(value);
	g_strstrip(s);
	if (*s == '\0') {
		g_free(s);
		return NULL;
	}
	return s;
}

static bool
is_hex_run(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isxdigit(s[i]))
			return false;
	return true;
}

bool
arf_report_redacted(const char *addr)
{
	const char *at = strchr(addr, '@');
	size_t local = at != NULL ? (size_t)(at - addr) : strlen(addr);
	char *low;
	bool masked;

	if (at == NULL || local == 0)
		return true;
	/* RFC 6590 style hashes: md5 or longer hex local parts */
	if (local >= 32 && is_hex_run(addr, local))
		return true;
	low = g_ascii_strdown(addr, -1);
	masked = strstr(low, "redacted") != NULL || strchr(low, '*') != NULL ||
	    strstr(low, "{{") != NULL || strstr(low, "xxxxx") != NULL;
	g_free(low);
	return masked;
}

static bool
is_single(const char *name)
{
	for (int i = 0; single_fields[i] != NULL; i++)
		if (g_ascii_strcasecmp(single_fields[i], name) == 0)
			return true;
	return false;
}

static void
read_date(struct arf_record *r, const char *name, const char *value)
{
	gint64 t;

	if (arf_record_time(r, ARF_T_ARRIVAL, NULL)) {
		arf_record_warn(r, "both Arrival-Date and Received-Date present");
		return;
	}
	if (arf_report_date(&t, value))
		arf_record_set_time(r, ARF_T_ARRIVAL, t);
	else
		arf_record_warn(r, "%s \"%s\" is not a date", name, value);
}

static void
read_source_ip(struct arf_record *r, const char *value)
{
	char ip[ARF_IP_BUF];

	if (arf_ip_parse(ip, value))
		arf_record_set_ip(r, ip, ARF_IP_REPORTED);
	else
		arf_record_warn(r, "Source-IP \"%s\" is not an IP address",
		    value);
}

static void
read_incidents(struct arf_record *r, const char *value)
{
	char *end;
	gint64 n = g_ascii_strtoll(value, &end, 10);

	while (g_ascii_isspace(*end))
		end++;
	if (end == value || *end != '\0' || n < 0 || n > G_MAXUINT32)
		arf_record_warn(r, "Incidents \"%s\" is not a count", value);
	else
		arf_record_set_incidents(r, n);
}

static void
read_mail_from(struct arf_record *r, const char *value)
{
	char *s = arf_mime_strip_angle(g_strdup(value));

	arf_record_take(r, ARF_K_ORIGINAL_MAIL_FROM, *s != '\0' ? s : NULL);
	if (*s == '\0')
		g_free(s);
}

static void
read_reporting_mta(struct arf_record *r, const char *value)
{
	const char *semi = strchr(value, ';');
	char *s = g_strdup(semi != NULL ? semi + 1 : value);

	/* "dns; host": keep the host, the name type says nothing more */
	arf_record_take(r, ARF_K_REPORTING_MTA, g_strstrip(s));
}

static void
read_rcpt(struct arf_record *r, const char *value)
{
	char *addr = arf_report_rcpt(value);

	if (addr == NULL)
		return;
	arf_record_add(r, ARF_L_ORIGINAL_RCPT_TO, addr);
	g_free(addr);
}

/* the first occurrence of a single field wins; repeats are warned about */
static bool
first_time(struct arf_record *r, const char *name, GHashTable *seen)
{
	char *key;

	if (!is_single(name))
		return true;
	key = g_ascii_strdown(name, -1);
	if (g_hash_table_contains(seen, key)) {
		arf_record_warn(r, "duplicate %s field", name);
		g_free(key);
		return false;
	}
	g_hash_table_add(seen, key);
	return true;
}

static void
interpret(struct arf_record *r, const char *name, const char *value)
{
	if (g_ascii_strcasecmp(name, "Feedback-Type") == 0)
		arf_record_take(r, ARF_K_FEEDBACK_TYPE,
		    g_ascii_strdown(value, -1));
	else if (g_ascii_strcasecmp(name, "User-Agent") == 0)
		arf_record_set(r, ARF_K_USER_AGENT, value);
	else if (g_ascii_strcasecmp(name, "Version") == 0)
		arf_record_set(r, ARF_K_VERSION, value);
	else if (g_ascii_strcasecmp(name, "Original-Mail-From") == 0)
		read_mail_from(r, value);
	else if (g_ascii_strcasecmp(name, "Arrival-Date") == 0 ||
	    g_ascii_strcasecmp(name, "Received-Date") == 0)
		read_date(r, name, value);
	else if (g_ascii_strcasecmp(name, "Source-IP") == 0)
		read_source_ip(r, value);
	else if (g_ascii_strcasecmp(name, "Incidents") == 0)
		read_incidents(r, value);
	else if (g_ascii_strcasecmp(name, "Reporting-MTA") == 0)
		read_reporting_mta(r, value);
	else if (g_ascii_strcasecmp(name, "Original-Rcpt-To") == 0)
		read_rcpt(r, value);
	else if (g_ascii_strcasecmp(name, "Reported-Domain") == 0)
		arf_record_add(r, ARF_L_REPORTED_DOMAIN, value);
	else if (g_ascii_strcasecmp(name, "Reported-URI") == 0)
		arf_record_add(r, ARF_L_REPORTED_URI, value);
}

static void
read_fields(struct arf_record *r, GMimeHeaderList *hl)
{
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, NULL);
	int n = g_mime_header_list_get_count(hl);

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(h);
		const char *raw = g_mime_header_get_value(h);
		char *value = arf_mime_squash(g_strdup(raw != NULL ? raw : ""));

		arf_record_add_field(r, name, value);
		if (*value != '\0' && first_time(r, name, seen))
			interpret(r, name, value);
		g_free(value);
	}
	g_hash_table_unref(seen);
}

int
arf_report_read(struct arf_record *r, GMimeObject *part, size_t max)
{
	GByteArray *bytes = arf_mime_decode(part, max);
	GMimeObject *block;
	int n;

	if (bytes == NULL)
		return 0;
	block = arf_mime_header_block((const char *)bytes->data, bytes->len);
	g_byte_array_unref(bytes);
	if (block == NULL)
		return 0;
	read_fields(r, g_mime_object_get_header_list(block));
	n = g_mime_header_list_get_count(g_mime_object_get_header_list(block));
	g_object_unref(block);
	return n;
}

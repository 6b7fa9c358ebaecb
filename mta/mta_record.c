/*
 * mta_record - the record formats: KumoMTA's JSON log records (one per
 * line) and PowerMTA's accounting CSV, whose header row names the columns.
 *
 * KumoMTA (docs.kumomta.com/reference/log_record): "Delivery",
 * "TransientFailure" and "Bounce" are attempts; the answer is "response"
 * (code, enhanced_code, content), the receiver "peer_address" (name, addr)
 * or "site", our address "source_address.address" (since 2024.09), else the
 * "egress_source" name looked up like a Postfix service.
 *
 * PowerMTA: record types "d" (delivered), "t" (transient failure) and "b"
 * (bounce) are attempts; the columns read are type, timeLogged, rcpt,
 * dsnStatus, dsnDiag, dsnMta, dlvSourceIp, dlvDestinationIp and vmta.
 */
#include <string.h>

#include <json-glib/json-glib.h>

#include "common/rw_error.h"
#include "mta/mta_parse_int.h"

#define MTA_CSV_FIELDS 256  /* columns of a PowerMTA row */

/* member_string - the string member NAME of O, NULL when absent or not */
static const char *
member_string(JsonObject *o, const char *name)
{
	JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

	if (n == NULL || JSON_NODE_TYPE(n) != JSON_NODE_VALUE ||
	    json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

/* member_object - the object member NAME of O, NULL when absent or not */
static JsonObject *
member_object(JsonObject *o, const char *name)
{
	JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

	if (n == NULL || JSON_NODE_TYPE(n) != JSON_NODE_OBJECT)
		return NULL;
	return json_node_get_object(n);
}

/* member_int - the integer member NAME of O; false when absent or not */
static bool
member_int(JsonObject *o, const char *name, gint64 *out)
{
	JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

	if (n == NULL || JSON_NODE_TYPE(n) != JSON_NODE_VALUE ||
	    json_node_get_value_type(n) != G_TYPE_INT64)
		return false;
	*out = json_node_get_int(n);
	return true;
}

/* host_name - a DNS name without its final dot, lower case */
static void
host_name(char dst[static MTA_NAME_MAX], const char *s)
{
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] == '.')
		n--;
	mta_copy_lower(dst, MTA_NAME_MAX, s, n);
}

/* addr_port - "ip:port", "[v6]:port" or a bare address into DST */
static void
addr_port(char dst[static RW_IP_BUF], const char *s)
{
	const char *e;
	size_t n = strlen(s);

	if (s[0] == '[' && (e = strchr(s, ']')) != NULL)
		n = (size_t)(e - s + 1);
	else if ((e = strchr(s, ':')) != NULL && strchr(e + 1, ':') == NULL)
		n = (size_t)(e - s);
	if (n < RW_IP_BUF + 2)
		mta_set_ip(dst, s, n);
}

/* kumo_response - the answer object: code, enhanced code, raw text */
static void
kumo_response(struct mta_attempt *a, JsonObject *r)
{
	JsonObject *ec = member_object(r, "enhanced_code");
	const char *content = member_string(r, "content");
	gint64 code = 0, c = 0, s = 0, d = 0;
	GString *t = g_string_new(NULL);

	if (member_int(r, "code", &code) && code >= 200 && code <= 599) {
		a->reply = (int)code;
		g_string_append_printf(t, "%d ", (int)code);
	}
	if (member_int(ec, "class", &c) && member_int(ec, "subject", &s) &&
	    member_int(ec, "detail", &d) && c >= 2 && c <= 5 && s >= 0 &&
	    s <= 999 && d >= 0 && d <= 999) {
		g_snprintf(a->enhanced, sizeof(a->enhanced), "%d.%d.%d",
		    (int)c, (int)s, (int)d);
		g_string_append_printf(t, "%s ", a->enhanced);
	}
	if (content != NULL)
		g_string_append(t, content);
	mta_set_text(a, t->str, t->len);
	g_string_free(t, TRUE);
}

/* kumo_time - "timestamp": seconds since 1970, or an RFC 3339 text */
static void
kumo_time(struct mta_attempt *a, const struct mta_parser *p, JsonObject *o)
{
	const char *s = member_string(o, "timestamp");
	gint64 t;

	if (s != NULL) {
		mta_set_time(a, p, s, strlen(s));
	} else if (member_int(o, "timestamp", &t)) {
		GDateTime *dt = g_date_time_new_from_unix_utc(t);
		char *text;

		if (dt == NULL)
			return;
		text = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
		if (text != NULL)
			mta_copy(a->time, sizeof(a->time), text, strlen(text));
		g_free(text);
		g_date_time_unref(dt);
		a->epoch = t;
		a->has_epoch = true;
	}
}

int
mta_parse_kumomta(struct mta_attempt *a, bool *found, struct mta_parser *p,
    const char *line, size_t len)
{
	JsonParser *jp = json_parser_new();
	JsonNode *root;
	JsonObject *o, *peer, *src;
	JsonNode *rcpt;
	const char *type, *s;
	GError *err = NULL;
	int rc = 0;

	if (len == 0)
		goto cleanup;
	if (!json_parser_load_from_data(jp, line, (gssize)len, &err)) {
		rc = rw_error_set(RW_EDATA, "kumomta record is not JSON: %s",
		    err->message);
		goto cleanup;
	}
	root = json_parser_get_root(jp);
	if (root == NULL || JSON_NODE_TYPE(root) != JSON_NODE_OBJECT) {
		rc = rw_error_set(RW_EDATA, "kumomta record is not an object");
		goto cleanup;
	}
	o = json_node_get_object(root);
	type = member_string(o, "type");
	if (type == NULL)
		goto cleanup;
	if (strcmp(type, "Delivery") == 0)
		a->outcome = MTA_DELIVERED;
	else if (strcmp(type, "TransientFailure") == 0)
		a->outcome = MTA_DEFERRED;
	else if (strcmp(type, "Bounce") == 0)
		a->outcome = MTA_BOUNCED;
	else
		goto cleanup;
	kumo_time(a, p, o);
	rcpt = json_object_get_member(o, "recipient");
	if (rcpt != NULL && JSON_NODE_TYPE(rcpt) == JSON_NODE_ARRAY &&
	    json_array_get_length(json_node_get_array(rcpt)) > 0)
		rcpt = json_array_get_element(json_node_get_array(rcpt), 0);
	if (rcpt != NULL && JSON_NODE_TYPE(rcpt) == JSON_NODE_VALUE &&
	    json_node_get_value_type(rcpt) == G_TYPE_STRING) {
		s = json_node_get_string(rcpt);
		mta_set_rcpt(a, s, strlen(s));
	}
	peer = member_object(o, "peer_address");
	if ((s = member_string(peer, "name")) != NULL)
		host_name(a->mx_host, s);
	if ((s = member_string(peer, "addr")) != NULL)
		addr_port(a->mx_ip, s);
	if (a->mx_host[0] == '\0' && (s = member_string(o, "site")) != NULL) {
		const char *arrow = strstr(s, "->");

		host_name(a->mx_host, arrow != NULL ? arrow + 2 : s);
	}
	src = member_object(o, "source_address");
	if ((s = member_string(src, "address")) != NULL)
		addr_port(a->source_ip, s);
	else if ((s = member_string(o, "source_address")) != NULL)
		addr_port(a->source_ip, s);
	if ((s = member_string(o, "egress_source")) != NULL)
		mta_copy(a->service, sizeof(a->service), s, strlen(s));
	kumo_response(a, member_object(o, "response"));
	mta_scan_answer(a);
	mta_source(a, p, a->service);
	*found = true;
cleanup:
	if (err != NULL)
		g_error_free(err);
	g_object_unref(jp);
	return rc;
}

/* the PowerMTA columns read, in the order of p->cols */
enum pmta_col {
	COL_TYPE, COL_TIME, COL_RCPT, COL_SOURCE_IP, COL_DEST_IP, COL_MTA,
	COL_STATUS, COL_VMTA, COL_DIAG,
};

static const char *const col_names[MTA_PMTA_COLS] = {
	[COL_TYPE] = "type", [COL_TIME] = "timeLogged", [COL_RCPT] = "rcpt",
	[COL_SOURCE_IP] = "dlvSourceIp", [COL_DEST_IP] = "dlvDestinationIp",
	[COL_MTA] = "dsnMta", [COL_STATUS] = "dsnStatus", [COL_VMTA] = "vmta",
	[COL_DIAG] = "dsnDiag",
};

/* field - field I of the current row */
static const char *
field(const struct mta_parser *p, guint i)
{
	return p->row->str + g_array_index(p->fields, size_t, i);
}

/* cb_field - libcsv: one field of the row, capped, into p->row */
static void
cb_field(void *s, size_t len, void *data)
{
	struct mta_parser *p = data;

	if (p->fields->len >= MTA_CSV_FIELDS)
		return;
	if (len > MTA_LINE_MAX)
		len = MTA_LINE_MAX;
	g_array_append_val(p->fields, p->row->len);
	if (len > 0)
		g_string_append_len(p->row, s, (gssize)len);
	g_string_append_c(p->row, '\0');
}

/* cb_row - libcsv: end of the row (one line is one row) */
static void
cb_row(int c, void *data)
{
	(void)c;
	(void)data;
}

int
mta_powermta_init(struct mta_parser *p)
{
	p->row = g_string_new(NULL);
	p->fields = g_array_new(FALSE, FALSE, sizeof(size_t));
	p->csv_ok = csv_init(&p->csv, CSV_STRICT | CSV_STRICT_FINI |
	    CSV_APPEND_NULL) == 0;
	return p->csv_ok ? 0 : RW_EFAIL;
}

void
mta_powermta_free(struct mta_parser *p)
{
	if (p->csv_ok)
		csv_free(&p->csv);
	if (p->row != NULL)
		g_string_free(p->row, TRUE);
	if (p->fields != NULL)
		g_array_free(p->fields, TRUE);
}

/*
 * set_header - the current row is the header: where each column read is
 * (the first of its name), once for the rows after it
 */
static void
set_header(struct mta_parser *p)
{
	p->header_len = p->fields->len;
	for (size_t c = 0; c < MTA_PMTA_COLS; c++) {
		p->cols[c] = -1;
		for (guint i = 0; i < p->fields->len && p->cols[c] < 0; i++)
			if (strcmp(field(p, i), col_names[c]) == 0)
				p->cols[c] = (int)i;
	}
}

/* column - column C of the current row (as long as the header), or NULL */
static const char *
column(const struct mta_parser *p, enum pmta_col c)
{
	return p->cols[c] >= 0 ? field(p, (guint)p->cols[c]) : NULL;
}

/* pmta_mta - dsnMta "host (ip)" or "host" into the MX host and address */
static void
pmta_mta(struct mta_attempt *a, const char *s)
{
	const char *lp = strchr(s, '('), *rp;
	size_t n = lp != NULL ? (size_t)(lp - s) : strlen(s);

	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n > 0 && s[n - 1] == '.')
		n--;
	mta_copy_lower(a->mx_host, sizeof(a->mx_host), s, n);
	if (lp != NULL && (rp = strchr(lp, ')')) != NULL &&
	    rp - lp - 1 < RW_IP_BUF && a->mx_ip[0] == '\0')
		mta_set_ip(a->mx_ip, lp + 1, (size_t)(rp - lp - 1));
}

/* pmta_row - the current row as an attempt (the header is known) */
static void
pmta_row(struct mta_attempt *a, bool *found, const struct mta_parser *p)
{
	const char *type = column(p, COL_TYPE), *s;

	if (type == NULL)
		return;
	if (strcmp(type, "d") == 0)
		a->outcome = MTA_DELIVERED;
	else if (strcmp(type, "t") == 0)
		a->outcome = MTA_DEFERRED;
	else if (strcmp(type, "b") == 0)
		a->outcome = MTA_BOUNCED;
	else
		return;
	if ((s = column(p, COL_TIME)) != NULL)
		mta_set_time(a, p, s, strlen(s));
	if ((s = column(p, COL_RCPT)) != NULL)
		mta_set_rcpt(a, s, strlen(s));
	if ((s = column(p, COL_SOURCE_IP)) != NULL)
		mta_set_ip(a->source_ip, s, strlen(s));
	if ((s = column(p, COL_DEST_IP)) != NULL)
		mta_set_ip(a->mx_ip, s, strlen(s));
	if ((s = column(p, COL_MTA)) != NULL)
		pmta_mta(a, s);
	if ((s = column(p, COL_STATUS)) != NULL)
		mta_enhanced_at(a->enhanced, s);
	if ((s = column(p, COL_VMTA)) != NULL)
		mta_copy(a->service, sizeof(a->service), s, strlen(s));
	if ((s = column(p, COL_DIAG)) != NULL)
		mta_set_text(a, s, strlen(s));
	mta_scan_answer(a);
	mta_source(a, p, a->service);
	*found = true;
}

int
mta_parse_powermta(struct mta_attempt *a, bool *found, struct mta_parser *p,
    const char *line, size_t len)
{
	int rc = 0;

	if (len == 0)
		return 0;
	if (!p->csv_ok)
		return rw_error_set(RW_EFAIL, "the csv parser is not set up");
	g_string_truncate(p->row, 0);
	g_array_set_size(p->fields, 0);
	if (csv_parse(&p->csv, line, len, cb_field, cb_row, p) != len ||
	    csv_fini(&p->csv, cb_field, cb_row, p) != 0) {
		rc = rw_error_set(RW_EDATA, "powermta row is not CSV: %s",
		    csv_strerror(csv_error(&p->csv)));
		/* start the next line afresh */
		csv_free(&p->csv);
		p->csv_ok = csv_init(&p->csv, CSV_STRICT | CSV_STRICT_FINI |
		    CSV_APPEND_NULL) == 0;
		return rc;
	}
	if (p->fields->len >= MTA_CSV_FIELDS)
		return rw_error_set(RW_EDATA,
		    "powermta row has over %d fields", MTA_CSV_FIELDS);
	if (p->fields->len > 0 && strcmp(field(p, 0), "type") == 0) {
		set_header(p);
		return 0;
	}
	if (p->header_len == 0)
		return rw_error_set(RW_EDATA,
		    "powermta row before the header row (type,timeLogged,...)");
	if (p->fields->len != p->header_len)
		return rw_error_set(RW_EDATA,
		    "powermta row has %u fields, the header %u",
		    p->fields->len, p->header_len);
	pmta_row(a, found, p);
	return 0;
}

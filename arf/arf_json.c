/*
 * arf_json - JSON output of a record.
 */
#include <string.h>

#include "common/rw_json.h"
#include "arf/arf_json.h"

static void
member_str(JsonBuilder *b, const char *name, const char *value)
{
	json_builder_set_member_name(b, name);
	if (value != NULL)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

static void
member_time(JsonBuilder *b, const char *name, const struct arf_record *r,
    enum arf_time t)
{
	gint64 unix;
	char buf[21];

	if (!arf_record_time(r, t, &unix)) {
		member_str(b, name, NULL);
		return;
	}
	arf_format_time(buf, unix);
	member_str(b, name, buf);
}

static void
member_list(JsonBuilder *b, const char *name, const struct arf_record *r,
    enum arf_list l)
{
	const char *const *v = arf_record_list(r, l);

	json_builder_set_member_name(b, name);
	json_builder_begin_array(b);
	for (int i = 0; v[i] != NULL; i++)
		json_builder_add_string_value(b, v[i]);
	json_builder_end_array(b);
}

static void
member_trace(JsonBuilder *b, const struct arf_record *r)
{
	json_builder_set_member_name(b, "trace");
	json_builder_begin_object(b);
	for (guint i = 0; i < arf_record_trace_count(r); i++) {
		const char *k, *v;

		arf_record_trace_at(r, i, &k, &v);
		member_str(b, k, v);
	}
	json_builder_end_object(b);
}

static void
member_original(JsonBuilder *b, const struct arf_record *r)
{
	json_builder_set_member_name(b, "original");
	json_builder_begin_object(b);
	member_str(b, "message_id", arf_record_get(r, ARF_K_ORIG_MESSAGE_ID));
	member_str(b, "subject", arf_record_get(r, ARF_K_ORIG_SUBJECT));
	member_str(b, "from", arf_record_get(r, ARF_K_ORIG_FROM));
	member_time(b, "date", r, ARF_T_ORIG_DATE);
	member_str(b, "return_path", arf_record_get(r,
	    ARF_K_ORIG_RETURN_PATH));
	member_str(b, "list_id", arf_record_get(r, ARF_K_ORIG_LIST_ID));
	member_str(b, "feedback_id", arf_record_get(r,
	    ARF_K_ORIG_FEEDBACK_ID));
	member_trace(b, r);
	json_builder_end_object(b);
}

static void
member_incidents(JsonBuilder *b, const struct arf_record *r)
{
	gint64 n = arf_record_incidents(r);

	json_builder_set_member_name(b, "incidents");
	if (n >= 0)
		json_builder_add_int_value(b, n);
	else
		json_builder_add_null_value(b);
}

static void
witness_array(JsonBuilder *b, const struct arf_record *r)
{
	json_builder_begin_array(b);
	for (guint i = 0; i < arf_record_witness_count(r); i++) {
		enum arf_ip_origin o;
		const char *ip;

		arf_record_witness_at(r, i, &o, &ip);
		json_builder_begin_object(b);
		member_str(b, "origin", arf_ip_origin_name(o));
		member_str(b, "ip", ip);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void
member_witnesses(JsonBuilder *b, const struct arf_record *r)
{
	json_builder_set_member_name(b, "source_ip_witnesses");
	witness_array(b, r);
	member_str(b, "source_ip_agreement",
	    arf_record_witness_agreement(r));
	json_builder_set_member_name(b, "inside_provider");
	json_builder_add_boolean_value(b, arf_record_inside_provider(r));
}

static void
members_report(JsonBuilder *b, const struct arf_record *r)
{
	member_str(b, "feedback_type", arf_record_get(r, ARF_K_FEEDBACK_TYPE));
	member_str(b, "user_agent", arf_record_get(r, ARF_K_USER_AGENT));
	member_str(b, "version", arf_record_get(r, ARF_K_VERSION));
	member_str(b, "provider", arf_record_get(r, ARF_K_PROVIDER));
	member_str(b, "source_ip", arf_record_get(r, ARF_K_SOURCE_IP));
	member_str(b, "source_ip_origin",
	    arf_ip_origin_name(arf_record_ip_origin(r)));
	member_witnesses(b, r);
	member_time(b, "arrival_date", r, ARF_T_ARRIVAL);
	member_str(b, "original_mail_from",
	    arf_record_get(r, ARF_K_ORIGINAL_MAIL_FROM));
	member_list(b, "original_rcpt_to", r, ARF_L_ORIGINAL_RCPT_TO);
	member_list(b, "reported_domain", r, ARF_L_REPORTED_DOMAIN);
	member_list(b, "reported_uri", r, ARF_L_REPORTED_URI);
	member_str(b, "reporting_mta", arf_record_get(r, ARF_K_REPORTING_MTA));
	member_incidents(b, r);
	member_str(b, "report_message_id",
	    arf_record_get(r, ARF_K_REPORT_MESSAGE_ID));
	member_time(b, "report_date", r, ARF_T_REPORT_DATE);
}

JsonNode *
arf_json_node(const struct arf_record *r)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *n;

	json_builder_begin_object(b);
	member_str(b, "input", arf_record_get(r, ARF_K_INPUT));
	member_str(b, "format", arf_format_name(arf_record_format(r)));
	member_str(b, "reason", arf_record_get(r, ARF_K_REASON));
	members_report(b, r);
	member_original(b, r);
	member_str(b, "sending_domain", arf_record_get(r,
	    ARF_K_SENDING_DOMAIN));
	json_builder_set_member_name(b, "rcpt_redacted");
	json_builder_add_boolean_value(b, arf_record_rcpt_redacted(r));
	member_list(b, "warnings", r, ARF_L_WARNINGS);
	json_builder_end_object(b);
	n = json_builder_get_root(b);
	g_object_unref(b);
	return n;
}

char *
arf_json_line(const struct arf_record *r)
{
	JsonNode *n = arf_json_node(r);
	char *s = rw_json_to_string(n);

	json_node_unref(n);
	return s;
}

char *
arf_json_witnesses(const struct arf_record *r)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *n;
	char *s;

	witness_array(b, r);
	n = json_builder_get_root(b);
	s = rw_json_to_string(n);
	json_node_unref(n);
	g_object_unref(b);
	return s;
}

/*
 * arf_record - what the parser learned from one message: classification,
 * every report field, the sending IP and its origin, attribution data from
 * the embedded original, and warnings. Opaque; the parser fills it through
 * the setters, readers use the getters.
 */
#ifndef ARF_RECORD_H
#define ARF_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

enum arf_format {
	ARF_FORMAT_ARF,
	ARF_FORMAT_JMRP_LEGACY,
	ARF_FORMAT_NOT_A_REPORT,
	ARF_FORMAT_QUARANTINE, /* over a limit or unusable: set aside */
};

/* where the sending IP came from, in the order the parser tries them */
enum arf_ip_origin {
	ARF_IP_NONE,
	ARF_IP_REPORTED,       /* Source-IP */
	ARF_IP_SUBJECT,        /* legacy JMRP subject line */
	ARF_IP_RECEIVED,       /* provider's inbound Received hop */
	ARF_IP_RECEIVED_SPF,   /* Received-SPF client-ip= */
	ARF_IP_AUTH_RESULTS,   /* Authentication-Results "sender IP is" */
	ARF_IP_X_SENDER_IP,
	ARF_IP_X_ORIGINATING_IP,
	/* the trust-boundary walk and the provider's witnesses (arf_edge) */
	ARF_IP_RECEIVED_EDGE,     /* from address of the provider's edge hop */
	ARF_IP_MS_AUTH_RESULTS,   /* provider's Authentication-Results */
	ARF_IP_ARC_AUTH_RESULTS,  /* provider's ARC-Authentication-Results */
	ARF_IP_FOREFRONT_CIP,     /* X-Forefront-Antispam-Report CIP: */
	ARF_IP_CROSSTENANT_IP,    /* X-MS-Exchange-CrossTenant-...ConnectingIp */
};

/* single-valued text properties */
enum arf_key {
	ARF_K_INPUT,
	ARF_K_REASON,
	ARF_K_FEEDBACK_TYPE,
	ARF_K_USER_AGENT,
	ARF_K_VERSION,
	ARF_K_PROVIDER,
	ARF_K_SOURCE_IP,
	ARF_K_ORIGINAL_MAIL_FROM,
	ARF_K_REPORTING_MTA,
	ARF_K_REPORT_MESSAGE_ID,
	ARF_K_ORIG_MESSAGE_ID,
	ARF_K_ORIG_SUBJECT,
	ARF_K_ORIG_FROM,
	ARF_K_ORIG_RETURN_PATH,
	ARF_K_ORIG_LIST_ID,
	ARF_K_ORIG_FEEDBACK_ID,
	ARF_K_SENDING_DOMAIN,
	ARF_K_COUNT_
};

/* repeatable properties, in order of appearance */
enum arf_list {
	ARF_L_ORIGINAL_RCPT_TO,
	ARF_L_REPORTED_DOMAIN,
	ARF_L_REPORTED_URI,
	ARF_L_WARNINGS,
	ARF_L_COUNT_
};

/* timestamps, kept as Unix seconds (UTC) */
enum arf_time {
	ARF_T_ARRIVAL,
	ARF_T_REPORT_DATE,
	ARF_T_ORIG_DATE,
	ARF_T_COUNT_
};

struct arf_record;

struct arf_record *arf_record_new(const char *input);
void arf_record_free(struct arf_record *r);

/* setters: values are copied; NULL clears */
void arf_record_set(struct arf_record *r, enum arf_key k, const char *v);
void arf_record_take(struct arf_record *r, enum arf_key k, char *v);
void arf_record_add(struct arf_record *r, enum arf_list l, const char *v);
void arf_record_warn(struct arf_record *r, const char *fmt, ...)
	G_GNUC_PRINTF(2, 3);
void arf_record_set_format(struct arf_record *r, enum arf_format f,
    const char *reason);
void arf_record_set_ip(struct arf_record *r, const char *ip,
    enum arf_ip_origin origin);
void arf_record_set_time(struct arf_record *r, enum arf_time t, gint64 unix);
void arf_record_set_incidents(struct arf_record *r, gint64 n);
void arf_record_set_rcpt_redacted(struct arf_record *r, bool redacted);
/* every field of the report part, in order (names as written) */
void arf_record_add_field(struct arf_record *r, const char *name,
    const char *value);
/* configured trace header of the original (first value kept) */
void arf_record_add_trace(struct arf_record *r, const char *name,
    const char *value);
void arf_record_set_sha256(struct arf_record *r, const char *hex);
/* the part of the raw message [arf] keep = headers would store */
void arf_record_take_headers(struct arf_record *r, GString *headers);
void arf_record_set_size(struct arf_record *r, size_t size);
/* a witness of the sending IP (provider-stamped or the edge hop) */
void arf_record_add_witness(struct arf_record *r, enum arf_ip_origin o,
    const char *ip);
/* the receiving provider's infrastructure id (arf_infra), -1 unknown */
void arf_record_set_infra(struct arf_record *r, int provider);
/* the derived IP is inside the receiving provider's networks */
void arf_record_set_inside_provider(struct arf_record *r, bool inside);

/* getters: NULL when absent */
const char *arf_record_get(const struct arf_record *r, enum arf_key k);
/* NULL-terminated; never NULL */
const char *const *arf_record_list(const struct arf_record *r,
    enum arf_list l);
guint arf_record_list_len(const struct arf_record *r, enum arf_list l);
enum arf_format arf_record_format(const struct arf_record *r);
enum arf_ip_origin arf_record_ip_origin(const struct arf_record *r);
/* false when absent */
bool arf_record_time(const struct arf_record *r, enum arf_time t,
    gint64 *out_unix);
/* -1 when absent */
gint64 arf_record_incidents(const struct arf_record *r);
bool arf_record_rcpt_redacted(const struct arf_record *r);
guint arf_record_field_count(const struct arf_record *r);
void arf_record_field_at(const struct arf_record *r, guint i,
    const char **out_name, const char **out_value);
guint arf_record_trace_count(const struct arf_record *r);
void arf_record_trace_at(const struct arf_record *r, guint i,
    const char **out_name, const char **out_value);
const char *arf_record_sha256(const struct arf_record *r);
const char *arf_record_headers(const struct arf_record *r, size_t *out_len);
size_t arf_record_size(const struct arf_record *r);
guint arf_record_witness_count(const struct arf_record *r);
void arf_record_witness_at(const struct arf_record *r, guint i,
    enum arf_ip_origin *out_origin, const char **out_ip);
/*
 * arf_record_witness_agreement - "agree" (two or more witnesses, all
 * naming the IP taken), "single" (one, naming it), "disagree" (any names
 * another address) or NULL (none)
 */
const char *arf_record_witness_agreement(const struct arf_record *r);
int arf_record_infra(const struct arf_record *r);
bool arf_record_inside_provider(const struct arf_record *r);

/* a stored complaint: ARF or legacy JMRP (whatever the feedback type) */
bool arf_record_is_report(const struct arf_record *r);
/* a complaint counted against the sender: feedback type abuse */
bool arf_record_is_complaint(const struct arf_record *r);

const char *arf_format_name(enum arf_format f);
const char *arf_ip_origin_name(enum arf_ip_origin o);
/* arf_ip_origin_parse - name back to the enum (ARF_IP_NONE: unknown) */
enum arf_ip_origin arf_ip_origin_parse(const char *name);
/* ISO 8601 UTC "YYYY-MM-DDTHH:MM:SSZ" into BUF */
void arf_format_time(char buf[static 21], gint64 unix);

#endif

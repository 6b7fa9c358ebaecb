/*
 * arf_orig - the embedded original message's headers.
 */
#include <string.h>

#include "arf/arf_edge.h"
#include "arf/arf_ip.h"
#include "arf/arf_mime.h"
#include "arf/arf_orig.h"
#include "arf/arf_report.h"

/* the field Microsoft prepends to legacy JMRP originals */
#define HMXMR "X-HmXmrOriginalRecipient"

static void
set_angle(struct arf_record *r, enum arf_key k, GMimeHeaderList *hl,
    const char *name)
{
	char *v = arf_mime_get(hl, name);

	if (v != NULL)
		arf_mime_strip_angle(v);
	arf_record_take(r, k, v);
}

static void
read_trace(struct arf_record *r, GMimeHeaderList *orig, char **names)
{
	for (int i = 0; names != NULL && names[i] != NULL; i++) {
		char *v = arf_mime_get(orig, names[i]);

		if (v != NULL)
			arf_record_add_trace(r, names[i], v);
		g_free(v);
	}
}

void
arf_orig_read(struct arf_record *r, GMimeHeaderList *orig,
    char **trace_headers)
{
	char *v;
	gint64 t;

	if (orig == NULL)
		return;
	set_angle(r, ARF_K_ORIG_MESSAGE_ID, orig, "Message-ID");
	arf_record_take(r, ARF_K_ORIG_SUBJECT, arf_mime_get(orig, "Subject"));
	arf_record_take(r, ARF_K_ORIG_FROM, arf_mime_get(orig, "From"));
	set_angle(r, ARF_K_ORIG_RETURN_PATH, orig, "Return-Path");
	set_angle(r, ARF_K_ORIG_LIST_ID, orig, "List-Id");
	v = arf_mime_get(orig, "Feedback-ID");
	if (v == NULL)
		v = arf_mime_get(orig, "CFBL-Feedback-ID");
	arf_record_take(r, ARF_K_ORIG_FEEDBACK_ID, v);
	v = arf_mime_get(orig, "Date");
	if (v != NULL && arf_report_date(&t, v))
		arf_record_set_time(r, ARF_T_ORIG_DATE, t);
	g_free(v);
	read_trace(r, orig, trace_headers);
}

/*
 * Fields Microsoft prepends to a legacy original (and to the inline
 * variant's top level) come before it; the provider's own hops above the
 * X-HmXmr field belong to the delivery of the report, not the original.
 */
static int
first_original_index(GMimeHeaderList *hl)
{
	int i = arf_mime_index(hl, HMXMR);

	return i < 0 ? 0 : i + 1;
}

/*
 * Without a provider chain to walk: the first hop from a public address
 * outside every provider's networks is the inbound MX. When every hop is
 * private (anonymised samples, internal test mail), the first non-loopback
 * one is the best there is; *out_private says so.
 */
static const char *
inbound_received(char ip[static ARF_IP_BUF], GMimeHeaderList *hl,
    const struct arf_infra *in, bool *out_private)
{
	int n = g_mime_header_list_get_count(hl);
	const char *fallback = NULL;
	char fb_ip[ARF_IP_BUF];

	*out_private = false;
	for (int i = first_original_index(hl); i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *v;

		if (g_ascii_strcasecmp(g_mime_header_get_name(h), "Received"))
			continue;
		v = g_mime_header_get_value(h);
		if (!arf_ip_received(ip, v))
			continue;
		if (arf_ip_is_public(ip)) {
			if (!arf_infra_inside(in, ARF_INFRA_NONE, ip))
				return v;
			continue;
		}
		if (fallback == NULL && !arf_ip_is_loopback(ip)) {
			fallback = v;
			memcpy(fb_ip, ip, ARF_IP_BUF);
		}
	}
	if (fallback != NULL) {
		memcpy(ip, fb_ip, ARF_IP_BUF);
		*out_private = true;
	}
	return fallback;
}

/* first field NAME whose value yields an address after MARKER */
static bool
ip_in_fields(char ip[static ARF_IP_BUF], GMimeHeaderList *hl,
    const char *name, const char *marker, const struct arf_infra *in)
{
	int n = g_mime_header_list_get_count(hl);

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *v;

		if (g_ascii_strcasecmp(g_mime_header_get_name(h), name))
			continue;
		v = g_mime_header_get_value(h);
		if (!(marker != NULL ? arf_ip_after(ip, v, marker) :
		    arf_ip_first(ip, v)))
			continue;
		/* a provider's own address is never the sender's */
		if (!arf_infra_inside(in, ARF_INFRA_NONE, ip))
			return true;
	}
	return false;
}

static const struct {
	const char *name;
	const char *marker;
	enum arf_ip_origin origin;
} ip_sources[] = {
	{"Received-SPF", "client-ip=", ARF_IP_RECEIVED_SPF},
	{"Authentication-Results", "sender IP is", ARF_IP_AUTH_RESULTS},
	{"X-Sender-IP", NULL, ARF_IP_X_SENDER_IP},
	{"X-Originating-IP", NULL, ARF_IP_X_ORIGINATING_IP},
};

/* the edge hop's date: when the provider took the message in */
static void
edge_arrival(struct arf_record *r, const struct arf_edge *e)
{
	const char *semi;
	gint64 t;

	if (!e->found || arf_record_time(r, ARF_T_ARRIVAL, NULL))
		return;
	semi = strrchr(e->hop, ';');
	if (semi != NULL && arf_report_date(&t, semi + 1)) {
		arf_record_set_time(r, ARF_T_ARRIVAL, t);
		arf_record_warn(r, "no Arrival-Date; arrival taken from the "
		    "original's inbound Received field");
	}
}

/* every witness that names another address than the one taken */
static void
warn_disagreement(struct arf_record *r, const struct arf_edge *e)
{
	const char *ip = arf_record_get(r, ARF_K_SOURCE_IP);
	enum arf_ip_origin o = arf_record_ip_origin(r);

	for (int i = 0; ip != NULL && i < e->nw; i++) {
		if (strcmp(e->w[i].ip, ip) == 0)
			continue;
		arf_record_warn(r, "sending IP witnesses disagree: %s says %s, "
		    "%s says %s; %s taken (%s has precedence)",
		    arf_ip_origin_name(o), ip,
		    arf_ip_origin_name(e->w[i].origin), e->w[i].ip, ip,
		    arf_ip_origin_name(o));
	}
}

static bool
stated_ip(struct arf_record *r, const char *legacy_subject)
{
	char ip[ARF_IP_BUF];

	if (arf_record_ip_origin(r) != ARF_IP_NONE)
		return true;
	if (legacy_subject != NULL &&
	    arf_ip_after(ip, legacy_subject, "message from")) {
		arf_record_set_ip(r, ip, ARF_IP_SUBJECT);
		return true;
	}
	return false;
}

/* no provider chain and no witness: the fields peers read, in order */
static void
fallback_ip(struct arf_record *r, GMimeHeaderList *orig,
    const struct arf_infra *in)
{
	char ip[ARF_IP_BUF];
	bool private;

	if (inbound_received(ip, orig, in, &private) != NULL && !private) {
		arf_record_set_ip(r, ip, ARF_IP_RECEIVED);
		return;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(ip_sources); i++) {
		if (ip_in_fields(ip, orig, ip_sources[i].name,
		    ip_sources[i].marker, in)) {
			arf_record_set_ip(r, ip, ip_sources[i].origin);
			return;
		}
	}
	if (inbound_received(ip, orig, in, &private) != NULL) {
		arf_record_set_ip(r, ip, ARF_IP_RECEIVED);
		arf_record_warn(r, "sending IP %s is a private address", ip);
	}
}

void
arf_orig_derive_ip(struct arf_record *r, GMimeHeaderList *orig,
    const char *legacy_subject, const struct arf_infra *in)
{
	struct arf_edge e;
	enum arf_ip_origin o;
	const char *ip;

	if (in == NULL)
		in = arf_infra_builtin();
	arf_edge_find(&e, orig, orig != NULL ? first_original_index(orig) : 0,
	    in);
	arf_record_set_infra(r, e.provider);
	for (int i = 0; i < e.nw; i++)
		arf_record_add_witness(r, e.w[i].origin, e.w[i].ip);
	for (int i = 0; e.nw == 0 && i < e.niw; i++)
		arf_record_add_witness(r, e.iw[i].origin, e.iw[i].ip);
	edge_arrival(r, &e);
	if (!stated_ip(r, legacy_subject)) {
		ip = arf_edge_choose(&e, &o);
		if (ip != NULL)
			arf_record_set_ip(r, ip, o);
		else if (orig != NULL)
			fallback_ip(r, orig, in);
	}
	warn_disagreement(r, &e);
}

void
arf_orig_arrival(struct arf_record *r, GMimeHeaderList *orig)
{
	char ip[ARF_IP_BUF];
	const char *hop;
	const char *semi;
	bool private;
	gint64 t;

	if (arf_record_time(r, ARF_T_ARRIVAL, NULL) || orig == NULL)
		return;
	hop = inbound_received(ip, orig, arf_infra_builtin(), &private);
	/* the date of a Received field follows its last semicolon */
	semi = hop != NULL ? strrchr(hop, ';') : NULL;
	if (semi != NULL && arf_report_date(&t, semi + 1)) {
		arf_record_set_time(r, ARF_T_ARRIVAL, t);
		arf_record_warn(r, "no Arrival-Date; arrival taken from the "
		    "original's inbound Received field");
	}
}

void
arf_orig_inside_provider(struct arf_record *r, const struct arf_infra *in)
{
	int id = arf_record_infra(r);

	if (in == NULL)
		in = arf_infra_builtin();
	if (id == ARF_INFRA_NONE)
		id = arf_infra_by_name(arf_record_get(r, ARF_K_PROVIDER));
	arf_record_set_inside_provider(r, arf_infra_inside(in, id,
	    arf_record_get(r, ARF_K_SOURCE_IP)));
}

static void
add_addresses(struct arf_record *r, const char *value)
{
	InternetAddressList *list = internet_address_list_parse(NULL, value);
	int n = list != NULL ? internet_address_list_length(list) : 0;
	int added = 0;

	for (int i = 0; i < n; i++) {
		InternetAddress *a = internet_address_list_get_address(list, i);

		if (!INTERNET_ADDRESS_IS_MAILBOX(a))
			continue;
		arf_record_add(r, ARF_L_ORIGINAL_RCPT_TO,
		    internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(a)));
		added++;
	}
	if (added == 0 && strchr(value, '@') != NULL) {
		/* "redacted@" and template values are no address list */
		char *one = arf_report_rcpt(value);

		if (one != NULL)
			arf_record_add(r, ARF_L_ORIGINAL_RCPT_TO, one);
		g_free(one);
	}
	if (list != NULL)
		g_object_unref(list);
}

/* recipients in reference order: report, X-HmXmr, Removal-Recipient, To */
static void
fallback_recipients(struct arf_record *r, GMimeHeaderList *orig,
    GMimeHeaderList *top)
{
	const char *rr = arf_report_field(r, "Removal-Recipient");
	char *v = NULL;

	if (orig != NULL)
		v = arf_mime_get(orig, HMXMR);
	if (v == NULL && top != NULL)
		v = arf_mime_get(top, HMXMR);
	if (v == NULL && rr != NULL && *rr != '\0')
		v = g_strdup(rr);
	if (v == NULL && orig != NULL)
		v = arf_mime_get(orig, "To");
	if (v != NULL)
		add_addresses(r, v);
	g_free(v);
}

void
arf_orig_recipients(struct arf_record *r, GMimeHeaderList *orig,
    GMimeHeaderList *top)
{
	const char *const *list;
	bool redacted = false;

	if (arf_record_list_len(r, ARF_L_ORIGINAL_RCPT_TO) == 0)
		fallback_recipients(r, orig, top);
	list = arf_record_list(r, ARF_L_ORIGINAL_RCPT_TO);
	for (int i = 0; list[i] != NULL; i++)
		redacted = redacted || arf_report_redacted(list[i]);
	if (redacted)
		arf_record_warn(r, "recipient redacted or hashed");
	arf_record_set_rcpt_redacted(r, redacted);
}

/* domain of ADDR when it looks like a real one (has a dot, no spaces) */
static char *
domain_of(const char *addr)
{
	const char *at = addr != NULL ? strrchr(addr, '@') : NULL;
	const char *start = at != NULL ? at + 1 : addr;
	char *d;

	if (start == NULL || *start == '\0')
		return NULL;
	d = g_ascii_strdown(start, -1);
	g_strstrip(d);
	if (strchr(d, '.') == NULL || strpbrk(d, " \t<>@()[]{}") != NULL ||
	    d[strlen(d) - 1] == '.') {
		g_free(d);
		return NULL;
	}
	return d;
}

static char *
from_domain(GMimeHeaderList *orig)
{
	char *from = orig != NULL ? arf_mime_get(orig, "From") : NULL;
	InternetAddressList *list;
	char *d = NULL;

	if (from == NULL)
		return NULL;
	list = internet_address_list_parse(NULL, from);
	if (list != NULL && internet_address_list_length(list) > 0) {
		InternetAddress *a = internet_address_list_get_address(list, 0);

		if (INTERNET_ADDRESS_IS_MAILBOX(a))
			d = domain_of(internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(a)));
	}
	if (list != NULL)
		g_object_unref(list);
	g_free(from);
	return d;
}

void
arf_orig_sending_domain(struct arf_record *r, GMimeHeaderList *orig)
{
	char *d = from_domain(orig);
	const char *const *rd;

	if (d == NULL)
		d = domain_of(arf_record_get(r, ARF_K_ORIGINAL_MAIL_FROM));
	rd = arf_record_list(r, ARF_L_REPORTED_DOMAIN);
	if (d == NULL && rd[0] != NULL)
		d = domain_of(rd[0]);
	arf_record_take(r, ARF_K_SENDING_DOMAIN, d);
}

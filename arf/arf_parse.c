/*
 * arf_parse - classification of one message and assembly of its record.
 */
#include <string.h>

#include <openssl/evp.h>

#include "common/rw_config.h"
#include "arf/arf_infra.h"
#include "arf/arf_mime.h"
#include "arf/arf_orig.h"
#include "arf/arf_parse.h"
#include "arf/arf_provider.h"
#include "arf/arf_report.h"
#include "arf/arf_scan.h"

#define LEGACY_SUBJECT "complaint about message from"
#define JMRP_SENDER "staff@hotmail.com"

struct parse {
	const struct arf_limits *lim;
	struct arf_record *rec;
	const char *data;          /* normalized (LF) message */
	size_t len;
	GMimeMessage *top;
	GMimeMessage *wrapper;     /* message carrying the report */
	GMimeObject *report;       /* message/feedback-report part */
	GMimeObject *container;    /* its multipart, or NULL */
	GMimeMessage *orig_msg;    /* the original (a ref) */
	GMimeHeaderList *orig;     /* headers of either (borrowed) */
};

void
arf_limits_default(struct arf_limits *out)
{
	out->max_bytes = 10 * 1024 * 1024;
	out->max_depth = 8;
	out->max_headers = 1000;
	out->max_header_bytes = 65536;
	out->max_line_bytes = 1048576;
	out->accept_dmarc = false;
	out->keep = ARF_KEEP_HEADERS;
	out->trace_headers = NULL;
	out->infra = NULL;
}

void
arf_limits_from_config(struct arf_limits *out, char ***out_trace,
    const struct rw_config *cfg)
{
	const char *keep = rw_config_get(cfg, "arf", "keep");

	arf_limits_default(out);
	out->max_bytes = (size_t)rw_config_int(cfg, "arf", "max_message_bytes");
	out->max_depth = (int)rw_config_int(cfg, "arf", "max_mime_depth");
	out->max_headers = (int)rw_config_int(cfg, "arf", "max_headers");
	out->max_header_bytes = (size_t)rw_config_int(cfg, "arf",
	    "max_header_bytes");
	out->max_line_bytes = (size_t)rw_config_int(cfg, "arf",
	    "max_line_bytes");
	out->accept_dmarc = rw_config_bool(cfg, "arf", "accept_dmarc");
	if (keep != NULL && strcmp(keep, "full") == 0)
		out->keep = ARF_KEEP_FULL;
	else if (keep != NULL && strcmp(keep, "none") == 0)
		out->keep = ARF_KEEP_NONE;
	char **hosts = rw_config_list(cfg, "arf", "provider_hosts");
	char **nets = rw_config_list(cfg, "arf", "provider_networks");
	char **own = rw_config_list(cfg, "arf", "own_networks");

	*out_trace = rw_config_list(cfg, "arf", "trace_headers");
	out->trace_headers = *out_trace;
	/* the configuration was validated when loaded: the lists parse */
	if ((hosts[0] != NULL || nets[0] != NULL || own[0] != NULL) &&
	    arf_infra_new(&out->infra, hosts, nets, own) != 0)
		out->infra = NULL;
	g_strfreev(hosts);
	g_strfreev(nets);
	g_strfreev(own);
}

void
arf_limits_clear(struct arf_limits *lim)
{
	arf_infra_free(lim->infra);
	lim->infra = NULL;
}

/* GMime splits lines on LF only: CRLF and CR-only become LF */
static GString *
normalize(const char *data, size_t len)
{
	GString *s;
	const char *p = data, *end = data + len;

	if (memchr(data, '\r', len) == NULL)
		return NULL;
	s = g_string_sized_new(len);
	while (p < end) {
		const char *cr = memchr(p, '\r', (size_t)(end - p));

		if (cr == NULL) {
			g_string_append_len(s, p, end - p);
			break;
		}
		g_string_append_len(s, p, cr - p);
		g_string_append_c(s, '\n');
		p = cr + 1;
		if (p < end && *p == '\n')
			p++;
	}
	return s;
}

/* start of the top-level header block, after an mbox From_ line */
static const char *
header_start(const char *data, size_t len)
{
	const char *nl;

	if (len < 5 || memcmp(data, "From ", 5) != 0)
		return data;
	nl = memchr(data, '\n', len);
	return nl != NULL ? nl + 1 : data + len;
}

static const char *
body_start(const char *data, size_t len)
{
	const char *h = header_start(data, len);
	const char *b;

	if (h < data + len && *h == '\n')
		return h + 1;
	b = g_strstr_len(h, (gssize)(data + len - h), "\n\n");
	return b != NULL ? b + 2 : data + len;
}

/*
 * SHA-256 through OpenSSL: it uses the CPU's SHA extensions where GLib's
 * GChecksum is portable C, and hashing every message was a tenth of the
 * parse time. The digest is fetched once, not looked up per message.
 */
static EVP_MD *sha256_md;

static const EVP_MD *
sha256(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
		g_once_init_leave(&done, 1);
	}
	return sha256_md;
}

static void
hash_field(EVP_MD_CTX *ck, GMimeMessage *m, const char *name)
{
	const char *v = m != NULL ? g_mime_object_get_header(GMIME_OBJECT(m),
	    name) : NULL;
	const char *e;

	/* the value without surrounding white space, as g_strstrip gives */
	if (v == NULL)
		v = "";
	while (g_ascii_isspace(*v))
		v++;
	e = v + strlen(v);
	while (e > v && g_ascii_isspace(e[-1]))
		e--;
	EVP_DigestUpdate(ck, v, (size_t)(e - v));
	EVP_DigestUpdate(ck, "\n", 1);
}

static void
set_hex_digest(struct arf_record *rec, const unsigned char *md,
    unsigned int n)
{
	static const char hex[] = "0123456789abcdef";
	char s[2 * EVP_MAX_MD_SIZE + 1];

	for (unsigned int i = 0; i < n; i++) {
		s[2 * i] = hex[md[i] >> 4];
		s[2 * i + 1] = hex[md[i] & 15];
	}
	s[2 * n] = '\0';
	arf_record_set_sha256(rec, s);
}

static const char *const key_fields[] = {"Message-ID", "Date", "From",
    "To", "Subject"};

/* a message GMime read and that has at least one of the key fields */
static bool
has_key_fields(GMimeMessage *m)
{
	for (size_t i = 0; m != NULL && i < G_N_ELEMENTS(key_fields); i++)
		if (g_mime_object_get_header(GMIME_OBJECT(m),
		    key_fields[i]) != NULL)
			return true;
	return false;
}

/*
 * The key of exactly-once: the fields a report keeps through any
 * re-delivery (not the trace fields each hop adds, nor an mbox From_
 * line) plus the body with LF line ends and no trailing blank lines.
 * A message GMime could not read, or one without any key field, has no
 * fields to tell it from another: its key is all of its bytes after the
 * From_ line (else every unparseable message was a "duplicate" of the
 * first and was dropped).
 */
static void
hash_message(struct parse *p)
{
	EVP_MD_CTX *ck = EVP_MD_CTX_new();
	bool raw = !has_key_fields(p->top);
	const char *b = raw ? header_start(p->data, p->len) :
	    body_start(p->data, p->len);
	const char *e = p->data + p->len;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (ck == NULL || !EVP_DigestInit_ex(ck, sha256(), NULL))
		g_error("arf: SHA-256 is not available");
	if (raw)
		EVP_DigestUpdate(ck, "raw\n", 4);
	for (size_t i = 0; !raw && i < G_N_ELEMENTS(key_fields); i++)
		hash_field(ck, p->top, key_fields[i]);
	while (e > b && g_ascii_isspace(e[-1]))
		e--;
	EVP_DigestUpdate(ck, b, (size_t)(e - b));
	EVP_DigestFinal_ex(ck, md, &n);
	set_hex_digest(p->rec, md, n);
	EVP_MD_CTX_free(ck);
}

static void
quarantine(struct parse *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
quarantine(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	char *reason;

	va_start(ap, fmt);
	reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	arf_record_set_format(p->rec, ARF_FORMAT_QUARANTINE, reason);
	g_free(reason);
}

static bool
within_limits(struct parse *p)
{
	GMimeObject *body = g_mime_message_get_mime_part(p->top);
	int depth = 0;
	int headers = g_mime_header_list_get_count(
	    g_mime_object_get_header_list(GMIME_OBJECT(p->top)));

	if (body != NULL)
		arf_mime_measure(body, 1, &depth, &headers);
	/* deeper than GMime goes: the tree stops there, the message not */
	if (depth >= ARF_MIME_GMIME_LEVELS - 1 || depth > p->lim->max_depth) {
		quarantine(p, "MIME nesting deeper than the limit of %d",
		    p->lim->max_depth);
		return false;
	}
	if (headers > p->lim->max_headers) {
		quarantine(p, "%d header fields in one part exceed the limit "
		    "of %d", headers, p->lim->max_headers);
		return false;
	}
	return true;
}

static bool is_report_part(GMimeObject *o)
{
	return GMIME_IS_PART(o) && arf_mime_is(o, "message", "feedback-report");
}

static bool find_report(struct parse *p, GMimeObject *obj,
    GMimeMessage *owner);

static bool
find_in_children(struct parse *p, GMimeMultipart *mp, GMimeMessage *owner)
{
	int n = g_mime_multipart_get_count(mp);

	/* this level's report first: the original beside it is not searched */
	for (int i = 0; i < n; i++) {
		GMimeObject *c = g_mime_multipart_get_part(mp, i);

		if (is_report_part(c)) {
			p->report = c;
			p->container = GMIME_OBJECT(mp);
			p->wrapper = owner;
			return true;
		}
	}
	for (int i = 0; i < n; i++)
		if (find_report(p, g_mime_multipart_get_part(mp, i), owner))
			return true;
	return false;
}

static bool
find_report(struct parse *p, GMimeObject *obj, GMimeMessage *owner)
{
	if (obj == NULL)
		return false;
	if (GMIME_IS_MULTIPART(obj))
		return find_in_children(p, GMIME_MULTIPART(obj), owner);
	if (GMIME_IS_MESSAGE_PART(obj)) {
		/* a report forwarded as an attachment */
		GMimeMessage *m = g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(obj));

		return m != NULL &&
		    find_report(p, g_mime_message_get_mime_part(m), m);
	}
	if (is_report_part(obj)) {
		p->report = obj;
		p->wrapper = owner;
		return true;
	}
	return false;
}

static bool
is_original_type(GMimeObject *o)
{
	if (arf_mime_is(o, "text", "rfc822-headers") ||
	    arf_mime_is(o, "text", "rfc822-header"))
		return true;
	return arf_mime_is(o, "message", "*") &&
	    !arf_mime_is(o, "message", "feedback-report") &&
	    !arf_mime_is(o, "message", "delivery-status") &&
	    !arf_mime_is(o, "message", "disposition-notification");
}

/* the original sent as a leaf (base64, QP, header block): parse again */
static void
reparse_original(struct parse *p, GMimeObject *part)
{
	GByteArray *bytes = arf_mime_decode(part, p->lim->max_bytes);

	if (bytes == NULL)
		return;
	p->orig_msg = arf_mime_message((const char *)bytes->data, bytes->len);
	g_byte_array_unref(bytes);
	if (p->orig_msg != NULL)
		p->orig = g_mime_object_get_header_list(GMIME_OBJECT(
		    p->orig_msg));
}

static void
take_original(struct parse *p, GMimeObject *part)
{
	if (GMIME_IS_MESSAGE_PART(part)) {
		GMimeMessage *m = g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(part));

		if (m != NULL) {
			p->orig_msg = g_object_ref(m);
			p->orig = g_mime_object_get_header_list(
			    GMIME_OBJECT(m));
		}
		return;
	}
	reparse_original(p, part);
}

static void
find_original(struct parse *p, GMimeObject *container, GMimeObject *after)
{
	GMimeMultipart *mp;
	bool past = after == NULL;

	if (container == NULL || !GMIME_IS_MULTIPART(container))
		return;
	mp = GMIME_MULTIPART(container);
	for (int i = 0; i < g_mime_multipart_get_count(mp); i++) {
		GMimeObject *c = g_mime_multipart_get_part(mp, i);

		if (c == after) {
			past = true;
			continue;
		}
		if (past && is_original_type(c)) {
			take_original(p, c);
			if (p->orig != NULL)
				return;
		}
	}
}

static GMimeHeaderList *
headers_of(GMimeMessage *m)
{
	return m != NULL ? g_mime_object_get_header_list(GMIME_OBJECT(m)) :
	    NULL;
}

static void
read_wrapper(struct parse *p)
{
	GMimeMessage *w = p->wrapper != NULL ? p->wrapper : p->top;
	const char *id = g_mime_message_get_message_id(w);
	GDateTime *dt = g_mime_message_get_date(w);

	arf_record_set(p->rec, ARF_K_REPORT_MESSAGE_ID,
	    id != NULL && *id != '\0' ? id : NULL);
	if (dt != NULL)
		arf_record_set_time(p->rec, ARF_T_REPORT_DATE,
		    g_date_time_to_unix(dt));
}

static char *
sender_address(GMimeMessage *m)
{
	InternetAddressList *from = g_mime_message_get_from(m);
	InternetAddress *a;

	if (from == NULL || internet_address_list_length(from) == 0)
		return NULL;
	a = internet_address_list_get_address(from, 0);
	if (!INTERNET_ADDRESS_IS_MAILBOX(a))
		return NULL;
	return g_strdup(internet_address_mailbox_get_addr(
	    INTERNET_ADDRESS_MAILBOX(a)));
}

static void
set_provider(struct parse *p, bool legacy)
{
	GMimeMessage *w = p->wrapper != NULL ? p->wrapper : p->top;
	char *from = sender_address(w);
	struct arf_provider_hints h = {
		.user_agent = arf_record_get(p->rec, ARF_K_USER_AGENT),
		.source_field = arf_report_field(p->rec, "Source"),
		.report_from = from,
		.mru_header = arf_mime_index(headers_of(w),
		    "X-Mru-AbusefHost") >= 0,
		.jmrp_legacy = legacy,
	};

	arf_record_take(p->rec, ARF_K_PROVIDER, arf_provider_guess(&h));
	g_free(from);
	arf_orig_inside_provider(p->rec, p->lim->infra);
}

/* attribution, IP, recipients, domain: common to ARF and legacy JMRP */
static void
read_common(struct parse *p, const char *legacy_subject)
{
	GMimeHeaderList *top = headers_of(p->top);

	arf_orig_read(p->rec, p->orig, p->lim->trace_headers);
	arf_orig_derive_ip(p->rec, p->orig, legacy_subject, p->lim->infra);
	arf_orig_arrival(p->rec, p->orig);
	arf_orig_recipients(p->rec, p->orig, top);
	arf_orig_sending_domain(p->rec, p->orig);
	read_wrapper(p);
	if (p->orig == NULL)
		arf_record_warn(p->rec, "no original message in the report");
	if (arf_record_ip_origin(p->rec) == ARF_IP_NONE)
		arf_record_warn(p->rec, "no sending IP found");
}

static void
read_arf(struct parse *p)
{
	int fields = arf_report_read(p->rec, p->report, p->lim->max_bytes);
	const char *ft;

	if (fields > p->lim->max_headers) {
		quarantine(p, "%d report fields exceed the limit of %d",
		    fields, p->lim->max_headers);
		return;
	}
	ft = arf_record_get(p->rec, ARF_K_FEEDBACK_TYPE);
	if (ft == NULL) {
		quarantine(p, "feedback report without a Feedback-Type field");
		return;
	}
	if (strcmp(ft, "auth-failure") == 0 && !p->lim->accept_dmarc) {
		arf_record_set_format(p->rec, ARF_FORMAT_NOT_A_REPORT,
		    "authentication failure (DMARC) report; [arf] "
		    "accept_dmarc is off");
		return;
	}
	arf_record_set_format(p->rec, ARF_FORMAT_ARF, NULL);
	find_original(p, p->container, p->report);
	if (p->orig == NULL)
		find_original(p, p->container, NULL);
	read_common(p, NULL);
	set_provider(p, false);
}

static bool
has_field(GMimeHeaderList *hl, const char *name)
{
	return hl != NULL && arf_mime_index(hl, name) >= 0;
}

static bool
header_contains(GMimeMessage *m, const char *name, const char *needle)
{
	const char *v = g_mime_object_get_header(GMIME_OBJECT(m), name);

	return v != NULL && strcasestr(v, needle) != NULL;
}

static bool
is_legacy_subject(GMimeMessage *m)
{
	const char *s = g_mime_object_get_header(GMIME_OBJECT(m), "Subject");

	while (s != NULL && g_ascii_isspace(*s))
		s++;
	return s != NULL && g_ascii_strncasecmp(s, LEGACY_SUBJECT,
	    strlen(LEGACY_SUBJECT)) == 0;
}

/* first message/rfc822 child of a legacy wrapper, whatever its encoding */
static GMimeObject *
first_message_child(GMimeMessage *m)
{
	GMimeObject *body = g_mime_message_get_mime_part(m);

	if (body == NULL)
		return NULL;
	if (!GMIME_IS_MULTIPART(body))
		return arf_mime_is(body, "message", "rfc822") ? body : NULL;
	for (int i = 0; i < g_mime_multipart_get_count(GMIME_MULTIPART(body));
	    i++) {
		GMimeObject *c = g_mime_multipart_get_part(
		    GMIME_MULTIPART(body), i);

		if (arf_mime_is(c, "message", "rfc822"))
			return c;
	}
	return NULL;
}

static bool
child_has_hmxmr(GMimeObject *child)
{
	GMimeMessage *m;

	if (child == NULL || !GMIME_IS_MESSAGE_PART(child))
		return false;
	m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(child));
	return m != NULL &&
	    has_field(headers_of(m), "X-HmXmrOriginalRecipient");
}

static bool
is_jmrp_wrapper(GMimeMessage *m)
{
	return header_contains(m, "From", JMRP_SENDER) ||
	    is_legacy_subject(m) || child_has_hmxmr(first_message_child(m));
}

static bool
is_jmrp_inline(GMimeMessage *m)
{
	return has_field(headers_of(m), "X-HmXmrOriginalRecipient") ||
	    header_contains(m, "Return-Path", JMRP_SENDER);
}

static bool find_jmrp(struct parse *p, GMimeMessage *m, int depth);

static bool
find_jmrp_below(struct parse *p, GMimeObject *obj, int depth)
{
	if (obj == NULL || depth > p->lim->max_depth)
		return false;
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m = g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(obj));

		return m != NULL && find_jmrp(p, m, depth + 1);
	}
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);

		for (int i = 0; i < g_mime_multipart_get_count(mp); i++)
			if (find_jmrp_below(p, g_mime_multipart_get_part(mp,
			    i), depth + 1))
				return true;
	}
	return false;
}

/* legacy JMRP: the wrapper, the inline variant, or either forwarded */
static bool
find_jmrp(struct parse *p, GMimeMessage *m, int depth)
{
	if (is_jmrp_wrapper(m)) {
		GMimeObject *child = first_message_child(m);

		p->wrapper = m;
		if (child != NULL)
			take_original(p, child);
		else if (is_jmrp_inline(m))
			p->orig = headers_of(m);
		return true;
	}
	if (is_jmrp_inline(m)) {
		p->wrapper = m;
		p->orig = headers_of(m);
		return true;
	}
	return find_jmrp_below(p, g_mime_message_get_mime_part(m), depth);
}

static void
read_jmrp(struct parse *p)
{
	const char *subject = g_mime_object_get_header(
	    GMIME_OBJECT(p->wrapper), "Subject");

	arf_record_set_format(p->rec, ARF_FORMAT_JMRP_LEGACY, NULL);
	/* legacy reports carry no Feedback-Type; each is a junk complaint */
	arf_record_set(p->rec, ARF_K_FEEDBACK_TYPE, "abuse");
	read_common(p, is_legacy_subject(p->wrapper) ? subject : NULL);
	set_provider(p, true);
}

static const char *
not_report_reason(GMimeMessage *m)
{
	GMimeObject *body = g_mime_message_get_mime_part(m);
	GMimeContentType *ct = body != NULL ?
	    g_mime_object_get_content_type(body) : NULL;
	const char *rt = ct != NULL ?
	    g_mime_content_type_get_parameter(ct, "report-type") : NULL;

	if (body != NULL && arf_mime_is(body, "multipart", "report")) {
		if (rt != NULL && g_ascii_strcasecmp(rt, "delivery-status") == 0)
			return "delivery status notification (bounce)";
		if (rt != NULL &&
		    g_ascii_strcasecmp(rt, "disposition-notification") == 0)
			return "message disposition notification";
		return "multipart/report without a message/feedback-report "
		    "part";
	}
	if (has_field(headers_of(m), "X-Apple-Unsubscribe"))
		return "unsubscribe request (X-Apple-Unsubscribe), not a "
		    "complaint";
	if (header_contains(m, "Auto-Submitted", "auto-replied") ||
	    has_field(headers_of(m), "X-Autoreply") ||
	    has_field(headers_of(m), "X-Autorespond"))
		return "automatic reply";
	return "no feedback report or JMRP complaint found";
}

static void
classify(struct parse *p)
{
	if (find_report(p, g_mime_message_get_mime_part(p->top), p->top)) {
		read_arf(p);
		return;
	}
	if (find_jmrp(p, p->top, 0)) {
		read_jmrp(p);
		return;
	}
	arf_record_set_format(p->rec, ARF_FORMAT_NOT_A_REPORT,
	    not_report_reason(p->top));
}

static void
append_fields(GString *s, const struct arf_record *r)
{
	for (guint i = 0; i < arf_record_field_count(r); i++) {
		const char *k, *v;

		arf_record_field_at(r, i, &k, &v);
		g_string_append_printf(s, "%s: %s\n", k, v);
	}
}

/* [arf] keep = headers: wrapper headers, report fields, original headers */
static void
keep_headers(struct parse *p)
{
	const char *h = header_start(p->data, p->len);
	const char *b = body_start(p->data, p->len);
	GString *s = g_string_sized_new(4096);

	g_string_append_len(s, h, b - h);
	if (s->len > 0 && s->str[s->len - 1] != '\n')
		g_string_append_c(s, '\n');
	if (arf_record_field_count(p->rec) > 0) {
		append_fields(s, p->rec);
		g_string_append_c(s, '\n');
	}
	if (p->orig != NULL) {
		char *oh = g_mime_header_list_to_string(p->orig, NULL);

		g_string_append(s, oh);
		g_free(oh);
	}
	arf_record_take_headers(p->rec, s);
}

/* lengths GMime is never shown: arf_scan checks them on the bytes */
static bool
within_lengths(struct parse *p)
{
	size_t start = (size_t)(header_start(p->data, p->len) - p->data);
	char *reason = NULL;

	if (arf_scan_within(&reason, p->data, p->len, start, p->lim))
		return true;
	arf_record_set_format(p->rec, ARF_FORMAT_QUARANTINE, reason);
	g_free(reason);
	return false;
}

static void
parse_message(struct parse *p)
{
	if (!within_lengths(p)) {
		hash_message(p);
		return;
	}
	p->top = arf_mime_message(p->data, p->len);
	hash_message(p);
	if (p->top == NULL) {
		quarantine(p, "not a MIME message");
		return;
	}
	if (!within_limits(p))
		return;
	classify(p);
	if (p->lim->keep == ARF_KEEP_HEADERS &&
	    arf_record_is_report(p->rec))
		keep_headers(p);
}

int
arf_parse(struct arf_record **out, const char *data, size_t len,
    const char *input, const struct arf_limits *lim)
{
	struct parse p = {.lim = lim, .data = data, .len = len};
	GString *norm = NULL;

	arf_mime_init();
	p.rec = arf_record_new(input);
	arf_record_set_size(p.rec, len);
	if (len > lim->max_bytes) {
		hash_message(&p);
		quarantine(&p, "message of %zu bytes exceeds the limit of %zu "
		    "bytes", len, lim->max_bytes);
		goto cleanup;
	}
	norm = normalize(data, len);
	if (norm != NULL) {
		p.data = norm->str;
		p.len = norm->len;
	}
	parse_message(&p);
cleanup:
	if (p.orig_msg != NULL)
		g_object_unref(p.orig_msg);
	if (p.top != NULL)
		g_object_unref(p.top);
	if (norm != NULL)
		g_string_free(norm, TRUE);
	*out = p.rec;
	return 0;
}

/*
 * arf_imap_reply - IMAP responses read from any byte source (see
 * arf_imap_reply.h); the connection that feeds them is arf_imap.c.
 */
#include <stdbool.h>
#include <string.h>

#include "common/rw_error.h"
#include "arf/arf_imap_reply.h"

/* text of a tagged line kept for messages */
#define TEXT_MAX 300
#define READ_CHUNK 16384

/* ---- reading responses ------------------------------------------------ */

struct arf_imap_reader {
	arf_imap_fill_fn fill;
	void *ctx;
	size_t pos, len;
	char buf[READ_CHUNK];
};

struct arf_imap_reader *
arf_imap_reader_new(arf_imap_fill_fn fill, void *ctx)
{
	struct arf_imap_reader *r = g_new0(struct arf_imap_reader, 1);

	r->fill = fill;
	r->ctx = ctx;
	return r;
}

void
arf_imap_reader_reset(struct arf_imap_reader *r)
{
	r->pos = r->len = 0;
}

void
arf_imap_reader_free(struct arf_imap_reader *r)
{
	g_free(r);
}

void
arf_imap_msg_free(gpointer p)
{
	struct arf_imap_msg *msg = p;

	if (msg == NULL)
		return;
	if (msg->body != NULL)
		g_byte_array_unref(msg->body);
	g_free(msg);
}

void
arf_imap_reply_init(struct arf_imap_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->uidvalidity = -1;
	r->uids = g_array_new(FALSE, FALSE, sizeof(guint64));
	r->msgs = g_ptr_array_new_with_free_func(arf_imap_msg_free);
}

void
arf_imap_reply_clear(struct arf_imap_reply *r)
{
	g_free(r->text);
	if (r->uids != NULL)
		g_array_unref(r->uids);
	if (r->msgs != NULL)
		g_ptr_array_unref(r->msgs);
	memset(r, 0, sizeof(*r));
	r->uidvalidity = -1;
}

/* make at least one byte available */
static int
rd_more(struct arf_imap_reader *r)
{
	size_t n = 0;
	int rc;

	if (r->pos < r->len)
		return 0;
	rc = r->fill(r->ctx, r->buf, sizeof(r->buf), &n);
	if (rc != 0)
		return rc;
	if (n == 0)
		return rw_error_set(RW_ETEMP, "the imap server closed the "
		    "connection");
	r->pos = 0;
	r->len = MIN(n, sizeof(r->buf));
	return 0;
}

/* the next line, without its CRLF, into OUT */
static int
rd_line(struct arf_imap_reader *r, GString *out, size_t max)
{
	const char *nl = NULL;

	g_string_truncate(out, 0);
	while (nl == NULL) {
		int rc = rd_more(r);
		const char *s = r->buf + r->pos;
		size_t n;

		if (rc != 0)
			return rc;
		nl = memchr(s, '\n', r->len - r->pos);
		n = nl != NULL ? (size_t)(nl - s) : r->len - r->pos;
		if (out->len + n > max)
			return rw_error_set(RW_EUNAVAIL, "imap response line "
			    "over %zu bytes", max);
		g_string_append_len(out, s, (gssize)n);
		r->pos += n + (nl != NULL);
	}
	if (out->len > 0 && out->str[out->len - 1] == '\r')
		g_string_truncate(out, out->len - 1);
	return 0;
}

/* N literal bytes: the first KEEP go to SINK (nullable), the rest away */
static int
rd_literal(struct arf_imap_reader *r, guint64 n, GByteArray *sink,
    size_t keep)
{
	while (n > 0) {
		int rc = rd_more(r);
		size_t k;

		if (rc != 0)
			return rc;
		k = (size_t)MIN(n, (guint64)(r->len - r->pos));
		if (sink != NULL && sink->len < keep)
			g_byte_array_append(sink, (const guint8 *)r->buf + r->pos,
			    (guint)MIN(k, keep - sink->len));
		r->pos += k;
		n -= k;
	}
	return 0;
}

/* tokens of one response, which goes on after each literal */
enum tok { T_END, T_ATOM, T_QUOTED, T_LITERAL, T_OPEN, T_CLOSE };

struct cur {
	struct arf_imap_reader *rd;
	const struct arf_imap_limits *lim;
	GString *seg;     /* the current line (the text between literals) */
	size_t i;
	GString *tok;     /* text of the last atom or quoted string */
	guint64 lit;      /* length of the literal last returned */
	bool lit_pending; /* ... not read yet */
};

/* read the pending literal (first KEEP bytes into SINK), then the line
 * that follows it */
static int
cur_literal(struct cur *c, GByteArray *sink, size_t keep)
{
	int rc = rd_literal(c->rd, c->lit, sink, keep);

	c->lit_pending = false;
	c->i = 0;
	if (rc == 0)
		rc = rd_line(c->rd, c->seg, c->lim->line_max);
	if (rc != 0)
		g_string_truncate(c->seg, 0); /* nothing more to parse */
	return rc;
}

/* "{123}" or "{123+}" ending the line at I: a literal of that length */
static bool
scan_literal(struct cur *c)
{
	const char *s = c->seg->str;
	size_t j = c->i + 1, len = c->seg->len;
	guint64 n = 0;

	if (j >= len || !g_ascii_isdigit(s[j]))
		return false;
	for (; j < len && g_ascii_isdigit(s[j]); j++) {
		if (n > (G_MAXUINT64 - 9) / 10)
			return false;
		n = n * 10 + (guint64)(s[j] - '0');
	}
	if (j < len && s[j] == '+')
		j++;
	if (j + 1 != len || s[j] != '}')
		return false;
	c->lit = n;
	c->lit_pending = true;
	c->i = len;
	return true;
}

static void
scan_quoted(struct cur *c)
{
	const char *s = c->seg->str;

	g_string_truncate(c->tok, 0);
	for (c->i++; c->i < c->seg->len && s[c->i] != '"'; c->i++) {
		if (s[c->i] == '\\' && c->i + 1 < c->seg->len)
			c->i++;
		g_string_append_c(c->tok, s[c->i]);
	}
	if (c->i < c->seg->len)
		c->i++;
}

/* an atom; "BODY[HEADER.FIELDS (A B)]<0>" is one despite its spaces */
static void
scan_atom(struct cur *c)
{
	const char *s = c->seg->str;
	int depth = 0;

	g_string_truncate(c->tok, 0);
	for (; c->i < c->seg->len; c->i++) {
		char ch = s[c->i];

		if (depth == 0 && (ch == ' ' || ch == '(' || ch == ')'))
			break;
		if (ch == '[')
			depth++;
		else if (ch == ']' && depth > 0)
			depth--;
		g_string_append_c(c->tok, ch);
	}
}

/* the next token; a literal not read by the caller is skipped */
static int
next_tok(struct cur *c, enum tok *out)
{
	int rc = c->lit_pending ? cur_literal(c, NULL, 0) : 0;
	char ch;

	while (c->i < c->seg->len && c->seg->str[c->i] == ' ')
		c->i++;
	*out = T_END;
	if (rc != 0 || c->i >= c->seg->len)
		return rc;
	ch = c->seg->str[c->i];
	if (ch == '(' || ch == ')') {
		c->i++;
		*out = ch == '(' ? T_OPEN : T_CLOSE;
	} else if (ch == '"') {
		scan_quoted(c);
		*out = T_QUOTED;
	} else if (ch == '{' && scan_literal(c)) {
		*out = T_LITERAL;
	} else {
		scan_atom(c);
		*out = T_ATOM;
	}
	return 0;
}

/* skip one value: an atom, string, literal or parenthesized list */
static int
skip_value(struct cur *c)
{
	enum tok t;
	int depth = 0;
	int rc = next_tok(c, &t);

	if (rc == 0 && t == T_OPEN)
		depth = 1;
	while (rc == 0 && depth > 0) {
		rc = next_tok(c, &t);
		if (t == T_END)
			break;
		depth += t == T_OPEN ? 1 : t == T_CLOSE ? -1 : 0;
	}
	return rc;
}

/* the rest of a response, its literals read and dropped */
static int
drain(struct cur *c)
{
	enum tok t = T_ATOM;
	int rc = 0;

	while (rc == 0 && t != T_END)
		rc = next_tok(c, &t);
	return rc;
}

/* the number token that follows */
static int
tok_number(struct cur *c, guint64 *out)
{
	enum tok t;
	char *end = NULL;
	int rc = next_tok(c, &t);

	if (rc != 0 || t != T_ATOM || c->tok->len == 0 ||
	    !g_ascii_isdigit(c->tok->str[0]))
		return rc;
	*out = g_ascii_strtoull(c->tok->str, &end, 10);
	if (*end != '\0')
		*out = 0;
	return 0;
}

/* keep N more body bytes within the reply's total */
static int
account(struct arf_imap_reply *out, const struct arf_imap_limits *lim,
    size_t n)
{
	if (n > lim->total_max || out->body_bytes > lim->total_max - n)
		return rw_error_set(RW_EUNAVAIL, "imap FETCH response over %zu "
		    "message bytes (more than the sizes announced)",
		    lim->total_max);
	out->body_bytes += n;
	return 0;
}

/* the value of BODY[]: a literal, a quoted string or NIL */
static int
fetch_body(struct cur *c, struct arf_imap_msg *msg,
    struct arf_imap_reply *out)
{
	const struct arf_imap_limits *lim = c->lim;
	enum tok t;
	int rc = next_tok(c, &t);
	size_t n;

	if (rc != 0 || msg->body != NULL || (t != T_LITERAL && t != T_QUOTED))
		return rc;
	n = t == T_QUOTED ? c->tok->len : (size_t)MIN(c->lit,
	    (guint64)lim->body_max);
	n = MIN(n, lim->body_max);
	rc = account(out, lim, n);
	if (rc != 0)
		return rc;
	msg->body = g_byte_array_sized_new((guint)MIN(n, (size_t)65536));
	if (t == T_QUOTED)
		g_byte_array_append(msg->body, (const guint8 *)c->tok->str,
		    (guint)n);
	else
		rc = cur_literal(c, msg->body, n);
	out->body_bytes -= n - msg->body->len; /* a literal cut short */
	return rc;
}

/* one "NAME value" of a FETCH list */
static int
fetch_item(struct cur *c, struct arf_imap_msg *msg,
    struct arf_imap_reply *out)
{
	char *name = g_ascii_strup(c->tok->str, (gssize)c->tok->len);
	guint64 v = 0;
	int rc;

	if (strcmp(name, "UID") == 0) {
		rc = tok_number(c, &v);
		msg->uid = v;
	} else if (strcmp(name, "RFC822.SIZE") == 0) {
		rc = tok_number(c, &v);
		msg->size = v <= G_MAXINT64 ? (gint64)v : -1;
	} else if (g_str_has_prefix(name, "BODY[]")) {
		rc = fetch_body(c, msg, out);
	} else {
		rc = skip_value(c);
	}
	g_free(name);
	return rc;
}

/* "(UID 5 RFC822.SIZE 10 BODY[] {10}" CRLF 10 bytes ")" */
static int
parse_fetch(struct cur *c, struct arf_imap_reply *out)
{
	struct arf_imap_msg *msg = g_new0(struct arf_imap_msg, 1);
	enum tok t;
	int rc = next_tok(c, &t);

	msg->size = -1;
	if (rc == 0 && t == T_OPEN)
		while (rc == 0 && (rc = next_tok(c, &t)) == 0 && t == T_ATOM)
			rc = fetch_item(c, msg, out);
	if (rc == 0 && msg->uid > 0) {
		g_ptr_array_add(out->msgs, msg);
		msg = NULL;
	} else if (msg->body != NULL) {
		out->body_bytes -= msg->body->len;
	}
	arf_imap_msg_free(msg);
	return rc;
}

/* the offset after "N FETCH " of an untagged line, 0 when it is not one */
static size_t
fetch_offset(const GString *line)
{
	size_t i = 2;

	while (i < line->len && g_ascii_isdigit(line->str[i]))
		i++;
	if (i == 2 || line->len - i < 7 ||
	    g_ascii_strncasecmp(line->str + i, " FETCH ", 7) != 0)
		return 0;
	return i + 7;
}

static bool
has_prefix_ci(const GString *s, size_t at, const char *prefix)
{
	size_t n = strlen(prefix);

	return s->len >= at + n &&
	    g_ascii_strncasecmp(s->str + at, prefix, n) == 0;
}

/* "* ..." : SEARCH, OK [UIDVALIDITY n], n FETCH; the rest is skipped */
static int
untagged(struct cur *c, struct arf_imap_reply *out)
{
	size_t at = fetch_offset(c->seg);
	int rc = 0;

	if (has_prefix_ci(c->seg, 2, "SEARCH"))
		arf_imap_parse_search(out->uids, c->seg->str, c->seg->len, 0);
	else if (has_prefix_ci(c->seg, 2, "OK [UIDVALIDITY "))
		out->uidvalidity = arf_imap_response_number(c->seg->str,
		    c->seg->len, "[UIDVALIDITY ");
	c->i = at > 0 ? at : 2;
	if (at > 0)
		rc = parse_fetch(c, out);
	return rc == 0 ? drain(c) : rc;
}

/* "TAG OK text" */
static void
tagged(struct cur *c, struct arf_imap_reply *out, size_t tag_len)
{
	const char *s = c->seg->str + tag_len + 1;

	out->status = g_ascii_strncasecmp(s, "OK", 2) == 0 ? 'O' :
	    g_ascii_strncasecmp(s, "NO", 2) == 0 ? 'N' :
	    g_ascii_strncasecmp(s, "BAD", 3) == 0 ? 'B' : 0;
	out->text = g_strndup(s, TEXT_MAX);
}

static int
one_line(struct cur *c, struct arf_imap_reply *out, const char *tag,
    bool *out_done)
{
	size_t tl = strlen(tag);
	GString *s = c->seg;

	c->i = 0;
	if (s->len > tl && memcmp(s->str, tag, tl) == 0 && s->str[tl] == ' ') {
		tagged(c, out, tl);
		*out_done = true;
		return 0;
	}
	if (s->len >= 2 && memcmp(s->str, "* ", 2) == 0)
		return untagged(c, out);
	if (s->len >= 1 && s->str[0] == '+')
		return rw_error_set(RW_EUNAVAIL, "unexpected imap continuation "
		    "request");
	return drain(c);
}

int
arf_imap_read_reply(struct arf_imap_reply *out, struct arf_imap_reader *r,
    const char *tag, const struct arf_imap_limits *lim)
{
	struct cur c = {.rd = r, .lim = lim};
	bool done = false;
	int rc = 0;

	c.seg = g_string_new(NULL);
	c.tok = g_string_new(NULL);
	while (rc == 0 && !done) {
		rc = rd_line(r, c.seg, lim->line_max);
		if (rc == 0)
			rc = one_line(&c, out, tag, &done);
	}
	g_string_free(c.seg, TRUE);
	g_string_free(c.tok, TRUE);
	return rc;
}

/* "...(UIDVALIDITY 123 ...": the number after KEY in the response */
gint64
arf_imap_response_number(const char *resp, size_t len, const char *key)
{
	char *text = g_strndup(resp, len);
	char *p = strstr(text, key);
	gint64 v = p != NULL ? g_ascii_strtoll(p + strlen(key), NULL, 10) : -1;

	g_free(text);
	return v;
}

gint
arf_imap_uid_cmp(gconstpointer a, gconstpointer b)
{
	guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;

	return x < y ? -1 : x > y;
}

/* "* SEARCH 4 5 9": UIDs above ABOVE ("N:*" always holds the top UID) */
void
arf_imap_parse_search(GArray *uids, const char *resp, size_t len,
    gint64 above)
{
	char *text = g_strndup(resp, len);
	char *p = strstr(text, "SEARCH");

	while (p != NULL && *p != '\0' && *p != '\r' && *p != '\n') {
		char *end;
		guint64 uid = g_ascii_strtoull(p, &end, 10);

		if (end == p) {
			p++;
			continue;
		}
		if ((gint64)uid > above)
			g_array_append_val(uids, uid);
		p = end;
	}
	g_array_sort(uids, arf_imap_uid_cmp);
	g_free(text);
}

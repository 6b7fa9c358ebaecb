/*
 * arf_ip - IP address tokens in header values.
 */
#include <arpa/inet.h>
#include <string.h>

#include <glib.h>

#include "common/rw_ip.h"
#include "arf/arf_ip.h"

/* called per token with its parenthesis depth; false stops the scan */
typedef bool (*token_fn)(void *ctx, const char *tok, size_t len, int depth);

static bool
is_delim(char c)
{
	return g_ascii_isspace(c) || strchr("[]()<>;,=\"'", c) != NULL;
}

static void
scan_tokens(const char *text, token_fn fn, void *ctx)
{
	int depth = 0;
	const char *p = text;

	while (*p != '\0') {
		const char *start;

		if (*p == '(' || *p == ')') {
			depth += *p == '(' ? 1 : (depth > 0 ? -1 : 0);
			p++;
			continue;
		}
		if (is_delim(*p)) {
			p++;
			continue;
		}
		start = p;
		while (*p != '\0' && !is_delim(*p))
			p++;
		if (!fn(ctx, start, (size_t)(p - start), depth))
			return;
	}
}

/* canonical form of one token, or false when it is no address */
static bool
token_ip(char out[static ARF_IP_BUF], const char *tok, size_t len)
{
	/* cheap refusal of words: an address starts with a digit, a colon,
	 * a hex letter of IPv6 or "IPv6:" */
	if (len == 0 || !(g_ascii_isxdigit(tok[0]) || tok[0] == ':' ||
	    tok[0] == 'I' || tok[0] == 'i'))
		return false;
	return rw_ip_normalize(out, tok, len);
}

struct first_ctx {
	char *out;
	bool found;
	bool outside_comments; /* only depth 0, first token decides */
};

static bool
first_cb(void *ctx, const char *tok, size_t len, int depth)
{
	struct first_ctx *c = ctx;

	if (c->outside_comments) {
		if (depth > 0)
			return true;
		c->found = token_ip(c->out, tok, len);
		return false;
	}
	c->found = token_ip(c->out, tok, len);
	return !c->found;
}

bool
arf_ip_parse(char out[static ARF_IP_BUF], const char *text)
{
	struct first_ctx c = {out, false, true};

	if (text == NULL)
		return false;
	scan_tokens(text, first_cb, &c);
	return c.found;
}

bool
arf_ip_first(char out[static ARF_IP_BUF], const char *text)
{
	struct first_ctx c = {out, false, false};

	if (text == NULL)
		return false;
	scan_tokens(text, first_cb, &c);
	return c.found;
}

bool
arf_ip_after(char out[static ARF_IP_BUF], const char *text,
    const char *marker)
{
	size_t mlen = strlen(marker);

	if (text == NULL)
		return false;
	for (const char *p = text; *p != '\0'; p++)
		if (g_ascii_strncasecmp(p, marker, mlen) == 0)
			return arf_ip_first(out, p + mlen);
	return false;
}

/*
 * "helo=NAME" (Exim), "(EHLO NAME)" (Yahoo, qmail): the next token is the
 * name the client gave, which may be an address literal of its own
 * ("helo=[10.0.0.5]"); the connecting address is elsewhere in the clause
 */
static bool
is_helo_word(const char *tok, size_t len)
{
	return len == 4 && (g_ascii_strncasecmp(tok, "helo", 4) == 0 ||
	    g_ascii_strncasecmp(tok, "ehlo", 4) == 0);
}

struct received_ctx {
	char *out;
	bool found;
	bool started;
	bool helo_next; /* the next token is the HELO argument */
};

static bool
received_cb(void *ctx, const char *tok, size_t len, int depth)
{
	struct received_ctx *c = ctx;
	char ip[ARF_IP_BUF];

	if (!c->started) {
		/* only the "from" clause names the connecting host */
		c->started = len == 4 && g_ascii_strncasecmp(tok, "from", 4) == 0;
		return c->started;
	}
	if (depth == 0 && len == 2 && g_ascii_strncasecmp(tok, "by", 2) == 0)
		return false;
	if (c->helo_next) {
		c->helo_next = false;
		return true;
	}
	c->helo_next = is_helo_word(tok, len);
	if (!c->helo_next && token_ip(ip, tok, len)) {
		memcpy(c->out, ip, ARF_IP_BUF);
		c->found = true;
	}
	return true;
}

bool
arf_ip_received(char out[static ARF_IP_BUF], const char *received)
{
	struct received_ctx c = {out, false, false, false};

	if (received == NULL)
		return false;
	scan_tokens(received, received_cb, &c);
	return c.found;
}

enum hop_state { HOP_START, HOP_FROM, HOP_BY, HOP_REST };

struct hop_ctx {
	struct arf_ip_hop *h;
	enum hop_state st;
	bool helo_next; /* the next from token is the HELO argument */
	const char *end; /* the date's semicolon: nothing after it is read */
};

static bool
word_is(const char *tok, size_t len, const char *w)
{
	return strlen(w) == len && g_ascii_strncasecmp(tok, w, len) == 0;
}

/* letters, digits, '-', '_' and at least one inner dot: a host name */
static bool
host_like(const char *tok, size_t len)
{
	bool dot = false;

	for (size_t i = 0; i < len; i++) {
		if (tok[i] == '.')
			dot = dot || (i > 0 && i + 1 < len);
		else if (!g_ascii_isalnum(tok[i]) && tok[i] != '-' &&
		    tok[i] != '_')
			return false;
	}
	return dot;
}

static void
hop_from_token(struct hop_ctx *c, const char *tok, size_t len)
{
	struct arf_ip_hop *h = c->h;
	char ip[ARF_IP_BUF];
	bool helo = c->helo_next;

	c->helo_next = !helo && is_helo_word(tok, len);
	if (c->helo_next)
		return;
	if (!helo && token_ip(ip, tok, len)) {
		memcpy(h->from_ip, ip, ARF_IP_BUF);
		h->has_from_ip = true;
		return;
	}
	if (h->n_names < ARF_IP_HOP_NAMES && host_like(tok, len)) {
		h->names[h->n_names] = tok;
		h->name_len[h->n_names++] = len;
	}
}

static bool
hop_cb(void *ctx, const char *tok, size_t len, int depth)
{
	struct hop_ctx *c = ctx;
	struct arf_ip_hop *h = c->h;
	char ip[ARF_IP_BUF];

	if (c->end != NULL && tok >= c->end)
		return false;
	if (depth == 0 && word_is(tok, len, "from") && c->st == HOP_START) {
		c->st = HOP_FROM;
		h->has_from = true;
		return true;
	}
	if (depth == 0 && word_is(tok, len, "by") && c->st < HOP_BY) {
		c->st = HOP_BY;
		return true;
	}
	if (depth == 0 && c->st == HOP_BY && (word_is(tok, len, "with") ||
	    word_is(tok, len, "id") || word_is(tok, len, "via") ||
	    word_is(tok, len, "for")))
		return false;
	if (c->st == HOP_FROM) {
		hop_from_token(c, tok, len);
	} else if (c->st == HOP_BY) {
		if (h->by == NULL && depth == 0) {
			h->by = tok;
			h->by_len = len;
		}
		if (!h->has_by_ip && token_ip(ip, tok, len)) {
			memcpy(h->by_ip, ip, ARF_IP_BUF);
			h->has_by_ip = true;
		}
	}
	return true;
}

void
arf_ip_hop(struct arf_ip_hop *out, const char *received)
{
	struct hop_ctx c = {out, HOP_START, false, NULL};

	memset(out, 0, sizeof(*out));
	if (received == NULL)
		return;
	c.end = strrchr(received, ';');
	scan_tokens(received, hop_cb, &c);
}

static bool
v4_is_public(const unsigned char *b)
{
	if (b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224)
		return false;
	if (b[0] == 169 && b[1] == 254)
		return false;
	if (b[0] == 172 && (b[1] & 0xf0) == 16)
		return false;
	if (b[0] == 192 && b[1] == 168)
		return false;
	/* 100.64/10: carrier-grade NAT */
	if (b[0] == 100 && (b[1] & 0xc0) == 64)
		return false;
	return true;
}

static bool
v6_is_public(const unsigned char *b)
{
	static const unsigned char zero[16];

	if (memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1))
		return false;
	if ((b[0] & 0xfe) == 0xfc)              /* fc00::/7 unique local */
		return false;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) /* fe80::/10 */
		return false;
	if (b[0] == 0xff)                       /* multicast */
		return false;
	/* ::ffff:a.b.c.d - judge the embedded IPv4 address */
	if (memcmp(b, zero, 10) == 0 && b[10] == 0xff && b[11] == 0xff)
		return v4_is_public(b + 12);
	return true;
}

bool
arf_ip_is_public(const char *ip)
{
	unsigned char b[16];

	if (inet_pton(AF_INET, ip, b) == 1)
		return v4_is_public(b);
	if (inet_pton(AF_INET6, ip, b) == 1)
		return v6_is_public(b);
	return false;
}

bool
arf_ip_is_loopback(const char *ip)
{
	unsigned char b[16];
	static const unsigned char one[16] = {[15] = 1};

	if (inet_pton(AF_INET, ip, b) == 1)
		return b[0] == 127 || b[0] == 0;
	if (inet_pton(AF_INET6, ip, b) == 1)
		return memcmp(b, one, 16) == 0;
	return true;
}

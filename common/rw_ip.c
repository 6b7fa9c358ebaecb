/*
 * rw_ip - canonical addresses and CIDR networks.
 */
#include <arpa/inet.h>
#include <string.h>

#include <glib.h>

#include "common/rw_ip.h"

/* longer than any address literal with a zone id: refused unread */
#define TEXT_MAX 64

static const unsigned char mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
};

/* strip decoration around an address literal into BUF */
static bool
bare(char buf[static TEXT_MAX + 1], const char *text, size_t len)
{
	const char *pct;

	while (len > 0 && (g_ascii_isspace(*text) || *text == '[')) {
		text++;
		len--;
	}
	while (len > 0 && (g_ascii_isspace(text[len - 1]) ||
	    text[len - 1] == ']' || text[len - 1] == '.'))
		len--;
	if (len >= 5 && g_ascii_strncasecmp(text, "IPv6:", 5) == 0) {
		text += 5;
		len -= 5;
	}
	/* a zone id names the sender's interface, not the address */
	pct = memchr(text, '%', len);
	if (pct != NULL)
		len = (size_t)(pct - text);
	if (len == 0 || len > TEXT_MAX)
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	return true;
}

static bool
to_binary(struct rw_cidr *out, const char *buf)
{
	memset(out, 0, sizeof(*out));
	if (strchr(buf, ':') == NULL) {
		out->v4 = true;
		out->bits = 32;
		return inet_pton(AF_INET, buf, out->addr) == 1;
	}
	if (inet_pton(AF_INET6, buf, out->addr) != 1)
		return false;
	out->bits = 128;
	if (memcmp(out->addr, mapped_prefix, 12) == 0) {
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
		out->v4 = true;
		out->bits = 32;
	}
	return true;
}

bool
rw_ip_normalize(char out[static RW_IP_BUF], const char *text, size_t len)
{
	char buf[TEXT_MAX + 1];
	struct rw_cidr a;

	if (text == NULL || !bare(buf, text, len) || !to_binary(&a, buf))
		return false;
	return inet_ntop(a.v4 ? AF_INET : AF_INET6, a.addr, out,
	    RW_IP_BUF) != NULL;
}

bool
rw_ip_binary(struct rw_cidr *out, const char *text)
{
	char buf[TEXT_MAX + 1];

	return text != NULL && bare(buf, text, strlen(text)) &&
	    to_binary(out, buf);
}

/* no address bit set below the prefix */
static bool
host_bits_clear(const struct rw_cidr *c)
{
	int bytes = c->v4 ? 4 : 16;

	for (int i = 0; i < bytes; i++) {
		int keep = (int)c->bits - 8 * i;
		unsigned char mask = keep >= 8 ? 0xff : keep <= 0 ? 0 :
		    (unsigned char)(0xff << (8 - keep));

		if ((c->addr[i] & (unsigned char)~mask) != 0)
			return false;
	}
	return true;
}

bool
rw_cidr_parse(struct rw_cidr *out, const char *text)
{
	char buf[TEXT_MAX + 1];
	const char *slash;
	long long bits;
	char *end;
	size_t len;

	if (text == NULL)
		return false;
	while (g_ascii_isspace(*text))
		text++;
	len = strlen(text);
	while (len > 0 && g_ascii_isspace(text[len - 1]))
		len--;
	slash = memchr(text, '/', len);
	if (slash == NULL)
		return len <= TEXT_MAX && bare(buf, text, len) &&
		    to_binary(out, buf);
	if ((size_t)(slash - text) > TEXT_MAX || slash == text)
		return false;
	memcpy(buf, text, (size_t)(slash - text));
	buf[slash - text] = '\0';
	if (strchr(buf, '%') != NULL || !to_binary(out, buf))
		return false;
	if (!g_ascii_isdigit(slash[1]))
		return false;
	bits = g_ascii_strtoll(slash + 1, &end, 10);
	if (end != text + len)
		return false;
	/* a mapped network "::ffff:a.b.c.d/n" is the IPv4 network n - 96 */
	if (out->v4 && strchr(buf, ':') != NULL)
		bits -= 96;
	if (bits < 0 || bits > (out->v4 ? 32 : 128))
		return false;
	out->bits = (unsigned char)bits;
	return host_bits_clear(out);
}

bool
rw_cidr_contains(const struct rw_cidr *net, const struct rw_cidr *addr)
{
	int full = net->bits / 8, rest = net->bits % 8;

	if (net->v4 != addr->v4)
		return false;
	if (memcmp(net->addr, addr->addr, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((net->addr[full] ^ addr->addr[full]) &
	    (unsigned char)(0xff << (8 - rest))) == 0;
}

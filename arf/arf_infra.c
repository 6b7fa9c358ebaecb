/*
 * arf_infra - provider infrastructure table.
 *
 * Sources of the built-in table (reviewed 2026-12):
 *  - Microsoft: host names as they appear in real Exchange Online and
 *    Outlook.com Received fields (doc/arf.md, "The sending IP"); networks
 *    from Microsoft's "Office 365 URLs and IP address ranges" (Exchange
 *    Online, endpoint set IDs 1, 2, 9 and 10; web service
 *    https://endpoints.office.com/endpoints/worldwide), Microsoft's
 *    registry allocations 2603:1000::/24, 2a01:111::/32 and 2620:1ec::/36
 *    that the Exchange Online IPv6 ranges lie in, the former Exchange
 *    Online Protection / FOPE ranges and the Hotmail-era ranges seen in
 *    legacy JMRP chains (65.52.0.0/14, 157.55.0.0/16, 207.46.0.0/16).
 *    EOP also numbers internal hops from 25.0.0.0/8.
 *  - Google: the _spf.google.com netblocks (_netblocks.google.com,
 *    _netblocks2, _netblocks3) and 2002:a05::/32, the 6to4-form address
 *    Google writes for its internal hops ("by 2002:a05:...").
 *  - The others: host names of their inbound MX and relays in real
 *    reports; networks from their registry allocations (Apple 17/8,
 *    Yandex, Comcast's IPv6 block, Mail.ru's mail networks).
 * Users add what is missing with [arf] provider_hosts / provider_networks.
 */
#include <string.h>

#include <glib.h>

#include "common/rw_error.h"
#include "arf/arf_infra.h"

enum {
	P_USER = ARF_INFRA_USER,
	P_MICROSOFT,
	P_YAHOO,
	P_GOOGLE,
	P_COMCAST,
	P_MAILRU,
	P_ZOHO,
	P_NETEASE,
	P_APPLE,
	P_YANDEX,
	P_OTHER_ISP,
	P_COUNT_
};

static const char *const provider_names[P_COUNT_] = {
	[P_USER] = "configured",
	[P_MICROSOFT] = "microsoft",
	[P_YAHOO] = "yahoo",
	[P_GOOGLE] = "google",
	[P_COMCAST] = "comcast",
	[P_MAILRU] = "mail.ru",
	[P_ZOHO] = "zoho",
	[P_NETEASE] = "netease",
	[P_APPLE] = "apple",
	[P_YANDEX] = "yandex",
	[P_OTHER_ISP] = "isp",
};

struct entry {
	int provider;
	const char *text;
};

/* host-name suffixes, matched on a label boundary */
static const struct entry builtin_hosts[] = {
	/* *.prod.outlook.com, *.protection.outlook.com */
	{P_MICROSOFT, "outlook.com"},
	{P_MICROSOFT, "office365.com"},        /* *.outlook.office365.com */
	{P_MICROSOFT, "exchangelabs.com"},     /* *.prod.exchangelabs.com */
	{P_MICROSOFT, "hotmail.com"},
	{P_MICROSOFT, "live.com"},
	{P_MICROSOFT, "msn.com"},
	{P_MICROSOFT, "microsoft.com"},        /* mx.microsoft.com (ARC) */
	{P_MICROSOFT, "office.com"},
	{P_MICROSOFT, "outlook.cn"},           /* 365 operated by 21Vianet */
	{P_MICROSOFT, "phx.gbl"},              /* Hotmail-era internal hosts */
	{P_YAHOO, "yahoo.com"},
	{P_YAHOO, "yahoo.net"},
	{P_YAHOO, "yahoodns.net"},
	{P_YAHOO, "ymail.com"},
	{P_YAHOO, "rocketmail.com"},
	{P_YAHOO, "aol.com"},
	{P_YAHOO, "aol.net"},
	{P_YAHOO, "aim.com"},
	{P_GOOGLE, "google.com"},
	{P_GOOGLE, "gmail.com"},
	{P_GOOGLE, "googlemail.com"},
	{P_GOOGLE, "1e100.net"},
	{P_COMCAST, "comcast.net"},
	{P_MAILRU, "mail.ru"},
	{P_MAILRU, "list.ru"},
	{P_MAILRU, "bk.ru"},
	{P_MAILRU, "inbox.ru"},
	{P_MAILRU, "my.com"},
	{P_ZOHO, "zoho.com"},
	{P_ZOHO, "zohomail.com"},
	{P_ZOHO, "zoho.eu"},
	{P_ZOHO, "zoho.in"},
	{P_NETEASE, "163.com"},
	{P_NETEASE, "126.com"},
	{P_NETEASE, "netease.com"},
	{P_NETEASE, "yeah.net"},
	{P_APPLE, "icloud.com"},
	{P_APPLE, "me.com"},
	{P_APPLE, "mac.com"},
	{P_APPLE, "apple.com"},
	{P_YANDEX, "yandex.net"},
	{P_YANDEX, "yandex.ru"},
	{P_YANDEX, "yandex.com"},
	/* other Validity-hosted feedback loops (reference section 8) */
	{P_OTHER_ISP, "cox.net"},
	{P_OTHER_ISP, "charter.net"},
	{P_OTHER_ISP, "rr.com"},
	{P_OTHER_ISP, "messagingengine.com"},  /* Fastmail */
	{P_OTHER_ISP, "emailsrvr.com"},        /* Rackspace */
	{0, NULL},
};

static const struct entry builtin_networks[] = {
	/* Exchange Online, IDs 1 and 2 (outlook.office[365].com) */
	{P_MICROSOFT, "13.107.6.152/31"},
	{P_MICROSOFT, "13.107.18.10/31"},
	{P_MICROSOFT, "13.107.128.0/22"},
	{P_MICROSOFT, "23.103.160.0/20"},
	{P_MICROSOFT, "40.96.0.0/13"},
	{P_MICROSOFT, "40.104.0.0/15"},
	{P_MICROSOFT, "52.96.0.0/14"},
	{P_MICROSOFT, "131.253.33.215/32"},
	{P_MICROSOFT, "132.245.0.0/16"},
	{P_MICROSOFT, "150.171.32.0/22"},
	{P_MICROSOFT, "204.79.197.215/32"},
	/* Exchange Online, IDs 9 and 10 (*.protection.outlook.com, SMTP) */
	{P_MICROSOFT, "40.92.0.0/15"},
	{P_MICROSOFT, "40.107.0.0/16"},
	{P_MICROSOFT, "52.100.0.0/14"},
	{P_MICROSOFT, "52.238.78.88/32"},
	{P_MICROSOFT, "104.47.0.0/17"},
	/* Exchange Online high-risk delivery pool */
	{P_MICROSOFT, "40.95.0.0/16"},
	/* EOP / FOPE datacentres and Hotmail-era ranges */
	{P_MICROSOFT, "65.52.0.0/14"},
	{P_MICROSOFT, "94.245.120.64/26"},
	{P_MICROSOFT, "157.55.0.0/16"},
	{P_MICROSOFT, "207.46.0.0/16"},
	{P_MICROSOFT, "213.199.128.0/18"},
	{P_MICROSOFT, "216.32.180.0/23"},
	{P_MICROSOFT, "25.0.0.0/8"},
	/* IPv6: 2603:10b6, 10a6, 10d6, 1026, 1036... and 2a01:111:f400, f403 */
	{P_MICROSOFT, "2603:1000::/24"},
	{P_MICROSOFT, "2a01:111::/32"},
	{P_MICROSOFT, "2620:1ec::/36"},
	{P_YAHOO, "98.136.0.0/14"},
	{P_YAHOO, "74.6.0.0/16"},
	{P_YAHOO, "66.163.160.0/19"},
	{P_YAHOO, "67.195.0.0/16"},
	{P_YAHOO, "64.12.0.0/16"},              /* AOL */
	{P_YAHOO, "152.163.0.0/16"},            /* AOL */
	{P_YAHOO, "205.188.0.0/16"},            /* AOL */
	{P_GOOGLE, "35.190.247.0/24"},
	{P_GOOGLE, "64.233.160.0/19"},
	{P_GOOGLE, "66.102.0.0/20"},
	{P_GOOGLE, "66.249.80.0/20"},
	{P_GOOGLE, "72.14.192.0/18"},
	{P_GOOGLE, "74.125.0.0/16"},
	{P_GOOGLE, "108.177.8.0/21"},
	{P_GOOGLE, "108.177.96.0/19"},
	{P_GOOGLE, "130.211.0.0/22"},
	{P_GOOGLE, "172.217.0.0/19"},
	{P_GOOGLE, "172.217.32.0/20"},
	{P_GOOGLE, "172.217.128.0/19"},
	{P_GOOGLE, "172.217.160.0/20"},
	{P_GOOGLE, "172.217.192.0/19"},
	{P_GOOGLE, "172.253.56.0/21"},
	{P_GOOGLE, "172.253.112.0/20"},
	{P_GOOGLE, "173.194.0.0/16"},
	{P_GOOGLE, "209.85.128.0/17"},
	{P_GOOGLE, "216.58.192.0/19"},
	{P_GOOGLE, "216.239.32.0/19"},
	{P_GOOGLE, "2001:4860:4000::/36"},
	{P_GOOGLE, "2404:6800:4000::/36"},
	{P_GOOGLE, "2607:f8b0:4000::/36"},
	{P_GOOGLE, "2800:3f0:4000::/36"},
	{P_GOOGLE, "2a00:1450:4000::/36"},
	{P_GOOGLE, "2c0f:fb50:4000::/36"},
	{P_GOOGLE, "2002:a05::/32"},
	{P_COMCAST, "2001:558::/32"},
	{P_MAILRU, "94.100.176.0/20"},
	{P_MAILRU, "217.69.128.0/20"},
	{P_APPLE, "17.0.0.0/8"},
	{P_YANDEX, "77.88.0.0/18"},
	{P_YANDEX, "87.250.224.0/19"},
	{P_YANDEX, "95.108.128.0/17"},
	{P_YANDEX, "2a02:6b8::/32"},
	{0, NULL},
};

struct net {
	struct rw_cidr cidr;
	int provider;
};

struct host {
	char *suffix; /* lower case, no trailing dot */
	size_t len;
	int provider;
};

struct arf_infra {
	GArray *nets;  /* struct net */
	GArray *hosts; /* struct host */
	GArray *own;   /* struct rw_cidr */
	/*
	 * nets by family and first address byte, in table order: a lookup
	 * reads the few networks of one bucket (and those shorter than /8)
	 */
	guint *idx;
	guint start[2][257];
	GArray *wide;  /* guint: indices of networks shorter than /8 */
};

static struct arf_infra *
infra_alloc(void)
{
	struct arf_infra *in = g_new0(struct arf_infra, 1);

	in->nets = g_array_new(FALSE, FALSE, sizeof(struct net));
	in->hosts = g_array_new(FALSE, FALSE, sizeof(struct host));
	in->own = g_array_new(FALSE, FALSE, sizeof(struct rw_cidr));
	in->wide = g_array_new(FALSE, FALSE, sizeof(guint));
	return in;
}

static void
add_host(struct arf_infra *in, int provider, const char *text)
{
	struct host h;
	char *s = g_ascii_strdown(text, -1);

	g_strstrip(s);
	while (*s != '\0' && s[strlen(s) - 1] == '.')
		s[strlen(s) - 1] = '\0';
	/* "*.example.com" and ".example.com" mean the same suffix */
	if (s[0] == '*' && s[1] == '.')
		memmove(s, s + 2, strlen(s + 2) + 1);
	else if (s[0] == '.')
		memmove(s, s + 1, strlen(s + 1) + 1);
	if (*s == '\0') {
		g_free(s);
		return;
	}
	h.suffix = s;
	h.len = strlen(s);
	h.provider = provider;
	g_array_append_val(in->hosts, h);
}

static int
add_net(struct arf_infra *in, int provider, const char *text, GArray *to)
{
	struct net n;

	if (!rw_cidr_parse(&n.cidr, text))
		return rw_error_set(RW_ECONFIG, "\"%s\" is not a network in "
		    "CIDR notation", text);
	n.provider = provider;
	if (to == in->own)
		g_array_append_val(to, n.cidr);
	else
		g_array_append_val(to, n);
	return 0;
}

static void
index_nets(struct arf_infra *in)
{
	guint fill[2][256] = {{0}};
	guint n = in->nets->len;

	g_free(in->idx);
	in->idx = g_new0(guint, n > 0 ? n : 1);
	memset(in->start, 0, sizeof(in->start));
	g_array_set_size(in->wide, 0);
	for (guint i = 0; i < n; i++) {
		const struct net *x = &g_array_index(in->nets, struct net, i);

		if (x->cidr.bits < 8)
			g_array_append_val(in->wide, i);
		else
			in->start[x->cidr.v4 ? 0 : 1][x->cidr.addr[0] + 1]++;
	}
	for (int f = 0; f < 2; f++)
		for (int b = 0; b < 256; b++)
			in->start[f][b + 1] += in->start[f][b];
	/* the v6 buckets follow the v4 ones in idx */
	for (int b = 0; b <= 256; b++)
		in->start[1][b] += in->start[0][256];
	for (guint i = 0; i < n; i++) {
		const struct net *x = &g_array_index(in->nets, struct net, i);
		int f = x->cidr.v4 ? 0 : 1;
		int b = x->cidr.addr[0];

		if (x->cidr.bits < 8)
			continue;
		in->idx[in->start[f][b] + fill[f][b]++] = i;
	}
}

static struct arf_infra *builtin;

const struct arf_infra *
arf_infra_builtin(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		struct arf_infra *in = infra_alloc();

		for (const struct entry *e = builtin_hosts; e->text; e++)
			add_host(in, e->provider, e->text);
		for (const struct entry *e = builtin_networks; e->text; e++)
			if (add_net(in, e->provider, e->text, in->nets) != 0)
				g_error("arf: built-in network %s", e->text);
		index_nets(in);
		builtin = in;
		g_once_init_leave(&done, 1);
	}
	return builtin;
}

int
arf_infra_new(struct arf_infra **out, char *const *hosts,
    char *const *networks, char *const *own)
{
	const struct arf_infra *b = arf_infra_builtin();
	struct arf_infra *in = infra_alloc();
	int rc = 0;

	*out = NULL;
	/* the user's entries first: they are looked at before the table */
	for (int i = 0; hosts != NULL && hosts[i] != NULL; i++)
		add_host(in, P_USER, hosts[i]);
	for (guint i = 0; i < b->hosts->len; i++) {
		const struct host *h = &g_array_index(b->hosts, struct host,
		    i);

		add_host(in, h->provider, h->suffix);
	}
	for (int i = 0; rc == 0 && networks != NULL && networks[i]; i++)
		rc = add_net(in, P_USER, networks[i], in->nets);
	g_array_append_vals(in->nets, b->nets->data, b->nets->len);
	for (int i = 0; rc == 0 && own != NULL && own[i] != NULL; i++)
		rc = add_net(in, P_USER, own[i], in->own);
	if (rc != 0) {
		arf_infra_free(in);
		return rc;
	}
	index_nets(in);
	*out = in;
	return 0;
}

void
arf_infra_free(struct arf_infra *in)
{
	if (in == NULL || in == builtin)
		return;
	for (guint i = 0; i < in->hosts->len; i++)
		g_free(g_array_index(in->hosts, struct host, i).suffix);
	g_array_unref(in->hosts);
	g_array_unref(in->nets);
	g_array_unref(in->own);
	g_array_unref(in->wide);
	g_free(in->idx);
	g_free(in);
}

int
arf_infra_host(const struct arf_infra *in, const char *name, size_t len)
{
	/* a host name written with its root dot */
	while (len > 0 && name[len - 1] == '.')
		len--;
	for (guint i = 0; i < in->hosts->len; i++) {
		const struct host *h = &g_array_index(in->hosts, struct host, i);
		const char *tail;

		if (len < h->len)
			continue;
		tail = name + len - h->len;
		if (g_ascii_strncasecmp(tail, h->suffix, h->len) != 0)
			continue;
		/* "evil-outlook.com" is not outlook.com */
		if (len == h->len || tail[-1] == '.')
			return h->provider;
	}
	return ARF_INFRA_NONE;
}

int
arf_infra_addr(const struct arf_infra *in, const struct rw_cidr *addr)
{
	int f = addr->v4 ? 0 : 1;
	guint lo = in->start[f][addr->addr[0]];
	guint hi = in->start[f][addr->addr[0] + 1];
	guint best = G_MAXUINT;

	/* the first matching network in table order: the user's come first */
	for (guint i = 0; i < in->wide->len; i++) {
		guint k = g_array_index(in->wide, guint, i);

		if (rw_cidr_contains(&g_array_index(in->nets, struct net,
		    k).cidr, addr)) {
			best = k;
			break;
		}
	}
	for (guint j = lo; j < hi && in->idx[j] < best; j++) {
		const struct net *n = &g_array_index(in->nets, struct net,
		    in->idx[j]);

		if (rw_cidr_contains(&n->cidr, addr)) {
			best = in->idx[j];
			break;
		}
	}
	return best == G_MAXUINT ? ARF_INFRA_NONE :
	    g_array_index(in->nets, struct net, best).provider;
}

bool
arf_infra_own(const struct arf_infra *in, const struct rw_cidr *addr)
{
	for (guint i = 0; i < in->own->len; i++)
		if (rw_cidr_contains(&g_array_index(in->own, struct rw_cidr,
		    i), addr))
			return true;
	return false;
}

bool
arf_infra_is_provider_ip(const struct arf_infra *in, const char *ip)
{
	struct rw_cidr a;

	return ip != NULL && rw_ip_binary(&a, ip) &&
	    arf_infra_addr(in, &a) != ARF_INFRA_NONE;
}

bool
arf_infra_inside(const struct arf_infra *in, int provider, const char *ip)
{
	struct rw_cidr a;
	int id;

	if (ip == NULL || !rw_ip_binary(&a, ip))
		return false;
	id = arf_infra_addr(in, &a);
	if (provider == ARF_INFRA_NONE)
		return id != ARF_INFRA_NONE;
	return arf_infra_of(provider, id);
}

int
arf_infra_by_name(const char *name)
{
	for (int i = P_MICROSOFT; name != NULL && i < P_COUNT_; i++)
		if (g_ascii_strcasecmp(provider_names[i], name) == 0)
			return i;
	/* feedback loops named after a company whose mail another runs */
	if (name != NULL && g_ascii_strcasecmp(name, "aol") == 0)
		return P_YAHOO;
	return ARF_INFRA_NONE;
}

bool
arf_infra_of(int recv, int id)
{
	return id != ARF_INFRA_NONE && (id == recv || id == ARF_INFRA_USER);
}

const char *
arf_infra_name(int id)
{
	if (id < 0 || id >= P_COUNT_)
		return NULL;
	return provider_names[id];
}

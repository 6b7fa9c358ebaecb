/*
 * arf_edge - the trust-boundary walk and the provider's witnesses.
 */
#include <string.h>

#include "arf/arf_edge.h"

/* witness kinds in precedence order; the parsed hop comes last */
static const enum arf_ip_origin precedence[] = {
	ARF_IP_RECEIVED_SPF,
	ARF_IP_MS_AUTH_RESULTS,
	ARF_IP_ARC_AUTH_RESULTS,
	ARF_IP_FOREFRONT_CIP,
	ARF_IP_CROSSTENANT_IP,
	ARF_IP_RECEIVED_EDGE,
};

#define N_KINDS G_N_ELEMENTS(precedence)

struct hop {
	struct arf_ip_hop h;
	const char *value;
	int at; /* header index */
};

struct walk {
	const struct arf_infra *in;
	int recv;
	struct hop hops[ARF_EDGE_MAX_HOPS];
	int n;
	int edge_at; /* header index of the edge hop, -1 without one */
	/* first provider-stamped value of each kind, by precedence index */
	char wip[N_KINDS][ARF_IP_BUF];
	bool has[N_KINDS];
};

/* provider id of the by host (name first, then its address) */
static int
by_provider(const struct walk *w, const struct arf_ip_hop *h)
{
	char ip[RW_IP_BUF];
	struct rw_cidr a;
	int id = ARF_INFRA_NONE;

	if (h->by != NULL) {
		/* Google names internal hops by address: "by 2002:a05:..." */
		if (rw_ip_normalize(ip, h->by, h->by_len))
			id = rw_ip_binary(&a, ip) ? arf_infra_addr(w->in, &a) :
			    ARF_INFRA_NONE;
		else
			id = arf_infra_host(w->in, h->by, h->by_len);
	}
	if (id == ARF_INFRA_NONE && h->has_by_ip && rw_ip_binary(&a, h->by_ip))
		id = arf_infra_addr(w->in, &a);
	return id;
}

/* the receiving provider: the newest hop a known provider's host made */
static int
receiving_provider(const struct walk *w)
{
	int user = ARF_INFRA_NONE;

	for (int i = 0; i < w->n; i++) {
		int id = by_provider(w, &w->hops[i].h);

		if (id > ARF_INFRA_USER)
			return id;
		if (id == ARF_INFRA_USER && user == ARF_INFRA_NONE)
			user = id;
	}
	return user;
}

/* an address that cannot be the internet edge of the provider */
static bool
addr_inside(const struct walk *w, const char *ip)
{
	struct rw_cidr a;

	if (!rw_ip_binary(&a, ip) || !arf_ip_is_public(ip))
		return true;
	if (arf_infra_own(w->in, &a))
		return true;
	/* no provider chain: any provider's network is a provider's hop */
	if (w->recv == ARF_INFRA_NONE)
		return arf_infra_addr(w->in, &a) != ARF_INFRA_NONE;
	return arf_infra_of(w->recv, arf_infra_addr(w->in, &a));
}

/* a public address of the provider (not private, not own) */
static bool
provider_outbound(const struct walk *w, const char *ip)
{
	struct rw_cidr a;

	return w->recv != ARF_INFRA_NONE && rw_ip_binary(&a, ip) &&
	    arf_ip_is_public(ip) && !arf_infra_own(w->in, &a);
}

static bool
from_inside(const struct walk *w, const struct arf_ip_hop *h)
{
	for (int i = 0; i < h->n_names; i++)
		if (arf_infra_of(w->recv, arf_infra_host(w->in, h->names[i],
		    h->name_len[i])))
			return true;
	/* no from clause (a provider's own pickup) or no address: not an
	 * entry that can be attributed */
	return !h->has_from || !h->has_from_ip || addr_inside(w, h->from_ip);
}

/*
 * "by 10.197.33.12": Yahoo's inbound MX names itself by a private address.
 * Above the edge every hop is the provider's, so a private by host there
 * is one of its own (a sender's private hops are all below the edge).
 */
static bool
by_private(const struct arf_ip_hop *h)
{
	char ip[RW_IP_BUF];

	return h->by != NULL && rw_ip_normalize(ip, h->by, h->by_len) &&
	    !arf_ip_is_public(ip);
}

static void
walk_hops(struct arf_edge *out, struct walk *w)
{
	for (int i = 0; i < w->n; i++) {
		const struct arf_ip_hop *h = &w->hops[i].h;

		if (!arf_infra_of(w->recv, by_provider(w, h)) &&
		    !by_private(h))
			continue;
		if (from_inside(w, h)) {
			out->provider_hops++;
			continue;
		}
		out->found = true;
		memcpy(out->ip, h->from_ip, ARF_IP_BUF);
		out->hop = w->hops[i].value;
		w->edge_at = w->hops[i].at;
		return;
	}
}

/* --- witnesses ----------------------------------------------------------- */

/* the token at P (up to white space, ';', ':' or ')') is a provider host */
static bool
provider_host_at(const struct walk *w, const char *p)
{
	size_t len = strcspn(p, " \t\r\n;:()");

	if (len == 0)
		return false;
	if (w->recv == ARF_INFRA_NONE)
		return arf_infra_host(w->in, p, len) != ARF_INFRA_NONE;
	return arf_infra_of(w->recv, arf_infra_host(w->in, p, len));
}

static const char *
skip_ws(const char *p)
{
	while (g_ascii_isspace(*p))
		p++;
	return p;
}

static bool
microsoft_receiver(const struct walk *w)
{
	const char *name = arf_infra_name(w->recv);

	return w->recv == ARF_INFRA_NONE || w->recv == ARF_INFRA_USER ||
	    (name != NULL && strcmp(name, "microsoft") == 0);
}

/*
 * Authentication-Results stamped by the provider: Microsoft writes no
 * authserv-id ("spf=pass (sender IP is ...)"), others name their host
 * first ("mx.google.com; spf=...").
 */
static bool
auth_results_ours(const struct walk *w, const char *v, bool arc)
{
	const char *p = skip_ws(v);
	size_t len;

	if (arc) {
		/* "i=1; mx.microsoft.com 1; ..." */
		const char *semi = strchr(p, ';');

		if (semi == NULL)
			return false;
		p = skip_ws(semi + 1);
	}
	len = strcspn(p, " \t\r\n;");
	if (memchr(p, '=', len) != NULL)
		return !arc && microsoft_receiver(w);
	return provider_host_at(w, p);
}

/* Received-SPF: "receiver=HOST;" or the comment's "(HOST: domain of" */
static bool
spf_ours(const struct walk *w, const char *v)
{
	const char *r = strcasestr(v, "receiver=");
	const char *paren;

	if (r != NULL)
		return provider_host_at(w, r + 9);
	paren = strchr(v, '(');
	return paren != NULL && provider_host_at(w, skip_ws(paren + 1));
}

static void
witness(struct walk *w, enum arf_ip_origin o, const char *v,
    const char *marker)
{
	char ip[ARF_IP_BUF];
	size_t k = 0;

	while (precedence[k] != o)
		k++;
	if (w->has[k] || !arf_ip_after(ip, v, marker))
		return;
	/* the first one, nearest the top, belongs to the latest entry */
	w->has[k] = true;
	memcpy(w->wip[k], ip, ARF_IP_BUF);
}

/* header name NAME (LEN bytes) is LIT: the length decides most misses */
#define NAME_IS(name, len, lit) ((len) == sizeof(lit) - 1 && \
	g_ascii_strcasecmp((name), (lit)) == 0)

enum field_kind { F_OTHER, F_RECEIVED, F_SPF, F_AUTH, F_ARC, F_CIP, F_CTIP };

static enum field_kind
field_kind(const char *name)
{
	size_t len;
	char c = g_ascii_tolower(name[0]);

	/* every field of interest starts with a, r or x */
	if (c != 'a' && c != 'r' && c != 'x')
		return F_OTHER;
	len = strlen(name);
	if (NAME_IS(name, len, "Received"))
		return F_RECEIVED;
	if (NAME_IS(name, len, "Received-SPF"))
		return F_SPF;
	if (NAME_IS(name, len, "Authentication-Results") ||
	    NAME_IS(name, len, "X-MS-Exchange-Authentication-Results"))
		return F_AUTH;
	if (NAME_IS(name, len, "ARC-Authentication-Results"))
		return F_ARC;
	if (NAME_IS(name, len, "X-Forefront-Antispam-Report"))
		return F_CIP;
	if (NAME_IS(name, len, "X-MS-Exchange-CrossTenant-"
	    "OriginalAttributedTenantConnectingIp"))
		return F_CTIP;
	return F_OTHER;
}

static void
read_field(struct walk *w, enum field_kind k, const char *v)
{
	switch (k) {
	case F_SPF:
		if (spf_ours(w, v))
			witness(w, ARF_IP_RECEIVED_SPF, v, "client-ip=");
		break;
	case F_AUTH:
		if (auth_results_ours(w, v, false))
			witness(w, ARF_IP_MS_AUTH_RESULTS, v, "sender IP is");
		break;
	case F_ARC:
		if (auth_results_ours(w, v, true))
			witness(w, ARF_IP_ARC_AUTH_RESULTS, v, "sender IP is");
		break;
	case F_CIP:
		if (microsoft_receiver(w))
			witness(w, ARF_IP_FOREFRONT_CIP, v, "CIP:");
		break;
	case F_CTIP:
		if (microsoft_receiver(w))
			witness(w, ARF_IP_CROSSTENANT_IP, v, "Ip=[");
		break;
	default:
		break;
	}
}

/*
 * The value as received, folded: GMime's decoded value costs an unfold
 * and an RFC 2047 pass per field, and these fields are ASCII (folding is
 * white space to every reader here). An encoded one is decoded.
 */
static const char *
field_value(GMimeHeader *h)
{
	const char *raw = g_mime_header_get_raw_value(h);

	if (raw == NULL || strstr(raw, "=?") != NULL)
		return g_mime_header_get_value(h);
	return raw;
}

/*
 * Received-SPF and Authentication-Results are prepended right above the
 * Received field of the entry they judged: one below the edge hop judged
 * an older entry (the first of a message that left the provider and came
 * back) and is no witness of the edge. The fields the provider appends
 * at the bottom (Forefront CIP, CrossTenant Ip) and ARC sets at the top
 * have no such place.
 */
static bool
stamped_earlier(const struct walk *w, enum field_kind k, int at)
{
	return w->edge_at >= 0 && at > w->edge_at &&
	    (k == F_SPF || k == F_AUTH);
}

/* witness fields, read after the walk has named the receiving provider */
#define MAX_FIELDS 64

void
arf_edge_find(struct arf_edge *out, GMimeHeaderList *hl, int first,
    const struct arf_infra *in)
{
	/* not zeroed: each hop is filled by arf_ip_hop before it is read */
	struct walk *w = g_new(struct walk, 1);
	int n = hl != NULL ? g_mime_header_list_get_count(hl) : 0;
	GMimeHeader *fields[MAX_FIELDS];
	enum field_kind kinds[MAX_FIELDS];
	int at[MAX_FIELDS];
	int nf = 0;

	memset(out, 0, sizeof(*out));
	out->provider = ARF_INFRA_NONE;
	w->in = in;
	w->n = 0;
	w->edge_at = -1;
	memset(w->has, 0, sizeof(w->has));
	for (int i = first; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		enum field_kind k = field_kind(g_mime_header_get_name(h));
		const char *v;

		if (k == F_OTHER)
			continue;
		if (k != F_RECEIVED) {
			if (nf < MAX_FIELDS) {
				kinds[nf] = k;
				at[nf] = i;
				fields[nf++] = h;
			}
			continue;
		}
		v = field_value(h);
		if (v != NULL && w->n < ARF_EDGE_MAX_HOPS) {
			arf_ip_hop(&w->hops[w->n].h, v);
			w->hops[w->n].at = i;
			w->hops[w->n++].value = v;
		}
	}
	w->recv = receiving_provider(w);
	out->provider = w->recv;
	if (w->recv != ARF_INFRA_NONE)
		walk_hops(out, w);
	for (int i = 0; i < nf; i++) {
		const char *v;

		if (stamped_earlier(w, kinds[i], at[i]))
			continue;
		v = field_value(fields[i]);
		if (v != NULL)
			read_field(w, kinds[i], v);
	}
	if (out->found) {
		w->has[N_KINDS - 1] = true;
		memcpy(w->wip[N_KINDS - 1], out->ip, ARF_IP_BUF);
	}
	for (size_t k = 0; k < N_KINDS; k++) {
		struct arf_edge_witness *x;

		if (!w->has[k])
			continue;
		if (!addr_inside(w, w->wip[k]))
			x = &out->w[out->nw++];
		else if (provider_outbound(w, w->wip[k]))
			x = &out->iw[out->niw++];
		else
			continue;
		x->origin = precedence[k];
		memcpy(x->ip, w->wip[k], ARF_IP_BUF);
	}
	g_free(w);
}

const char *
arf_edge_choose(const struct arf_edge *e, enum arf_ip_origin *out_origin)
{
	bool agree = e->found;

	if (e->nw == 0 && e->niw > 0) {
		*out_origin = e->iw[0].origin;
		return e->iw[0].ip;
	}
	if (e->nw == 0)
		return NULL;
	for (int i = 0; agree && i < e->nw; i++)
		agree = strcmp(e->w[i].ip, e->ip) == 0;
	/* the walked hop, confirmed by every witness; else precedence */
	if (agree) {
		*out_origin = ARF_IP_RECEIVED_EDGE;
		return e->ip;
	}
	*out_origin = e->w[0].origin;
	return e->w[0].ip;
}

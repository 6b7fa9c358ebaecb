/*
 * arf_edge - where the receiving provider took the message in from
 * outside: the trust-boundary walk over the original's Received fields
 * (newest first, stepping over the provider's own hops) and the
 * provider's independent witnesses of the same connection (doc/arf.md,
 * "The sending IP").
 *
 * A hop is the provider's own when its "by" host is provider
 * infrastructure and its "from" host name or address is too (or the
 * address is in [arf] own_networks, or not public). A "by" host written
 * as a private address (Yahoo's inbound "by 10.197.33.12") is the
 * provider's too: only the sender's hops below the edge have private by
 * hosts of another network, and the walk stops at the edge. The edge is the first
 * hop from the top whose "by" is the provider's and whose "from" is
 * outside: after a message left the provider and came back, that is the
 * last entry, nearest the top.
 *
 * Witnesses count only when the provider stamped them: Received-SPF with
 * the provider as receiver and a client-ip=, Authentication-Results /
 * X-MS-Exchange-Authentication-Results "sender IP is" without another
 * receiver's authserv-id, the provider's ARC-Authentication-Results,
 * X-Forefront-Antispam-Report CIP: (not 255.255.255.255) and
 * X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp Ip=[].
 * A witness inside the provider's networks describes an internal hop and
 * is not used.
 * A Received-SPF or Authentication-Results field below the edge hop
 * judged an older entry (before the message left and came back) and is
 * not used either.
 */
#ifndef ARF_EDGE_H
#define ARF_EDGE_H

#include <stdbool.h>

#include <gmime/gmime.h>

#include "arf/arf_infra.h"
#include "arf/arf_ip.h"
#include "arf/arf_record.h"

/* Received fields read at most (a hostile message may carry thousands) */
#define ARF_EDGE_MAX_HOPS 64

struct arf_edge_witness {
	enum arf_ip_origin origin;
	char ip[ARF_IP_BUF];
};

struct arf_edge {
	int provider;           /* receiving provider id, ARF_INFRA_NONE */
	bool found;             /* an edge hop */
	char ip[ARF_IP_BUF];    /* its from address */
	const char *hop;        /* its Received value (borrowed) */
	int provider_hops;      /* provider hops above it */
	/* usable witnesses, in precedence order of their kinds */
	struct arf_edge_witness w[6];
	int nw;
	/*
	 * witnesses naming a public address of the provider itself: used
	 * only when nothing came from outside (a mailbox hosted by the
	 * provider wrote to one of its mailboxes, through its outbound relay)
	 */
	struct arf_edge_witness iw[6];
	int niw;
};

/*
 * arf_edge_find - walk HL's Received fields from index FIRST on and read
 * the witnesses, with the provider tables of IN.
 */
void arf_edge_find(struct arf_edge *out, GMimeHeaderList *hl, int first,
    const struct arf_infra *in);
/*
 * arf_edge_choose - the address to use: the edge hop's when every witness
 * agrees with it, else the first witness in precedence order
 * (provider-stamped authentication results over the parsed hop); with
 * neither, the first witness of the provider's own outbound address;
 * NULL when there is none. *OUT_ORIGIN names it.
 */
const char *arf_edge_choose(const struct arf_edge *e,
    enum arf_ip_origin *out_origin);

#endif

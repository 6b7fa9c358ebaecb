/*
 * arf_ip - finding and checking IP addresses in report fields and trace
 * headers. Candidates are whitespace/punctuation-delimited tokens checked
 * with inet_pton, so host names, masked values ("x.x.x.x", "1.2.3.xxx")
 * and comments are refused; results are in canonical inet_ntop form.
 */
#ifndef ARF_IP_H
#define ARF_IP_H

#include <stdbool.h>

#define ARF_IP_BUF 46 /* INET6_ADDRSTRLEN */

/* arf_ip_parse - TEXT is one address, maybe "IPv6:", brackets, comment */
bool arf_ip_parse(char out[static ARF_IP_BUF], const char *text);
/* arf_ip_first - first valid address token anywhere in TEXT */
bool arf_ip_first(char out[static ARF_IP_BUF], const char *text);
/* arf_ip_after - first address token after MARKER (case-insensitive) */
bool arf_ip_after(char out[static ARF_IP_BUF], const char *text,
    const char *marker);
/*
 * arf_ip_received - the connecting host's address of one Received field:
 * the last address in its "from" clause (the TCP info follows the HELO
 * name in every common MTA's format). The argument of "helo=" (Exim) or
 * "EHLO" (Yahoo, qmail) is the client's word, never taken: it may be an
 * address literal of its own.
 */
bool arf_ip_received(char out[static ARF_IP_BUF], const char *received);
/* the clauses of one Received field the trust-boundary walk reads */
#define ARF_IP_HOP_NAMES 4
struct arf_ip_hop {
	bool has_from;       /* a "from" clause at the top level */
	bool has_from_ip;
	char from_ip[ARF_IP_BUF]; /* last address of the from clause */
	int n_names;         /* host names in the from clause (HELO, rDNS) */
	const char *names[ARF_IP_HOP_NAMES];
	size_t name_len[ARF_IP_HOP_NAMES];
	const char *by;      /* first token of the by clause, NULL if none */
	size_t by_len;
	bool has_by_ip;
	char by_ip[ARF_IP_BUF]; /* the by host's address (host or comment) */
};
/*
 * arf_ip_hop - read RECEIVED's from and by clauses. Only the text before
 * the date (the last ";") is read, and the by clause ends at "with",
 * "id", "via" or "for": MTA versions and queue ids ("8.16.1.2/8.16.1.2",
 * "id 15.20.7587.35") are never taken for addresses.
 */
void arf_ip_hop(struct arf_ip_hop *out, const char *received);
/* arf_ip_is_public - not private, loopback, link-local, CGNAT... */
bool arf_ip_is_public(const char *ip);
/* arf_ip_is_loopback - 127/8, 0/8 or ::1 (never a sending host) */
bool arf_ip_is_loopback(const char *ip);

#endif

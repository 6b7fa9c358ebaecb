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
 * name in every common MTA's format).
 */
bool arf_ip_received(char out[static ARF_IP_BUF], const char *received);
/* arf_ip_is_public - not private, loopback, link-local, CGNAT... */
bool arf_ip_is_public(const char *ip);
/* arf_ip_is_loopback - 127/8, 0/8 or ::1 (never a sending host) */
bool arf_ip_is_loopback(const char *ip);

#endif

/*
 * rw_ip - address text as it enters repwatch (report fields, trace
 * headers, SNDS rows, configured networks): one canonical form, and CIDR
 * networks parsed once and matched without text.
 *
 * Canonical form: inet_ntop text; an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is the IPv4 address it carries, so that a complaint
 * and the SNDS row of the same host meet on one key.
 */
#ifndef RW_IP_H
#define RW_IP_H

#include <stdbool.h>
#include <stddef.h>

#define RW_IP_BUF 46 /* INET6_ADDRSTRLEN */

/* one address or network in binary: 4 bytes used for IPv4 */
struct rw_cidr {
	unsigned char addr[16];
	unsigned char bits; /* prefix length */
	bool v4;
};

/*
 * rw_ip_normalize - TEXT (LEN bytes) as one address: brackets, an "IPv6:"
 * prefix, a zone id ("%eth0") and trailing dots are stripped, a mapped
 * IPv4 address is unmapped. False when it is no address.
 */
bool rw_ip_normalize(char out[static RW_IP_BUF], const char *text,
    size_t len);
/* rw_ip_binary - canonical or raw address text into OUT (prefix = full) */
bool rw_ip_binary(struct rw_cidr *out, const char *text);
/*
 * rw_cidr_parse - "a.b.c.d/n", "x::/n" or a bare address (a host route);
 * bits below the prefix must be zero. False when malformed.
 */
bool rw_cidr_parse(struct rw_cidr *out, const char *text);
/* rw_cidr_contains - NET holds the address ADDR (same family) */
bool rw_cidr_contains(const struct rw_cidr *net, const struct rw_cidr *addr);

#endif

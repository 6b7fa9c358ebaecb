/*
 * arf_infra - the receiving providers' infrastructure: host-name suffixes
 * and networks per mailbox provider (a built-in, documented table), the
 * user's additions ([arf] provider_hosts, provider_networks) and the
 * sender's own networks ([arf] own_networks). The trust-boundary walk
 * (arf_edge) asks it whether a host or an address is a provider's.
 *
 * Networks are parsed once (the built-in table on first use, the user's
 * when the object is made) and matched in binary.
 */
#ifndef ARF_INFRA_H
#define ARF_INFRA_H

#include <stdbool.h>
#include <stddef.h>

#include "common/rw_ip.h"

/* no provider's */
#define ARF_INFRA_NONE (-1)
/* the user's [arf] provider_hosts / provider_networks: any provider's */
#define ARF_INFRA_USER 0

struct arf_infra;

/*
 * arf_infra_new - the built-in table plus HOSTS and NETWORKS (extra
 * provider infrastructure) and OWN (the sender's own networks); each a
 * NULL-terminated list or NULL. A malformed network is RW_ECONFIG.
 */
int arf_infra_new(struct arf_infra **out, char *const *hosts,
    char *const *networks, char *const *own);
void arf_infra_free(struct arf_infra *in);
/* arf_infra_builtin - the built-in table alone (shared, never freed) */
const struct arf_infra *arf_infra_builtin(void);

/* arf_infra_host - provider id of host name NAME (LEN bytes), or NONE */
int arf_infra_host(const struct arf_infra *in, const char *name, size_t len);
/* arf_infra_addr - provider id of a network holding ADDR, or NONE */
int arf_infra_addr(const struct arf_infra *in, const struct rw_cidr *addr);
/* arf_infra_own - ADDR is in [arf] own_networks */
bool arf_infra_own(const struct arf_infra *in, const struct rw_cidr *addr);
/*
 * arf_infra_is_provider_ip - canonical address text IP is in any
 * provider's network (the inside_provider health count)
 */
bool arf_infra_is_provider_ip(const struct arf_infra *in, const char *ip);
/*
 * arf_infra_inside - canonical address IP lies in a network of PROVIDER
 * (or of the user's provider_networks); PROVIDER NONE: of any provider
 */
bool arf_infra_inside(const struct arf_infra *in, int provider,
    const char *ip);
/* arf_infra_by_name - id of a provider name ("microsoft"), or NONE */
int arf_infra_by_name(const char *name);
/* arf_infra_of - ID belongs to the receiving provider RECV */
bool arf_infra_of(int recv, int id);
/* arf_infra_name - "microsoft", "yahoo"...; "configured" for USER */
const char *arf_infra_name(int id);

#endif

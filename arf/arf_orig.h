/*
 * arf_orig - what the embedded original says: attribution headers,
 * configured trace headers, the sending IP when the report gives none,
 * recipients and the sending domain (reference sections 7 and 11).
 */
#ifndef ARF_ORIG_H
#define ARF_ORIG_H

#include <gmime/gmime.h>

#include "arf/arf_infra.h"
#include "arf/arf_record.h"

/* arf_orig_read - attribution headers of ORIG (NULL: none) */
void arf_orig_read(struct arf_record *r, GMimeHeaderList *orig,
    char **trace_headers);
/*
 * arf_orig_derive_ip - when no valid Source-IP was reported: the legacy
 * subject, then the receiving provider's edge (arf_edge: its witnesses by
 * precedence, then the edge hop), and without a provider chain the first
 * public Received hop, Received-SPF, Authentication-Results, X-Sender-IP,
 * X-Originating-IP. Witnesses are recorded and disagreements warned about
 * in every case. IN: provider tables (NULL: the built-in ones).
 */
void arf_orig_derive_ip(struct arf_record *r, GMimeHeaderList *orig,
    const char *legacy_subject, const struct arf_infra *in);
/*
 * arf_orig_inside_provider - flag a derived IP inside the receiving
 * provider's networks (the provider named by the report when no chain
 * told); call after the provider is known
 */
void arf_orig_inside_provider(struct arf_record *r,
    const struct arf_infra *in);
/* arf_orig_arrival - no Arrival-Date: the inbound hop's Received date */
void arf_orig_arrival(struct arf_record *r, GMimeHeaderList *orig);
/* arf_orig_recipients - fallbacks for Original-Rcpt-To, redaction flag */
void arf_orig_recipients(struct arf_record *r, GMimeHeaderList *orig,
    GMimeHeaderList *top);
/* arf_orig_sending_domain - original From, Original-Mail-From, Reported-Domain */
void arf_orig_sending_domain(struct arf_record *r, GMimeHeaderList *orig);

#endif

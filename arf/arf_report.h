/*
 * arf_report - the machine-readable part (message/feedback-report) read
 * as a field list: unfolded by GMime, repeats kept in order, names
 * case-insensitive, unknown fields kept in the record's field list.
 */
#ifndef ARF_REPORT_H
#define ARF_REPORT_H

#include <gmime/gmime.h>

#include "arf/arf_record.h"

/*
 * arf_report_read - decode PART (any transfer encoding), store every
 * field and interpret the RFC 5965 ones. Returns the number of fields.
 */
int arf_report_read(struct arf_record *r, GMimeObject *part, size_t max);

/* arf_report_field - first value of NAME in the record's field list */
const char *arf_report_field(const struct arf_record *r, const char *name);

/* arf_report_date - parse an RFC 5322 date (obsolete forms too) */
bool arf_report_date(gint64 *out_unix, const char *text);

/* arf_report_rcpt - "Name <a@b>", "<a@b>", "a@b" -> "a@b" (new string) */
char *arf_report_rcpt(const char *value);
/* arf_report_redacted - a masked, hashed or template recipient */
bool arf_report_redacted(const char *addr);

#endif

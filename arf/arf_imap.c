/*
 * arf_imap - IMAP folders through libcurl (placeholder, filled below).
 */
#include "common/rw_error.h"
#include "arf/arf_source.h"

int
arf_imap_open(struct arf_source **out, const char *url,
    const struct arf_source_opts *opts, const struct arf_checkpoint *resume)
{
	(void)out;
	(void)opts;
	(void)resume;
	return rw_error_set(RW_EUSAGE, "imap sources are not supported yet: %s",
	    url);
}

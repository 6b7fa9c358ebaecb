/*
 * fuzz_imap - the IMAP response handling of arf_imap.c on arbitrary server
 * bytes: the STATUS number (UIDVALIDITY) and the UID SEARCH list. The
 * first byte sets the checkpoint the list is read above; UIDs must come
 * back ascending and above it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <glib.h>

#include "arf/arf_source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GArray *uids = g_array_new(FALSE, FALSE, sizeof(guint64));
	gint64 above;

	if (size < 1) {
		g_array_unref(uids);
		return 0;
	}
	above = data[0];
	(void)arf_imap_response_number((const char *)data + 1, size - 1,
	    "UIDVALIDITY ");
	(void)arf_imap_response_number((const char *)data + 1, size - 1,
	    "MESSAGES ");
	arf_imap_parse_search(uids, (const char *)data + 1, size - 1, above);
	for (guint i = 0; i < uids->len; i++) {
		guint64 u = g_array_index(uids, guint64, i);

		if ((gint64)u <= above)
			abort();
		if (i > 0 && g_array_index(uids, guint64, i - 1) > u)
			abort();
	}
	g_array_unref(uids);
	return 0;
}

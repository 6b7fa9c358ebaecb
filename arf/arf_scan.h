/*
 * arf_scan - the lengths and field counts of a message, checked on its
 * bytes before GMime sees it (issue 17 item 12).
 *
 * GMime holds tens to a hundred times a long line, a long header field or
 * a large block of fields in memory: such a message is quarantined on its
 * bytes, never parsed.
 */
#ifndef ARF_SCAN_H
#define ARF_SCAN_H

#include <stdbool.h>
#include <stddef.h>

struct arf_limits;

/*
 * arf_scan_within - true when DATA[0, LEN) (LF line ends) keeps to the
 * max_line_bytes, max_header_bytes and max_headers of LIM, its header
 * block starting at offset START (after an mbox From_ line). Else false
 * with *out_reason, the quarantine reason, to be freed with g_free.
 * Offsets in the reason count from DATA.
 */
bool arf_scan_within(char **out_reason, const char *data, size_t len,
    size_t start, const struct arf_limits *lim);

#endif

/*
 * rw_out - untrusted text on its way out. SNDS cells (sample_helo,
 * jmr_p1_sender, comments, the IP-status reason) and complaint fields are
 * written by strangers and reach terminals, spreadsheets, the XHTML report
 * and Prometheus textfiles. Each output gets the one treatment it needs:
 *
 *  - text (terminal, log, mail): C0 and C1 control characters and DEL
 *    become '?', so an ESC sequence cannot drive the terminal;
 *  - CSV: RFC 4180 quoting, plus OWASP's rule against formula injection:
 *    a cell starting with = + - @ TAB or CR (and not just a number) gets a
 *    leading single quote and is quoted;
 *  - XML (XHTML, SVG): characters XML 1.0 forbids become U+FFFD, which
 *    keeps the document well-formed.
 *
 * All three also replace invalid UTF-8 with U+FFFD. NULL in, NULL out.
 */
#ifndef RW_OUT_H
#define RW_OUT_H

#include <stdbool.h>
#include <glib.h>

/* rw_out_text - V safe for a terminal (newly allocated) */
char *rw_out_text(const char *v);
/* rw_out_xml - V safe as XML 1.0 character data (newly allocated) */
char *rw_out_xml(const char *v);
/* rw_out_csv_cell - append V (NULL = empty) as one neutralized CSV cell */
void rw_out_csv_cell(GString *out, const char *v);
/* rw_out_csv_formula - whether a spreadsheet would take V as a formula */
bool rw_out_csv_formula(const char *v);

#endif

/*
 * arf_reparse - "repwatch arf reparse": derive the sending IP of stored
 * reports again from their stored headers ([arf] keep = headers or full)
 * with the current parser and provider tables, update the reports and
 * the analyzer's daily facts of the days whose complaints moved, and say
 * how many moved from which IP to which.
 */
#ifndef ARF_REPARSE_H
#define ARF_REPARSE_H

#include <stddef.h>

#include <glib.h>

#include "app/app.h"

/*
 * arf_reparse_message - the stored bytes RAW of a report of FORMAT ("arf"
 * or "jmrp-legacy") as a message the parser reads: a full message as it
 * is; the keep = headers form (wrapper headers, report fields, original
 * headers, each block ending in a blank line) rebuilt into a report.
 */
GString *arf_reparse_message(const char *raw, size_t len,
    const char *format);

int arf_reparse_cmd(struct app *app, int argc, char **argv);

#endif

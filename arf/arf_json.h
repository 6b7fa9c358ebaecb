/*
 * arf_json - a record as one JSON object (json-glib), the format of
 * "repwatch arf parse --json" and of the unit tests' comparisons.
 */
#ifndef ARF_JSON_H
#define ARF_JSON_H

#include <json-glib/json-glib.h>

#include "arf/arf_record.h"

/* arf_json_node - the object with every documented key */
JsonNode *arf_json_node(const struct arf_record *r);
/* arf_json_line - the object on one line, no newline (g_free) */
char *arf_json_line(const struct arf_record *r);
/* arf_json_witnesses - source_ip_witnesses alone, one line (g_free) */
char *arf_json_witnesses(const struct arf_record *r);

#endif

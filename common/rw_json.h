/*
 * rw_json - JSON text from json-glib nodes, safe for every consumer.
 */
#ifndef RW_JSON_H
#define RW_JSON_H

#include <json-glib/json-glib.h>

/*
 * rw_json_to_string - json_to_string(N, FALSE) with every raw U+001F
 * escaped: json-glib 1.6 leaves that control character unescaped, which
 * makes the text invalid JSON (and PostgreSQL's jsonb refuses it).
 */
char *rw_json_to_string(JsonNode *n);

/* rw_json_set_number - member NAME of O set to V, or null when V is not
 * finite (NAN: unknown; JSON has no NaN or infinity) */
void rw_json_set_number(JsonObject *o, const char *name, double v);

#endif

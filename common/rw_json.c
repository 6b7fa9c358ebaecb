/*
 * rw_json - see rw_json.h.
 */
#include <math.h>
#include <string.h>

#include "common/rw_json.h"

char *
rw_json_to_string(JsonNode *n)
{
	char *s = json_to_string(n, FALSE);
	GString *out;

	if (strchr(s, '\x1f') == NULL)
		return s;
	/* raw control characters only occur inside strings: escape them */
	out = g_string_sized_new(strlen(s) + 16);
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\x1f')
			g_string_append(out, "\\u001f");
		else
			g_string_append_c(out, *p);
	}
	g_free(s);
	return g_string_free(out, FALSE);
}

void
rw_json_set_number(JsonObject *o, const char *name, double v)
{
	if (isfinite(v))
		json_object_set_double_member(o, name, v);
	else
		json_object_set_null_member(o, name);
}

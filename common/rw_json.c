/*
 * rw_json - see rw_json.h.
 */
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

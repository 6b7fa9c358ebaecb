/*
 * rw_out - untrusted text on its way out (see rw_out.h).
 */
#include <string.h>

#include "common/rw_out.h"

/* is_control - C0, DEL and C1 (U+0080..U+009F: 0x9B is a one-byte CSI) */
static bool
is_control(gunichar c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/* xml_forbidden - what XML 1.0 does not allow as a character */
static bool
xml_forbidden(gunichar c)
{
	if (c == '\t' || c == '\n' || c == '\r')
		return false;
	return c < 0x20 || (c >= 0xd800 && c <= 0xdfff) || c == 0xfffe ||
	    c == 0xffff;
}

/* replace_chars - copy V (made valid UTF-8) with the characters BAD picks
 * replaced by REPL; KEEP_LINES leaves TAB, LF and CR alone */
static char *
replace_chars(const char *v, bool (*bad)(gunichar), const char *repl,
    bool keep_lines)
{
	char *valid;
	GString *out;

	if (v == NULL)
		return NULL;
	valid = g_utf8_make_valid(v, -1);
	out = g_string_sized_new(strlen(valid));
	for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (bad(c) && !(keep_lines && (c == '\t' || c == '\n' ||
		    c == '\r')))
			g_string_append(out, repl);
		else
			g_string_append_len(out, p, g_utf8_next_char(p) - p);
	}
	g_free(valid);
	return g_string_free(out, FALSE);
}

char *
rw_out_text(const char *v)
{
	return replace_chars(v, is_control, "?", false);
}

char *
rw_out_xml(const char *v)
{
	return replace_chars(v, xml_forbidden, "\xef\xbf\xbd", true);
}

/* plain_number - "-1", "-0.25", "+3e2": a value, not a formula */
static bool
plain_number(const char *v)
{
	char *end = NULL;

	if (*v == '\0')
		return false;
	g_ascii_strtod(v, &end);
	return end != NULL && *end == '\0' && strpbrk(v, " \t") == NULL;
}

bool
rw_out_csv_formula(const char *v)
{
	return v != NULL && *v != '\0' && strchr("=+-@\t\r", *v) != NULL &&
	    !plain_number(v);
}

void
rw_out_csv_cell(GString *out, const char *v)
{
	char *clean;
	bool formula, quote;

	if (v == NULL)
		return;
	clean = replace_chars(v, is_control, "?", true);
	formula = rw_out_csv_formula(clean);
	quote = formula || strpbrk(clean, ",\"\r\n") != NULL;
	if (quote)
		g_string_append_c(out, '"');
	if (formula)
		g_string_append_c(out, '\'');
	for (const char *p = clean; *p; p++) {
		if (*p == '"' && quote)
			g_string_append_c(out, '"');
		g_string_append_c(out, *p);
	}
	if (quote)
		g_string_append_c(out, '"');
	g_free(clean);
}

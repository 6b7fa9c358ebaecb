/*
 * arf_mime - thin helpers over GMime 3.
 */
#include <string.h>

#include "arf/arf_mime.h"

void
arf_mime_init(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		g_mime_init();
		g_once_init_leave(&done, 1);
	}
}

static GMimeParser *
parser_for(const char *data, size_t len)
{
	GMimeStream *s;
	GMimeParser *p;

	s = g_mime_stream_mem_new_with_buffer(data, len);
	p = g_mime_parser_new_with_stream(s);
	/*
	 * Copying the (small) part contents is faster than keeping them as
	 * substreams of the buffer, and lets the buffer go right away.
	 */
	g_mime_parser_set_persist_stream(p, FALSE);
	g_object_unref(s);
	return p;
}

/*
 * No parser options and no warning callback: with a callback GMime
 * decodes every header while parsing, to validate it (a fifth of the
 * parse time), where most are never read. The one warning that mattered,
 * nesting overflow, cannot reach a record: GMime stops descending at
 * ARF_MIME_GMIME_LEVELS levels and the parser quarantines anything nested
 * deeper than its own limit, which is lower (arf_parse.c).
 */
GMimeMessage *
arf_mime_message(const char *data, size_t len)
{
	GMimeParser *p = parser_for(data, len);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);

	g_object_unref(p);
	return m;
}

GMimeObject *
arf_mime_header_block(const char *data, size_t len)
{
	GMimeParser *p;
	GMimeObject *o;

	/* leading blank lines would end the block before it starts */
	while (len > 0 && (*data == '\n' || *data == '\r' || *data == ' ' ||
	    *data == '\t')) {
		data++;
		len--;
	}
	if (len == 0)
		return NULL;
	p = parser_for(data, len);
	o = g_mime_parser_construct_part(p, NULL);
	g_object_unref(p);
	return o;
}

GByteArray *
arf_mime_decode(GMimeObject *part, size_t max)
{
	GMimeDataWrapper *dw;
	GMimeStream *mem;
	GByteArray *out;

	if (!GMIME_IS_PART(part))
		return NULL;
	dw = g_mime_part_get_content(GMIME_PART(part));
	if (dw == NULL)
		return NULL;
	mem = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(dw, mem) < 0) {
		g_object_unref(mem);
		return NULL;
	}
	/* the stream frees its buffer unless told it is ours */
	out = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_object_unref(mem);
	/* decoding cannot grow base64 or QP, but stay capped all the same */
	if (out->len > max)
		g_byte_array_set_size(out, (guint)max);
	return out;
}

bool
arf_mime_is(GMimeObject *obj, const char *type, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	return ct != NULL && g_mime_content_type_is_type(ct, type, subtype);
}

void
arf_mime_measure(GMimeObject *obj, int depth, int *out_depth,
    int *out_headers)
{
	int n = g_mime_header_list_get_count(g_mime_object_get_header_list(obj));

	if (depth > *out_depth)
		*out_depth = depth;
	if (n > *out_headers)
		*out_headers = n;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int count = g_mime_multipart_get_count(mp);

		for (int i = 0; i < count; i++)
			arf_mime_measure(g_mime_multipart_get_part(mp, i),
			    depth + 1, out_depth, out_headers);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m = g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(obj));
		GMimeObject *body;

		if (m == NULL)
			return;
		n = g_mime_header_list_get_count(
		    g_mime_object_get_header_list(GMIME_OBJECT(m)));
		if (n > *out_headers)
			*out_headers = n;
		body = g_mime_message_get_mime_part(m);
		if (body != NULL)
			arf_mime_measure(body, depth + 1, out_depth,
			    out_headers);
	}
}

char *
arf_mime_squash(char *s)
{
	char *w = s;
	bool space = false;

	for (const char *r = s; *r != '\0'; r++) {
		if (g_ascii_isspace(*r)) {
			space = w != s;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = false;
		*w++ = *r;
	}
	*w = '\0';
	return s;
}

char *
arf_mime_get(GMimeHeaderList *hl, const char *name)
{
	GMimeHeader *h = g_mime_header_list_get_header(hl, name);
	const char *v;
	char *s;

	if (h == NULL)
		return NULL;
	v = g_mime_header_get_value(h);
	if (v == NULL)
		return NULL;
	s = arf_mime_squash(g_strdup(v));
	if (*s == '\0') {
		g_free(s);
		return NULL;
	}
	return s;
}

int
arf_mime_index(GMimeHeaderList *hl, const char *name)
{
	int n = g_mime_header_list_get_count(hl);

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);

		if (g_ascii_strcasecmp(g_mime_header_get_name(h), name) == 0)
			return i;
	}
	return -1;
}

char *
arf_mime_strip_angle(char *s)
{
	size_t n;

	g_strstrip(s);
	n = strlen(s);
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
		g_strstrip(s);
	}
	return s;
}

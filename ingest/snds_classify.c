/*
 * snds_classify - map an HTTP response to what it means for SNDS data.
 */
#include <string.h>
#include <glib.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "ingest/snds_classify.h"

/* enough of a page to find its <title>; the rest is never parsed */
#define HTML_SNIFF_MAX (256 * 1024)

static const char *const class_names[] = {
	"ok", "no-data", "expired", "bad-request", "temporary",
};

const char *
snds_class_name(enum snds_class cls)
{
	return class_names[cls];
}

static const char *
skip_ws_bom(const char *p, const char *end)
{
	if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && g_ascii_isspace(*p))
		p++;
	return p;
}

static bool
only_whitespace(const char *body, size_t len)
{
	return skip_ws_bom(body, body + len) == body + len;
}

static const xmlNode *
find_element(const xmlNode *n, const char *name)
{
	for (; n != NULL; n = n->next) {
		const xmlNode *hit;

		if (n->type == XML_ELEMENT_NODE &&
		    g_ascii_strcasecmp((const char *)n->name, name) == 0)
			return n;
		hit = find_element(n->children, name);
		if (hit != NULL)
			return hit;
	}
	return NULL;
}

/* title text, whitespace collapsed, cut to the buffer on a UTF-8 boundary */
static void
copy_title(char *dst, size_t dstlen, const xmlNode *t)
{
	xmlChar *text = xmlNodeGetContent(t);
	GString *s = g_string_new(NULL);
	char **words;
	const char *valid_end;

	words = g_strsplit_set(text != NULL ? (const char *)text : "",
	    " \t\r\n", -1);
	for (char **w = words; *w != NULL; w++) {
		if (**w == '\0')
			continue;
		if (s->len > 0)
			g_string_append_c(s, ' ');
		g_string_append(s, *w);
	}
	g_strlcpy(dst, s->str, dstlen);
	g_utf8_validate(dst, -1, &valid_end);
	dst[valid_end - dst] = '\0';
	g_strfreev(words);
	g_string_free(s, TRUE);
	xmlFree(text);
}

static bool
html_title(char *title, size_t titlelen, const char *body, size_t len)
{
	htmlDocPtr doc;
	const xmlNode *root, *t;
	int n = (int)MIN(len, (size_t)HTML_SNIFF_MAX);

	doc = htmlReadMemory(body, n, NULL, NULL, HTML_PARSE_RECOVER |
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	if (doc == NULL)
		return false;
	root = xmlDocGetRootElement(doc);
	t = root != NULL ? find_element(root, "title") : NULL;
	if (t != NULL && title != NULL)
		copy_title(title, titlelen, t);
	xmlFreeDoc(doc);
	return root != NULL;
}

/*
 * HTML when the server says so, or when the body starts with markup (a CSV
 * report starts with an IPv4 address). libxml2's HTML parser confirms and
 * finds the title.
 */
bool
snds_is_html(char *title, size_t titlelen, const char *content_type,
    const char *body, size_t len)
{
	const char *p = skip_ws_bom(body, body + len);
	bool declared = content_type != NULL &&
	    g_ascii_strncasecmp(content_type, "text/html", 9) == 0;

	if (title != NULL && titlelen > 0)
		title[0] = '\0';
	if (!declared && (p == body + len || *p != '<'))
		return false;
	return html_title(title, titlelen, p, (size_t)(body + len - p)) ||
	    declared;
}

/* a redirect that ended on Microsoft's sign-in pages */
static bool
sign_in_url(const char *url)
{
	static const char *const hosts[] = {
		"login.microsoftonline.com", "login.live.com",
		"login.microsoft.com", "account.live.com",
	};
	GUri *u;
	bool hit = false;

	if (url == NULL)
		return false;
	u = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
	if (u == NULL || g_uri_get_host(u) == NULL) {
		if (u != NULL)
			g_uri_unref(u);
		return false;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(hosts); i++)
		hit = hit || g_ascii_strcasecmp(g_uri_get_host(u), hosts[i]) == 0;
	g_uri_unref(u);
	return hit;
}

static void
verdict(struct snds_verdict *out, enum snds_class cls, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void
verdict(struct snds_verdict *out, enum snds_class cls, const char *fmt, ...)
{
	va_list ap;

	out->cls = cls;
	g_strlcpy(out->outcome, cls == SNDS_CLASS_EXPIRED ? "login-required" :
	    snds_class_name(cls), sizeof(out->outcome));
	va_start(ap, fmt);
	g_vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
}

static void
classify_status(struct snds_verdict *out, long s)
{
	if (s == 0)
		verdict(out, SNDS_CLASS_TEMPORARY, "no HTTP response");
	else if (s == 204 || s == 404)
		verdict(out, SNDS_CLASS_NO_DATA, "HTTP %ld: no data yet", s);
	else if (s == 401 || s == 403 || s == 410 || (s >= 300 && s < 400))
		verdict(out, SNDS_CLASS_EXPIRED,
		    "HTTP %ld: link expired or login required", s);
	else if (s == 408 || s == 429 || s >= 500)
		verdict(out, SNDS_CLASS_TEMPORARY, "HTTP %ld", s);
	else if (s >= 400)
		verdict(out, SNDS_CLASS_BAD_REQUEST,
		    "HTTP %ld: request refused", s);
	else
		verdict(out, SNDS_CLASS_TEMPORARY, "unexpected HTTP %ld", s);
}

static void
classify_body(struct snds_verdict *out, const struct snds_response *r)
{
	if (sign_in_url(r->final_url)) {
		verdict(out, SNDS_CLASS_EXPIRED,
		    "redirected to a sign-in page");
	} else if (snds_is_html(out->title, sizeof(out->title),
	    r->content_type, r->body, r->len)) {
		if (out->title[0] != '\0')
			verdict(out, SNDS_CLASS_EXPIRED, "HTML page \"%s\" "
			    "instead of CSV", out->title);
		else
			verdict(out, SNDS_CLASS_EXPIRED,
			    "HTML page instead of CSV");
	} else if (only_whitespace(r->body, r->len)) {
		verdict(out, SNDS_CLASS_NO_DATA, "empty report: no data yet");
	} else {
		verdict(out, SNDS_CLASS_OK, "CSV report");
	}
}

void
snds_classify(struct snds_verdict *out, const struct snds_response *r)
{
	memset(out, 0, sizeof(*out));
	if (r->status >= 200 && r->status < 300 && r->status != 204)
		classify_body(out, r);
	else
		classify_status(out, r->status);
}

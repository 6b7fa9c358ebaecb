/*
 * arf_scan - limits checked on a message's bytes before GMime parses it.
 */
#include <stdarg.h>
#include <string.h>

#include <glib.h>

#include "arf/arf_parse.h"
#include "arf/arf_scan.h"

/*
 * Fields GMime parses as soon as it reads a header block (addresses,
 * Subject, the Content-* fields of every part): a long one costs it about
 * 60 to 120 times its size (a 10 MB Subject of short words or a To: of
 * 2.5 M addresses took 1.2 GB; a nested part's Content-Type of 880,000
 * parameters 620 MB).
 */
static bool
is_parsed_field(const char *name, size_t len)
{
	static const char *const names[] = {"from", "to", "cc", "bcc",
	    "sender", "reply-to", "subject", "resent-from", "resent-to",
	    "resent-cc", "resent-bcc", "resent-sender", "resent-reply-to"};

	if (len > 8 && g_ascii_strncasecmp(name, "content-", 8) == 0)
		return true;
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (strlen(names[i]) == len &&
		    g_ascii_strncasecmp(name, names[i], len) == 0)
			return true;
	return false;
}

/* length of a field name ending in ':' at the start of S[0, N), or 0 */
static size_t
field_name_len(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] > ' ' && s[i] < 127 && s[i] != ':')
		i++;
	return i > 0 && i < n && s[i] == ':' ? i : 0;
}

struct field_scan {
	const char *name; /* of the field being read, NULL outside one */
	size_t name_len;
	size_t len;       /* its bytes so far, folded lines included */
	bool top;         /* in the top-level header block */
	size_t parsed_total; /* bytes of is_parsed_field fields */
	int run;          /* fields in this run of header-like lines */
	int fields;       /* fields in all such runs */
};

struct scan {
	const struct arf_limits *lim;
	const char *data;  /* offsets in reasons count from here */
	char *reason;      /* why the message is quarantined, or NULL */
};

static void
reject(struct scan *sc, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
reject(struct scan *sc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sc->reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

/*
 * One more field starts: false (and rejected) past max_headers in one
 * run of header-like lines (GMime holds about 600 bytes per field: a
 * 10 MB block of "X:a" lines took 1.5 GB before max_headers was checked
 * on what it had built), or past 16 times that in the whole message (the
 * fields of many small parts add up the same way). A run is where a
 * header block may be: the header blocks of nested parts are not known
 * before GMime parses them.
 */
static bool
field_start(struct scan *sc, struct field_scan *f, size_t at)
{
	int all = 16 * sc->lim->max_headers;

	if (++f->run > sc->lim->max_headers) {
		reject(sc, "header fields in one part exceed the limit of "
		    "%d (field %d at offset %zu)", sc->lim->max_headers, f->run,
		    at);
		return false;
	}
	if (++f->fields > all) {
		reject(sc, "header fields in all parts exceed the limit of "
		    "%d (16 times max_headers)", all);
		return false;
	}
	return true;
}

/* the field being read is over: false (and rejected) if too long */
static bool
field_end(struct scan *sc, struct field_scan *f)
{
	bool parsed;

	if (f->name == NULL)
		return true;
	parsed = is_parsed_field(f->name, f->name_len);
	if (parsed)
		f->parsed_total += f->len;
	if ((f->top || parsed) && f->len > sc->lim->max_header_bytes) {
		reject(sc, "header field \"%.*s\" of %zu bytes exceeds the "
		    "limit of %zu bytes", (int)MIN(f->name_len, 64), f->name,
		    f->len, sc->lim->max_header_bytes);
		return false;
	}
	if (f->parsed_total > 16 * sc->lim->max_header_bytes) {
		reject(sc, "address and Subject fields of %zu bytes in all "
		    "exceed the limit of %zu bytes (16 times the field limit)",
		    f->parsed_total, 16 * sc->lim->max_header_bytes);
		return false;
	}
	f->name = NULL;
	return true;
}

/*
 * Lengths GMime is never shown (it would need a hundred times them in
 * memory): a line over max_line_bytes; a header field over
 * max_header_bytes, folded lines included, in the top-level header block
 * or, for the fields GMime parses at once, anywhere (the header blocks of
 * nested parts are not known before GMime parses them); those fields add
 * up to at most 16 times the limit; more fields than field_start allows.
 * Data is normalized (LF line ends).
 */
static bool
scan_lines(struct scan *sc, const char *s, const char *end)
{
	struct field_scan f = {.top = true};

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl != NULL ? nl : end;
		size_t len = (size_t)(e - s), n;

		if (len > sc->lim->max_line_bytes) {
			reject(sc, "a line of %zu bytes at offset %zu exceeds "
			    "the limit of %zu bytes", len,
			    (size_t)(s - sc->data), sc->lim->max_line_bytes);
			return false;
		}
		if (f.name != NULL && len > 0 && (*s == ' ' || *s == '\t')) {
			f.len += len + 1;
		} else {
			if (!field_end(sc, &f))
				return false;
			if (len == 0)
				f.top = false;
			n = field_name_len(s, len);
			if (n == 0) {
				f.run = 0;
			} else {
				if (!field_start(sc, &f,
				    (size_t)(s - sc->data)))
					return false;
				f.name = s;
				f.name_len = n;
				f.len = len + 1;
			}
		}
		s = e + 1;
	}
	return field_end(sc, &f);
}

bool
arf_scan_within(char **out_reason, const char *data, size_t len,
    size_t start, const struct arf_limits *lim)
{
	struct scan sc = {.lim = lim, .data = data};
	bool ok = scan_lines(&sc, data + MIN(start, len), data + len);

	*out_reason = sc.reason;
	return ok;
}

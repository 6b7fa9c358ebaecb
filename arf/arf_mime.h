/*
 * arf_mime - the few GMime operations the parser needs: parsing a byte
 * buffer as a message or as a bare header block, decoding a leaf part's
 * content (base64 / quoted-printable), measuring nesting and header
 * counts, reading trimmed header values.
 */
#ifndef ARF_MIME_H
#define ARF_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <gmime/gmime.h>

/* how deep GMime's parser descends before it stops (MAX_LEVEL, 3.2) */
#define ARF_MIME_GMIME_LEVELS 1024

/* arf_mime_init - g_mime_init once per process (thread-safe) */
void arf_mime_init(void);

/* arf_mime_message - parse DATA as a message; NULL when GMime cannot */
GMimeMessage *arf_mime_message(const char *data, size_t len);
/*
 * arf_mime_header_block - parse DATA as a header block without a message
 * around it (the feedback-report part, text/rfc822-headers); NULL when
 * there is no header in it.
 */
GMimeObject *arf_mime_header_block(const char *data, size_t len);
/* arf_mime_decode - a leaf part's content after its transfer encoding */
GByteArray *arf_mime_decode(GMimeObject *part, size_t max);

/* arf_mime_is - media type test, case-insensitive; "*" matches all */
bool arf_mime_is(GMimeObject *obj, const char *type, const char *subtype);
/* arf_mime_measure - deepest nesting and largest header count below OBJ */
void arf_mime_measure(GMimeObject *obj, int depth, int *out_depth,
    int *out_headers);

/* arf_mime_get - trimmed value of the first NAME field; NULL if empty */
char *arf_mime_get(GMimeHeaderList *hl, const char *name);
/* arf_mime_squash - unfold: whitespace runs to one space, trimmed */
char *arf_mime_squash(char *s);
/* arf_mime_index - position of the first NAME field, -1 when absent */
int arf_mime_index(GMimeHeaderList *hl, const char *name);
/* arf_mime_strip_angle - "<x>" -> "x" in place, trimmed; returns S */
char *arf_mime_strip_angle(char *s);

#endif

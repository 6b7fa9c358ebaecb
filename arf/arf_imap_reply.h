/*
 * arf_imap_reply - IMAP responses read from any byte source (the connection
 * in arf_imap.c, a buffer in the fuzz target): tagged status, UIDVALIDITY,
 * SEARCH UIDs and FETCH data with literals, each buffer capped.
 */
#ifndef ARF_IMAP_REPLY_H
#define ARF_IMAP_REPLY_H

#include <stddef.h>
#include <glib.h>

/* up to CAP bytes into BUF; *OUT_N = 0 when the peer closed; <0 error */
typedef int (*arf_imap_fill_fn)(void *ctx, char *buf, size_t cap,
    size_t *out_n);

struct arf_imap_reader;

struct arf_imap_reader *arf_imap_reader_new(arf_imap_fill_fn fill,
    void *ctx);
/* arf_imap_reader_reset - forget buffered bytes (a new connection) */
void arf_imap_reader_reset(struct arf_imap_reader *r);
void arf_imap_reader_free(struct arf_imap_reader *r);

/* one message of "* n FETCH (...)" */
struct arf_imap_msg {
	guint64 uid;      /* 0 when the response had none */
	gint64 size;      /* RFC822.SIZE, -1 when absent */
	GByteArray *body; /* BODY[] (capped), NULL when absent */
};

void arf_imap_msg_free(gpointer msg);

struct arf_imap_limits {
	size_t line_max;  /* longest response line */
	size_t body_max;  /* bytes kept of one BODY[] (more are dropped) */
	size_t total_max; /* bytes of all BODY[]s of one reply (more: error) */
};

struct arf_imap_reply {
	char status;        /* 'O' OK, 'N' NO, 'B' BAD, 0 other */
	char *text;         /* text of the tagged line (capped) */
	gint64 uidvalidity; /* from "* OK [UIDVALIDITY n]", else -1 */
	GArray *uids;       /* guint64 of "* SEARCH" lines */
	GPtrArray *msgs;    /* struct arf_imap_msg * with a UID */
	size_t body_bytes;  /* bytes kept in msgs' bodies */
};

void arf_imap_reply_init(struct arf_imap_reply *r);
void arf_imap_reply_clear(struct arf_imap_reply *r);

/*
 * arf_imap_read_reply - read responses up to the tagged one of TAG into
 * OUT (initialised). Literals are read by length wherever they appear;
 * untagged responses other than the ones above are skipped. Errors: the
 * source's, RW_ETEMP when the connection closed, RW_EUNAVAIL when the
 * server broke a limit or sent a continuation.
 */
int arf_imap_read_reply(struct arf_imap_reply *out,
    struct arf_imap_reader *r, const char *tag,
    const struct arf_imap_limits *lim);

/*
 * Pure functions on server bytes: arf_imap_response_number - the number
 * after KEY ("UIDVALIDITY ") in a response, -1 when absent;
 * arf_imap_parse_search - the UIDs of a "* SEARCH ..." response above
 * ABOVE appended to UIDS (guint64), sorted.
 */
gint64 arf_imap_response_number(const char *resp, size_t len,
    const char *key);
void arf_imap_parse_search(GArray *uids, const char *resp, size_t len,
    gint64 above);
/* order of two guint64 UIDs, for g_array_sort */
gint arf_imap_uid_cmp(gconstpointer a, gconstpointer b);

#endif

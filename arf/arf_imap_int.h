/*
 * arf_imap_int - what the two halves of the IMAP source share: the source
 * itself and the connection (arf_imap_conn.c) that the folder logic
 * (arf_imap.c) sends its commands through.
 */
#ifndef ARF_IMAP_INT_H
#define ARF_IMAP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

#include "common/rw_http.h"
#include "arf/arf_imap_reply.h"
#include "arf/arf_source_int.h"

struct imap {
	struct arf_source base;
	struct rw_http *http;     /* NULL while not connected */
	curl_socket_t sock;
	struct arf_imap_reader *rd;
	char *base_url;           /* imap://host:port/ */
	char *folder;             /* decoded folder name */
	char *folder_q;           /* ... as an IMAP quoted string */
	char *where;              /* folder and masked URL, for messages */
	guint tag;
	bool final;               /* the last error is not cured by retrying */
	gint64 deadline;          /* monotonic µs the command must end by */
	long limit;               /* its seconds, for messages */
	gint64 uidvalidity;       /* -1 until the first SELECT */
	gint64 last_uid;          /* highest UID returned */
	GArray *uids;             /* guint64, ascending, still to read */
	GArray *sizes;            /* gint64 per UID: RFC822.SIZE, -1, GONE */
	guint next;               /* index of the next UID to fetch */
	guint sized;              /* UIDs below this index have a size */
	GPtrArray *batch;         /* struct arf_imap_msg * fetched */
	guint batch_next;
	GArray *done[2];          /* UIDs acknowledged per enum arf_ack */
	bool created[2];          /* target folder created this run */
	struct arf_imap_limits lim;
};

/* arf_imap_conn_fill - the reader's byte source: the connection */
int arf_imap_conn_fill(void *ctx, char *buf, size_t cap, size_t *out_n);
/* arf_imap_conn_open - connect, log in, select the folder */
int arf_imap_conn_open(struct imap *m);
void arf_imap_conn_close(struct imap *m);

/* arf_imap_exec_once - "TAG CMD" on the open connection, no retry */
int arf_imap_exec_once(struct imap *m, const char *cmd,
    struct arf_imap_reply *out, size_t body_total);
/*
 * arf_imap_exec - CMD, connecting (again) as needed; OUT initialised by
 * the caller. BODY_TOTAL is the message bytes it may fetch (its deadline).
 */
int arf_imap_exec(struct imap *m, const char *cmd, struct arf_imap_reply *out,
    size_t body_total);
/* arf_imap_exec_ok - arf_imap_exec, and the reply must be OK */
int arf_imap_exec_ok(struct imap *m, const char *cmd,
    struct arf_imap_reply *out, size_t body_total);

#endif

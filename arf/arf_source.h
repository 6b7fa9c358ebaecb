/*
 * arf_source - where complaint messages come from: a .eml file, a folder
 * of them, a Maildir, an mbox file, standard input or an IMAP folder.
 *
 * A source yields messages one at a time (a large backlog never sits in
 * memory) and acknowledges them only when the ingest loop says the
 * transaction holding them committed: Maildir and folder messages are
 * moved then, IMAP messages moved (or copied and expunged); mbox files are
 * never rewritten, their progress is a checkpoint stored in the same
 * transaction as the messages.
 *
 * The source kinds implement the table in arf_source_int.h.
 */
#ifndef ARF_SOURCE_H
#define ARF_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

struct rw_config;

enum arf_ack {
	ARF_ACK_PROCESSED,
	ARF_ACK_QUARANTINE,
};

struct arf_msg {
	char *data;     /* at most max_bytes + 1 bytes of the message */
	size_t len;
	size_t size;    /* real size */
	char *location; /* file name, "offset N", "UID N" */
	gint64 uid;     /* IMAP UID, -1 elsewhere */
};

void arf_msg_clear(struct arf_msg *m);

/* where a resumable source stopped; stored with each batch */
struct arf_checkpoint {
	char *folder;            /* "" for files; IMAP folder name */
	gint64 uidvalidity;      /* -1 when n/a */
	gint64 last_uid;         /* -1 when n/a */
	gint64 mbox_offset;      /* -1 when n/a */
	char *mbox_prefix_sha256;
};

void arf_checkpoint_clear(struct arf_checkpoint *c);

struct arf_source_opts {
	size_t max_bytes;       /* per message; larger ones are truncated */
	const char *processed;  /* folder name for processed messages */
	const char *quarantine; /* folder name for quarantined ones */
	bool delete_processed;
	long mbox_lock_timeout; /* seconds an mbox lock is waited for */
	/* a one-shot read with no checkpoint (arf parse): an mbox's last
	 * message is read even when the file may still be growing */
	bool read_to_end;
	/* IMAP */
	const char *user;
	const char *password;
	const char *bearer;     /* XOAUTH2 token */
	const char *ca_file;
	long timeout;           /* seconds */
	int fetch_batch;        /* UIDs fetched per round trip */
	size_t fetch_bytes;     /* message bytes held by one fetch */
};

struct arf_source;

/* arf_source_kind - "maildir", "mbox", "eml", "folder", "stdin", "imap" */
const char *arf_source_kind(const struct arf_source *s);

/*
 * arf_source_open - SPEC is a path, "-" or an imap(s):// URL. RESUME
 * (nullable) is the checkpoint stored by an earlier run.
 */
int arf_source_open(struct arf_source **out, const char *spec,
    const struct arf_source_opts *opts, const struct arf_checkpoint *resume);
/* arf_source_next - 1 with a message in OUT, 0 at the end, <0 error */
int arf_source_next(struct arf_source *s, struct arf_msg *out);
/* arf_source_checkpoint - progress after the last message returned */
bool arf_source_checkpoint(struct arf_source *s, struct arf_checkpoint *out);
/*
 * arf_source_ack - the message's transaction committed: move it where it
 * belongs. Only called after commit.
 */
int arf_source_ack(struct arf_source *s, const struct arf_msg *m,
    enum arf_ack how);
/* arf_source_flush - finish pending acknowledgements (IMAP expunge) */
int arf_source_flush(struct arf_source *s);
void arf_source_free(struct arf_source *s);

#endif

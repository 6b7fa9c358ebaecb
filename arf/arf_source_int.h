/*
 * arf_source_int - the backend side of arf_source: the operations table a
 * source kind implements (arf_maildir.c, arf_mbox.c, arf_imap.c and the
 * single-file source in arf_source.c), the struct they embed first, and
 * their constructors. Callers use arf_source.h only.
 */
#ifndef ARF_SOURCE_INT_H
#define ARF_SOURCE_INT_H

#include "arf/arf_source.h"

struct arf_source_ops {
	int (*next)(struct arf_source *s, struct arf_msg *out);
	bool (*checkpoint)(struct arf_source *s, struct arf_checkpoint *out);
	int (*ack)(struct arf_source *s, const struct arf_msg *m,
	    enum arf_ack how);
	int (*flush)(struct arf_source *s);
	void (*free)(struct arf_source *s);
	/*
	 * ack shares no state with next (a Maildir: renames by path), so
	 * the main thread's acks need not wait for the reader thread's
	 * reads; with one connection (IMAP) or one file (mbox) they must
	 */
	bool ack_alongside_next;
};

/*
 * arf_source_ack_none / arf_source_flush_none - for backends whose
 * acknowledgement is the checkpoint stored with the batch, or that have
 * nothing to acknowledge
 */
int arf_source_ack_none(struct arf_source *s, const struct arf_msg *m,
    enum arf_ack how);
int arf_source_flush_none(struct arf_source *s);

struct arf_source {
	const struct arf_source_ops *ops;
	GMutex lock; /* the ingest reader thread and acks share the source */
	GMutex ack_lock; /* acks among themselves, when ack_alongside_next */
	const char *kind;
	struct arf_source_opts opts;
	char *spec;
};

/*
 * arf_read_capped - read FD up to MAX + 1 bytes into *OUT; SIZE is the
 * file's size when the caller has it from fstat, else 0 (then looked up)
 */
int arf_read_capped(char **out, size_t *out_len, size_t *out_size, int fd,
    size_t size, size_t max, const char *name);

/* constructors of each kind (arf_maildir.c, arf_mbox.c, arf_imap.c) */
int arf_maildir_open(struct arf_source **out, const char *path,
    const struct arf_source_opts *opts, bool is_maildir);
int arf_mbox_open(struct arf_source **out, const char *path,
    const struct arf_source_opts *opts, const struct arf_checkpoint *resume);
int arf_imap_open(struct arf_source **out, const char *url,
    const struct arf_source_opts *opts, const struct arf_checkpoint *resume);

#endif

/*
 * arf_source - source dispatch, single files and standard input.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/rw_error.h"
#include "arf/arf_source_int.h"

void
arf_msg_clear(struct arf_msg *m)
{
	g_free(m->data);
	g_free(m->location);
	memset(m, 0, sizeof(*m));
	m->uid = -1;
}

void
arf_checkpoint_clear(struct arf_checkpoint *c)
{
	g_free(c->folder);
	g_free(c->mbox_prefix_sha256);
	memset(c, 0, sizeof(*c));
	c->uidvalidity = c->last_uid = c->mbox_offset = -1;
}

/* the first buffer for a message of unknown size (standard input) */
#define READ_START 16384

/* bytes worth allocating up front: a regular file's size, capped */
static size_t
read_hint(int fd, size_t size, size_t max)
{
	struct stat st;

	if (size == 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size > 0)
		size = (size_t)st.st_size;
	return size > 0 ? MIN(size, max + 1) : READ_START;
}

/* count and drop what follows the kept bytes (the message is over max) */
static ssize_t
read_discard(int fd)
{
	char chunk[65536];

	return read(fd, chunk, sizeof(chunk));
}

/*
 * Reads straight into one buffer sized from fstat (one allocation, no
 * copy per message); it grows only when the file grew since, or for
 * standard input.
 */
int
arf_read_capped(char **out, size_t *out_len, size_t *out_size, int fd,
    size_t size, size_t max, const char *name)
{
	size_t cap = read_hint(fd, size, max) + 1, len = 0, total = 0;
	char *buf = g_malloc(cap);

	for (;;) {
		/* keep one byte past the limit so the parser sees it is over */
		bool full = len > max;
		ssize_t n;

		if (!full && len + 1 == cap) {
			cap = MIN(2 * cap, max + 2);
			buf = g_realloc(buf, cap);
		}
		n = full ? read_discard(fd) : read(fd, buf + len,
		    MIN(cap - 1 - len, max + 1 - len));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_free(buf);
			return rw_error_set(RW_EIO, "could not read %s: %s", name,
			    g_strerror(errno));
		}
		if (n == 0)
			break;
		total += (size_t)n;
		if (!full)
			len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	*out_size = total;
	return 0;
}

/* a single file or standard input: one message, nothing to move */
struct one_source {
	struct arf_source base;
	bool done;
};

static int
one_next(struct arf_source *s, struct arf_msg *out)
{
	struct one_source *o = (struct one_source *)s;
	bool in = strcmp(s->spec, "-") == 0;
	int fd, rc;

	if (o->done)
		return 0;
	o->done = true;
	fd = in ? STDIN_FILENO : open(s->spec, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rw_error_set(RW_EIO, "could not open \"%s\": %s", s->spec,
		    g_strerror(errno));
	rc = arf_read_capped(&out->data, &out->len, &out->size, fd, 0,
	    s->opts.max_bytes, in ? "standard input" : s->spec);
	if (!in)
		close(fd);
	if (rc != 0)
		return rc;
	out->location = g_strdup(in ? "stdin" : s->spec);
	out->uid = -1;
	return 1;
}

static bool
no_checkpoint(struct arf_source *s, struct arf_checkpoint *out)
{
	(void)s;
	(void)out;
	return false;
}

int
arf_source_ack_none(struct arf_source *s, const struct arf_msg *m,
    enum arf_ack how)
{
	(void)s;
	(void)m;
	(void)how;
	return 0;
}

int
arf_source_flush_none(struct arf_source *s)
{
	(void)s;
	return 0;
}

static void
one_free(struct arf_source *s)
{
	g_free(s);
}

static const struct arf_source_ops one_ops = {
	one_next, no_checkpoint, arf_source_ack_none, arf_source_flush_none,
	one_free, false,
};

static bool
starts_with_from_line(const char *path)
{
	char head[5];
	/* O_NONBLOCK: it may have been replaced by a FIFO since the stat */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	bool yes;

	if (fd < 0)
		return false;
	yes = read(fd, head, 5) == 5 && memcmp(head, "From ", 5) == 0;
	close(fd);
	return yes;
}

static bool
is_maildir(const char *path)
{
	char *cur = g_build_filename(path, "cur", NULL);
	char *new = g_build_filename(path, "new", NULL);
	bool yes = g_file_test(cur, G_FILE_TEST_IS_DIR) ||
	    g_file_test(new, G_FILE_TEST_IS_DIR);

	g_free(cur);
	g_free(new);
	return yes;
}

static int
open_path(struct arf_source **out, const char *spec,
    const struct arf_source_opts *opts, const struct arf_checkpoint *resume)
{
	struct stat st;
	struct one_source *o;

	if (stat(spec, &st) != 0)
		return rw_error_set(RW_ENOINPUT, "could not open source "
		    "\"%s\": %s", spec, g_strerror(errno));
	if (S_ISDIR(st.st_mode))
		return arf_maildir_open(out, spec, opts, is_maildir(spec));
	/* probing a FIFO would block, or eat the first bytes of a pipe */
	if (S_ISREG(st.st_mode) && starts_with_from_line(spec))
		return arf_mbox_open(out, spec, opts, resume);
	o = g_new0(struct one_source, 1);
	o->base.ops = &one_ops;
	o->base.kind = "eml";
	*out = &o->base;
	return 0;
}

int
arf_source_open(struct arf_source **out, const char *spec,
    const struct arf_source_opts *opts, const struct arf_checkpoint *resume)
{
	int rc;

	*out = NULL;
	if (g_str_has_prefix(spec, "imap://") ||
	    g_str_has_prefix(spec, "imaps://")) {
		rc = arf_imap_open(out, spec, opts, resume);
	} else if (strcmp(spec, "-") == 0) {
		struct one_source *o = g_new0(struct one_source, 1);

		o->base.ops = &one_ops;
		o->base.kind = "stdin";
		*out = &o->base;
		rc = 0;
	} else {
		rc = open_path(out, spec, opts, resume);
	}
	if (rc != 0)
		return rc;
	(*out)->opts = *opts;
	(*out)->spec = g_strdup(spec);
	g_mutex_init(&(*out)->lock);
	g_mutex_init(&(*out)->ack_lock);
	return 0;
}

const char *
arf_source_kind(const struct arf_source *s)
{
	return s->kind;
}

int
arf_source_next(struct arf_source *s, struct arf_msg *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->uid = -1;
	g_mutex_lock(&s->lock);
	rc = s->ops->next(s, out);
	g_mutex_unlock(&s->lock);
	return rc;
}

bool
arf_source_checkpoint(struct arf_source *s, struct arf_checkpoint *out)
{
	bool yes;

	g_mutex_lock(&s->lock);
	yes = s->ops->checkpoint(s, out);
	g_mutex_unlock(&s->lock);
	return yes;
}

/* the lock an ack takes: the source's own, or only the acks' */
static GMutex *
ack_lock(struct arf_source *s)
{
	return s->ops->ack_alongside_next ? &s->ack_lock : &s->lock;
}

int
arf_source_ack(struct arf_source *s, const struct arf_msg *m,
    enum arf_ack how)
{
	GMutex *lock = ack_lock(s);
	int rc;

	g_mutex_lock(lock);
	rc = s->ops->ack(s, m, how);
	g_mutex_unlock(lock);
	return rc;
}

int
arf_source_flush(struct arf_source *s)
{
	int rc;

	g_mutex_lock(&s->lock);
	rc = s->ops->flush(s);
	g_mutex_unlock(&s->lock);
	return rc;
}

void
arf_source_free(struct arf_source *s)
{
	char *spec;

	if (s == NULL)
		return;
	spec = s->spec;
	g_mutex_clear(&s->lock);
	g_mutex_clear(&s->ack_lock);
	s->ops->free(s);
	g_free(spec);
}

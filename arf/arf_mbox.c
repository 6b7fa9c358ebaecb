/*
 * arf_mbox - an mbox file. The user's file is never rewritten: progress
 * is the offset after the last message read plus a SHA-256 of the file up
 * to it, stored with each batch; a run continues there when the prefix is
 * unchanged, else reads from the start (content keys then skip what was
 * already stored).
 *
 * Writers append while we read, so (as MTAs do, Postfix and Dovecot
 * conventions) the file is locked while it is open: a dotlock "FILE.lock"
 * made with O_EXCL, holding "PID:HOST" as Dovecot writes it (one older
 * than STALE_LOCK_SECONDS, as Postfix's stale_lock_time, or whose process
 * on this host is gone, is removed), then an fcntl read lock; both are retried
 * until [arf] mbox_lock_timeout, then the run stops with a temporary
 * failure. A writer that ignores locks can still leave half a message at
 * the end: a final message is read only when it ends with an empty line
 * after its header block (MTAs end every message with one) or when the
 * file has not changed for SETTLE_SECONDS; otherwise the run stops before
 * it and no checkpoint passes it. A checkpoint followed by a line that is
 * not a From_ line (one stored by an older version after half a message,
 * or a last message that only looked complete) means the message went on:
 * the file is read from the start again, so its rest is not lost. Bytes
 * before the first From_ line are skipped, with a warning.
 *
 * Messages are split here, not by GMime's mbox parser, which built every
 * message (headers and all) only to find where it ended: a line starts a
 * message when it begins with "From " (as in GMime and mutt); LF, CRLF
 * and CR-only line ends are all accepted.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/rw_error.h"
#include "common/rw_log.h"
#include "arf/arf_source_int.h"

/* bytes read at a time while looking for message boundaries */
#define WINDOW 65536
/* a dotlock untouched this long is stale (Postfix's stale_lock_time) */
#define STALE_LOCK_SECONDS 500
/* a holder refreshes its dotlock this often, so it never looks stale */
#define TOUCH_SECONDS 60
/* a file unchanged this long has no writer: its last message is whole */
#define SETTLE_SECONDS 60
/* pause between two lock attempts */
#define LOCK_RETRY_USEC 100000

struct mbox {
	struct arf_source base;
	int fd;
	GChecksum *prefix;  /* SHA-256 of bytes [0, offset) */
	gint64 offset;      /* end of the last message returned */
	char *path;
	char *lock_path;    /* our dotlock, NULL when none was made */
	struct stat lock_st;
	gint64 touched;     /* monotonic seconds of the last refresh */
	bool settled;       /* unchanged for SETTLE_SECONDS when opened */
	bool told;          /* the incomplete last message was reported */
	guint8 *win;        /* file bytes [win_off, win_off + win_len) */
	gint64 win_off;
	size_t win_len;
};

/*
 * Read [FROM, TO) of the file: every byte into the prefix hash, at most
 * MAX + 1 of them into *OUT (when OUT is not NULL).
 */
static int
read_range(struct mbox *m, gint64 from, gint64 to, size_t max,
    GByteArray *out)
{
	guint8 chunk[65536];

	while (from < to) {
		size_t want = (size_t)MIN((gint64)sizeof(chunk), to - from);
		ssize_t n = pread(m->fd, chunk, want, from);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return rw_error_set(RW_EIO, "could not read mbox \"%s\" "
			    "at offset %lld: %s", m->path, (long long)from,
			    n < 0 ? g_strerror(errno) : "unexpected end of file");
		g_checksum_update(m->prefix, chunk, n);
		if (out != NULL && out->len <= max)
			g_byte_array_append(out, chunk,
			    (guint)MIN((size_t)n, max + 1 - out->len));
		from += n;
	}
	return 0;
}

/*
 * At least WANT bytes from POS in *OUT, *OUT_LEN (fewer only at the end
 * of the file, none past it)
 */
static int
peek(struct mbox *m, gint64 pos, size_t want, const guint8 **out,
    size_t *out_len)
{
	gint64 have = m->win_off + (gint64)m->win_len - pos;

	if (pos < m->win_off || have < (gint64)want) {
		ssize_t n;

		do
			n = pread(m->fd, m->win, WINDOW, pos);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return rw_error_set(RW_EIO, "could not read mbox \"%s\" "
			    "at offset %lld: %s", m->path, (long long)pos,
			    g_strerror(errno));
		m->win_off = pos;
		m->win_len = (size_t)n;
		have = n;
	}
	*out = m->win + (pos - m->win_off);
	*out_len = (size_t)have;
	return 0;
}

/* the first line end (CR or LF) in B[0, N), or NULL */
static const guint8 *
find_eol(const guint8 *b, size_t n)
{
	const guint8 *nl = memchr(b, '\n', n);
	const guint8 *cr = memchr(b, '\r', nl != NULL ? (size_t)(nl - b) : n);

	return cr != NULL ? cr : nl;
}

struct line {
	gint64 next;  /* offset after the line and its end */
	bool empty;   /* nothing before the line end */
	bool ended;   /* false: the file ends inside the line */
};

/* the line at POS; a line of any length is scanned, never held */
static int
line_at(struct mbox *m, gint64 pos, struct line *out)
{
	gint64 p = pos;

	for (;;) {
		const guint8 *b, *e;
		size_t n;
		int rc = peek(m, p, 2, &b, &n);

		if (rc != 0)
			return rc;
		if (n == 0) {
			out->next = p;
			out->empty = p == pos;
			out->ended = false;
			return 0;
		}
		e = find_eol(b, n);
		if (e == NULL) {
			p += (gint64)n;
			continue;
		}
		p += e - b;
		out->empty = p == pos;
		out->ended = true;
		if (*e == '\r') {
			/* CRLF or CR alone: the LF may be in the next window */
			rc = peek(m, p, 2, &b, &n);
			if (rc != 0)
				return rc;
			p += n >= 2 && b[1] == '\n' ? 1 : 0;
		}
		out->next = p + 1;
		return 0;
	}
}

/* 1 when a From_ line starts at POS */
static int
from_line_at(struct mbox *m, gint64 pos, bool *out)
{
	const guint8 *b;
	size_t n;
	int rc = peek(m, pos, 5, &b, &n);

	*out = rc == 0 && n >= 5 && memcmp(b, "From ", 5) == 0;
	return rc;
}

/*
 * Move *POS to the next line starting with "From ", if it is not on one:
 * 1 found, 0 the file ends first (nothing is skipped then: the bytes may
 * be the start of a message still being written)
 */
static int
resync(struct mbox *m, gint64 *pos)
{
	gint64 p = *pos;
	bool text = false;

	for (;;) {
		struct line l;
		bool from;
		int rc = from_line_at(m, p, &from);

		if (rc != 0)
			return rc;
		if (from)
			break;
		rc = line_at(m, p, &l);
		if (rc != 0)
			return rc;
		if (!l.ended)
			return 0;
		text = text || !l.empty;
		p = l.next;
	}
	/* empty lines before a From_ line are a separator, not worth a word */
	if (text)
		rw_log_warning("mbox \"%s\": skipping %lld bytes at offset %lld "
		    "that belong to no message (no From_ line before them)",
		    m->path, (long long)(p - *pos), (long long)*pos);
	*pos = p;
	return 1;
}

/*
 * Where the message starting (on its From_ line) at START ends: the next
 * From_ line, or the end of the file. *COMPLETE is false when it ends at
 * the end of the file without the empty line an MTA writes after each
 * message (the one after the header block does not count: a writer may
 * be between the header and the body) and the file is not settled.
 */
static int
message_end(struct mbox *m, gint64 start, gint64 *out, bool *complete)
{
	struct line l;
	int blanks = 0;
	bool last_empty = false;
	int rc = line_at(m, start, &l);

	while (rc == 0 && l.ended) {
		gint64 p = l.next;
		bool from;

		rc = from_line_at(m, p, &from);
		if (rc != 0)
			return rc;
		if (from) {
			*out = p;
			*complete = true;
			return 0;
		}
		rc = line_at(m, p, &l);
		if (rc == 0 && l.ended) {
			last_empty = l.empty;
			blanks += l.empty;
		}
	}
	if (rc != 0)
		return rc;
	*out = l.next;
	/* l is the unterminated rest: empty when the file ends a line */
	*complete = m->settled || (l.empty && last_empty && blanks >= 2);
	return 0;
}

/* keep our dotlock fresh during a long read, so it never looks stale */
static void
touch_lock(struct mbox *m)
{
	gint64 now = g_get_monotonic_time() / G_USEC_PER_SEC;

	if (m->lock_path == NULL || now - m->touched < TOUCH_SECONDS)
		return;
	m->touched = now;
	if (utimensat(AT_FDCWD, m->lock_path, NULL, AT_SYMLINK_NOFOLLOW) != 0)
		rw_log_warning("could not refresh lock file \"%s\": %s",
		    m->lock_path, g_strerror(errno));
}

static int
mbox_next(struct arf_source *s, struct arf_msg *out)
{
	struct mbox *m = (struct mbox *)s;
	gint64 start = m->offset, end;
	bool complete;
	GByteArray *buf;
	int rc;

	touch_lock(m);
	rc = resync(m, &start);
	if (rc <= 0)
		return rc;
	rc = message_end(m, start, &end, &complete);
	if (rc != 0)
		return rc;
	if (!complete) {
		if (!m->told)
			rw_log_info("mbox \"%s\": the message at offset %lld is "
			    "not complete yet (no empty line ends the file); a "
			    "later run reads it", m->path, (long long)start);
		m->told = true;
		return 0;
	}
	/* skipped bytes count in the prefix hash too */
	rc = read_range(m, m->offset, start, 0, NULL);
	if (rc != 0)
		return rc;
	buf = g_byte_array_new();
	rc = read_range(m, start, end, s->opts.max_bytes, buf);
	if (rc != 0) {
		g_byte_array_unref(buf);
		return rc;
	}
	out->size = (size_t)(end - start);
	out->location = g_strdup_printf("%s, offset %lld", m->path,
	    (long long)start);
	m->offset = end;
	out->len = buf->len;
	g_byte_array_append(buf, (const guint8 *)"", 1);
	out->data = (char *)g_byte_array_free(buf, FALSE);
	return 1;
}

static bool
mbox_checkpoint(struct arf_source *s, struct arf_checkpoint *out)
{
	struct mbox *m = (struct mbox *)s;
	GChecksum *copy = g_checksum_copy(m->prefix);

	out->folder = g_strdup("");
	out->uidvalidity = out->last_uid = -1;
	out->mbox_offset = m->offset;
	out->mbox_prefix_sha256 = g_strdup(g_checksum_get_string(copy));
	g_checksum_free(copy);
	return true;
}

/* remove our dotlock, unless someone took it as stale and made theirs */
static void
dotlock_release(struct mbox *m)
{
	struct stat st;

	if (m->lock_path == NULL)
		return;
	if (stat(m->lock_path, &st) == 0 && st.st_ino == m->lock_st.st_ino &&
	    st.st_dev == m->lock_st.st_dev)
		unlink(m->lock_path);
	g_free(m->lock_path);
	m->lock_path = NULL;
}

static void
mbox_free(struct arf_source *s)
{
	struct mbox *m = (struct mbox *)s;

	if (m->prefix != NULL)
		g_checksum_free(m->prefix);
	/* closing the descriptor drops the fcntl lock */
	if (m->fd >= 0)
		close(m->fd);
	dotlock_release(m);
	g_free(m->path);
	g_free(m->win);
	g_free(m);
}

static const struct arf_source_ops mbox_ops = {
	/* the checkpoint stored with the batch is the acknowledgement */
	mbox_next, mbox_checkpoint, arf_source_ack_none, arf_source_flush_none,
	mbox_free, false,
};

/*
 * *OUT true when a whole line that is neither empty nor a From_ line
 * comes first at POS:
 * the message before POS went on after it (a checkpoint an older version
 * stored after half a message, or a last message that looked complete
 * when a writer ignoring the locks stopped on an empty line)
 */
static int
inside_message(struct mbox *m, gint64 pos, bool *out)
{
	*out = false;
	for (;;) {
		struct line l;
		bool from;
		int rc = from_line_at(m, pos, &from);

		if (rc != 0 || from)
			return rc;
		rc = line_at(m, pos, &l);
		if (rc != 0 || !l.ended)
			return rc;
		/* empty lines: a writer that puts one before each From_ line */
		if (!l.empty) {
			*out = true;
			return 0;
		}
		pos = l.next;
	}
}

/*
 * Continue after RESUME when the file still starts with what we read and
 * RESUME is at a message boundary. Else read from the start: content keys
 * skip what was stored, and the rest of a message cut at the checkpoint
 * is read whole (skipping to the next From_ line lost it).
 */
static int
resume_at(struct mbox *m, const char *path, const struct arf_checkpoint *r)
{
	struct stat st;
	GChecksum *copy;
	bool same, inside = false;
	int rc;

	if (r == NULL || r->mbox_offset <= 0 || r->mbox_prefix_sha256 == NULL)
		return 0;
	if (fstat(m->fd, &st) != 0 || st.st_size < r->mbox_offset)
		goto restart;
	rc = read_range(m, 0, r->mbox_offset, 0, NULL);
	if (rc != 0)
		return rc;
	/* reading a digest closes it: compare a copy, keep hashing on */
	copy = g_checksum_copy(m->prefix);
	same = strcmp(g_checksum_get_string(copy), r->mbox_prefix_sha256) == 0;
	g_checksum_free(copy);
	if (same) {
		rc = inside_message(m, r->mbox_offset, &inside);
		if (rc != 0)
			return rc;
	}
	if (same && !inside) {
		m->offset = r->mbox_offset;
		return 0;
	}
restart:
	if (inside)
		rw_log_warning("mbox \"%s\": the last run stopped at offset "
		    "%lld, inside a message; reading the file from the start",
		    path, (long long)r->mbox_offset);
	else
		rw_log_warning("mbox \"%s\" changed since the last run; "
		    "reading it from the start", path);
	g_checksum_reset(m->prefix);
	return 0;
}

/* the most bytes of a dotlock read for its owner ("PID:HOST\n") */
#define LOCK_TEXT_MAX 300

/*
 * The dotlock's owner as Dovecot writes it, "PID:HOST": true when that
 * process ran on this host and is gone (a run killed with -9 must not
 * block the next ones for STALE_LOCK_SECONDS). Anyone who may write in
 * the directory may put something else there: a FIFO (reading it blocked
 * for ever), a link to /dev/zero or a huge file are not read.
 */
static bool
owner_gone(const char *lock)
{
	char text[LOCK_TEXT_MAX + 1], *end = NULL;
	struct stat st;
	bool gone = false;
	ssize_t n = -1;
	gint64 pid;
	int fd = open(lock, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);

	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size <= LOCK_TEXT_MAX) {
		do
			n = read(fd, text, LOCK_TEXT_MAX);
		while (n < 0 && errno == EINTR);
	}
	close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	pid = g_ascii_strtoll(text, &end, 10);
	if (pid > 0 && pid <= G_MAXINT && end != NULL && *end == ':') {
		g_strchomp(end + 1);
		gone = strcmp(end + 1, g_get_host_name()) == 0 &&
		    kill((pid_t)pid, 0) != 0 && errno == ESRCH;
	}
	return gone;
}

/*
 * a dotlock older than STALE_LOCK_SECONDS (Postfix's stale_lock_time) or
 * whose owner on this host is gone was left by a dead writer
 */
static void
remove_if_stale(const char *lock)
{
	struct stat st, again;
	bool old;

	if (stat(lock, &st) != 0)
		return;
	old = time(NULL) - st.st_mtime >= STALE_LOCK_SECONDS;
	if (!old && !owner_gone(lock))
		return;
	/*
	 * another reader may have removed it and made its own meanwhile:
	 * unlink only the file judged stale (a window remains, as in
	 * Postfix's dot_lockfile, but no longer the whole judgement)
	 */
	if (stat(lock, &again) != 0 || again.st_ino != st.st_ino ||
	    again.st_dev != st.st_dev || again.st_mtime != st.st_mtime)
		return;
	if (unlink(lock) == 0)
		rw_log_warning("removed stale lock file \"%s\" (%s)", lock, old ?
		    "unchanged for more than 500 seconds" :
		    "its process is gone");
}

/*
 * 1 locked, 0 held by another (retry), <0 error. A directory we may not
 * write in (a system spool without the mail group) gets no dotlock: the
 * fcntl lock still holds writers off.
 */
static int
dotlock_try(struct mbox *m)
{
	char *lock = g_strdup_printf("%s.lock", m->path);
	int fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd >= 0) {
		char pid[LOCK_TEXT_MAX];
		int n = snprintf(pid, sizeof(pid), "%ld:%s\n", (long)getpid(),
		    g_get_host_name());

		/* an unwritten owner only makes the lock wait to go stale */
		if (n > 0 && (size_t)n < sizeof(pid) &&
		    write(fd, pid, (size_t)n) < 0)
			rw_log_debug("could not write lock file \"%s\": %s", lock,
			    g_strerror(errno));
		fstat(fd, &m->lock_st);
		close(fd);
		m->lock_path = lock;
		m->touched = g_get_monotonic_time() / G_USEC_PER_SEC;
		return 1;
	}
	if (errno == EEXIST) {
		remove_if_stale(lock);
		g_free(lock);
		return 0;
	}
	if (errno == EACCES || errno == EROFS || errno == EPERM) {
		rw_log_debug("no dotlock for mbox \"%s\": %s", m->path,
		    g_strerror(errno));
		g_free(lock);
		return 1;
	}
	g_free(lock);
	return rw_error_set(RW_EIO, "could not create lock file for mbox "
	    "\"%s\": %s", m->path, g_strerror(errno));
}

/* 1 locked, 0 held by a writer (retry), <0 error */
static int
fcntl_try(struct mbox *m)
{
	struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};

	if (fcntl(m->fd, F_SETLK, &fl) == 0)
		return 1;
	if (errno == EACCES || errno == EAGAIN)
		return 0;
	if (errno == ENOLCK || errno == EINVAL) {
		/* a file system without byte-range locks: the dotlock holds */
		rw_log_debug("no fcntl lock for mbox \"%s\": %s", m->path,
		    g_strerror(errno));
		return 1;
	}
	return rw_error_set(RW_EIO, "could not lock mbox \"%s\": %s", m->path,
	    g_strerror(errno));
}

/* dotlock, then fcntl (Dovecot's order), each retried until the bound */
static int
lock_mbox(struct mbox *m, long timeout)
{
	gint64 deadline = g_get_monotonic_time() + timeout * G_USEC_PER_SEC;
	int rc;

	while ((rc = dotlock_try(m)) == 0 &&
	    g_get_monotonic_time() < deadline)
		g_usleep(LOCK_RETRY_USEC);
	if (rc == 0)
		return rw_error_set(RW_ETEMP, "mbox \"%s\" is locked by another "
		    "program (lock file \"%s.lock\" held for %ld seconds)",
		    m->path, m->path, timeout);
	while (rc > 0 && (rc = fcntl_try(m)) == 0 &&
	    g_get_monotonic_time() < deadline)
		g_usleep(LOCK_RETRY_USEC);
	if (rc == 0)
		return rw_error_set(RW_ETEMP, "mbox \"%s\" is locked by another "
		    "program (fcntl lock held for %ld seconds)", m->path,
		    timeout);
	return rc < 0 ? rc : 0;
}

int
arf_mbox_open(struct arf_source **out, const char *path,
    const struct arf_source_opts *opts, const struct arf_checkpoint *resume)
{
	struct mbox *m = g_new0(struct mbox, 1);
	struct stat st;
	int rc;

	m->base.ops = &mbox_ops;
	m->base.kind = "mbox";
	m->path = g_strdup(path);
	m->prefix = g_checksum_new(G_CHECKSUM_SHA256);
	m->win = g_malloc(WINDOW);
	m->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (m->fd < 0) {
		rc = rw_error_set(RW_EIO, "could not open mbox \"%s\": %s", path,
		    g_strerror(errno));
		goto fail;
	}
	/* no lock file beside what is not a regular file */
	if (fstat(m->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = rw_error_set(RW_EUSAGE, "mbox \"%s\" is not a regular file",
		    path);
		goto fail;
	}
	rc = lock_mbox(m, opts->mbox_lock_timeout);
	if (rc != 0)
		goto fail;
	/* its age after the lock: a writer may have finished meanwhile */
	if (fstat(m->fd, &st) != 0) {
		rc = rw_error_set(RW_EIO, "could not stat mbox \"%s\": %s", path,
		    g_strerror(errno));
		goto fail;
	}
	m->settled = opts->read_to_end ||
	    time(NULL) - st.st_mtime >= SETTLE_SECONDS;
	rc = resume_at(m, path, resume);
	if (rc != 0)
		goto fail;
	*out = &m->base;
	return 0;
fail:
	mbox_free(&m->base);
	return rc;
}

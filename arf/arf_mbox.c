/*
 * arf_mbox - an mbox file, split by GMime's mbox parser. The user's file
 * is never rewritten: progress is the offset after the last message read
 * plus a SHA-256 of the file up to it, stored with each batch; a run
 * continues there when the prefix is unchanged, else reads from the start
 * (content keys then skip what was already stored).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/rw_error.h"
#include "common/rw_log.h"
#include "arf/arf_mime.h"
#include "arf/arf_source.h"

struct mbox {
	struct arf_source base;
	int fd;
	GMimeStream *stream;
	GMimeParser *parser;
	GChecksum *prefix;  /* SHA-256 of bytes [0, offset) */
	gint64 offset;      /* end of the last message returned */
	char *path;
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

static int
mbox_next(struct arf_source *s, struct arf_msg *out)
{
	struct mbox *m = (struct mbox *)s;
	GMimeMessage *msg;
	gint64 end;
	GByteArray *buf;
	int rc;

	if (g_mime_parser_eos(m->parser))
		return 0;
	msg = g_mime_parser_construct_message(m->parser, NULL);
	if (msg == NULL)
		return 0;
	g_object_unref(msg);
	end = g_mime_parser_tell(m->parser);
	if (end <= m->offset)
		return 0;
	buf = g_byte_array_new();
	/* bytes before the first From_ line belong to no message */
	rc = read_range(m, m->offset, end, s->opts.max_bytes, buf);
	if (rc != 0) {
		g_byte_array_unref(buf);
		return rc;
	}
	out->size = (size_t)(end - m->offset);
	out->location = g_strdup_printf("%s, offset %lld", m->path,
	    (long long)m->offset);
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

static int
mbox_ack(struct arf_source *s, const struct arf_msg *msg, enum arf_ack how)
{
	/* the checkpoint stored with the batch is the acknowledgement */
	(void)s;
	(void)msg;
	(void)how;
	return 0;
}

static int
mbox_flush(struct arf_source *s)
{
	(void)s;
	return 0;
}

static void
mbox_free(struct arf_source *s)
{
	struct mbox *m = (struct mbox *)s;

	if (m->parser != NULL)
		g_object_unref(m->parser);
	if (m->stream != NULL)
		g_object_unref(m->stream);
	if (m->prefix != NULL)
		g_checksum_free(m->prefix);
	if (m->fd >= 0)
		close(m->fd);
	g_free(m->path);
	g_free(m);
}

static const struct arf_source_ops mbox_ops = {
	mbox_next, mbox_checkpoint, mbox_ack, mbox_flush, mbox_free, false,
};

/* continue after RESUME when the file still starts with what we read */
static int
resume_at(struct mbox *m, const char *path, const struct arf_checkpoint *r)
{
	struct stat st;
	GChecksum *copy;
	bool same;
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
		m->offset = r->mbox_offset;
		return 0;
	}
restart:
	rw_log_warning("mbox \"%s\" changed since the last run; reading it "
	    "from the start", path);
	g_checksum_reset(m->prefix);
	return 0;
}

int
arf_mbox_open(struct arf_source **out, const char *path,
    const struct arf_source_opts *opts, const struct arf_checkpoint *resume)
{
	struct mbox *m = g_new0(struct mbox, 1);
	int rc;

	(void)opts;
	arf_mime_init();
	m->base.ops = &mbox_ops;
	m->base.kind = "mbox";
	m->path = g_strdup(path);
	m->prefix = g_checksum_new(G_CHECKSUM_SHA256);
	m->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0) {
		rc = rw_error_set(RW_EIO, "could not open mbox \"%s\": %s", path,
		    g_strerror(errno));
		goto fail;
	}
	rc = resume_at(m, path, resume);
	if (rc != 0)
		goto fail;
	/* the stream must not own the descriptor: we pread from it too */
	m->stream = g_mime_stream_fs_new_with_bounds(dup(m->fd), m->offset, -1);
	m->parser = g_mime_parser_new_with_stream(m->stream);
	g_mime_parser_set_format(m->parser, GMIME_FORMAT_MBOX);
	*out = &m->base;
	return 0;
fail:
	mbox_free(&m->base);
	return rc;
}

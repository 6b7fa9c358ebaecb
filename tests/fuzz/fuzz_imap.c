/*
 * fuzz_imap - the IMAP response handling of arf_imap.c on arbitrary server
 * bytes: the STATUS number (UIDVALIDITY), the UID SEARCH list and the
 * reply reader (tagged status, SELECT, SEARCH, FETCH with literals). The
 * first byte sets the checkpoint the list is read above and the chunk size
 * the reader gets its bytes in. UIDs must come back ascending and above
 * the checkpoint; the reader must keep its limits and give the same reply
 * whether the bytes come one chunk at a time or all at once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "common/rw_error.h"
#include "arf/arf_imap_reply.h"
#include "arf/arf_source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct feed {
	const uint8_t *data;
	size_t size, pos, chunk;
};

static int
feed_fill(void *ctx, char *buf, size_t cap, size_t *out_n)
{
	struct feed *f = ctx;
	size_t n = MIN(MIN(cap, f->chunk), f->size - f->pos);

	memcpy(buf, f->data + f->pos, n);
	f->pos += n;
	*out_n = n;
	return 0;
}

static const struct arf_imap_limits lim = {
	.line_max = 4096, .body_max = 64, .total_max = 256,
};

/* read DATA in CHUNK-byte pieces; check the limits */
static int
read_in(struct arf_imap_reply *out, const uint8_t *data, size_t size,
    size_t chunk)
{
	struct feed f = {data, size, 0, chunk};
	struct arf_imap_reader *r = arf_imap_reader_new(feed_fill, &f);
	size_t total = 0;
	int rc;

	arf_imap_reply_init(out);
	rc = arf_imap_read_reply(out, r, "rw1", &lim);
	for (guint i = 0; i < out->msgs->len; i++) {
		const struct arf_imap_msg *m = out->msgs->pdata[i];
		size_t n = m->body != NULL ? m->body->len : 0;

		if (m->uid == 0 || n > lim.body_max)
			abort();
		total += n;
	}
	if (total != out->body_bytes || total > lim.total_max || f.pos > size)
		abort();
	arf_imap_reader_free(r);
	rw_error_clear();
	return rc;
}

static bool
same_msg(const struct arf_imap_msg *a, const struct arf_imap_msg *b)
{
	if (a->uid != b->uid || a->size != b->size ||
	    (a->body == NULL) != (b->body == NULL))
		return false;
	return a->body == NULL || (a->body->len == b->body->len &&
	    (a->body->len == 0 ||
	    memcmp(a->body->data, b->body->data, a->body->len) == 0));
}

static bool
same_reply(int rc1, const struct arf_imap_reply *a, int rc2,
    const struct arf_imap_reply *b)
{
	if (rc1 != rc2 || a->status != b->status ||
	    a->uidvalidity != b->uidvalidity || a->uids->len != b->uids->len ||
	    a->msgs->len != b->msgs->len)
		return false;
	if (a->uids->len > 0 && memcmp(a->uids->data, b->uids->data,
	    a->uids->len * sizeof(guint64)) != 0)
		return false;
	for (guint i = 0; i < a->msgs->len; i++)
		if (!same_msg(a->msgs->pdata[i], b->msgs->pdata[i]))
			return false;
	return true;
}

static void
check_reader(const uint8_t *data, size_t size, size_t chunk)
{
	struct arf_imap_reply a, b;
	int rc1 = read_in(&a, data, size, chunk);
	int rc2 = read_in(&b, data, size, 1 << 20);

	if (a.status != 0 && a.status != 'O' && a.status != 'N' &&
	    a.status != 'B')
		abort();
	if (!same_reply(rc1, &a, rc2, &b))
		abort();
	arf_imap_reply_clear(&a);
	arf_imap_reply_clear(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GArray *uids = g_array_new(FALSE, FALSE, sizeof(guint64));
	gint64 above;

	if (size < 1) {
		g_array_unref(uids);
		return 0;
	}
	above = data[0];
	(void)arf_imap_response_number((const char *)data + 1, size - 1,
	    "UIDVALIDITY ");
	(void)arf_imap_response_number((const char *)data + 1, size - 1,
	    "MESSAGES ");
	arf_imap_parse_search(uids, (const char *)data + 1, size - 1, above);
	for (guint i = 0; i < uids->len; i++) {
		guint64 u = g_array_index(uids, guint64, i);

		if ((gint64)u <= above)
			abort();
		if (i > 0 && g_array_index(uids, guint64, i - 1) > u)
			abort();
	}
	g_array_unref(uids);
	check_reader(data + 1, size - 1, 1 + data[0] % 7);
	return 0;
}

/*
 * arf_imap - an IMAP folder, fetched in batches on one connection.
 *
 * libcurl connects, negotiates TLS and logs in (CURLOPT_CONNECT_ONLY, so
 * every SASL mechanism libcurl has, XOAUTH2 included, still works);
 * repwatch then sends its few commands itself (curl_easy_send/recv): the
 * FETCH of libcurl reads one message per request and its custom requests
 * drop the literals of a FETCH response.
 *
 * The folder is SELECTed (UIDVALIDITY read) and every UID still in it is
 * listed with UID SEARCH: messages are moved out after commit, so what is
 * left at or below the stored UID is what a crash between commit and move
 * left behind (read again, found to be duplicates, moved now). Sizes come
 * first (UID FETCH set (UID RFC822.SIZE), fetch_batch UIDs at a time),
 * then bodies, fetch_batch messages per UID FETCH but never more than
 * fetch_max_bytes, each capped by a partial fetch at max_bytes + 1 (a
 * larger message is read only that far and quarantined). After commit the
 * batch is moved with UID MOVE, or UID COPY + \Deleted + UID EXPUNGE. A
 * lost or silent connection (timeout seconds) is opened again, the folder
 * selected again (its UIDVALIDITY must not have changed) and the command
 * repeated; what still fails is a temporary failure. Each command also has
 * a deadline (timeout seconds, plus one per 64 KiB of bodies it fetches):
 * a server that trickles keepalives never finishes, and is given up.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "common/rw_config.h"
#include "common/rw_error.h"
#include "common/rw_http.h"
#include "common/rw_log.h"
#include "arf/arf_imap_int.h"
#include "arf/arf_imap_reply.h"
#include "arf/arf_source_int.h"

/* one response line: a SEARCH of a large folder is the longest */
#define LINE_MAX_BYTES (64u * 1024 * 1024)
/* UIDs per MOVE / COPY / STORE / EXPUNGE command */
#define MOVE_CHUNK 500
/* size of a UID that was expunged before its fetch */
#define GONE (-2)

/* ---- the folder ---------------------------------------------------------- */

/* IMAP quoted string for FOLDER */
static char *
quoted(const char *folder)
{
	GString *s = g_string_new("\"");

	for (const char *p = folder; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_c(s, '\\');
		g_string_append_c(s, *p);
	}
	g_string_append_c(s, '"');
	return g_string_free(s, FALSE);
}

/* "4:7,9" for N ascending UIDs */
static char *
uid_set(const guint64 *u, guint n)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < n;) {
		guint j = i;

		while (j + 1 < n && u[j + 1] == u[j] + 1)
			j++;
		g_string_append_printf(s, "%s%llu", s->len > 0 ? "," : "",
		    (unsigned long long)u[i]);
		if (j > i)
			g_string_append_printf(s, ":%llu",
			    (unsigned long long)u[j]);
		i = j + 1;
	}
	return g_string_free(s, FALSE);
}

static int
list_uids(struct imap *m)
{
	struct arf_imap_reply r;
	int rc;

	arf_imap_reply_init(&r);
	rc = arf_imap_exec_ok(m, "UID SEARCH ALL", &r, 0);

	/* every UID: those at or below last_uid are crash leftovers */
	if (rc == 0) {
		g_array_append_vals(m->uids, r.uids->data, r.uids->len);
		g_array_set_size(m->sizes, m->uids->len);
	}
	arf_imap_reply_clear(&r);
	return rc;
}

/* index of UID among the UIDs still to read, -1 when absent */
static gint64
uid_index(const struct imap *m, guint64 uid)
{
	guint lo = m->next, hi = m->uids->len;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		guint64 u = g_array_index(m->uids, guint64, mid);

		if (u == uid)
			return mid;
		if (u < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* RFC822.SIZE of the next fetch_batch UIDs; those not answered are gone */
static int
fetch_sizes(struct imap *m)
{
	guint end = MIN(m->uids->len, m->next + (guint)m->base.opts.fetch_batch);
	char *set = uid_set(&g_array_index(m->uids, guint64, m->next),
	    end - m->next);
	char *cmd = g_strdup_printf("UID FETCH %s (UID RFC822.SIZE)", set);
	struct arf_imap_reply r;
	int rc;

	arf_imap_reply_init(&r);
	rc = arf_imap_exec_ok(m, cmd, &r, 0);
	for (guint i = m->next; rc == 0 && i < end; i++)
		g_array_index(m->sizes, gint64, i) = GONE;
	for (guint i = 0; rc == 0 && i < r.msgs->len; i++) {
		const struct arf_imap_msg *f = r.msgs->pdata[i];
		gint64 at = uid_index(m, f->uid);

		if (at >= 0 && at < end)
			g_array_index(m->sizes, gint64, at) = f->size;
	}
	if (rc == 0)
		m->sized = end;
	arf_imap_reply_clear(&r);
	g_free(cmd);
	g_free(set);
	return rc;
}

/* the UIDs of the next body fetch into PICK: at most fetch_batch, at most
 * fetch_max_bytes (but at least one); *OUT_SPAN UIDs are done with it */
static size_t
plan(struct imap *m, GArray *pick, guint *out_span)
{
	size_t cap = m->lim.body_max, total = 0;
	guint i;

	for (i = m->next; i < m->sized &&
	    pick->len < (guint)m->base.opts.fetch_batch; i++) {
		gint64 size = g_array_index(m->sizes, gint64, i);
		size_t cost = size < 0 ? cap : MIN((size_t)size, cap);

		if (size == GONE)
			continue;
		if (pick->len > 0 && total + cost > m->base.opts.fetch_bytes)
			break;
		total += cost;
		g_array_append_val(pick, g_array_index(m->uids, guint64, i));
	}
	*out_span = i - m->next;
	return total;
}

/* move the fetched messages of R that were asked for into the batch */
static void
take_bodies(struct imap *m, struct arf_imap_reply *r, const GArray *pick)
{
	g_ptr_array_set_size(m->batch, 0);
	m->batch_next = 0;
	for (guint i = 0; i < pick->len; i++) {
		guint64 uid = g_array_index(pick, guint64, i);
		guint j;

		for (j = 0; j < r->msgs->len; j++) {
			struct arf_imap_msg *f = r->msgs->pdata[j];

			if (f != NULL && f->uid == uid && f->body != NULL)
				break;
		}
		if (j == r->msgs->len) {
			rw_log_debug("%s: UID %llu is gone", m->where,
			    (unsigned long long)uid);
			continue;
		}
		g_ptr_array_add(m->batch, r->msgs->pdata[j]);
		r->msgs->pdata[j] = NULL;
	}
}

/* fetch the next batch of bodies, capped at max_bytes + 1 each */
static int
fetch_bodies(struct imap *m)
{
	GArray *pick = g_array_new(FALSE, FALSE, sizeof(guint64));
	guint span = 0;
	size_t total = plan(m, pick, &span);
	struct arf_imap_reply r;
	char *set = uid_set((const guint64 *)(void *)pick->data, pick->len);
	char *cmd = g_strdup_printf("UID FETCH %s (UID RFC822.SIZE "
	    "BODY.PEEK[]<0.%zu>)", set, m->lim.body_max);
	int rc = 0;

	arf_imap_reply_init(&r);
	/* a server whose sizes are a little off: one message of slack */
	if (pick->len > 0)
		rc = arf_imap_exec_ok(m, cmd, &r, total + m->lim.body_max);
	if (rc == 0) {
		take_bodies(m, &r, pick);
		m->next += span;
	}
	arf_imap_reply_clear(&r);
	g_free(cmd);
	g_free(set);
	g_array_unref(pick);
	return rc;
}

/* the message's bytes become OUT's (NUL-terminated) */
static void
to_msg(struct imap *m, struct arf_imap_msg *f, struct arf_msg *out)
{
	out->len = f->body->len;
	out->size = f->size >= 0 && (guint64)f->size >= f->body->len ?
	    (size_t)f->size : f->body->len;
	g_byte_array_append(f->body, (const guint8 *)"", 1);
	out->data = (char *)g_byte_array_free(f->body, FALSE);
	f->body = NULL;
	out->uid = (gint64)f->uid;
	out->location = g_strdup_printf("%s UID %llu", m->folder,
	    (unsigned long long)f->uid);
	m->last_uid = MAX(m->last_uid, (gint64)f->uid);
	arf_imap_msg_free(f);
}

static int
imap_next(struct arf_source *s, struct arf_msg *out)
{
	struct imap *m = (struct imap *)s;

	while (m->batch_next >= m->batch->len) {
		int rc = 0;

		if (m->next >= m->uids->len)
			return 0;
		if (m->sized <= m->next)
			rc = fetch_sizes(m);
		if (rc == 0)
			rc = fetch_bodies(m);
		if (rc != 0)
			return rc;
	}
	to_msg(m, m->batch->pdata[m->batch_next], out);
	m->batch->pdata[m->batch_next++] = NULL;
	return 1;
}

static bool
imap_checkpoint(struct arf_source *s, struct arf_checkpoint *out)
{
	struct imap *m = (struct imap *)s;

	out->folder = g_strdup("");
	out->uidvalidity = m->uidvalidity;
	out->last_uid = m->last_uid;
	out->mbox_offset = -1;
	out->mbox_prefix_sha256 = NULL;
	return true;
}

static int
imap_ack(struct arf_source *s, const struct arf_msg *msg, enum arf_ack how)
{
	struct imap *m = (struct imap *)s;
	guint64 uid = (guint64)msg->uid;

	g_array_append_val(m->done[how], uid);
	return 0;
}

/* IMAP folders have no Maildir++ dot: ".Processed" -> "Processed" */
static const char *
target_folder(const char *name)
{
	while (*name == '.')
		name++;
	return name;
}

/* one command around a UID set: PRE set POST */
struct step {
	const char *pre, *post;
};

static int
run_each(struct imap *m, const struct step *steps, const char *set)
{
	int rc = 0;

	for (int i = 0; rc == 0 && steps[i].pre != NULL; i++) {
		struct arf_imap_reply r;
		char *cmd = g_strconcat(steps[i].pre, set, steps[i].post, NULL);

		arf_imap_reply_init(&r);
		rc = arf_imap_exec_ok(m, cmd, &r, 0);
		arf_imap_reply_clear(&r);
		g_free(cmd);
	}
	return rc;
}

/* UID MOVE, or where the server refuses it COPY, \Deleted, EXPUNGE */
static int
move_set(struct imap *m, const char *set, const char *q)
{
	char *to = g_strconcat(" ", q, NULL);
	const struct step move[] = {{"UID MOVE ", to}, {NULL, NULL}};
	const struct step fallback[] = {{"UID COPY ", to},
	    {"UID STORE ", " +FLAGS.SILENT (\\Deleted)"},
	    {"UID EXPUNGE ", ""}, {NULL, NULL}};
	struct arf_imap_reply r;
	char *cmd = g_strconcat(move[0].pre, set, move[0].post, NULL);
	int rc;

	arf_imap_reply_init(&r);
	rc = arf_imap_exec(m, cmd, &r, 0);
	if (rc == 0 && r.status != 'O')
		rc = run_each(m, fallback, set);
	arf_imap_reply_clear(&r);
	g_free(cmd);
	g_free(to);
	return rc;
}

/* CREATE fails when the folder exists: that is fine */
static int
create_once(struct imap *m, enum arf_ack how, const char *q)
{
	struct arf_imap_reply r;
	char *cmd;
	int rc;

	if (m->created[how])
		return 0;
	cmd = g_strdup_printf("CREATE %s", q);
	arf_imap_reply_init(&r);
	rc = arf_imap_exec(m, cmd, &r, 0);
	m->created[how] = rc == 0;
	arf_imap_reply_clear(&r);
	g_free(cmd);
	return rc;
}

/* move (FOLDER set) or delete (FOLDER NULL) UIDS, MOVE_CHUNK at a time */
static int
settle(struct imap *m, const GArray *uids, const char *folder,
    enum arf_ack how)
{
	const struct step del[] = {
	    {"UID STORE ", " +FLAGS.SILENT (\\Deleted)"},
	    {"UID EXPUNGE ", ""}, {NULL, NULL}};
	char *q = folder != NULL ? quoted(target_folder(folder)) : NULL;
	int rc = q != NULL ? create_once(m, how, q) : 0;

	for (guint i = 0; rc == 0 && i < uids->len; i += MOVE_CHUNK) {
		char *set = uid_set(&g_array_index(uids, guint64, i),
		    MIN(MOVE_CHUNK, uids->len - i));

		rc = q != NULL ? move_set(m, set, q) : run_each(m, del, set);
		g_free(set);
	}
	g_free(q);
	return rc;
}

static int
imap_flush(struct arf_source *s)
{
	struct imap *m = (struct imap *)s;
	GArray *p = m->done[ARF_ACK_PROCESSED], *q = m->done[ARF_ACK_QUARANTINE];
	int rc = 0;

	g_array_sort(p, arf_imap_uid_cmp);
	g_array_sort(q, arf_imap_uid_cmp);
	if (p->len > 0)
		rc = settle(m, p, s->opts.delete_processed ? NULL :
		    s->opts.processed, ARF_ACK_PROCESSED);
	if (rc == 0 && q->len > 0)
		rc = settle(m, q, s->opts.quarantine, ARF_ACK_QUARANTINE);
	g_array_set_size(p, 0);
	g_array_set_size(q, 0);
	return rc;
}

/* LOGOUT: the server need not log a dropped connection */
static void
logout(struct imap *m)
{
	struct arf_imap_reply r;

	arf_imap_reply_init(&r);
	if (m->http != NULL && arf_imap_exec_once(m, "LOGOUT", &r, 0) != 0)
		rw_error_clear();
	arf_imap_reply_clear(&r);
}

static void
imap_free(struct arf_source *s)
{
	struct imap *m = (struct imap *)s;

	logout(m);
	arf_imap_conn_close(m);
	arf_imap_reader_free(m->rd);
	g_free(m->base_url);
	g_free(m->folder);
	g_free(m->folder_q);
	g_free(m->where);
	g_array_unref(m->uids);
	g_array_unref(m->sizes);
	g_ptr_array_unref(m->batch);
	g_array_unref(m->done[0]);
	g_array_unref(m->done[1]);
	g_free(m);
}

static const struct arf_source_ops imap_ops = {
	imap_next, imap_checkpoint, imap_ack, imap_flush, imap_free, false,
};

/* split imap://host/FOLDER into the server URL and the folder name */
static int
split_url(struct imap *m, const char *url)
{
	const char *scheme_end = strstr(url, "://");
	const char *slash = scheme_end != NULL ? strchr(scheme_end + 3, '/') :
	    NULL;
	const char *path = slash != NULL && slash[1] != '\0' ? slash + 1 :
	    "INBOX";
	char *folder = g_uri_unescape_string(path, NULL);
	char *masked = rw_mask_url(url);

	if (scheme_end == NULL || folder == NULL) {
		g_free(folder);
		rw_error_set(RW_EUSAGE, "not an IMAP URL: %s", masked);
		g_free(masked);
		return RW_EUSAGE;
	}
	m->base_url = slash != NULL ? g_strndup(url, (gsize)(slash - url + 1)) :
	    g_strconcat(url, "/", NULL);
	m->folder = folder;
	m->folder_q = quoted(folder);
	m->where = g_strdup_printf("imap folder \"%s\" on %s", folder, masked);
	g_free(masked);
	return 0;
}

static void
resume_from(struct imap *m, const struct arf_checkpoint *r)
{
	if (r == NULL || r->last_uid < 0)
		return;
	if (r->uidvalidity == m->uidvalidity) {
		m->last_uid = r->last_uid;
		return;
	}
	rw_log_warning("imap folder \"%s\": UIDVALIDITY changed from %lld to "
	    "%lld; reading every message again (stored ones are skipped)",
	    m->folder, (long long)r->uidvalidity, (long long)m->uidvalidity);
}

static struct imap *
imap_new(const struct arf_source_opts *opts)
{
	struct imap *m = g_new0(struct imap, 1);

	m->base.ops = &imap_ops;
	m->base.kind = "imap";
	m->base.opts = *opts;
	m->base.opts.fetch_batch = CLAMP(opts->fetch_batch, 1, 1000);
	m->uidvalidity = -1;
	m->rd = arf_imap_reader_new(arf_imap_conn_fill, m);
	m->uids = g_array_new(FALSE, FALSE, sizeof(guint64));
	m->sizes = g_array_new(FALSE, TRUE, sizeof(gint64));
	m->batch = g_ptr_array_new_with_free_func(arf_imap_msg_free);
	m->done[0] = g_array_new(FALSE, FALSE, sizeof(guint64));
	m->done[1] = g_array_new(FALSE, FALSE, sizeof(guint64));
	m->lim.line_max = LINE_MAX_BYTES;
	m->lim.body_max = opts->max_bytes + 1;
	return m;
}

int
arf_imap_open(struct arf_source **out, const char *url,
    const struct arf_source_opts *opts, const struct arf_checkpoint *resume)
{
	struct imap *m = imap_new(opts);
	int rc = split_url(m, url);
	if (rc == 0)
		rc = arf_imap_conn_open(m);
	if (rc != 0)
		rw_error_prefix("%s", m->where != NULL ? m->where : "imap");
	if (rc == 0) {
		resume_from(m, resume);
		rc = list_uids(m);
	}
	if (rc != 0) {
		imap_free(&m->base);
		return rc;
	}
	*out = &m->base;
	return 0;
}

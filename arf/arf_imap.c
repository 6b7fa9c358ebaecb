/*
 * arf_imap - an IMAP folder through libcurl, one connection per run.
 *
 * Every UID still in the folder is listed with UID SEARCH: messages are
 * moved out after commit, so what is left at or below the stored UID is
 * what a crash between commit and move left behind (read again, found to
 * be duplicates, moved now). The checkpoint keeps UIDVALIDITY and the last
 * UID; a UIDVALIDITY change is reported. Each
 * message is fetched alone (capped, never more than one in memory), and
 * after commit the batch is moved with UID MOVE, or UID COPY + \Deleted +
 * UID EXPUNGE where the server lacks MOVE. Transient network errors are
 * retried on a new connection; what still fails is a temporary failure.
 */
#include <string.h>

#include <curl/curl.h>

#include "common/rw_config.h"
#include "common/rw_error.h"
#include "common/rw_log.h"
#include "arf/arf_source.h"

/* untagged responses we read (STATUS, SEARCH) are small; cap them anyway */
#define RESPONSE_MAX (64u * 1024 * 1024)
#define RETRIES 3

struct imap {
	struct arf_source base;
	CURL *curl;
	char *base_url;   /* imap://host:port/ */
	char *folder;     /* decoded folder name */
	char *folder_url; /* imap://host:port/FOLDER */
	gint64 uidvalidity;
	gint64 last_uid;  /* highest UID returned */
	GArray *uids;     /* guint64, ascending, still to read */
	guint next;
	GArray *done[2];  /* UIDs acknowledged per enum arf_ack */
	GByteArray *buf;
	size_t cap;       /* write callback cap for the current transfer */
	size_t seen;      /* bytes the server sent for it */
};

static size_t
write_cb(char *ptr, size_t size, size_t n, void *user)
{
	struct imap *m = user;
	size_t len = size * n;

	m->seen += len;
	if (m->buf->len < m->cap)
		g_byte_array_append(m->buf, (const guint8 *)ptr,
		    (guint)MIN(len, m->cap - m->buf->len));
	return len;
}

static bool
transient(CURLcode c)
{
	return c == CURLE_COULDNT_CONNECT || c == CURLE_OPERATION_TIMEDOUT ||
	    c == CURLE_RECV_ERROR || c == CURLE_SEND_ERROR ||
	    c == CURLE_GOT_NOTHING || c == CURLE_COULDNT_RESOLVE_HOST ||
	    c == CURLE_PARTIAL_FILE;
}

static void
setup_handle(struct imap *m)
{
	const struct arf_source_opts *o = &m->base.opts;

	curl_easy_setopt(m->curl, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(m->curl, CURLOPT_WRITEDATA, m);
	curl_easy_setopt(m->curl, CURLOPT_CONNECTTIMEOUT, o->timeout);
	/* a slow large message is fine; a stalled one is not */
	curl_easy_setopt(m->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(m->curl, CURLOPT_LOW_SPEED_TIME, o->timeout);
	curl_easy_setopt(m->curl, CURLOPT_NOSIGNAL, 1L);
	if (o->user != NULL)
		curl_easy_setopt(m->curl, CURLOPT_USERNAME, o->user);
	if (o->password != NULL)
		curl_easy_setopt(m->curl, CURLOPT_PASSWORD, o->password);
	if (o->bearer != NULL) {
		curl_easy_setopt(m->curl, CURLOPT_XOAUTH2_BEARER, o->bearer);
		curl_easy_setopt(m->curl, CURLOPT_LOGIN_OPTIONS,
		    "AUTH=XOAUTH2");
	}
	if (o->ca_file != NULL)
		curl_easy_setopt(m->curl, CURLOPT_CAINFO, o->ca_file);
}

/* one command: URL plus optional custom request; response in m->buf */
static int
run(struct imap *m, const char *url, const char *custom, size_t cap)
{
	CURLcode c = CURLE_OK;
	char *masked;

	for (int attempt = 0; attempt <= RETRIES; attempt++) {
		g_byte_array_set_size(m->buf, 0);
		m->cap = cap;
		m->seen = 0;
		curl_easy_setopt(m->curl, CURLOPT_URL, url);
		curl_easy_setopt(m->curl, CURLOPT_CUSTOMREQUEST, custom);
		c = curl_easy_perform(m->curl);
		if (c == CURLE_OK)
			return 0;
		if (!transient(c))
			break;
		rw_log_debug("imap: %s; retrying", curl_easy_strerror(c));
		g_usleep((gulong)(250000 << attempt));
	}
	masked = rw_mask_url(url);
	rw_error_set(transient(c) || c == CURLE_LOGIN_DENIED ? RW_ETEMP :
	    RW_EUNAVAIL, "imap %s failed on %s: %s", custom != NULL ? custom :
	    "FETCH", masked, curl_easy_strerror(c));
	g_free(masked);
	return rw_error_code();
}

/* "...(UIDVALIDITY 123 ...": the number after KEY in the response */
gint64
arf_imap_response_number(const char *resp, size_t len, const char *key)
{
	char *text = g_strndup(resp, len);
	char *p = strstr(text, key);
	gint64 v = p != NULL ? g_ascii_strtoll(p + strlen(key), NULL, 10) : -1;

	g_free(text);
	return v;
}

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

static int
read_uidvalidity(struct imap *m)
{
	char *q = quoted(m->folder);
	char *cmd = g_strdup_printf("STATUS %s (UIDVALIDITY)", q);
	int rc = run(m, m->base_url, cmd, RESPONSE_MAX);

	if (rc == 0)
		m->uidvalidity = arf_imap_response_number(
		    (const char *)m->buf->data, m->buf->len, "UIDVALIDITY ");
	if (rc == 0 && m->uidvalidity < 0)
		rc = rw_error_set(RW_EUNAVAIL, "imap folder \"%s\": no "
		    "UIDVALIDITY in the STATUS response", m->folder);
	g_free(cmd);
	g_free(q);
	return rc;
}

static gint
cmp_u64(gconstpointer a, gconstpointer b)
{
	guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;

	return x < y ? -1 : x > y;
}

/* "* SEARCH 4 5 9": UIDs above ABOVE ("N:*" always holds the top UID) */
void
arf_imap_parse_search(GArray *uids, const char *resp, size_t len,
    gint64 above)
{
	char *text = g_strndup(resp, len);
	char *p = strstr(text, "SEARCH");

	while (p != NULL && *p != '\0' && *p != '\r' && *p != '\n') {
		char *end;
		guint64 uid = g_ascii_strtoull(p, &end, 10);

		if (end == p) {
			p++;
			continue;
		}
		if ((gint64)uid > above)
			g_array_append_val(uids, uid);
		p = end;
	}
	g_array_sort(uids, cmp_u64);
	g_free(text);
}

static int
list_uids(struct imap *m)
{
	char *cmd = g_strdup("UID SEARCH ALL");
	int rc = run(m, m->folder_url, cmd, RESPONSE_MAX);

	/* every UID: those at or below last_uid are crash leftovers */
	if (rc == 0)
		arf_imap_parse_search(m->uids, (const char *)m->buf->data,
		    m->buf->len, 0);
	g_free(cmd);
	return rc;
}

static int
imap_next(struct arf_source *s, struct arf_msg *out)
{
	struct imap *m = (struct imap *)s;
	guint64 uid;
	char *url;
	int rc;

	if (m->next >= m->uids->len)
		return 0;
	uid = g_array_index(m->uids, guint64, m->next++);
	/* UIDVALIDITY in the URL: a renumbered folder fails the fetch */
	url = g_strdup_printf("%s;UIDVALIDITY=%lld/;UID=%llu", m->folder_url,
	    (long long)m->uidvalidity, (unsigned long long)uid);
	rc = run(m, url, NULL, s->opts.max_bytes + 1);
	g_free(url);
	if (rc != 0)
		return rc;
	out->len = m->buf->len;
	out->size = m->seen;
	out->data = g_malloc(m->buf->len + 1);
	memcpy(out->data, m->buf->data, m->buf->len);
	out->data[m->buf->len] = '\0';
	out->uid = (gint64)uid;
	out->location = g_strdup_printf("%s UID %llu", m->folder,
	    (unsigned long long)uid);
	m->last_uid = MAX(m->last_uid, (gint64)uid);
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

static char *
uid_set(const GArray *uids)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < uids->len; i++)
		g_string_append_printf(s, "%s%llu", i ? "," : "",
		    (unsigned long long)g_array_index(uids, guint64, i));
	return g_string_free(s, FALSE);
}

/* IMAP folders have no Maildir++ dot: ".Processed" -> "Processed" */
static const char *
target_folder(const char *name)
{
	while (*name == '.')
		name++;
	return name;
}

static int
move_uids(struct imap *m, const GArray *uids, const char *folder)
{
	char *set = uid_set(uids);
	char *q = quoted(target_folder(folder));
	char *cmd = g_strdup_printf("CREATE %s", q);
	int rc;

	/* CREATE fails when the folder exists: that is fine */
	if (run(m, m->folder_url, cmd, RESPONSE_MAX) != 0)
		rw_error_clear();
	g_free(cmd);
	cmd = g_strdup_printf("UID MOVE %s %s", set, q);
	rc = run(m, m->folder_url, cmd, RESPONSE_MAX);
	if (rc != 0) {
		/* no MOVE extension: COPY, flag, expunge those UIDs only */
		rw_error_clear();
		g_free(cmd);
		cmd = g_strdup_printf("UID COPY %s %s", set, q);
		rc = run(m, m->folder_url, cmd, RESPONSE_MAX);
		g_free(cmd);
		cmd = g_strdup_printf("UID STORE %s +FLAGS.SILENT (\\Deleted)",
		    set);
		if (rc == 0)
			rc = run(m, m->folder_url, cmd, RESPONSE_MAX);
		g_free(cmd);
		cmd = g_strdup_printf("UID EXPUNGE %s", set);
		if (rc == 0)
			rc = run(m, m->folder_url, cmd, RESPONSE_MAX);
	}
	g_free(cmd);
	g_free(q);
	g_free(set);
	return rc;
}

static int
delete_uids(struct imap *m, const GArray *uids)
{
	char *set = uid_set(uids);
	char *cmd = g_strdup_printf("UID STORE %s +FLAGS.SILENT (\\Deleted)",
	    set);
	int rc = run(m, m->folder_url, cmd, RESPONSE_MAX);

	g_free(cmd);
	cmd = g_strdup_printf("UID EXPUNGE %s", set);
	if (rc == 0)
		rc = run(m, m->folder_url, cmd, RESPONSE_MAX);
	g_free(cmd);
	g_free(set);
	return rc;
}

static int
imap_flush(struct arf_source *s)
{
	struct imap *m = (struct imap *)s;
	int rc = 0;

	if (m->done[ARF_ACK_PROCESSED]->len > 0)
		rc = s->opts.delete_processed ?
		    delete_uids(m, m->done[ARF_ACK_PROCESSED]) :
		    move_uids(m, m->done[ARF_ACK_PROCESSED], s->opts.processed);
	if (rc == 0 && m->done[ARF_ACK_QUARANTINE]->len > 0)
		rc = move_uids(m, m->done[ARF_ACK_QUARANTINE],
		    s->opts.quarantine);
	g_array_set_size(m->done[0], 0);
	g_array_set_size(m->done[1], 0);
	return rc;
}

static void
imap_free(struct arf_source *s)
{
	struct imap *m = (struct imap *)s;

	if (m->curl != NULL)
		curl_easy_cleanup(m->curl);
	g_free(m->base_url);
	g_free(m->folder);
	g_free(m->folder_url);
	if (m->uids != NULL)
		g_array_unref(m->uids);
	for (int i = 0; i < 2; i++)
		if (m->done[i] != NULL)
			g_array_unref(m->done[i]);
	if (m->buf != NULL)
		g_byte_array_unref(m->buf);
	g_free(m);
}

static const struct arf_source_ops imap_ops = {
	imap_next, imap_checkpoint, imap_ack, imap_flush, imap_free,
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

	if (scheme_end == NULL || folder == NULL) {
		g_free(folder);
		return rw_error_set(RW_EUSAGE, "not an IMAP URL: %s", url);
	}
	m->base_url = slash != NULL ? g_strndup(url, (gsize)(slash - url + 1)) :
	    g_strconcat(url, "/", NULL);
	m->folder = folder;
	m->folder_url = g_strconcat(m->base_url, path, NULL);
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

int
arf_imap_open(struct arf_source **out, const char *url,
    const struct arf_source_opts *opts, const struct arf_checkpoint *resume)
{
	static gsize init;
	struct imap *m = g_new0(struct imap, 1);
	int rc;

	if (g_once_init_enter(&init))
		g_once_init_leave(&init, curl_global_init(CURL_GLOBAL_DEFAULT) ==
		    CURLE_OK ? 1 : 2);
	m->base.ops = &imap_ops;
	m->base.kind = "imap";
	m->base.opts = *opts;
	m->last_uid = 0;
	m->uids = g_array_new(FALSE, FALSE, sizeof(guint64));
	m->done[0] = g_array_new(FALSE, FALSE, sizeof(guint64));
	m->done[1] = g_array_new(FALSE, FALSE, sizeof(guint64));
	m->buf = g_byte_array_new();
	m->curl = curl_easy_init();
	rc = m->curl != NULL ? split_url(m, url) :
	    rw_error_set(RW_EFAIL, "could not start libcurl");
	if (rc == 0) {
		setup_handle(m);
		rc = read_uidvalidity(m);
	}
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

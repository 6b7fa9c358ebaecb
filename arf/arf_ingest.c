/*
 * arf_ingest - one source -> parser -> batches ("repwatch arf ingest").
 *
 * Exactly-once: messages are acknowledged in their mailbox only after the
 * batch holding them committed, and every message is keyed by its content
 * hash (and report Message-ID), so a re-run after a crash at any point
 * stores nothing twice and loses nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "common/rw_config.h"
#include "common/rw_db.h"
#include "common/rw_error.h"
#include "common/rw_util.h"
#include "arf/arf_ingest.h"
#include "arf/arf_parse.h"
#include "arf/arf_pipe.h"
#include "arf/arf_store.h"

/* a batch is flushed early when it holds this many message bytes */
#define BATCH_BYTES (32u * 1024 * 1024)
/* the largest password or token file read */
#define SECRET_MAX 65536

static const char *
mailbox_get(const struct rw_config *cfg, const char *mailbox,
    const char *key)
{
	char *section;
	const char *v;

	if (mailbox == NULL)
		return NULL;
	section = g_strdup_printf("mailbox.%s", mailbox);
	v = rw_config_get(cfg, section, key);
	g_free(section);
	return v;
}

void
arf_source_opts_init(struct arf_source_opts *out,
    const struct rw_config *cfg, const char *mailbox)
{
	const char *p = mailbox_get(cfg, mailbox, "processed");
	const char *q = mailbox_get(cfg, mailbox, "quarantine");
	const char *t = mailbox_get(cfg, mailbox, "timeout");
	const char *fb = mailbox_get(cfg, mailbox, "fetch_batch");
	const char *fm = mailbox_get(cfg, mailbox, "fetch_max_bytes");

	memset(out, 0, sizeof(*out));
	out->max_bytes = (size_t)rw_config_int(cfg, "arf", "max_message_bytes");
	out->processed = p != NULL ? p : ".Processed";
	out->quarantine = q != NULL ? q : ".Quarantine";
	out->delete_processed = rw_config_bool(cfg, "arf", "delete_processed");
	out->mbox_lock_timeout = (long)rw_config_int(cfg, "arf",
	    "mbox_lock_timeout");
	out->timeout = t != NULL ? g_ascii_strtoll(t, NULL, 10) : 60;
	out->fetch_batch = fb != NULL ? (int)g_ascii_strtoll(fb, NULL, 10) : 100;
	out->fetch_bytes = fm != NULL ? (size_t)g_ascii_strtoll(fm, NULL, 10) :
	    16777216;
}

/* parse the next message of SRC; 1 with *out_msg and *out_rec, 0 at end */
static int
next_parsed(struct arf_source *src, const struct arf_limits *lim,
    struct arf_msg **out_msg, struct arf_record **out_rec)
{
	struct arf_msg *m = g_new0(struct arf_msg, 1);
	int rc = arf_source_next(src, m);

	if (rc <= 0) {
		arf_msg_clear(m);
		g_free(m);
		return rc;
	}
	arf_parse(out_rec, m->data, m->len, m->location, lim);
	arf_record_set_size(*out_rec, m->size);
	*out_msg = m;
	return 1;
}

int
arf_parse_sources(const struct rw_config *cfg, const char *const *specs,
    arf_each_fn fn, void *ctx)
{
	struct arf_limits lim;
	struct arf_source_opts opts;
	char **trace = NULL;
	int rc = 0;

	arf_limits_from_config(&lim, &trace, cfg);
	lim.keep = ARF_KEEP_NONE;
	arf_source_opts_init(&opts, cfg, NULL);
	opts.read_to_end = true;
	for (int i = 0; rc == 0 && specs[i] != NULL; i++) {
		struct arf_source *src = NULL;
		struct arf_msg *m;
		struct arf_record *r;

		rc = arf_source_open(&src, specs[i], &opts, NULL);
		while (rc == 0 && (rc = next_parsed(src, &lim, &m, &r)) == 1) {
			rc = fn(ctx, m, r);
			arf_record_free(r);
			arf_msg_clear(m);
			g_free(m);
		}
		arf_source_free(src);
	}
	g_strfreev(trace);
	arf_limits_clear(&lim);
	return rc;
}

static void
counts_add(struct arf_counts *sum, const struct arf_counts *c)
{
	sum->messages += c->messages;
	sum->complaints += c->complaints;
	sum->reports += c->reports;
	sum->duplicates += c->duplicates;
	sum->not_a_report += c->not_a_report;
	sum->quarantined += c->quarantined;
	sum->without_ip += c->without_ip;
}

static int
ack_batch(struct arf_source *src, struct arf_batch *b)
{
	int rc = 0;

	for (guint i = 0; rc == 0 && i < b->msgs->len; i++) {
		bool q = arf_record_format(b->recs->pdata[i]) ==
		    ARF_FORMAT_QUARANTINE;

		rc = arf_source_ack(src, b->msgs->pdata[i], q ?
		    ARF_ACK_QUARANTINE : ARF_ACK_PROCESSED);
	}
	if (rc == 0)
		rc = arf_source_flush(src);
	return rc;
}

/* store the batch, then (only then) acknowledge its messages */
static int
store_batch(struct arf_store *st, struct arf_source *src,
    struct arf_batch *b, struct arf_counts *sum)
{
	struct arf_counts c;
	int rc = arf_store_batch(st, (struct arf_msg *const *)b->msgs->pdata,
	    (struct arf_record *const *)b->recs->pdata, b->msgs->len,
	    b->has_cp ? &b->cp : NULL, &c);

	if (rc == 0) {
		counts_add(sum, &c);
		rc = ack_batch(src, b);
	}
	return rc;
}

/* the reader thread parses ahead while this thread stores and acks */
static int
read_all(struct arf_store *st, struct arf_source *src,
    const struct arf_ingest_spec *spec, const struct arf_limits *lim,
    long long batch_size, struct arf_counts *sum)
{
	struct arf_pipe *pipe = NULL;
	int rc = arf_pipe_start(&pipe, src, lim, (guint)batch_size,
	    BATCH_BYTES);

	while (rc == 0) {
		struct arf_batch *b = arf_pipe_next(pipe);
		bool end = b->end;

		rc = end ? b->rc : store_batch(st, src, b, sum);
		arf_pipe_done(pipe, b);
		if (end)
			break;
		if (spec->progress != NULL)
			spec->progress(spec->progress_ctx, spec->name, sum,
			    false);
	}
	arf_pipe_stop(pipe);
	if (spec->progress != NULL)
		spec->progress(spec->progress_ctx, spec->name, sum, true);
	return rc;
}

/*
 * A mailbox key for the advisory lock: two runs never read one mailbox.
 * A path is keyed by what it names (realpath), not by its spelling: "md",
 * "./md/" and "/abs/md" used to run side by side.
 */
static int64_t
lock_key(const struct arf_ingest_spec *spec)
{
	char *real = NULL;
	const char *key = spec->name;
	int64_t k;

	if (!g_str_has_prefix(spec->source, "imap://") &&
	    !g_str_has_prefix(spec->source, "imaps://"))
		real = realpath(spec->source, NULL);
	if (real != NULL)
		key = real;
	k = (int64_t)(INT64_C(0x7277410000000000) |
	    (g_str_hash(key) & 0xffffffffu));
	free(real);
	return k;
}

/* the run's breakdown by feedback type and provider, when it has one */
static void
get_breakdown(struct arf_ingest_totals *t, struct arf_store *st)
{
	if (t->counts.reports > 0 &&
	    arf_store_run_breakdown(st, &t->types, &t->providers) == 0)
		t->has_breakdown = true;
	rw_error_clear();
}

static int
ingest_locked(struct arf_ingest_totals *out, struct rw_db *db,
    const struct arf_ingest_spec *spec, const struct arf_limits *lim,
    long long batch_size, long long quarantine_max)
{
	struct arf_checkpoint resume;
	struct arf_source *src = NULL;
	struct arf_store *st = NULL;
	bool found = false;
	int rc;

	memset(&resume, 0, sizeof(resume));
	rc = arf_store_progress(&resume, db, spec->name, "", &found);
	if (rc == 0)
		rc = arf_source_open(&src, spec->source, &spec->opts,
		    found ? &resume : NULL);
	if (rc == 0)
		rc = arf_store_new(&st, db, spec->name, lim, quarantine_max);
	if (rc == 0)
		rc = arf_store_run_begin(st);
	if (rc == 0)
		rc = read_all(st, src, spec, lim, batch_size, &out->counts);
	if (st != NULL && (rc == 0 || rc != RW_ETEMP))
		arf_store_run_end(st, rc == 0 ? "ok" : "failed");
	if (rc == 0)
		get_breakdown(out, st);
	else
		rw_error_prefix("mailbox \"%s\"", spec->name);
	arf_store_free(st);
	arf_source_free(src);
	arf_checkpoint_clear(&resume);
	return rc;
}

int
arf_ingest_run(struct arf_ingest_totals *out, struct rw_db *db,
    const struct rw_config *cfg, const struct arf_ingest_spec *spec)
{
	struct arf_limits lim;
	char **trace = NULL;
	int64_t key = lock_key(spec);
	/* MTA deliveries run in parallel: standard input needs no lock */
	bool lock = strcmp(spec->source, "-") != 0;
	bool taken = true;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (lock)
		rc = rw_db_trylock(&taken, db, key);
	if (rc != 0)
		return rc;
	if (!taken)
		return rw_error_set(RW_ETEMP, "mailbox \"%s\" is being read by "
		    "another ingest", spec->name);
	arf_limits_from_config(&lim, &trace, cfg);
	rc = ingest_locked(out, db, spec, &lim,
	    rw_config_int(cfg, "arf", "batch_size"),
	    rw_config_int(cfg, "arf", "quarantine_max_bytes"));
	if (lock && rc == 0) {
		rc = rw_db_unlock(db, key);
	} else if (lock && PQstatus(rw_db_conn(db)) == CONNECTION_OK) {
		/* keep the cause: an unlock failing after it must not hide it */
		struct rw_error_saved *cause = rw_error_save();

		rw_db_unlock(db, key);
		rw_error_restore(cause);
	}
	g_strfreev(trace);
	arf_limits_clear(&lim);
	return rc;
}

void
arf_ingest_totals_clear(struct arf_ingest_totals *t)
{
	g_free(t->types);
	g_free(t->providers);
	memset(t, 0, sizeof(*t));
}

void
arf_ingest_spec_clear(struct arf_ingest_spec *s)
{
	g_free(s->name);
	g_free(s->source);
	g_free(s->user);
	g_free(s->password);
	g_free(s->bearer);
	g_free(s->ca_file);
	memset(s, 0, sizeof(*s));
}

static int
read_secret(char **out, const char *path, const char *what)
{
	size_t len = 0;
	int rc = rw_check_private(path, what);

	if (rc == 0)
		rc = rw_read_file(out, &len, path, SECRET_MAX);
	if (rc == 0)
		g_strstrip(*out);
	return rc;
}

/* [mailbox.NAME] credentials: password, password_file, bearer token */
static int
spec_secrets(struct arf_ingest_spec *s, const struct rw_config *cfg,
    const char *name)
{
	const char *pw = mailbox_get(cfg, name, "password");
	const char *pwf = mailbox_get(cfg, name, "password_file");
	const char *tok = mailbox_get(cfg, name, "oauth2_token_file");
	int rc = 0;

	s->user = g_strdup(mailbox_get(cfg, name, "user"));
	s->ca_file = g_strdup(mailbox_get(cfg, name, "ca_file"));
	if (pw != NULL)
		s->password = g_strdup(pw);
	else if (pwf != NULL)
		rc = read_secret(&s->password, pwf, "password file");
	if (rc == 0 && tok != NULL)
		rc = read_secret(&s->bearer, tok, "OAuth2 token file");
	s->opts.user = s->user;
	s->opts.password = s->password;
	s->opts.bearer = s->bearer;
	s->opts.ca_file = s->ca_file;
	return rc;
}

int
arf_ingest_spec_init(struct arf_ingest_spec *out,
    const struct rw_config *cfg, const char *source)
{
	const char *url = mailbox_get(cfg, source, "url");
	char **names = rw_config_instances(cfg, "mailbox");
	bool named = names != NULL && g_strv_contains(
	    (const char *const *)names, source);
	int rc = 0;

	g_strfreev(names);
	memset(out, 0, sizeof(*out));
	if (named && url == NULL)
		return rw_error_set(RW_ECONFIG, "mailbox \"%s\" has no url",
		    source);
	out->source = g_strdup(named ? url : source);
	out->name = named ? g_strdup(source) :
	    (g_str_has_prefix(source, "imap") ? rw_mask_url(source) :
	    g_strdup(source));
	arf_source_opts_init(&out->opts, cfg, named ? source : NULL);
	if (named)
		rc = spec_secrets(out, cfg, source);
	return rc;
}

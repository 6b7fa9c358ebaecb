/*
 * arf_pipe - read-ahead thread for ingest.
 */
#include <string.h>

#include "common/rw_error.h"
#include "arf/arf_pipe.h"

/* batches being parsed or stored at one time */
#define IN_FLIGHT 2

struct arf_pipe {
	struct arf_source *src;
	const struct arf_limits *lim;
	guint batch_size;
	size_t batch_bytes;
	GAsyncQueue *out;    /* struct arf_batch * to the caller */
	GAsyncQueue *tokens; /* room for one more batch */
	GThread *thread;
	gint stop;
	bool ended;          /* the caller has seen the end marker */
};

static struct arf_batch *
batch_new(void)
{
	struct arf_batch *b = g_new0(struct arf_batch, 1);

	b->msgs = g_ptr_array_new();
	b->recs = g_ptr_array_new();
	arf_checkpoint_clear(&b->cp);
	return b;
}

static void
batch_free(struct arf_batch *b)
{
	for (guint i = 0; i < b->msgs->len; i++) {
		arf_msg_clear(b->msgs->pdata[i]);
		g_free(b->msgs->pdata[i]);
		arf_record_free(b->recs->pdata[i]);
	}
	g_ptr_array_unref(b->msgs);
	g_ptr_array_unref(b->recs);
	arf_checkpoint_clear(&b->cp);
	g_free(b->error);
	g_free(b);
}

/* read and parse into B until it is full (1), the source ends (0) */
static int
fill(struct arf_pipe *p, struct arf_batch *b)
{
	while (b->msgs->len < p->batch_size && b->bytes < p->batch_bytes) {
		struct arf_msg *m;
		struct arf_record *r = NULL;
		int rc;

		if (g_atomic_int_get(&p->stop))
			return 0;
		m = g_new0(struct arf_msg, 1);
		rc = arf_source_next(p->src, m);
		if (rc <= 0) {
			arf_msg_clear(m);
			g_free(m);
			return rc;
		}
		arf_parse(&r, m->data, m->len, m->location, p->lim);
		arf_record_set_size(r, m->size);
		g_ptr_array_add(b->msgs, m);
		g_ptr_array_add(b->recs, r);
		b->bytes += m->len;
	}
	return 1;
}

static void
push_end(struct arf_pipe *p, int rc)
{
	struct arf_batch *end = batch_new();

	end->end = true;
	end->rc = rc;
	if (rc < 0)
		end->error = g_strdup(rw_error_message());
	g_async_queue_push(p->out, end);
}

static gpointer
reader(gpointer data)
{
	struct arf_pipe *p = data;

	for (;;) {
		struct arf_batch *b;
		int rc;

		g_async_queue_pop(p->tokens);
		b = batch_new();
		rc = g_atomic_int_get(&p->stop) ? 0 : fill(p, b);
		if (b->msgs->len > 0) {
			/* the checkpoint after exactly these messages */
			b->has_cp = arf_source_checkpoint(p->src, &b->cp);
			g_async_queue_push(p->out, b);
		} else {
			batch_free(b);
		}
		if (rc != 1) {
			push_end(p, rc);
			return NULL;
		}
	}
}

int
arf_pipe_start(struct arf_pipe **out, struct arf_source *src,
    const struct arf_limits *lim, guint batch_size, size_t batch_bytes)
{
	struct arf_pipe *p = g_new0(struct arf_pipe, 1);
	GError *err = NULL;

	p->src = src;
	p->lim = lim;
	p->batch_size = batch_size > 0 ? batch_size : 1;
	p->batch_bytes = batch_bytes;
	p->out = g_async_queue_new();
	p->tokens = g_async_queue_new();
	for (int i = 0; i < IN_FLIGHT; i++)
		g_async_queue_push(p->tokens, GINT_TO_POINTER(1));
	p->thread = g_thread_try_new("arf-reader", reader, p, &err);
	if (p->thread == NULL) {
		rw_error_set(RW_EFAIL, "could not start the reader thread: %s",
		    err->message);
		g_error_free(err);
		g_async_queue_unref(p->out);
		g_async_queue_unref(p->tokens);
		g_free(p);
		return RW_EFAIL;
	}
	*out = p;
	return 0;
}

struct arf_batch *
arf_pipe_next(struct arf_pipe *p)
{
	struct arf_batch *b = g_async_queue_pop(p->out);

	if (b->end) {
		p->ended = true;
		if (b->rc < 0)
			rw_error_set(b->rc, "%s", b->error);
	}
	return b;
}

void
arf_pipe_done(struct arf_pipe *p, struct arf_batch *b)
{
	bool end = b->end;

	batch_free(b);
	if (!end)
		g_async_queue_push(p->tokens, GINT_TO_POINTER(1));
}

void
arf_pipe_stop(struct arf_pipe *p)
{
	if (p == NULL)
		return;
	g_atomic_int_set(&p->stop, 1);
	g_async_queue_push(p->tokens, GINT_TO_POINTER(1));
	while (!p->ended) {
		struct arf_batch *b = g_async_queue_pop(p->out);

		p->ended = b->end;
		batch_free(b);
		g_async_queue_push(p->tokens, GINT_TO_POINTER(1));
	}
	g_thread_join(p->thread);
	g_async_queue_unref(p->out);
	g_async_queue_unref(p->tokens);
	g_free(p);
}

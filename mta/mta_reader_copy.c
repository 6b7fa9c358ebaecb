/*
 * mta_reader_copy - copies among the files of one run. A file whose whole
 * content is the start of another file to be read is a copy: not read,
 * its checkpoint the end of its last complete line, so that it holds
 * nothing new while it stays as it is and its original is truncated or
 * gone. It is judged by the bytes before the other file's starting
 * offset (the tail) when that lies beyond the first line, else byte by
 * byte from the start. Two new files of which one is all the start of
 * the other (logrotate's compress window on a first run) are read once:
 * the longer. A file holding all another holds and more is placed past
 * the shared part. A file placed at its own checkpoint that grew since and
 * holds the bytes of a further, unused checkpoint of its first line (the
 * copy was being written) resumes there. Files compared must have the
 * same second line (or one none yet): files with rows sharing only a
 * header row (PowerMTA's accounting files) are never compared byte by
 * byte, and a file with rows is never a copy of a header-only one.
 */
#include "mta/mta_reader_int.h"

#include <string.h>

#include "common/rw_error.h"

/* what two streams compared from one offset share */
struct common {
	uint64_t end;   /* the offset after the last newline they share */
	uint64_t lines; /* newlines up to there */
	bool a_ended;   /* all of A from the offset is shared */
	bool b_ended;   /* likewise B */
};

/*
 * same_start - F and P have the same first line, and the same second
 * line unless one has none yet (then only that one can be a copy)
 */
static bool same_start(const struct mta_file *f, const struct mta_file *p)
{
	if (f->cp.head[0] == '\0' || strcmp(f->cp.head, p->cp.head) != 0)
		return false;
	return f->line2[0] == '\0' || p->line2[0] == '\0' ||
	    strcmp(f->line2, p->line2) == 0;
}

/*
 * common_lines - compare A and B from where both streams are (offset
 * FROM) until they differ or one ends, into *C
 */
static int common_lines(struct mta_file *a, struct mta_file *b,
    uint64_t from, struct common *c)
{
	unsigned char *x = g_malloc(MTA_READ_CHUNK);
	unsigned char *y = g_malloc(MTA_READ_CHUNK);
	size_t want = MTA_TAIL_BYTES; /* small first: most pairs differ soon */
	uint64_t off = from;
	int rc = 0;
	memset(c, 0, sizeof(*c));
	c->end = from;
	a->at = b->at = MTA_NOWHERE;
	for (;;) {
		size_t na, nb = 0, got = 1;
		rc = mta_stream_read(&a->st, x, want, &na);
		while (rc == 0 && nb < na && got > 0) {
			rc = mta_stream_read(&b->st, y + nb, na - nb, &got);
			nb += got;
		}
		if (rc < 0)
			break;
		if (na == 0) {
			bool more;
			c->a_ended = true;
			rc = mta_stream_peek(&b->st, &more);
			c->b_ended = rc == 0 && !more;
			break;
		}
		size_t m = 0;
		while (m < nb && x[m] == y[m])
			m++;
		const unsigned char *p = x, *e = x + m;
		while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
			c->lines++;
			c->end = off + (uint64_t)(p - x) + 1;
			p++;
		}
		off += m;
		if (m < na) {
			c->b_ended = m == nb;
			break;
		}
		want = MTA_READ_CHUNK;
	}
	g_free(x);
	g_free(y);
	return rc;
}

/* from_start - compare A and B from their first bytes */
static int from_start(struct mta_file *a, struct mta_file *b,
    struct common *c)
{
	int rc = mta_stream_rewind(&a->st);
	if (rc == 0)
		rc = mta_stream_rewind(&b->st);
	if (rc == 0)
		rc = common_lines(a, b, 0, c);
	return rc;
}

/* place - F's checkpoint at END after LINENO lines, its tail loaded */
static int place(struct mta_file *f, uint64_t end, uint64_t lineno)
{
	bool reached;
	int rc = mta_file_position(f, end, &reached);
	if (rc == 0 && !reached)
		rc = rw_error_set(RW_EIO, "%s: cannot seek to %llu", f->path,
		    (unsigned long long)end);
	if (rc < 0)
		return rc;
	f->cp.offset = end;
	f->cp.lineno = lineno;
	mta_tail_hex(f->start_tail, &f->tail);
	return 0;
}

/* make_copy - F a copy of files[J] up to END (LINENO lines): not read */
static int make_copy(struct mta_reader *r, struct mta_file *f, size_t j,
    uint64_t end, uint64_t lineno)
{
	int rc = place(f, end, lineno);
	if (rc < 0)
		return rc;
	f->dup_of = (ptrdiff_t)j;
	r->stats.copies++;
	return 0;
}

/* grown - F has bytes past its checkpoint: *more */
static int grown(struct mta_file *f, bool *more)
{
	bool reached = true;
	int rc = 0;
	*more = false;
	if (f->at != f->cp.offset)
		rc = mta_file_position(f, f->cp.offset, &reached);
	if (rc == 0 && reached)
		rc = mta_stream_peek(&f->st, more);
	return rc;
}

int mta_reader_advance(struct mta_reader *r)
{
	const struct mta_checkpoint *prev = r->run->prev;
	for (size_t i = 0; i < r->n_files; i++) {
		struct mta_file *f = &r->files[i];
		bool more;
		if (!f->matched)
			continue;
		int rc = grown(f, &more);
		if (rc < 0)
			return rc;
		ptrdiff_t best = -1;
		for (size_t j = 0; more && j < r->run->n_prev; j++) {
			const struct mta_checkpoint *cp = &prev[j];
			bool yes;
			if (r->run->used[j] || cp->offset <= f->cp.offset ||
			    cp->offset <= f->head_len ||
			    strcmp(cp->head, f->cp.head) != 0 ||
			    (best >= 0 && prev[best].offset >= cp->offset))
				continue;
			rc = mta_file_tail_matches(f, cp->offset, cp->tail, &yes);
			if (rc < 0)
				return rc;
			if (yes)
				best = (ptrdiff_t)j;
		}
		if (best < 0)
			continue;
		r->run->used[best] = true;
		f->cp.offset = prev[best].offset;
		f->cp.lineno = prev[best].lineno;
		g_strlcpy(f->start_tail, prev[best].tail,
		    sizeof(f->start_tail));
	}
	return 0;
}

/*
 * new_pairs - two files read from 0 of which one is all the start of the
 * other: the shorter is a copy, the longer is
 * read (it holds all; the shorter resumes at the longer's checkpoint once
 * it grew to it, by mta_reader_advance); of two equal ones the
 * compressed, or the later, is the copy
 */
static int new_pairs(struct mta_reader *r)
{
	for (size_t i = 0; i < r->n_files; i++) {
		struct mta_file *a = &r->files[i];
		for (size_t j = i + 1; j < r->n_files && a->dup_of < 0 &&
		    !a->matched; j++) {
			struct mta_file *b = &r->files[j];
			struct common c;
			if (b->matched || b->dup_of >= 0 || !same_start(a, b))
				continue;
			int rc = from_start(a, b, &c);
			if (rc < 0)
				return rc;
			if (!c.a_ended && !c.b_ended)
				continue;
			bool a_copy = c.a_ended && (!c.b_ended ||
			    (!a->st.direct && b->st.direct));
			rc = a_copy ? make_copy(r, a, j, c.end, c.lines) :
			    make_copy(r, b, i, c.end, c.lines);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/*
 * copy_of - whether F (read from 0, or from its checkpoint when it grew)
 * is a copy of P, placed there or further on. When P was read beyond its
 * first line and F holds P's bytes before that offset (the tail), they
 * are compared from there; else (F shorter, or P read up to its first
 * line only: a tail of the header row alone says nothing) from their
 * first bytes. F ending within what both hold is a copy, not read; F
 * holding all P held, more than its first line, and going on otherwise
 * is placed past the shared part; else F is no copy of P (a new file of
 * the same header row is read from its start).
 */
static int copy_of(struct mta_reader *r, size_t i, size_t j, bool *done)
{
	struct mta_file *f = &r->files[i], *p = &r->files[j];
	uint64_t at = p->cp.offset, base = 0;
	struct common c;
	bool reached = false, yes = false;
	int rc = 0;
	*done = false;
	if (at > p->head_len) {
		rc = mta_file_position(f, at, &reached);
		if (rc == 0 && reached) {
			char hex[MTA_HEAD_HEX];
			mta_tail_hex(hex, &f->tail);
			yes = strcmp(hex, p->start_tail) == 0;
		}
		if (rc < 0 || (reached && !yes))
			return rc;
	}
	if (yes) {
		if (p->at != at)
			rc = mta_file_position(p, at, &reached);
		if (rc == 0 && !reached)
			return 0; /* P shrank meanwhile: read it as it is */
		if (rc == 0)
			rc = common_lines(f, p, at, &c);
		base = p->cp.lineno;
	} else {
		rc = from_start(f, p, &c);
	}
	if (rc < 0 || (!c.a_ended && (c.end < at || c.end <= f->head_len)))
		return rc;
	*done = true;
	if (c.a_ended)
		return make_copy(r, f, j, c.end, base + c.lines);
	f->matched = true;
	f->via = (ptrdiff_t)j; /* P reads the shared part: no copy of F */
	return place(f, c.end, base + c.lines);
}

/* by_offset - sort IDX (N files' indexes) furthest placed first */
static void by_offset(size_t *idx, size_t n, const struct mta_file *files)
{
	for (size_t k = 1; k < n; k++) {
		size_t v = idx[k], m = k;
		for (; m > 0 && files[idx[m - 1]].cp.offset <
		    files[v].cp.offset; m--)
			idx[m] = idx[m - 1];
		idx[m] = v;
	}
}

/*
 * mta_reader_find_copies - each file to read (new, or grown past its
 * checkpoint) against the files placed at its offset or further on, the
 * furthest first: a file placed past what it shares with another holds
 * more than that one, so the files after it are compared with it first
 */
int mta_reader_find_copies(struct mta_reader *r)
{
	size_t *cand = g_new(size_t, r->n_files ? r->n_files : 1);
	int rc = new_pairs(r);
	for (size_t i = 0; i < r->n_files && rc == 0; i++) {
		struct mta_file *f = &r->files[i];
		bool more = !f->matched, done = false;
		size_t n = 0;
		if (f->dup_of >= 0 || f->cp.head[0] == '\0')
			continue;
		if (f->matched)
			rc = grown(f, &more);
		uint64_t from = f->matched ? f->cp.offset : 0;
		for (size_t j = 0; j < r->n_files && more; j++) {
			struct mta_file *p = &r->files[j];
			if (j != i && p->matched && p->dup_of < 0 &&
			    p->via != (ptrdiff_t)i && p->cp.offset >= from &&
			    same_start(f, p))
				cand[n++] = j;
		}
		by_offset(cand, n, r->files);
		for (size_t k = 0; k < n && rc == 0 && !done; k++)
			rc = copy_of(r, i, cand[k], &done);
	}
	g_free(cand);
	return rc;
}

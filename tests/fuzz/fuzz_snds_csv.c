/*
 * fuzz_snds_csv - the SNDS data and status CSV parsers on arbitrary bytes.
 * The first byte picks the kind and the chunk size (the parser must give
 * the same answer for any chunking: checked against a one-shot feed); the
 * rest is the body. Small ceilings make every limit reachable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "common/rw_error.h"
#include "ingest/snds_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tally {
	long data, status, rejects;
	guint hash;
};

static guint
mix(guint h, const char *s)
{
	return h * 31 + (s != NULL ? g_str_hash(s) : 7);
}

static int
on_data(void *ctx, const struct snds_data_row *row)
{
	struct tally *t = ctx;

	if (row->ip == NULL || !snds_is_ipv4(row->ip) ||
	    row->rate.low > row->rate.high || strlen(row->start.day) != 10)
		abort();
	t->data++;
	t->hash = mix(t->hash, row->ip);
	t->hash = mix(t->hash, row->sample_helo);
	t->hash = mix(t->hash, row->comments);
	t->hash = mix(t->hash, row->rate.low_pct);
	t->hash = t->hash * 31 + (guint)row->recipients + (guint)row->line;
	return 0;
}

static int
on_status(void *ctx, const struct snds_status_row *row)
{
	struct tally *t = ctx;

	if (row->first_ip == NULL || row->last_ip == NULL ||
	    row->reason == NULL)
		abort();
	t->status++;
	t->hash = mix(t->hash, row->first_ip);
	t->hash = mix(t->hash, row->reason);
	t->hash = t->hash * 31 + (guint)row->blocked + (guint)row->line;
	return 0;
}

static int
on_reject(void *ctx, const struct snds_reject *rej)
{
	struct tally *t = ctx;

	if (rej->raw == NULL || rej->reason == NULL || rej->line < 1)
		abort();
	t->rejects++;
	t->hash = mix(t->hash, rej->raw);
	t->hash = mix(t->hash, rej->reason);
	t->hash = t->hash * 31 + (guint)rej->line;
	return 0;
}

static const struct snds_csv_callbacks cb = {on_data, on_status, on_reject};

static int
parse(struct tally *t, enum snds_csv_kind kind, const char *body,
    size_t len, size_t chunk)
{
	struct snds_csv_limits lim = {4096, 512, 20, 5000};
	struct snds_csv *p = NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	if (snds_csv_new(&p, kind, "America/Los_Angeles", &lim, &cb, t) != 0)
		abort();
	rc = 0;
	for (size_t off = 0; rc == 0 && off < len; off += chunk)
		rc = snds_csv_feed(p, body + off, MIN(chunk, len - off));
	if (rc == 0)
		rc = snds_csv_finish(p);
	if (rc != 0 && rc != RW_EDATA)
		abort();
	snds_csv_free(p);
	rw_error_clear();
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tally whole, chunked;
	enum snds_csv_kind kind;
	size_t chunk;
	int rc1, rc2;

	if (size < 1)
		return 0;
	kind = data[0] & 1 ? SNDS_CSV_STATUS : SNDS_CSV_DATA;
	chunk = (size_t)(data[0] >> 1) + 1;
	rc1 = parse(&whole, kind, (const char *)data + 1, size - 1, size);
	rc2 = parse(&chunked, kind, (const char *)data + 1, size - 1, chunk);
	if (rc1 != rc2 || whole.data != chunked.data ||
	    whole.status != chunked.status ||
	    whole.rejects != chunked.rejects || whole.hash != chunked.hash)
		abort(); /* chunking changed the answer */
	return 0;
}

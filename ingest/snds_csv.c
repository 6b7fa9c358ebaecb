/*
 * snds_csv - streaming parser for SNDS CSV reports.
 *
 * libcsv does the CSV work (quotes, doubled quotes, CR/LF). This module
 * feeds it one physical line at a time so that a rejected record can be
 * reported with its line number and raw text, and so that no record grows
 * past max_line bytes. A record is one physical line: a quoted cell may not
 * span a line end (SNDS never writes one), so one stray quote costs one
 * row, not the rest of the file. Field validation follows the reference: parse by
 * position, validate each field, reject what does not fit.
 */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>
#include <csv.h>

#include "common/rw_error.h"
#include "common/rw_ip.h"
#include "ingest/snds_csv.h"

#define DEF_MAX_LINE (64 * 1024)
#define DEF_MAX_CELL (8 * 1024)
#define DEF_MAX_FIELDS 32
#define DEF_MAX_ROWS 10000000L
#define REJECT_RAW_MAX 2048

struct snds_csv {
	enum snds_csv_kind kind;
	struct snds_csv_limits lim;
	struct snds_csv_callbacks cb;
	void *ctx;
	GTimeZone *tz;
	struct csv_parser csv;
	bool csv_ok;
	GString *raw;        /* record so far, physical lines appended */
	size_t fed;          /* bytes of raw already given to libcsv */
	bool skipping;       /* overlong record: drop bytes until newline */
	bool bom_checked;
	bool seen_record;    /* header detection applies to the first only */
	long line;           /* physical lines started */
	long rec_line;       /* line the current record started on */
	GString *cells;      /* cell texts, NUL-separated */
	size_t *offs;
	size_t nfields;      /* fields seen (may exceed max_fields) */
	char cell_error[64]; /* first bad cell of the record, "" = none */
	size_t cell_error_at;
	int status;          /* first callback failure */
	/* a row's addresses written ::ffff:a.b.c.d, unmapped (issue 17) */
	char ipbuf[2][RW_IP_BUF];
	char max_day[11];    /* last day a row may start on, "" = any */
	struct snds_csv_stats st;
	/* last timestamp read per column: a report repeats the same few
	 * ("4/1/2026 12:00 AM") on every row, and zone arithmetic is dear */
	struct time_memo {
		char text[24];
		struct snds_time t;
	} memo[14];
};

/*
 * An IPv4-mapped IPv6 address is the IPv4 address it carries: stored as
 * such it meets the complaints of that host. Anything else is returned
 * as it is (and judged by snds_is_ipv4).
 */
static const char *
unmapped(struct snds_csv *p, int slot, const char *text)
{
	char *buf = p->ipbuf[slot];

	if (strchr(text, ':') == NULL || !rw_ip_normalize(buf, text,
	    strlen(text)) || strchr(buf, ':') != NULL)
		return text;
	return buf;
}

static guint32
ipv4_value(const char *text)
{
	struct in_addr a;

	if (inet_pton(AF_INET, text, &a) != 1)
		return 0;
	return ntohl(a.s_addr);
}

static int
parse_count(gint64 *out, const char *text)
{
	guint64 v;

	if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXINT64, &v, NULL))
		return RW_EDATA;
	*out = (gint64)v;
	return 0;
}

/* ---- record assembly ---- */

static const char *
cell(const struct snds_csv *p, size_t i)
{
	return p->cells->str + p->offs[i];
}

static const char *
cell_or_null(const struct snds_csv *p, size_t i)
{
	if (i >= p->nfields || *cell(p, i) == '\0')
		return NULL;
	return cell(p, i);
}

static void
cb_field(void *s, size_t len, void *data)
{
	struct snds_csv *p = data;
	size_t i = p->nfields++;

	if (i >= p->lim.max_fields)
		return;
	if (p->cell_error[0] != '\0') {
		len = 0;
	} else if (len > p->lim.max_cell) {
		g_snprintf(p->cell_error, sizeof(p->cell_error),
		    "cell longer than %zu bytes", p->lim.max_cell);
		p->cell_error_at = i;
		len = 0;
	} else if (!g_utf8_validate(s, (gssize)len, NULL)) {
		/* the database takes UTF-8 only; NUL bytes fail here too */
		g_strlcpy(p->cell_error, "invalid UTF-8 or NUL byte",
		    sizeof(p->cell_error));
		p->cell_error_at = i;
		len = 0;
	}
	p->offs[i] = p->cells->len;
	g_string_append_len(p->cells, s ? s : "", (gssize)len);
	g_string_append_c(p->cells, '\0');
}

static void
reset_record(struct snds_csv *p)
{
	g_string_truncate(p->cells, 0);
	p->nfields = 0;
	p->cell_error[0] = '\0';
}

/* raw text of the current record without its line terminator */
static char *
raw_text(const struct snds_csv *p)
{
	size_t n = p->raw->len;

	while (n > 0 && (p->raw->str[n - 1] == '\n' ||
	    p->raw->str[n - 1] == '\r'))
		n--;
	if (n > REJECT_RAW_MAX)
		n = REJECT_RAW_MAX;
	/* stored as text: invalid UTF-8 and NUL become U+FFFD */
	return g_utf8_make_valid(p->raw->str, (gssize)n);
}

static void
reject(struct snds_csv *p, const char *reason)
{
	struct snds_reject r;
	char *raw = raw_text(p);

	p->st.rejected++;
	r.line = p->rec_line;
	r.raw = raw;
	r.reason = reason;
	if (p->cb.on_reject != NULL && p->status == 0) {
		int rc = p->cb.on_reject(p->ctx, &r);

		if (rc < 0)
			p->status = rc;
	}
	g_free(raw);
}

static void
rejectf(struct snds_csv *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
rejectf(struct snds_csv *p, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	reject(p, msg);
	g_free(msg);
}

/* time field I: 0, or a reject reason naming the column */
static int
time_field(struct snds_csv *p, struct snds_time *out, size_t i,
    const char *name)
{
	const char *text = cell(p, i);
	struct time_memo *m = i < G_N_ELEMENTS(p->memo) ? &p->memo[i] : NULL;

	if (m != NULL && m->text[0] != '\0' && strcmp(m->text, text) == 0) {
		*out = m->t;
		return 0;
	}
	if (snds_time_parse(out, p->tz, text) == 0) {
		if (m != NULL && strlen(text) < sizeof(m->text)) {
			g_strlcpy(m->text, text, sizeof(m->text));
			m->t = *out;
		}
		return 0;
	}
	rejectf(p, "column %zu (%s): invalid timestamp \"%s\", expected "
	    "M/D/YYYY h:mm AM/PM", i + 1, name, cell(p, i));
	return RW_EDATA;
}

static int
count_field(struct snds_csv *p, gint64 *out, size_t i, const char *name)
{
	if (parse_count(out, cell(p, i)) == 0)
		return 0;
	rejectf(p, "column %zu (%s): invalid count \"%s\"", i + 1, name,
	    cell(p, i));
	return RW_EDATA;
}

/* columns 9-11: trap period and hits, NULL when empty (gone since 2026-07) */
static int
trap_fields(struct snds_csv *p, struct snds_data_row *r)
{
	r->has_trap_start = *cell(p, 8) != '\0';
	r->has_trap_end = *cell(p, 9) != '\0';
	r->trap_hits = -1;
	if (r->has_trap_start &&
	    time_field(p, &r->trap_start, 8, "trap period start") < 0)
		return RW_EDATA;
	if (r->has_trap_end &&
	    time_field(p, &r->trap_end, 9, "trap period end") < 0)
		return RW_EDATA;
	if (*cell(p, 10) != '\0' &&
	    count_field(p, &r->trap_hits, 10, "trap hits") < 0)
		return RW_EDATA;
	return 0;
}

static int
data_counts(struct snds_csv *p, struct snds_data_row *r)
{
	if (count_field(p, &r->rcpt_commands, 3, "RCPT commands") < 0 ||
	    count_field(p, &r->data_commands, 4, "DATA commands") < 0 ||
	    count_field(p, &r->recipients, 5, "message recipients") < 0)
		return RW_EDATA;
	if (snds_filter_parse(&r->filter, cell(p, 6)) < 0) {
		rejectf(p, "column 7 (filter result): \"%s\" is not GREEN, "
		    "YELLOW or RED", cell(p, 6));
		return RW_EDATA;
	}
	if (snds_rate_parse(&r->rate, cell(p, 7)) < 0) {
		rejectf(p, "column 8 (complaint rate): cannot read \"%s\"",
		    cell(p, 7));
		return RW_EDATA;
	}
	return 0;
}

static int
data_row(struct snds_csv *p, struct snds_data_row *r)
{
	memset(r, 0, sizeof(*r));
	if (p->nfields != 14 && p->nfields != 13) {
		rejectf(p, "expected 14 fields, found %zu", p->nfields);
		return RW_EDATA;
	}
	r->line = p->rec_line;
	r->ip = unmapped(p, 0, cell(p, 0));
	if (!snds_is_ipv4(r->ip)) {
		rejectf(p, "column 1 (IP address): \"%s\" is not an IPv4 "
		    "address", r->ip);
		return RW_EDATA;
	}
	if (time_field(p, &r->start, 1, "activity start") < 0 ||
	    time_field(p, &r->end, 2, "activity end") < 0 ||
	    data_counts(p, r) < 0 || trap_fields(p, r) < 0)
		return RW_EDATA;
	if (r->end.utc < r->start.utc) {
		reject(p, "activity end before activity start");
		return RW_EDATA;
	}
	/* one future day would become the "latest" day and end every alert */
	if (p->max_day[0] != '\0' && strcmp(r->start.day, p->max_day) > 0) {
		rejectf(p, "activity start %s is in the future (after %s, the "
		    "day after today in the source's zone)", r->start.day,
		    p->max_day);
		return RW_EDATA;
	}
	r->raw_start = cell(p, 1);
	r->raw_end = cell(p, 2);
	r->rate_text = cell(p, 7);
	r->sample_helo = cell_or_null(p, 11);
	r->jmr_p1_sender = cell_or_null(p, 12);
	r->comments = cell_or_null(p, 13);
	return 0;
}

static int
status_row(struct snds_csv *p, struct snds_status_row *r)
{
	memset(r, 0, sizeof(*r));
	if (p->nfields != 4 && p->nfields != 3) {
		rejectf(p, "expected 4 fields, found %zu", p->nfields);
		return RW_EDATA;
	}
	r->line = p->rec_line;
	r->first_ip = unmapped(p, 0, cell(p, 0));
	r->last_ip = unmapped(p, 1, cell(p, 1));
	if (!snds_is_ipv4(r->first_ip) || !snds_is_ipv4(r->last_ip)) {
		rejectf(p, "range \"%s\" - \"%s\" is not a pair of IPv4 "
		    "addresses", r->first_ip, r->last_ip);
		return RW_EDATA;
	}
	if (ipv4_value(r->last_ip) < ipv4_value(r->first_ip)) {
		rejectf(p, "range end %s is below its start %s", r->last_ip,
		    r->first_ip);
		return RW_EDATA;
	}
	if (snds_bool_parse(&r->blocked, cell(p, 2)) < 0) {
		rejectf(p, "column 3 (blocked): \"%s\" is not Yes, No, True "
		    "or False", cell(p, 2));
		return RW_EDATA;
	}
	r->reason = p->nfields == 4 ? cell(p, 3) : "";
	return 0;
}

static bool
blank_record(const struct snds_csv *p)
{
	return p->nfields == 1 && *cell(p, 0) == '\0';
}

static void
emit(struct snds_csv *p)
{
	int rc = 0;

	if (p->kind == SNDS_CSV_DATA) {
		struct snds_data_row r;

		if (data_row(p, &r) < 0)
			return;
		p->st.rows++;
		if (p->cb.on_data != NULL)
			rc = p->cb.on_data(p->ctx, &r);
	} else {
		struct snds_status_row r;

		if (status_row(p, &r) < 0)
			return;
		p->st.rows++;
		if (p->cb.on_status != NULL)
			rc = p->cb.on_status(p->ctx, &r);
	}
	if (rc < 0 && p->status == 0)
		p->status = rc;
}

/* a header is a first record whose first cell holds no digit at all */
static bool
looks_like_header(const struct snds_csv *p)
{
	for (const char *c = cell(p, 0); *c != '\0'; c++) {
		if (g_ascii_isdigit(*c))
			return false;
	}
	return true;
}

/* libcsv: end of record */
static void
cb_row(int term, void *data)
{
	struct snds_csv *p = data;
	bool first = !p->seen_record;

	(void)term;
	if (p->status < 0 || p->nfields == 0 || blank_record(p)) {
		reset_record(p);
		return;
	}
	p->seen_record = true;
	if (first && looks_like_header(p)) {
		/* only defensively: SNDS never sends a header */
		p->st.headers++;
	} else if (p->cell_error[0] != '\0') {
		rejectf(p, "column %zu: %s", p->cell_error_at + 1,
		    p->cell_error);
	} else if (p->nfields > p->lim.max_fields) {
		rejectf(p, "too many fields (%zu)", p->nfields);
	} else if (p->st.rows + p->st.rejected >= p->lim.max_rows) {
		p->status = rw_error_set(RW_EDATA, "more than %ld rows",
		    p->lim.max_rows);
	} else {
		emit(p);
	}
	reset_record(p);
}

static void
csv_restart(struct snds_csv *p)
{
	csv_free(&p->csv);
	p->csv_ok = csv_init(&p->csv, CSV_STRICT | CSV_STRICT_FINI |
	    CSV_APPEND_NULL) == 0;
	reset_record(p);
}

static void
record_done(struct snds_csv *p)
{
	g_string_truncate(p->raw, 0);
	p->fed = 0;
}

/* feed the unfed tail of raw to libcsv; reject on a quoting error */
static void
feed_csv(struct snds_csv *p)
{
	const char *s = p->raw->str + p->fed;
	size_t n = p->raw->len - p->fed;

	if (csv_parse(&p->csv, s, n, cb_field, cb_row, p) != n) {
		rejectf(p, "malformed quoting: %s",
		    csv_strerror(csv_error(&p->csv)));
		csv_restart(p);
		record_done(p);
		return;
	}
	p->fed = p->raw->len;
}

/* a UTF-8 byte order mark is tolerated at the very start only */
static void
strip_bom(struct snds_csv *p)
{
	if (p->bom_checked || p->raw->len < 3)
		return;
	p->bom_checked = true;
	if (memcmp(p->raw->str, "\xEF\xBB\xBF", 3) == 0)
		g_string_erase(p->raw, 0, 3);
}

/* a complete physical line is in raw[fed..] */
static void
end_line(struct snds_csv *p)
{
	strip_bom(p);
	p->bom_checked = true;
	feed_csv(p);
	/*
	 * The record ended when libcsv is back in its "row not begun" state
	 * (0); otherwise a quoted cell is still open. SNDS never writes a
	 * line break inside a cell, so an open quote is a stray one: taking
	 * the next lines into the cell would swallow valid rows. The row is
	 * rejected and parsing starts afresh on the next line.
	 */
	if (p->csv.pstate != 0 && p->raw->len > 0) {
		reject(p, "quoted cell not closed at end of line");
		csv_restart(p);
	}
	record_done(p);
}

static void
overlong(struct snds_csv *p)
{
	rejectf(p, "record longer than %zu bytes", p->lim.max_line);
	csv_restart(p);
	record_done(p);
	p->skipping = true;
}

static void
take_segment(struct snds_csv *p, const char *buf, size_t n, bool nl)
{
	if (p->raw->len == 0)
		p->rec_line = p->line + 1;
	if (p->skipping) {
		if (nl) {
			p->skipping = false;
			p->line++;
		}
		return;
	}
	if (p->raw->len + n > p->lim.max_line) {
		g_string_append_len(p->raw, buf,
		    (gssize)MIN(n, REJECT_RAW_MAX));
		overlong(p);
		p->skipping = !nl;
		if (nl)
			p->line++;
		return;
	}
	g_string_append_len(p->raw, buf, (gssize)n);
	if (nl) {
		p->line++;
		end_line(p);
	}
}

int
snds_csv_feed(struct snds_csv *p, const char *buf, size_t len)
{
	while (len > 0 && p->status == 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl != NULL ? (size_t)(nl - buf) + 1 : len;

		take_segment(p, buf, n, nl != NULL);
		buf += n;
		len -= n;
	}
	p->st.lines = p->line;
	return p->status;
}

int
snds_csv_finish(struct snds_csv *p)
{
	if (p->status != 0)
		return p->status;
	if (p->raw->len > p->fed) {
		/* last line without a terminator */
		p->line++;
		strip_bom(p);
		feed_csv(p);
	}
	if (p->raw->len > 0 && csv_fini(&p->csv, cb_field, cb_row, p) != 0) {
		reject(p, "unterminated quoted cell at end of input");
		csv_restart(p);
	}
	record_done(p);
	p->st.lines = p->line;
	return p->status;
}

void
snds_csv_get_stats(struct snds_csv_stats *out, const struct snds_csv *p)
{
	*out = p->st;
}

static void
apply_limits(struct snds_csv_limits *l, const struct snds_csv_limits *in)
{
	if (in != NULL)
		*l = *in;
	if (l->max_line == 0)
		l->max_line = DEF_MAX_LINE;
	if (l->max_cell == 0)
		l->max_cell = DEF_MAX_CELL;
	if (l->max_fields == 0)
		l->max_fields = DEF_MAX_FIELDS;
	if (l->max_rows == 0)
		l->max_rows = DEF_MAX_ROWS;
}

int
snds_csv_new(struct snds_csv **out, enum snds_csv_kind kind, const char *tz,
    const struct snds_csv_limits *limits,
    const struct snds_csv_callbacks *cb, void *ctx)
{
	struct snds_csv *p;
	GTimeZone *zone;

	*out = NULL;
	zone = g_time_zone_new_identifier(tz);
	if (zone == NULL)
		return rw_error_set(RW_ECONFIG, "unknown time zone \"%s\"", tz);
	p = g_new0(struct snds_csv, 1);
	p->kind = kind;
	apply_limits(&p->lim, limits);
	p->cb = *cb;
	p->ctx = ctx;
	p->tz = zone;
	p->raw = g_string_sized_new(256);
	p->cells = g_string_sized_new(256);
	p->offs = g_new0(size_t, p->lim.max_fields);
	p->csv_ok = csv_init(&p->csv, CSV_STRICT | CSV_STRICT_FINI |
	    CSV_APPEND_NULL) == 0;
	if (!p->csv_ok) {
		snds_csv_free(p);
		return rw_error_set(RW_EFAIL, "cannot initialize libcsv");
	}
	*out = p;
	return 0;
}

void
snds_csv_set_max_day(struct snds_csv *p, const char *day)
{
	g_strlcpy(p->max_day, day != NULL ? day : "", sizeof(p->max_day));
}

void
snds_csv_free(struct snds_csv *p)
{
	if (p == NULL)
		return;
	if (p->csv_ok)
		csv_free(&p->csv);
	g_time_zone_unref(p->tz);
	g_string_free(p->raw, TRUE);
	g_string_free(p->cells, TRUE);
	g_free(p->offs);
	g_free(p);
}

/*
 * snds_csv - streaming parser for SNDS CSV reports (libcsv underneath).
 *
 * Two kinds of input: the 14-column data report and the 4-column IP-status
 * report (doc/snds.md, "Data"). Bytes are fed
 * in any chunking; each valid row goes to on_data / on_status, each bad row
 * to on_reject with its line number, raw text and reason. A bad row never
 * stops the parse; only a callback returning < 0 or a hard ceiling does.
 */
#ifndef SNDS_CSV_H
#define SNDS_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

enum snds_csv_kind {
	SNDS_CSV_DATA,
	SNDS_CSV_STATUS,
};

enum snds_filter {
	SNDS_FILTER_GREEN,
	SNDS_FILTER_YELLOW,
	SNDS_FILTER_RED,
};

/*
 * Complaint rate as an interval of fractions [low, high] (high excluded
 * when high_open). The *_pct strings are the percent figures exactly as
 * written ("0.4"); the *_frac strings are the same decimals divided by 100
 * by moving the point ("0.004"), so the database stores them as numeric
 * without float rounding and without a division on the server.
 */
struct snds_rate {
	double low;
	double high;
	bool high_open;
	char low_pct[32];
	char high_pct[32];
	char low_frac[36];
	char high_frac[36];
};

/* A timestamp read in the source zone: UTC seconds and the local day. */
struct snds_time {
	gint64 utc;     /* seconds since the epoch */
	char day[11];   /* YYYY-MM-DD in the source zone */
};

struct snds_data_row {
	long line;                /* physical line the row starts on */
	const char *ip;
	struct snds_time start;
	struct snds_time end;
	const char *raw_start;
	const char *raw_end;
	gint64 rcpt_commands;
	gint64 data_commands;
	gint64 recipients;
	enum snds_filter filter;
	const char *rate_text;
	struct snds_rate rate;
	bool has_trap_start;      /* trap fields are NULL, never 0, when empty */
	struct snds_time trap_start;
	bool has_trap_end;
	struct snds_time trap_end;
	gint64 trap_hits;         /* -1 = none */
	const char *sample_helo;  /* NULL when empty */
	const char *jmr_p1_sender;
	const char *comments;
};

struct snds_status_row {
	long line;
	const char *first_ip;
	const char *last_ip;
	bool blocked;
	const char *reason;       /* "" when missing */
};

struct snds_reject {
	long line;
	const char *raw;          /* the line(s) without the terminator, capped */
	const char *reason;
};

struct snds_csv_callbacks {
	int (*on_data)(void *ctx, const struct snds_data_row *row);
	int (*on_status)(void *ctx, const struct snds_status_row *row);
	int (*on_reject)(void *ctx, const struct snds_reject *rej);
};

/* Ceilings for input nobody controls; 0 fields take the defaults. */
struct snds_csv_limits {
	size_t max_line;    /* bytes of one record (default 64 KiB) */
	size_t max_cell;    /* bytes of one cell (default 8 KiB) */
	size_t max_fields;  /* cells kept per record (default 32) */
	long max_rows;      /* records per input (default 10,000,000) */
};

struct snds_csv_stats {
	long lines;
	long rows;          /* valid rows passed to the callback */
	long rejected;
	long headers;       /* header lines skipped */
};

struct snds_csv;

/*
 * snds_csv_new - parser for KIND reading timestamps in zone TZ (IANA name).
 * LIMITS may be NULL. Fails with RW_ECONFIG on an unknown zone.
 */
int snds_csv_new(struct snds_csv **out, enum snds_csv_kind kind,
    const char *tz, const struct snds_csv_limits *limits,
    const struct snds_csv_callbacks *cb, void *ctx);
void snds_csv_free(struct snds_csv *p);
/* snds_csv_set_max_day - reject data rows starting after DAY (YYYY-MM-DD;
 * NULL or "" = no limit) */
void snds_csv_set_max_day(struct snds_csv *p, const char *day);

/* feed bytes; returns a callback's negative status or RW_EDATA at a ceiling */
int snds_csv_feed(struct snds_csv *p, const char *buf, size_t len);
/* end of input: flushes the last line */
int snds_csv_finish(struct snds_csv *p);
void snds_csv_get_stats(struct snds_csv_stats *out, const struct snds_csv *p);

/* field parsers (snds_csv_value.c), exposed for the tests and loaders */
int snds_rate_parse(struct snds_rate *out, const char *text);
int snds_time_parse(struct snds_time *out, GTimeZone *tz, const char *text);
int snds_filter_parse(enum snds_filter *out, const char *text);
const char *snds_filter_name(enum snds_filter f);
bool snds_is_ipv4(const char *text);
int snds_bool_parse(bool *out, const char *text);

#endif

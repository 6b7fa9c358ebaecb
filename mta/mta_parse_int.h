/*
 * mta_parse_int - what the format readers of mta_parse share (the parser
 * and the helpers that read an SMTP answer); callers use mta_parse.h.
 */
#ifndef MTA_PARSE_INT_H
#define MTA_PARSE_INT_H

#include <csv.h>
#include <glib.h>

#include "mta/mta_parse.h"

#define MTA_PMTA_COLS 9 /* PowerMTA columns read (mta_record.c) */

struct mta_parser {
	enum mta_format format;
	char source_ip[RW_IP_BUF];   /* "" none */
	GHashTable *services;        /* service name -> canonical address */
	GTimeZone *zone;             /* for times logged without a zone */
	int64_t now;                 /* dates stamps without a year; 0 none */
	int now_year;                /* NOW's year (UTC); 0 none */
	bool next_year;              /* NOW within a day and a zone of its
	                              * year's end: a stamp may be of the
	                              * next year */
	char *buf;                   /* one line, NUL-terminated */
	/* PowerMTA */
	struct csv_parser csv;
	bool csv_ok;
	GString *row;                /* the row's fields, each NUL-ended */
	GArray *fields;              /* size_t: where each starts in row */
	guint header_len;            /* the header row's fields; 0 before it */
	int cols[MTA_PMTA_COLS];     /* the columns read, by the header; -1 */
};

/* mta_copy - N bytes of S into DST (CAP bytes), cut, NUL-terminated */
void mta_copy(char *dst, size_t cap, const char *s, size_t n);
/* mta_copy_lower - mta_copy in ASCII lower case */
void mta_copy_lower(char *dst, size_t cap, const char *s, size_t n);
/* mta_set_ip - the address in S (N bytes), canonical; false if none */
bool mta_set_ip(char dst[static RW_IP_BUF], const char *s, size_t n);
/* mta_set_rcpt - the lower-cased domain of the address S (N bytes) */
void mta_set_rcpt(struct mta_attempt *a, const char *s, size_t n);
/* mta_set_text - the raw answer, capped at MTA_TEXT_MAX */
void mta_set_text(struct mta_attempt *a, const char *s, size_t n);
/*
 * mta_scan_answer - the reply code, the enhanced code (when not yet set),
 * Microsoft's S-code and the [IP] of the answer found in a->text
 */
void mta_scan_answer(struct mta_attempt *a);
/* mta_enhanced_at - "4.7.650" at S into OUT; the length read, 0 if none */
size_t mta_enhanced_at(char out[static 16], const char *s);
/* mta_set_time - a->time from S, a->epoch when S has a date and a zone */
void mta_set_time(struct mta_attempt *a, const struct mta_parser *p,
    const char *s, size_t n);
/*
 * mta_set_syslog_time - a->time from S ("Dec  7 05:00:00", N bytes),
 * a->epoch when the parser knows the time of reading (the year)
 */
void mta_set_syslog_time(struct mta_attempt *a, const struct mta_parser *p,
    const char *s, size_t n);
/* mta_source - the sending address of SERVICE, else the fixed one */
void mta_source(struct mta_attempt *a, const struct mta_parser *p,
    const char *service);

int mta_parse_postfix(struct mta_attempt *a, bool *found,
    struct mta_parser *p, const char *line);
int mta_parse_exim(struct mta_attempt *a, bool *found,
    struct mta_parser *p, const char *line);
int mta_parse_kumomta(struct mta_attempt *a, bool *found,
    struct mta_parser *p, const char *line, size_t len);
int mta_parse_powermta(struct mta_attempt *a, bool *found,
    struct mta_parser *p, const char *line, size_t len);
/* mta_powermta_init / mta_powermta_free - the CSV state of a parser */
int mta_powermta_init(struct mta_parser *p);
void mta_powermta_free(struct mta_parser *p);

#endif

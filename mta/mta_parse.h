/*
 * mta_parse - one delivery attempt from one line (or one record) of a
 * sending MTA's log: Postfix, Exim, KumoMTA (JSON) and PowerMTA
 * (accounting CSV).
 *
 * A parser is made for one format and fed the lines of one log in order
 * (PowerMTA's header row names the columns of the rows after it). Each
 * call says whether the line was a delivery attempt and fills a struct
 * mta_attempt: times, the sending IP, the destination, the SMTP answer
 * with its codes, and what the MTA did. Nothing is printed; a line that
 * cannot be read is RW_EDATA with the error recorded, and the caller
 * names file:line (rw_error_prefix). Every input has a ceiling.
 */
#ifndef MTA_PARSE_H
#define MTA_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/rw_ip.h"

#define MTA_LINE_MAX 16384  /* Postfix, Exim, PowerMTA: bytes per line */
#define MTA_JSON_MAX 65536  /* KumoMTA: bytes per JSON record */
#define MTA_TEXT_MAX 1024   /* the raw answer kept, in bytes */
#define MTA_NAME_MAX 256    /* domains and host names */
#define MTA_SERVICE_MAX 64  /* Postfix service names */

enum mta_format {
	MTA_POSTFIX,
	MTA_EXIM,
	MTA_KUMOMTA,
	MTA_POWERMTA,
};

/* what the MTA itself did with the attempt */
enum mta_outcome {
	MTA_DELIVERED,
	MTA_DEFERRED,
	MTA_BOUNCED,
};

struct mta_attempt {
	char time[48];            /* as logged */
	bool has_epoch;           /* false: no year or no time zone known */
	int64_t epoch;            /* seconds since 1970, UTC */
	char source_ip[RW_IP_BUF];  /* our sending address, "" unknown */
	char answer_ip[RW_IP_BUF];  /* the [IP] Microsoft names in its answer */
	char service[MTA_SERVICE_MAX]; /* Postfix service, "" none */
	char rcpt_domain[MTA_NAME_MAX]; /* lower case, "" unknown */
	char mx_host[MTA_NAME_MAX]; /* lower case, "" unknown */
	char mx_ip[RW_IP_BUF];
	char enhanced[16];        /* "4.7.650", "" none */
	int reply;                /* SMTP reply code, 0 none */
	char scode[16];           /* Microsoft's "S3150", "" none */
	char text[MTA_TEXT_MAX];  /* the answer or status text, capped */
	bool text_capped;
	enum mta_outcome outcome;
};

struct mta_parser;

/* mta_parser_new - a parser of FORMAT; mta_parser_free(NULL) is a no-op */
int mta_parser_new(struct mta_parser **out, enum mta_format format);
void mta_parser_free(struct mta_parser *p);

/*
 * mta_parser_set_source_ip - the one sending address of every attempt
 * whose line does not name one (Postfix; a fallback for the others)
 */
int mta_parser_set_source_ip(struct mta_parser *p, const char *ip);

/*
 * mta_parser_add_services - Postfix service names to sending addresses,
 * "smtp-ip1:203.0.113.5, smtp-ip2:2001:db8::25" (a name, a colon, an
 * address; entries separated by commas or blanks). RW_ECONFIG when an
 * entry is malformed.
 */
int mta_parser_add_services(struct mta_parser *p, const char *spec);

/*
 * mta_parser_set_zone - the zone of times logged with a date but without
 * a zone (Exim, PowerMTA): "UTC", "+01:00", "Europe/Berlin"; the local
 * zone by default. RW_ECONFIG when unknown.
 */
int mta_parser_set_zone(struct mta_parser *p, const char *zone);

/*
 * mta_parser_set_now - the time of reading (seconds since 1970) that
 * dates syslog stamps without a year ("Dec  7 05:00:00"): the year that
 * puts the stamp at most one day after NOW, in the parser's zone. Without
 * it such stamps have no epoch (has_epoch false).
 */
void mta_parser_set_now(struct mta_parser *p, int64_t now);

/*
 * mta_parse_line - read LINE (LEN bytes, a trailing newline allowed).
 * *OUT_FOUND tells whether it was a delivery attempt (then OUT is filled);
 * other lines of the log are not attempts. RW_EDATA for an over-long
 * line, broken JSON or a CSV row that does not fit its header.
 */
int mta_parse_line(struct mta_attempt *out, bool *out_found,
    struct mta_parser *p, const char *line, size_t len);

/* mta_format_parse - "postfix", "exim", "kumomta", "powermta" */
int mta_format_parse(enum mta_format *out, const char *name);
const char *mta_format_name(enum mta_format format);
const char *mta_outcome_name(enum mta_outcome outcome);

#endif

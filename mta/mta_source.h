/*
 * mta_source - one configured MTA log source, a [mta.NAME] section of the
 * configuration: its format, path, how the sending IP of an attempt is
 * found, the zone of its time stamps and the caller's extra rules; and
 * the parser and classifier set up from them.
 *
 * Errors are RW_ECONFIG naming the section and key ("[mta.main]
 * source_ip: ..."); nothing is printed.
 */
#ifndef MTA_SOURCE_H
#define MTA_SOURCE_H

#include <stdint.h>

#include "common/rw_config.h"
#include "mta/mta_classify.h"
#include "mta/mta_parse.h"

struct mta_source {
	char *name;           /* NAME of [mta.NAME] */
	enum mta_format format;
	char *path;           /* file or glob; NULL when not set */
	char *source_ip;      /* NULL when not set */
	char **ip_by_service; /* "name:ip" entries, NULL-terminated, or NULL */
	char *timezone;       /* NULL: the local zone */
	char *extra_rules;    /* NULL when not set */
	char **domains;       /* more Microsoft domains, or NULL */
	char **mx_suffixes;   /* more Microsoft MX suffixes, or NULL */
};

/* mta_source_names - the configured source names (g_strfreev) */
char **mta_source_names(const struct rw_config *cfg);

/*
 * mta_source_get - the section [mta.NAME]: RW_ECONFIG when it is not
 * configured, its type is missing or unknown, or it is a postfix source
 * with neither source_ip nor ip_by_service (Postfix does not log the
 * address it sent from; without one every delivery would be dropped as
 * "without IP" while blocks, which name the IP, were kept)
 */
int mta_source_get(struct mta_source **out, const struct rw_config *cfg,
    const char *name);
/* mta_source_free - NULL is a no-op */
void mta_source_free(struct mta_source *s);

/*
 * mta_source_pick - the source a command means: NAME when given (it must
 * be configured), else the only configured one; RW_ECONFIG naming the
 * choice when there are none or several
 */
int mta_source_pick(struct mta_source **out, const struct rw_config *cfg,
    const char *name);

/*
 * mta_source_parser - a parser of S's format with its source_ip,
 * ip_by_service and timezone; NOW (seconds since 1970, 0: none) dates
 * syslog stamps without a year (mta_parser_set_now)
 */
int mta_source_parser(struct mta_parser **out, const struct mta_source *s,
    int64_t now);

/*
 * mta_source_classifier - the built-in table, domains and MX suffixes
 * plus S's extra_rules, domains and mx_suffixes
 */
int mta_source_classifier(struct mta_classifier **out,
    const struct mta_source *s);

#endif

/*
 * rw_log - diagnostics to stderr (or syslog), never results.
 *
 * Lines carry a timestamp when stderr is not a terminal (cron). Messages
 * follow PostgreSQL's style: short lower-case primary line, then detail and
 * hint as sentences. rw_log saves and restores errno.
 */
#ifndef RW_LOG_H
#define RW_LOG_H

#include <stdbool.h>
#include <glib.h>

enum rw_log_level {
	RW_LOG_ERROR = 0,
	RW_LOG_WARNING = 1,
	RW_LOG_INFO = 2,
	RW_LOG_DEBUG = 3,
	RW_LOG_TRACE = 4,
};

/* verbosity: 0 default (info), <0 quieter (-q), >0 debug/trace (-v) */
void rw_log_init(const char *progname, int verbosity, bool use_syslog);
void rw_log_set_syslog(bool on);
bool rw_log_enabled(enum rw_log_level level);
enum rw_log_level rw_log_get_level(void);
void rw_log_set_level(enum rw_log_level level);
/* rw_log_interactive - stderr is a terminal (progress lines allowed) */
bool rw_log_interactive(void);

void rw_log(enum rw_log_level level, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void rw_logv(enum rw_log_level level, const char *fmt, va_list ap)
	G_GNUC_PRINTF(2, 0);

#define rw_log_error(...) rw_log(RW_LOG_ERROR, __VA_ARGS__)
#define rw_log_warning(...) rw_log(RW_LOG_WARNING, __VA_ARGS__)
#define rw_log_info(...) rw_log(RW_LOG_INFO, __VA_ARGS__)
#define rw_log_debug(...) rw_log(RW_LOG_DEBUG, __VA_ARGS__)
#define rw_log_trace(...) rw_log(RW_LOG_TRACE, __VA_ARGS__)

/* detail and hint lines belong to the message logged just before */
void rw_log_detail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void rw_log_hint(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#endif

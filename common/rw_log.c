/*
 * rw_log - leveled diagnostics on stderr or syslog.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/rw_log.h"

static enum rw_log_level log_level = RW_LOG_INFO;
static bool log_syslog;
static bool log_tty;
static bool log_inited;
static const char *log_prog = "repwatch";

static const char *const level_names[] = {
	"error", "warning", "info", "debug", "trace",
};

static const int level_prio[] = {
	LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG, LOG_DEBUG,
};

void
rw_log_init(const char *progname, int verbosity, bool use_syslog)
{
	int level = RW_LOG_INFO + verbosity;

	if (level < RW_LOG_ERROR)
		level = RW_LOG_ERROR;
	if (level > RW_LOG_TRACE)
		level = RW_LOG_TRACE;
	log_level = (enum rw_log_level)level;
	if (progname != NULL)
		log_prog = progname;
	log_tty = isatty(STDERR_FILENO) == 1;
	log_inited = true;
	rw_log_set_syslog(use_syslog);
}

void
rw_log_set_syslog(bool on)
{
	if (on && !log_syslog)
		openlog(log_prog, LOG_PID, LOG_MAIL);
	else if (!on && log_syslog)
		closelog();
	log_syslog = on;
}

bool
rw_log_enabled(enum rw_log_level level)
{
	return level <= log_level;
}

enum rw_log_level
rw_log_get_level(void)
{
	return log_level;
}

void
rw_log_set_level(enum rw_log_level level)
{
	log_level = level;
}

bool
rw_log_interactive(void)
{
	if (!log_inited)
		log_tty = isatty(STDERR_FILENO) == 1;
	return log_tty && !log_syslog;
}

/* emit - one line with the given label ("error", "DETAIL"...) */
static void emit(int prio, const char *label, const char *fmt, va_list ap)
    G_GNUC_PRINTF(3, 0);

static void
emit(int prio, const char *label, const char *fmt, va_list ap)
{
	char stamp[32] = "";
	char *text = g_strdup_vprintf(fmt, ap);

	if (log_syslog) {
		syslog(prio, "%s: %s", label, text);
	} else {
		if (!log_tty) {
			time_t now = time(NULL);
			struct tm tm;

			localtime_r(&now, &tm);
			strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S ", &tm);
		}
		fprintf(stderr, "%s%s: %s: %s\n", stamp, log_prog, label, text);
	}
	g_free(text);
}

void
rw_logv(enum rw_log_level level, const char *fmt, va_list ap)
{
	int saved = errno;

	if (rw_log_enabled(level))
		emit(level_prio[level], level_names[level], fmt, ap);
	errno = saved;
}

void
rw_log(enum rw_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rw_logv(level, fmt, ap);
	va_end(ap);
}

void
rw_log_detail(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_ERR, "DETAIL", fmt, ap);
	va_end(ap);
	errno = saved;
}

void
rw_log_hint(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_ERR, "HINT", fmt, ap);
	va_end(ap);
	errno = saved;
}

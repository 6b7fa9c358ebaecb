/*
 * rw_error - one recorded error per thread, printed once by the command.
 *
 * Library code calls rw_error_set() (plus detail and hint) and returns the
 * code; the subcommand prints it with rw_error_print(). Codes are negative
 * sysexits values so that the exit status follows from the failure.
 */
#ifndef RW_ERROR_H
#define RW_ERROR_H

#include <glib.h>

enum rw_status {
	RW_OK = 0,
	RW_EFAIL = -1,     /* unclassified failure: exit 70 (1 is --fail-on) */
	RW_EUSAGE = -64,   /* EX_USAGE */
	RW_EDATA = -65,    /* EX_DATAERR: bad input data */
	RW_ENOINPUT = -66, /* EX_NOINPUT: an input file or folder is missing */
	RW_EUNAVAIL = -69, /* EX_UNAVAILABLE: service refused us */
	RW_ESOFTWARE = -70,/* EX_SOFTWARE: internal bug */
	RW_EIO = -74,      /* EX_IOERR */
	RW_ETEMP = -75,    /* EX_TEMPFAIL: try again later */
	RW_ECONFIG = -78,  /* EX_CONFIG */
};

int rw_error_set(int code, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void rw_error_detail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void rw_error_hint(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* rw_error_prefix - prepend "PREFIX: " to the recorded message */
void rw_error_prefix(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* rw_error_recode - keep the recorded message, change its code */
int rw_error_recode(int code);

int rw_error_code(void);
const char *rw_error_message(void);
const char *rw_error_get_detail(void);
const char *rw_error_get_hint(void);
void rw_error_clear(void);

/*
 * rw_error_save / rw_error_restore - keep the recorded error across clean-up
 * work that may fail itself (unlocking, rolling back), so the cause is
 * what gets printed. restore frees the saved copy.
 */
struct rw_error_saved;
struct rw_error_saved *rw_error_save(void);
void rw_error_restore(struct rw_error_saved *saved);

/* rw_error_print - log the recorded error (error, detail, hint), clear it */
void rw_error_print(void);

/* rw_exit_code - map 0 / negative status to a process exit status */
int rw_exit_code(int status);

/* rw_status_worse - the more severe of two statuses (for run summaries) */
int rw_status_worse(int a, int b);

#endif

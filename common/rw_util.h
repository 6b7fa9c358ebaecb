/*
 * rw_util - small checked helpers: number and date parsing, files written
 * atomically, capped reads, private-file checks.
 */
#ifndef RW_UTIL_H
#define RW_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <glib.h>

/* rw_parse_ll - whole string as a decimal integer in [min, max] */
int rw_parse_ll(long long *out, const char *s, long long min, long long max);
/* rw_parse_double - whole string as a finite double */
int rw_parse_double(double *out, const char *s);
/* rw_parse_bool - true/false/yes/no/on/off/1/0 */
int rw_parse_bool(bool *out, const char *s);
/* rw_parse_date - YYYY-MM-DD into a valid GDate */
int rw_parse_date(GDate *out, const char *s);
/* rw_format_date - YYYY-MM-DD of D into BUF (at least 11 bytes) */
void rw_format_date(char buf[static 11], const GDate *d);
/* rw_today - today's date in the local zone */
void rw_today(GDate *out);

/* rw_today_in - today's date (YYYY-MM-DD) in zone TZ (UTC if unknown) */
void rw_today_in(char out[static 11], const char *tz);

/* rw_io_status - RW_ETEMP for a full disk or quota (retry later), else
 * RW_EIO */
int rw_io_status(int err);
/* rw_mkdir_p - create DIR and parents with MODE (existing dirs kept) */
int rw_mkdir_p(const char *dir, int mode);
/*
 * rw_write_atomic - write DATA to PATH through a temporary file in the
 * same directory, fsync, rename; the file gets MODE from its creation.
 */
int rw_write_atomic(const char *path, const void *data, size_t len, int mode);
/* rw_write_output - an output file the user named: atomic for a regular
 * file (or a new one); through a symlink, to a FIFO or to a character
 * device (/dev/stdout) written in place, never replaced; anything else
 * refused (RW_EUSAGE) */
int rw_write_output(const char *path, const void *data, size_t len,
    int mode);
/*
 * rw_give_to_dir_owner - run as root, hand FD (a file just created in DIR)
 * to DIR's owner when that is not root: a lock file root creates in the
 * service user's state directory must stay openable by that user
 */
void rw_give_to_dir_owner(int fd, const char *dir);

/* rw_check_state_dir - DIR, when it exists, is a directory owned by us, by
 * root or by ALSO ((uid_t)-1: nobody else); RW_ECONFIG otherwise: never
 * fill or chmod someone else's */
int rw_check_state_dir(const char *dir, uid_t also);
/* rw_read_file - whole file, at most MAX bytes (RW_EDATA when larger) */
int rw_read_file(char **out, size_t *out_len, const char *path, size_t max);
/*
 * rw_check_private - refuse a secret-bearing file that group or others can
 * read (RW_ECONFIG naming WHAT and the path).
 */
int rw_check_private(const char *path, const char *what);

/* rw_rm_rf - remove PATH and everything under it (missing is fine) */
int rw_rm_rf(const char *path);

/* rw_strip - trim ASCII whitespace in place, return S */
char *rw_strip(char *s);

/* longest name of an SNDS source or a mailbox */
#define RW_NAME_MAX 64
/*
 * rw_name_valid - a source or mailbox name: [A-Za-z0-9_.-], 1 to
 * RW_NAME_MAX characters, no leading dot, no "..". Such names become
 * directory and file names (raw/NAME/, tokens/NAME.json).
 */
bool rw_name_valid(const char *name);
/* rw_name_check - 0, or CODE after an error naming WHAT ("SNDS source") */
int rw_name_check(const char *what, const char *name, int code);

#endif

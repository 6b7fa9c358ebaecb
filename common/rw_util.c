/*
 * rw_util - small checked helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_util.h"

int
rw_parse_ll(long long *out, const char *s, long long min, long long max)
{
	gint64 v;
	GError *err = NULL;

	if (s == NULL || *s == '\0')
		return RW_EDATA;
	if (!g_ascii_string_to_signed(s, 10, min, max, &v, &err)) {
		g_error_free(err);
		return RW_EDATA;
	}
	*out = v;
	return 0;
}

int
rw_parse_double(double *out, const char *s)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return RW_EDATA;
	errno = 0;
	v = g_ascii_strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return RW_EDATA;
	*out = v;
	return 0;
}

int
rw_parse_bool(bool *out, const char *s)
{
	static const char *const yes[] = {"true", "yes", "on", "1", NULL};
	static const char *const no[] = {"false", "no", "off", "0", NULL};

	for (int i = 0; yes[i] != NULL; i++) {
		if (g_ascii_strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (g_ascii_strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return RW_EDATA;
}

int
rw_parse_date(GDate *out, const char *s)
{
	guint64 y, m, d;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return RW_EDATA;
	char ys[5] = {s[0], s[1], s[2], s[3], 0};
	char ms[3] = {s[5], s[6], 0};
	char ds[3] = {s[8], s[9], 0};
	if (!g_ascii_string_to_unsigned(ys, 10, 1900, 9999, &y, NULL) ||
	    !g_ascii_string_to_unsigned(ms, 10, 1, 12, &m, NULL) ||
	    !g_ascii_string_to_unsigned(ds, 10, 1, 31, &d, NULL))
		return RW_EDATA;
	if (!g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return RW_EDATA;
	g_date_clear(out, 1);
	g_date_set_dmy(out, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
	return 0;
}

void
rw_format_date(char buf[static 11], const GDate *d)
{
	g_date_strftime(buf, 11, "%Y-%m-%d", d);
}

void
rw_today(GDate *out)
{
	GDateTime *now = g_date_time_new_now_local();

	g_date_clear(out, 1);
	g_date_set_dmy(out, (GDateDay)g_date_time_get_day_of_month(now),
	    (GDateMonth)g_date_time_get_month(now),
	    (GDateYear)g_date_time_get_year(now));
	g_date_time_unref(now);
}

void
rw_today_in(char out[static 11], const char *tz)
{
	GTimeZone *z = tz ? g_time_zone_new_identifier(tz) : NULL;
	GDateTime *now;
	char *s;

	if (z == NULL)
		z = g_time_zone_new_utc();
	now = g_date_time_new_now(z);
	s = g_date_time_format(now, "%Y-%m-%d");
	g_strlcpy(out, s, 11);
	g_free(s);
	g_date_time_unref(now);
	g_time_zone_unref(z);
}

int
rw_io_status(int err)
{
	return err == ENOSPC || err == EDQUOT ? RW_ETEMP : RW_EIO;
}

int
rw_mkdir_p(const char *dir, int mode)
{
	if (g_mkdir_with_parents(dir, mode) != 0)
		return rw_error_set(rw_io_status(errno), "could not create "
		    "directory \"%s\": %s", dir, g_strerror(errno));
	return 0;
}

/* write_all - write LEN bytes to FD, retrying short writes */
static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
rw_write_atomic(const char *path, const void *data, size_t len, int mode)
{
	char *tmp = g_strdup_printf("%s.tmp.XXXXXX", path);
	int fd, rc = RW_EIO;

	fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = rw_error_set(rw_io_status(errno), "could not create "
		    "\"%s\": %s", tmp, g_strerror(errno));
		goto cleanup;
	}
	if (fchmod(fd, (mode_t)mode) != 0 || write_all(fd, data, len) != 0 ||
	    fsync(fd) != 0) {
		rc = rw_error_set(rw_io_status(errno), "could not write "
		    "\"%s\": %s", path, g_strerror(errno));
		close(fd);
		unlink(tmp);
		goto cleanup;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		rw_error_set(RW_EIO, "could not replace \"%s\": %s", path,
		    g_strerror(errno));
		unlink(tmp);
		goto cleanup;
	}
	rc = 0;
cleanup:
	g_free(tmp);
	return rc;
}

int
rw_read_file(char **out, size_t *out_len, const char *path, size_t max)
{
	struct stat st;
	gchar *data = NULL;
	gsize len = 0;
	GError *err = NULL;

	if (stat(path, &st) == 0 && (size_t)st.st_size > max)
		return rw_error_set(RW_EDATA,
		    "file \"%s\" is too large (%lld bytes, limit %zu)", path,
		    (long long)st.st_size, max);
	if (!g_file_get_contents(path, &data, &len, &err)) {
		rw_error_set(RW_EIO, "could not read \"%s\": %s", path,
		    err->message);
		g_error_free(err);
		return RW_EIO;
	}
	*out = data;
	if (out_len != NULL)
		*out_len = len;
	return 0;
}

int
rw_check_private(const char *path, const char *what)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return rw_error_set(RW_ECONFIG, "could not stat %s \"%s\": %s",
		    what, path, g_strerror(errno));
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		rw_error_set(RW_ECONFIG,
		    "%s \"%s\" is accessible by group or others", what, path);
		rw_error_detail("It holds secrets and has mode %04o.",
		    (unsigned)(st.st_mode & 07777));
		rw_error_hint("Run: chmod 600 %s", path);
		return RW_ECONFIG;
	}
	return 0;
}

/* write_direct - through a symlink, to a FIFO or a character device:
 * open what is there (never replace it) and write */
static int
write_direct(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return rw_error_set(rw_io_status(errno), "could not open "
		    "\"%s\": %s", path, g_strerror(errno));
	if (write_all(fd, data, len) != 0)
		rc = rw_error_set(rw_io_status(errno), "could not write "
		    "\"%s\": %s", path, g_strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = rw_error_set(rw_io_status(errno), "could not write "
		    "\"%s\": %s", path, g_strerror(errno));
	return rc;
}

int
rw_write_output(const char *path, const void *data, size_t len, int mode)
{
	struct stat lst, st;

	if (lstat(path, &lst) != 0)
		return rw_write_atomic(path, data, len, mode);
	if (S_ISREG(lst.st_mode))
		return rw_write_atomic(path, data, len, mode);
	/* a rename would replace the symlink or the device node itself */
	if (stat(path, &st) == 0 && (S_ISREG(st.st_mode) ||
	    S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)))
		return write_direct(path, data, len);
	if (S_ISLNK(lst.st_mode) && stat(path, &st) != 0 && errno == ENOENT)
		return rw_error_set(RW_EUSAGE, "\"%s\" is a dangling symbolic "
		    "link", path);
	rw_error_set(RW_EUSAGE, "\"%s\" is not a regular file", path);
	rw_error_detail("Output goes to a file, a FIFO or a character device "
	    "such as /dev/stdout; a directory, a block device or a socket is "
	    "refused.");
	return RW_EUSAGE;
}

void
rw_give_to_dir_owner(int fd, const char *dir)
{
	struct stat st;

	if (geteuid() != 0 || fd < 0 || stat(dir, &st) != 0 || st.st_uid == 0)
		return;
	if (fchown(fd, st.st_uid, st.st_gid) != 0)
		rw_log_debug("could not give a file in \"%s\" to uid %u: %s",
		    dir, (unsigned)st.st_uid, g_strerror(errno));
}

int
rw_check_state_dir(const char *dir, uid_t also)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return errno == ENOENT ? 0 : rw_error_set(RW_ECONFIG, "could "
		    "not stat state directory \"%s\": %s", dir,
		    g_strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return rw_error_set(RW_ECONFIG, "state directory \"%s\" is not "
		    "a directory", dir);
	if (st.st_uid != geteuid() && st.st_uid != 0 && st.st_uid != also) {
		rw_error_set(RW_ECONFIG, "state directory \"%s\" belongs to "
		    "another user (uid %u)", dir, (unsigned)st.st_uid);
		rw_error_detail("repwatch keeps its database, tokens and keys "
		    "there, and would change its permissions; it only uses a "
		    "directory owned by the user running it (uid %u), by "
		    "root, or (run as root) by [database] cluster_user.",
		    (unsigned)geteuid());
		rw_error_hint("Set [paths] state_dir to a directory of your "
		    "own, or a path that does not exist yet.");
		return RW_ECONFIG;
	}
	return 0;
}

char *
rw_strip(char *s)
{
	return g_strstrip(s);
}

int
rw_rm_rf(const char *path)
{
	GDir *dir;
	const char *name;
	int rc = 0;

	if (!g_file_test(path, G_FILE_TEST_IS_DIR) ||
	    g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
		if (unlink(path) != 0 && errno != ENOENT)
			return rw_error_set(RW_EIO, "could not remove \"%s\": %s",
			    path, g_strerror(errno));
		return 0;
	}
	dir = g_dir_open(path, 0, NULL);
	while (dir != NULL && rc == 0 && (name = g_dir_read_name(dir)) != NULL) {
		char *child = g_build_filename(path, name, NULL);

		rc = rw_rm_rf(child);
		g_free(child);
	}
	if (dir != NULL)
		g_dir_close(dir);
	if (rc == 0 && rmdir(path) != 0)
		rc = rw_error_set(RW_EIO, "could not remove \"%s\": %s", path,
		    g_strerror(errno));
	return rc;
}

bool
rw_name_valid(const char *name)
{
	size_t n = 0;

	if (name == NULL || name[0] == '\0' || name[0] == '.' ||
	    strstr(name, "..") != NULL)
		return false;
	for (const char *p = name; *p != '\0'; p++, n++) {
		if (n >= RW_NAME_MAX || !(g_ascii_isalnum(*p) || *p == '_' ||
		    *p == '.' || *p == '-'))
			return false;
	}
	return true;
}

int
rw_name_check(const char *what, const char *name, int code)
{
	char *shown;
	int rc;

	if (rw_name_valid(name))
		return 0;
	/* the name is hostile by assumption: escaped, cut short */
	shown = g_strescape(name != NULL ? name : "", NULL);
	if (strlen(shown) > 2 * RW_NAME_MAX)
		shown[2 * RW_NAME_MAX] = '\0';
	rc = rw_error_set(code, "invalid %s name \"%s\"", what, shown);
	rw_error_detail("A name may hold only letters, digits, \"_\", \".\" "
	    "and \"-\" (at most %d), may not start with a dot and may not "
	    "contain \"..\": it becomes part of file names.", RW_NAME_MAX);
	g_free(shown);
	return rc;
}

/*
 * rw_prune - raw report copies past their retention (see rw_prune.h).
 */
#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_prune.h"

static int
prune_dir(long long *removed, const char *dir, GPatternSpec *glob,
    time_t cutoff)
{
	GError *err = NULL;
	GDir *d = g_dir_open(dir, 0, &err);
	const char *name;
	int rc = 0;

	if (d == NULL) {
		bool gone = g_error_matches(err, G_FILE_ERROR,
		    G_FILE_ERROR_NOENT);

		g_error_free(err);
		return gone ? 0 : rw_error_set(RW_EIO, "cannot read \"%s\"",
		    dir);
	}
	while (rc == 0 && (name = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(dir, name, NULL);
		struct stat st;

		/* lstat: a link is no file of ours, whatever it points to */
		if (lstat(path, &st) != 0) {
			g_free(path);
			continue;
		}
		if (S_ISDIR(st.st_mode))
			rc = prune_dir(removed, path, glob, cutoff);
		else if (S_ISREG(st.st_mode) && st.st_mtime < cutoff &&
		    g_pattern_spec_match_string(glob, name)) {
			if (unlink(path) == 0)
				(*removed)++;
			else if (errno != ENOENT)
				rw_log_warning("cannot remove \"%s\": %s", path,
				    g_strerror(errno));
		}
		g_free(path);
	}
	g_dir_close(d);
	return rc;
}

int
rw_prune_files(long long *out_removed, const char *dir, const char *glob,
    int keep_days)
{
	GPatternSpec *spec = g_pattern_spec_new(glob);
	long long removed = 0;
	int rc = prune_dir(&removed, dir, spec, time(NULL) -
	    (time_t)keep_days * 86400);

	g_pattern_spec_free(spec);
	if (out_removed != NULL)
		*out_removed += removed;
	return rc;
}

int
rw_prune_raw_days(const struct rw_config *cfg, const char *source,
    int keep_days)
{
	char *sec = g_strdup_printf("snds.%s", source);
	long long days = rw_config_int(cfg, sec, "raw_retention_days");

	g_free(sec);
	if (keep_days > 0 && keep_days < days)
		days = keep_days;
	return (int)days;
}

/*
 * snds_files - saved SNDS reports loaded from files and folders (see
 * snds_files.h); each file goes through snds_load_file.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_util.h"
#include "ingest/snds_files.h"

/* the snapshot day of a status file: YYYY-MM-DD in its name, else today */
static void
status_day(char day[static 11], const char *path, const char *tz)
{
	GRegex *re = g_regex_new("[0-9]{4}-[0-9]{2}-[0-9]{2}", 0, 0, NULL);
	char *base = g_path_get_basename(path);
	GMatchInfo *m = NULL;
	GDate d;

	day[0] = '\0';
	if (g_regex_match(re, base, 0, &m)) {
		char *hit = g_match_info_fetch(m, 0);

		if (rw_parse_date(&d, hit) == 0)
			g_strlcpy(day, hit, 11);
		else
			rw_error_clear();
		g_free(hit);
	}
	if (day[0] == '\0')
		rw_today_in(day, tz);
	g_match_info_free(m);
	g_free(base);
	g_regex_unref(re);
}

static int
load_one(struct snds_load_totals *t, struct rw_db *db,
    struct snds_load_opts *o, const char *path)
{
	struct snds_load_result res;
	char *url = g_strdup_printf("file:%s", path);
	int rc;

	o->input = path;
	o->log.url_masked = url;
	rc = snds_load_file(&res, db, o, path);
	g_free(url);
	if (rc != 0) {
		t->failed++;
		return rc;
	}
	t->rows += res.rows;
	t->rejected += res.rejected;
	rw_log_info("%s: %ld %s loaded, %ld rejected%s", path, res.rows,
	    o->kind == SNDS_CSV_DATA ? "rows" : "ranges", res.rejected,
	    res.rows == 0 && res.rejected == 0 && o->kind == SNDS_CSV_DATA ?
	    " (no data)" : "");
	return 0;
}

int
snds_load_files(struct snds_load_totals *out, struct rw_db *db,
    const char *source, const char *tz, bool status, const char *day,
    const char *const *paths, int npaths)
{
	struct snds_load_opts o;
	char sday[11];
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < npaths && rc == 0; i++) {
		memset(&o, 0, sizeof(o));
		o.kind = status ? SNDS_CSV_STATUS : SNDS_CSV_DATA;
		o.source = source;
		o.tz = tz;
		o.day = day;
		o.log.bytes = -1;
		if (status && day == NULL) {
			status_day(sday, paths[i], tz);
			o.day = sday;
		}
		rc = load_one(out, db, &o, paths[i]);
		out->files++;
	}
	if (rc == 0 && out->rejected > 0)
		rc = rw_error_set(RW_EDATA, "%ld rows rejected", out->rejected);
	if (rc == RW_EDATA && out->rejected > 0)
		rw_error_hint("See repwatch.snds_reject for each line and why.");
	return rc;
}

static gint
cmp_path(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * A directory may hold a FIFO (reading it would wait for ever) or a link
 * to a device such as /dev/zero (endless): only regular files, links to
 * them included, are reports. snds_load_file checks the opened file again.
 */
static bool
regular_report(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		rw_log_warning("%s: skipped: %s", path, g_strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		rw_log_warning("%s: skipped: not a regular file", path);
		return false;
	}
	return true;
}

/* sorted regular files of DIR whose names start with PREFIX, end in .csv */
static int
list_reports(GPtrArray **out, const char *dir, const char *prefix)
{
	GError *err = NULL;
	GDir *d = g_dir_open(dir, 0, &err);
	const char *n;

	*out = NULL;
	if (d == NULL) {
		int rc = rw_error_set(RW_EDATA, "cannot open directory "
		    "\"%s\": %s", dir, err->message);

		g_error_free(err);
		return rc;
	}
	*out = g_ptr_array_new_with_free_func(g_free);
	while ((n = g_dir_read_name(d)) != NULL) {
		char *path;

		if (!g_str_has_prefix(n, prefix) || !g_str_has_suffix(n, ".csv"))
			continue;
		path = g_build_filename(dir, n, NULL);
		if (regular_report(path))
			g_ptr_array_add(*out, path);
		else
			g_free(path);
	}
	g_dir_close(d);
	g_ptr_array_sort(*out, cmp_path);
	return 0;
}

static void
add_totals(struct snds_load_totals *sum, const struct snds_load_totals *t)
{
	sum->files += t->files;
	sum->rows += t->rows;
	sum->rejected += t->rejected;
	sum->failed += t->failed;
}

int
snds_load_dir(struct snds_load_totals *out, struct rw_db *db,
    const char *source, const char *tz, const char *dir)
{
	static const char *const prefixes[] = {"data-", "status-"};
	struct snds_load_totals t;
	GPtrArray *paths = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (size_t k = 0; rc == 0 && k < G_N_ELEMENTS(prefixes); k++) {
		rc = list_reports(&paths, dir, prefixes[k]);
		if (rc != 0 || paths == NULL)
			break;
		rc = snds_load_files(&t, db, source, tz, k == 1, NULL,
		    (const char *const *)paths->pdata, (int)paths->len);
		add_totals(out, &t);
		g_ptr_array_free(paths, TRUE);
		paths = NULL;
	}
	return rc;
}

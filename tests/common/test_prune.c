/*
 * Unit tests of rw_prune: which raw copies go, which stay, and the
 * retention rule shared by "snds fetch" and "prune".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "common/rw_config.h"
#include "common/rw_error.h"
#include "common/rw_prune.h"

enum entry_kind { E_FILE, E_LINK, E_DIRLINK };

struct entry {
	const char *path;   /* under the pruned directory */
	enum entry_kind kind;
	int age_days;
	bool want_kept;
};

/* pruned with keep_days = 5 */
static const struct entry entries[] = {
	{"data-2026-01-01.20260101T010203.csv", E_FILE, 10, false},
	{"data-2026-01-09.20260109T010203.csv", E_FILE, 1, true},
	{"status-2026-01-01.20260101T010203.csv", E_FILE, 6, false},
	{"status-2026-01-05.20260105T010203.csv", E_FILE, 4, true},
	{"data-2026-01-01.20260101T010203.csv.tmp.Ab12Cd", E_FILE, 10, false},
	{"main/data-2026-01-01.20260101T010203.csv", E_FILE, 30, false},
	{"main/deeper/status-2026-01-01.x.csv", E_FILE, 30, false},
	{"notes.txt", E_FILE, 30, true},
	{"README", E_FILE, 30, true},
	{"main/old.csv", E_FILE, 30, false},
	{"main/notes.csv.txt.bak", E_FILE, 30, false},
	{"main/data.json", E_FILE, 30, true},
	/* links: the link stays, and so does what it points to */
	{"data-link.old.csv", E_LINK, 30, true},
	{"linked-dir", E_DIRLINK, 30, true},
};

static void
make_entry(const char *root, const char *outside, const struct entry *e)
{
	char *path = g_build_filename(root, e->path, NULL);
	char *dir = g_path_get_dirname(path);
	time_t t = time(NULL) - (time_t)e->age_days * 86400 - 60;
	struct utimbuf ut = {t, t};

	assert_int_equal(g_mkdir_with_parents(dir, 0700), 0);
	if (e->kind == E_FILE) {
		assert_true(g_file_set_contents(path, "x", 1, NULL));
		assert_int_equal(utime(path, &ut), 0);
	} else {
		char *target = g_build_filename(outside, e->kind == E_LINK ?
		    "data-target.old.csv" : "dir", NULL);

		assert_int_equal(symlink(target, path), 0);
		g_free(target);
	}
	g_free(dir);
	g_free(path);
}

/* an old matching file, and a directory holding one, outside the tree */
static void
make_outside(const char *outside)
{
	const char *const names[] = {"data-target.old.csv",
	    "dir/data-2026-01-01.x.csv"};
	time_t t = time(NULL) - 40 * 86400;
	struct utimbuf ut = {t, t};

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		char *p = g_build_filename(outside, names[i], NULL);
		char *d = g_path_get_dirname(p);

		assert_int_equal(g_mkdir_with_parents(d, 0700), 0);
		assert_true(g_file_set_contents(p, "x", 1, NULL));
		assert_int_equal(utime(p, &ut), 0);
		g_free(d);
		g_free(p);
	}
}

static bool
exists(const char *root, const char *name)
{
	char *p = g_build_filename(root, name, NULL);
	struct stat st;
	bool there = lstat(p, &st) == 0;

	g_free(p);
	return there;
}

static void
test_prune_files(void **state)
{
	char *tmp = g_dir_make_tmp("rw_prune_XXXXXX", NULL);
	char *root = g_build_filename(tmp, "raw", NULL);
	char *outside = g_build_filename(tmp, "outside", NULL);
	long long removed = 0;
	long long want_removed = 0;

	(void)state;
	assert_non_null(tmp);
	make_outside(outside);
	for (size_t i = 0; i < G_N_ELEMENTS(entries); i++) {
		make_entry(root, outside, &entries[i]);
		want_removed += entries[i].want_kept ? 0 : 1;
	}
	assert_int_equal(rw_prune_files(&removed, root, RW_PRUNE_RAW_GLOB, 5),
	    0);
	for (size_t i = 0; i < G_N_ELEMENTS(entries); i++) {
		const struct entry *e = &entries[i];
		bool got = exists(root, e->path);

		if (got != e->want_kept) {
			print_error("%s: got %s, want %s\n", e->path,
			    got ? "kept" : "removed",
			    e->want_kept ? "kept" : "removed");
			fail();
		}
	}
	if (removed != want_removed) {
		print_error("removed: got %lld, want %lld\n", removed,
		    want_removed);
		fail();
	}
	/* nothing reached through a link went */
	assert_true(exists(outside, "data-target.old.csv"));
	assert_true(exists(outside, "dir/data-2026-01-01.x.csv"));
	/* a missing directory is no error; nothing counted */
	removed = 0;
	assert_int_equal(rw_prune_files(&removed, "/nonexistent/raw",
	    RW_PRUNE_RAW_GLOB, 5), 0);
	assert_int_equal(removed, 0);
	{
		char rm[] = "rm", rf[] = "-rf";
		char *argv[] = {rm, rf, tmp, NULL};

		assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH,
		    NULL, NULL, NULL, NULL, NULL, NULL));
	}
	g_free(outside);
	g_free(root);
	g_free(tmp);
}

struct days_case {
	const char *conf;
	int keep_days;
	int want;
};

static const struct days_case days_cases[] = {
	{"[snds.main]\ntimezone = UTC\n", 0, 90},        /* the default */
	{"[snds.main]\ntimezone = UTC\n", 400, 90},      /* longer: ignored */
	{"[snds.main]\ntimezone = UTC\n", 60, 60},       /* shorter wins */
	{"[snds.main]\nraw_retention_days = 10\n", 60, 10},
	{"[snds.main]\nraw_retention_days = 0\n", 60, 0}, /* none kept */
	{"[snds.main]\nraw_retention_days = 30\n", 0, 30},
};

static void
test_raw_days(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(days_cases); i++) {
		const struct days_case *c = &days_cases[i];
		struct rw_config *cfg = NULL;
		int got;

		assert_int_equal(rw_config_load_data(&cfg, "t.conf", c->conf),
		    0);
		got = rw_prune_raw_days(cfg, "main", c->keep_days);
		if (got != c->want) {
			print_error("case %zu (keep_days %d): got %d, want "
			    "%d\n", i, c->keep_days, got, c->want);
			fail();
		}
		rw_config_free(cfg);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prune_files),
		cmocka_unit_test(test_raw_days),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests of mta/mta_reader's copies in temporary directories: a
 * logrotate compress in progress and mail.log.save, copies judged beyond
 * the first line (PowerMTA's header-only file), two new copies read once,
 * a copy its original outgrew, a copy in progress, three files with the
 * same new lines; random rotation sequences, every line yielded once.
 * The steps shared with test_mta_reader.c are in reader_lib.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>

#include "mta/mta_reader.h"
#include "reader_lib.h"

/*
 * logrotate's compress: while mail.log.1 and the half-written
 * mail.log.1.gz both exist, the .gz is a copy: not read, and not read
 * later either, once complete and alone; a copy in the pattern
 * (mail.log.save) likewise
 */
static void test_copies(void **state)
{
	struct state *s = *state;
	const char *want = put_lines(s, "mail.log", "line ", 1, 60000);
	char *got = run_pos(s, false);
	assert_string_equal(got, want);
	g_free(got);
	mv(s, "mail.log", "mail.log.1");
	put(s, "mail.log", "x\n", "w");
	step(s, false, "x", "after rotation");
	gzip_prefix(s, "mail.log.1", false);
	step(s, false, "", "compress in progress");
	assert_int_equal(s->stats.copies, 1);
	gzip_prefix(s, "mail.log.1", true);
	step(s, false, "", "compressed, the plain file still there");
	rm(s, "mail.log.1");
	step(s, false, "", "compressed and alone");
	/* a copy of the live file inside the pattern */
	put(s, "mail.log", "y\n", "a");
	step(s, false, "y", "live file");
	copy_file(s, "mail.log", "mail.log.save", 0);
	step(s, false, "", "mail.log.save");
	put(s, "mail.log", "z\n", "a");
	step(s, false, "z", "the live file goes on, the copy is not read");
	step(s, false, "", "re-run");
}

/*
 * PowerMTA's accounting files all start with the header row: a new file
 * is no copy of a file holding the header alone (a quiet hour), so its
 * rows are read in the run that first sees it, not one run late; a new
 * header-only file is all the start of another: a copy, harmless, as its
 * rows are read once written
 */
static void test_header_only_original(void **state)
{
	struct state *s = *state;
	g_free(s->source);
	s->source = g_build_filename(s->dir, "acct-*.csv", NULL);
	const char *hdr = "type,timeLogged,rcpt,dsnDiag\n";
	put(s, "acct-2026-12-07-0600.csv", hdr, "w");
	step(s, false, "type,timeLogged,rcpt,dsnDiag", "header-only file");
	char *text = g_strconcat(hdr, "b,05:00,a@outlook.com,S3150 1\n",
	    "b,05:01,b@outlook.com,S3150 2\n",
	    "b,05:02,c@outlook.com,S3150 3\n", NULL);
	put(s, "acct-2026-12-07-0100.csv", text, "w");
	step(s, false, "type,timeLogged,rcpt,dsnDiag|"
	    "b,05:00,a@outlook.com,S3150 1|b,05:01,b@outlook.com,S3150 2|"
	    "b,05:02,c@outlook.com,S3150 3", "a new file with rows");
	if (s->stats.copies != 0)
		fail_msg("copies: got %zu, want 0", s->stats.copies);
	step(s, false, "", "re-run");
	/* two new files in one run: the header-only one is no copy either */
	put(s, "acct-2026-12-07-0700.csv", hdr, "w");
	put(s, "acct-2026-12-07-0200.csv", "type,timeLogged,rcpt,dsnDiag\n"
	    "b,06:00,d@outlook.com,S3150 4\n", "w");
	step(s, false, "type,timeLogged,rcpt,dsnDiag|"
	    "b,06:00,d@outlook.com,S3150 4", "two new files");
	if (s->stats.copies != 1)
		fail_msg("copies of two new files: got %zu, want 1 (the "
		    "header-only one)", s->stats.copies);
	/* its rows, once written, are read */
	put(s, "acct-2026-12-07-0700.csv", "b,07:00,e@outlook.com,S3150 5\n",
	    "a");
	step(s, false, "b,07:00,e@outlook.com,S3150 5", "rows after the header");
	step(s, false, "", "re-run");
	g_free(text);
}

/*
 * logrotate's compress window on a first run (or with the plain file
 * never read at an offset): mail.log.1 and the half-written mail.log.1.gz
 * are both new; the lines are read once, and not again when the .gz is
 * complete and alone; likewise a copy longer than the live file
 */
static void test_copies_both_new(void **state)
{
	struct state *s = *state;
	const char *want = put_lines(s, "mail.log.1", "line ", 1, 72);
	put(s, "mail.log", "", "w");
	gzip_prefix(s, "mail.log.1", false);
	step(s, false, want, "plain and half .gz, both new");
	if (s->stats.copies != 1)
		fail_msg("copies: got %zu, want 1", s->stats.copies);
	gzip_prefix(s, "mail.log.1", true);
	step(s, false, "", "the .gz complete, the plain still there");
	rm(s, "mail.log.1");
	step(s, false, "", "the .gz alone");
	/* the live file and a shorter copy, both new */
	const char *want2 = put_lines(s, "mail.log", "live ", 1, 10);
	copy_file(s, "mail.log", "mail.log.save", 40);
	step(s, false, want2, "live file and a shorter copy");
	put(s, "mail.log", "more\n", "a");
	step(s, false, "more", "the live file goes on");
	rm(s, "mail.log");
	step(s, false, "", "the copy alone");
}

/*
 * a copy its original outgrew (copytruncate's window after the copy):
 * once the original is truncated, the copy is not read again from 0
 */
static void test_copy_outgrown(void **state)
{
	struct state *s = *state;
	step(s, false, put_lines(s, "mail.log", "line ", 1, 100), "100 lines");
	const char *want2 = put_lines(s, "mail.log", "line ", 101, 110);
	copy_file(s, "mail.log", "mail.log.1", 0);
	const char *want3 = put_lines(s, "mail.log", "line ", 111, 115);
	step(s, false, keep(s, g_strconcat(want2, "|", want3, NULL)),
	    "the copy and 5 more lines");
	put(s, "mail.log", "new 1\nnew 2\nnew 3\n", "w");
	step(s, false, "new 1|new 2|new 3", "truncated, 3 new lines");
	step(s, false, "", "re-run");
}

/*
 * copytruncate's copy still being written when the run comes: the copy
 * is shorter; when complete (with lines the live file got meanwhile) and
 * the live file truncated, the copy's lines past the live file's
 * checkpoint are read, each once
 */
static void test_copy_in_progress(void **state)
{
	struct state *s = *state;
	step(s, false, put_lines(s, "mail.log", "line ", 1, 100), "100 lines");
	const char *want2 = put_lines(s, "mail.log", "line ", 101, 110);
	copy_file(s, "mail.log", "mail.log.1", 850);
	step(s, false, want2, "a partial copy");
	const char *want3 = put_lines(s, "mail.log", "line ", 111, 112);
	copy_file(s, "mail.log", "mail.log.1", 0);
	put(s, "mail.log", "new 1\n", "w");
	step(s, false, keep(s, g_strconcat(want3, "|new 1", NULL)),
	    "the copy complete, the live file truncated");
	step(s, false, "", "re-run");
}

/*
 * step_once - a run must yield "PREFIX<from>".."PREFIX<to>" each once, in
 * any order (files are read by rotation order, not by content)
 */
static void step_once(struct state *s, const char *prefix, int from, int to,
    const char *what)
{
	char *got = run_pos(s, false);
	char **v = g_strsplit(got, "|", -1);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	guint n = 0;
	for (char **l = v; *got && *l; l++, n++)
		if (!g_hash_table_add(seen, *l))
			fail_msg("%s: \"%s\" yielded twice", what, *l);
	for (int i = from; i <= to; i++) {
		char *want = g_strdup_printf("%s%d", prefix, i);
		if (!g_hash_table_contains(seen, want))
			fail_msg("%s: \"%s\" not yielded", what, want);
		g_free(want);
	}
	if (n != (guint)(to - from + 1))
		fail_msg("%s: got %u lines, want %d", what, n, to - from + 1);
	g_hash_table_destroy(seen);
	g_strfreev(v);
	g_free(got);
}

/*
 * three files holding the same new lines in one run (found by
 * test_random_rotations): a new mail.log.save that takes the checkpoint
 * of the old copy it replaced, the live file renamed to mail.log.1 and
 * its half-written .gz; every line once
 */
static void test_copies_three(void **state)
{
	struct state *s = *state;
	step(s, false, put_lines(s, "mail.log", "line ", 1, 10), "10 lines");
	copy_file(s, "mail.log", "mail.log.save", 0);
	step(s, false, "", "a copy");
	put_lines(s, "mail.log", "line ", 11, 300);
	copy_file(s, "mail.log", "mail.log.save", 0);
	put_lines(s, "mail.log", "line ", 301, 304);
	mv(s, "mail.log", "mail.log.1");
	gzip_prefix(s, "mail.log.1", false);
	step_once(s, "line ", 11, 304, "a new copy, renamed, half gzipped");
	gzip_prefix(s, "mail.log.1", true);
	rm(s, "mail.log.1");
	step(s, false, "", "the .gz alone, the copy still there");
}

/* the random rotation test: a small deterministic generator (xorshift) */
struct prop {
	struct state *s;
	uint64_t rng;
	bool header;       /* every file starts with the same header row */
	int next;          /* the number of the next data line */
	GHashTable *count; /* line -> times yielded */
	GString *log;      /* the operations, for the failure message */
};

static unsigned rnd(struct prop *p, unsigned n)
{
	p->rng ^= p->rng << 13;
	p->rng ^= p->rng >> 7;
	p->rng ^= p->rng << 17;
	return (unsigned)(p->rng % n);
}

static bool exists(struct state *s, const char *name)
{
	char *p = path_of(s, name);
	bool yes = g_file_test(p, G_FILE_TEST_EXISTS);
	g_free(p);
	return yes;
}

static gsize size_of(struct state *s, const char *name)
{
	char *p = path_of(s, name);
	gchar *data = NULL;
	gsize len = 0;
	if (!g_file_get_contents(p, &data, &len, NULL))
		len = 0;
	g_free(data);
	g_free(p);
	return len;
}

/* prop_append - N data lines to NAME, the header first in a new file */
static void prop_append(struct prop *p, const char *name, unsigned n)
{
	GString *t = g_string_new(NULL);
	if (p->header && size_of(p->s, name) == 0)
		g_string_append(t, "type,timeLogged,rcpt\n");
	for (unsigned i = 0; i < n; i++)
		g_string_append_printf(t, "b,L%d,x@outlook.com\n", ++p->next);
	put(p->s, name, t->str, "a");
	g_string_append_printf(p->log, "append %u to %s; ", n, name);
	g_string_free(t, TRUE);
}

static void prop_run(struct prop *p)
{
	char *got = run_pos(p->s, false);
	char **v = g_strsplit(got, "|", -1);
	for (char **l = v; *got && *l; l++) {
		if (strcmp(*l, "type,timeLogged,rcpt") == 0)
			continue;
		gpointer n = g_hash_table_lookup(p->count, *l);
		g_hash_table_insert(p->count, g_strdup(*l),
		    GINT_TO_POINTER(GPOINTER_TO_INT(n) + 1));
	}
	g_string_append_printf(p->log, "run (%zu copies); ",
	    p->s->stats.copies);
	g_strfreev(v);
	g_free(got);
}

/* prop_shift - mail.log.N[.gz] to mail.log.N+1[.gz], the highest first */
static void prop_shift(struct prop *p)
{
	for (int n = 60; n >= 1; n--) {
		const char *ext[] = {"", ".gz"};
		for (size_t e = 0; e < 2; e++) {
			char *a = g_strdup_printf("mail.log.%d%s", n, ext[e]);
			char *b = g_strdup_printf("mail.log.%d%s", n + 1,
			    ext[e]);
			if (exists(p->s, a))
				mv(p->s, a, b);
			g_free(a);
			g_free(b);
		}
	}
}

/*
 * prop_compress - NAME to NAME.gz; in a compress window (sometimes) a run
 * sees the plain file beside the half-written .gz
 */
static void prop_compress(struct prop *p, const char *name)
{
	if (!exists(p->s, name))
		return;
	if (rnd(p, 2) == 0) {
		gzip_prefix(p->s, name, false);
		g_string_append_printf(p->log, "half-gzip %s; ", name);
		prop_run(p);
	}
	gzip_file(p->s, name);
	g_string_append_printf(p->log, "gzip %s; ", name);
}

/* prop_rotate - one of logrotate's ways, the MTA going on meanwhile */
static void prop_rotate(struct prop *p)
{
	unsigned how = rnd(p, 3);
	prop_shift(p);
	if (how == 2 && exists(p->s, "mail.log")) {
		/* copytruncate, the copy sometimes seen while written */
		gsize len = size_of(p->s, "mail.log");
		if (rnd(p, 2) == 0) {
			copy_file(p->s, "mail.log", "mail.log.1",
			    len ? rnd(p, (unsigned)len) + 1 : 0);
			g_string_append(p->log, "partial copy; ");
			prop_run(p);
			prop_append(p, "mail.log", rnd(p, 3));
		}
		copy_file(p->s, "mail.log", "mail.log.1", 0);
		put(p->s, "mail.log", "", "w");
		g_string_append(p->log, "copytruncate; ");
	} else if (exists(p->s, "mail.log")) {
		mv(p->s, "mail.log", "mail.log.1");
		g_string_append(p->log, "rename; ");
		if (rnd(p, 3) == 0)
			prop_append(p, "mail.log.1", 1 + rnd(p, 2));
	}
	if (how == 0)
		prop_compress(p, "mail.log.1"); /* compress at once */
	else
		prop_compress(p, "mail.log.2"); /* delaycompress */
}

/*
 * prop_expire - right after a run (nothing unread is lost), the rotated
 * files past the fourth removed, as logrotate's rotate 4
 */
static void prop_expire(struct prop *p)
{
	prop_run(p);
	for (int n = 5; n <= 61; n++) {
		const char *ext[] = {"", ".gz"};
		for (size_t e = 0; e < 2; e++) {
			char *a = g_strdup_printf("mail.log.%d%s", n, ext[e]);
			char *x = path_of(p->s, a);
			if (g_unlink(x) == 0)
				g_string_append_printf(p->log, "rm %s; ", a);
			g_free(x);
			g_free(a);
		}
	}
}

/* prop_save - a copy of the live file in the pattern (mail.log.save) */
static void prop_save(struct prop *p)
{
	if (!exists(p->s, "mail.log"))
		return;
	copy_file(p->s, "mail.log", "mail.log.save", 0);
	g_string_append(p->log, "cp mail.log mail.log.save; ");
}

static void prop_sequence(uint64_t seed, bool header)
{
	struct state *s = NULL;
	setup((void **)&s);
	struct prop p = {s, seed * 0x9E3779B97F4A7C15ULL + 1, header, 0,
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
	    g_string_new(NULL)};
	for (int op = 0; op < 40; op++) {
		unsigned what = rnd(&p, 8);
		if (what <= 2)
			prop_append(&p, "mail.log",
			    rnd(&p, 8) == 0 ? 300 : 1 + rnd(&p, 4));
		else if (what <= 4)
			prop_run(&p);
		else if (what == 5)
			prop_rotate(&p);
		else if (what == 6)
			prop_expire(&p);
		else
			prop_save(&p);
	}
	prop_run(&p);
	for (int i = 1; i <= p.next; i++) {
		char *l = g_strdup_printf("b,L%d,x@outlook.com", i);
		int n = GPOINTER_TO_INT(g_hash_table_lookup(p.count, l));
		if (n != 1)
			fail_msg("seed %llu%s: line L%d yielded %d times, want "
			    "once; %s", (unsigned long long)seed,
			    header ? " (header)" : "", i, n, p.log->str);
		g_free(l);
	}
	g_hash_table_destroy(p.count);
	g_string_free(p.log, TRUE);
	teardown((void **)&s);
}

/*
 * random sequences of appends, runs and rotations (rename, rename and
 * gzip, delaycompress, copytruncate, compress windows, copies seen while
 * written, old files removed after a run, a mail.log.save copy), with and
 * without a shared header row: after a final run every line written was
 * yielded exactly once
 */
static void test_random_rotations(void **state)
{
	(void)state;
	/*
	 * PROP_SEED=N runs sequence N alone (the failure names it),
	 * PROP_SEEDS=N the first N (a longer search than the suite's 100)
	 */
	const char *one = getenv("PROP_SEED"), *many = getenv("PROP_SEEDS");
	uint64_t from = one ? strtoull(one, NULL, 10) : 1;
	uint64_t to = one ? from : many ? strtoull(many, NULL, 10) : 100;
	for (uint64_t seed = from; seed <= to; seed++) {
		prop_sequence(seed, false);
		prop_sequence(seed, true);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_copies, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_header_only_original, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copies_both_new, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copy_outgrown, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copy_in_progress, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copies_three, setup,
		    teardown),
		cmocka_unit_test(test_random_rotations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

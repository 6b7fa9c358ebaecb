/*
 * mta_bench - how fast MTA log lines are read, parsed and classified on one
 * thread (issue 15's benchmark, tests/bench/mta_bench.sh; not a test).
 *
 *   mta_bench [--type T] [--ip-by-service SPEC] [--source-ip IP]
 *             [--timezone Z] [--read-only] [--summary] FILE
 *
 * Reads FILE through mta_reader and sets up the parser and classifier with
 * mta_source_parser / mta_source_classifier, as "repwatch mta load" does
 * (syslog stamps dated by the time of reading), then parses every line
 * with mta_parse_line and classifies every attempt with mta_classify.
 * Prints one
 * line "lines N attempts N microsoft N bad N seconds S cpu S lines_per_s R
 * rss_kb K" (seconds: wall; cpu: this process's user+system), and with
 * --summary one line per sending IP and class with the S-codes seen:
 * "ip IP class C attempts N scodes S775:3,S3114:1". --read-only stops after
 * reading (the cost of the reader alone).
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <glib.h>

#include "common/rw_error.h"
#include "common/rw_log.h"
#include "mta/mta_classify.h"
#include "mta/mta_parse.h"
#include "mta/mta_reader.h"
#include "mta/mta_source.h"

struct bench {
	size_t lines, attempts, microsoft, bad;
	GHashTable *by_key;   /* "ip\tclass" -> struct tally */
};

struct tally {
	size_t attempts;
	GHashTable *scodes;   /* "S775" -> count (GUINT_TO_POINTER) */
};

static double
now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
tally_free(gpointer p)
{
	struct tally *t = p;

	g_hash_table_destroy(t->scodes);
	g_free(t);
}

/* count - one attempt into the summary (IP, class, S-code) */
static void
count(struct bench *b, const struct mta_attempt *a,
    const struct mta_verdict *v)
{
	char *key = g_strdup_printf("%s\t%s",
	    a->source_ip[0] != '\0' ? a->source_ip : "-",
	    mta_class_name(v->cls));
	struct tally *t = g_hash_table_lookup(b->by_key, key);
	guint n;

	if (t == NULL) {
		t = g_new0(struct tally, 1);
		t->scodes = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, NULL);
		g_hash_table_insert(b->by_key, key, t);
	} else {
		g_free(key);
	}
	t->attempts++;
	if (a->scode[0] != '\0') {
		n = GPOINTER_TO_UINT(g_hash_table_lookup(t->scodes, a->scode));
		g_hash_table_replace(t->scodes, g_strdup(a->scode),
		    GUINT_TO_POINTER(n + 1));
	}
}

static gint
cmp_str(gconstpointer x, gconstpointer y)
{
	return strcmp(x, y);
}

/* print_summary - the tallies, sorted by IP and class */
static void
print_summary(const struct bench *b)
{
	GList *keys = g_list_sort(g_hash_table_get_keys(b->by_key), cmp_str);

	for (GList *k = keys; k != NULL; k = k->next) {
		const char *key = k->data;
		const struct tally *t = g_hash_table_lookup(b->by_key, key);
		GList *codes = g_list_sort(g_hash_table_get_keys(t->scodes),
		    cmp_str);
		const char *tab = strchr(key, '\t');

		printf("ip %.*s class %s attempts %zu scodes ",
		    (int)(tab - key), key, tab + 1, t->attempts);
		for (GList *c = codes; c != NULL; c = c->next)
			printf("%s%s:%u", c != codes ? "," : "",
			    (const char *)c->data, GPOINTER_TO_UINT(
			    g_hash_table_lookup(t->scodes, c->data)));
		printf("%s\n", codes == NULL ? "-" : "");
		g_list_free(codes);
	}
	g_list_free(keys);
}

/* run - read, parse and classify every line of FILE */
static int
run(struct bench *b, const char *file, struct mta_parser *p,
    const struct mta_classifier *c, bool read_only, bool summary)
{
	struct mta_reader *r = NULL;
	struct mta_attempt a;
	struct mta_verdict v;
	const char *line, *name;
	size_t len;
	uint64_t lineno;
	bool found;
	int rc;

	rc = mta_reader_new(&r, file, MTA_LINE_MAX, NULL, 0);
	if (rc != 0)
		return rc;
	for (;;) {
		rc = mta_reader_next(r, &line, &len, &name, &lineno);
		if (rc != 0 || line == NULL)
			break;
		b->lines++;
		if (read_only)
			continue;
		if (mta_parse_line(&a, &found, p, line, len) != 0) {
			b->bad++;
			continue;
		}
		if (!found)
			continue;
		b->attempts++;
		mta_classify(&v, c, &a);
		if (v.microsoft)
			b->microsoft++;
		if (summary)
			count(b, &a, &v);
	}
	mta_reader_free(r);
	return rc;
}

int
main(int argc, char **argv)
{
	char *type = NULL, *services = NULL, *source_ip = NULL, *zone = NULL;
	gboolean read_only = FALSE, summary = FALSE;
	GOptionEntry entries[] = {
		{"type", 0, 0, G_OPTION_ARG_STRING, &type, "log type", "T"},
		{"ip-by-service", 0, 0, G_OPTION_ARG_STRING, &services,
		    "service:ip,...", "SPEC"},
		{"source-ip", 0, 0, G_OPTION_ARG_STRING, &source_ip,
		    "the one sending IP", "IP"},
		{"timezone", 0, 0, G_OPTION_ARG_STRING, &zone,
		    "zone of stamps without one", "Z"},
		{"read-only", 0, 0, G_OPTION_ARG_NONE, &read_only,
		    "only read the lines", NULL},
		{"summary", 0, 0, G_OPTION_ARG_NONE, &summary,
		    "counts per IP and class", NULL},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionContext *ctx = g_option_context_new("FILE");
	GError *err = NULL;
	struct bench b = {0};
	struct mta_parser *p = NULL;
	struct mta_classifier *c = NULL;
	char name[] = "bench";
	struct mta_source src = {.name = name};
	char *svc[] = {NULL, NULL};
	struct rusage ru;
	double t0, c0, secs, cpu;
	int rc = 1;

	rw_log_init("mta_bench", 0, false);
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2) {
		fprintf(stderr, "mta_bench: %s\n",
		    err != NULL ? err->message : "one FILE");
		g_clear_error(&err);
		g_option_context_free(ctx);
		g_free(type);
		g_free(services);
		g_free(source_ip);
		g_free(zone);
		return 64;
	}
	b.by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    tally_free);
	svc[0] = services;
	src.source_ip = source_ip;
	src.ip_by_service = services != NULL ? svc : NULL;
	src.timezone = zone;
	if (mta_format_parse(&src.format, type != NULL ? type : "postfix") != 0 ||
	    mta_source_parser(&p, &src, g_get_real_time() / G_USEC_PER_SEC) !=
	    0 || mta_source_classifier(&c, &src) != 0) {
		rw_error_print();
		goto cleanup;
	}
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	if (run(&b, argv[1], p, c, read_only, summary) != 0) {
		rw_error_print();
		goto cleanup;
	}
	secs = now(CLOCK_MONOTONIC) - t0;
	cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	getrusage(RUSAGE_SELF, &ru);
	printf("lines %zu attempts %zu microsoft %zu bad %zu seconds %.3f "
	    "cpu %.3f lines_per_s %.0f rss_kb %ld\n", b.lines, b.attempts,
	    b.microsoft, b.bad, secs, cpu,
	    (double)b.lines / (secs > 1e-6 ? secs : 1e-6), ru.ru_maxrss);
	if (summary)
		print_summary(&b);
	rc = 0;
cleanup:
	mta_classifier_free(c);
	mta_parser_free(p);
	g_hash_table_destroy(b.by_key);
	g_option_context_free(ctx);
	g_free(type);
	g_free(services);
	g_free(source_ip);
	g_free(zone);
	return rc;
}

/*
 * app_nightly - the unattended run: locks, the ordered steps, the summary and
 * its record in repwatch.run_log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "analyze/an_run.h"
#include "app/app_cmds.h"
#include "app/app_nightly.h"
#include "app/app_prune.h"
#include "arf/arf_ingest.h"
#include "common/rw_error.h"
#include "common/rw_json.h"
#include "common/rw_log.h"
#include "common/rw_util.h"
#include "ingest/snds_fetch.h"
#include "ingest/snds_source.h"
#include "mta/mta_load.h"
#include "mta/mta_source.h"
#include "out/out_html.h"
#include "out/out_notify.h"
#include "out/out_prom.h"

struct run {
	struct app_nightly_result *res;
	struct app *app;
};

static void
step_free(gpointer p)
{
	struct app_nightly_step *s = p;

	g_free(s->kind);
	g_free(s->arg);
	g_free(s->counts);
	g_free(s->message);
	g_free(s);
}

void
app_nightly_result_clear(struct app_nightly_result *r)
{
	if (r->steps != NULL)
		g_ptr_array_free(r->steps, TRUE);
	memset(r, 0, sizeof(*r));
}

char *
app_nightly_lock_path(struct app *app)
{
	g_autofree char *state = rw_config_state_dir(app->cfg);

	return g_build_filename(state, "nightly.lock", NULL);
}

/* take_flock - the file lock; kept by the open descriptor until exit */
static int
take_flock(int *out_fd, struct app *app)
{
	g_autofree char *path = app_nightly_lock_path(app);
	g_autofree char *dir = g_path_get_dirname(path);
	int rc = rw_mkdir_p(dir, 0700);
	int fd;

	*out_fd = -1;
	if (rc != 0)
		return rc;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return rw_error_set(RW_ECONFIG, "cannot open lock file "
		    "\"%s\": %s", path, g_strerror(errno));
	rw_give_to_dir_owner(fd, dir);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		close(fd);
		if (e != EWOULDBLOCK)
			return rw_error_set(RW_EIO, "cannot lock \"%s\": %s",
			    path, g_strerror(e));
		rw_error_set(RW_ETEMP, "another nightly run is in progress");
		rw_error_detail("The lock file \"%s\" is held.", path);
		return RW_ETEMP;
	}
	*out_fd = fd;
	return 0;
}

static int
take_db_lock(struct app *app)
{
	struct rw_db *db = NULL;
	bool taken = false;
	int rc = app_db(&db, app);

	if (rc == 0)
		rc = rw_db_trylock(&taken, db, RW_LOCK_NIGHTLY);
	if (rc == 0 && !taken) {
		rc = rw_error_set(RW_ETEMP, "another nightly run is in "
		    "progress");
		rw_error_detail("Another session holds the nightly advisory "
		    "lock on %s.", rw_db_where(db));
	}
	return rc;
}

/* ---- run_log -------------------------------------------------------- */

static int
log_start(struct app_nightly_result *res, struct app *app)
{
	struct rw_db *db = NULL;
	char *id = NULL;
	long long v = 0;
	int rc = app_db(&db, app);

	if (rc == 0)
		rc = rw_db_query1(&id, db, "INSERT INTO repwatch.run_log "
		    "(command) VALUES ('nightly') RETURNING id", 0, NULL);
	if (rc == 0 && rw_parse_ll(&v, id, 1, G_MAXINT64) == 0)
		res->run_id = v;
	g_free(id);
	return rc;
}

static void
json_step(JsonBuilder *b, const struct app_nightly_step *s)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "step");
	json_builder_add_string_value(b, s->kind);
	json_builder_set_member_name(b, "arg");
	json_builder_add_string_value(b, s->arg);
	json_builder_set_member_name(b, "outcome");
	json_builder_add_string_value(b, s->status != 0 ? "failed" :
	    s->skipped ? "skipped" : "ok");
	json_builder_set_member_name(b, "exit");
	json_builder_add_int_value(b, rw_exit_code(s->status));
	json_builder_set_member_name(b, "counts");
	json_builder_add_string_value(b, s->counts);
	json_builder_set_member_name(b, "message");
	json_builder_add_string_value(b, s->message);
	json_builder_set_member_name(b, "seconds");
	json_builder_add_double_value(b, s->seconds);
	json_builder_end_object(b);
}

static char *
summary_json(const struct app_nightly_result *res)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *root;
	char *text;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "steps");
	json_builder_begin_array(b);
	for (guint i = 0; i < res->steps->len; i++)
		json_step(b, res->steps->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	text = rw_json_to_string(root);
	json_node_unref(root);
	g_object_unref(b);
	return text;
}

static void
log_finish(struct app_nightly_result *res, struct app *app)
{
	g_autofree char *json = summary_json(res);
	g_autofree char *id = g_strdup_printf("%lld", res->run_id);
	g_autofree char *code = g_strdup_printf("%d",
	    rw_exit_code(res->status));
	const char *params[] = {id, code, json};
	struct rw_db *db = NULL;

	if (res->run_id == 0 || app_db(&db, app) != 0 ||
	    rw_db_query(NULL, db, "UPDATE repwatch.run_log SET finished_at = "
	    "now(), exit_code = $2::int, summary = $3::jsonb WHERE id = "
	    "$1::bigint", 3, params) != 0) {
		rw_log_warning("nightly run not recorded in repwatch.run_log");
		rw_error_print();
	}
}

/* ---- steps ---------------------------------------------------------- */

static void
run_step(struct run *run, const char *kind, const char *arg, app_nightly_fn fn)
{
	struct app_nightly_step *s = g_new0(struct app_nightly_step, 1);
	GString *counts = g_string_new(NULL);
	gint64 t0 = g_get_monotonic_time();

	s->kind = g_strdup(kind);
	s->arg = g_strdup(arg);
	rw_error_clear();
	s->status = fn(counts, run->app, arg);
	if (s->status != 0) {
		/* a step that printed its own errors recorded none */
		s->message = g_strdup(rw_error_code() != 0 ?
		    rw_error_message() : "see the errors above");
		if (rw_error_code() != 0)
			rw_error_print();
	}
	s->seconds = (double)(g_get_monotonic_time() - t0) / 1e6;
	s->counts = g_string_free(counts, FALSE);
	g_ptr_array_add(run->res->steps, s);
	run->res->status = rw_status_worse(run->res->status, s->status);
}

static void
skip_step(struct run *run, const char *kind, const char *why)
{
	struct app_nightly_step *s = g_new0(struct app_nightly_step, 1);

	s->kind = g_strdup(kind);
	s->skipped = true;
	s->counts = g_strdup(why);
	g_ptr_array_add(run->res->steps, s);
}

/* fail_step - a step that could not start: the recorded error is why */
static void
fail_step(struct run *run, const char *kind, const char *arg)
{
	struct app_nightly_step *s = g_new0(struct app_nightly_step, 1);

	s->kind = g_strdup(kind);
	s->arg = g_strdup(arg);
	s->status = rw_error_code() != 0 ? rw_error_code() : RW_EFAIL;
	s->message = g_strdup(rw_error_message());
	rw_error_print();
	g_ptr_array_add(run->res->steps, s);
	run->res->status = rw_status_worse(run->res->status, s->status);
}

static void
fetch_steps(struct run *run, const struct app_nightly_ops *ops)
{
	struct rw_db *db = NULL;
	char **names = NULL;
	int rc = app_db(&db, run->app);

	if (rc == 0)
		rc = snds_source_names(&names, run->app->cfg, db);
	if (rc != 0) {
		/* a failure, not a skip: the run's status must show it */
		g_strfreev(names);
		fail_step(run, "fetch", NULL);
		return;
	}
	if (names == NULL || names[0] == NULL)
		skip_step(run, "fetch", "no SNDS source configured");
	for (int i = 0; names != NULL && names[i] != NULL; i++)
		run_step(run, "fetch", names[i], ops->fetch);
	g_strfreev(names);
}

static void
ingest_steps(struct run *run, const struct app_nightly_ops *ops)
{
	char **names = rw_config_instances(run->app->cfg, "mailbox");

	if (names == NULL || names[0] == NULL)
		skip_step(run, "ingest", "no mailbox configured");
	for (int i = 0; names != NULL && names[i] != NULL; i++)
		run_step(run, "ingest", names[i], ops->ingest);
	g_strfreev(names);
}

/* mta_steps - one load per [mta.NAME] log source, before the analysis */
static void
mta_steps(struct run *run, const struct app_nightly_ops *ops)
{
	char **names = mta_source_names(run->app->cfg);

	if (names == NULL || names[0] == NULL)
		skip_step(run, "mta", "no MTA log source configured");
	for (int i = 0; names != NULL && names[i] != NULL; i++)
		run_step(run, "mta", names[i], ops->mta);
	g_strfreev(names);
}

/*
 * analyze_step - the days an_run_pending names; when they cannot be read
 * (the database failed), the step fails with that error
 */
static void
analyze_step(struct run *run, const struct app_nightly_ops *ops)
{
	g_autofree char *from = NULL, *to = NULL, *range = NULL;
	struct rw_db *db = NULL;
	int rc = app_db(&db, run->app);

	if (rc == 0)
		rc = an_run_sync_timezone(db, run->app->cfg);
	if (rc == 0)
		rc = an_run_pending(&from, &to, db);
	if (rc != 0) {
		fail_step(run, "analyze", NULL);
	} else if (to == NULL) {
		skip_step(run, "analyze", "no SNDS or MTA data yet");
	} else {
		range = g_strdup_printf("%s..%s", from, to);
		run_step(run, "analyze", range, ops->analyze);
	}
}

static void
output_step(struct run *run, const char *kind, const char *section,
    const char *key, app_nightly_fn fn)
{
	const char *v = rw_config_get(run->app->cfg, section, key);

	if (v != NULL && *v != '\0')
		run_step(run, kind, v, fn);
}

static void
notify_step(struct run *run, const struct app_nightly_ops *ops)
{
	const char *cmd = rw_config_get(run->app->cfg, "notify", "command");
	const char *url = rw_config_get(run->app->cfg, "notify",
	    "webhook_url");

	if ((cmd != NULL && *cmd) || (url != NULL && *url))
		run_step(run, "notify", NULL, ops->notify);
}

static void
prune_step(struct run *run, const struct app_nightly_ops *ops)
{
	long long keep = rw_config_int(run->app->cfg, "nightly", "keep_days");
	g_autofree char *arg = g_strdup_printf("%lld", keep);

	if (keep > 0)
		run_step(run, "prune", arg, ops->prune);
}

static void
run_steps(struct run *run, const struct app_nightly_ops *ops)
{
	fetch_steps(run, ops);
	ingest_steps(run, ops);
	mta_steps(run, ops);
	analyze_step(run, ops);
	output_step(run, "report", "nightly", "report_html", ops->report);
	output_step(run, "prometheus", "nightly", "prometheus_file",
	    ops->prometheus);
	notify_step(run, ops);
	prune_step(run, ops);
}

bool
app_nightly_show_steps(const struct app *app)
{
	return app->verbosity > 0 || rw_log_interactive();
}

/*
 * refresh_prometheus - the Prometheus step ran before the run's end was
 * recorded, so its file still showed the run before; write it again, so
 * repwatch_nightly_last_exit_code is this run's. A failure here is only
 * a warning: the step itself succeeded.
 */
static void
refresh_prometheus(struct run *run, const struct app_nightly_ops *ops)
{
	const char *path = rw_config_get(run->app->cfg, "nightly",
	    "prometheus_file");
	g_autoptr(GString) counts = g_string_new(NULL);

	for (guint i = 0; i < run->res->steps->len; i++) {
		const struct app_nightly_step *s = run->res->steps->pdata[i];

		if (strcmp(s->kind, "prometheus") != 0 || s->status != 0)
			continue;
		if (ops->prometheus(counts, run->app, path) != 0) {
			rw_error_prefix("prometheus file not refreshed");
			rw_log_warning("%s", rw_error_message());
			rw_error_clear();
		}
		return;
	}
}

int
app_nightly_run(struct app_nightly_result *out, struct app *app,
    const struct app_nightly_ops *ops)
{
	struct run run = {.res = out, .app = app};
	int fd = -1;
	int rc;

	memset(out, 0, sizeof(*out));
	out->steps = g_ptr_array_new_with_free_func(step_free);
	rc = take_flock(&fd, app);
	if (rc == 0)
		rc = take_db_lock(app);
	if (rc == 0)
		rc = log_start(out, app);
	if (rc == 0) {
		run_steps(&run, ops);
		log_finish(out, app);
		refresh_prometheus(&run, ops);
	}
	/* the advisory lock ends with the session; the flock with fd */
	if (fd >= 0)
		close(fd);
	return rc;
}

/* ---- summary -------------------------------------------------------- */

void
app_nightly_print_summary(FILE *out, const struct app_nightly_result *r,
    bool only_failed)
{
	for (guint i = 0; i < r->steps->len; i++) {
		const struct app_nightly_step *s = r->steps->pdata[i];
		const char *outcome = s->status != 0 ? "FAILED" :
		    s->skipped ? "skipped" : "ok";
		g_autofree char *what = s->arg ? g_strdup_printf("%s %s",
		    s->kind, s->arg) : g_strdup(s->kind);

		if (only_failed && s->status == 0)
			continue;
		fprintf(out, "%-32s %-7s", what, outcome);
		if (s->status != 0)
			fprintf(out, " (exit %d) %s%s", rw_exit_code(s->status),
			    s->message ? s->message : "",
			    s->counts != NULL && *s->counts ? ";" : "");
		if (s->counts != NULL && *s->counts)
			fprintf(out, " %s", s->counts);
		fprintf(out, " [%.1fs]\n", s->seconds);
	}
	if (!only_failed || r->status != 0)
		fprintf(out, "nightly: %s, exit %d\n", r->status == 0 ? "ok" :
		    "some steps failed", rw_exit_code(r->status));
}

/* ---- the real steps --------------------------------------------------- */


static int
step_fetch(GString *counts, struct app *app, const char *source)
{
	const struct snds_window w = {.on_report = app_nightly_show_steps(app) ?
	    cmd_snds_fetch_report : NULL};
	struct snds_fetch_totals t = {0};
	struct rw_db *db = NULL;
	int status = app_db(&db, app);

	if (status == 0) {
		status = snds_fetch_run(&t, db, app->cfg, source, &w);
		g_string_append_printf(counts, "%ld days fetched, %ld rows "
		    "loaded, %ld rejected, %ld failed requests", t.days, t.rows,
		    t.rejected, t.failed);
	}
	return status;
}

static int
step_ingest(GString *counts, struct app *app, const char *mailbox)
{
	struct arf_ingest_totals t;
	struct rw_db *db = NULL;
	int rc = app_db(&db, app);

	/* no database, no counts */
	if (rc != 0)
		return rc;
	rc = app_arf_ingest(&t, app, mailbox, app_nightly_show_steps(app));
	g_string_append_printf(counts, "%lld messages, %lld complaints, "
	    "%lld duplicates, %lld quarantined", t.counts.messages,
	    t.counts.complaints, t.counts.duplicates, t.counts.quarantined);
	arf_ingest_totals_clear(&t);
	return rc;
}

static int
step_mta(GString *counts, struct app *app, const char *source)
{
	struct mta_load_totals t;
	struct rw_db *db = NULL;
	int rc = app_db(&db, app);

	if (rc == 0)
		rc = mta_load_run(&t, db, app->cfg, source, NULL);
	if (rc == 0) {
		app_mta_totals_format(counts, &t);
		if (app_nightly_show_steps(app))
			printf("source %s: %s\n", source, counts->str);
	}
	return rc;
}

static int
step_analyze(GString *counts, struct app *app, const char *range)
{
	g_auto(GStrv) days = g_strsplit(range, "..", 2);
	struct an_run_totals t;
	struct rw_db *db = NULL;
	int rc = app_db(&db, app);

	if (rc == 0 && g_strv_length(days) != 2)
		rc = rw_error_set(RW_ESOFTWARE, "analyze: bad range \"%s\"",
		    range);
	if (rc == 0)
		rc = an_run_analyze(&t, db, app->cfg, days[0], days[1]);
	if (rc == 0)
		g_string_append_printf(counts, "%d day(s) analyzed, %d alerts "
		    "open (%d critical)", t.days, t.open, t.critical);
	return rc;
}

static int
step_report(GString *counts, struct app *app, const char *path)
{
	struct rw_db *db = NULL;
	int rc = app_db(&db, app);

	if (rc == 0)
		rc = out_html_write(db, app->cfg, path, NULL);
	if (rc == 0)
		g_string_append_printf(counts, "written to %s", path);
	return rc;
}

static int
step_prometheus(GString *counts, struct app *app, const char *path)
{
	struct rw_db *db = NULL;
	long series = 0;
	int rc = app_db(&db, app);

	if (rc == 0)
		rc = out_prom_write(&series, db, path);
	if (rc == 0)
		g_string_append_printf(counts, "%ld series written to %s",
		    series, path);
	return rc;
}

static int
step_notify(GString *counts, struct app *app, const char *arg)
{
	struct rw_db *db = NULL;
	int sent = 0;
	int rc = app_db(&db, app);

	(void)arg;
	if (rc == 0)
		rc = out_notify_run(&sent, db, app->cfg);
	g_string_append_printf(counts, "%d alert(s) sent", sent);
	return rc;
}

static int
step_prune(GString *counts, struct app *app, const char *keep)
{
	struct app_prune_counts pc = {0};
	long long days = 0;
	int rc = rw_parse_ll(&days, keep, 1, 36500);

	if (rc == 0)
		rc = app_prune_app(&pc, app, (int)days);
	app_prune_counts_format(counts, &pc);
	return rc;
}

const struct app_nightly_ops app_nightly_default_ops = {
	.fetch = step_fetch,
	.ingest = step_ingest,
	.mta = step_mta,
	.analyze = step_analyze,
	.report = step_report,
	.prometheus = step_prometheus,
	.notify = step_notify,
	.prune = step_prune,
};

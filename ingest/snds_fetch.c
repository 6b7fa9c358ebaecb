/*
 * snds_fetch - fetch SNDS reports (see snds_fetch.h).
 *
 * Each problem is logged when it happens (a run covers many days and
 * sources); the status is the worst of them.
 */
#include <string.h>

#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_prune.h"
#include "common/rw_util.h"
#include "ingest/snds_classify.h"
#include "ingest/snds_fetch.h"
#include "ingest/snds_http.h"
#include "ingest/snds_load.h"
#include "ingest/snds_oauth.h"
#include "ingest/snds_source.h"

#define LINK_WARN_DAYS 25
#define LINK_LIFETIME_DAYS 30
#define ALWAYS_REFETCH_DAYS 3

struct src_run {
	struct rw_db *db;
	const struct snds_window *w;
	struct snds_fetch_totals *tot;
	struct snds_source *s;
	const char *state_dir;
	char today[11];
	char *token;              /* API access token, never printed */
	struct snds_http_opts http;
	long retry_delay_ms;
	int status;               /* worst so far */
	bool stop;                /* link expired or login needed */
	char *stalled;            /* day whose request failed in transport */
};

/* ---- dates ---- */

static void
day_add(char out[static 11], const char *day, int delta)
{
	GDate d;

	if (rw_parse_date(&d, day) != 0) {
		rw_error_clear();
		g_strlcpy(out, day, 11);
		return;
	}
	if (delta >= 0)
		g_date_add_days(&d, (guint)delta);
	else
		g_date_subtract_days(&d, (guint)-delta);
	rw_format_date(out, &d);
}


static int
days_between(const char *a, const char *b)
{
	GDate da, db;

	if (rw_parse_date(&da, a) != 0 || rw_parse_date(&db, b) != 0) {
		rw_error_clear();
		return 0;
	}
	return g_date_days_between(&da, &db);
}

/* ---- URLs ---- */

static char *
format_day(const char *day, const char *fmt)
{
	GDate d;
	GDateTime *dt;
	char *s;

	if (rw_parse_date(&d, day) != 0)
		return NULL;
	dt = g_date_time_new_utc(g_date_get_year(&d), g_date_get_month(&d),
	    g_date_get_day(&d), 0, 0, 0);
	s = g_date_time_format(dt, fmt);
	g_date_time_unref(dt);
	return s;
}

/* "{date:FORMAT}" filled in, when the URL has one */
static char *
fill_placeholder(const char *url, const char *day)
{
	const char *open = strstr(url, "{date:");
	const char *close = open != NULL ? strchr(open, '}') : NULL;
	char *fmt, *val, *out;

	if (close == NULL)
		return NULL;
	fmt = g_strndup(open + 6, (gsize)(close - open - 6));
	val = format_day(day, fmt);
	out = val == NULL ? NULL : g_strdup_printf("%.*s%s%s",
	    (int)(open - url), url, val, close + 1);
	g_free(fmt);
	g_free(val);
	return out;
}

/* query with any date= pair replaced by date=MMDDYY */
static char *
with_date_param(const char *query, const char *mmddyy)
{
	GString *q = g_string_new(NULL);
	char **pairs = g_strsplit(query != NULL ? query : "", "&", -1);

	for (char **p = pairs; *p != NULL; p++) {
		if (**p == '\0' || g_ascii_strncasecmp(*p, "date=", 5) == 0)
			continue;
		g_string_append_printf(q, "%s%s", q->len ? "&" : "", *p);
	}
	g_string_append_printf(q, "%sdate=%s", q->len ? "&" : "", mmddyy);
	g_strfreev(pairs);
	return g_string_free(q, FALSE);
}

int
snds_link_url_for_day(char **out, const char *url, const char *day)
{
	GUri *u, *nu;
	char *mmddyy, *query;

	*out = fill_placeholder(url, day);
	if (*out != NULL)
		return 0;
	u = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
	mmddyy = format_day(day, "%m%d%y");
	if (u == NULL || mmddyy == NULL) {
		g_free(mmddyy);
		if (u != NULL)
			g_uri_unref(u);
		return rw_error_set(RW_ECONFIG, "cannot build a link for %s",
		    day);
	}
	query = with_date_param(g_uri_get_query(u), mmddyy);
	nu = g_uri_build(G_URI_FLAGS_ENCODED, g_uri_get_scheme(u),
	    g_uri_get_userinfo(u), g_uri_get_host(u), g_uri_get_port(u),
	    g_uri_get_path(u), query, g_uri_get_fragment(u));
	*out = g_uri_to_string(nu);
	g_uri_unref(nu);
	g_uri_unref(u);
	g_free(query);
	g_free(mmddyy);
	return 0;
}

static char *
data_url(struct src_run *r, const char *day)
{
	char *url = NULL;

	if (r->s->kind == SNDS_KIND_API)
		return g_strdup_printf("%s/api/report/data/%s",
		    r->s->api_base, day);
	if (snds_link_url_for_day(&url, r->s->data_url, day) != 0)
		return NULL;
	return url;
}

static char *
status_url(struct src_run *r)
{
	if (r->s->kind == SNDS_KIND_API)
		return g_strdup_printf("%s/api/report/status/ip",
		    r->s->api_base);
	return g_strdup(r->s->status_url);
}

/* ---- recording ---- */

/* count - what one fetch log row adds to the totals */
static void
count(struct src_run *r, const char *kind, const char *outcome, long rows,
    long rejected)
{
	if (strcmp(kind, "data") == 0 && strcmp(outcome, "ok") == 0)
		r->tot->days++;
	if (rows > 0)
		r->tot->rows += rows;
	if (rejected > 0)
		r->tot->rejected += rejected;
	if (strcmp(outcome, "ok") != 0 && strcmp(outcome, "no-data") != 0)
		r->tot->failed++;
}

static void
report(struct src_run *r, const char *kind, const char *day, long rows,
    long rejected, const char *no_data)
{
	struct snds_fetch_event e = {r->s->name, kind, day, rows, rejected,
	    no_data};

	if (r->w->on_report != NULL)
		r->w->on_report(&e, r->w->on_report_data);
}

static void
fail(struct src_run *r, int code)
{
	rw_error_print();
	r->status = rw_status_worse(r->status, code);
}

static void
log_outcome(struct src_run *r, const char *day, const char *kind,
    const char *url, const struct snds_http_resp *resp, const char *outcome,
    const char *message)
{
	struct snds_fetch_rec rec = {0};
	char *masked = rw_mask_url(url);
	char *sha = resp != NULL && resp->body != NULL ? g_compute_checksum_for_data(
	    G_CHECKSUM_SHA256, (const guchar *)resp->body, resp->len) : NULL;

	rec.source = r->s->name;
	rec.day = day;
	rec.kind = kind;
	rec.url_masked = masked;
	rec.http_status = resp != NULL ? resp->status : 0;
	rec.bytes = resp != NULL ? (long long)resp->len : -1;
	rec.rows_loaded = -1;
	rec.rows_rejected = -1;
	rec.body_sha256 = sha;
	rec.outcome = outcome;
	rec.message = message;
	if (snds_fetch_log_write(NULL, r->db, &rec) != 0)
		rw_error_print();
	else
		count(r, kind, outcome, -1, -1);
	g_free(masked);
	g_free(sha);
}

/* ---- requests ---- */

static bool
worth_retry(const struct snds_http_resp *resp, const struct snds_verdict *v)
{
	if (resp->fail == SNDS_HTTP_TRANSIENT)
		return true;
	return resp->fail == SNDS_HTTP_OK && v->cls == SNDS_CLASS_TEMPORARY;
}

static void
classify(struct snds_verdict *v, const struct snds_http_resp *resp)
{
	struct snds_response in = {resp->status, resp->content_type,
	    resp->body, resp->len, resp->final_url};

	snds_classify(v, &in);
}

/* GET with bounded retries and exponential back-off */
static void
get(struct src_run *r, struct snds_http_resp *resp, struct snds_verdict *v,
    const char *url)
{
	char *masked = rw_mask_url(url);
	long delay = r->retry_delay_ms;

	for (long attempt = 0;; attempt++) {
		snds_http_request(resp, url, &r->http);
		classify(v, resp);
		if (!worth_retry(resp, v) || attempt >= r->s->retries)
			break;
		rw_log_warning("source %s: %s: %s; retry %ld of %ld in %ld ms",
		    r->s->name, masked, resp->fail == SNDS_HTTP_OK ? v->why :
		    resp->error, attempt + 1, r->s->retries, delay);
		snds_http_resp_clear(resp);
		g_usleep((gulong)delay * 1000);
		delay *= 2;
	}
	g_free(masked);
}

static const char *
transport_outcome(const struct snds_http_resp *resp)
{
	switch (resp->fail) {
	case SNDS_HTTP_TRANSIENT:
		return "temporary";
	case SNDS_HTTP_SIGN_IN:
		return "login-required";
	default:
		return "error";
	}
}

/* message for a response that is not CSV; RW_* code for it */
static int
explain(struct src_run *r, const struct snds_http_resp *resp,
    const struct snds_verdict *v, const char *what, const char *masked)
{
	const char *name = r->s->name;

	if (resp->fail == SNDS_HTTP_TRANSIENT)
		return rw_error_set(RW_ETEMP, "source %s: %s: %s (gave up "
		    "after %ld retries)", name, what, resp->error,
		    r->s->retries);
	if (resp->fail == SNDS_HTTP_TOO_BIG)
		return rw_error_set(RW_EDATA, "source %s: %s: response larger "
		    "than max_body (%lld bytes)", name, what, r->http.max_body);
	if (resp->fail == SNDS_HTTP_REFUSED) {
		char *to = rw_mask_url(resp->final_url != NULL ?
		    resp->final_url : "");
		int rc = rw_error_set(RW_EUNAVAIL, "source %s: %s: redirect "
		    "to \"%s\" refused", name, what, to);

		rw_error_detail("Redirects are followed to https:// only, or "
		    "to http:// on a loopback address from a loopback link.");
		g_free(to);
		return rc;
	}
	if (resp->fail == SNDS_HTTP_ERROR)
		return rw_error_set(RW_EUNAVAIL, "source %s: %s: %s", name,
		    what, resp->error);
	if (resp->fail == SNDS_HTTP_SIGN_IN || v->cls == SNDS_CLASS_EXPIRED)
		return RW_EUNAVAIL;
	if (v->cls == SNDS_CLASS_BAD_REQUEST)
		return rw_error_set(RW_ECONFIG, "source %s: %s refused: %s "
		    "(request %s)", name, what, v->why, masked);
	return rw_error_set(RW_ETEMP, "source %s: %s: %s (gave up after %ld "
	    "retries)", name, what, v->why, r->s->retries);
}

/* link expired or login needed: say what to do */
static int
expired(struct src_run *r, const struct snds_http_resp *resp,
    const struct snds_verdict *v)
{
	const char *why = resp->fail == SNDS_HTTP_SIGN_IN ?
	    "redirected to a sign-in page" : v->why;

	r->stop = true;
	if (r->s->kind == SNDS_KIND_API) {
		if (snds_source_set_token_state(r->db, r->s->name,
		    "expired") != 0)
			rw_error_print();
		rw_error_set(RW_EUNAVAIL, "source %s: login expired; run "
		    "`repwatch snds login %s`", r->s->name, r->s->name);
		rw_error_detail("The API answered: %s.", why);
		return RW_EUNAVAIL;
	}
	rw_error_set(RW_EUNAVAIL, "source %s: report link expired or login "
	    "required: %s", r->s->name, why);
	rw_error_detail("The links were issued on %s (%d days ago); SNDS "
	    "report links expire after %d days.", r->s->issued ?
	    r->s->issued : "an unknown day", r->s->issued ?
	    days_between(r->s->issued, r->today) : 0, LINK_LIFETIME_DAYS);
	rw_error_hint("Generate new links on the SNDS portal (Automated Data "
	    "Access) and run: repwatch snds link set %s --data-url URL "
	    "--status-url URL", r->s->name);
	return RW_EUNAVAIL;
}

/* a response that is not CSV: log it, print it, remember the status */
static void
not_csv(struct src_run *r, const char *day, const char *kind,
    const char *url, const struct snds_http_resp *resp,
    const struct snds_verdict *v)
{
	char *masked = rw_mask_url(url);
	char *what = day != NULL ? g_strdup_printf("%s report for %s", kind,
	    day) : g_strdup_printf("%s report", kind);
	int code = explain(r, resp, v, what, masked);
	const char *outcome = resp->fail != SNDS_HTTP_OK ?
	    transport_outcome(resp) : v->outcome;

	/* a refused redirect is no expiry, whatever its 3xx looked like */
	if (code == RW_EUNAVAIL && (resp->fail == SNDS_HTTP_SIGN_IN ||
	    (resp->fail == SNDS_HTTP_OK && v->cls == SNDS_CLASS_EXPIRED))) {
		code = expired(r, resp, v);
		if (r->s->kind == SNDS_KIND_LINK)
			outcome = "expired";
	}
	log_outcome(r, day, kind, url, resp, outcome, rw_error_message());
	fail(r, code);
	/*
	 * A time-out or a reset that outlived every retry: the endpoint is
	 * down or stalled, and asking again for each day of the window
	 * would hold the nightly lock for hours (31 days x retries x
	 * timeout). The rest of this source waits for the next run.
	 */
	if (resp->fail == SNDS_HTTP_TRANSIENT && r->stalled == NULL)
		r->stalled = g_strdup(day != NULL ? day : kind);
	g_free(what);
	g_free(masked);
}

/* ---- raw bodies ---- */

static char *
save_raw(struct src_run *r, const char *kind, const char *day,
    const struct snds_http_resp *resp)
{
	char *dir, *path, *stamp;
	GDateTime *now;

	if (r->s->raw_retention_days <= 0)
		return NULL;
	dir = g_build_filename(r->state_dir, "raw", r->s->name, NULL);
	now = g_date_time_new_now_utc();
	stamp = g_date_time_format(now, "%Y%m%dT%H%M%S");
	path = g_strdup_printf("%s/%s-%s.%s.csv", dir, kind, day, stamp);
	if (rw_mkdir_p(dir, 0700) != 0 ||
	    rw_write_atomic(path, resp->body, resp->len, 0600) != 0) {
		/* an audit copy is not worth losing the data over */
		rw_log_warning("source %s: cannot keep the raw report: %s",
		    r->s->name, rw_error_message());
		rw_error_clear();
		g_free(path);
		path = NULL;
	}
	g_date_time_unref(now);
	g_free(stamp);
	g_free(dir);
	return path;
}

/* the copies past their retention (rw_prune.h: the one rule) */
static void
prune_raw(struct src_run *r, const struct rw_config *cfg)
{
	char *dir = g_build_filename(r->state_dir, "raw", r->s->name, NULL);
	int days = rw_prune_raw_days(cfg, r->s->name, (int)rw_config_int(cfg,
	    "nightly", "keep_days"));

	if (rw_prune_files(NULL, dir, RW_PRUNE_RAW_GLOB, days) != 0) {
		rw_log_debug("source %s: %s", r->s->name, rw_error_message());
		rw_error_clear();
	}
	g_free(dir);
}

/* ---- one report ---- */

static void
load_body(struct src_run *r, const char *day, bool status, const char *url,
    const struct snds_http_resp *resp)
{
	struct snds_load_opts o = {0};
	struct snds_load_result res;
	char *masked = rw_mask_url(url);
	char *raw = save_raw(r, status ? "status" : "data",
	    status ? r->today : day, resp);
	int rc;

	o.kind = status ? SNDS_CSV_STATUS : SNDS_CSV_DATA;
	o.source = r->s->name;
	o.tz = r->s->tz;
	o.day = status ? r->today : day;
	o.input = masked;
	o.log.url_masked = masked;
	o.log.http_status = resp->status;
	o.log.raw_path = raw;
	rc = snds_load_buffer(&res, r->db, &o, resp->body, resp->len);
	/* the load wrote its fetch log row (snds_load.c load_outcome) */
	count(r, status ? "status" : "data", rc != 0 ? "error" :
	    res.rejected > 0 ? "rejected" : !status && res.rows == 0 ?
	    "no-data" : "ok", rc != 0 ? 0 : res.rows, res.rejected);
	if (rc != 0) {
		rw_error_prefix("source %s", r->s->name);
		fail(r, rc);
	} else {
		report(r, status ? "status" : "data", o.day, res.rows,
		    res.rejected, NULL);
		if (res.rejected > 0)
			r->status = rw_status_worse(r->status, RW_EDATA);
	}
	g_free(raw);
	g_free(masked);
}

static void
fetch_report(struct src_run *r, const char *day, bool status)
{
	struct snds_http_resp resp;
	struct snds_verdict v;
	char *url = status ? status_url(r) : data_url(r, day);
	const char *kind = status ? "status" : "data";

	if (url == NULL) {
		fail(r, RW_ECONFIG);
		return;
	}
	r->http.bearer = r->token;
	get(r, &resp, &v, url);
	if (resp.fail == SNDS_HTTP_OK && (v.cls == SNDS_CLASS_OK || (status &&
	    v.cls == SNDS_CLASS_NO_DATA && resp.status != 404))) {
		/* an empty status report means no IP is listed */
		load_body(r, day, status, url, &resp);
	} else if (resp.fail == SNDS_HTTP_OK && v.cls == SNDS_CLASS_NO_DATA) {
		log_outcome(r, status ? NULL : day, kind, url, &resp, "no-data",
		    v.why);
		report(r, kind, status ? r->today : day, 0, 0, v.why);
	} else {
		not_csv(r, status ? NULL : day, kind, url, &resp, &v);
	}
	snds_http_resp_clear(&resp);
	g_free(url);
}

/* ---- the window ---- */

static int
fetched_days(GHashTable **out, struct src_run *r, const char *from,
    const char *to)
{
	static const char sql[] =
	    "SELECT DISTINCT day::text FROM repwatch.snds_fetch_log"
	    " WHERE source = $1 AND kind = 'data'"
	    " AND outcome IN ('ok', 'rejected')"
	    " AND day BETWEEN $2::date AND $3::date";
	const char *p[3] = {r->s->name, from, to};
	PGresult *res = NULL;
	int rc = rw_db_query(&res, r->db, sql, 3, p);

	*out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (int i = 0; rc == 0 && i < PQntuples(res); i++)
		g_hash_table_add(*out, g_strdup(PQgetvalue(res, i, 0)));
	PQclear(res);
	return rc;
}

/* missing days of the look-back window plus the last 3, oldest first */
static int
default_days(GPtrArray *days, struct src_run *r)
{
	char from[11], to[11], d[11];
	GHashTable *done = NULL;
	int rc;

	day_add(from, r->today, -(int)r->s->lookback_days);
	day_add(to, r->today, -1);
	rc = fetched_days(&done, r, from, to);
	for (int back = (int)r->s->lookback_days; rc == 0 && back >= 1;
	    back--) {
		day_add(d, r->today, -back);
		if (back <= ALWAYS_REFETCH_DAYS ||
		    !g_hash_table_contains(done, d))
			g_ptr_array_add(days, g_strdup(d));
	}
	g_hash_table_destroy(done);
	return rc;
}

static int
window_days(GPtrArray *days, struct src_run *r, const struct snds_window *w)
{
	char d[11];

	if (w->date != NULL) {
		g_ptr_array_add(days, g_strdup(w->date));
		return 0;
	}
	if (w->since == NULL)
		return default_days(days, r);
	g_strlcpy(d, w->since, sizeof(d));
	for (int n = 0; strcmp(d, w->until ? w->until : r->today) <= 0 &&
	    n < 366; n++) {
		g_ptr_array_add(days, g_strdup(d));
		day_add(d, d, 1);
	}
	return 0;
}

/* ---- one source ---- */

static int
link_checks(struct src_run *r)
{
	int age, rc = 0;

	if (r->s->data_url == NULL || r->s->status_url == NULL)
		return rw_error_set(RW_ECONFIG, "source %s: data_url and "
		    "status_url are needed for type = link", r->s->name);
	rc = snds_url_allowed(r->s->name, r->s->data_url);
	if (rc == 0)
		rc = snds_url_allowed(r->s->name, r->s->status_url);
	if (rc == 0)
		rc = snds_source_mark_used(r->db, r->s, r->today);
	if (rc != 0)
		return rc;
	age = days_between(r->s->issued, r->today);
	if (age > LINK_LIFETIME_DAYS) {
		r->stop = true;
		rw_error_set(RW_EUNAVAIL, "source %s: report links expired: "
		    "issued %s, %d days ago", r->s->name, r->s->issued, age);
		rw_error_detail("SNDS report links expire after %d days.",
		    LINK_LIFETIME_DAYS);
		rw_error_hint("Generate new links on the SNDS portal "
		    "(Automated Data Access) and run: repwatch snds link set "
		    "%s --data-url URL --status-url URL", r->s->name);
		log_outcome(r, NULL, "data", r->s->data_url, NULL, "expired",
		    rw_error_message());
		return RW_EUNAVAIL;
	}
	if (age >= LINK_WARN_DAYS)
		rw_log_warning("source %s: report links expire in %d day(s) "
		    "(issued %s); refresh them with \"repwatch snds link set "
		    "%s\"", r->s->name, LINK_LIFETIME_DAYS - age, r->s->issued,
		    r->s->name);
	return 0;
}

static int
api_checks(struct src_run *r)
{
	int rc = snds_url_allowed(r->s->name, r->s->api_base);

	if (rc == 0)
		rc = snds_url_allowed(r->s->name, r->s->token_url);
	if (rc == 0)
		rc = snds_source_register(r->db, r->s);
	if (rc == 0) {
		rc = snds_oauth_access_token(&r->token, r->db, r->s,
		    r->state_dir);
		/* a failed token request is a fetch log row of kind token */
		if (rc != 0)
			count(r, "token", "error", -1, -1);
	}
	if (rc != 0)
		r->stop = true;
	return rc;
}

/* one fetch log row for a report not asked for after a stall */
static void
log_skipped(struct src_run *r, const char *day)
{
	char *url = day != NULL ? data_url(r, day) : status_url(r);
	char *msg = g_strdup_printf("not requested: source stopped for this "
	    "run after a transport error (%s)", r->stalled);

	if (url == NULL)
		rw_error_clear();
	log_outcome(r, day, day != NULL ? "data" : "status", url, NULL,
	    "temporary", msg);
	g_free(msg);
	g_free(url);
}

static void
skip_rest(struct src_run *r, GPtrArray *days, guint next)
{
	guint left = days->len - next;

	for (guint i = next; i < days->len; i++)
		log_skipped(r, g_ptr_array_index(days, i));
	log_skipped(r, NULL);
	rw_log_warning("source %s: stopped for this run after a transport "
	    "error (%s); %u more day(s) and the status report not requested",
	    r->s->name, r->stalled, left);
}

static void
run_days(struct src_run *r, const struct snds_window *w)
{
	GPtrArray *days = g_ptr_array_new_with_free_func(g_free);
	guint i;

	if (window_days(days, r, w) != 0)
		fail(r, RW_EFAIL);
	for (i = 0; i < days->len && !r->stop && r->stalled == NULL; i++)
		fetch_report(r, g_ptr_array_index(days, i), false);
	if (r->stalled != NULL && !r->stop)
		skip_rest(r, days, i);
	else if (!r->stop)
		fetch_report(r, NULL, true);
	g_ptr_array_free(days, TRUE);
}

static void
http_opts(struct src_run *r)
{
	r->http.timeout = r->s->timeout;
	r->http.max_body = r->s->max_body;
	r->http.ca_file = r->s->ca_file;
	r->retry_delay_ms = r->s->retry_delay_ms;
}

static int
fetch_source(struct snds_fetch_totals *tot, struct rw_db *db,
    const struct rw_config *cfg, const char *state_dir, const char *name,
    const struct snds_window *w)
{
	struct src_run r = {0};
	int rc;

	r.db = db;
	r.w = w;
	r.tot = tot;
	r.state_dir = state_dir;
	rc = snds_source_get(&r.s, cfg, db, name, false);
	if (rc != 0) {
		rw_error_print();
		return rc;
	}
	rw_today_in(r.today, r.s->tz);
	http_opts(&r);
	rc = r.s->kind == SNDS_KIND_API ? api_checks(&r) : link_checks(&r);
	if (rc != 0)
		fail(&r, rc);
	else
		run_days(&r, w);
	prune_raw(&r, cfg);
	if (r.token != NULL)
		memset(r.token, 0, strlen(r.token));
	g_free(r.token);
	g_free(r.stalled);
	snds_source_free(r.s);
	return r.status;
}

/* ---- entry point ---- */

int
snds_window_check(const struct snds_window *w)
{
	const char *const days[] = {w->date, w->since, w->until};
	GDate d;

	if (w->date != NULL && (w->since != NULL || w->until != NULL))
		return rw_error_set(RW_EUSAGE, "--date excludes --since and "
		    "--until");
	if (w->until != NULL && w->since == NULL)
		return rw_error_set(RW_EUSAGE, "--until needs --since");
	for (size_t i = 0; i < G_N_ELEMENTS(days); i++) {
		if (days[i] != NULL && rw_parse_date(&d, days[i]) != 0)
			return rw_error_set(RW_EUSAGE, "not a date: \"%s\"",
			    days[i]);
	}
	return 0;
}

int
snds_fetch_run(struct snds_fetch_totals *out, struct rw_db *db,
    const struct rw_config *cfg, const char *source,
    const struct snds_window *window)
{
	char **names = NULL;
	char *state;
	int worst = 0;
	int rc = snds_window_check(window);

	memset(out, 0, sizeof(*out));
	if (rc == 0 && source == NULL)
		rc = snds_source_names(&names, cfg, db);
	if (rc == 0 && source == NULL && names[0] == NULL)
		rc = rw_error_set(RW_ECONFIG, "no SNDS source is configured");
	if (rc != 0) {
		g_strfreev(names);
		return rc;
	}
	state = rw_config_state_dir(cfg);
	if (source != NULL)
		worst = fetch_source(out, db, cfg, state, source, window);
	for (int i = 0; names != NULL && names[i] != NULL; i++)
		worst = rw_status_worse(worst, fetch_source(out, db, cfg,
		    state, names[i], window));
	g_strfreev(names);
	g_free(state);
	return worst;
}

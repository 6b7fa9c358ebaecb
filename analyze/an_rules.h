/*
 * an_rules - the alert rules, evaluated in C on per-subject window
 * aggregates that one SQL query per day delivers (an_facts). Pure: no
 * database, so every rule is unit-tested on hand-made numbers.
 *
 * Rules (README "Rules"): level, rising (+ forecast), range-level and
 * range-rising on /24 aggregates, filter, listed, trap, and the data-health
 * rules fetch-stale, link-expiry, login, ip-missing, unmatched. Their
 * noise control (issue 12) is in an_noise.
 */
#ifndef AN_RULES_H
#define AN_RULES_H

#include <stdbool.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "analyze/an_stats.h"
#include "common/rw_config.h"

enum an_severity {
	AN_INFO = 0,
	AN_WARNING = 1,
	AN_CRITICAL = 2,
};

const char *an_severity_name(enum an_severity s);
/* an_severity_parse - "info"/"warning"/"critical"; -1 when unknown */
int an_severity_parse(const char *s);

/* thresholds, all from [analyze] */
struct an_params {
	double warning_rate;
	double critical_rate;
	double min_recipients;
	double level_confidence;
	int window_days;
	int baseline_days;
	int spike_days;
	int resolve_days;           /* incidents: quiet days to resolve */
	double alpha;
	double min_ratio;
	double min_complaints;
	double baseline_floor_rate;
	int range_min_ips;
	int trend_days;
	double trend_z;
	int forecast_days;
	int stale_fetch_days;
	int link_warn_days;
	int link_valid_days;
	int missing_ip_days;
	double unmatched_share;
	/* issue 12: noise control */
	int filter_days;            /* n of "worse on k of the last n days" */
	double filter_false_rate;   /* false persistent-colour alerts/IP-day */
	double filter_prior_flips;  /* Beta prior of the flip rate: a */
	double filter_prior_steady; /* ... and b */
	double level_min_complaints;
	int level_long_days;        /* long window for low-volume subjects */
	double level_long_below;    /* recipients in window_days below which
	                             * the long window is judged */
	double spike_tail;          /* a day is back at baseline when its
	                             * excess is at most this share of the
	                             * peak day's */
	double spike_alpha;         /* level of the spike check's tests */
	/* issue 15: the MTA throttle rule (an_mta, throttle_* keys) */
	struct {
		int days;              /* recent window for low-volume IPs */
		double min_attempts;   /* attempts the judged window needs */
		double min_throttled;  /* throttle answers it needs */
		double floor_share;    /* share judged against without a
		                        * baseline */
		double base_share;     /* lowest baseline share assumed */
		double min_ratio;      /* share / baseline share at least */
		double alpha;          /* false discovery rate of the day */
	} mta;
	/* the trap rule's noise control (an_noise, trap_* keys) */
	struct {
		double floor_rate;     /* lowest base rate assumed, per rcpt */
		double alpha;          /* level of its exact test, per IP-day */
		double min_hits;       /* hits a warning needs */
	} trap;
};

/* an_params_default - the built-in defaults (the key table's) */
void an_params_default(struct an_params *out);
/* an_params_load - from the [analyze] section of CFG */
void an_params_load(struct an_params *out, const struct rw_config *cfg);

/* daily values of one subject, index 0 = the analyzed day, k = k days
 * before it; NAN where SNDS has no row (fetched for the few subjects with
 * a level or rising finding: trend fit and spike check) */
struct an_series {
	GDate end;            /* the analyzed day */
	int len;
	double *n, *c;        /* recipients, JMRP complaints */
	double *low, *rated;  /* SNDS band floor (complaints), rated rcpt */
};

struct an_series *an_series_new(const GDate *end, int len);
void an_series_free(struct an_series *x);

/*
 * One subject (IP or /24) on one day: sums over the recent window, the
 * baseline before it, the last spike_days days and the day itself.
 * Unknown values are NAN (no SNDS data is never zero).
 */
struct an_subject {
	char *key;            /* host IP, or CIDR for a range */
	char *net;            /* the IP's /24 (NULL for ranges, IPv6) */
	bool is_range;
	int ips;              /* ranges: IPs with data in recent + baseline */
	double n_recent, c_recent, days_recent;
	double n_base, c_base, days_base;
	double n_last, c_last;
	double n_day, c_day;
	double snds_low;      /* complaints implied by the SNDS band floor */
	double snds_rated;    /* recipients of rows with a band */
	int filter_last;      /* worst colour, last spike_days (0 unknown) */
	double filter_base;   /* mean colour rank in the baseline (NAN) */
	double traps_last;    /* NAN when SNDS gave none */
	/* the trap rule's numbers (an_facts, read only when traps_last > 0):
	 * recipients of the last spike_days days with trap data, and hits
	 * and recipients of the baseline days with trap data (NAN: none) */
	double trap_n_last, trap_hits_base, trap_n_base;
	int days_since_data;  /* days since the last SNDS row (-1 never) */
	double data_days;     /* days with SNDS rows, recent + baseline */
	double n_match_span;  /* SNDS volume, window + 6 days before (NAN) */
	/* the level rule's long window (level_long_days) */
	double n_long, c_long, snds_low_long, snds_rated_long;
	/* filter colour: days with a colour, YELLOW or worse, RED, over the
	 * last filter_days (f_) and the lookback before them (fh_); ranges
	 * hold their IPs' days worse than each IP's usual in f_yellow and
	 * fh_yellow */
	double f_days, f_yellow, f_red, fh_days, fh_yellow, fh_red;
	int red_last2;        /* RED days among the last two */
	int tests;            /* subjects tested by the level rule that day */
	struct an_series *series; /* NULL unless fetched */
	/* ranges: the /24 without its IP of most complaints (owned), so a
	 * range alert needs more than one IP's evidence */
	struct an_subject *rest;
	const struct an_subject *top; /* that IP while aggregating */
	/* set by an_rules_test_rising / an_rules_correct */
	double base_rate;     /* baseline rate, at least the floor */
	double ratio;         /* recent rate / base_rate */
	double p_value;       /* one-sided exact test (1 = not tested) */
	double q_value;       /* Benjamini-Hochberg adjusted */
	bool candidate;       /* passed volume, count, ratio, persistence */
	struct an_trend trend;
};

struct an_subject *an_subject_new(const char *key, bool is_range);
void an_subject_free(struct an_subject *s);

/* an_subjects_ranges - /24 aggregates of the IP subjects (new array) */
GPtrArray *an_subjects_ranges(GPtrArray *ips, const struct an_params *p);

/* one alert condition holding on the analyzed day */
struct an_finding {
	const char *subject_kind; /* ip, cidr, source, global */
	char *subject;
	char *source;             /* SNDS source name or NULL */
	const char *rule;
	enum an_severity severity;
	double rate_7d, recipients_7d, complaints_7d;
	double baseline_rate, ratio, p_value, q_value;
	int forecast_days;        /* -1 = null */
	char *message;
	JsonObject *extra;        /* rule-specific numbers (owned) */
};

struct an_finding *an_finding_new(const char *kind, const char *subject,
    const char *rule, enum an_severity severity);
void an_finding_free(struct an_finding *f);
/* an_findings_new - GPtrArray of findings that frees its elements */
GPtrArray *an_findings_new(void);

/* rising: the exact test, candidates and p-values (before correction) */
void an_rules_test_rising(struct an_subject *s, const struct an_params *p);
/* an_rules_correct - BH over every subject of the day (IPs and ranges) */
void an_rules_correct(GPtrArray *subjects);
/* an_rules_count_tests - record in each subject how many subjects of the
 * day the level rule tests (its confidence grows with that number) */
void an_rules_count_tests(GPtrArray *subjects, const struct an_params *p);
/* an_rules_needs_trend - a level or rising finding will want a forecast */
bool an_rules_needs_trend(const struct an_subject *s,
    const struct an_params *p);

/* the finding's window numbers from S (shared with an_noise) */
void an_finding_fill_numbers(struct an_finding *f,
    const struct an_subject *s);
/* an_subject_kind - "cidr" for a range, else "ip" */
const char *an_subject_kind(const struct an_subject *s);

/* an_rules_subject - level, rising, filter and trap findings */
void an_rules_subject(GPtrArray *out, const struct an_subject *s,
    const struct an_params *p);
/* an_rules_ip_missing - a regular IP without SNDS rows for some days (call
 * only for days on which SNDS has data at all) */
void an_rules_ip_missing(GPtrArray *out, const struct an_subject *s,
    const struct an_params *p);

/* inputs of the per-source data-health rules */
struct an_source_state {
	char *name;
	char *kind;              /* link, api */
	int days_since_fetch;    /* last successful data fetch; -1 unknown */
	int link_age_days;       /* since issued/first_used; -1 unknown */
	char *token_state;       /* NULL, ok, missing, expired, failed */
};

void an_source_state_free(struct an_source_state *s);
void an_rules_source(GPtrArray *out, const struct an_source_state *s,
    const struct an_params *p);

/* an IP-status range listed on the latest snapshot up to the day */
struct an_listing {
	char *first_ip, *last_ip, *source, *reason;
	bool blocked;
	bool is_new;             /* not listed on the snapshot before */
	int listed_days;         /* consecutive snapshots listed */
};

void an_listing_free(struct an_listing *l);
void an_rules_listing(GPtrArray *out, const struct an_listing *l);

/* the share of complaints in the window that match no IP */
void an_rules_unmatched(GPtrArray *out, double complaints, double unmatched,
    const struct an_params *p);
/*
 * an_rules_unmatched_inside - the same, with INSIDE: complaints whose
 * derived IP lies inside the receiving provider (reported as their own
 * count, "inside_provider" in the finding; any one raises it)
 */
void an_rules_unmatched_inside(GPtrArray *out, double complaints,
    double unmatched, double inside, const struct an_params *p);

/*
 * an_finding_forecast - attach the forecast to a level/rising finding of
 * subject S (days to the critical rate, from S->trend) and finish its
 * message ("0.21% and rising x2.4 over baseline; 0.3% in about 6 days").
 */
void an_finding_forecast(struct an_finding *f, const struct an_subject *s,
    const struct an_params *p);

#endif

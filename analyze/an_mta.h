/*
 * an_mta - the analyzer's MTA facts and rules (issue 15): Microsoft's own
 * SMTP answers to our delivery attempts, per sending IP and day, from
 * repwatch.an_mta_day (0013_mta.sql, loaded by mta_load_run).
 *
 * Rules (doc/detection.md "MTA answers"):
 *  - throttled (warning): the IP's share of 4xx throttle answers (4.7.650
 *    S775, 4.7.651 S3114) rises above its own baseline share, beyond the
 *    baseline days' own day-to-day spread (a t prediction test on the log
 *    share) and by an exact conditional binomial test like the complaint
 *    rules', Benjamini-Hochberg across the day's IPs with attempts;
 *  - blocked (critical): the IP got a block answer (S3140, S3150, 5.7.511,
 *    5.7.606-649) on the day, with its code, first time and the delisting
 *    page;
 *  - range-blocked (critical): at least range_min_ips (and two) IPs of a
 *    /24 got block answers the same day.
 * Findings use subject_kind "ip" (host text) and "cidr" (a.b.c.0/24), as
 * the complaint and SNDS rules do, so they join the same incidents.
 *
 * The facts read only days up to the analyzed one (no look-ahead). The
 * rules are pure functions, unit-tested on hand-made numbers.
 */
#ifndef AN_MTA_H
#define AN_MTA_H

#include <stdbool.h>
#include <glib.h>

#include "analyze/an_rules.h"
#include "common/rw_db.h"

/*
 * One sending IP on one day, from an_mta_day. Counts are attempts to
 * Microsoft (all classes) and those answered with a throttle or a block;
 * NAN where the IP has no row in the span.
 */
struct an_mta_ip {
	char *key;               /* host IP text, as the other rules use */
	char *net;               /* its /24 ("a.b.c.0/24"); NULL for IPv6 */
	double n_day, t_day;     /* the analyzed day */
	double n_win, t_win;     /* the last throttle_days days */
	double n_base, t_base;   /* the baseline_days before those */
	/* the baseline days one by one: k days with attempts, the sum and
	 * the sum of squares of their log shares (an_mta_log_share) */
	double k_base, ls_base, ls2_base;
	bool day_open;           /* the day is not over in the analyzer's zone */
	double b_day;            /* blocked attempts on the day */
	char *first_block_at;    /* "YYYY-MM-DD HH:MM" UTC, NULL if none */
	char *block_code;        /* S3150, 5.7.606..., "" or NULL */
	char *block_answer;      /* the first block answer text of the day */
	int block_days_before;   /* earlier days with blocks in the lookback */
	char *last_block_day;    /* the latest of them, NULL if none */
	/* set by an_mta_test_throttle / an_mta_correct */
	bool day_window;         /* judged on the day alone (enough volume) */
	bool has_base;           /* the baseline has throttle_min_attempts */
	double n1, c1, n0, c0;   /* the counts judged: recent and baseline */
	double share, base_share, ratio;
	double p_value, q_value; /* 1 = not tested */
	bool candidate;          /* passed volume, count and ratio gates */
};

struct an_mta_ip *an_mta_ip_new(const char *key, const char *net);
void an_mta_ip_free(struct an_mta_ip *x);

/* a /24 on the day: its IPs' block answers */
struct an_mta_range {
	char *net;
	int ips;                 /* IPs with attempts in the lookback */
	int ips_blocked;         /* of which blocked on the day */
	double b_day;            /* blocked attempts on the day */
	char *first_block_at;    /* earliest of its IPs' (NULL if none) */
	char *codes;             /* distinct block codes, ", "-separated */
	char *blocked_ips;       /* the IPs blocked, ", "-separated */
};

void an_mta_range_free(struct an_mta_range *r);

/* an_mta_refresh - repwatch.an_refresh_mta(): bring an_mta_day up to date
 * with the hours loaded since; *out_days (nullable) = days rebuilt */
int an_mta_refresh(int *out_days, struct rw_db *db);

/* an_mta_facts - one an_mta_ip per IP with MTA rows in the lookback of
 * DAY (throttle_days + baseline_days days up to DAY; one query) */
int an_mta_facts(GPtrArray **out, struct rw_db *db, const char *day,
    const struct an_params *p);

/* an_mta_ranges - /24 aggregates of IPS (new array of an_mta_range) */
GPtrArray *an_mta_ranges(GPtrArray *ips);

/* an_mta_test_throttle - the throttle test of one IP (p-value, gates) */
void an_mta_test_throttle(struct an_mta_ip *x, const struct an_params *p);
/* an_mta_correct - Benjamini-Hochberg over the IPs with attempts in their
 * judged window (an IP without data is no test) */
void an_mta_correct(GPtrArray *ips);

/* an_mta_day_window - whether the throttle test judges the day alone: it
 * has min_attempts attempts and is over (DAY_OPEN false); a day still
 * running is judged over the throttle_days window, as a low-volume one */
bool an_mta_day_window(double n_day, bool day_open,
    const struct an_params *p);

/* an_mta_log_share - ln((c + 0.5) / (n + 0.5)): a day's throttle share on
 * the log scale, finite for c = 0 (the SQL of an_mta_facts uses the same) */
double an_mta_log_share(double c, double n);

/*
 * an_mta_spread_p - one-sided p-value that the share C1/N1 exceeds what
 * the baseline's own day-to-day spread allows: K baseline days whose log
 * shares sum to LS and their squares to LS2. A t prediction test on the
 * log scale with K - 1 degrees of freedom; the judged window's own
 * counting variance (1/(C1 + 1/2) - 1/(N1 + 1/2)) is added. 1 when K < 3.
 */
double an_mta_spread_p(double c1, double n1, double k, double ls,
    double ls2);

/* the rules: append their findings to OUT */
void an_mta_rule_throttled(GPtrArray *out, const struct an_mta_ip *x,
    const struct an_params *p);
void an_mta_rule_blocked(GPtrArray *out, const struct an_mta_ip *x);
void an_mta_rule_range_blocked(GPtrArray *out, const struct an_mta_range *r,
    const struct an_params *p);

/* an_mta_findings - test and correct IPS, then every MTA rule over IPS
 * and their /24s */
void an_mta_findings(GPtrArray *out, GPtrArray *ips,
    const struct an_params *p);

/* an_mta_code_meaning - what a block or throttle code says, for messages
 * ("the IP is on Microsoft's block list"); NULL when unknown */
const char *an_mta_code_meaning(const char *code);

#endif

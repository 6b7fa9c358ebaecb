/*
 * an_backtest - the self-backtest (issue 15): replay the analysis day by
 * day (no look-ahead, as "analyze --from --to"), then hold every block
 * event of the history (Microsoft block answers in the MTA logs, new
 * listings on the SNDS IP-status feed) against the warnings the replay
 * stored (alert_day) and against two simple peer rules computed from the
 * same daily facts. Definitions: doc/backtest.md. No printing: the result
 * struct is rendered by app/cmd_backtest.c.
 */
#ifndef AN_BACKTEST_H
#define AN_BACKTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

#include "common/rw_config.h"
#include "common/rw_db.h"

#define AN_BT_NONE (-1) /* no warning: lead_days, first warning day */

struct an_backtest_params {
	int lookback_days;      /* warnings count back at most this far (30) */
	int episode_gap_days;   /* warning days at most this far apart are one
	                         * episode; the last must be at most this far
	                         * before the block ([analyze] resolve_days) */
	int block_gap_days;     /* an MTA block episode starts after this many
	                         * days without a block answer (14) */
	int horizon_days;       /* an incident is false without a block in its
	                         * episode plus this many days (14) */
	double fixed_rate;      /* peer "fixed": daily rate above (0.003) */
	double week_rate;       /* peer "7day": 7-day rate above (0.001) */
	double week_min_recipients; /* ... with at least (1000) in 7 days */
};

/* an_backtest_params_default - the defaults above (resolve_days 2) */
void an_backtest_params_default(struct an_backtest_params *out);

/* one block event and what warned before it */
struct an_backtest_block {
	char *subject;            /* host IP, or "first-last" of a range */
	char *block_day;          /* YYYY-MM-DD */
	char *block_source;       /* "mta" or "snds-status" */
	char *code;               /* S3150..., "junked: reason"; NULL none */
	char *first_warning_day;  /* NULL: no warning */
	char *rule;               /* the rule of that day; NULL: none */
	int lead_days;            /* AN_BT_NONE: no warning */
	int peer_fixed_lead_days; /* AN_BT_NONE: the peer did not warn */
	int peer_7day_lead_days;
	/* sort key: the subject's first and last address, binary */
	unsigned char lo[17], hi[17];
};

void an_backtest_block_free(struct an_backtest_block *b);

struct an_backtest_summary {
	int blocks;
	int warned;               /* lead_days >= 1 */
	double median_lead_days;  /* of the warned ones; NAN none */
	int peer_fixed_warned;
	double peer_fixed_median_lead_days;
	int peer_7day_warned;
	double peer_7day_median_lead_days;
	int incidents;            /* warning incidents first seen in range */
	int true_incidents;       /* a block within episode + horizon */
	int pending_incidents;    /* horizon not over by the last day */
	int false_incidents;      /* the rest */
	long long healthy_ip_days;/* IP-days with data and no block */
	double false_per_1000;    /* false / healthy * 1000; NAN: no days */
};

struct an_backtest_result {
	char *from, *to;          /* the days replayed (and judged) */
	int days;                 /* days replayed, 0 without replay */
	struct an_backtest_params params;
	GPtrArray *blocks;        /* struct an_backtest_block, sorted */
	struct an_backtest_summary summary;
};

void an_backtest_result_clear(struct an_backtest_result *r);

/*
 * an_backtest_run - FROM..TO (NULL: every day with data); REPLAY: analyze
 * them first with an_run_analyze (the analyze lock, [analyze] settings),
 * else judge what earlier analyses stored. RW_EDATA when there is no day
 * with data.
 */
int an_backtest_run(struct an_backtest_result *out, struct rw_db *db,
    const struct rw_config *cfg, const char *from, const char *to,
    bool replay);

/* ---- the pure parts (days are Julian day numbers) ------------------- */

/*
 * an_backtest_first_warning - the first day of the warning episode that
 * leads to BLOCK: among DAYS (ascending, repeats allowed) the last one <=
 * BLOCK, if at most GAP days before BLOCK, then back while consecutive
 * days are at most GAP apart and not before BLOCK - LOOKBACK. AN_BT_NONE
 * when no day qualifies.
 */
int an_backtest_first_warning(const int *days, size_t n, int block, int gap,
    int lookback);

/*
 * an_backtest_episode_starts - the days of DAYS (ascending, repeats
 * allowed) with no other day in the GAP days before them, written to OUT
 * (room for N); returns how many
 */
size_t an_backtest_episode_starts(int *out, const int *days, size_t n,
    int gap);

/* an_backtest_median - median of N values (mean of the middle two); NAN
 * when N is 0 */
double an_backtest_median(const int *v, size_t n);

/* one IP's day: recipients (NAN: no SNDS row) and complaints */
struct an_bt_day {
	int day;
	double recipients, complaints;
};

/*
 * an_backtest_peer_days - the days (ascending) on which the peer rules
 * warn for one IP, from its days S (ascending), each day seeing only
 * itself and the days before: FIXED (daily complaint rate > fixed_rate)
 * and WEEK (complaints / recipients of the 7 days ending that day >
 * week_rate with >= week_min_recipients); days without SNDS recipients
 * count in neither sum. Appends ints to the two arrays.
 */
void an_backtest_peer_days(GArray *fixed, GArray *week,
    const struct an_bt_day *s, size_t n, const struct an_backtest_params *p);

#endif

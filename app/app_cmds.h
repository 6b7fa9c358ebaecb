/*
 * app_cmds - the command handlers of the command table (app_cli.c), one
 * cmd_*.c per command family.
 */
#ifndef APP_CMDS_H
#define APP_CMDS_H

#include <stdio.h>

#include "app/app.h"
#include "common/rw_rows.h"

int cmd_config(struct app *app, int argc, char **argv);
int cmd_db(struct app *app, int argc, char **argv);
int cmd_demo(struct app *app, int argc, char **argv);
int cmd_snds(struct app *app, int argc, char **argv);
int cmd_mta(struct app *app, int argc, char **argv);
int cmd_arf(struct app *app, int argc, char **argv);
int cmd_analyze(struct app *app, int argc, char **argv);
int cmd_alerts(struct app *app, int argc, char **argv);
int cmd_backtest(struct app *app, int argc, char **argv);
int cmd_nightly(struct app *app, int argc, char **argv);
int cmd_prune(struct app *app, int argc, char **argv);
int cmd_report(struct app *app, int argc, char **argv);
int cmd_export(struct app *app, int argc, char **argv);

int app_analyze_and_report(struct app *app, FILE *out);

/*
 * --date D | --from D1 [--to D2] (app_days.c); missing ones stay NULL.
 * --from alone runs to the latest day (each command knows which).
 */
struct app_days {
	char *date, *from, *to;
};

void app_days_clear(struct app_days *o);
/*
 * app_days_check - each a date, --date alone, --from not after --to; then
 * --date fills --from and --to. --to without --from is refused, the hint
 * naming LATEST ("latest day") as where --from alone runs to; LATEST NULL
 * lets --to alone pass (the command picks the first day).
 */
int app_days_check(struct app_days *o, const char *latest);
/*
 * app_days_latest - fill in the days --from alone or no day option leave
 * open with LAST (taken), the latest day of WHAT ("analyzed day"...);
 * RW_EUSAGE when --from is after it
 */
int app_days_latest(struct app_days *o, char *last, const char *what);
/*
 * app_days_refuse_future - an explicit --date or --to after the horizon
 * (repwatch.an_horizon(), the day after today in the sources' zone) is a
 * typo: RW_EUSAGE, the detail naming the horizon followed by WHY (the
 * sentence's end, from ", " or ".")
 */
int app_days_refuse_future(const struct app_days *o, struct rw_db *db,
    const char *why);

/* "alerts silence", "alerts unsilence", "alerts silences" (cmd_alerts.c) */
int cmd_alerts_silence(struct app *app, int argc, char **argv);
int cmd_alerts_unsilence(struct app *app, int argc, char **argv);
int cmd_alerts_silences(struct app *app, int argc, char **argv);

/*
 * app_incidents_print - INCIDENTS (struct an_incident) one row each: text
 * (aligned, members and rules in short form), JSON lines or CSV (rw_rows)
 */
void app_incidents_print(FILE *out, GPtrArray *incidents,
    enum rw_rows_format fmt);
/* app_incidents_fail - an open or escalated incident at FAIL_ON or worse
 * (-1: never) */
bool app_incidents_fail(GPtrArray *incidents, int fail_on);

struct an_backtest_result;
/* app_backtest_print - the backtest's blocks and summary, as text or as
 * one JSON object (cmd_backtest.c) */
void app_backtest_print(FILE *out, const struct an_backtest_result *r,
    bool json);
/* app_backtest_summary - the summary lines of the text form */
void app_backtest_summary(FILE *out, const struct an_backtest_result *r);

struct arf_ingest_totals;

/*
 * app_arf_ingest - ingest SOURCE as "arf ingest SOURCE" does: with SHOW,
 * progress on a terminal and its summary on stdout when it succeeds; OUT
 * filled either way (arf_ingest_totals_clear it). The error is recorded,
 * not printed.
 */
int app_arf_ingest(struct arf_ingest_totals *out, struct app *app,
    const char *source, bool show);

struct mta_load_totals;
/* app_mta_totals_format - the counts "mta load" prints for a source */
void app_mta_totals_format(GString *out, const struct mta_load_totals *t);

struct snds_fetch_event;
/* cmd_snds_fetch_report - the line "snds fetch" prints for a report */
void cmd_snds_fetch_report(const struct snds_fetch_event *e, void *data);

#endif

/*
 * an_scenario - synthetic SNDS + JMRP scenarios for evaluating the analyzer
 * (not a test itself).
 *
 *   an_scenario files DIR [DAYS [SEED]]
 *                                  DIR/snds/data-*.csv, DIR/complaints.mbox
 *                                  DIR/truth.tsv (evaluation scenario) and
 *                                  DIR/reports.tsv (each report's sender)
 *   an_scenario copy-snds IPS DAYS COPY text for repwatch.snds_daily
 *   an_scenario copy-arf IPS DAYS  COPY text for repwatch.arf_report
 *                                  (benchmark scale; same numbers)
 *
 * Every IP draws from its own random stream (seeded by its index and the
 * scenario seed), so the SNDS and complaint outputs agree however they are
 * produced. What real feeds have (issue 12): complaints arrive 0-3 days
 * after the send (50/30/15/5 %); the SNDS filter colour flickers to YELLOW
 * at a rate per IP (healthy IPs about 1 day in 10) and turns YELLOW/RED
 * when the true rate is high; 2 % of complaint reports are delivered twice;
 * three whole SNDS days are missing and 2 % of IP rows; some IPs start or
 * stop sending mid-window; low-volume IPs (150-900/day) run near 0.1 %
 * (a few truly bad at 0.5 %); /24 ramps and one-off spikes.
 *
 * Reports carry Microsoft's internal hops (1-3 Received lines of
 * *.prod.outlook.com IPv6 hops above the edge hop that names the sender's
 * IP) and no Source-IP, as 2026 JMRP reports do. AN_SCENARIO_HOPS=0 writes
 * the older form instead (Source-IP, no hops).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define MAX_DAYS 120
#define START_Y 2026
#define START_M 3
#define START_D 1

enum kind { K_STABLE, K_LOWVOL, K_RAMP, K_SLOW, K_SPIKE, K_RANGE, K_INTER,
	K_UNMATCHED, K_STARTSTOP, K_LOWBAD };

static const char *const kind_names[] = {"stable", "lowvol", "ramp",
	"slowramp", "spike", "range", "intermittent", "unmatched",
	"startstop", "lowbad"};

/* the scenario seed (files) and whether reports carry internal hops */
static unsigned long scn_seed;
static bool with_hops = true;

struct ipspec {
	enum kind kind;
	char ip[20];
	double volume;      /* mean recipients per sending day */
	double rate;        /* base complaint rate */
	int start;          /* ramp start day / spike day */
	double growth;      /* per day, ramps */
	double send_share;  /* share of days with mail (intermittent) */
	double flicker;     /* chance a day's filter shows YELLOW anyway */
	int first, last;    /* days the IP sends (start/stop mid-window) */
};

static double
unif(gsl_rng *r, double a, double b)
{
	return a + (b - a) * gsl_rng_uniform(r);
}

static double
logunif(gsl_rng *r, double a, double b)
{
	return exp(unif(r, log(a), log(b)));
}

/* the evaluation scenario: group sizes and their address blocks */
static int
scenario_specs(struct ipspec *out, int max)
{
	static const struct { enum kind k; int count, octet; } groups[] = {
		{K_STABLE, 120, 1}, {K_LOWVOL, 60, 2}, {K_RAMP, 30, 3},
		{K_SLOW, 15, 4}, {K_SPIKE, 20, 5}, {K_RANGE, 8, 6},
		{K_INTER, 20, 7}, {K_UNMATCHED, 0, 9}, {K_STARTSTOP, 20, 10},
		{K_LOWBAD, 6, 11},
	};
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	int n = 0;

	gsl_rng_set(r, 20260301 + scn_seed);
	for (size_t g = 0; g < G_N_ELEMENTS(groups); g++)
		for (int i = 0; i < groups[g].count && n < max; i++, n++) {
			struct ipspec *s = &out[n];
			/* five IPs per /24, one per /24 for single ramps */
			bool alone = groups[g].k == K_RAMP ||
			    groups[g].k == K_SLOW;
			int net = alone ? i : i / 5, host = alone ? 1 : i % 5 + 1;

			s->kind = groups[g].k;
			/* public addresses, as real senders have: the
			 * parser never takes a private one for the edge */
			snprintf(s->ip, sizeof(s->ip), "44.%d.%d.%d",
			    groups[g].octet, net, host);
			/* a one-off spike among five healthy neighbours (the
			 * stable IPs' /24s), so its /24 alert must decay too */
			if (s->kind == K_SPIKE)
				snprintf(s->ip, sizeof(s->ip), "44.1.%d.6", i);
			s->send_share = 1.0;
			s->growth = 1.0;
			s->start = 999;
			s->flicker = unif(r, 0.05, 0.15);
			s->first = 0;
			s->last = MAX_DAYS;
			switch (s->kind) {
			case K_LOWVOL:
				s->volume = unif(r, 150, 900);
				s->rate = unif(r, 0.0004, 0.00095);
				break;
			case K_LOWBAD:
				s->volume = unif(r, 150, 900);
				s->rate = 0.005;
				break;
			case K_STARTSTOP:
				s->volume = logunif(r, 1000, 50000);
				s->rate = unif(r, 0.0001, 0.0006);
				if (i % 2 == 0)
					s->first = (int)unif(r, 20, 60);
				else
					s->last = (int)unif(r, 40, 80);
				break;
			case K_RAMP:
				s->volume = logunif(r, 1000, 30000);
				s->rate = unif(r, 0.0002, 0.0006);
				s->start = (int)unif(r, 40, 70);
				s->growth = unif(r, 1.08, 1.25);
				break;
			case K_SLOW:
				s->volume = logunif(r, 2000, 30000);
				s->rate = unif(r, 0.0003, 0.0006);
				s->start = (int)unif(r, 30, 40);
				s->growth = unif(r, 1.04, 1.06);
				break;
			case K_RANGE:
				s->volume = logunif(r, 3000, 10000);
				s->rate = 0.0004;
				s->start = 45 + (int)(scn_seed % 10);
				s->growth = 1.07;
				break;
			case K_SPIKE:
				s->volume = logunif(r, 2000, 50000);
				s->rate = unif(r, 0.0001, 0.0005);
				s->start = (int)unif(r, 40, 85);
				s->growth = unif(r, 10, 30); /* spike factor */
				break;
			case K_INTER:
				s->volume = logunif(r, 3000, 30000);
				s->rate = unif(r, 0.0001, 0.0006);
				s->send_share = 0.4;
				break;
			default:
				s->volume = logunif(r, 1000, 50000);
				s->rate = unif(r, 0.0001, 0.0006);
				break;
			}
		}
	gsl_rng_free(r);
	return n;
}

/* the benchmark population: mostly stable, some ramps, low volume */
static void
bench_spec(struct ipspec *s, int i, gsl_rng *r)
{
	snprintf(s->ip, sizeof(s->ip), "10.%d.%d.%d", 1 + i / 65536,
	    (i / 256) % 256, i % 256 + 0);
	s->kind = i % 50 == 0 ? K_RAMP : K_STABLE;
	s->volume = logunif(r, 100, 5000);
	s->rate = unif(r, 0.0001, 0.0004);
	s->send_share = i % 10 == 0 ? 0.5 : 1.0;
	s->start = (int)unif(r, 40, 80);
	s->growth = s->kind == K_RAMP ? unif(r, 1.05, 1.2) : 1.0;
	s->flicker = 0.1;
	s->first = 0;
	s->last = MAX_DAYS;
}

/* true complaint rate of S on day D */
static double
true_rate(const struct ipspec *s, int d)
{
	switch (s->kind) {
	case K_RAMP:
	case K_SLOW:
	case K_RANGE:
		return d < s->start ? s->rate :
		    fmin(s->rate * pow(s->growth, d - s->start + 1), 0.006);
	case K_SPIKE:
		return d == s->start ? s->rate * s->growth : s->rate;
	default:
		return s->rate;
	}
}

/* the day's SNDS filter: the true rate speaks, else the IP's flicker */
static const char *
colour(gsl_rng *r, const struct ipspec *s, double rate)
{
	double u = gsl_rng_uniform(r);

	if (rate >= 0.005)
		return u < 0.6 ? "RED" : u < 0.9 ? "YELLOW" : "GREEN";
	if (rate >= 0.002)
		return u < 0.7 ? "YELLOW" : "GREEN";
	if (u < s->flicker)
		return u < s->flicker * 0.03 ? "RED" : "YELLOW";
	return "GREEN";
}

/* recipients per day (0 = no mail or no SNDS row), the day's filter and
 * complaints by arrival day */
static void
simulate(const struct ipspec *s, unsigned long seed, int days, double *n,
    double *rate, int *arrive, const char **filter)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, seed + 7919UL * scn_seed);
	memset(arrive, 0, sizeof(int) * (size_t)(days + 4));
	for (int d = 0; d < days; d++) {
		bool sends = gsl_rng_uniform(r) < s->send_share &&
		    d >= s->first && d < s->last;
		double vol = sends ? s->volume * unif(r, 0.8, 1.2) : 0;
		bool row_lost = gsl_rng_uniform(r) < 0.02;
		unsigned int c;

		/* SNDS shows no row under 100 messages */
		n[d] = vol >= 100 ? floor(vol) : 0;
		rate[d] = true_rate(s, d);
		filter[d] = colour(r, s, rate[d]);
		c = n[d] > 0 ? gsl_ran_poisson(r, n[d] * rate[d]) : 0;
		for (unsigned int k = 0; k < c; k++) {
			double u = gsl_rng_uniform(r);

			arrive[d + (u < 0.5 ? 0 : u < 0.8 ? 1 :
			    u < 0.95 ? 2 : 3)]++;
		}
		/* mail was sent, SNDS just has no row for it (kept after the
		 * draws so the complaint stream is the same either way) */
		if (row_lost)
			n[d] = -n[d];
	}
	gsl_rng_free(r);
}

static void
day_of(GDate *out, int d)
{
	g_date_clear(out, 1);
	g_date_set_dmy(out, START_D, START_M, START_Y);
	g_date_add_days(out, (guint)d);
}

/* SNDS band as written in the report */
static void
band(char *buf, size_t len, double c, double n)
{
	double pct = 100.0 * c / n;

	if (pct < 0.1)
		snprintf(buf, len, "< 0.1%%");
	else
		snprintf(buf, len, "%.1f%%", pct);
}

/* first day whose true 7-day pooled rate reaches 0.3 % (-1 none) */
static int
crossing(const double *n, const double *rate, int days)
{
	for (int d = 6; d < days; d++) {
		double sn = 0, sc = 0;

		for (int j = d - 6; j <= d; j++) {
			sn += fabs(n[j]);
			sc += fabs(n[j]) * rate[j];
		}
		if (sn > 0 && sc / sn >= 0.003)
			return d;
	}
	return -1;
}

/* a small deterministic stream per report: a duplicate delivery repeats
 * its report byte for byte, whatever else the generator draws */
static uint64_t
mix(uint64_t *st)
{
	uint64_t z = (*st += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
pick(uint64_t *st, int n)
{
	return (int)(mix(st) % (uint64_t)n);
}

/* 1-5 hops, weighted as in the real chains of tests/fixtures/arf/ms-chains */
static int
hop_count(uint64_t *st)
{
	static const int cum[] = {10, 35, 80, 95, 100};
	int x = pick(st, 100), h = 0;

	while (x >= cum[h])
		h++;
	return h + 1;
}

static char *
ms_v6(uint64_t *st, const char *prefix, bool cafe)
{
	return g_strdup_printf("%s:%x:%x:%s%x", prefix, 1 + pick(st, 0xfff),
	    1 + pick(st, 0xfff), cafe ? "cafe::" : ":", 1 + pick(st, 0xfff));
}

static char *
ms_host(uint64_t *st, const char *kind, const char *prd)
{
	return g_strdup_printf("%c%c%dPR%02d%s%04d.%s.prod.outlook.com",
	    'A' + pick(st, 26), 'A' + pick(st, 26), pick(st, 10),
	    1 + pick(st, 21), kind, pick(st, 10000), prd);
}

/*
 * Microsoft's hops above the edge, oldest first in HOPS (printed newest
 * first): the frontend relay, mailbox and client-access servers with
 * 2603:10b6/2603:10a6 or 10.x addresses, an exchangelabs hop, and the
 * Outlook.com mailbox delivery "(::1) ... with HTTPS".
 */
static void
ms_hops_above(GPtrArray *hops, uint64_t *st, const char *ft,
    bool tenant, const char *date)
{
	bool eur = pick(st, 10) < 3;
	const char *pfx = eur ? "2603:10a6" : "2603:10b6";
	g_autofree char *prd = g_strdup_printf(eur ? "eurprd%02d" :
	    "namprd%02d", 1 + pick(st, 20));
	int n = hop_count(st);
	char *prev = ms_host(st, "CA", prd);
	char *prev_v6 = ms_v6(st, pfx, false);
	g_autofree char *front_v6 = ms_v6(st, pfx, true);

	g_ptr_array_add(hops, g_strdup_printf("Received: from %s.eop-nam%02d."
	    "prod.protection.outlook.com\n (%s) by %s\n (%s) with Microsoft "
	    "SMTP Server (version=TLS1_2,\n cipher=TLS_ECDHE_RSA_WITH_AES_256_"
	    "GCM_SHA384) id 15.20.8765.%d via Frontend\n Transport; %s", ft,
	    1 + pick(st, 12), front_v6, prev, prev_v6,
	    pick(st, 40), date));
	for (int i = 1; i < n; i++) {
		char *next, *next_v6;

		if (i == n - 1 && !tenant && n >= 3) {
			next = ms_host(st, "MB", prd);
			g_ptr_array_add(hops, g_strdup_printf("Received: from %s "
			    "(::1) by\n %s with HTTPS; %s", prev, next, date));
			g_free(next);
			break;
		}
		next = ms_host(st, pick(st, 7) == 0 ? "CA" : "MB", prd);
		if (pick(st, 7) == 0) {
			/* an older hop form: 10.x addresses on both sides */
			next_v6 = g_strdup_printf("10.%d.%d.%d", pick(st, 256),
			    pick(st, 256), 1 + pick(st, 254));
			g_ptr_array_add(hops, g_strdup_printf("Received: from %s "
			    "(10.%d.%d.%d) by\n %s (%s) with Microsoft SMTP\n "
			    "Server (version=TLS1_2) id 15.20.8765.%d; %s", prev,
			    pick(st, 256), pick(st, 256), 1 + pick(st, 254),
			    next, next_v6, pick(st, 40), date));
		} else {
			next_v6 = ms_v6(st, pfx, false);
			g_ptr_array_add(hops, g_strdup_printf("Received: from %s "
			    "(%s)\n by %s (%s) with\n Microsoft SMTP Server "
			    "(version=TLS1_2) id 15.20.8765.%d; %s", prev,
			    prev_v6, next, next_v6, pick(st, 40), date));
		}
		g_free(prev);
		g_free(prev_v6);
		prev = next;
		prev_v6 = next_v6;
	}
	g_free(prev);
	g_free(prev_v6);
}

/* the sender's own hops below the edge: decoys with private and public
 * (203.0.113.x, never a scenario IP) addresses and sendmail versions */
static void
sender_hops(FILE *f, uint64_t *st, const char *date)
{
	switch (pick(st, 4)) {
	case 0:
		fprintf(f, "Received: from app%02d.int.sender.example "
		    "(app.int [192.168.%d.%d])\n\tby mail.sender.example "
		    "(8.16.1.2/8.16.1.2) with ESMTP id 5B2I0%04dX; %s\n",
		    pick(st, 20), pick(st, 256), 1 + pick(st, 254),
		    pick(st, 10000), date);
		break;
	case 1:
		fprintf(f, "Received: from relay%d.sender.example "
		    "(relay.sender.example [203.0.113.%d])\n\tby "
		    "mail.sender.example (Postfix) with ESMTPS id 4Q%05X;\n\t%s\n",
		    pick(st, 9), 1 + pick(st, 254), pick(st, 0xfffff), date);
		break;
	default:
		break;
	}
}

/*
 * A 2026 JMRP original as Outlook.com / Microsoft 365 delivered it: the
 * provider's hops above the edge, its witnesses in the order real mail
 * has them (tests/bench/ms_chain.py models the same from the real
 * chains), the edge hop naming IP, the sender's hops, and decoys.
 */
static void
write_hops(FILE *f, const char *ip, const char *date, long id)
{
	uint64_t st = (uint64_t)id * 2654435761ULL + scn_seed;
	bool tenant = pick(&st, 4) == 0;
	g_autofree char *ft = g_strdup_printf("%c%c%dPEPF%08X",
	    'A' + pick(&st, 26), 'A' + pick(&st, 26), 1 + pick(&st, 9),
	    (unsigned)pick(&st, 0xffffff));
	GPtrArray *above = g_ptr_array_new_with_free_func(g_free);
	int spf = pick(&st, 20);

	ms_hops_above(above, &st, ft, tenant, date);
	if (tenant)
		fprintf(f, "ARC-Authentication-Results: i=1; mx.microsoft.com "
		    "1; spf=pass (sender ip is\n %s) smtp.rcpttodomain="
		    "outlook.com smtp.mailfrom=synth.example;\n dmarc=pass "
		    "action=none header.from=synth.example; arc=none\n", ip);
	for (guint i = above->len; i > 0; i--)
		fprintf(f, "%s\n", (char *)above->pdata[i - 1]);
	g_ptr_array_free(above, TRUE);
	fprintf(f, "%s: spf=pass (sender IP is %s)\n smtp.mailfrom="
	    "synth.example; dkim=pass (signature was verified)\n header.d="
	    "synth.example;dmarc=pass action=none\n header.from=synth.example;"
	    "compauth=pass reason=100\n", tenant ?
	    "X-MS-Exchange-Authentication-Results" : "Authentication-Results",
	    ip);
	if (spf < 16)
		fprintf(f, "Received-SPF: Pass (protection.outlook.com: domain "
		    "of synth.example\n designates %s as permitted sender)\n "
		    "receiver=protection.outlook.com; client-ip=%s;\n "
		    "helo=mail.sender.example; pr=C\n", ip, ip);
	else
		fprintf(f, "Received-SPF: None (protection.outlook.com: "
		    "synth.example does not\n designate permitted sender "
		    "hosts)\n");
	fprintf(f, "Received: from mail.sender.example (%s) by\n %s.mail."
	    "protection.outlook.com (10.167.%d.%d) with Microsoft SMTP\n "
	    "Server (version=TLS1_2) id 15.20.8765.%d\n via Frontend "
	    "Transport; %s\n", ip, ft, pick(&st, 256), 1 + pick(&st, 254),
	    pick(&st, 40), date);
	sender_hops(f, &st, date);
	if (pick(&st, 3) == 0)
		fprintf(f, "X-Originating-IP: [198.51.100.%d]\n",
		    1 + pick(&st, 254));
	if (tenant)
		fprintf(f, "X-Forefront-Antispam-Report-Untrusted: "
		    "CIP:255.255.255.255;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;"
		    "SFV:NSPM;\n\tH:mail.sender.example;PTR:;CAT:NONE;SFS:;"
		    "DIR:INB;\n"
		    "X-Forefront-Antispam-Report: CIP:%s;CTRY:US;LANG:en;"
		    "SCL:1;SRV:;IPV:NLI;\n\tSFV:NSPM;H:mail.sender.example;"
		    "PTR:mail.sender.example;CAT:NONE;\n\tSFS:;DIR:INB;\n"
		    "X-MS-Exchange-CrossTenant-OriginalAttributedTenant"
		    "ConnectingIp:\n TenantId=72f988bf-86f1-41af-91ab-"
		    "2d7cd011db47;Ip=[%s];Helo=[mail.sender.example]\n", ip, ip);
	else
		fprintf(f, "X-Sender-IP: %s\n", ip);
}

static void
write_arf(FILE *f, const char *ip, const GDate *day, long id)
{
	/* 70 % 2026 JMRP (hops, no Source-IP); the rest older reports */
	bool hops = with_hops && id % 10 < 7;
	char date[64];

	g_date_strftime(date, sizeof(date), "%a, %d %b %Y 18:00:00 +0000",
	    day);
	fprintf(f, "From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n"
	    "From: staff@hotmail.com\nTo: fbl@synth.example\n"
	    "Subject: complaint about message from %s\nDate: %s\n"
	    "Message-ID: <synth-%ld@jmrp.example>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=feedback-report;\n"
	    "\tboundary=\"b\"\n\n--b\nContent-Type: text/plain\n\n"
	    "This is an email abuse report.\n\n--b\n"
	    "Content-Type: message/feedback-report\n\n"
	    "Feedback-Type: abuse\nUser-Agent: JMRP/1.0\nVersion: 1\n",
	    hops ? "Microsoft" : ip, date, id);
	if (!hops)
		fprintf(f, "Source-IP: %s\n", ip);
	fprintf(f, "Arrival-Date: %s\n"
	    "Original-Mail-From: <bounce@synth.example>\n\n--b\n"
	    "Content-Type: text/rfc822-headers\n\n", date);
	if (hops)
		write_hops(f, ip, date, id);
	fprintf(f, "From: news@synth.example\nTo: *****@hotmail.com\n"
	    "Subject: News %ld\nDate: %s\nMessage-ID: <m%ld@synth.example>\n"
	    "\n--b--\n\n", id, date, id);
}

static void
write_snds_row(FILE *f, const char *ip, const GDate *day, double n,
    double c_send, const char *filter)
{
	char rb[32];
	int m = g_date_get_month(day), d = g_date_get_day(day);
	int y = g_date_get_year(day);

	band(rb, sizeof(rb), c_send, n);
	fprintf(f, "%s,%d/%d/%d 12:00 AM,%d/%d/%d 11:59 PM,%.0f,%.0f,%.0f,"
	    "%s,%s,,,,mta.synth.example,bounce@synth.example,\r\n",
	    ip, m, d, y, m, d, y, n * 1.02, n, n, filter, rb);
}

struct out_files {
	FILE *snds[MAX_DAYS];
	FILE *mbox, *truth, *reports;
	long arf_id;
};

static void
files_ip(struct out_files *o, const struct ipspec *s, int idx, int days)
{
	double n[MAX_DAYS], rate[MAX_DAYS];
	int arrive[MAX_DAYS + 4];
	const char *filter[MAX_DAYS];
	int cross;

	simulate(s, 1000003UL * (unsigned long)idx + 17, days, n, rate,
	    arrive, filter);
	for (int d = 0; d < days; d++) {
		GDate day;

		day_of(&day, d);
		if (n[d] > 0 && s->kind != K_UNMATCHED && o->snds[d] != NULL)
			write_snds_row(o->snds[d], s->ip, &day, n[d],
			    arrive[d], filter[d]);
		for (int k = 0; k < arrive[d]; k++) {
			long id = ++o->arf_id;

			write_arf(o->mbox, s->ip, &day, id);
			fprintf(o->reports, "synth-%ld@jmrp.example\t%s\n", id,
			    s->ip);
			/* a duplicate delivery: the same report again */
			if (id % 50 == 7)
				write_arf(o->mbox, s->ip, &day, id);
			fprintf(o->reports, "synth-%ld@jmrp.example\t%s\n", id,
			    s->ip);
		}
	}
	cross = crossing(n, rate, days);
	fprintf(o->truth, "%s\t%s\t%s\t%d\t%d\n", s->ip, kind_names[s->kind],
	    s->kind == K_RANGE ? "44.6.0.0/24" : "", cross,
	    s->start < days ? s->start : -1);
}

static int
make_files(const char *dir, int days)
{
	struct ipspec specs[400];
	struct out_files o = {0};
	char *p;
	int n = scenario_specs(specs, 400);

	p = g_build_filename(dir, "snds", NULL);
	g_mkdir_with_parents(p, 0755);
	for (int d = 0; d < days; d++) {
		char name[64], ds[11];
		GDate day;

		/* three whole SNDS days never arrive (fetch gaps) */
		if (d % 29 == (int)(11 + scn_seed % 17)) {
			o.snds[d] = NULL;
			continue;
		}
		day_of(&day, d);
		g_date_strftime(ds, sizeof(ds), "%Y-%m-%d", &day);
		snprintf(name, sizeof(name), "data-%s.csv", ds);
		g_autofree char *path = g_build_filename(p, name, NULL);
		o.snds[d] = fopen(path, "w");
	}
	g_free(p);
	p = g_build_filename(dir, "complaints.mbox", NULL);
	o.mbox = fopen(p, "w");
	g_free(p);
	p = g_build_filename(dir, "truth.tsv", NULL);
	o.truth = fopen(p, "w");
	g_free(p);
	/* the IP that sent the message of each report (attribution check) */
	p = g_build_filename(dir, "reports.tsv", NULL);
	o.reports = fopen(p, "w");
	g_free(p);
	/* a few complaints from an IP SNDS does not know: unmatched */
	specs[n] = (struct ipspec){K_UNMATCHED, "44.9.0.1", 20000, 0.0003,
	    999, 1.0, 1.0, 0.1, 0, MAX_DAYS};
	for (int i = 0; i <= n; i++)
		files_ip(&o, &specs[i], i, days);
	for (int d = 0; d < days; d++)
		if (o.snds[d] != NULL)
			fclose(o.snds[d]);
	fclose(o.mbox);
	fclose(o.truth);
	fclose(o.reports);
	return 0;
}

static void
copy_snds_ip(const struct ipspec *s, int idx, int days)
{
	double n[MAX_DAYS], rate[MAX_DAYS];
	int arrive[MAX_DAYS + 4];
	const char *filter[MAX_DAYS];

	simulate(s, 1000003UL * (unsigned long)idx + 17, days, n, rate,
	    arrive, filter);
	for (int d = 0; d < days; d++) {
		char ds[11], rb[32];
		GDate day;
		double frac = arrive[d] / fmax(n[d], 1);
		bool floor_band = frac < 0.001;

		if (n[d] <= 0)
			continue;
		day_of(&day, d);
		g_date_strftime(ds, sizeof(ds), "%Y-%m-%d", &day);
		band(rb, sizeof(rb), arrive[d], n[d]);
		/* source ip start end day rcpt data recipients filter text
		 * low high open raw_start raw_end */
		printf("bench\t%s\t%s 00:00:00-08\t%s 23:59:00-08\t%s\t%.0f\t"
		    "%.0f\t%.0f\t%s\t%s\t%.4f\t%.4f\t%s\t%s\t%s\n", s->ip,
		    ds, ds, ds, n[d], n[d], n[d], filter[d], rb,
		    floor_band ? 0 : frac - 0.0005,
		    floor_band ? 0.001 : frac + 0.0005,
		    floor_band ? "t" : "f", ds, ds);
	}
}

static void
copy_arf_ip(const struct ipspec *s, int idx, int days)
{
	double n[MAX_DAYS], rate[MAX_DAYS];
	int arrive[MAX_DAYS + 4];
	const char *filter[MAX_DAYS];

	simulate(s, 1000003UL * (unsigned long)idx + 17, days, n, rate,
	    arrive, filter);
	for (int d = 0; d < days; d++) {
		char ds[11];
		GDate day;

		day_of(&day, d);
		g_date_strftime(ds, sizeof(ds), "%Y-%m-%d", &day);
		/* content_sha256 mailbox format feedback_type source_ip
		 * arrival_date */
		for (int k = 0; k < arrive[d]; k++)
			printf("%d-%d-%d\tbench\tarf\tabuse\t%s\t%s 18:00:00+00\n",
			    idx, d, k, s->ip, ds);
	}
}

static int
make_copy(bool snds, int ips, int days)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, 90210);
	for (int i = 0; i < ips; i++) {
		struct ipspec s = {0};

		bench_spec(&s, i, r);
		if (snds)
			copy_snds_ip(&s, i, days);
		else
			copy_arf_ip(&s, i, days);
	}
	gsl_rng_free(r);
	return 0;
}

static int
int_arg(const char *s, int lo, int hi)
{
	gint64 v;

	if (!g_ascii_string_to_signed(s, 10, lo, hi, &v, NULL)) {
		fprintf(stderr, "an_scenario: bad number \"%s\"\n", s);
		exit(64);
	}
	return (int)v;
}

int
main(int argc, char **argv)
{
	const char *hops = g_getenv("AN_SCENARIO_HOPS");

	with_hops = hops == NULL || strcmp(hops, "0") != 0;
	if (argc >= 3 && argc <= 5 && strcmp(argv[1], "files") == 0) {
		if (argc > 4)
			scn_seed = (unsigned long)int_arg(argv[4], 0, 1000000);
		return make_files(argv[2], argc > 3 ?
		    int_arg(argv[3], 40, MAX_DAYS - 4) : 90);
	}
	if (argc == 4 && strncmp(argv[1], "copy-", 5) == 0)
		return make_copy(strcmp(argv[1], "copy-snds") == 0,
		    int_arg(argv[2], 1, 10000000),
		    int_arg(argv[3], 1, MAX_DAYS - 3));
	fprintf(stderr, "usage: an_scenario files DIR [DAYS [SEED]] | "
	    "copy-snds IPS DAYS | copy-arf IPS DAYS\n");
	return 64;
}

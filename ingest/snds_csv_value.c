/*
 * snds_csv_value - the values of SNDS report cells: filter results, rates
 * ("< 0.1%", "10% - 20%"), "M/D/YYYY h:mm AM/PM" times, yes/no, IPv4
 * addresses (declared in snds_csv.h).
 */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#include "common/rw_error.h"
#include "ingest/snds_csv.h"

static const char *const filter_names[] = {"GREEN", "YELLOW", "RED"};

const char *
snds_filter_name(enum snds_filter f)
{
	return filter_names[f];
}

int
snds_filter_parse(enum snds_filter *out, const char *text)
{
	for (size_t i = 0; i < G_N_ELEMENTS(filter_names); i++) {
		if (g_ascii_strcasecmp(text, filter_names[i]) == 0) {
			*out = (enum snds_filter)i;
			return 0;
		}
	}
	return RW_EDATA;
}

bool
snds_is_ipv4(const char *text)
{
	struct in_addr a;

	return inet_pton(AF_INET, text, &a) == 1;
}

int
snds_bool_parse(bool *out, const char *text)
{
	static const char *const yes[] = {"yes", "true"};
	static const char *const no[] = {"no", "false"};

	for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
		if (g_ascii_strcasecmp(text, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (g_ascii_strcasecmp(text, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return RW_EDATA;
}

/*
 * A percent figure: digits with at most one decimal point. The shape is
 * checked here so that strtod's extras (signs, exponents, "inf", hex) never
 * pass; the value itself comes from g_ascii_strtod.
 */
static int
pct_number(double *out, char *dst, size_t dstlen, const char **pp)
{
	const char *p = *pp;
	const char *start = p;
	int dots = 0;

	while (g_ascii_isdigit(*p) || (*p == '.' && dots++ == 0))
		p++;
	if (p == start || !g_ascii_isdigit(p[-1]) || !g_ascii_isdigit(*start))
		return RW_EDATA;
	if ((size_t)(p - start) >= dstlen)
		return RW_EDATA;
	g_strlcpy(dst, start, (size_t)(p - start) + 1);
	*out = g_ascii_strtod(dst, NULL) / 100.0;
	*pp = p;
	return 0;
}

static void
skip_spaces(const char **pp)
{
	while (**pp == ' ' || **pp == '\t')
		(*pp)++;
}

/* one bound: "[<] N%"; sets *open when "<" was written */
static int
rate_bound(double *val, char *pct, size_t pctlen, bool *open, const char **pp)
{
	skip_spaces(pp);
	*open = false;
	if (**pp == '<') {
		*open = true;
		(*pp)++;
		skip_spaces(pp);
	}
	if (pct_number(val, pct, pctlen, pp) < 0)
		return RW_EDATA;
	skip_spaces(pp);
	if (**pp != '%')
		return RW_EDATA;
	(*pp)++;
	skip_spaces(pp);
	return 0;
}

/*
 * "< 0.1%" -> [0, 0.001), "0.4%" -> [0.004, 0.004], "a% - b%" -> [a, b],
 * "a% - < b%" -> [a, b). Rates above 100% are real (complaints are counted
 * on the day they are reported), so there is no upper limit.
 */
static int
rate_bounds(struct snds_rate *out, const char *text)
{
	const char *p = text;
	bool open1 = false, open2 = false;

	memset(out, 0, sizeof(*out));
	if (rate_bound(&out->high, out->high_pct, sizeof(out->high_pct),
	    &open1, &p) < 0)
		return RW_EDATA;
	if (open1) {
		/* "< x%": a ceiling only */
		out->high_open = true;
		g_strlcpy(out->low_pct, "0", sizeof(out->low_pct));
		return *p == '\0' ? 0 : RW_EDATA;
	}
	out->low = out->high;
	g_strlcpy(out->low_pct, out->high_pct, sizeof(out->low_pct));
	if (*p == '\0')
		return 0;
	if (*p != '-')
		return RW_EDATA;
	p++;
	if (rate_bound(&out->high, out->high_pct, sizeof(out->high_pct),
	    &open2, &p) < 0 || *p != '\0' || out->high < out->low)
		return RW_EDATA;
	out->high_open = open2;
	return 0;
}

/*
 * pct_to_frac - "0.4" -> "0.004", "12" -> "0.12", "112" -> "1.12": PCT is
 * digits with at most one point (pct_number checked it), so moving the
 * point two places is exact.
 */
static void
pct_to_frac(char *dst, size_t dstlen, const char *pct)
{
	size_t ilen = strcspn(pct, ".");
	const char *frac = pct[ilen] == '.' ? pct + ilen + 1 : "";
	char buf[40];
	size_t n = 0;

	if (ilen > 2) {
		memcpy(buf, pct, ilen - 2);
		n = ilen - 2;
		buf[n++] = '.';
		memcpy(buf + n, pct + ilen - 2, 2);
		n += 2;
	} else {
		buf[n++] = '0';
		buf[n++] = '.';
		if (ilen < 2)
			buf[n++] = '0';
		memcpy(buf + n, pct, ilen);
		n += ilen;
	}
	g_strlcpy(buf + n, frac, sizeof(buf) - n);
	g_strlcpy(dst, buf, dstlen);
}

int
snds_rate_parse(struct snds_rate *out, const char *text)
{
	int rc = rate_bounds(out, text);

	if (rc == 0) {
		pct_to_frac(out->low_frac, sizeof(out->low_frac), out->low_pct);
		pct_to_frac(out->high_frac, sizeof(out->high_frac),
		    out->high_pct);
	}
	return rc;
}

/*
 * "M/D/YYYY h:mm AM/PM" in zone TZ. strptime splits the text into fields
 * (C-locale AM/PM are always accepted by glibc); GDateTime applies the zone,
 * DST included: an ambiguous hour is read as standard time, a skipped one
 * is moved forward by GLib.
 */
int
snds_time_parse(struct snds_time *out, GTimeZone *tz, const char *text)
{
	struct tm tm;
	const char *end;
	GDateTime *dt;

	memset(&tm, 0, sizeof(tm));
	end = strptime(text, "%m/%d/%Y %I:%M %p", &tm);
	if (end == NULL || *end != '\0')
		return RW_EDATA;
	if (tm.tm_year < 1970 - 1900 || tm.tm_year > 9999 - 1900)
		return RW_EDATA;
	dt = g_date_time_new(tz, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, 0);
	if (dt == NULL)
		return RW_EDATA;
	/* a "2/30" would have been caught by g_date_time_new; day as written */
	out->utc = g_date_time_to_unix(dt);
	g_snprintf(out->day, sizeof(out->day), "%04d-%02d-%02d",
	    g_date_time_get_year(dt), g_date_time_get_month(dt),
	    g_date_time_get_day_of_month(dt));
	g_date_time_unref(dt);
	return 0;
}

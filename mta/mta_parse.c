/*
 * mta_parse - the parser, its settings, the dispatch by format and the
 * helpers that read an SMTP answer (mta_parse.h).
 */
#include <string.h>

#include "common/rw_error.h"
#include "mta/mta_parse_int.h"

static const char *const format_names[] = {
	[MTA_POSTFIX] = "postfix",
	[MTA_EXIM] = "exim",
	[MTA_KUMOMTA] = "kumomta",
	[MTA_POWERMTA] = "powermta",
};

int
mta_format_parse(enum mta_format *out, const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(format_names); i++) {
		if (name != NULL && strcmp(name, format_names[i]) == 0) {
			*out = (enum mta_format)i;
			return 0;
		}
	}
	rw_error_set(RW_ECONFIG, "unknown mta log type \"%s\"",
	    name != NULL ? name : "");
	rw_error_hint("Use postfix, exim, kumomta or powermta.");
	return RW_ECONFIG;
}

const char *
mta_format_name(enum mta_format format)
{
	if ((size_t)format >= G_N_ELEMENTS(format_names))
		return "?";
	return format_names[format];
}

const char *
mta_outcome_name(enum mta_outcome outcome)
{
	switch (outcome) {
	case MTA_DELIVERED:
		return "delivered";
	case MTA_DEFERRED:
		return "deferred";
	case MTA_BOUNCED:
		return "bounced";
	}
	return "?";
}

int
mta_parser_new(struct mta_parser **out, enum mta_format format)
{
	struct mta_parser *p;

	*out = NULL;
	if ((size_t)format >= G_N_ELEMENTS(format_names))
		return rw_error_set(RW_ESOFTWARE, "unknown mta log format %d",
		    (int)format);
	p = g_new0(struct mta_parser, 1);
	p->format = format;
	p->services = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	p->zone = g_time_zone_new_local();
	p->buf = g_malloc(MTA_JSON_MAX + 1);
	if (format == MTA_POWERMTA && mta_powermta_init(p) != 0) {
		mta_parser_free(p);
		return rw_error_set(RW_EFAIL, "cannot set up the csv parser");
	}
	*out = p;
	return 0;
}

void
mta_parser_free(struct mta_parser *p)
{
	if (p == NULL)
		return;
	if (p->format == MTA_POWERMTA)
		mta_powermta_free(p);
	g_hash_table_destroy(p->services);
	g_time_zone_unref(p->zone);
	g_free(p->buf);
	g_free(p);
}

int
mta_parser_set_source_ip(struct mta_parser *p, const char *ip)
{
	char canon[RW_IP_BUF];

	if (ip == NULL || *ip == '\0') {
		p->source_ip[0] = '\0';
		return 0;
	}
	if (!rw_ip_normalize(canon, ip, strlen(ip))) {
		rw_error_set(RW_ECONFIG, "source_ip \"%s\" is no address", ip);
		return RW_ECONFIG;
	}
	g_strlcpy(p->source_ip, canon, sizeof(p->source_ip));
	return 0;
}

/* add_service - one "name:address" entry (N bytes at S) */
static int
add_service(struct mta_parser *p, const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	char canon[RW_IP_BUF];
	size_t nl;

	if (colon == NULL || colon == s)
		goto bad;
	nl = (size_t)(colon - s);
	if (nl >= MTA_SERVICE_MAX)
		goto bad;
	if (!rw_ip_normalize(canon, colon + 1, n - nl - 1))
		goto bad;
	g_hash_table_replace(p->services, g_strndup(s, nl), g_strdup(canon));
	return 0;
bad:
	rw_error_set(RW_ECONFIG, "ip_by_service entry \"%.*s\" is malformed",
	    (int)MIN(n, 200), s);
	rw_error_hint("Write NAME:ADDRESS, e.g. smtp-ip1:203.0.113.5.");
	return RW_ECONFIG;
}

int
mta_parser_add_services(struct mta_parser *p, const char *spec)
{
	const char *s = spec;

	while (s != NULL && *s != '\0') {
		size_t n;
		int rc;

		while (*s == ',' || g_ascii_isspace(*s))
			s++;
		n = strcspn(s, ", \t\r\n");
		if (n == 0)
			break;
		rc = add_service(p, s, n);
		if (rc != 0)
			return rc;
		s += n;
	}
	return 0;
}

int
mta_parser_set_zone(struct mta_parser *p, const char *zone)
{
	GTimeZone *tz = g_time_zone_new_identifier(zone);

	if (tz == NULL) {
		rw_error_set(RW_ECONFIG, "unknown time zone \"%s\"", zone);
		return RW_ECONFIG;
	}
	g_time_zone_unref(p->zone);
	p->zone = tz;
	return 0;
}

void
mta_parser_set_now(struct mta_parser *p, int64_t now)
{
	GDateTime *dt;
	int64_t next;

	if (now == p->now)
		return;
	p->now = now;
	p->now_year = 0;
	p->next_year = false;
	dt = now > 0 ? g_date_time_new_from_unix_utc(now) : NULL;
	if (dt == NULL)
		return;
	p->now_year = g_date_time_get_year(dt);
	g_date_time_unref(dt);
	/* a stamp of the next year is at most a day ahead of NOW in a zone
	 * of up to 14 hours ahead of UTC (15 for a margin) */
	dt = g_date_time_new_utc(p->now_year + 1, 1, 1, 0, 0, 0);
	next = dt != NULL ? g_date_time_to_unix(dt) : G_MAXINT64;
	if (dt != NULL)
		g_date_time_unref(dt);
	p->next_year = now + 86400 >= next - 15 * 3600;
}

int
mta_parse_line(struct mta_attempt *out, bool *out_found,
    struct mta_parser *p, const char *line, size_t len)
{
	size_t cap = p->format == MTA_KUMOMTA ? MTA_JSON_MAX : MTA_LINE_MAX;
	const char *nul;

	*out_found = false;
	memset(out, 0, sizeof(*out));
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len > cap)
		return rw_error_set(RW_EDATA,
		    "%s line of %zu bytes, over the limit of %zu",
		    mta_format_name(p->format), len, cap);
	nul = memchr(line, '\0', len);
	if (nul != NULL)
		return rw_error_set(RW_EDATA, "%s line holds a NUL byte",
		    mta_format_name(p->format));
	memcpy(p->buf, line, len);
	p->buf[len] = '\0';
	switch (p->format) {
	case MTA_POSTFIX:
		return mta_parse_postfix(out, out_found, p, p->buf);
	case MTA_EXIM:
		return mta_parse_exim(out, out_found, p, p->buf);
	case MTA_KUMOMTA:
		return mta_parse_kumomta(out, out_found, p, p->buf, len);
	case MTA_POWERMTA:
		return mta_parse_powermta(out, out_found, p, p->buf, len);
	}
	return rw_error_set(RW_ESOFTWARE, "unknown mta log format");
}

void
mta_copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

void
mta_copy_lower(char *dst, size_t cap, const char *s, size_t n)
{
	mta_copy(dst, cap, s, n);
	for (char *c = dst; *c != '\0'; c++)
		*c = g_ascii_tolower(*c);
}

bool
mta_set_ip(char dst[static RW_IP_BUF], const char *s, size_t n)
{
	if (!rw_ip_normalize(dst, s, n)) {
		dst[0] = '\0';
		return false;
	}
	return true;
}

void
mta_set_rcpt(struct mta_attempt *a, const char *s, size_t n)
{
	const char *at = NULL;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '@')
			at = s + i;
	if (at == NULL)
		return;
	n -= (size_t)(at + 1 - s);
	s = at + 1;
	while (n > 0 && (s[n - 1] == '>' || s[n - 1] == '.'))
		n--;
	mta_copy_lower(a->rcpt_domain, sizeof(a->rcpt_domain), s, n);
}

void
mta_set_text(struct mta_attempt *a, const char *s, size_t n)
{
	a->text_capped = n >= sizeof(a->text);
	mta_copy(a->text, sizeof(a->text), s, n);
}

size_t
mta_enhanced_at(char out[static 16], const char *s)
{
	size_t i = 1, d;

	if (s[0] < '2' || s[0] > '5' || s[1] != '.')
		return 0;
	for (int part = 0; part < 2; part++) {
		if (s[i] != '.')
			return 0;
		i++;
		for (d = 0; d < 3 && g_ascii_isdigit(s[i]); d++)
			i++;
		if (d == 0)
			return 0;
	}
	if (g_ascii_isdigit(s[i]) || (s[i] == '.' && g_ascii_isdigit(s[i + 1])))
		return 0;
	mta_copy(out, 16, s, i);
	return i;
}

/* reply_at - a reply code starts at T + I: after ": ", ";", C=" or at 0 */
static bool
reply_at(const char *t, size_t i)
{
	const char *s = t + i;
	bool lead = i == 0 || t[i - 1] == ';' ||
	    (i >= 2 && t[i - 1] == ' ' && t[i - 2] == ':') ||
	    (i >= 2 && t[i - 1] == '"' && t[i - 2] == '=');

	return lead && s[0] >= '2' && s[0] <= '5' && g_ascii_isdigit(s[1]) &&
	    g_ascii_isdigit(s[2]) &&
	    (s[3] == ' ' || s[3] == '-' || s[3] == '\0');
}

/*
 * scan_scode - Microsoft's "(S3150)", or with a letter before the S
 * ("(AS3130)", "(AS16012611)"): the last one of T
 */
static void
scan_scode(struct mta_attempt *a, const char *t)
{
	for (const char *s = strchr(t, '('); s != NULL;
	    s = strchr(s + 1, '(')) {
		size_t pre = g_ascii_isupper(s[1]) && s[1] != 'S' ? 1 : 0;
		size_t d = 0;

		if (s[1 + pre] != 'S')
			continue;
		while (d < 9 && g_ascii_isdigit(s[2 + pre + d]))
			d++;
		if (d >= 3 && d <= (pre ? 8u : 5u) && s[2 + pre + d] == ')')
			mta_copy(a->scode, sizeof(a->scode), s + 1,
			    pre + d + 1);
	}
}

/* scan_ip - the first [address] of T: the IP Microsoft judged */
static void
scan_ip(struct mta_attempt *a, const char *t)
{
	for (const char *s = strchr(t, '['); s != NULL;
	    s = strchr(s + 1, '[')) {
		const char *e = strchr(s + 1, ']');

		if (e == NULL)
			return;
		if (e - s - 1 < RW_IP_BUF &&
		    mta_set_ip(a->answer_ip, s + 1, (size_t)(e - s - 1)))
			return;
	}
}

void
mta_scan_answer(struct mta_attempt *a)
{
	const char *t = a->text;
	const char *ans = NULL;

	for (size_t i = 0; t[i] != '\0'; i++) {
		if (reply_at(t, i)) {
			ans = t + i;
			break;
		}
	}
	if (ans != NULL) {
		a->reply = (ans[0] - '0') * 100 + (ans[1] - '0') * 10 +
		    (ans[2] - '0');
		if (a->enhanced[0] == '\0' && ans[3] != '\0')
			mta_enhanced_at(a->enhanced, ans + 4);
		scan_ip(a, ans);
	}
	scan_scode(a, t);
}

void
mta_set_time(struct mta_attempt *a, const struct mta_parser *p,
    const char *s, size_t n)
{
	char iso[48];
	GDateTime *dt;

	mta_copy(a->time, sizeof(a->time), s, n);
	/* "YYYY-MM-DD HH:MM:SS" (Exim, PowerMTA) reads as ISO 8601 */
	mta_copy(iso, sizeof(iso), s, n);
	if (strlen(iso) >= 19 && iso[10] == ' ')
		iso[10] = 'T';
	/* a zone after a blank: "2026-01-02T03:04:05 +0100" */
	if (strlen(iso) > 20 && iso[19] == ' ')
		memmove(iso + 19, iso + 20, strlen(iso + 20) + 1);
	if (strlen(iso) < 19 || !g_ascii_isdigit(iso[0]) || iso[4] != '-')
		return;
	dt = g_date_time_new_from_iso8601(iso, p->zone);
	if (dt == NULL)
		return;
	a->epoch = g_date_time_to_unix(dt);
	a->has_epoch = true;
	g_date_time_unref(dt);
}

/* syslog_month - "Jan".."Dec" at S as 1..12, 0 if none */
static int
syslog_month(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	for (int m = 0; m < 12; m++)
		if (strncmp(s, months + 3 * m, 3) == 0)
			return m + 1;
	return 0;
}

/* two_digits - "07" at S, or " 7" when LEAD allows a blank; -1 if none */
static int
two_digits(const char *s, bool lead)
{
	if (lead && s[0] == ' ' && g_ascii_isdigit(s[1]))
		return s[1] - '0';
	if (g_ascii_isdigit(s[0]) && g_ascii_isdigit(s[1]))
		return (s[0] - '0') * 10 + (s[1] - '0');
	return -1;
}

void
mta_set_syslog_time(struct mta_attempt *a, const struct mta_parser *p,
    const char *s, size_t n)
{
	int mon, day, hh, mm, ss;

	mta_copy(a->time, sizeof(a->time), s, n);
	/* "Mmm dd HH:MM:SS": 15 bytes, the day padded with a blank */
	s = a->time;
	if (p->now_year == 0 || strlen(s) != 15 || s[3] != ' ' ||
	    s[6] != ' ' || s[9] != ':' || s[12] != ':')
		return;
	mon = syslog_month(s);
	day = two_digits(s + 4, true);
	hh = two_digits(s + 7, false);
	mm = two_digits(s + 10, false);
	ss = two_digits(s + 13, false);
	if (mon == 0 || day < 1 || hh < 0 || mm < 0 || ss < 0)
		return;
	/* the latest year at most a day ahead of NOW; a 29 February that
	 * does not exist in a year goes back to the last leap year */
	for (int y = p->now_year + p->next_year; y >= p->now_year - 8; y--) {
		GDateTime *dt = g_date_time_new(p->zone, y, mon, day, hh, mm,
		    (gdouble)ss);
		int64_t e;

		if (dt == NULL)
			continue;
		e = g_date_time_to_unix(dt);
		g_date_time_unref(dt);
		if (e <= p->now + 86400) {
			a->epoch = e;
			a->has_epoch = true;
			return;
		}
	}
}

void
mta_source(struct mta_attempt *a, const struct mta_parser *p,
    const char *service)
{
	const char *ip = NULL;

	if (a->source_ip[0] != '\0')
		return;
	if (service != NULL && *service != '\0')
		ip = g_hash_table_lookup(p->services, service);
	if (ip == NULL)
		ip = p->source_ip;
	g_strlcpy(a->source_ip, ip, sizeof(a->source_ip));
}

/*
 * mta_text - the line formats: Postfix's smtp/lmtp delivery status lines
 * and Exim's main log delivery lines (=>, ->, ==, **).
 *
 * A line names an attempt only when it names the remote host: Postfix's
 * relay=none, Exim's local deliveries and "retry time not reached" lines
 * are not attempts, nor Exim's host-level error lines (the == or ** line
 * of each address carries the same answer).
 */
#include <string.h>

#include "common/rw_error.h"
#include "mta/mta_parse_int.h"

/* token - the word at *S (up to a blank); *S moves past it and blanks */
static size_t
token(const char **s, const char **start)
{
	const char *p = *s;
	size_t n;

	while (*p == ' ')
		p++;
	*start = p;
	n = strcspn(p, " ");
	p += n;
	while (*p == ' ')
		p++;
	*s = p;
	return n;
}

/*
 * syslog_head - the head of a syslog line: classic "Sep  9 14:53:03 host
 * tag[pid]: " or RFC 3339 "2026-...+01:00 host tag[pid]: ". The length of
 * the time at the start goes to *TIME_LEN (read by the caller only for an
 * attempt: dating a stamp costs more than the rest of most lines), the tag
 * without its [pid] to TAG; the message after it is returned, NULL when
 * the line has no such head.
 */
static const char *
syslog_head(const char *line, size_t *time_len, char *tag, size_t tagcap)
{
	const char *s = line, *w;
	size_t n, tl;

	if (g_ascii_isdigit(line[0])) {
		*time_len = token(&s, &w);
	} else {
		for (int i = 0; i < 3; i++)
			if (token(&s, &w) == 0)
				return NULL;
		*time_len = (size_t)(w + strcspn(w, " ") - line);
	}
	if (token(&s, &w) == 0)          /* host */
		return NULL;
	n = token(&s, &w);               /* tag[pid]: */
	if (n < 2 || w[n - 1] != ':')
		return NULL;
	tl = strcspn(w, "[:");
	if (tl == 0 || tl >= tagcap)
		return NULL;
	mta_copy(tag, tagcap, w, tl);
	return s;
}

/*
 * postfix_service - SERVICE from a delivery agent's tag: "postfix/smtp"
 * none, "postfix/NAME/smtp" and "postfix-NAME/smtp" NAME, "NAME/smtp"
 * (a syslog_name of its own) NAME. False when the agent is not smtp/lmtp.
 */
static bool
postfix_service(char service[static MTA_SERVICE_MAX], const char *tag)
{
	const char *slash = strrchr(tag, '/');
	size_t n;

	service[0] = '\0';
	if (slash == NULL ||
	    (strcmp(slash + 1, "smtp") != 0 && strcmp(slash + 1, "lmtp") != 0))
		return false;
	n = (size_t)(slash - tag);
	if (n == 7 && strncmp(tag, "postfix", 7) == 0)
		return true;
	if (n > 8 && (strncmp(tag, "postfix/", 8) == 0 ||
	    strncmp(tag, "postfix-", 8) == 0)) {
		tag += 8;
		n -= 8;
	}
	mta_copy(service, MTA_SERVICE_MAX, tag, n);
	return true;
}

/* field - the value of ", NAME=" in S (up to ", "), its length in *N */
static const char *
field(const char *s, const char *name, size_t *n)
{
	size_t nl = strlen(name);

	for (const char *f = strstr(s, name); f != NULL;
	    f = strstr(f + 1, name)) {
		if (f - s >= 2 && f[-1] == ' ' && f[-2] == ',' &&
		    f[nl] == '=') {
			const char *v = f + nl + 1;
			const char *e = strstr(v, ", ");

			*n = e != NULL ? (size_t)(e - v) : strlen(v);
			return v;
		}
	}
	return NULL;
}

/* host_ip - "host[ip]:port" or "host [ip]" into the MX host and address */
static void
host_ip(struct mta_attempt *a, const char *v, size_t n)
{
	const char *lb = memchr(v, '[', n), *rb;
	size_t hn;

	if (lb == NULL) {
		mta_copy_lower(a->mx_host, sizeof(a->mx_host), v, n);
		return;
	}
	hn = (size_t)(lb - v);
	while (hn > 0 && v[hn - 1] == ' ')
		hn--;
	mta_copy_lower(a->mx_host, sizeof(a->mx_host), v, hn);
	rb = memchr(lb, ']', n - (size_t)(lb - v));
	if (rb != NULL && rb - lb - 1 < RW_IP_BUF)
		mta_set_ip(a->mx_ip, lb + 1, (size_t)(rb - lb - 1));
}

int
mta_parse_postfix(struct mta_attempt *a, bool *found, struct mta_parser *p,
    const char *line)
{
	char tag[128];
	const char *msg, *v, *st;
	size_t n, tn;

	msg = syslog_head(line, &tn, tag, sizeof(tag));
	if (msg == NULL || !postfix_service(a->service, tag))
		return 0;
	/* "QUEUEID: to=<rcpt>, ..." */
	n = strspn(msg, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz");
	if (n == 0 || strncmp(msg + n, ": to=<", 6) != 0)
		return 0;
	v = msg + n + 6;
	n = strcspn(v, ">");
	if (v[n] != '>')
		return 0;
	mta_set_rcpt(a, v, n);
	st = field(v, "status", &n);
	if (st == NULL)
		return 0;
	if (strncmp(st, "sent", 4) == 0)
		a->outcome = MTA_DELIVERED;
	else if (strncmp(st, "deferred", 8) == 0)
		a->outcome = MTA_DEFERRED;
	else if (strncmp(st, "bounced", 7) == 0)
		a->outcome = MTA_BOUNCED;
	else
		return 0;
	v = field(v, "relay", &n);
	if (v == NULL || (n == 4 && strncmp(v, "none", 4) == 0))
		return 0;
	host_ip(a, v, n);
	if (g_ascii_isdigit(line[0]))
		mta_set_time(a, p, line, tn);
	else
		mta_set_syslog_time(a, p, line, tn);
	v = field(msg, "dsn", &n);
	if (v != NULL && n < 16)
		mta_enhanced_at(a->enhanced, v);
	v = strchr(st, '(');
	if (v != NULL) {
		n = strlen(v + 1);
		if (n > 0 && v[n] == ')')
			n--;
		mta_set_text(a, v + 1, n);
	}
	mta_scan_answer(a);
	mta_source(a, p, a->service);
	*found = true;
	return 0;
}

/* exim_time - "YYYY-MM-DD HH:MM:SS[.mmm][ +ZZZZ]"; the rest of the line */
static const char *
exim_time(struct mta_attempt *a, const struct mta_parser *p,
    const char *line)
{
	size_t n = 19;

	if (strlen(line) < 20 || line[4] != '-' || line[10] != ' ' ||
	    line[13] != ':' || line[19] == ':')
		return NULL;
	if (line[n] == '.')
		n += 1 + strspn(line + n + 1, "0123456789");
	if (line[n] == ' ' && (line[n + 1] == '+' || line[n + 1] == '-') &&
	    strspn(line + n + 2, "0123456789") == 4)
		n += 6;
	mta_set_time(a, p, line, n);
	return line + n;
}

int
mta_parse_exim(struct mta_attempt *a, bool *found, struct mta_parser *p,
    const char *line)
{
	const char *s, *w, *v, *flag;
	size_t n;

	s = exim_time(a, p, line);
	if (s == NULL)
		return 0;
	n = token(&s, &w);
	if (n > 2 && w[0] == '[' && w[n - 1] == ']')   /* +pid */
		n = token(&s, &w);
	if (n == 0)                                    /* message id */
		return 0;
	n = token(&s, &flag);
	if (n != 2)
		return 0;
	if (strncmp(flag, "=>", 2) == 0 || strncmp(flag, "->", 2) == 0)
		a->outcome = MTA_DELIVERED;
	else if (strncmp(flag, "==", 2) == 0)
		a->outcome = MTA_DEFERRED;
	else if (strncmp(flag, "**", 2) == 0)
		a->outcome = MTA_BOUNCED;
	else
		return 0;
	/* "rcpt@domain" or "local <rcpt@domain>" */
	n = token(&s, &w);
	if (memchr(w, '@', n) == NULL && s[0] == '<') {
		n = token(&s, &w);
		if (n > 0 && w[0] == '<')
			w++, n--;
	}
	if (n == 0)
		return 0;
	mta_set_rcpt(a, w, n);
	v = strstr(s, " H=");
	if (v != NULL) {
		v += 3;
		n = strcspn(v, "]");
		if (v[n] == ']')
			host_ip(a, v, n + 1);
	}
	v = strstr(s, " I=[");
	if (v != NULL) {
		v += 4;
		n = strcspn(v, "]");
		if (v[n] == ']' && n < RW_IP_BUF)
			mta_set_ip(a->source_ip, v, n);
	}
	if (a->outcome == MTA_DELIVERED) {
		v = strstr(s, " C=\"");
		if (v != NULL) {
			v += 4;
			n = strcspn(v, "\"");
			mta_set_text(a, v, n);
		}
	} else {
		v = strstr(s, ": ");
		v = v != NULL ? v + 2 : s;
		mta_set_text(a, v, strlen(v));
	}
	mta_scan_answer(a);
	/* older Exims name the host in the error: "...: host NAME [IP]: 550" */
	v = strstr(a->text, "host ");
	if (a->mx_host[0] == '\0' && a->mx_ip[0] == '\0' && v != NULL) {
		v += 5;
		n = strcspn(v, "]");
		if (v[n] == ']' && n < MTA_NAME_MAX + RW_IP_BUF &&
		    memchr(v, '[', n) != NULL)
			host_ip(a, v, n + 1);
	}
	if (a->mx_host[0] == '\0' && a->mx_ip[0] == '\0')
		return 0;
	mta_source(a, p, NULL);
	*found = true;
	return 0;
}

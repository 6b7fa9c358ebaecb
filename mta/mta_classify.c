/*
 * mta_classify - Microsoft destinations and the meaning of their answers
 * (mta_classify.h). The sources named in the table are public pages; the
 * real log lines behind them are in tests/fixtures/mta/SOURCES.md.
 */
#include <string.h>

#include <glib.h>

#include "common/rw_error.h"
#include "mta/mta_classify.h"
#include "mta/mta_parse_int.h"

#define MS_NDR "learn.microsoft.com/en-us/exchange/mail-flow-best-practices/" \
	"non-delivery-reports-in-exchange-online/" \
	"non-delivery-reports-in-exchange-online"

const struct mta_rule mta_rules[] = {
	/*
	 * Microsoft's S-codes: the most specific part of its answer. A code
	 * without a prefix also matches the answer's prefixed form: S3150
	 * matches (AS3150), S3130 (AS3130).
	 */
	{"S775", MTA_CLASS_DEFERRED_THROTTLE,
	    "451 4.7.650 ... rate limited due to IP reputation (S775): "
	    "forum.directadmin.com thread 82240 (Exim log, May 2026); "
	    "a Postfix queue of oslomet.no (Feb 2026), see SOURCES.md"},
	{"S3114", MTA_CLASS_DEFERRED_THROTTLE,
	    "451 4.7.651 ... rate limited due to IP reputation (S3114): "
	    "suped.com \"what causes temporary rate limiting due to IP "
	    "reputation\"; learn.microsoft.com/en-us/answers/questions/"
	    "5910730 (June 2026)"},
	{"S3140", MTA_CLASS_BLOCKED,
	    "550 5.7.1 ... part of their network is on our block list "
	    "(S3140): windowsforum.com thread 403933"},
	{"S3150", MTA_CLASS_BLOCKED,
	    "550 5.7.1 ... on our block list (S3150): Braze and Mailgun "
	    "deliverability pages; mail-archive.com/mailop@mailop.org/"
	    "msg26053 (Microsoft: S3150 follows ignored 4xx throttling)"},
	{"S3130", MTA_CLASS_BLOCKED,
	    "550 5.7.1 Service unavailable, Client host [IP] blocked using "
	    "Spamhaus (AS3130, also written S3130): pastebin.com/3CLvGLEJ "
	    "(Postfix log, hotmail-com.olc.protection.outlook.com), "
	    "pastebin.com/kwHfqRjg (Exim), pastebin.com/G3eHHHMA (S3130)"},
	{"AS16012611", MTA_CLASS_BLOCKED,
	    "550 5.7.1 Service unavailable, Client host [IP] blocked using "
	    "Spamhaus (AS16012611), Microsoft 365 tenants: "
	    "smtpfieldmanual.com/spamfilter/exchangeonline; "
	    "pastebin.com/gXfSs49X (*.mail.protection.outlook.com)"},
	/* enhanced status codes */
	{"4.7.650", MTA_CLASS_DEFERRED_THROTTLE,
	    "451 4.7.650 The mail server [IP] has been temporarily rate "
	    "limited due to IP reputation: forum.directadmin.com thread "
	    "82240; knowledge.broadcom.com article 438593"},
	{"4.7.651", MTA_CLASS_DEFERRED_THROTTLE,
	    "451 4.7.651 ... rate limited due to IP reputation: suped.com "
	    "answers page; learn.microsoft.com answers 5910730"},
	{"5.7.511", MTA_CLASS_BLOCKED,
	    "550 5.7.511 Access denied, banned sender: " MS_NDR},
	{"5.7.606-5.7.649", MTA_CLASS_BLOCKED,
	    "550 5.7.606-649 Access denied, banned sending IP [IP]; "
	    "delisting at sender.office.com: " MS_NDR},
};
const size_t mta_rules_count = G_N_ELEMENTS(mta_rules);

/* consumer domains whose MX is under olc.protection.outlook.com */
const char *const mta_microsoft_domains[] = {
	"outlook.*", "hotmail.*", "live.*", "msn.com", "windowslive.com",
	"passport.com", NULL,
};

/*
 * olc.protection.outlook.com: consumer; mail.protection.outlook.com:
 * Microsoft 365 tenants; mx.microsoft: Microsoft 365 with DANE (KumoMTA's
 * provider examples, docs.kumomta.com)
 */
const char *const mta_microsoft_mx[] = {
	".protection.outlook.com", ".mx.microsoft", NULL,
};

/* a rule in parsed form */
struct rule {
	char code[40];
	bool scode;
	char lo[16], hi[16];   /* enhanced codes; lo == hi for one code */
	enum mta_class cls;
	const char *source;
};

struct mta_classifier {
	GArray *user;          /* struct rule, the caller's */
	GArray *table;         /* struct rule, mta_rules[] */
	GPtrArray *domains;
	GPtrArray *mx;
};

static const char *const class_names[] = {
	[MTA_CLASS_DELIVERED] = "delivered",
	[MTA_CLASS_DEFERRED_THROTTLE] = "deferred-throttle",
	[MTA_CLASS_DEFERRED_OTHER] = "deferred-other",
	[MTA_CLASS_BLOCKED] = "blocked",
	[MTA_CLASS_BOUNCED_OTHER] = "bounced-other",
};

const char *
mta_class_name(enum mta_class cls)
{
	if ((size_t)cls >= G_N_ELEMENTS(class_names))
		return "?";
	return class_names[cls];
}

int
mta_class_parse(enum mta_class *out, const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(class_names); i++) {
		if (g_ascii_strcasecmp(name, class_names[i]) == 0) {
			*out = (enum mta_class)i;
			return 0;
		}
	}
	rw_error_set(RW_ECONFIG, "unknown mta class \"%s\"", name);
	return RW_ECONFIG;
}

/* detail - the number after the last dot of an enhanced code */
static long
detail(const char *code)
{
	return (long)g_ascii_strtoll(strrchr(code, '.') + 1, NULL, 10);
}

/* is_enhanced - S is a whole enhanced status code "c.s.d" */
static bool
is_enhanced(const char *s)
{
	char buf[16];

	return mta_enhanced_at(buf, s) == strlen(s) && s[0] != '\0';
}

/*
 * scode_parse - CODE is a Microsoft S-code: "S" and 1 to 6 digits
 * ("S3150"), or a letter, "S" and 1 to 8 digits ("AS3130", "AS16012611":
 * Microsoft writes some codes with a prefix)
 */
static bool
scode_parse(const char *code)
{
	size_t pre = g_ascii_isalpha(code[0]) &&
	    g_ascii_toupper(code[0]) != 'S' ? 1 : 0;
	size_t digits;

	if (g_ascii_toupper(code[pre]) != 'S')
		return false;
	digits = strspn(code + pre + 1, "0123456789");
	return digits >= 1 && digits <= (pre ? 8u : 6u) &&
	    code[pre + 1 + digits] == '\0';
}

/* rule_parse - CODE into R (class and source set by the caller) */
static bool
rule_parse(struct rule *r, const char *code)
{
	const char *dash = strchr(code, '-');
	size_t n = strlen(code);

	memset(r, 0, sizeof(*r));
	if (n >= sizeof(r->code))
		return false;
	g_strlcpy(r->code, code, sizeof(r->code));
	if (scode_parse(code)) {
		r->scode = true;
		for (char *p = r->code; *p != '\0'; p++)
			*p = g_ascii_toupper(*p);
		return true;
	}
	if (dash == NULL) {
		if (!is_enhanced(code))
			return false;
		g_strlcpy(r->lo, code, sizeof(r->lo));
		g_strlcpy(r->hi, code, sizeof(r->hi));
		return true;
	}
	if ((size_t)(dash - code) >= sizeof(r->lo) ||
	    strlen(dash + 1) >= sizeof(r->hi))
		return false;
	memcpy(r->lo, code, (size_t)(dash - code));
	r->lo[dash - code] = '\0';
	g_strlcpy(r->hi, dash + 1, sizeof(r->hi));
	if (!is_enhanced(r->lo) || !is_enhanced(r->hi))
		return false;
	/* the same class and subject ("5.7."), details in order */
	n = (size_t)(strrchr(r->lo, '.') - r->lo + 1);
	return strncmp(r->lo, r->hi, n) == 0 && r->hi[n - 1] == '.' &&
	    strchr(r->hi + n, '.') == NULL && detail(r->lo) <= detail(r->hi);
}

int
mta_classifier_new(struct mta_classifier **out)
{
	struct mta_classifier *c = g_new0(struct mta_classifier, 1);

	c->user = g_array_new(FALSE, TRUE, sizeof(struct rule));
	c->table = g_array_new(FALSE, TRUE, sizeof(struct rule));
	c->domains = g_ptr_array_new_with_free_func(g_free);
	c->mx = g_ptr_array_new_with_free_func(g_free);
	for (size_t i = 0; i < mta_rules_count; i++) {
		struct rule r;

		if (!rule_parse(&r, mta_rules[i].code)) {
			mta_classifier_free(c);
			*out = NULL;
			return rw_error_set(RW_ESOFTWARE,
			    "mta_rules entry \"%s\" is malformed",
			    mta_rules[i].code);
		}
		r.cls = mta_rules[i].cls;
		r.source = mta_rules[i].source;
		g_array_append_val(c->table, r);
	}
	for (size_t i = 0; mta_microsoft_domains[i] != NULL; i++)
		g_ptr_array_add(c->domains, g_strdup(mta_microsoft_domains[i]));
	for (size_t i = 0; mta_microsoft_mx[i] != NULL; i++)
		g_ptr_array_add(c->mx, g_strdup(mta_microsoft_mx[i]));
	*out = c;
	return 0;
}

void
mta_classifier_free(struct mta_classifier *c)
{
	if (c == NULL)
		return;
	g_array_free(c->user, TRUE);
	g_array_free(c->table, TRUE);
	g_ptr_array_free(c->domains, TRUE);
	g_ptr_array_free(c->mx, TRUE);
	g_free(c);
}

/* words - SPEC split at commas and blanks, empty words dropped */
static char **
words(const char *spec)
{
	char **w = g_strsplit_set(spec != NULL ? spec : "", ", \t\r\n", -1);
	size_t j = 0;

	for (size_t i = 0; w[i] != NULL; i++) {
		if (w[i][0] == '\0')
			g_free(w[i]);
		else
			w[j++] = w[i];
	}
	w[j] = NULL;
	return w;
}

int
mta_classifier_add_rules(struct mta_classifier *c, const char *spec)
{
	char **w = words(spec);
	int rc = 0;

	for (size_t i = 0; w[i] != NULL; i++) {
		char *eq = strchr(w[i], '=');
		struct rule r;
		enum mta_class cls;

		if (eq == NULL) {
			rc = rw_error_set(RW_ECONFIG,
			    "mta rule \"%s\" has no class", w[i]);
			rw_error_hint("Write CODE=CLASS, e.g. S3150=blocked.");
			break;
		}
		*eq = '\0';
		if (!rule_parse(&r, w[i])) {
			rc = rw_error_set(RW_ECONFIG,
			    "mta rule code \"%s\" is no S-code, enhanced "
			    "status code or range", w[i]);
			rw_error_hint("Write S3150, 4.7.650 or "
			    "5.7.606-5.7.649.");
			break;
		}
		rc = mta_class_parse(&cls, eq + 1);
		if (rc == 0 && cls == MTA_CLASS_DELIVERED)
			rc = rw_error_set(RW_ECONFIG,
			    "mta rule %s: an answer code cannot mean delivered",
			    w[i]);
		if (rc != 0)
			break;
		r.cls = cls;
		r.source = "user";
		g_array_append_val(c->user, r);
	}
	g_strfreev(w);
	return rc;
}

/* add_names - lower-cased names of SPEC to LIST */
static int
add_names(GPtrArray *list, const char *spec, const char *what)
{
	char **w = words(spec);
	int rc = 0;

	for (size_t i = 0; w[i] != NULL; i++) {
		if (strlen(w[i]) >= MTA_NAME_MAX || strchr(w[i], '@') != NULL) {
			rc = rw_error_set(RW_ECONFIG, "%s \"%.80s\" is no name",
			    what, w[i]);
			break;
		}
		g_ptr_array_add(list, g_ascii_strdown(w[i], -1));
	}
	g_strfreev(w);
	return rc;
}

int
mta_classifier_add_domains(struct mta_classifier *c, const char *spec)
{
	return add_names(c->domains, spec, "mta domain");
}

int
mta_classifier_add_mx(struct mta_classifier *c, const char *spec)
{
	return add_names(c->mx, spec, "mta mx suffix");
}

/* letters - the length of S up to END when it is letters only, else 0 */
static size_t
letters(const char *s, const char *end)
{
	for (const char *p = s; p < end; p++)
		if (!g_ascii_isalpha(*p))
			return 0;
	return (size_t)(end - s);
}

/*
 * public_suffix - SUFFIX is what "*" of "name.*" stands for: a top-level
 * domain (one label of letters: com, fr, de) or a second-level label of
 * at most 3 letters under a two-letter country code (co.uk, com.br,
 * co.jp). "live.nation.example" and "outlook.example.org" are customer
 * domains whose first label happens to be a Microsoft name, not Microsoft.
 */
static bool
public_suffix(const char *suffix)
{
	const char *dot = strchr(suffix, '.');
	size_t end = strlen(suffix);

	if (dot == NULL)
		return end >= 2 && letters(suffix, suffix + end) == end;
	if (strchr(dot + 1, '.') != NULL)
		return false;
	return letters(suffix, dot) >= 2 && dot - suffix <= 3 &&
	    letters(dot + 1, suffix + end) == 2;
}

/*
 * domain_match - DOMAIN is PATTERN, or PATTERN is "name.*" and DOMAIN is
 * name followed by a public suffix (public_suffix)
 */
static bool
domain_match(const char *pattern, const char *domain)
{
	size_t n = strlen(pattern);

	if (n >= 2 && pattern[n - 1] == '*' && pattern[n - 2] == '.')
		return strncmp(pattern, domain, n - 1) == 0 &&
		    public_suffix(domain + n - 1);
	return strcmp(pattern, domain) == 0;
}

/*
 * host_match - HOST ends in SUFFIX (".x.y", or "x.y" after a dot), or is
 * SUFFIX without its dot
 */
static bool
host_match(const char *suffix, const char *host)
{
	size_t n = strlen(suffix), h = strlen(host);

	if (strcmp(host, suffix + (suffix[0] == '.' ? 1 : 0)) == 0)
		return true;
	return h > n && strcmp(host + h - n, suffix) == 0 &&
	    (suffix[0] == '.' || host[h - n - 1] == '.');
}

bool
mta_is_microsoft(const struct mta_classifier *c, const struct mta_attempt *a)
{
	for (guint i = 0; a->rcpt_domain[0] != '\0' && i < c->domains->len;
	    i++)
		if (domain_match(g_ptr_array_index(c->domains, i),
		    a->rcpt_domain))
			return true;
	for (guint i = 0; a->mx_host[0] != '\0' && i < c->mx->len; i++)
		if (host_match(g_ptr_array_index(c->mx, i), a->mx_host))
			return true;
	return false;
}

/* rule_match - R decides A's answer (S-code rules or code rules) */
static bool
rule_match(const struct rule *r, const struct mta_attempt *a, bool scode)
{
	size_t head;

	if (r->scode != scode)
		return false;
	if (scode)
		return a->scode[0] != '\0' &&
		    (g_ascii_strcasecmp(r->code, a->scode) == 0 ||
		    (r->code[0] == 'S' && g_ascii_isalpha(a->scode[0]) &&
		    g_ascii_strcasecmp(r->code, a->scode + 1) == 0));
	if (a->enhanced[0] == '\0')
		return false;
	if (strcmp(r->lo, r->hi) == 0)
		return strcmp(r->lo, a->enhanced) == 0;
	head = (size_t)(strrchr(r->lo, '.') - r->lo + 1);
	if (strlen(a->enhanced) <= head ||
	    strncmp(r->lo, a->enhanced, head) != 0 ||
	    strchr(a->enhanced + head, '.') != NULL)
		return false;
	return detail(r->lo) <= detail(a->enhanced) &&
	    detail(a->enhanced) <= detail(r->hi);
}

/* find_rule - the first of the caller's rules, then the table's */
static const struct rule *
find_rule(const struct mta_classifier *c, const struct mta_attempt *a,
    bool scode)
{
	const GArray *lists[] = {c->user, c->table};

	for (size_t l = 0; l < G_N_ELEMENTS(lists); l++)
		for (guint i = 0; i < lists[l]->len; i++) {
			const struct rule *r = &g_array_index(lists[l],
			    struct rule, i);

			if (rule_match(r, a, scode))
				return r;
		}
	return NULL;
}

void
mta_classify(struct mta_verdict *out, const struct mta_classifier *c,
    const struct mta_attempt *a)
{
	const struct rule *r = NULL;

	memset(out, 0, sizeof(*out));
	out->microsoft = mta_is_microsoft(c, a);
	if (a->outcome == MTA_DELIVERED) {
		out->cls = MTA_CLASS_DELIVERED;
		return;
	}
	out->cls = a->outcome == MTA_DEFERRED ? MTA_CLASS_DEFERRED_OTHER :
	    MTA_CLASS_BOUNCED_OTHER;
	if (!out->microsoft)
		return;
	r = find_rule(c, a, true);
	if (r == NULL)
		r = find_rule(c, a, false);
	if (r == NULL)
		return;
	out->cls = r->cls;
	out->code = r->code;
	out->source = r->source;
}

/*
 * mta_classify - whether a delivery attempt went to Microsoft (consumer
 * Outlook.com or Microsoft 365) and what Microsoft's answer means:
 * delivered, throttled, blocked, or another deferral or bounce.
 *
 * The meaning of each code is a table (mta_rules[]) naming the public
 * source of every entry; callers add rules, domains and MX suffixes of
 * their own, which take precedence.
 */
#ifndef MTA_CLASSIFY_H
#define MTA_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "mta/mta_parse.h"

enum mta_class {
	MTA_CLASS_DELIVERED,
	MTA_CLASS_DEFERRED_THROTTLE,
	MTA_CLASS_DEFERRED_OTHER,
	MTA_CLASS_BLOCKED,
	MTA_CLASS_BOUNCED_OTHER,
};

/*
 * one entry of the table: CODE is a Microsoft S-code ("S3150", matching
 * the answer's "(S3150)" and "(AS3150)"; "AS3130" matches only itself), an
 * enhanced status code ("4.7.650") or a range of them with the same
 * class and subject ("5.7.606-5.7.649")
 */
struct mta_rule {
	const char *code;
	enum mta_class cls;
	const char *source;
};

extern const struct mta_rule mta_rules[];
extern const size_t mta_rules_count;
/*
 * "hotmail.*" matches hotmail and a public suffix: one label of letters
 * (hotmail.com, hotmail.fr) or a label of 2-3 letters under a two-letter
 * country code (hotmail.co.uk, outlook.com.br); not hotmail.example.org
 */
extern const char *const mta_microsoft_domains[];
/* a host ending in one of these is Microsoft's MX */
extern const char *const mta_microsoft_mx[];

struct mta_verdict {
	bool microsoft;       /* the destination is Microsoft's */
	enum mta_class cls;
	const char *code;     /* the rule that decided, NULL by outcome alone */
	const char *source;   /* its source, "user" for a caller's rule */
};

struct mta_classifier;

/* mta_classifier_new - the built-in table, domains and MX suffixes */
int mta_classifier_new(struct mta_classifier **out);
void mta_classifier_free(struct mta_classifier *c);

/*
 * mta_classifier_add_rules - the caller's rules, before the built-in
 * ones: "S3160=blocked, 4.7.652=deferred-throttle, 5.7.700-5.7.749=blocked"
 * (CODE=CLASS, separated by commas or blanks; the class is not
 * "delivered"). RW_ECONFIG naming a malformed entry.
 */
int mta_classifier_add_rules(struct mta_classifier *c, const char *spec);
/*
 * mta_classifier_add_domains - more recipient domains ("contoso.com",
 * "fabrikam.*" as the built-in "hotmail.*")
 */
int mta_classifier_add_domains(struct mta_classifier *c, const char *spec);
/* mta_classifier_add_mx - more MX host suffixes (".mail.example.net") */
int mta_classifier_add_mx(struct mta_classifier *c, const char *spec);

/* mta_is_microsoft - the recipient domain or the MX host is Microsoft's */
bool mta_is_microsoft(const struct mta_classifier *c,
    const struct mta_attempt *a);

/*
 * mta_classify - the class of attempt A. Delivered is delivered; for a
 * Microsoft destination the S-code rules are tried first (the caller's,
 * then the table), then the enhanced-code rules; without a rule, or for
 * another destination, a deferral is deferred-other and a bounce
 * bounced-other.
 */
void mta_classify(struct mta_verdict *out, const struct mta_classifier *c,
    const struct mta_attempt *a);

const char *mta_class_name(enum mta_class cls);
/* mta_class_parse - a class from its name ("deferred-throttle") */
int mta_class_parse(enum mta_class *out, const char *name);

#endif

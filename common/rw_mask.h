/*
 * rw_mask - masked copies of secret-bearing values for messages and logs.
 */
#ifndef RW_MASK_H
#define RW_MASK_H

/*
 * rw_mask_url - copy of URL with every query value except "date", the
 * password, and long key-like path segments replaced by "***"; an
 * unparsable URL becomes "***". Free with g_free.
 */
char *rw_mask_url(const char *url);
/*
 * rw_mask_webhook - scheme, host and port of URL, then a path of "***":
 * a webhook URL (Slack's .../services/T.../B.../KEY, Teams, Discord) is a
 * secret as a whole. Free with g_free.
 */
char *rw_mask_webhook(const char *url);
/* rw_mask_secret - "********" (or "" for an empty value) */
char *rw_mask_secret(const char *value);

#endif

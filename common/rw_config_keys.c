/*
 * rw_config_keys - every configuration key repwatch knows, in one table.
 * It drives parsing, defaults, validation, "repwatch config show", the
 * example configuration and the documentation. Add keys here, nowhere else.
 */
#include "common/rw_config.h"

const struct rw_config_key rw_config_keys[] = {
	/* [paths] */
	{"paths", "state_dir", RW_CT_PATH, NULL, NULL,
	    "Directory for the embedded cluster, tokens, raw responses and locks. "
	    "Default: /var/lib/repwatch for root, else $XDG_STATE_HOME/repwatch "
	    "or ~/.local/state/repwatch."},

	/* [database] */
	{"database", "conninfo", RW_CT_SECRET, NULL, NULL,
	    "libpq connection string or URI. Unset: PG* environment when PGHOST "
	    "or PGDATABASE is set, else the embedded cluster."},
	{"database", "pg_bindir", RW_CT_PATH, NULL, NULL,
	    "PostgreSQL server binaries for the embedded cluster. Default: "
	    "/usr/lib/postgresql/15/bin, else pg_config --bindir."},
	{"database", "cluster_user", RW_CT_STRING, "repwatch", NULL,
	    "Unprivileged system user that runs the embedded cluster when "
	    "repwatch runs as root (initdb refuses root)."},
	{"database", "keep_running", RW_CT_BOOL, "false", NULL,
	    "Leave the embedded cluster running after each command."},
	{"database", "lock_timeout", RW_CT_INT, "120", "1..3600",
	    "Seconds a command waits for the embedded cluster while another "
	    "creates, starts or stops it; then it exits 75."},

	/* [log] */
	{"log", "target", RW_CT_ENUM, "stderr", "stderr|syslog",
	    "Where diagnostics go."},

	/* [snds.NAME] - one section per SNDS source */
	{"snds.*", "type", RW_CT_ENUM, "link", "link|api",
	    "link: automated report links; api: the OAuth REST API."},
	{"snds.*", "data_url", RW_CT_URL, NULL, NULL,
	    "Data report link (type = link). Holds a secret key."},
	{"snds.*", "status_url", RW_CT_URL, NULL, NULL,
	    "IP-status report link (type = link). Holds a secret key."},
	{"snds.*", "issued", RW_CT_DATE, NULL, NULL,
	    "Day the links were generated (they expire after 30 days). "
	    "Default: the day repwatch first used them."},
	{"snds.*", "api_base", RW_CT_URL,
	    "https://substrate.office.com/ip-domain-management-snds", NULL,
	    "REST API base URL (type = api)."},
	{"snds.*", "authorize_url", RW_CT_URL,
	    "https://login.microsoftonline.com/consumers/oauth2/v2.0/authorize",
	    NULL, "OAuth2 authorization endpoint."},
	{"snds.*", "token_url", RW_CT_URL,
	    "https://login.microsoftonline.com/consumers/oauth2/v2.0/token",
	    NULL, "OAuth2 token endpoint."},
	{"snds.*", "client_id", RW_CT_STRING,
	    "a53a6cc1-a1cd-46f7-a4aa-281cdabec33c", NULL,
	    "OAuth2 public client id (the SNDS portal's)."},
	{"snds.*", "scope", RW_CT_STRING,
	    "a53a6cc1-a1cd-46f7-a4aa-281cdabec33c/.default offline_access",
	    NULL, "OAuth2 scope; offline_access yields a refresh token."},
	{"snds.*", "timezone", RW_CT_TIMEZONE, "America/Los_Angeles", NULL,
	    "Zone SNDS timestamps are read in, and the zone of an SNDS day."},
	{"snds.*", "lookback_days", RW_CT_INT, "30", "1..90",
	    "Days back to fill in missing data on each fetch."},
	{"snds.*", "ca_file", RW_CT_PATH, NULL, NULL,
	    "Extra CA certificate file for TLS verification."},
	{"snds.*", "timeout", RW_CT_INT, "60", "1..3600",
	    "Seconds before one HTTP request is abandoned."},
	{"snds.*", "retries", RW_CT_INT, "4", "0..20",
	    "Retries for 5xx, time-outs and resets (exponential back-off)."},
	{"snds.*", "retry_delay_ms", RW_CT_INT, "2000", "0..600000",
	    "Milliseconds before the first retry; doubled for each next one."},
	{"snds.*", "max_body", RW_CT_INT, "67108864", "1024..4294967296",
	    "Largest response body accepted, in bytes."},
	{"snds.*", "raw_retention_days", RW_CT_INT, "90", "0..3650",
	    "Days raw responses are kept under state_dir/raw/NAME/ (0 = not "
	    "kept). One rule for snds fetch and prune: a shorter [nightly] "
	    "keep_days (or prune --keep-days) wins."},

	/* [mailbox.NAME] - one section per complaint mailbox */
	{"mailbox.*", "url", RW_CT_URL, NULL, NULL,
	    "Maildir folder, mbox file, .eml folder, or imap:// / imaps:// URL "
	    "(with the folder as path)."},
	{"mailbox.*", "user", RW_CT_STRING, NULL, NULL, "IMAP user name."},
	{"mailbox.*", "password", RW_CT_SECRET, NULL, NULL, "IMAP password."},
	{"mailbox.*", "password_file", RW_CT_PATH, NULL, NULL,
	    "File holding the IMAP password (mode 0600)."},
	{"mailbox.*", "oauth2_token_file", RW_CT_PATH, NULL, NULL,
	    "File holding an OAuth2 bearer token for XOAUTH2 (Outlook.com, "
	    "Microsoft 365)."},
	{"mailbox.*", "processed", RW_CT_STRING, ".Processed", NULL,
	    "Folder processed messages are moved to."},
	{"mailbox.*", "quarantine", RW_CT_STRING, ".Quarantine", NULL,
	    "Folder invalid messages are moved to."},
	{"mailbox.*", "ca_file", RW_CT_PATH, NULL, NULL,
	    "Extra CA certificate file for IMAPS."},
	{"mailbox.*", "timeout", RW_CT_INT, "60", "1..3600",
	    "Seconds before an IMAP command is abandoned."},
	{"mailbox.*", "fetch_batch", RW_CT_INT, "100", "1..1000",
	    "IMAP messages fetched per UID FETCH command."},
	{"mailbox.*", "fetch_max_bytes", RW_CT_INT, "16777216",
	    "65536..1073741824",
	    "Most message bytes one IMAP fetch holds in memory (at least one "
	    "message; one above [arf] max_message_bytes is fetched only up to "
	    "that limit and quarantined)."},

	/* [mta.NAME] - one section per sending MTA's log */
	{"mta.*", "type", RW_CT_ENUM, NULL, "postfix|exim|kumomta|powermta",
	    "Log format: postfix, exim, kumomta (JSON log) or powermta "
	    "(accounting CSV)."},
	{"mta.*", "path", RW_CT_STRING, NULL, NULL,
	    "Log file or glob(7) pattern matching the live file and its "
	    "rotated copies, gzip- and zstd-compressed ones included "
	    "(/var/log/mail.log*). Only new lines are read on each run."},
	{"mta.*", "source_ip", RW_CT_STRING, NULL, NULL,
	    "Sending IP of every attempt when the log does not name it "
	    "(Postfix with one outgoing address). Postfix does not log its "
	    "bind address: a postfix source needs source_ip or "
	    "ip_by_service."},
	{"mta.*", "ip_by_service", RW_CT_LIST, NULL, NULL,
	    "Postfix: sending IP per transport or service name "
	    "(smtp-ip1:203.0.113.5, smtp-ip2:203.0.113.6); wins over "
	    "source_ip."},
	{"mta.*", "timezone", RW_CT_TIMEZONE, NULL, NULL,
	    "Time zone of the log's time stamps when they carry none "
	    "(syslog). Default: the local time zone."},
	{"mta.*", "domains", RW_CT_LIST, NULL, "host names",
	    "More recipient domains whose mail goes to Microsoft, added to "
	    "the built-in outlook.*, hotmail.*, live.*, msn.com, "
	    "windowslive.com and passport.com (contoso.com, fabrikam.*; "
	    "name.* is name with a public suffix: .com, .fr, .co.uk)."},
	{"mta.*", "mx_suffixes", RW_CT_LIST, NULL, "host names",
	    "More MX host-name suffixes of Microsoft, added to the built-in "
	    ".protection.outlook.com and .mx.microsoft (.mx.example.net): "
	    "customer domains hosted at Microsoft 365 are caught by their MX "
	    "when the log names the relay."},
	{"mta.*", "extra_rules", RW_CT_STRING, NULL, NULL,
	    "More SMTP answer codes to classify, tried before the built-in "
	    "table: CODE=CLASS separated by commas (S3160=blocked, "
	    "4.7.652=deferred-throttle, 5.7.700-5.7.749=blocked); the class "
	    "is deferred-throttle, deferred-other, blocked or bounced-other."},

	/* [arf] */
	{"arf", "keep", RW_CT_ENUM, "headers", "headers|full|none",
	    "How much of each raw report is stored (reports carry personal "
	    "data): headers, the full message, or nothing."},
	{"arf", "trace_headers", RW_CT_LIST, NULL, NULL,
	    "Headers of the original message kept for attribution, e.g. "
	    "X-Campaign-ID."},
	{"arf", "max_message_bytes", RW_CT_INT, "10485760", "1024..1073741824",
	    "Largest message parsed; larger ones are quarantined."},
	{"arf", "max_mime_depth", RW_CT_INT, "8", "1..64",
	    "Deepest MIME nesting parsed."},
	{"arf", "max_headers", RW_CT_INT, "1000", "10..100000",
	    "Most header fields in one message part."},
	{"arf", "max_header_bytes", RW_CT_INT, "65536", "1024..16777216",
	    "Longest header field, folded lines included, shown to the MIME "
	    "parser; a message with a longer one is quarantined (address "
	    "and Subject fields are checked in every part and add up to at "
	    "most 16 times this)."},
	{"arf", "max_line_bytes", RW_CT_INT, "1048576", "1000..1073741824",
	    "Longest line of a message shown to the MIME parser; a message "
	    "with a longer one is quarantined."},
	{"arf", "quarantine_max_bytes", RW_CT_INT, "1048576", "0..1073741824",
	    "Raw bytes of a quarantined message kept in the database."},
	{"arf", "batch_size", RW_CT_INT, "1000", "1..100000",
	    "Messages per COPY batch and transaction."},
	{"arf", "accept_dmarc", RW_CT_BOOL, "false", NULL,
	    "Count DMARC failure reports (feedback type auth-failure)."},
	{"arf", "delete_processed", RW_CT_BOOL, "false", NULL,
	    "Delete messages after commit instead of moving them."},
	{"arf", "provider_hosts", RW_CT_LIST, NULL, "host names",
	    "Host-name suffixes of receiving-provider infrastructure added to "
	    "the built-in table, e.g. mx.example-isp.net: Received hops "
	    "between such hosts are stepped over when the sending IP is "
	    "derived."},
	{"arf", "provider_networks", RW_CT_LIST, NULL, "CIDR networks",
	    "Networks of receiving-provider infrastructure added to the "
	    "built-in table (a.b.c.d/n or x:y::/n)."},
	{"arf", "own_networks", RW_CT_LIST, NULL, "CIDR networks",
	    "Your own internal networks: a hop from them is never taken as "
	    "the sending IP."},
	{"arf", "mbox_lock_timeout", RW_CT_INT, "30", "0..3600",
	    "Seconds to wait for an mbox file's lock (dotlock FILE.lock, "
	    "then fcntl) before the run stops with a temporary failure."},

	/* [analyze] */
	{"analyze", "warning_rate", RW_CT_DOUBLE, "0.001", "0..1",
	    "Level rule: 7-day pooled complaint rate for a warning."},
	{"analyze", "critical_rate", RW_CT_DOUBLE, "0.003", "0..1",
	    "Level rule: 7-day pooled complaint rate for a critical alert."},
	{"analyze", "min_recipients", RW_CT_INT, "1000", "0..1000000000",
	    "Level rule: recipients needed in the window before it judges."},
	{"analyze", "level_confidence", RW_CT_DOUBLE, "0.95", "0..0.999",
	    "Level rule: the rate judged is the exact Poisson lower bound at "
	    "1 - (1 - this)/m for the m subjects tested that day (Bonferroni: "
	    "at most 1 - this false level alerts a day over all subjects); 0 "
	    "= the observed rate, as peers do."},
	{"analyze", "window_days", RW_CT_INT, "7", "1..60",
	    "Recent window length in days."},
	{"analyze", "baseline_days", RW_CT_INT, "28", "7..365",
	    "Trailing baseline length in days, before the recent window."},
	{"analyze", "alpha", RW_CT_DOUBLE, "0.02", "0..0.5",
	    "Rising rule: false discovery rate across all subjects of a day."},
	{"analyze", "min_ratio", RW_CT_DOUBLE, "1.5", "1..100",
	    "Rising rule: recent rate must be at least this times the baseline."},
	{"analyze", "min_complaints", RW_CT_INT, "5", "1..100000",
	    "Rising rule: complaints needed in the recent window."},
	{"analyze", "baseline_floor_rate", RW_CT_DOUBLE, "0.0002", "0..1",
	    "Rising rule: lowest baseline rate assumed (a clean IP is not "
	    "perfect)."},
	{"analyze", "spike_days", RW_CT_INT, "2", "1..7",
	    "Rising rule: the rise must hold in the last N days, so a one-off "
	    "bad day stops alerting within N days. Spike decay: an alert "
	    "whose evidence is one past day is info until N days are back "
	    "at baseline, then resolved."},
	{"analyze", "resolve_days", RW_CT_INT, "2", "1..60",
	    "Incidents: an incident resolves after this many analyzed days "
	    "in a row without a rule of its own."},
	{"analyze", "range_min_ips", RW_CT_INT, "2", "1..256",
	    "Range rules: IPs with data a /24 needs before it is judged as a "
	    "whole (1 would repeat every single-IP alert)."},
	{"analyze", "trend_days", RW_CT_INT, "14", "3..90",
	    "Forecast: days of daily counts the Poisson trend is fitted on."},
	{"analyze", "trend_z", RW_CT_DOUBLE, "1.645", "0..10",
	    "Forecast: growth must be this many standard errors above zero, "
	    "else the forecast is null (not rising)."},
	{"analyze", "forecast_days", RW_CT_INT, "30", "1..365",
	    "Forecast horizon; longer projections are reported as null."},
	{"analyze", "stale_fetch_days", RW_CT_INT, "2", "1..30",
	    "Data health: days without a successful fetch before an alert."},
	{"analyze", "link_warn_days", RW_CT_INT, "5", "0..30",
	    "Data health: days before link expiry for a warning."},
	{"analyze", "link_valid_days", RW_CT_INT, "30", "1..365",
	    "Data health: days SNDS report links stay valid after issued "
	    "(or first use)."},
	{"analyze", "missing_ip_days", RW_CT_INT, "3", "1..30",
	    "Data health: days an IP with volume may lack SNDS data."},
	{"analyze", "unmatched_share", RW_CT_DOUBLE, "0.2", "0..1",
	    "Data health: share of complaints matching no SNDS IP for an alert."},
	{"analyze", "filter_days", RW_CT_INT, "7", "2..28",
	    "Filter rule: a colour worse than the IP's usual is persistent "
	    "when it shows on k of the last N days with a colour (k from the "
	    "IP's own flip history and filter_false_rate)."},
	{"analyze", "filter_false_rate", RW_CT_DOUBLE, "0.001", "0..0.5",
	    "Filter rule: chance per IP-day that a healthy IP's flicker reads "
	    "as persistent (chooses k; 0.001 = 1 per 1,000 IP-days)."},
	{"analyze", "filter_prior_flips", RW_CT_DOUBLE, "1", "0.01..100",
	    "Filter rule: Beta prior of the flip rate, pseudo-days worse than "
	    "usual (1 and 1 = Laplace)."},
	{"analyze", "filter_prior_steady", RW_CT_DOUBLE, "1", "0.01..1000",
	    "Filter rule: Beta prior of the flip rate, pseudo-days at the "
	    "usual colour."},
	{"analyze", "level_min_complaints", RW_CT_INT, "5", "0..100000",
	    "Level rule: complaints needed in the judged window."},
	{"analyze", "level_long_days", RW_CT_INT, "28", "7..90",
	    "Level rule: window for low-volume subjects."},
	{"analyze", "level_long_below", RW_CT_INT, "7000", "0..1000000000",
	    "Level rule: subjects with fewer recipients in window_days are "
	    "judged over level_long_days."},
	{"analyze", "spike_tail", RW_CT_DOUBLE, "0.35", "0..1",
	    "Spike decay: the days after a one-day spike are back at baseline "
	    "when their pooled excess complaints are at most this share of the "
	    "burst's before them (late reports) or a day's count is not "
	    "significantly above min_ratio x baseline (spike_alpha)."},
	{"analyze", "spike_alpha", RW_CT_DOUBLE, "0.01", "0..0.5",
	    "Spike decay: level of its exact tests (a day back at baseline is "
	    "not significantly above min_ratio x baseline; the days back are "
	    "significantly below the spike day's rate)."},
	{"analyze", "throttle_days", RW_CT_INT, "3", "1..28",
	    "Throttled rule (MTA logs): an IP with fewer than "
	    "throttle_min_attempts attempts to Microsoft on the day is judged "
	    "over this many days up to it; its baseline is the baseline_days "
	    "before the judged window."},
	{"analyze", "throttle_min_attempts", RW_CT_INT, "200", "1..1000000000",
	    "Throttled rule: attempts to Microsoft the judged window needs "
	    "(and the baseline, to count as the IP's own)."},
	{"analyze", "throttle_min_throttled", RW_CT_INT, "20", "1..1000000",
	    "Throttled rule: throttle answers (4.7.650 S775, 4.7.651 S3114) "
	    "the judged window needs."},
	{"analyze", "throttle_floor_share", RW_CT_DOUBLE, "0.05", "0..1",
	    "Throttled rule: the throttle share an IP without a baseline (a "
	    "new or rarely used IP) is judged against."},
	{"analyze", "throttle_base_share", RW_CT_DOUBLE, "0.005", "0..1",
	    "Throttled rule: lowest baseline share assumed (an IP Microsoft "
	    "never throttled is not judged against zero)."},
	{"analyze", "throttle_min_ratio", RW_CT_DOUBLE, "2", "1..1000",
	    "Throttled rule: the throttle share must be at least this times "
	    "the baseline share."},
	{"analyze", "throttle_alpha", RW_CT_DOUBLE, "0.01", "0..0.5",
	    "Throttled rule: false discovery rate (Benjamini-Hochberg) over "
	    "the day's IPs with MTA answers."},
	{"analyze", "trap_floor_rate", RW_CT_DOUBLE, "0.0001", "0..1",
	    "Trap rule: lowest trap hits per recipient assumed as an IP's "
	    "usual (an IP without trap hits in its baseline is not judged "
	    "against zero)."},
	{"analyze", "trap_alpha", RW_CT_DOUBLE, "0.001", "0..0.5",
	    "Trap rule: SNDS trap hits of the last spike_days days warn when "
	    "an exact Poisson test puts them above the IP's usual rate at "
	    "this level (about this many false trap warnings per IP-day); "
	    "else they are info."},
	{"analyze", "trap_min_hits", RW_CT_INT, "3", "1..1000000",
	    "Trap rule: hits in the last spike_days days a warning needs."},

	/* [nightly] */
	{"nightly", "report_html", RW_CT_PATH, NULL, NULL,
	    "Write the HTML report here after each nightly run."},
	{"nightly", "prometheus_file", RW_CT_PATH, NULL, NULL,
	    "Write a node_exporter textfile here after each nightly run."},
	{"nightly", "keep_days", RW_CT_INT, "0", "0..36500",
	    "Prune data older than this many days after each nightly run "
	    "(0 = keep everything; at least window_days + baseline_days). "
	    "Raw responses go after the shorter of this and their source's "
	    "raw_retention_days."},

	/* [notify] */
	{"notify", "command", RW_CT_STRING, NULL, NULL,
	    "Shell command (/bin/sh -c) that receives new and escalated alerts "
	    "as JSON lines on standard input; it must exit 0."},
	{"notify", "webhook_url", RW_CT_SECRET_URL, NULL, NULL,
	    "URL that receives new and escalated alerts as one JSON POST "
	    "{\"alerts\": [...]}."},
	{"notify", "timeout", RW_CT_INT, "30", "1..600",
	    "Seconds before the notify command or one webhook attempt is "
	    "abandoned."},
	{"notify", "retries", RW_CT_INT, "3", "0..20",
	    "Retries for a failed webhook (5xx, 429, time-out), after 1, 2, 4... "
	    "seconds."},

	{NULL, NULL, RW_CT_STRING, NULL, NULL, NULL},
};

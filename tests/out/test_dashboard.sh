#!/bin/bash
# test_dashboard - the dashboard views on the sample data: each one answers,
# the fact views agree with the analyzer's (0004) functions, the MTA views
# (0013) with repwatch.mta_ip_day_facts / mta_net_day_facts in several
# zones, and the role repwatch_reader reads exactly the dashboard views.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_outputs.sh"
need_db
new_db dash
expect_status 0 "sample data loaded and analyzed" load_sample
expect_status 0 "MTA rows loaded" psql -X -q -v ON_ERROR_STOP=1 \
	-d "$OUT_DB" -f "$(dirname "$0")/mta_rows.sql"

views="ip_daily net_daily domain_daily alert_open alert_history feed_snds
feed_mailbox quarantine_daily runs ip_status mta_ip_daily mta_net_daily
mta_blocks"
for v in $views; do
	expect_status 0 "dashboard.$v answers" q "SELECT count(*) FROM dashboard.$v"
done
n=$(q "SELECT count(*) FROM information_schema.views
       WHERE table_schema = 'dashboard'")
[ "$n" = 13 ] && ok "13 documented views" || nok "dashboard has $n views, want 13"

# rows_differ A B - how many rows query A has that B lacks and B has that A
# lacks (EXCEPT ALL both ways: duplicates count)
rows_differ() {
	q "SELECT count(*) FROM (($1 EXCEPT ALL $2) UNION ALL
	   ($2 EXCEPT ALL $1)) x"
}

cols="ip, net, day, source, has_snds_data, recipients, data_commands,
rcpt_commands, data_per_rcpt, filter, snds_rate_low, snds_rate_high,
trap_hits, complaints, complaint_rate"
diff=$(rows_differ "SELECT $cols FROM dashboard.ip_daily" \
	"SELECT $cols FROM repwatch.ip_day_facts('-infinity', 'infinity')")
[ "$diff" = 0 ] && ok "ip_daily equals repwatch.ip_day_facts" ||
	nok "ip_daily differs from ip_day_facts in $diff rows"
diff=$(rows_differ \
	"SELECT * FROM repwatch.net_day_facts('-infinity', 'infinity')" \
	"SELECT net, day, ips_with_data, ips_complained, recipients, complaints,
	        nullif(complaints_without_snds, 0), complaint_rate, worst_filter,
	        yellow_ips, red_ips, trap_hits FROM dashboard.net_daily")
[ "$diff" = 0 ] && ok "net_daily equals repwatch.net_day_facts" ||
	nok "net_daily differs in $diff rows"
diff=$(rows_differ \
	"SELECT * FROM repwatch.domain_day_facts('-infinity', 'infinity')" \
	"SELECT * FROM dashboard.domain_daily")
[ "$diff" = 0 ] && ok "domain_daily equals repwatch.domain_day_facts" ||
	nok "domain_daily differs in $diff rows"

# the MTA views equal the facts functions on the same rows, whatever the
# analyzer's zone (the default Los Angeles, a half-hour zone, UTC): the
# function's NULL class counts are the view's 0
mcols="ip, net, day, attempts, delivered, throttled, deferred_other, blocked,
bounced_other, throttle_share, first_block_at, block_code"
fcols="ip, net, day, attempts, coalesce(delivered, 0), coalesce(throttled, 0),
coalesce(deferred_other, 0), coalesce(blocked, 0), coalesce(bounced_other, 0),
throttle_share, first_block_at, block_code"
ncols="net, day, ips, ips_throttled, ips_blocked, attempts, delivered,
throttled, deferred_other, blocked, bounced_other, throttle_share,
first_block_at"
nfcols="net, day, ips, ips_throttled, ips_blocked, attempts,
coalesce(delivered, 0), coalesce(throttled, 0), coalesce(deferred_other, 0),
coalesce(blocked, 0), coalesce(bounced_other, 0), throttle_share,
first_block_at"
for tz in - Asia/Kolkata UTC; do
	if [ "$tz" = - ]; then
		q "DELETE FROM repwatch.an_setting WHERE key = 'timezone'" >/dev/null
	else
		q "INSERT INTO repwatch.an_setting (key, value)
		   VALUES ('timezone', '$tz') ON CONFLICT (key)
		   DO UPDATE SET value = EXCLUDED.value" >/dev/null
	fi
	zone=$(q "SELECT repwatch.an_timezone()")
	rows=$(q "SELECT count(*) FROM dashboard.mta_ip_daily")
	diff=$(rows_differ "SELECT $mcols FROM dashboard.mta_ip_daily" \
		"SELECT $fcols FROM repwatch.mta_ip_day_facts('-infinity', 'infinity')")
	[ "$diff" = 0 ] && [ "$rows" -ge 50 ] &&
		ok "$zone: mta_ip_daily equals repwatch.mta_ip_day_facts ($rows rows)" ||
		nok "$zone: mta_ip_daily differs from mta_ip_day_facts in $diff of $rows rows"
	diff=$(rows_differ "SELECT $ncols FROM dashboard.mta_net_daily" \
		"SELECT $nfcols FROM repwatch.mta_net_day_facts('-infinity', 'infinity')")
	[ "$diff" = 0 ] && ok "$zone: mta_net_daily equals repwatch.mta_net_day_facts (NULL sums as 0)" ||
		nok "$zone: mta_net_daily differs in $diff rows"
	# 192.0.2.50's block answers at 06:00 UTC (7) and 18:00 UTC (45) on
	# 2026-08-14: one day in Kolkata and UTC, the 06:00 ones on 08-13 in
	# Los Angeles
	v=$(q "SELECT blocked FROM dashboard.mta_ip_daily
	       WHERE ip = '192.0.2.50' AND day = '2026-08-14'")
	want=52
	[ "$zone" = America/Los_Angeles ] && want=45
	[ "$v" = "$want" ] && ok "$zone: 192.0.2.50 blocked $v on 2026-08-14" ||
		nok "$zone: 192.0.2.50 blocked $v on 2026-08-14, want $want"
done
q "DELETE FROM repwatch.an_setting WHERE key = 'timezone'" >/dev/null
v=$(q "SELECT count(*) || ' ' || sum(attempts) || ' ' || string_agg(DISTINCT
       code, ',') FROM dashboard.mta_blocks")
[ "$v" = "6 152 S3140,S3150" ] && ok "mta_blocks: every block answer ($v)" ||
	nok "mta_blocks: $v, want 6 152 S3140,S3150"

# facts on known sample rows
v=$(q "SELECT filter FROM dashboard.ip_daily
       WHERE ip = '192.0.2.50' AND day = '2026-08-14'")
[ "$v" = RED ] && ok "192.0.2.50 is RED on the last day" || nok "filter $v"
v=$(q "SELECT complaint_rate > 0.003 FROM dashboard.ip_daily
       WHERE ip = '192.0.2.50' AND day = '2026-08-14'")
[ "$v" = t ] && ok "192.0.2.50 above 0.3%" || nok "rate check: $v"
v=$(q "SELECT count(*) FROM dashboard.ip_daily WHERE NOT has_snds_data
       AND (recipients IS NOT NULL OR complaint_rate IS NOT NULL)")
[ "$v" = 0 ] && ok "no SNDS data is NULL, never 0" || nok "$v rows with 0s"
v=$(q "SELECT severity FROM dashboard.alert_open
       ORDER BY severity_rank DESC, alert_id LIMIT 1")
[ "$v" = critical ] && ok "open alerts sort most severe first" || nok "$v"
v=$(q "SELECT count(*) > 0 FROM dashboard.alert_history
       WHERE subject = '192.0.2.50' AND day = '2026-08-14'")
[ "$v" = t ] && ok "alert history has the last day" || nok "history: $v"
v=$(q "SELECT last_data_day || ' ' || (last_success IS NOT NULL)
       FROM dashboard.feed_snds WHERE source = 'demo'")
[ "$v" = "2026-08-14 true" ] && ok "feed_snds: last data day and success" ||
	nok "feed_snds: $v"
v=$(q "SELECT last_run_outcome || ' ' || last_run_complaints
       FROM dashboard.feed_mailbox")
expect_grep <(echo "$v") '^ok [0-9]+$' "feed_mailbox: last run ok with counts"
v=$(q "SELECT count(*) FROM dashboard.ip_status
       WHERE ip = '192.0.2.50' AND day = '2026-08-14'")
[ "$v" = 1 ] && ok "ip_status expands ranges per IP" || nok "ip_status: $v"

# link age: issued 28 days ago -> 2 days left, state expiring
q "INSERT INTO repwatch.snds_source (name, kind, issued)
   VALUES ('linked', 'link', current_date - 28)" >/dev/null
v=$(q "SELECT link_age_days || ' ' || link_days_left || ' ' || state ||
       ' ' || (link_expires = current_date + 2)
       FROM dashboard.feed_snds WHERE source = 'linked'")
[ "$v" = "28 2 expiring true" ] && ok "link age, days left, expiry" ||
	nok "link fields: $v"
q "INSERT INTO repwatch.snds_source (name, kind, first_used)
   VALUES ('firstuse', 'link', current_date - 3)" >/dev/null
v=$(q "SELECT link_days_left FROM dashboard.feed_snds WHERE source = 'firstuse'")
[ "$v" = 27 ] && ok "first_used when issued is unset" || nok "first_used: $v"

# the reader role
v=$(q "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'repwatch_reader'")
[ "$v" = f ] && ok "repwatch_reader exists, NOLOGIN" || nok "role: $v"
for v in $views; do
	expect_status 0 "reader reads dashboard.$v" \
		q "SET ROLE repwatch_reader; SELECT count(*) FROM dashboard.$v"
done
for t in snds_daily arf_report alert run_log ip_day mta_attempt_hour mta_load; do
	expect_status 1 "reader cannot read repwatch.$t" \
		q "SET ROLE repwatch_reader; SELECT count(*) FROM repwatch.$t"
done
expect_grep "$T_TMP/err" "permission denied" "refused with permission denied"
expect_status 1 "reader cannot write dashboard views" \
	q "SET ROLE repwatch_reader; DELETE FROM dashboard.alert_open"
v=$(q "SET ROLE repwatch_reader; SELECT count(*) FROM dashboard.ip_daily")
[ "$v" -gt 800 ] && ok "reader sees the facts ($v rows)" || nok "reader: $v"
v=$(q "SET ROLE repwatch_reader; SELECT (SELECT count(*) FROM
       dashboard.mta_ip_daily) || ' ' || (SELECT count(*) FROM
       dashboard.mta_net_daily) || ' ' || (SELECT count(*) FROM
       dashboard.mta_blocks)")
want=$(q "SELECT (SELECT count(*) FROM dashboard.mta_ip_daily) || ' ' ||
       (SELECT count(*) FROM dashboard.mta_net_daily) || ' ' ||
       (SELECT count(*) FROM dashboard.mta_blocks)")
[ "$v" = "$want" ] && ok "reader sees the MTA views' rows ($v)" ||
	nok "reader sees '$v' MTA rows, owner $want"

# migrating a second database keeps the role (created only if absent)
new2="${OUT_DB}_b"
createdb "$new2"
expect_status 0 "second database migrates with the role present" \
	"$RW" -q --db "dbname=$new2" db migrate
dropdb "$new2"
finish

#!/bin/bash
# test_arf_mapped - issue 17 item 5 end to end on a real PostgreSQL: a
# complaint whose Source-IP is written ::ffff:192.0.2.50 and an SNDS row
# written ::ffff:192.0.2.51 are stored as IPv4, so complaint and volume
# meet on one IP-day; "snds show --ip ::ffff:..." finds the row. Before
# the fix the complaint was stored as the IPv6 address ::ffff:192.0.2.50
# (no SNDS data ever) and the SNDS row was rejected as not IPv4.
. "${REPWATCH_SRC:-$(pwd)}/tests/arf/arf_db.sh"

sed 's/^Source-IP: 192.0.2.25$/Source-IP: ::ffff:192.0.2.50/' \
	"$fix/arf-basic.eml" >"$work/mapped.eml"
grep -q '^Source-IP: ::ffff:192.0.2.50$' "$work/mapped.eml" || fail "fixture edit"
printf '%s\n' \
	'::ffff:192.0.2.50,3/3/2026 12:00 AM,3/3/2026 11:59 PM,1000,1000,1000,GREEN,< 0.1%,,,0,h,m,' \
	'::FFFF:192.0.2.51,3/3/2026 12:00 AM,3/3/2026 11:59 PM,500,500,500,GREEN,< 0.1%,,,0,h,m,' \
	>"$work/data.csv"
rw snds load --source main "$work/data.csv" >/dev/null
rw arf ingest "$work/mapped.eml" >/dev/null

want "complaint stored as IPv4" "$(q "SELECT host(source_ip) || ' ' || family(source_ip) FROM repwatch.arf_report")" "192.0.2.50 4"
want "SNDS rows stored as IPv4" "$(q "SELECT string_agg(host(ip) || ' ' || family(ip), ',' ORDER BY ip) FROM repwatch.snds_daily")" "192.0.2.50 4,192.0.2.51 4"
want "complaint meets its SNDS row" "$(q "SELECT recipients || ' ' || complaints FROM repwatch.ip_day_facts('2026-03-01', '2026-03-05') WHERE ip = '192.0.2.50'")" "1000 1"
rw snds show --ip ::ffff:192.0.2.51 --from 2026-03-01 --to 2026-03-05 >"$work/show"
grep -q '192\.0\.2\.51' "$work/show" || fail "snds show --ip mapped: $(cat "$work/show")"
echo ok

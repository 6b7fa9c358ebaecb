#!/bin/bash
# test_outputs - the real commands on the sample data: nightly (steps,
# quiet under cron, exit status, lock), HTML report (well-formed, the
# incidents of incident_current with one chart each, self-contained),
# the MTA band under each chart against the SQL, Prometheus file (format
# line by line, incident counts, the MTA families against the SQL), prune.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_outputs.sh"
need_db
new_db outputs
expect_status 0 "sample data loaded and analyzed" load_sample
dir=$(cd "$(dirname "$0")" && pwd)
st=$REPWATCH_PATHS_STATE_DIR

# ---- HTML report
expect_status 0 "report --html" "$RW" -q --db "$DB" report --html \
	"$T_TMP/r.html" --date 2026-08-14
html=$T_TMP/r.html
expect_status 0 "report is well-formed XML (xmllint)" xmllint --noout "$html"
# the report lists the incidents of incident_current (the latest analyzed
# day is 2026-08-14), one row and one chart each
q "SELECT incident_id FROM repwatch.incident_current ORDER BY 1" \
	>"$T_TMP/want_ids"
xmllint --xpath '//*[local-name()="table"][@class="incidents"]/*[local-name()="tr"]/*[local-name()="td"][last()]/text()' \
	"$html" 2>/dev/null | sort >"$T_TMP/got_ids"
n=$(wc -l <"$T_TMP/want_ids")
[ "$n" -ge 2 ] && cmp -s "$T_TMP/want_ids" "$T_TMP/got_ids" &&
	ok "report rows = incident_current ($n incidents)" ||
	nok "report rows: $(tr '\n' ' ' <"$T_TMP/got_ids"), want: $(tr '\n' ' ' <"$T_TMP/want_ids")"
rules=$(q "SELECT count(*) FROM dashboard.alert_history
	WHERE day = '2026-08-14' AND subject_kind IN ('ip', 'cidr')")
[ "$rules" -gt "$n" ] && ok "fewer rows than rule rows ($n < $rules)" ||
	nok "$n incidents, $rules rule rows"
charts=$(grep -o '<svg[^>]*class="chart"' "$html" | wc -l)
[ "$charts" = "$n" ] && ok "one chart per incident ($charts)" ||
	nok "$charts charts for $n incidents"
expect_grep "$html" '>198\.51\.100\.20-27 \(8\)</td>' \
	"range members in short form"
expect_grep "$html" '<td>198\.51\.100\.27</td>' \
	"members listed under the range chart"
expect_no_grep "$html" '(src|href)=' "no src= or href= at all"
expect_no_grep "$html" '<script|<link|<img|<iframe|url\(' \
	"no script, stylesheet link, image or url()"
expect_grep "$html" 'Range 198\.51\.100\.0/24' "the rising /24 has a chart"
expect_grep "$html" 'IP 192\.0\.2\.50' "the rising IP has a chart"
expect_grep "$html" '0\.3%' "threshold line labels"
expect_grep "$html" 'Forecast: ' "forecasts"
# the severity order of the incident table
first=$(xmllint --xpath 'string((//*[local-name()="tr"][@class])[1]/@class)' \
	"$html" 2>/dev/null)
[ "$first" = critical ] && ok "incidents most severe first" || nok "first: $first"
# escaping by construction: a hostile mailbox name in the health table
q "INSERT INTO repwatch.arf_run (mailbox, outcome)
   VALUES ('<script>x</script>&', 'ok')" >/dev/null
expect_status 0 "report with markup in a value" "$RW" -q --db "$DB" report \
	--html "$html" --date 2026-08-14
expect_status 0 "still well-formed" xmllint --noout "$html"
expect_grep "$html" '&lt;script&gt;x&lt;/script&gt;&amp;' "value escaped"
expect_status 64 "report without --html is a usage error" \
	"$RW" -q --db "$DB" report
expect_status 64 "bad --date" "$RW" -q --db "$DB" report --html "$html" \
	--date 2026-13-01

# ---- MTA band: Microsoft's answers (tests/out/mta_rows.sql) under each
# chart whose subject has MTA data, each day's numbers equal to the
# dashboard view summed over the subject's IPs (the analyzer's zone is the
# default America/Los_Angeles: an answer at 06:00 UTC counts the day before)
expect_status 0 "MTA rows loaded" psql -X -q -v ON_ERROR_STOP=1 \
	-d "$OUT_DB" -f "$dir/mta_rows.sql"
expect_status 0 "report --html with MTA data" "$RW" -q --db "$DB" report \
	--html "$T_TMP/m.html" --date 2026-08-14
expect_status 0 "still well-formed" xmllint --noout "$T_TMP/m.html"
python3 "$dir/mta_band.py" "$T_TMP/m.html" >"$T_TMP/band" 2>&1
grep -v '^#' "$T_TMP/band" >"$T_TMP/band_got"
q "SELECT s.subject, v.day, sum(v.attempts), sum(v.delivered),
	sum(v.throttled), sum(v.blocked), coalesce((array_agg(v.block_code
	ORDER BY v.first_block_at, v.ip) FILTER (WHERE v.block_code IS NOT
	NULL))[1], '-'), CASE WHEN sum(v.blocked) > 0 THEN 'blocked' WHEN
	sum(v.throttled) > 0 THEN 'throttled' ELSE 'none' END
   FROM repwatch.incident_current s JOIN dashboard.mta_ip_daily v
	ON v.ip <<= s.subject::cidr
   WHERE v.day BETWEEN date '2026-08-14' - 59 AND '2026-08-14'
   GROUP BY 1, 2 ORDER BY 1, 2" | tr '|' ' ' >"$T_TMP/band_want"
n=$(wc -l <"$T_TMP/band_want")
[ "$n" -ge 20 ] && cmp -s "$T_TMP/band_got" "$T_TMP/band_want" &&
	ok "band days = dashboard.mta_ip_daily per subject ($n days)" ||
	{ nok "band days (got, want):"; diff "$T_TMP/band_got" "$T_TMP/band_want" |
		head -20 | sed 's/^/  | /'; }
expect_grep "$T_TMP/band" '^# charts 2$' "two charts"
expect_grep "$T_TMP/band" '^# bands 2 192\.0\.2\.50:60 198\.51\.100\.0/24:60$' \
	"a band of 60 days under each chart, the range's included"
expect_grep "$T_TMP/band_got" '^192\.0\.2\.50 2026-08-13 1532 1170 320 42 S3150 blocked$' \
	"06:00 UTC on 08-14 counts on 08-13 in Los Angeles (35 + 7 blocked)"
expect_grep "$T_TMP/band_got" '^198\.51\.100\.0/24 2026-08-13 1360 1200 120 40 S3140 blocked$' \
	"the /24 sums its IPs and sources (31 + 9 blocked, S3140)"
expect_grep "$T_TMP/m.html" '<title>2026-07-30: no MTA data</title>' \
	"a day without MTA data says so"
# the MTA log health table: one row per source, its last load and the 7
# days' Microsoft answers to the report day, equal to the stored rows
python3 - "$T_TMP/m.html" >"$T_TMP/mta_health" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"h": "http://www.w3.org/1999/xhtml"}
root = ET.parse(sys.argv[1]).getroot()
body = root.find(".//h:body", ns)
kids = list(body)
for i, el in enumerate(kids):
    if el.tag.endswith("h3") and el.text == "MTA logs":
        for tr in kids[i + 1].findall(".//h:tr", ns)[1:]:
            print(" ".join((td.text or "") for td in tr.findall("h:td", ns)))
PY
q "SELECT l.source, to_char(l.finished_at, 'YYYY-MM-DD HH24:MI'), l.lines,
	l.no_ip, l.bad_lines, coalesce(sum(a.attempts), 0),
	coalesce(sum(a.attempts) FILTER (WHERE a.class = 'deferred-throttle'), 0),
	coalesce(sum(a.attempts) FILTER (WHERE a.class = 'blocked'), 0)
   FROM repwatch.mta_load l LEFT JOIN repwatch.mta_attempt_hour a
	ON a.source = l.source AND (a.hour AT TIME ZONE
	'America/Los_Angeles')::date BETWEEN '2026-08-08' AND '2026-08-14'
   GROUP BY 1, 2, 3, 4, 5 ORDER BY 1" | tr '|' ' ' >"$T_TMP/mta_health_want"
[ "$(wc -l <"$T_TMP/mta_health_want")" = 2 ] &&
	cmp -s "$T_TMP/mta_health" "$T_TMP/mta_health_want" &&
	ok "MTA logs table: each source's last load and 7 days' answers" ||
	{ nok "MTA logs table (got, want):"; cat "$T_TMP/mta_health" \
		"$T_TMP/mta_health_want" | sed 's/^/  | /'; }
expect_no_grep "$T_TMP/m.html" '(src|href)=' "still no src= or href="
# a chart whose subject has no MTA data gets no band: the /24's rows aside
q "CREATE TABLE public.mta_aside AS SELECT * FROM repwatch.mta_attempt_hour
   WHERE ip << '198.51.100.0/24';
   DELETE FROM repwatch.mta_attempt_hour WHERE ip << '198.51.100.0/24'"
expect_status 0 "report without the range's MTA data" "$RW" -q --db "$DB" \
	report --html "$T_TMP/m2.html" --date 2026-08-14
q "INSERT INTO repwatch.mta_attempt_hour SELECT * FROM public.mta_aside;
   DROP TABLE public.mta_aside"
python3 "$dir/mta_band.py" "$T_TMP/m2.html" >"$T_TMP/band" 2>&1
expect_grep "$T_TMP/band" '^# charts 2$' "still two charts"
expect_grep "$T_TMP/band" '^# bands 1 192\.0\.2\.50:60$' \
	"no band under the range without MTA data"

# ---- Prometheus
expect_status 0 "export prometheus" "$RW" -q --db "$DB" export prometheus \
	"$T_TMP/rw.prom"
expect_status 0 "prometheus format line by line" \
	python3 "$dir/check_prom.py" "$T_TMP/rw.prom"
cat "$T_TMP/out"
prom=$T_TMP/rw.prom
expect_grep "$prom" '^repwatch_ip_recipients\{ip="192\.0\.2\.50",net="192\.0\.2\.0/24"\} [0-9]+$' "per-IP recipients"
expect_grep "$prom" '^repwatch_ip_filter_level\{ip="192\.0\.2\.50",[^}]*\} 3$' "RED is 3"
expect_grep "$prom" '^repwatch_ip_alert_severity\{ip="192\.0\.2\.50",[^}]*\} 3$' "critical is 3"
expect_grep "$prom" '^repwatch_ip_listed\{ip="192\.0\.2\.50",[^}]*\} 1$' "listed in the IP status"
expect_grep "$prom" '^repwatch_ip_blocked\{ip="192\.0\.2\.10",[^}]*\} 0$' "clean IP not blocked"
expect_grep "$prom" '^repwatch_source_last_success_timestamp_seconds\{source="demo"\} [0-9]+$' "source last success"
expect_grep "$prom" '^repwatch_mailbox_quarantined_total\{mailbox="<script>x</script>&"\} 0$' "label value kept verbatim"
expect_grep "$prom" '^repwatch_alerts_open\{severity="critical"\} [1-9]' "open alerts by severity"
# incident counts: every severity and state, equal to incident_current
bad=0
for sev in info warning critical; do
	for state in open escalated; do
		want=$(q "SELECT count(*) FROM repwatch.incident_current
			WHERE severity = '$sev' AND state = '$state'")
		grep -qx "repwatch_incidents{severity=\"$sev\",state=\"$state\"} $want" \
			"$prom" || { bad=1; echo "# $sev $state: want $want"; }
	done
done
[ "$bad" = 0 ] && ok "repwatch_incidents matches incident_current, zeros included" ||
	nok "repwatch_incidents"
expect_grep "$prom" '^# TYPE repwatch_incidents gauge$' "incident metric typed"
# MTA families: the latest MTA day (2026-08-14 in the analyzer's zone),
# per IP equal to dashboard.mta_ip_daily, per class, IP counts, loads
grep -E '^repwatch_ip_mta_(attempts|throttled_attempts|blocked_attempts)\{' \
	"$prom" | sed -E 's/^repwatch_ip_mta_([a-z_]+)\{ip="([^"]+)",net="([^"]*)"\} /\2 \3 \1 /' |
	sort >"$T_TMP/mta_got"
q "SELECT host(ip) || ' ' || coalesce(net::text, '') || ' ' || k || ' ' || v
   FROM dashboard.mta_ip_daily, LATERAL (VALUES ('attempts', attempts),
	('throttled_attempts', throttled), ('blocked_attempts', blocked)) x(k, v)
   WHERE day = '2026-08-14'" | sort >"$T_TMP/mta_want"
[ "$(wc -l <"$T_TMP/mta_want")" = 12 ] && cmp -s "$T_TMP/mta_got" "$T_TMP/mta_want" &&
	ok "repwatch_ip_mta_* = dashboard.mta_ip_daily on 2026-08-14 (4 IPs)" ||
	{ nok "repwatch_ip_mta_* (got, want):"; diff "$T_TMP/mta_got" "$T_TMP/mta_want" | sed 's/^/  | /'; }
for c in blocked:45 bounced-other:0 deferred-other:0 deferred-throttle:504 delivered:4680; do
	expect_grep "$prom" "^repwatch_mta_attempts\{class=\"${c%%:*}\"\} ${c#*:}\$" \
		"repwatch_mta_attempts ${c%%:*} = ${c#*:}"
done
expect_grep "$prom" '^repwatch_mta_day_timestamp_seconds 1786665600$' \
	"the latest MTA day is 2026-08-14 (UTC midnight)"
expect_grep "$prom" '^repwatch_mta_blocked_ips 1$' "one IP blocked on the latest day"
expect_grep "$prom" '^repwatch_mta_throttled_ips 3$' "three IPs throttled"
expect_grep "$prom" '^repwatch_ip_mta_throttle_share_ratio\{ip="192\.0\.2\.50",[^}]*\} 0\.24242' \
	"throttle share 360 / 1485"
expect_grep "$prom" '^repwatch_mta_last_load_timestamp_seconds\{source="postfix"\} 1786777140$' \
	"last load of each source (2026-08-15 06:59Z)"
expect_grep "$prom" '^repwatch_mta_last_load_bad_lines\{source="postfix"\} 2$' \
	"bad lines of the last load"
ls "$T_TMP"/.rw.prom* "$T_TMP"/rw.prom.* >/dev/null 2>&1 &&
	nok "temporary file left behind" || ok "no temporary file left"

# ---- nightly
nightly_conf "report_html = $T_TMP/night.html" \
	"prometheus_file = $T_TMP/night.prom" \
	"[notify]" "command = cat > $T_TMP/notified.jsonl"
N=("$RW" --config "$T_TMP/rw.conf" --db "$DB")
expect_status 0 "nightly succeeds" "${N[@]}" nightly
[ ! -s "$T_TMP/out" ] && ok "quiet on success without a terminal (stdout)" ||
	nok "stdout not empty: $(head -3 "$T_TMP/out")"
[ ! -s "$T_TMP/err" ] && ok "quiet on success without a terminal (stderr)" ||
	nok "stderr not empty: $(head -3 "$T_TMP/err")"
[ -s "$T_TMP/night.html" ] && xmllint --noout "$T_TMP/night.html" &&
	ok "nightly wrote the report" || nok "no nightly report"
python3 "$dir/check_prom.py" "$T_TMP/night.prom" >/dev/null &&
	ok "nightly wrote the Prometheus file" || nok "no prometheus file"
n=$(wc -l <"$T_TMP/notified.jsonl")
inc=$(q "SELECT count(*) FROM repwatch.incident_current
	WHERE severity <> 'info'")
[ "$n" -gt 0 ] && [ "$n" = "$inc" ] && ok "notify command got the $n incidents" ||
	nok "notified $n lines for $inc incidents"
v=$(q "SELECT exit_code || ' ' || jsonb_array_length(summary->'steps')
       FROM repwatch.run_log WHERE command = 'nightly' ORDER BY id DESC LIMIT 1")
[ "$v" = "0 7" ] && ok "run_log: exit 0, 7 steps (mta skipped)" || nok "run_log: $v"
expect_status 0 "-v prints the summary" "${N[@]}" -v nightly
expect_grep "$T_TMP/out" '^ingest good +ok' "summary line per step"
expect_grep "$T_TMP/out" '^nightly: ok, exit 0' "summary total"

# a dead mailbox: the others still run, the exit status is its
cat >>"$T_TMP/rw.conf" <<CONF
[mailbox.dead]
url = $T_TMP/no-such-maildir
CONF
rm -f "$T_TMP/night.prom"
"${N[@]}" nightly >"$T_TMP/out" 2>"$T_TMP/err" && code=0 || code=$?
[ "$code" != 0 ] && ok "dead mailbox: non-zero exit ($code)" || nok "exit 0"
expect_grep "$T_TMP/out" "^ingest dead +FAILED +\\(exit $code\\)" \
	"the run's exit status is the failed step's"
expect_grep "$T_TMP/out" '^analyze .* ok' "analysis still ran"
[ -s "$T_TMP/night.prom" ] && ok "exports still ran" || nok "no exports"
# the file is written again once the run's end is recorded: it already
# carries this run's exit status, not the run before's (issue 16)
expect_grep "$T_TMP/night.prom" "^repwatch_nightly_last_exit_code $code\$" \
	"the Prometheus file has this run's exit status"
expect_status "$code" "-q: failed steps only" "${N[@]}" nightly -q
expect_no_grep "$T_TMP/out" 'ingest good' "-q hides successful steps"
expect_grep "$T_TMP/out" 'ingest dead' "-q keeps the failed one"

# one run at a time
flock -n "$st/nightly.lock" sleep 5 &
sleep 0.5
expect_status 75 "second run exits 75 at once" "${N[@]}" nightly
expect_grep "$T_TMP/err" 'another nightly run is in progress' "clear message"
kill %1 2>/dev/null; wait 2>/dev/null

# ---- prune
mkdir -p "$st/raw/demo"
touch -d '2020-01-01' "$st/raw/demo/old.csv"
touch "$st/raw/demo/new.csv"
before=$(q "SELECT count(*) FROM repwatch.snds_daily")
keep=$(q "SELECT current_date - '2026-08-01'::date")
expect_status 0 "prune --keep-days" "$RW" --db "$DB" prune --keep-days "$keep"
expect_grep "$T_TMP/out" '^pruned [0-9]+ row' "prune reports its counts"
after=$(q "SELECT count(*) FROM repwatch.snds_daily")
left=$(q "SELECT count(*) FROM repwatch.snds_daily WHERE day < '2026-08-01'")
[ "$after" -lt "$before" ] && [ "$left" = 0 ] &&
	ok "old SNDS rows gone ($before -> $after)" || nok "$before -> $after, $left left"
[ ! -e "$st/raw/demo/old.csv" ] && [ -e "$st/raw/demo/new.csv" ] &&
	ok "old raw file removed, new kept" || nok "raw files"
expect_status 78 "prune refuses less than the analysis needs" \
	"$RW" --db "$DB" prune --keep-days 10
finish

#!/bin/bash
# test_prometheus - the export read by the real programs, from Debian's
# packages: repwatch writes into a directory that prometheus-node-exporter's
# textfile collector reads, a prometheus server on 127.0.0.1 scrapes it and
# loads cron/prometheus/repwatch.rules.yml; every metric family of the file
# must come back from the HTTP API with all its series. promtool checks
# every export (check metrics), the rules (check rules) and runs their
# unit tests (test rules). Everything it starts is stopped on exit.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_outputs.sh"
need_db
for p in prometheus promtool prometheus-node-exporter curl; do
	command -v "$p" >/dev/null 2>&1 && continue
	echo "skip - no $p (scripts/setup.sh installs Debian's prometheus," \
		"prometheus-node-exporter)"
	exit 77
done
new_db prometheus
src=${REPWATCH_SRC:-.}
rules=$src/cron/prometheus/repwatch.rules.yml
pids=()
# stop what this test started, then what new_db set up
stop_all() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	dropdb --if-exists "$OUT_DB" >/dev/null 2>&1
	rm -rf "$T_TMP"
}
trap stop_all EXIT

# free_port - a TCP port on 127.0.0.1 nobody listens on now
free_port() {
	python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for SECONDS CMD... - retry CMD every 0.2 s until it succeeds
wait_for() {
	local n=$(($1 * 5))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}

# ---- the exports: one by a nightly run, one after it
expect_status 0 "sample data loaded and analyzed" load_sample
# Microsoft's answers from the MTA logs; the postfix source loaded just now,
# the exim one last on 2026-08-15 (RepwatchMtaLoadStale must fire for it)
expect_status 0 "MTA rows loaded" psql -X -q -v ON_ERROR_STOP=1 \
	-d "$OUT_DB" -f "$(dirname "$0")/mta_rows.sql"
q "UPDATE repwatch.mta_load SET finished_at = now() - interval '1 hour'
   WHERE source = 'postfix'" >/dev/null
textdir=$T_TMP/textfile
mkdir -p "$textdir"
nightly_conf "prometheus_file = $textdir/repwatch.prom"
expect_status 0 "nightly writes the textfile" \
	"$RW" --config "$T_TMP/rw.conf" --db "$DB" nightly
cp "$textdir/repwatch.prom" "$T_TMP/nightly.prom"
# the nightly run is finished now: this export has its numbers. Also a
# link source 27 days old (RepwatchLinksExpiring must fire) and an API
# source, so that every family has a series (added after the nightly run,
# which would try to fetch them)
q "INSERT INTO repwatch.snds_source (name, kind, issued, token_state)
   VALUES ('links', 'link', current_date - 27, NULL),
          ('api', 'api', NULL, 'ok')" >/dev/null
expect_status 0 "export prometheus into the textfile directory" \
	"$RW" -q --db "$DB" export prometheus "$textdir/repwatch.prom"
for f in "$T_TMP/nightly.prom" "$textdir/repwatch.prom"; do
	if promtool check metrics <"$f" >"$T_TMP/lint" 2>&1; then
		ok "promtool check metrics: $(basename "$f")"
	else
		nok "promtool check metrics: $(basename "$f")"
		sed 's/^/  | /' "$T_TMP/lint" | head -20
	fi
done

# ---- rules
expect_status 0 "promtool check rules" promtool check rules "$rules"
expect_grep "$T_TMP/out" 'SUCCESS: [1-9][0-9]* rules found' "rules found"
# relative rule_files resolve from the test file's directory
expect_status 0 "promtool test rules" \
	promtool test rules "$src/cron/prometheus/repwatch.rules.test.yml"

# ---- node_exporter and prometheus
ne_port=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$ne_port" \
	--collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$textdir" \
	>"$T_TMP/node_exporter.log" 2>&1 &
pids+=($!)
if wait_for 20 curl -sf "http://127.0.0.1:$ne_port/metrics"; then
	ok "node_exporter listens on 127.0.0.1:$ne_port"
else
	nok "node_exporter did not start"; sed 's/^/  | /' "$T_TMP/node_exporter.log"
fi
curl -sf "http://127.0.0.1:$ne_port/metrics" >"$T_TMP/ne.txt"
expect_grep "$T_TMP/ne.txt" '^repwatch_ip_recipients\{' \
	"node_exporter serves the repwatch file"
expect_grep "$T_TMP/ne.txt" '^node_textfile_scrape_error 0$' \
	"textfile collector read it without error"

# the server refuses nothing as root, but runs unprivileged when it can
mkdir -p "$T_TMP/prom/data"
cp "$rules" "$T_TMP/prom/"
pr_port=$(free_port)
cat >"$T_TMP/prom/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $T_TMP/prom/repwatch.rules.yml
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$ne_port']
YML
as=()
if [ "$(id -u)" = 0 ] && id prometheus >/dev/null 2>&1; then
	chown -R prometheus "$T_TMP/prom"
	as=(setpriv --reuid=prometheus --regid=prometheus --clear-groups)
fi
"${as[@]}" prometheus --config.file="$T_TMP/prom/prometheus.yml" \
	--storage.tsdb.path="$T_TMP/prom/data" \
	--web.listen-address="127.0.0.1:$pr_port" \
	>"$T_TMP/prometheus.log" 2>&1 &
pids+=($!)
api=http://127.0.0.1:$pr_port/api/v1
if wait_for 60 curl -sf "http://127.0.0.1:$pr_port/-/ready"; then
	ok "prometheus ready on 127.0.0.1:$pr_port"
else
	nok "prometheus not ready"; tail -20 "$T_TMP/prometheus.log" | sed 's/^/  | /'
fi

# query EXPR - the number of series of an instant query (-1 on error)
query() {
	curl -sf --data-urlencode "query=$1" "$api/query" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(len(r["data"]["result"]) if r.get("status") == "success" else -1)' \
		2>/dev/null || echo -1
}
scraped() { [ "$(query 'repwatch_export_timestamp_seconds')" = 1 ]; }
if wait_for 60 scraped; then
	ok "prometheus scraped the node_exporter"
else
	nok "no repwatch series in prometheus"
	curl -s "$api/targets" | head -c 2000; echo
fi

# every family of the file, with as many series as the file has samples
python3 - "$textdir/repwatch.prom" >"$T_TMP/families" <<'PY'
import collections, re, sys
n = collections.Counter()
for line in open(sys.argv[1], encoding='utf-8'):
    if line.startswith('# TYPE '):
        n[line.split()[2]] += 0
    elif not line.startswith('#') and line.strip():
        n[re.match(r'[a-zA-Z_:][a-zA-Z0-9_:]*', line).group(0)] += 1
for name, count in n.items():
    print(name, count)
PY
families=$(wc -l <"$T_TMP/families")
empty=$(awk '$2 == 0 { printf "%s ", $1 }' "$T_TMP/families")
[ "$families" -ge 20 ] && ok "$families families in the export" ||
	nok "only $families families"
[ -z "$empty" ] && ok "every family has samples on the sample data" ||
	nok "families without samples: $empty"
while read -r name count; do
	got=$(query "$name{job=\"node\"}")
	[ "$got" = "$count" ] && ok "$name: $got series" ||
		nok "$name: $got series in prometheus, $count in the file"
done <"$T_TMP/families"
# the MTA families: series per class, per IP with data on the latest MTA
# day, per source, and the day's totals
for f in repwatch_mta_attempts:5 repwatch_ip_mta_attempts:4 \
	repwatch_ip_mta_throttled_attempts:4 repwatch_ip_mta_blocked_attempts:4 \
	repwatch_ip_mta_throttle_share_ratio:4 repwatch_mta_day_timestamp_seconds:1 \
	repwatch_mta_blocked_ips:1 repwatch_mta_throttled_ips:1 repwatch_mta_ips:1 \
	repwatch_mta_last_load_timestamp_seconds:2 repwatch_mta_last_load_lines:2 \
	repwatch_mta_last_load_bad_lines:2; do
	got=$(awk -v n="${f%%:*}" '$1 == n { print $2 }' "$T_TMP/families")
	[ "$got" = "${f#*:}" ] && ok "${f%%:*}: ${f#*:} series in the file" ||
		nok "${f%%:*}: '$got' series in the file, want ${f#*:}"
done
[ "$(query 'repwatch_mta_blocked_ips == 1')" = 1 ] &&
	ok "one blocked IP in prometheus" || nok "repwatch_mta_blocked_ips"
# a value through the whole chain: the RED IP
[ "$(query 'repwatch_ip_filter_level{ip="192.0.2.50"} == 3')" = 1 ] &&
	ok "192.0.2.50 is RED (3) in prometheus" || nok "filter level of 192.0.2.50"

# the rules loaded and evaluated without error
rules_ok() {
	curl -sf "$api/rules" | python3 -c '
import json, sys
rules = [r for g in json.load(sys.stdin)["data"]["groups"] for r in g["rules"]]
bad = [r["name"] for r in rules if r.get("health") != "ok"]
print(len(rules), " ".join(bad))
sys.exit(1 if bad or not rules else 0)'
}
if wait_for 30 rules_ok; then
	ok "rules loaded and evaluated: $(rules_ok)"
else
	nok "rules: $(rules_ok)"
fi
# on the exported state: the 27-day-old links fire, the Microsoft block of
# 192.0.2.50, the exim MTA source not loaded since August, and the critical
# incidents of each state the file has unsilenced ones of; nothing else
crit=$(python3 - "$textdir/repwatch.prom" <<'PY'
import re, sys
n = {}
for line in open(sys.argv[1], encoding='utf-8'):
    m = re.match(r'(repwatch_incidents(?:_silenced)?)\{(.*)\} (\S+)$', line)
    if m and 'severity="critical"' in m.group(2):
        state = re.search(r'state="(\w+)"', m.group(2)).group(1)
        sign = -1 if m.group(1).endswith('_silenced') else 1
        n[state] = n.get(state, 0) + sign * float(m.group(3))
print(sum(1 for s, v in n.items() if s in ('open', 'escalated') and v > 0))
PY
)
want="RepwatchLinksExpiring/links/firing RepwatchMicrosoftBlock//firing"
want="$want RepwatchMtaLoadStale/exim/firing"
for _ in $(seq "$crit"); do
	want="RepwatchCriticalIncident//firing $want"
done
[ "$crit" -gt 0 ] && ok "the sample data has critical incidents ($crit states)" ||
	nok "no critical incident in the export"
alerts() {
	curl -sf "$api/alerts" | python3 -c '
import json, sys
a = json.load(sys.stdin)["data"]["alerts"]
print(" ".join(sorted("%s/%s/%s" % (x["labels"]["alertname"],
    x["labels"].get("source", ""), x["state"]) for x in a)))'
}
as_wanted() { [ "$(alerts)" = "$want" ]; }
if wait_for 30 as_wanted; then
	ok "alerts firing: $want"
else
	nok "alerts: $(alerts), want $want"
fi
finish

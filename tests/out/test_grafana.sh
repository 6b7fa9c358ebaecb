#!/bin/bash
# test_grafana - every query of sql/grafana/repwatch.json runs on the
# sample data as repwatch_reader (Grafana macros and variables replaced),
# so the dashboard cannot rot when the views change.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_outputs.sh"
need_db
new_db grafana
expect_status 0 "sample data loaded and analyzed" load_sample
expect_status 0 "MTA rows loaded" psql -X -q -v ON_ERROR_STOP=1 \
	-d "$OUT_DB" -f "$(dirname "$0")/mta_rows.sql"
# one nightly run for the runs panel
q "INSERT INTO repwatch.run_log (command, started_at, finished_at, exit_code,
   summary) VALUES ('nightly', '2026-08-14 07:00Z', '2026-08-14 07:02Z', 0,
   '{\"steps\": [{\"step\": \"analyze\", \"arg\": null, \"outcome\": \"ok\"}]}')" >/dev/null
src=${REPWATCH_SRC:-.}
expect_status 0 "dashboard JSON parses" python3 -m json.tool \
	"$src/sql/grafana/repwatch.json"
if python3 "$(dirname "$0")/grafana_sql.py" "$src/sql/grafana/repwatch.json" \
	"$OUT_DB" >"$T_TMP/g.out" 2>&1; then
	ok "every dashboard query runs as repwatch_reader"
else
	nok "dashboard queries"
fi
cat "$T_TMP/g.out"
# the incidents panel: backed by incident_current, which the reader reads
# (0011 grants it) while the tables behind it stay closed
expect_grep "$T_TMP/g.out" '^ok - panel [0-9]+ "Open incidents": [0-9]+ rows$' \
	"the Open incidents panel has rows"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = [p for p in d["panels"] if p["title"] == "Open incidents"]
assert len(p) == 1 and "repwatch.incident_current" in p[0]["targets"][0]["rawSql"]
' "$src/sql/grafana/repwatch.json" && ok "the panel reads repwatch.incident_current" ||
	nok "no Open incidents panel on incident_current"
# the MTA panels: each view of 0013 behind a panel with rows, as the reader
for v in mta_ip_daily mta_net_daily mta_blocks; do
	python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1]))
p = [p["title"] for p in d["panels"] for t in p.get("targets", [])
     if re.search(r"\bdashboard\." + sys.argv[2] + r"\b", t["rawSql"])]
print("\n".join(p))
sys.exit(0 if p else 1)' "$src/sql/grafana/repwatch.json" "$v" >"$T_TMP/p" &&
		ok "a panel reads dashboard.$v: $(head -1 "$T_TMP/p")" ||
		nok "no panel reads dashboard.$v"
	while read -r title; do
		grep -F "\"$title\": " "$T_TMP/g.out" | grep -qE '^ok - panel .* [1-9][0-9]* rows$' &&
			ok "\"$title\" has rows" || nok "\"$title\": no rows"
	done <"$T_TMP/p"
done
expect_grep "$T_TMP/g.out" '^ok - variable \$mta_ip: 4 rows$' \
	"the MTA IP variable lists the 4 IPs of the MTA logs"
want=$(q "SELECT count(*) FROM repwatch.incident_current")
got=$(psql -X -q -At -d "$OUT_DB" -c "SET ROLE repwatch_reader" \
	-c "SELECT count(*) FROM repwatch.incident_current" 2>&1)
[ "$got" = "$want" ] && [ "$want" -gt 0 ] &&
	ok "repwatch_reader reads incident_current ($got rows)" ||
	nok "reader: '$got', owner: $want"
expect_status 1 "repwatch_reader cannot read repwatch.incident" \
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$OUT_DB" \
	-c "SET ROLE repwatch_reader" -c "SELECT 1 FROM repwatch.incident"
finish

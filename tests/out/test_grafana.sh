#!/bin/bash
# test_grafana - every query of sql/grafana/repwatch.json runs on the
# sample data as repwatch_reader (Grafana macros and variables replaced),
# so the dashboard cannot rot when the views change.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_outputs.sh"
need_db
new_db grafana
expect_status 0 "sample data loaded and analyzed" load_sample
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
finish

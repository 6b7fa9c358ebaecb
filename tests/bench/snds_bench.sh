#!/bin/bash
# snds_bench - load throughput of "repwatch snds load" against plain psql
# \copy of the same rows, in one invocation (not a test).
#
#   tests/bench/snds_bench.sh [ROWS]          (default 1000000)
#
# Needs PG* pointing at a server where it may create a database (for
# example the one scripts/test.sh starts), python3 and /usr/bin/time.
# REPWATCH_BIN names the binary; default: a Release build in build-bench/.
# Prints, for each way of loading: seconds, rows/s, peak RSS of the client.
#   repwatch        parse (libcsv) + COPY to staging + INSERT .. ON CONFLICT
#                   into repwatch.snds_daily (PK + 2 indexes)
#   copy-shaped     \copy of the same rows, already in snds_daily's shape,
#                   into a table LIKE repwatch.snds_daily INCLUDING ALL
#   copy-csv        \copy of the raw CSV into a 14-column table, no index
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-1000000}
work=${REPWATCH_BENCH_DIR:-/tmp/repwatch-snds-bench}
mkdir -p "$work"
chmod 755 "$work"
csv=$work/snds-$rows.csv
db=rwbench_snds_$$

if [ -z "${REPWATCH_BIN:-}" ]; then
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release \
		-DREPWATCH_TESTS=OFF >/dev/null
	cmake --build build-bench -j2 --target repwatch >/dev/null
	REPWATCH_BIN=build-bench/repwatch
fi
[ -s "$csv" ] || python3 tests/bench/snds_gen.py "$csv" "$rows"

psql -qX -d postgres -c "CREATE DATABASE $db" >/dev/null
trap 'psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null' EXIT
q() { psql -qXAt -d "$db" -c "$1"; }

# measure NAME cmd... : wall seconds and peak RSS (KB) of the client
measure() {
	local name=$1
	shift
	q "CHECKPOINT" >/dev/null
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null
	read -r secs rss <"$work/time"
	awk -v n="$name" -v s="$secs" -v r="$rows" -v m="$rss" 'BEGIN {
		printf "%-12s %8.2f s %12.0f rows/s %8d KB peak RSS\n", n, s, r / s, m }'
	echo "$secs" >"$work/$name.secs"
}

"$REPWATCH_BIN" -q --db "dbname=$db" db migrate >/dev/null
echo "snds load benchmark: $rows rows, $(du -h "$csv" | cut -f1) of CSV"
measure repwatch "$REPWATCH_BIN" -q --db "dbname=$db" snds load \
	--source bench "$csv"
[ "$(q "SELECT count(*) FROM repwatch.snds_daily")" = "$rows" ] ||
	{ echo "snds_bench: row count mismatch" >&2; exit 1; }

q "\\copy (SELECT * FROM repwatch.snds_daily) TO '$work/shaped.copy'"
q "CREATE TABLE shaped (LIKE repwatch.snds_daily INCLUDING ALL)"
measure copy-shaped psql -qX -d "$db" -c "\\copy shaped FROM '$work/shaped.copy'"

q "CREATE TABLE plain (ip inet, s text, e text, rcpt bigint, dat bigint,
	rcp bigint, filter text, rate text, ts text, te text, hits integer,
	helo text, sender text, comments text)"
measure copy-csv psql -qX -d "$db" -c "\\copy plain FROM '$csv' WITH (FORMAT csv)"

ours=$(cat "$work/repwatch.secs")
for base in copy-shaped copy-csv; do
	awk -v b="$base" -v t="$(cat "$work/$base.secs")" -v o="$ours" \
		'BEGIN { printf "repwatch rate / %-11s rate: %4.0f%%\n", b, 100 * t / o }'
done
rm -f "$work/shaped.copy"

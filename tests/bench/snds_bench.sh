#!/bin/bash
# snds_bench - load throughput of "repwatch snds load" against plain psql
# \copy of the same rows, in one invocation (not a test).
#
#   tests/bench/snds_bench.sh [ROWS] [ROUNDS]   (default 1000000 rows, 2)
#
# Needs PG* pointing at a server where it may create a database (for
# example the one scripts/test.sh starts), python3 and /usr/bin/time.
# REPWATCH_BIN names the binary; default: a Release build in build-bench/.
#
# One unmeasured load first warms the server (WAL segments, caches: the
# first large write after start-up is up to 50% slower, whichever tool
# makes it). Then each round loads into empty tables, in turn:
#   repwatch      parse (libcsv) + COPY into repwatch.snds_daily (a new
#                 day: the direct path; PK + 3 indexes)
#   copy-shaped   \copy of the same rows, already converted to snds_daily's
#                 shape and in the report's order, into a table LIKE
#                 repwatch.snds_daily INCLUDING ALL (the target's baseline)
#   copy-sorted   the same, pre-sorted in primary-key order (kinder to the
#                 indexes than any report)
#   copy-csv      \copy of the raw CSV into a 14-column table, no index
#   repwatch-merge  the same report again onto the loaded day: the staged
#                 INSERT .. ON CONFLICT path a re-fetched day takes
# and prints, per way, the best round: seconds, rows/s, peak RSS of the
# client, then repwatch's rate as a share of each \copy's.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-1000000}
rounds=${2:-2}
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
trap 'psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null;
	rm -f "$work"/shaped-*.copy "$work"/*.secs "$work"/time' EXIT
q() { psql -qXAt -d "$db" -c "$1"; }

# run NAME cmd... : wall seconds and peak RSS (KB) of the client; keeps
# the best round of NAME in $work/NAME.best
run() {
	local name=$1 secs rss
	shift
	q "CHECKPOINT" >/dev/null
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null
	read -r secs rss <"$work/time"
	if [ ! -s "$work/$name.best" ] ||
		awk -v s="$secs" '{ exit !(s < $1) }' "$work/$name.best"; then
		echo "$secs $rss" >"$work/$name.best"
	fi
}
load=("$REPWATCH_BIN" -q --db "dbname=$db" snds load --source bench "$csv")
empty() { q "TRUNCATE repwatch.snds_daily, shaped, sorted, plain" >/dev/null; }

"$REPWATCH_BIN" -q --db "dbname=$db" db migrate >/dev/null
echo "snds load benchmark: $rows rows, $(du -h "$csv" | cut -f1) of CSV," \
	"best of $rounds rounds after a warm-up"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
"${load[@]}" >/dev/null
[ "$(q "SELECT count(*) FROM repwatch.snds_daily")" = "$rows" ] ||
	{ echo "snds_bench: row count mismatch" >&2; exit 1; }
# the generator writes day by day, IPs in order: that is the report order
q "\\copy (SELECT * FROM repwatch.snds_daily ORDER BY day, ip) TO '$work/shaped-report.copy'"
q "\\copy (SELECT * FROM repwatch.snds_daily ORDER BY source, ip, activity_start) TO '$work/shaped-sorted.copy'"
q "CREATE TABLE shaped (LIKE repwatch.snds_daily INCLUDING ALL)"
q "CREATE TABLE sorted (LIKE repwatch.snds_daily INCLUDING ALL)"
q "CREATE TABLE plain (ip inet, s text, e text, rcpt bigint, dat bigint,
	rcp bigint, filter text, rate text, ts text, te text, hits integer,
	helo text, sender text, comments text)"
rm -f "$work"/*.best
for _ in $(seq "$rounds"); do
	empty
	run repwatch "${load[@]}"
	run repwatch-merge "${load[@]}"
	run copy-shaped psql -qX -d "$db" -c "\\copy shaped FROM '$work/shaped-report.copy'"
	run copy-sorted psql -qX -d "$db" -c "\\copy sorted FROM '$work/shaped-sorted.copy'"
	run copy-csv psql -qX -d "$db" -c "\\copy plain FROM '$csv' WITH (FORMAT csv)"
done
[ "$(q "SELECT count(*) FROM repwatch.snds_daily")" = "$rows" ] ||
	{ echo "snds_bench: row count mismatch after the merge" >&2; exit 1; }

for name in repwatch repwatch-merge copy-shaped copy-sorted copy-csv; do
	read -r secs rss <"$work/$name.best"
	awk -v n="$name" -v s="$secs" -v r="$rows" -v m="$rss" 'BEGIN {
		printf "%-14s %8.2f s %12.0f rows/s %8d KB peak RSS\n", n, s, r / s, m }'
done
ours=$(cut -d' ' -f1 "$work/repwatch.best")
for base in copy-shaped copy-sorted copy-csv; do
	awk -v b="$base" -v t="$(cut -d' ' -f1 "$work/$base.best")" -v o="$ours" \
		'BEGIN { printf "repwatch rate / %-11s rate: %4.0f%%\n", b, 100 * t / o }'
done

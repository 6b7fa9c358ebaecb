#!/bin/bash
# arf_bench - complaint parsing and loading throughput (not a test).
#
#   tests/bench/arf_bench.sh [COUNT]     default 20000 messages
#
# Generates a Maildir of realistic reports (all formats, tests/bench/
# arf_gen.py), then prints: parse-only messages/s ("repwatch arf parse",
# one core), the same corpus parsed by Python's standard email package in
# the same invocation, Maildir -> PostgreSQL messages/s ("repwatch arf
# ingest", COPY batches) and the peak RSS of each. Needs PG* pointing at a
# server where it may create a database (scripts/test.sh's, or any).
# Targets (issue 4): parse >= 15,000/s, end to end >= 10,000/s, peak RSS
# under 100 MB for 1,000,000 messages.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
bin=${REPWATCH_BIN:-$src/build/repwatch}
count=${1:-20000}
work=$(mktemp -d /tmp/arf-bench.XXXXXX)
db=arf_bench_$$
cleanup() { dropdb --if-exists "$db" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

echo "generating $count messages..."
python3 "$src/tests/bench/arf_gen.py" "$work/md" "$count"
du -sh "$work/md" | sed 's/^/maildir size: /'
# warm the page cache so both parsers read from memory (find, not a glob:
# past about 100,000 files a glob overflows the argument list)
find "$work/md/new" -type f -exec cat {} + >/dev/null

# wall-clock rate, and the rate per CPU second of the measured process
# (meaningful on a shared machine; excludes PostgreSQL's own CPU)
measure() { # measure LABEL COMMAND...
	local label=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null
	read -r secs user sys kb <"$work/time"
	python3 -c "import sys; n=$count; s=max($secs, 0.001); c=max($user+$sys, 0.001); print(f'{sys.argv[1]:<34} {s:7.2f} s {n/s:8.0f} msg/s wall  {n/c:8.0f} msg/s per CPU s  peak RSS {$kb/1024:6.1f} MB')" "$label"
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

measure "repwatch arf parse (1 thread)" "$bin" arf parse "$work/md"
measure "python3 email (BytesParser)" python3 - "$work/md" <<'PY'
import email, email.policy, os, sys
root = sys.argv[1]
found = 0
for sub in ("new", "cur"):
    d = os.path.join(root, sub)
    for name in os.listdir(d):
        with open(os.path.join(d, name), "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.compat32)
        for part in msg.walk():
            if part.get_content_type() == "message/feedback-report":
                found += 1
                break
print(found)
PY
createdb "$db"
measure "repwatch arf ingest -> PostgreSQL" "$bin" -q --db "dbname=$db" arf ingest "$work/md"
psql -X -At -d "$db" -c "SELECT 'stored reports: ' || count(*) FROM repwatch.arf_report"

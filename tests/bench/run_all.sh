#!/bin/bash
# run_all.sh - every benchmark in one invocation, and one table:
# figure, value, target, whether it is met, and the comparison measured in
# the same run (plain psql \copy for SNDS, Python's email package for ARF,
# grep -c for MTA logs).
#
#   tests/bench/run_all.sh [--scale small|full] [--only NAME[,NAME]]
#
#   small (default, ~5 min): SNDS 100,000 rows; ARF 20,000 messages;
#         analysis 10,000 IPs x 30 days; MTA log 1,000,000 lines
#   full  (the issues' figures): SNDS 1,000,000 rows; ARF 1,000,000
#         messages; analysis 100,000 IPs x 90 days; MTA log 5,000,000 lines
#   --only  run only these of snds, arf, analyze, mta (the table has only
#         their rows)
#
# Builds a Release binary in build-rel/ (REPWATCH_BIN to use another).
# Uses the PostgreSQL of the PG* environment when PGHOST is set, else starts
# a private one (as the repwatch user when root) in a temporary directory,
# configured like scripts/test.sh's. Each benchmark's own output is kept in
# build-rel/bench/*.log; the table goes to standard output and to
# build-rel/bench/table.md. Exits 1 if a benchmark failed to run (a target
# missed is reported in the table, not in the exit status).
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$(pwd)
scale=small
only=snds,arf,analyze,mta
usage="usage: tests/bench/run_all.sh [--scale small|full] [--only NAME[,NAME]]"
while [ $# -gt 0 ]; do
	case $1 in
	--scale) scale=${2:-}; shift 2 ;;
	--scale=*) scale=${1#--scale=}; shift ;;
	--only) only=${2:-}; shift 2 ;;
	--only=*) only=${1#--only=}; shift ;;
	*) echo "$usage" >&2; exit 64 ;;
	esac
done
for b in ${only//,/ }; do
	case $b in snds|arf|analyze|mta) ;; *) echo "$usage" >&2; exit 64 ;; esac
done
wanted() { [[ ",$only," == *",$1,"* ]]; }
case $scale in
small) snds_rows=100000 arf_msgs=20000 an_ips=10000 an_days=30 mta_lines=1000000 ;;
full) snds_rows=1000000 arf_msgs=1000000 an_ips=100000 an_days=90 mta_lines=5000000 ;;
*) echo "run_all.sh: --scale small or full" >&2; exit 64 ;;
esac

out=build-rel/bench
if [ -z "${REPWATCH_BIN:-}" ]; then
	cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DREPWATCH_TESTS=ON \
		-DREPWATCH_SANITIZE=OFF >/dev/null
	cmake --build build-rel -j2 --target repwatch an_scenario mta_bench \
		>/dev/null
	REPWATCH_BIN=$src/build-rel/repwatch
fi
export REPWATCH_BIN
mkdir -p "$out"

work=$(mktemp -d /tmp/repwatch-bench.XXXXXX)
chmod 755 "$work"
pgdata=$work/pg
. "$src/scripts/pg_private.sh"
cleanup() {
	pg_private_stop "$pgdata"
	rm -rf "$work"
}
trap cleanup EXIT
if [ -z "${PGHOST:-}" ]; then
	pg_private_start "$pgdata" "shared_buffers = 1GB" "max_wal_size = 4GB" ||
		exit 1
fi

load0=$(cut -d' ' -f1-3 /proc/loadavg)
failed=()
run() { # run NAME CMD... : output in $out/NAME.log
	local name=$1
	shift
	echo "== $name: $*" >&2
	if ! REPWATCH_BENCH_DIR=$work/$name "$@" >"$out/$name.log" 2>&1; then
		failed+=("$name")
		echo "   failed; see $out/$name.log" >&2
	fi
}
rm -f "$out"/{snds,arf,analyze,mta}.log
if wanted snds; then run snds bash tests/bench/snds_bench.sh "$snds_rows"; fi
if wanted arf; then run arf bash tests/bench/arf_bench.sh "$arf_msgs"; fi
if ! wanted analyze; then
	:
elif [ -x "$(dirname "$REPWATCH_BIN")/tests/analyze/an_scenario" ] ||
	[ -n "${AN_SCENARIO:-}" ]; then
	run analyze bash tests/bench/analyze_bench.sh "$an_ips" "$an_days"
else
	echo "analyze: no an_scenario generator next to $REPWATCH_BIN" >"$out/analyze.log"
	failed+=(analyze)
fi
if wanted mta; then run mta bash tests/bench/mta_bench.sh "$mta_lines"; fi

machine="$(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), PostgreSQL $("$PG_PRIVATE_BIN/postgres" -V | awk '{print $3}'), load average $load0 at start, $(cut -d' ' -f1-3 /proc/loadavg) at end"
python3 - "$out" "$scale" "$machine" "$snds_rows" "$arf_msgs" "$an_ips" "$an_days" "$mta_lines" "$only" <<'PY' | tee "$out/table.md"
import os, re, sys
out, scale, machine, snds_rows, arf_msgs, ips, days, mta_lines, only = sys.argv[1:]
only = only.split(",")
def log(name):
    p = os.path.join(out, name + ".log")
    return open(p, errors="replace").read() if os.path.exists(p) else ""
def num(s):
    return float(s.replace(",", ""))
rows = []   # figure, value, target, met, comparison
def add(fig, val, target, met, comp):
    rows.append((fig, val, target, {True: "yes", False: "**no**", None: "-"}[met], comp))

s = log("snds") if "snds" in only else None
m = {} if s is None else {k: re.search(r"^%s\s+([\d.]+) s\s+([\d.]+) rows/s\s+(\d+) KB" % k, s, re.M)
     for k in ("repwatch", "repwatch-merge", "copy-shaped", "copy-sorted", "copy-csv")}
if s is None:
    pass
elif m["repwatch"]:
    r = num(m["repwatch"].group(2))
    comp, met = [], None
    for k in ("copy-shaped", "copy-sorted", "copy-csv"):
        if m[k]:
            c = num(m[k].group(2))
            comp.append("psql \\copy %s: %.0f rows/s (repwatch at %.0f%%)" % (k, c, 100 * r / c))
    if m["copy-shaped"]:
        met = r >= 0.75 * num(m["copy-shaped"].group(2))
    add("SNDS load, %s rows, new day (snds load)" % f"{int(snds_rows):,}", "%.0f rows/s" % r,
        ">= 75% of psql \\copy", met, "; ".join(comp))
    if m["repwatch-merge"]:
        add("SNDS load, the same day again (staged merge)",
            "%.0f rows/s" % num(m["repwatch-merge"].group(2)), "-", None, "")
    add("SNDS load peak RSS", "%.0f MB" % (num(m["repwatch"].group(3)) / 1024), "-", None, "")
else:
    add("SNDS load", "not measured", ">= 75% of psql \\copy", False, "see snds.log")

a = log("arf") if "arf" in only else ""
def arfline(label):
    return re.search(r"^%s.*?([\d.]+) s\s+([\d.]+) msg/s(?: wall)?(?:\s+([\d.]+) msg/s per CPU s)?.*?peak RSS\s+([\d.]+) MB" % re.escape(label), a, re.M)
p, py, ing = arfline("repwatch arf parse"), arfline("python3 email"), arfline("repwatch arf ingest")
n = f"{int(arf_msgs):,}"
if "arf" not in only:
    pass
elif p:
    comp = ("Python email (BytesParser): %.0f msg/s (repwatch x%.1f)" %
            (num(py.group(2)), num(p.group(2)) / num(py.group(2)))) if py else ""
    cpu = " (%.0f per CPU s)" % num(p.group(3)) if p.group(3) else ""
    add("ARF parse, %s messages, 1 thread" % n, "%.0f msg/s%s" % (num(p.group(2)), cpu),
        ">= 15,000 msg/s", num(p.group(2)) >= 15000, comp)
else:
    add("ARF parse", "not measured", ">= 15,000 msg/s", False, "see arf.log")
if "arf" not in only:
    pass
elif ing:
    add("ARF ingest Maildir -> PostgreSQL, %s" % n, "%.0f msg/s" % num(ing.group(2)),
        ">= 10,000 msg/s", num(ing.group(2)) >= 10000, "")
    rss = num(ing.group(4))
    add("ARF ingest peak RSS, %s messages" % n, "%.1f MB" % rss,
        "< 100 MB for 1,000,000", rss < 100 if int(arf_msgs) >= 1000000 else None,
        "" if int(arf_msgs) >= 1000000 else "target is for 1,000,000 (--scale full)")
else:
    add("ARF ingest", "not measured", ">= 10,000 msg/s", False, "see arf.log")

z = log("analyze")
one = re.search(r"analyze one day .*?: ([\d.]+) s", z)
rep = re.search(r"replay (\d+) days: ([\d.]+) s", z)
full = int(ips) >= 100000 and int(days) >= 90
note = "" if full else "targets are for 100,000 IPs x 90 days (--scale full)"
if "analyze" not in only:
    pass
elif one:
    add("analyze one day, %s IPs" % f"{int(ips):,}", "%s s" % one.group(1), "<= 10 s",
        num(one.group(1)) <= 10 if full else None, note)
else:
    add("analyze one day", "not measured", "<= 10 s", False, "see analyze.log")
if "analyze" not in only:
    pass
elif rep:
    add("analyze replay, %s days" % rep.group(1), "%s s" % rep.group(2), "<= 300 s",
        num(rep.group(2)) <= 300 if full else None, note)
else:
    add("analyze replay", "not measured", "<= 300 s", False, "see analyze.log")

t = log("mta")
def mtaline(name):
    return re.search(r"^mta %s\s+(\d+) lines\s+([\d.]+) s\s+(\d+) lines/s\s+cpu\s+([\d.]+) s\s+(\d+) lines/cpu-s\s+peak RSS\s+([\d.]+) MB" % re.escape(name), t, re.M)
mp, mg, md, mgd, mj, ml = (mtaline(k) for k in ("parse", "grep-c", "parse-deliv", "grep-c-deliv", "cli-json", "load"))
n = f"{int(mta_lines):,}"
def vs(a, b):
    return "%.0f lines/s (repwatch at %.0f%% wall, %.0f%% CPU)" % (
        num(b.group(3)), 100 * num(a.group(3)) / num(b.group(3)),
        100 * num(a.group(5)) / num(b.group(5)))
if "mta" not in only:
    pass
elif mp:
    add("MTA log parse + classify, %s Postfix lines, 1 core" % n,
        "%.0f lines/s (%.0f per CPU s)" % (num(mp.group(3)), num(mp.group(5))),
        ">= 200,000 lines/s", num(mp.group(3)) >= 200000,
        "grep -c 'status=' same file: " + vs(mp, mg) if mg else "")
    mr, mgr = mtaline("parse-rfc3339"), mtaline("grep-c-rfc3339")
    if mr and mgr:
        add("MTA parse + classify, the same log with RFC 3339 stamps",
            "%.0f lines/s (%.0f per CPU s)" % (num(mr.group(3)), num(mr.group(5))),
            ">= 200,000 lines/s", num(mr.group(3)) >= 200000, "grep -c: " + vs(mr, mgr))
    if md and mgd:
        add("MTA parse + classify, the %s delivery lines only" % f"{int(md.group(1)):,}",
            "%.0f lines/s" % num(md.group(3)), "-", None, "grep -c: " + vs(md, mgd))
    if mj:
        add("MTA `mta parse --format json` (the command, output to a file)",
            "%.0f lines/s" % num(mj.group(3)), "-", None, "grep -c: " + vs(mj, mg) if mg else "")
    if ml:
        add("MTA `mta load` -> PostgreSQL (client on 1 core)",
            "%.0f lines/s" % num(ml.group(3)), "-", None, "grep -c: " + vs(ml, mg) if mg else "")
    add("MTA parse peak RSS", "%.1f MB" % num(mp.group(6)), "-", None,
        "grep -c: %.1f MB" % num(mg.group(6)) if mg else "")
else:
    add("MTA log parse", "not measured", ">= 200,000 lines/s", False, "see mta.log")

print("Benchmarks, scale %s, on %s" % (scale, machine))
print()
print("| figure | value | target | met | comparison (same run) |")
print("|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
PY
if [ ${#failed[@]} -gt 0 ]; then
	echo "failed to run: ${failed[*]} (logs in $out/)" >&2
	exit 1
fi

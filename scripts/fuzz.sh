#!/bin/bash
# fuzz.sh - build every libFuzzer target with clang, ASan and UBSan, and run
# each for a given time on its seed corpus (tests/fuzz/CMakeLists.txt).
#
#   scripts/fuzz.sh [SECONDS]        default 60 s per target; the issue's
#                                    "done" is 600 s per target
#   FUZZ_JOBS=2                      targets run at the same time (default 2)
#   FUZZ_TARGETS="fuzz_arf fuzz_imap"  only these
#
# Build directory build-fuzz/ (REPWATCH_FUZZ_BUILD_DIR). Inputs found are
# kept in build-fuzz/corpus/<target>/ (the next run starts from them),
# crashes, leaks and time-outs in build-fuzz/crashes/<target>/, each run's
# log in build-fuzz/logs/<target>.log. Prints one line per target
# (seconds, executions, exec/s, coverage, crashes) and exits 1 if any
# target crashed. Replay a crash: build-fuzz/tests/fuzz/<target> FILE, or
# the gcc-built <target>_replay FILE of any build.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
jobs=${FUZZ_JOBS:-2}
build=${REPWATCH_FUZZ_BUILD_DIR:-build-fuzz}
case $secs in ''|*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 64 ;; esac
command -v clang >/dev/null || { echo "fuzz.sh: clang is needed" >&2; exit 69; }

# clang's warnings differ from gcc's; the gcc build is the -Werror gate
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DREPWATCH_FUZZ=ON -DREPWATCH_SANITIZE=ON -DREPWATCH_WERROR=OFF \
	-DREPWATCH_BENCH=OFF >/dev/null
mapfile -t lines < <(grep -v '^$' "$build/fuzzers.txt")
targets=()
for l in "${lines[@]}"; do
	t=${l%%=*}
	if [ -n "${FUZZ_TARGETS:-}" ] && [[ " $FUZZ_TARGETS " != *" $t "* ]]; then
		continue
	fi
	targets+=("$t")
done
[ ${#targets[@]} -gt 0 ] || { echo "fuzz.sh: no target selected" >&2; exit 64; }
if ! cmake --build "$build" -j2 --target "${targets[@]}" >"$build/build.log" 2>&1; then
	tail -30 "$build/build.log" >&2
	echo "fuzz.sh: build failed (log: $build/build.log)" >&2
	exit 1
fi

# largest input tried: a complaint message with headers and a body part,
# a CSV of some hundred rows; small enough to keep exec/s high
max_len() {
	case $1 in
	fuzz_arf) echo 32768 ;;
	fuzz_snds_csv) echo 16384 ;;
	fuzz_snds_classify) echo 8192 ;;
	*) echo 4096 ;;
	esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export G_SLICE=always-malloc

run_one() {
	local t=$1 seeds dir=$build/corpus/$1 crash=$build/crashes/$1
	seeds=$(grep "^$t=" "$build/fuzzers.txt" | cut -d= -f2 | tr , ' ')
	mkdir -p "$dir" "$crash" "$build/logs"
	# shellcheck disable=SC2086 # seed directories are space-separated
	"$build/tests/fuzz/$t" "$dir" $seeds -max_total_time="$secs" \
		-max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$crash/" -print_final_stats=1 \
		>"$build/logs/$t.log" 2>&1 || true
}

echo "fuzzing ${#targets[@]} target(s) for $secs s each, $jobs at a time"
running=0
for t in "${targets[@]}"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	run_one "$t" &
	running=$((running + 1))
done
wait

bad=0
printf '%-20s %7s %12s %9s %7s %7s %s\n' target seconds executions exec/s cov corpus crashes
for t in "${targets[@]}"; do
	log=$build/logs/$t.log
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
	corp=$(find "$build/corpus/$t" -type f | wc -l)
	crashes=$(find "$build/crashes/$t" -type f | wc -l)
	if grep -qE '^==[0-9]+==ERROR|^SUMMARY: |deadly signal' "$log" || [ "$crashes" -gt 0 ]; then
		bad=1
		what=$(find "$build/crashes/$t" -type f | head -3 | tr '\n' ' ')
		[ -n "$what" ] || what="see $log"
	else
		what=none
	fi
	printf '%-20s %7s %12s %9s %7s %7s %s\n' "$t" "$secs" "${n:-?}" \
		"${rate:-?}" "${cov:-?}" "$corp" "$what"
done
exit $bad

#!/bin/bash
# test.sh - install what is needed, build with warnings as errors and
# ASan+UBSan, start a private PostgreSQL (as an unprivileged user), run the
# whole suite with ctest, stop what was started (also on failure).
#
#   scripts/test.sh                 everything
#   scripts/test.sh -L unit         ctest arguments pass through
#   REPWATCH_VALGRIND=1 scripts/test.sh -L unit   unit tests under memcheck
#
# Before the tests it also builds the whole tree (tests included) at -O2
# with warnings as errors, in BUILD-o2: the optimizer finds warnings the
# -O0 sanitizer build does not (-Wnull-dereference, -Wmaybe-uninitialized),
# and a newcomer's optimized build must be as quiet. About 25 s from
# scratch on two cores, seconds when up to date; REPWATCH_O2_CHECK=0 skips.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

if [ "$(id -u)" = 0 ]; then
	scripts/setup.sh
fi

build=${REPWATCH_BUILD_DIR:-build-test}
sanitize=ON
[ "${REPWATCH_VALGRIND:-0}" = 1 ] && sanitize=OFF && build=${build}-valgrind
# two runs sharing a build directory take turns
mkdir -p "$build"
exec 9>"$build/.test.lock"
flock 9
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DREPWATCH_WERROR=ON \
	-DREPWATCH_SANITIZE=$sanitize >/dev/null
cmake --build "$build" -j"$(nproc)"
if [ "${REPWATCH_O2_CHECK:-1}" != 0 ]; then
	cmake -S . -B "$build-o2" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DREPWATCH_WERROR=ON -DREPWATCH_SANITIZE=OFF >/dev/null
	cmake --build "$build-o2" -j"$(nproc)" >/dev/null ||
		{ echo "test.sh: the -O2 build has warnings or errors" >&2; exit 1; }
fi

work=$(mktemp -d /tmp/repwatch-test.XXXXXX)
chmod 755 "$work"
pgdata=$work/pg
. scripts/pg_private.sh

cleanup() {
	pg_private_stop "$pgdata"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pg_private_start "$pgdata" "max_connections = 100" || exit 1
export REPWATCH_TEST_REQUIRE_DB=1
export REPWATCH_TEST_TMP=$work
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export G_SLICE=always-malloc G_DEBUG=gc-friendly

args=(--test-dir "$build" --output-on-failure -j2 --timeout 600)
if [ "${REPWATCH_VALGRIND:-0}" = 1 ]; then
	args+=(-T memcheck --overwrite "MemoryCheckCommand=$(command -v valgrind)"
		--overwrite "MemoryCheckCommandOptions=--leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1 --suppressions=$src/tests/valgrind.supp --suppressions=/usr/share/glib-2.0/valgrind/glib.supp")
fi
ctest "${args[@]}" "$@"

# lib.sh - helpers for shell tests: sourced, never run.
# Each check prints "ok" or "FAIL" lines; finish prints the count line
# "N passed, N failed" and exits non-zero on any failure.
set -u
: "${REPWATCH_BIN:?REPWATCH_BIN must name the repwatch binary}"
RW=$REPWATCH_BIN
T_PASS=0
T_FAIL=0
T_TMP=$(mktemp -d "${REPWATCH_TEST_TMP:-/tmp}/shtest.XXXXXX")
chmod 755 "$T_TMP"
trap 'rm -rf "$T_TMP"' EXIT

ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
nok() { T_FAIL=$((T_FAIL + 1)); echo "FAIL - $*"; }

# expect_status WANT DESC cmd... : run cmd, compare exit status
expect_status() {
	local want=$1 desc=$2 got
	shift 2
	"$@" >"$T_TMP/out" 2>"$T_TMP/err" && got=0 || got=$?
	if [ "$got" = "$want" ]; then ok "$desc"; else
		nok "$desc: got exit $got, want $want"
		sed 's/^/  stdout: /' "$T_TMP/out" | head -20
		sed 's/^/  stderr: /' "$T_TMP/err" | head -20
	fi
}

# expect_grep FILE PATTERN DESC : FILE must contain PATTERN (grep -E)
expect_grep() {
	if grep -qE -- "$2" "$1"; then ok "$3"; else
		nok "$3: no /$2/ in $(basename "$1")"; sed 's/^/  | /' "$1" | head -20
	fi
}

# expect_no_grep FILE PATTERN DESC : FILE must not contain PATTERN
expect_no_grep() {
	if grep -qE -- "$2" "$1"; then
		nok "$3: found /$2/"; grep -nE -- "$2" "$1" | head -5 | sed 's/^/  | /'
	else ok "$3"; fi
}

finish() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" = 0 ]
}

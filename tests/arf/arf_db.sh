# arf_db.sh - sourced by the ARF shell tests that need a database: a
# private database in the PostgreSQL of scripts/test.sh (skips with 77
# when there is none), a work directory, and want/fail helpers.
set -euo pipefail
src=${REPWATCH_SRC:-$(pwd)}
bin=${REPWATCH_BIN:?REPWATCH_BIN not set}
fix=$src/tests/fixtures/arf

if [ -z "${PGHOST:-}" ]; then
	[ "${REPWATCH_TEST_REQUIRE_DB:-0}" = 1 ] && { echo "no PostgreSQL" >&2; exit 1; }
	echo "PGHOST unset; skipping"
	exit 77
fi
work=$(mktemp -d "${REPWATCH_TEST_TMP:-/tmp}/arf-test.XXXXXX")
db=arf_t_$$_$RANDOM
createdb "$db"
cleanup() { dropdb --if-exists "$db" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
unset REPWATCH_CONFIG
rw() { "$bin" -q --db "dbname=$db" "$@"; }
q() { psql -X -At -d "$db" -c "$1"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
want() { # want WHAT GOT EXPECTED
	[ "$2" = "$3" ] || fail "$1: got $2, want $3"
	echo "ok - $1"
}

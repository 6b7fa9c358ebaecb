# lib_outputs.sh - helpers of the outputs tests (sourced after tests/lib.sh):
# a private database on the server scripts/test.sh started (PG*), loaded
# with the bundled sample data and analyzed.

# need_db - skip (77) without a server, unless scripts/test.sh requires one
need_db() {
	if [ -z "${PGHOST:-}" ]; then
		if [ "${REPWATCH_TEST_REQUIRE_DB:-0}" = 1 ]; then
			echo "FAIL - no PostgreSQL (PGHOST unset)"; exit 1
		fi
		echo "skip - no PostgreSQL"; exit 77
	fi
}

# new_db NAME - create a fresh database, set DB (conninfo) and OUT_DB (name),
# drop it on exit; the state dir is private to the test
new_db() {
	OUT_DB="rw_$1_$$_$RANDOM"
	createdb "$OUT_DB" || { echo "FAIL - createdb $OUT_DB"; exit 1; }
	DB="dbname=$OUT_DB"
	export REPWATCH_PATHS_STATE_DIR="$T_TMP/state"
	mkdir -p "$REPWATCH_PATHS_STATE_DIR"
	trap 'dropdb --if-exists "$OUT_DB" >/dev/null 2>&1; rm -rf "$T_TMP"' EXIT
}

# load_sample - SNDS sample, a copy of the sample Maildir, every day analyzed
load_sample() {
	local src=${REPWATCH_SRC:-.}
	"$RW" -q --db "$DB" snds load --source demo "$src/data/sample/snds" \
		>"$T_TMP/load.out" 2>&1 || { cat "$T_TMP/load.out"; return 1; }
	cp -r "$src/data/sample/maildir" "$T_TMP/maildir"
	"$RW" -q --db "$DB" arf ingest "$T_TMP/maildir" >>"$T_TMP/load.out" 2>&1 ||
		{ cat "$T_TMP/load.out"; return 1; }
	"$RW" -q --db "$DB" analyze --from 2026-07-01 --to 2026-08-14 \
		>>"$T_TMP/load.out" 2>&1 || { cat "$T_TMP/load.out"; return 1; }
}

# nightly_conf LINE... - write $T_TMP/rw.conf (mode 0600) for a nightly
# run: the private state dir, a copy of the sample Maildir as mailbox
# "good", then "[nightly]" and the LINEs ("key = value", more sections)
nightly_conf() {
	cp -r "${REPWATCH_SRC:-.}/data/sample/maildir" "$T_TMP/md2"
	{
		printf '[paths]\nstate_dir = %s\n' "$REPWATCH_PATHS_STATE_DIR"
		printf '[mailbox.good]\nurl = %s\n[nightly]\n' "$T_TMP/md2"
		printf '%s\n' "$@"
	} >"$T_TMP/rw.conf"
	chmod 600 "$T_TMP/rw.conf"
}

# q SQL - one value, unaligned
q() { psql -X -q -At -d "$OUT_DB" -v ON_ERROR_STOP=1 -c "$1"; }

# snds_lib.sh - shared set-up of the shell SNDS tests, sourced after
# tests/lib.sh with SNDS_DB_PREFIX set: skip without PostgreSQL, a scratch
# database, the fake SNDS on 127.0.0.1 (tests/ingest/fake_snds.py) and the
# helpers every test uses. snds_cleanup is installed as the EXIT trap; a
# test with more to stop sets SNDS_CLEANUP_EXTRA to a command run first.
unset REPWATCH_CONFIG

if [ -z "${PGHOST:-}" ]; then
	if [ "${REPWATCH_TEST_REQUIRE_DB:-0}" = 1 ]; then
		echo "FAIL - no PostgreSQL (PGHOST unset)"; exit 1
	fi
	echo "skip: no PostgreSQL"; exit 0
fi

KEY=SECRETKEY-0123456789abcdef
DB=${SNDS_DB_PREFIX}_$$_$RANDOM
SERVER_PID=
SNDS_CLEANUP_EXTRA=
snds_cleanup() {
	[ -n "$SNDS_CLEANUP_EXTRA" ] && $SNDS_CLEANUP_EXTRA
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
	wait 2>/dev/null
	psql -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
	rm -rf "$T_TMP"
}
trap snds_cleanup EXIT

psql -q -d postgres -c "CREATE DATABASE $DB" >/dev/null
python3 "$REPWATCH_SRC/tests/ingest/fake_snds.py" --port-file "$T_TMP/port" &
SERVER_PID=$!
for _ in $(seq 50); do [ -s "$T_TMP/port" ] && break; sleep 0.1; done
PORT=$(cat "$T_TMP/port")
BASE=http://127.0.0.1:$PORT
today=$(TZ=America/Los_Angeles date +%F)
ago() { TZ=America/Los_Angeles date -d "$today - $1 days" +%F; }

# link_source NAME PATH TIMEOUT : a [snds.NAME] report-link section for the
# fake server's /PATH/ endpoints, issued 3 days ago, one quick retry
link_source() {
	cat <<CONF
[snds.$1]
type = link
data_url = $BASE/$2/data?key=$KEY
status_url = $BASE/$2/status?key=$KEY
issued = $(ago 3)
timeout = $3
retries = 1
retry_delay_ms = 50
CONF
}

sql() { psql -X -qAt -d "$DB" -c "$1"; }
expect_sql() {
	local got
	got=$(sql "$1")
	if [ "$got" = "$2" ]; then ok "$3"; else nok "$3: got '$got', want '$2'"; fi
}
hits() { curl -s "$BASE/admin/hits?path=$1"; }

#!/bin/bash
# test_rel_statedir - a full (64 KiB tmpfs) and then a read-only state
# directory under "snds fetch": raw report copies and rotated OAuth tokens
# cannot be written. Each time: a clear message naming the file, the data
# itself still loaded or nothing at all, and no corrupted token, no partial
# raw file, no stray temporary file (writes are temp-file-and-rename).
# Needs root for the tmpfs mount; skipped (77) elsewhere.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rel_lib.sh"
unset REPWATCH_CONFIG PGHOST PGDATABASE PGUSER
need_pg
state=$T_TMP/state
mkdir -p "$state"
if ! mount -t tmpfs -o size=64k,mode=700 tmpfs "$state" 2>/dev/null; then
	echo "skip: cannot mount a tmpfs (needs root)"
	exit 77
fi
trap 'umount "$state" 2>/dev/null; rel_cleanup' EXIT
pg_init
pq "CREATE DATABASE rel" >/dev/null
DB="host=$REL_PG user=postgres dbname=rel connect_timeout=3"
http_start
cfg=$T_TMP/repwatch.conf
cat >"$cfg" <<CONF
[paths]
state_dir = $state
[snds.main]
type = link
data_url = $BASE/ok/data?key=LINKKEY
status_url = $BASE/ok/status?key=LINKKEY
issued = $(date +%F)
timeout = 3
retries = 0
[snds.api]
type = api
api_base = $BASE
authorize_url = $BASE/oauth/authorize
token_url = $BASE/oauth/token
timeout = 3
retries = 0
CONF
chmod 600 "$cfg"
rw() { expect_status "$1" "$2" "$RW" --config "$cfg" --db "$DB" "${@:3}"; }
rows() { q "SELECT count(*) FROM repwatch.snds_daily WHERE source = '$1' AND day = '$2'"; }
tok=$state/tokens/api.json
mkdir -p "$state/tokens" "$state/raw/main"
chmod 700 "$state/tokens" "$state/raw" "$state/raw/main"
printf '{"refresh_token":"RT-SECRET-0-initial","saved_at":1700000000}' >"$tok"
chmod 600 "$tok"
stray() { find "$state" -name '*.tmp*' | wc -l; }
token_ok() { # the token file parses and holds a refresh token
	python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["refresh_token"]; sys.exit(not t.startswith("RT-"))' "$tok"
}

# sanity: with room, the raw copy and the rotated token are written
rw 0 "fetch with room" snds fetch --source api --date 2026-03-01
token_ok && ok "token rotated and readable" || nok "token rotated and readable"
expect_no_grep "$tok" "RT-SECRET-0-initial" "token rotated"

# --- full -------------------------------------------------------------------
if dd if=/dev/zero of="$state/fill" bs=1k count=128 2>/dev/null; then
	nok "state directory full: 128 KiB fit in a 64 KiB tmpfs"
else
	ok "state directory full"
fi
rw 0 "full: link fetch still loads the day" snds fetch --source main --date 2026-03-02
expect_grep "$T_TMP/err" "cannot keep the raw report" "full: says the raw copy was not kept"
expect_grep "$T_TMP/err" "No space left on device" "full: says why"
expect_eq "$(rows main 2026-03-02)" 5 "full: rows loaded"
expect_eq "$(find "$state/raw" -name 'data-2026-03-02*' | wc -l)" 0 "full: no partial raw file"
expect_eq "$(stray)" 0 "full: no temporary file left"
before=$(sha256sum <"$tok")
"$RW" --config "$cfg" --db "$DB" snds fetch --source api --date 2026-03-03 >"$T_TMP/out" 2>"$T_TMP/err"
rc=$?
[ "$rc" != 0 ] && ok "full: token cannot be saved: exit $rc" || nok "full: token cannot be saved: exit 0"
expect_grep "$T_TMP/err" "token|tokens/api.json" "full: names the token file"
expect_grep "$T_TMP/err" "No space left on device" "full: says why (token)"
expect_eq "$(sha256sum <"$tok")" "$before" "full: token file unchanged"
token_ok && ok "full: token file still readable" || nok "full: token file corrupted"
expect_eq "$(stray)" 0 "full: no temporary token file left"
sed 's/^/# /' "$T_TMP/err"
expect_no_grep "$T_TMP/err" "RT-SECRET|AT-SECRET" "full: no token in the message"

# --- read-only ------------------------------------------------------------------
rm -f "$state/fill"
mount -o remount,ro "$state"
rw 0 "read-only: link fetch still loads the day" snds fetch --source main --date 2026-03-04
expect_grep "$T_TMP/err" "cannot keep the raw report" "read-only: says the raw copy was not kept"
expect_grep "$T_TMP/err" "Read-only file system" "read-only: says why"
expect_eq "$(rows main 2026-03-04)" 5 "read-only: rows loaded"
before=$(sha256sum <"$tok")
"$RW" --config "$cfg" --db "$DB" snds fetch --source api --date 2026-03-05 >"$T_TMP/out" 2>"$T_TMP/err"
rc=$?
[ "$rc" != 0 ] && ok "read-only: token cannot be saved: exit $rc" || nok "read-only: token cannot be saved: exit 0"
expect_grep "$T_TMP/err" "Read-only file system" "read-only: says why (token)"
expect_eq "$(sha256sum <"$tok")" "$before" "read-only: token file unchanged"
mount -o remount,rw "$state"
expect_eq "$(stray)" 0 "read-only: no temporary file left"
finish

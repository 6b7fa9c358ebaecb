#!/bin/bash
# test_rel_diskfull - issue 17 item 13: a full disk under the database is a
# temporary failure (exit 75, which an MTA defers), never exit 1 (which it
# bounces, losing the complaint). Two cases, each on a small tmpfs mounted
# here (needs root and mount; skipped with a message otherwise):
#   - the tables of an external database in a tablespace whose disk is full:
#     "arf ingest -" from an MTA pipe (SQLSTATE 53100);
#   - the embedded cluster's state directory on a disk too small for initdb.
# Before the fix the first exited 1, the second 69.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rel_lib.sh"
unset REPWATCH_CONFIG PGHOST PGDATABASE PGUSER
need_pg
if [ "$(id -u)" != 0 ]; then
	echo "skip: mounting a small tmpfs needs root"; exit 77
fi
MNTS=()
umount_all() { local m; for m in "${MNTS[@]}"; do umount "$m" 2>/dev/null; done; }
trap 'umount_all; rel_cleanup' EXIT
small_fs() { # DIR SIZE : a tmpfs of SIZE at DIR
	mkdir -p "$1"
	if ! mount -t tmpfs -o "size=$2,mode=0755" tmpfs "$1" 2>"$T_TMP/mount.err"; then
		echo "skip: cannot mount a tmpfs ($(cat "$T_TMP/mount.err"))"; exit 77
	fi
	MNTS+=("$1")
}
fill() { dd if=/dev/zero of="$1/filler" bs=4k >/dev/null 2>&1 || true; }
eml=$REL_SRC/tests/fixtures/arf/arf-basic.eml

# --- a full tablespace under an external database --------------------------
pg_init
ts=$T_TMP/ts
small_fs "$ts" 4m
mkdir "$ts/pg" && chown repwatch: "$ts/pg"
pq "CREATE DATABASE rel" >/dev/null
DB="host=$REL_PG user=postgres dbname=rel connect_timeout=3"
expect_status 0 "migrate" "$RW" --db "$DB" -q db migrate
pq "CREATE TABLESPACE small LOCATION '$ts/pg'" >/dev/null
q "ALTER TABLE ALL IN TABLESPACE pg_default SET TABLESPACE small" >/dev/null
q "ALTER INDEX ALL IN TABLESPACE pg_default SET TABLESPACE small" >/dev/null
fill "$ts"
expect_status 75 "arf ingest - on a full database disk exits 75" \
	"$RW" --db "$DB" arf ingest - <"$eml"
expect_grep "$T_TMP/err" "No space left|could not extend" "the message says the disk is full"
expect_status 75 "snds load (COPY) on a full database disk exits 75" \
	"$RW" --db "$DB" snds load --source s "$REL_SRC/data/sample/snds"
expect_grep "$T_TMP/err" "No space left|could not extend" "the load says the disk is full"
expect_status 75 "analyze on a full database disk exits 75" \
	"$RW" --db "$DB" analyze --date 2026-08-14
rm -f "$ts/filler"
expect_status 0 "the same message once there is space" \
	"$RW" --db "$DB" -q arf ingest - <"$eml"
expect_eq "$(q "SELECT count(*) FROM repwatch.arf_report")" 1 "stored once"
expect_eq "$(q "SELECT count(*) FROM repwatch.snds_daily")" 0 "nothing partial from the failed load"

# --- the embedded cluster cannot be created: initdb out of space ----------
st=$T_TMP/st
small_fs "$st" 1m
expect_status 75 "initdb failing for lack of space exits 75" \
	env REPWATCH_PATHS_STATE_DIR="$st" "$RW" arf ingest - <"$eml"
expect_grep "$T_TMP/err" "No space left" "the message says the disk is full"
finish

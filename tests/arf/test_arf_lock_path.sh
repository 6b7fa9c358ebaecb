#!/bin/bash
# test_arf_lock_path - issue 17 "also": the per-mailbox lock was keyed on
# the spelling of the path, so "md", "./md/" and the absolute path ran at
# the same time on one Maildir. The lock is now keyed on the canonical
# path: while one run reads the Maildir, the others exit 75.
. "${REPWATCH_SRC:-$(pwd)}/tests/arf/arf_db.sh"

cd "$work"
python3 "$src/tests/bench/arf_gen.py" md 5000 --seed 5 >/dev/null
export REPWATCH_ARF_BATCH_SIZE=20
rw arf ingest md >/dev/null 2>&1 &
first=$!
# wait until the first run is inside (its first batch moved)
for _ in $(seq 300); do
	[ -n "$(ls md/.Processed/cur 2>/dev/null | head -1)" ] && break
	sleep 0.05
done
for spelling in ./md/ "$work/md" "$work/./md//"; do
	kill -0 "$first" 2>/dev/null || fail "the first run ended before '$spelling' was tried"
	rc=0
	rw arf ingest "$spelling" >/dev/null 2>"$work/err" || rc=$?
	want "'$spelling' while 'md' is read: exit" "$rc" 75
	grep -q 'is being read by another ingest' "$work/err" || fail "message: $(cat "$work/err")"
done
wait "$first" || fail "first run: exit $?"

want "nothing left" "$(find md/new md/cur -type f | wc -l)" 0
echo "ok"

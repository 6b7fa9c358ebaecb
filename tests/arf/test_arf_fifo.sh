#!/bin/bash
# test_arf_fifo - issue 17 item 7 (ARF side) and the Maildir symlink
# item: a FIFO in a Maildir or a drop folder hung "arf ingest" forever
# (open() of a FIFO waits for a writer), and a symbolic link in a Maildir
# was skipped silently, run after run. Both are now skipped with a
# warning naming them, and the regular messages beside them are read.
. "${REPWATCH_SRC:-$(pwd)}/tests/arf/arf_db.sh"

md=$work/md
mkdir -p "$md"/{new,cur,tmp}
mkfifo "$md/new/x"
cp "$fix/arf-basic.eml" "$md/new/1.host"
ln -s "$fix/zoho.eml" "$md/cur/2.host:2,S"
rc=0
timeout 20 "$bin" --db "dbname=$db" arf ingest "$md" >"$work/out" 2>"$work/err" || rc=$?
want "maildir with a FIFO: exit" "$rc" 0
grep -q 'skipping ".*/new/x": a FIFO' "$work/err" || fail "no warning naming the FIFO: $(cat "$work/err")"
echo "ok - FIFO named in a warning"
grep -q 'skipping ".*/cur/2.host:2,S": a symbolic link' "$work/err" ||
	fail "no warning naming the symlink: $(cat "$work/err")"
echo "ok - symlink named in a warning"
want "regular message read" "$(q "SELECT count(*) FROM repwatch.arf_report")" 1
want "FIFO left in place" "$(test -p "$md/new/x" && echo yes)" yes
want "symlink left in place" "$(test -L "$md/cur/2.host:2,S" && echo yes)" yes

# a drop folder of .eml files
fold=$work/fold
mkdir "$fold"
mkfifo "$fold/pipe.eml"
cp "$fix/zoho.eml" "$fold/z.eml"
rc=0
timeout 20 "$bin" --db "dbname=$db" arf ingest "$fold" >"$work/out" 2>"$work/err" || rc=$?
want "drop folder with a FIFO: exit" "$rc" 0
grep -q 'skipping ".*/pipe.eml": a FIFO' "$work/err" || fail "no warning naming the FIFO: $(cat "$work/err")"
want "drop folder message read" "$(q "SELECT count(*) FROM repwatch.arf_report")" 2
echo "ok"

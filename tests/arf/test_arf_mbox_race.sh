#!/bin/bash
# test_arf_mbox_race - issue 17 item 2: an mbox appended to during ingest
# lost messages. race.mbox = message 1 plus the first 400 bytes of
# message 2; "arf ingest race.mbox; cat rest >> race.mbox; arf ingest
# race.mbox" stored the checkpoint after the half message, and the second
# run quarantined the tail of message 2 together with message 3: two
# complaints lost. Now the half message is left for the next run, a
# checkpoint inside a message makes the next run read from the start,
# and the mbox is locked (dotlock
# FILE.lock and fcntl) while it is read: a held lock means exit 75 after
# [arf] mbox_lock_timeout, a stale dotlock is removed.
. "${REPWATCH_SRC:-$(pwd)}/tests/arf/arf_db.sh"

from='From fbl@example.org Tue Mar  3 10:05:00 2026'
whole=$work/whole.mbox
for f in arf-basic.eml zoho.eml aol-scomp.eml; do
	printf '%s\n' "$from"
	cat "$fix/$f"
	printf '\n'
done >"$whole"
len1=$(($(stat -c %s "$fix/arf-basic.eml") + ${#from} + 2))
race=$work/race.mbox
head -c $((len1 + 400)) "$whole" >"$race"
tail -c +$((len1 + 401)) "$whole" >"$work/rest"

rw arf ingest "$race" >"$work/out1"
want "first run: one message" "$(grep -c ': 1 messages, 1 complaints' "$work/out1")" 1
want "checkpoint before the half message" "$(q "SELECT mbox_offset FROM repwatch.mailbox_progress")" "$len1"
cat "$work/rest" >>"$race"
rw arf ingest "$race" >"$work/out2"
want "second run: two messages" "$(grep -c ': 2 messages, 2 complaints' "$work/out2")" 1
want "nothing quarantined" "$(q "SELECT count(*) FROM repwatch.arf_quarantine")" 0
want "three reports" "$(q "SELECT count(*) FROM repwatch.arf_report")" 3
want "checkpoint at the end" "$(q "SELECT mbox_offset FROM repwatch.mailbox_progress")" "$(stat -c %s "$race")"

# a checkpoint inside a message, as the old version stored it after
# half a message (and quarantined that half): skipping to the next From_
# line lost the message's rest. The file is now read from the start again
# (a warning names the offset); content keys skip what was stored, and the
# cut message is stored whole.
old=$work/old.mbox
{ printf '%s\n' "$from"; cat "$fix/mailru.eml"; printf '\n'; } >"$work/oldA"
{ printf '%s\n' "$from"; cat "$fix/comcast-own.eml"; printf '\n'
  printf '%s\n' "$from"; cat "$fix/jmrp-2026-arf.eml"; printf '\n'; } >"$work/oldBC"
lenA=$(stat -c %s "$work/oldA")
{ cat "$work/oldA"; head -c 400 "$work/oldBC"; } >"$old"
rw arf ingest "$old" >/dev/null
key="mailbox = '$old'"
want "old: checkpoint before the half message" "$(q "SELECT mbox_offset FROM repwatch.mailbox_progress WHERE $key")" "$lenA"
q "UPDATE repwatch.mailbox_progress SET mbox_offset = $((lenA + 400)), mbox_prefix_sha256 = '$(head -c $((lenA + 400)) "$old" | sha256sum | cut -d' ' -f1)' WHERE $key" >/dev/null
tail -c +401 "$work/oldBC" >>"$old"
"$bin" --db "dbname=$db" arf ingest "$old" >"$work/out3" 2>"$work/err3"
want "cut message stored whole" "$(grep -c ': 3 messages, 2 complaints stored (2 reports), 1 duplicates' "$work/out3")" 1
grep -q "stopped at offset $((lenA + 400)), inside a message; reading the file from the start" "$work/err3" ||
	fail "no restart warning: $(cat "$work/err3")"
echo "ok - restart warned"
want "checkpoint at the end again" "$(q "SELECT mbox_offset FROM repwatch.mailbox_progress WHERE $key")" "$(stat -c %s "$old")"

# a writer that puts an empty line before each From_ line (not after the
# message): the checkpoint is followed by that empty line, which is a
# separator, not the rest of a message: no warning, no re-read
sep=$work/sep.mbox
{ printf '%s\n' "$from"; cat "$fix/arf-basic.eml"; printf '\n'; } >"$sep"
rw arf ingest "$sep" >/dev/null
{ printf '\n%s\n' "$from"; cat "$fix/zoho.eml"; printf '\n'; } >>"$sep"
"$bin" --db "dbname=$db" arf ingest "$sep" >"$work/out9" 2>"$work/err9"
want "separator line: only the new message read" "$(grep -c ': 1 messages' "$work/out9")" 1
want "separator line: no warning" "$(grep -c warning "$work/err9" || true)" 0

# a held dotlock: exit 75 within the bound, nothing read
lk=$work/lk.mbox
cp "$whole" "$lk"
touch "$lk.lock"
start=$(date +%s)
rc=0
REPWATCH_ARF_MBOX_LOCK_TIMEOUT=2 rw arf ingest "$lk" >/dev/null 2>"$work/err4" || rc=$?
took=$(($(date +%s) - start))
want "held dotlock: exit" "$rc" 75
[ "$took" -le 10 ] || fail "held dotlock: took ${took}s"
grep -q 'lk.mbox.lock' "$work/err4" || fail "lock file not named: $(cat "$work/err4")"
want "lock of another left alone" "$(test -e "$lk.lock" && echo yes)" yes
# a dotlock of a live process ("PID:HOST", as Dovecot writes) is held
echo "$$:$(hostname)" >"$lk.lock"
rc=0
REPWATCH_ARF_MBOX_LOCK_TIMEOUT=1 rw arf ingest "$lk" >/dev/null 2>&1 || rc=$?
want "dotlock of a live process: exit" "$rc" 75
# a FIFO in the place of the dotlock (anyone who may write in a mail
# spool can make one): it was read as a PID:HOST file, which blocked for
# ever; it is a lock held by someone else (75 after the bound)
rm -f "$lk.lock"
mkfifo "$lk.lock"
rc=0
REPWATCH_ARF_MBOX_LOCK_TIMEOUT=1 timeout 20 "$bin" -q --db "dbname=$db" arf ingest "$lk" >/dev/null 2>&1 || rc=$?
want "FIFO as the dotlock: exit" "$rc" 75
rm -f "$lk.lock"
# ... one whose process on this host is gone (kill -9) is stale at once
sh -c 'exit 0' &
dead=$!
wait "$dead"
echo "$dead:$(hostname)" >"$lk.lock"
start=$(date +%s)
rw arf ingest "$lk" >"$work/out5a" 2>"$work/err5a"
want "dotlock of a dead process removed, 3 read" "$(grep -c ': 3 messages' "$work/out5a")" 1
[ $(($(date +%s) - start)) -le 10 ] || fail "dead owner's dotlock: waited"
grep -q 'its process is gone' "$work/err5a" || fail "no warning: $(cat "$work/err5a")"
# a stale dotlock (older than 500 s) is removed and the file read
echo 1 >"$lk.lock"
touch -d '-10 minutes' "$lk.lock"
rw arf ingest "$lk" >"$work/out5" 2>"$work/err5"
want "stale dotlock removed, run done" "$(grep -c ': 0 messages' "$work/out5")" 1
want "our dotlock removed after the run" "$(test -e "$lk.lock" && echo yes || echo no)" no
# a writer holding an fcntl lock (as Postfix and Dovecot do)
cp "$whole" "$work/fl.mbox"
python3 -c '
import fcntl, sys, time
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(8)
' "$work/fl.mbox" >"$work/locker" &
locker=$!
for _ in $(seq 50); do grep -q locked "$work/locker" && break; sleep 0.1; done
rc=0
REPWATCH_ARF_MBOX_LOCK_TIMEOUT=1 rw arf ingest "$work/fl.mbox" >/dev/null 2>&1 || rc=$?
want "held fcntl lock: exit" "$rc" 75
want "dotlock released after the failure" "$(test -e "$work/fl.mbox.lock" && echo yes || echo no)" no
wait "$locker"
rw arf ingest "$work/fl.mbox" >"$work/out6"
want "read once the writer is done" "$(grep -c ': 3 messages' "$work/out6")" 1

# a final message cut right after its header block is not read either
cut=$work/cut.mbox
{ printf '%s\n' "$from"; sed '/^$/q' "$fix/zoho.eml"; } >"$cut"
rw arf ingest "$cut" >"$work/out7"
want "header block only: not read" "$(grep -c ': 0 messages' "$work/out7")" 1
# ... but a file unchanged for a minute has no writer: read as it is
touch -d '-2 minutes' "$cut"
rw arf ingest "$cut" >"$work/out8"
want "settled file: read" "$(grep -c ': 1 messages' "$work/out8")" 1
# arf parse keeps no checkpoint, so a just-written file is read to its end
# (before: no output and exit 0 for an mbox saved less than a minute ago)
touch "$cut"
want "arf parse reads a fresh file to the end" \
	"$("$bin" -q arf parse --json "$cut" | grep -c '"format"')" 1
echo "ok"

#!/bin/bash
# test_arf_imap_trickle - issue 17 item 9: an IMAP server that answers
# SELECT with "* OK keepalive" once a second was never timed out (only
# silence was): "arf ingest" ran past 150 s with timeout = 5. Every
# command now has a deadline; the run stops with 75 near the timeout.
. "${REPWATCH_SRC:-$(pwd)}/tests/arf/arf_db.sh"

python3 "$src/tests/arf/imap_trickle.py" "$work/port" &
srv=$!
trap 'kill $srv 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
printf 's3cret\n' >"$work/pw"
chmod 600 "$work/pw"
cat >"$work/c.conf" <<CONF
[mailbox.trickle]
url = imap://127.0.0.1:$port/INBOX
user = fbl
password_file = $work/pw
timeout = 3
CONF
chmod 600 "$work/c.conf"
start=$(date +%s.%N)
rc=0
timeout 60 "$bin" --config "$work/c.conf" --db "dbname=$db" arf ingest trickle >/dev/null 2>"$work/err" || rc=$?
took=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
want "trickling server: exit" "$rc" 75
python3 -c "import sys; sys.exit(0 if $took <= 10 else 1)" || fail "took ${took}s with timeout = 3, want at most 10"
echo "ok - gave up after ${took}s (timeout = 3)"
grep -q 'did not finish answering within 3 s' "$work/err" || fail "message: $(cat "$work/err")"
echo "ok - message names the deadline"
echo "ok"

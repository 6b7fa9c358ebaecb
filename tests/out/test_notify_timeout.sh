#!/bin/bash
# test_notify_timeout - issue 17 item 11: [notify] timeout ends the whole
# command, not only /bin/sh. With "cat > FILE; sleep 25" and timeout = 2
# the old code killed the shell and left "sleep" holding our stdout, so a
# caller reading the output (cron, nightly's capture, $(...)) waited 25 s.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_outputs.sh"
need_db
new_db notifyto
expect_status 0 "sample data loaded and analyzed" load_sample
marker=$((RANDOM % 900 + 100))
cat >"$T_TMP/rw.conf" <<CONF
[notify]
command = cat > $T_TMP/lines.jsonl; sleep 25.$marker
timeout = 2
CONF
chmod 600 "$T_TMP/rw.conf"
t0=$(date +%s%N)
rc=0
out=$("$RW" --config "$T_TMP/rw.conf" --db "$DB" export notify 2>&1) || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" = 75 ] && ok "timed-out notify exits 75" || nok "exit $rc, want 75: $out"
echo "$out" | grep -q "timed out after 2 s" && ok "message says it timed out" ||
	nok "no time-out message: $out"
[ "$ms" -lt 8000 ] && ok "the caller gets its output back in ${ms} ms (timeout = 2)" ||
	nok "the caller waited ${ms} ms for a 2 s timeout"
if pgrep -f "sleep 25.$marker" >/dev/null; then
	nok "the command's child is still running after the time-out"
else
	ok "the command's children were killed with it"
fi
[ -s "$T_TMP/lines.jsonl" ] && ok "the command got its input" || nok "no input reached the command"
finish

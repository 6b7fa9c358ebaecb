#!/bin/bash
# test_arf_mbox_cr - issue 17 "also": an mbox with CR-only line ends (old
# Mac tools) was read as 0 messages with no warning. Its messages are now
# split like LF and CRLF ones and every report is stored.
. "${REPWATCH_SRC:-$(pwd)}/tests/arf/arf_db.sh"

from='From fbl@example.org Tue Mar  3 10:05:00 2026'
for f in arf-basic.eml zoho.eml; do
	printf '%s\n' "$from"
	tr -d '\r' <"$fix/$f"
	printf '\n'
done >"$work/lf.mbox"
tr '\n' '\r' <"$work/lf.mbox" >"$work/cr.mbox"
sed 's/$/\r/' "$work/lf.mbox" >"$work/crlf.mbox"
rw arf ingest "$work/cr.mbox" >"$work/out"
want "CR-only mbox: 2 messages, 2 reports" "$(grep -c ': 2 messages, 2 complaints stored (2 reports)' "$work/out")" 1
want "checkpoint at the end" "$(q "SELECT mbox_offset FROM repwatch.mailbox_progress")" "$(stat -c %s "$work/cr.mbox")"
rw arf ingest "$work/crlf.mbox" >"$work/out"
want "CRLF mbox: the same 2 (duplicates)" "$(grep -c ': 2 messages, 0 complaints stored (0 reports), 2 duplicates' "$work/out")" 1
echo "ok"

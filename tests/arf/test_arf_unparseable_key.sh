#!/bin/bash
# test_arf_unparseable_key - issue 17 item 4: two messages GMime cannot
# read used to share one content key (only empty fields were hashed), so
# the second was counted as a duplicate of the first and dropped. Each
# must now be quarantined under its own key (a hash of its raw bytes).
. "${REPWATCH_SRC:-$(pwd)}/tests/arf/arf_db.sh"

printf 'not a mail message, sender A' | rw arf ingest - >"$work/a" ||
	fail "first: exit $?"
printf '\0\1junk from sender B' | rw arf ingest - >"$work/b" ||
	fail "second: exit $?"
want "second not a duplicate" "$(grep -c ' 0 duplicates, .* 1 quarantined' "$work/b")" 1
want "both quarantined" "$(q "SELECT count(*) FROM repwatch.arf_quarantine")" 2
want "distinct keys" "$(q "SELECT count(DISTINCT content_sha256) FROM repwatch.arf_quarantine")" 2
# a header block without any key field (Message-ID, Date, From, To,
# Subject) and no body: also told apart by its bytes
printf 'X-A: 1\n' | rw arf ingest - >/dev/null
printf 'X-B: 2\n' | rw arf ingest - >"$work/c"
want "field-less message not a duplicate" "$(grep -c ' 0 duplicates' "$work/c")" 1
# the same bytes again are still a duplicate (the key is stable)
printf 'not a mail message, sender A' | rw arf ingest - >"$work/d"
want "same bytes again: duplicate" "$(grep -c ' 1 duplicates' "$work/d")" 1
echo "ok"

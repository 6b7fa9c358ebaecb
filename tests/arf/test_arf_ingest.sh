#!/bin/bash
# test_arf_ingest - Maildir, mbox, .eml folder and stdin ingest into a real
# PostgreSQL (PG* from scripts/test.sh): counts, moves only after commit,
# duplicates, mbox progress, exit 75 with the database down and the
# mailbox untouched, and kill -9 at several points followed by a re-run
# (exactly once). Each run uses its own database.
. "${REPWATCH_SRC:-$(pwd)}/tests/arf/arf_db.sh"
count() { find "$1" -type f 2>/dev/null | wc -l; }
stat_json() { rw arf stats --json | python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# --- Maildir: every fixture once, plus a copy in cur/ (a second folder) ---
md=$work/md
mkdir -p "$md"/{new,cur,tmp}
cp "$fix"/*.eml "$md/new/"
cp "$fix/arf-basic.eml" "$md/cur/copy-of-basic:2,S"
n=$(ls "$fix"/*.eml | wc -l)
rw arf ingest "$md" >/dev/null
want "messages" "$(stat_json "['messages']")" $((n + 1))
want "complaints" "$(stat_json "['complaints']")" 25
want "duplicates" "$(stat_json "['duplicates']")" 1
want "not_a_report" "$(stat_json "['not_a_report']")" 5
want "quarantined" "$(stat_json "['quarantined']")" 2
want "without_ip" "$(stat_json "['without_ip']")" 0
want "legacy jmrp by provider" "$(stat_json "['by_provider']['microsoft']")" 5
want "left in new/ and cur/" "$(($(count "$md/new") + $(count "$md/cur")))" 0
want "moved to .Processed" "$(count "$md/.Processed/cur")" $((n - 1))
want "moved to .Quarantine" "$(count "$md/.Quarantine/cur")" 2
want "quarantine rows with raw" "$(q "SELECT count(*) FROM repwatch.arf_quarantine WHERE raw IS NOT NULL AND reason <> ''")" 2
want "ip of basic" "$(q "SELECT host(source_ip) FROM repwatch.arf_report WHERE report_message_id = 'report-1@fbl.example.org'")" 192.0.2.25
want "rcpt array" "$(q "SELECT original_rcpt_to FROM repwatch.arf_report WHERE report_message_id = 'report-1@fbl.example.org'")" "{user@example.net,other@example.net}"
want "keep=headers stores no body" "$(q "SELECT position('Spring offers for you' in convert_from(raw, 'UTF8')) FROM repwatch.arf_report WHERE report_message_id = 'report-1@fbl.example.org'")" 0
# a re-delivery of a stored report is a duplicate, nothing new is stored
cp "$fix/jmrp-legacy.eml" "$md/new/redelivered"
rw arf ingest "$md" >/dev/null
want "reports after re-delivery" "$(q "SELECT count(*) FROM repwatch.arf_report")" 26
want "duplicates after re-delivery" "$(stat_json "['duplicates']")" 2

# --- mbox: never rewritten, continues after the stored offset ---
mb=$work/box.mbox
python3 "$src/tests/bench/arf_gen.py" "$mb" 20 --mbox --seed 7
sum=$(sha256sum "$mb")
rw arf ingest "$mb" >/dev/null
want "mbox untouched" "$(sha256sum "$mb")" "$sum"
want "mbox reports" "$(q "SELECT count(*) FROM repwatch.arf_report WHERE mailbox = '$mb'")" 18
want "mbox offset" "$(q "SELECT mbox_offset FROM repwatch.mailbox_progress WHERE mailbox = '$mb'")" "$(stat -c %s "$mb")"
out=$(rw arf ingest "$mb")
case "$out" in *": 0 messages,"*) ;; *) fail "mbox re-read: $out" ;; esac
python3 "$src/tests/bench/arf_gen.py" "$work/more.mbox" 27 --mbox --seed 7
tail -c +$(($(stat -c %s "$mb") + 1)) "$work/more.mbox" >>"$mb"
out=$(rw arf ingest "$mb")
case "$out" in *": 7 messages,"*) ;; *) fail "mbox append: $out" ;; esac
# a rewritten file (rotated, edited) is read again; content keys dedupe
python3 "$src/tests/bench/arf_gen.py" "$mb" 10 --mbox --seed 7
out=$(rw arf ingest "$mb" 2>/dev/null)
case "$out" in *": 10 messages, 0 complaints stored (0 reports), 10 duplicates"*) ;; *) fail "mbox rewrite: $out" ;; esac

# --- stdin (MTA pipe): 0 once stored, also for a duplicate ---
rw arf ingest - <"$fix/zoho.eml" >/dev/null || fail "stdin: exit $?"
rw arf ingest - <"$fix/zoho.eml" >/dev/null || fail "stdin duplicate: exit $?"
want "stdin stored once" "$(q "SELECT count(*) FROM repwatch.arf_report WHERE report_message_id = 'zoho-1@zoho.com'")" 1

# --- database down: exit 75, mailbox untouched ---
down=$work/down
mkdir -p "$down"/{new,cur,tmp}
cp "$fix/aol-scomp.eml" "$fix/bounce-dsn.eml" "$down/new/"
set +e
"$bin" -q --db "host=$work/nowhere dbname=x connect_timeout=2" arf ingest "$down" >/dev/null 2>&1
rc=$?
"$bin" -q --db "host=$work/nowhere dbname=x connect_timeout=2" arf ingest - <"$fix/aol-scomp.eml" >/dev/null 2>&1
rc2=$?
set -e
want "exit status, database down" "$rc" 75
want "exit status, stdin, database down" "$rc2" 75
want "mailbox untouched" "$(count "$down/new")" 2
[ ! -e "$down/.Processed" ] || fail "database down: .Processed created"

# --- kill -9 at several points, then a re-run: exactly once ---
big=$work/big
python3 "$src/tests/bench/arf_gen.py" "$big" 7000 --seed 3
distinct_reports=6000   # 7000 minus every 7th (a bounce)
killdb=arf_kill_$$_$RANDOM
createdb "$killdb"
trap 'dropdb --if-exists "$killdb" >/dev/null 2>&1 || true; cleanup' EXIT
export REPWATCH_ARF_BATCH_SIZE=50
for delay in 0.1 0.2 0.3 0.4 0.5; do
	"$bin" -q --db "dbname=$killdb" arf ingest "$big" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
done
left=$(($(count "$big/new") + $(count "$big/cur")))
[ "$left" -gt 0 ] || fail "kill -9 came too late to interrupt anything"
"$bin" -q --db "dbname=$killdb" arf ingest "$big" >/dev/null
unset REPWATCH_ARF_BATCH_SIZE
kq() { psql -X -At -d "$killdb" -c "$1"; }
want "reports after kills" "$(kq "SELECT count(*) FROM repwatch.arf_report")" $distinct_reports
want "distinct keys" "$(kq "SELECT count(DISTINCT content_sha256) FROM repwatch.arf_report")" $distinct_reports
want "bounces logged" "$(kq "SELECT count(*) FROM repwatch.arf_message_log")" 1000
want "left unread" "$(($(count "$big/new") + $(count "$big/cur")))" 0
want "all moved" "$(count "$big/.Processed/cur")" 7000
echo "ok"

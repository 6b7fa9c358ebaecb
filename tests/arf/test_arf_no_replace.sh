#!/bin/bash
# test_arf_no_replace - issue 17 item 3: moving a message into .Processed
# or .Quarantine used rename(), which replaced a file of the same name
# there (a second "report.eml" in a drop folder, or distinct new/X and
# cur/X of one Maildir). Every message must survive, under its name or a
# unique variant of it.
. "${REPWATCH_SRC:-$(pwd)}/tests/arf/arf_db.sh"

# a drop folder: the same name twice, in two runs
fold=$work/fold
mkdir "$fold"
cp "$fix/arf-basic.eml" "$fold/report.eml"
rw arf ingest "$fold" >/dev/null
cp "$fix/zoho.eml" "$fold/report.eml"
rw arf ingest "$fold" >/dev/null
want "two files in .Processed" "$(find "$fold/.Processed" -type f | wc -l)" 2
want "first report kept" "$(cat "$fold"/.Processed/* | grep -c 'report-1@fbl.example.org')" 1
want "second report kept" "$(cat "$fold"/.Processed/* | grep -c 'zoho-1@zoho.com')" 1
want "first keeps its name" "$(grep -c 'report-1@fbl.example.org' "$fold/.Processed/report.eml")" 1

# quarantine: two unreadable messages of one name
printf 'junk one\n' >"$fold/bad.eml"
rw arf ingest "$fold" >/dev/null
printf 'junk two\n' >"$fold/bad.eml"
rw arf ingest "$fold" >/dev/null
want "two files in .Quarantine" "$(find "$fold/.Quarantine" -type f | wc -l)" 2
want "both junk kept" "$(cat "$fold"/.Quarantine/* | sort | tr '\n' ,)" "junk one,junk two,"

# a Maildir: distinct new/X and cur/X in one run; flags stay last
md=$work/md
mkdir -p "$md"/{new,cur,tmp}
cp "$fix/arf-basic.eml" "$md/new/1700000000.1.host:2,S"
cp "$fix/zoho.eml" "$md/cur/1700000000.1.host:2,S"
rw arf ingest "$md" >/dev/null
want "two files in .Processed/cur" "$(find "$md/.Processed/cur" -type f | wc -l)" 2
want "both reports kept" "$(cat "$md"/.Processed/cur/* | grep -cE 'report-1@fbl.example.org|zoho-1@zoho.com')" 2
want "info part stays last" "$(ls "$md/.Processed/cur" | grep -vc ':2,S$' || true)" 0
want "nothing left" "$(find "$md/new" "$md/cur" -type f | wc -l)" 0
echo "ok"

#!/bin/bash
# test_mta_load - "repwatch mta load|parse|status" on a real PostgreSQL and
# the real fixture lines of tests/fixtures/mta/postfix.log (SOURCES.md):
# a log loaded, rotated between runs and during one (rename + new live
# file), gzip-rotated, copytruncated, with a partial last line, and a load
# killed midway; after each run the attempts stored must equal the
# Microsoft attempts written, each counted exactly once. Also unreadable
# lines (warned with file:line, the load goes on), the summary, status,
# the nightly step and the exit codes; logrotate's compress window, one
# file by two names, the year of an old archive's syslog stamps, a load's
# xid while it reads, two sources over one file, zstd; PowerMTA files
# beside a header-only one.
. "$(dirname "$0")/../lib.sh"
unset REPWATCH_CONFIG
if [ -z "${PGHOST:-}" ]; then
	[ "${REPWATCH_TEST_REQUIRE_DB:-0}" = 1 ] && { echo "FAIL - no PostgreSQL"; exit 1; }
	echo "skip - no PostgreSQL"; exit 77
fi
dbname="rw_mtaload_$$_$RANDOM"
createdb "$dbname" || { echo "FAIL - createdb"; exit 1; }
trap 'dropdb --if-exists "$dbname" >/dev/null 2>&1; dropdb --if-exists "${dbname}_two" >/dev/null 2>&1; rm -rf "$T_TMP"' EXIT
FIX=tests/fixtures/mta/postfix.log
L=$T_TMP/log
mkdir -p "$L"
cfg=$T_TMP/c.conf
cat >"$cfg" <<CONF
[paths]
state_dir = $T_TMP/state
[mta.pf]
type = postfix
path = $L/mail.log*
source_ip = 192.0.2.100
ip_by_service = smtp-ip1:192.0.2.101, out2:192.0.2.102
timezone = UTC
CONF
chmod 600 "$cfg"
R=("$RW" -c "$cfg" --db "dbname=$dbname")
sql() { psql -X -qAt -d "$dbname" -c "$1"; }
expect_status 0 "migrate" "${R[@]}" -q db migrate

# the fixture: 13 lines, 8 attempts, 7 of them to Microsoft
expect_status 0 "mta parse reads the fixture" "$RW" mta parse --type postfix \
	--source-ip 192.0.2.100 --ip-by-service smtp-ip1:192.0.2.101 "$FIX"
n=$(grep -c ' yes$' "$T_TMP/out")
[ "$n" = 7 ] && ok "7 attempts to Microsoft in the fixture" || nok "got $n Microsoft attempts, want 7"
PER=7
written=0
seq_no=0
# copies N FILE: N copies of the fixture after a unique first line (a
# real log's first line is unique: a qmgr line with its own queue id)
copies() {
	seq_no=$((seq_no + 1))
	printf 'Dec  7 04:00:%02d mx1 postfix/qmgr[812]: Q%06d: removed\n' \
		$((seq_no % 60)) "$seq_no" >>"$2"
	for _ in $(seq "$1"); do cat "$FIX" >>"$2"; done
	written=$((written + $1 * PER))
}
# more N FILE: N more copies, no new first line
more() {
	for _ in $(seq "$1"); do cat "$FIX" >>"$2"; done
	written=$((written + $1 * PER))
}
# wait_load - until a load holds its source's lock (its transaction is open)
wait_load() {
	for _ in $(seq 500); do
		[ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" = 1 ] && return 0
		sleep 0.01
	done
	return 1
}
check() {
	local got
	got=$(sql "SELECT coalesce(sum(attempts), 0) FROM repwatch.mta_attempt_hour")
	[ "$got" = "$written" ] && ok "$1: $got attempts stored, each once" ||
		nok "$1: $got attempts stored, want $written"
}

copies 2 "$L/mail.log"
expect_status 0 "first load" "${R[@]}" mta load
expect_grep "$T_TMP/out" "^source pf: 1 file\(s\), 27 lines, 16 attempts, 14 to Microsoft \(delivered 0, deferred-throttle 4, deferred-other 2, blocked 6, bounced-other 2\), skipped: 0 without IP, 0 without time, 0 unreadable, 0 over-long$" "one summary line"
check "first load"
expect_status 0 "a re-run" "${R[@]}" mta load
expect_grep "$T_TMP/out" "^source pf: 1 file\(s\), 0 lines" "a re-run reads nothing"
check "re-run"

# rotation between runs: unread lines in the renamed file, a new live one
more 1 "$L/mail.log"
mv "$L/mail.log" "$L/mail.log.1"
copies 1 "$L/mail.log"
expect_status 0 "load after rotation" "${R[@]}" mta load
check "rename + new live file"

# gzip rotation: .1 compressed to .2.gz, the live file renamed to .1
more 1 "$L/mail.log"
mv "$L/mail.log.1" "$L/mail.log.2" && gzip "$L/mail.log.2"
mv "$L/mail.log" "$L/mail.log.1"
copies 1 "$L/mail.log"
expect_status 0 "load after gzip rotation" "${R[@]}" mta load
check "gzip rotation"

# copytruncate: the live file copied to .1 (with unread lines) and emptied
more 1 "$L/mail.log"
rm -f "$L/mail.log.2.gz"
mv "$L/mail.log.1" "$L/mail.log.2" && gzip "$L/mail.log.2"
cp "$L/mail.log" "$L/mail.log.1"
: >"$L/mail.log"
copies 1 "$L/mail.log"
expect_status 0 "load after copytruncate" "${R[@]}" mta load
check "copytruncate"

# a partial last line is read once it is complete
line8=$(sed -n 8p "$FIX")
printf '%s' "${line8:0:100}" >>"$L/mail.log"
expect_status 0 "load with a partial last line" "${R[@]}" mta load
check "partial line left"
printf '%s\n' "${line8:100}" >>"$L/mail.log"
written=$((written + 1))
expect_status 0 "load with the line completed" "${R[@]}" mta load
check "partial line completed"

# rotation during a run: the reader keeps its open file, the next run
# takes up the renamed one and the new live file
more 400 "$L/mail.log"
"${R[@]}" -q mta load >"$T_TMP/bg.out" 2>"$T_TMP/bg.err" &
bg=$!
wait_load && ok "a load is running" || nok "no load seen running"
more 3 "$L/mail.log"
rm -f "$L/mail.log.2.gz"
mv "$L/mail.log.1" "$L/mail.log.2" && gzip "$L/mail.log.2"
mv "$L/mail.log" "$L/mail.log.1"
copies 2 "$L/mail.log"
wait "$bg" && ok "the load during rotation finished" || nok "the load during rotation failed: $(cat "$T_TMP/bg.err")"
expect_status 0 "load after rotation during a run" "${R[@]}" mta load
check "rotation during a run"

# a load killed midway leaves nothing half-counted
more 1500 "$L/mail.log"
loads=$(sql "SELECT count(*) FROM repwatch.mta_load")
cps=$(sql "SELECT string_agg(path || byte_offset, ' ' ORDER BY path) FROM repwatch.mta_checkpoint")
"${R[@]}" -q mta load >/dev/null 2>&1 &
bg=$!
wait_load && ok "a load is running" || nok "no load seen running"
kill -9 "$bg" 2>/dev/null
wait "$bg" 2>/dev/null
for _ in $(seq 500); do
	[ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = 0 ] && break
	sleep 0.01
done
expect_grep <(sql "SELECT count(*) FROM repwatch.mta_load") "^$loads\$" "the killed load left no mta_load row"
expect_grep <(sql "SELECT string_agg(path || byte_offset, ' ' ORDER BY path) FROM repwatch.mta_checkpoint") "^$cps\$" "nor moved a checkpoint"
expect_status 0 "load after a killed one" "${R[@]}" mta load
check "killed load"

# a load holds an xid from its start, before it reads (loaded_at is its
# start, and an_refresh_mta waits only for transactions with an xid): a
# session holds the source's lock, the load waits for it
psql -X -qAt -d "$dbname" -c "SELECT pg_advisory_lock(hashtext('repwatch.mta_load:pf')), pg_sleep(120)" >/dev/null 2>&1 &
holder=$!
wait_load || nok "the lock holder did not start"
more 1 "$L/mail.log"
"${R[@]}" -q mta load >/dev/null 2>"$T_TMP/bg.err" &
bg=$!
for _ in $(seq 500); do
	[ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")" = 1 ] && break
	sleep 0.01
done
xid=$(sql "SELECT a.backend_xid IS NOT NULL FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND NOT l.granted")
[ "$xid" = t ] && ok "a load holds an xid before it reads" || nok "a waiting load holds no xid (got '$xid')"
sql "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted" >/dev/null
wait "$holder" 2>/dev/null
wait "$bg" && ok "the load went on" || nok "the load failed: $(cat "$T_TMP/bg.err")"
check "a load that waited"

# logrotate's compress window: mail.log.2 (read) and a half-written
# mail.log.2.gz both there, then both whole, then the .gz alone: the .gz
# is a copy, never read
rm -f "$L/mail.log.2.gz"
mv "$L/mail.log.1" "$L/mail.log.2"
gzip -c "$L/mail.log.2" >"$T_TMP/whole.gz"
head -c $(($(stat -c %s "$T_TMP/whole.gz") / 2)) "$T_TMP/whole.gz" >"$L/mail.log.2.gz"
expect_status 0 "load while gzip writes mail.log.2.gz" "${R[@]}" mta load
check "compress in progress"
cp "$T_TMP/whole.gz" "$L/mail.log.2.gz"
expect_status 0 "load with mail.log.2 and its .gz" "${R[@]}" mta load
check "compressed, the plain file still there"
rm -f "$L/mail.log.2"
expect_status 0 "load with the .gz alone" "${R[@]}" mta load
check "compressed"
mv "$L/mail.log" "$L/mail.log.1"
copies 1 "$L/mail.log"

# unreadable lines: one warning per file naming file:line, the load goes on
copies 1 "$L/mail.log"
lines_before=$(wc -l <"$L/mail.log")
printf 'Dec  7 05:00:00 mx1 postfix/smtp[1]: AB: to=<a@hotmail.com>\0 x\n' >>"$L/mail.log"
printf 'Dec  7 05:00:01 mx1 postfix/smtp[1]: AB: \0\n' >>"$L/mail.log"
more 1 "$L/mail.log"
expect_status 0 "a load with unreadable lines succeeds" "${R[@]}" mta load
expect_grep "$T_TMP/err" "mail.log:$((lines_before + 1)): postfix line holds a NUL byte \(2 unreadable line" "the warning names file:line of the first"
n=$(grep -c "unreadable line" "$T_TMP/err")
[ "$n" = 1 ] && ok "one warning for the file" || nok "$n warnings, want 1"
expect_grep "$T_TMP/out" ", 2 unreadable, " "the summary counts them"
check "unreadable lines"
expect_grep <(sql "SELECT sum(bad_lines) FROM repwatch.mta_load") "^2$" "mta_load records them"

# status
expect_status 0 "mta status" "${R[@]}" mta status
expect_grep "$T_TMP/out" "^pf +true " "status lists the source"
expect_status 0 "mta status --format json" "${R[@]}" mta status --format json
expect_grep "$T_TMP/out" "\"source\":\"pf\",\"configured\":true,.*\"stored_attempts\":$written" "status JSON has the stored attempts"

# FILE arguments: with the source's format, checkpointed by path
cp "$FIX" "$T_TMP/extra.log"
written=$((written + PER))
expect_status 0 "mta load FILE (the only source)" "${R[@]}" mta load "$T_TMP/extra.log"
expect_grep "$T_TMP/out" "^source pf: 1 file\(s\), 13 lines" "the file was read"
expect_status 0 "mta load FILE again" "${R[@]}" mta load --source pf "$T_TMP/extra.log"
expect_grep "$T_TMP/out" "^source pf: 1 file\(s\), 0 lines" "nothing new"
check "FILE arguments"
# one file by a relative and an absolute name in one call: read once
copies 1 "$T_TMP/twice.log"
(cd "$T_TMP" && "${R[@]}" mta load twice.log "$T_TMP/twice.log") >"$T_TMP/out" 2>&1
expect_grep "$T_TMP/out" "^source pf: 1 file\(s\), 14 lines" "two names of one file: read once"
check "two names of one file"
# classic syslog stamps of an archive a year old: the year of its mtime
copies 1 "$T_TMP/old.log"
touch -d '2025-04-01 00:00:00 UTC' "$T_TMP/old.log"
before=$(sql "SELECT coalesce(sum(attempts), 0) FROM repwatch.mta_attempt_hour WHERE hour < '2026-01-01'")
expect_status 0 "mta load of a file from last year" "${R[@]}" mta load "$T_TMP/old.log"
after=$(sql "SELECT coalesce(sum(attempts), 0) FROM repwatch.mta_attempt_hour WHERE hour < '2026-01-01'")
[ $((after - before)) = 6 ] && ok "its 6 classic-stamp attempts booked in 2024/2025" || nok "$((after - before)) attempts booked before 2026, want 6"
check "a file from last year"
expect_status 66 "a missing FILE exits 66" "${R[@]}" mta load "$T_TMP/none.log"
expect_grep "$T_TMP/err" "none.log: no such file" "names the file"
expect_status 78 "an unknown --source exits 78" "${R[@]}" mta load --source nope
expect_grep "$T_TMP/err" 'no MTA log source "nope"' "names the source"

# nightly runs the mta step before analyze
more 1 "$L/mail.log"
expect_status 0 "nightly -v" "${R[@]}" nightly -v
expect_grep "$T_TMP/out" "^mta pf +ok .*7 to Microsoft" "the nightly mta step loaded"
check "nightly"
order=$(grep -oE "^(ingest|mta|analyze)" "$T_TMP/out" | tr '\n' ' ')
[ "$order" = "ingest mta analyze " ] && ok "mta runs between ingest and analyze" || nok "step order: $order"

# a source whose directory is missing: 66, naming it
printf '[paths]\nstate_dir = %s/state\n[mta.gone]\ntype = exim\npath = %s/nodir/mainlog*\n' "$T_TMP" "$T_TMP" >"$T_TMP/gone.conf"
chmod 600 "$T_TMP/gone.conf"
expect_status 66 "a missing log directory exits 66" "$RW" -c "$T_TMP/gone.conf" --db "dbname=$dbname" mta load
expect_grep "$T_TMP/err" "mta source gone: .*nodir: no such directory" "names the source and the directory"

# without a source
printf '[paths]\nstate_dir = %s/state\n' "$T_TMP" >"$T_TMP/none.conf"
chmod 600 "$T_TMP/none.conf"
N=("$RW" -c "$T_TMP/none.conf" --db "dbname=$dbname")
expect_status 78 "mta load without a source exits 78" "${N[@]}" mta load
expect_grep "$T_TMP/err" "no MTA log source configured" "says so"
expect_status 0 "nightly without a source" "${N[@]}" nightly -v
expect_grep "$T_TMP/out" "^mta +skipped +no MTA log source configured" "the step is skipped"

# two sources over one file: a warning naming both and the file
mkdir -p "$T_TMP/shared"
cp "$FIX" "$T_TMP/shared/mail.log"
cat >"$T_TMP/two.conf" <<CONF
[paths]
state_dir = $T_TMP/state
[mta.a]
type = postfix
path = $T_TMP/shared/mail.log*
source_ip = 192.0.2.100
[mta.b]
type = postfix
path = $T_TMP/shared/../shared/mail.log
source_ip = 192.0.2.100
CONF
chmod 600 "$T_TMP/two.conf"
createdb "${dbname}_two" || nok "createdb"
"$RW" -c "$T_TMP/two.conf" --db "dbname=${dbname}_two" -q db migrate
expect_status 0 "mta load of two sources over one file" "$RW" -c "$T_TMP/two.conf" --db "dbname=${dbname}_two" mta load
expect_grep "$T_TMP/err" "mta sources a and b both read .*/shared/mail.log" "warns naming both sources and the file"
dropdb "${dbname}_two"

# zstd (KumoMTA's segments are always compressed), named without an
# extension, and one cut short as the segment being written
zstd -q -c "$FIX" >"$T_TMP/segment"
expect_status 0 "mta parse reads zstd" "$RW" mta parse --type postfix "$T_TMP/segment"
n=$(grep -c ' yes$' "$T_TMP/out")
[ "$n" = 7 ] && ok "zstd: 7 Microsoft attempts" || nok "zstd: $n, want 7"

# PowerMTA: a header-only accounting file (a quiet hour) makes no new
# file a copy: a new file's rows (a S3150 block) count in the load that
# first sees it, once
P=$T_TMP/pmta
mkdir -p "$P"
cat >>"$cfg" <<CONF
[mta.pm]
type = powermta
path = $P/acct-*.csv
timezone = UTC
CONF
pm() { sql "SELECT coalesce(sum(attempts), 0) || ' ' || coalesce(sum(attempts) FILTER (WHERE code = 'S3150'), 0) FROM repwatch.mta_attempt_hour WHERE source = 'pm'"; }
head -1 tests/fixtures/mta/powermta.csv >"$P/acct-2026-12-07-0600.csv"
expect_status 0 "pmta: a header-only file" "${R[@]}" mta load --source pm
head -4 tests/fixtures/mta/powermta.csv >"$P/acct-2026-12-07-0100.csv"
expect_status 0 "pmta: a new file beside it" "${R[@]}" mta load --source pm
n=$(pm)
[ "$n" = "2 1" ] && ok "pmta: the new file's 2 attempts (1 S3150) count at once" ||
	nok "pmta: got '$n' attempts (S3150), want '2 1'"
expect_status 0 "pmta: re-run" "${R[@]}" mta load --source pm
n=$(pm)
[ "$n" = "2 1" ] && ok "pmta: a re-run counts nothing twice" ||
	nok "pmta: after a re-run got '$n', want '2 1'"

# parse: stdin, JSON, errors
expect_status 0 "mta parse - reads stdin" "$RW" mta parse --type postfix --format json - <"$FIX"
n=$(grep -c '"microsoft":true' "$T_TMP/out")
[ "$n" = 7 ] && ok "stdin: 7 Microsoft attempts as JSON" || nok "stdin: $n, want 7"
expect_grep "$T_TMP/out" '^\{"time":"Feb 25 12:12:39",.*"enhanced":"4.7.650","scode":"S775","class":"deferred-throttle","microsoft":true\}$' "a JSON row"
expect_status 65 "mta parse with unreadable lines exits 65" "$RW" mta parse --type kumomta tests/fixtures/mta/kumomta.jsonl
expect_grep "$T_TMP/err" "kumomta.jsonl:5: " "names file:line"
expect_status 66 "mta parse of a missing file exits 66" "$RW" mta parse --type exim "$T_TMP/none.log"
expect_status 64 "mta parse without --type exits 64" "$RW" mta parse "$FIX"
expect_status 64 "mta parse --type unknown exits 64" "$RW" mta parse --type sendmail "$FIX"
gzip -c "$FIX" >"$T_TMP/f.gz"
expect_status 0 "mta parse reads gzip" "$RW" mta parse --type postfix "$T_TMP/f.gz"
n=$(grep -c ' yes$' "$T_TMP/out")
[ "$n" = 7 ] && ok "gzip: 7 Microsoft attempts" || nok "gzip: $n, want 7"
finish

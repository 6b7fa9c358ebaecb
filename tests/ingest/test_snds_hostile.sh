#!/bin/bash
# test_snds_hostile - issue 17, SNDS side: hostile files in an "snds load"
# directory, a stalled endpoint, names that try to leave their directory,
# redirects off the loopback host. A fake SNDS on 127.0.0.1 (random port,
# tests/ingest/fake_snds.py) and a real PostgreSQL (PG* from scripts/test.sh).
. "$(dirname "$0")/../lib.sh"
SNDS_DB_PREFIX=rwtest_snds_hostile
. "$(dirname "$0")/snds_lib.sh"

cfg=$T_TMP/repwatch.conf
{
	printf '[paths]\nstate_dir = %s\n' "$T_TMP/state"
	link_source main link 2
	link_source dead stall 1
} >"$cfg"
chmod 600 "$cfg"

# rw WANT DESC args... : repwatch with a 60 s bound (a hang is a failure)
rw() {
	local want=$1 desc=$2
	shift 2
	expect_status "$want" "$desc" timeout 60 "$RW" --config "$cfg" \
		--db "dbname=$DB" "$@"
}

# --- item 7: a FIFO and a link to /dev/zero in a load directory ----------
d=$T_TMP/drop
mkdir "$d"
echo '192.0.2.61,3/2/2026 12:00 AM,3/2/2026 11:59 PM,100,100,100,GREEN,< 0.1%,,,,h,m,' >"$d/data-2026-03-02.csv"
mkfifo "$d/data-2026-03-03.csv"
ln -s /dev/zero "$d/data-2026-03-04.csv"
rw 0 "load directory with a FIFO and a /dev/zero link ends" snds load --source drop "$d"
expect_grep "$T_TMP/err" "data-2026-03-03.csv: skipped: not a regular file" "FIFO named in a warning"
expect_grep "$T_TMP/err" "data-2026-03-04.csv: skipped: not a regular file" "/dev/zero link named in a warning"
expect_grep "$T_TMP/out" "1 rows loaded from 1 file" "the regular report is loaded"
expect_sql "SELECT count(*) FROM repwatch.snds_daily WHERE ip = '192.0.2.61'" 1 "its row is stored"
rw 65 "a device named explicitly is refused" snds load --source drop "$d/data-2026-03-04.csv"
expect_grep "$T_TMP/err" "is not a regular file" "says why"
# a FIFO named explicitly is read, and waited for: its writer may come
# later (opened without blocking, it read as an empty report: 0 rows)
mkfifo "$T_TMP/late.fifo"
# (the writer gives up after 10 s when no reader is left)
(sleep 2; echo '192.0.2.62,3/5/2026 12:00 AM,3/5/2026 11:59 PM,100,100,100,GREEN,< 0.1%,,,,h,m,' >"$T_TMP/late.row"
 timeout 10 cp "$T_TMP/late.row" "$T_TMP/late.fifo") &
rw 0 "a FIFO named explicitly waits for its writer" snds load --source drop "$T_TMP/late.fifo"
wait $!
expect_grep "$T_TMP/out" "1 rows loaded" "the late writer's row is loaded"
expect_sql "SELECT count(*) FROM repwatch.snds_daily WHERE ip = '192.0.2.62'" 1 "its row is stored"

# --- item 10: a stalled endpoint costs one day, not every day ------------
start=$(date +%s)
rw 75 "a stalled source exits 75, the other source is fetched" snds fetch --since 2026-03-02 --until 2026-03-04
took=$(( $(date +%s) - start ))
[ "$(hits '/stall/data?date=030226')" = 2 ] && ok "stalled day asked once plus its retry" || nok "stalled day asked $(hits '/stall/data?date=030226') times, want 2"
[ "$(hits '/stall/data?date=030326')$(hits '/stall/data?date=030426')$(hits '/stall/status')" = 000 ] && ok "no request for the later days or the status" || nok "later days were requested"
[ "$took" -le 5 ] && ok "stalled source stopped quickly (${took}s)" || nok "stalled source took ${took}s"
expect_grep "$T_TMP/err" "source dead: stopped for this run after a transport error \(2026-03-02\); 2 more day\(s\) and the status report not requested" "stop announced"
expect_sql "SELECT count(*) FROM repwatch.snds_fetch_log WHERE source = 'dead' AND outcome = 'temporary' AND message LIKE 'not requested:%'" 3 "skipped reports recorded in the fetch log"
expect_sql "SELECT count(*) FROM repwatch.snds_daily WHERE source = 'main' AND day = '2026-03-02'" 2 "the other source's rows are stored"
expect_grep "$T_TMP/out" "source main: status" "the other source's status report is fetched"

# --- item 15: names that leave their directory ----------------------------
mkdir -p "$T_TMP/state"
rw 64 "link set with a ../ name is refused" snds link set ../../victim --data-url "$BASE/link/data?key=$KEY" --status-url "$BASE/link/status?key=$KEY"
expect_grep "$T_TMP/err" 'invalid SNDS source name "\.\./\.\./victim"' "names the bad name"
expect_sql "SELECT count(*) FROM repwatch.snds_source WHERE name LIKE '%/%'" 0 "nothing stored"
rw 64 "fetch --source with a ../ name is refused" snds fetch --source ../../victim --date 2026-03-02
rw 64 "load --source with a / name is refused" snds load --source a/b "$d/data-2026-03-02.csv"
[ -e "$T_TMP/victim" ] || [ -e "$T_TMP/state/victim" ] && nok "a directory outside raw/ was created" || ok "no directory outside raw/"
bad=$T_TMP/bad.conf
printf '[paths]\nstate_dir = %s\n[snds.../../x]\ntype = link\n' "$T_TMP/state" >"$bad"
chmod 600 "$bad"
expect_status 78 "config check refuses [snds.../../x]" "$RW" --config "$bad" config check
expect_grep "$T_TMP/err" 'bad.conf:3: invalid SNDS source name "\.\./\.\./x"' "names file:line and the name"
printf '[mailbox..hidden]\nurl = /tmp\n' >"$bad"
expect_status 78 "config check refuses [mailbox..hidden]" "$RW" --config "$bad" config check
expect_grep "$T_TMP/err" 'bad.conf:1: invalid mailbox name "\.hidden"' "names the mailbox"
if sql "INSERT INTO repwatch.snds_source (name, kind) VALUES ('../../y', 'link')" 2>"$T_TMP/psql.err"; then
	nok "the database refuses a ../ name"
else
	expect_grep "$T_TMP/psql.err" "snds_source_name_plain" "the database refuses a ../ name"
fi

# --- item 16: a redirect from a loopback link stays on loopback -----------
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
off=$(enc "http://192.0.2.1:$PORT/link/data?key=$KEY&date=030226")
rw 0 "link set hop" snds link set hop --data-url "$BASE/hop/data?key=$KEY&to=$off" --status-url "$BASE/hop/status?key=$KEY&to=$off"
rw 69 "a redirect to a non-loopback http:// host is refused" snds fetch --source hop --date 2026-03-02
expect_grep "$T_TMP/err" 'source hop: data report for 2026-03-02: redirect to "http://192\.0\.2\.1:[0-9]+/link/data\?key=\*\*\*&date=030226" refused' "names the masked target"
expect_no_grep "$T_TMP/out" "no data yet" "not reported as no data"
expect_sql "SELECT outcome FROM repwatch.snds_fetch_log WHERE source = 'hop' AND day = '2026-03-02'" error "fetch log: error, not no-data"
# a target with no host (mailto:, "http:x") was taken for a sign-in page:
# "report link expired", fetch log outcome login-required
for scheme in "gopher://127.0.0.1:$PORT/x" "file:///etc/passwd" "ftp://127.0.0.1:$PORT/x" "mailto:a@example.net" "http:192.0.2.1/x"; do
	rw 0 "link set hop2" snds link set hop2 --data-url "$BASE/hop/data?key=$KEY&to=$(enc "$scheme")" --status-url "$BASE/link/status?key=$KEY"
	rw 69 "a redirect to ${scheme%%:*}: is refused" snds fetch --source hop2 --date 2026-03-02
	expect_grep "$T_TMP/err" "source hop2: data report for 2026-03-02: redirect to .* refused" "${scheme%%:*}: named as a refused redirect"
	expect_no_grep "$T_TMP/err" "expired" "${scheme%%:*}: not reported as an expired link"
	expect_sql "SELECT outcome FROM repwatch.snds_fetch_log WHERE source = 'hop2' AND day = '2026-03-02' ORDER BY id DESC LIMIT 1" error "${scheme%%:*}: fetch log outcome error"
done
on=$(enc "$BASE/link/data?key=$KEY&date=030226")
rw 0 "link set hopok" snds link set hopok --data-url "$BASE/hop/data?key=$KEY&to=$on" --status-url "$BASE/link/status?key=$KEY"
rw 0 "a redirect from loopback to loopback is followed" snds fetch --source hopok --date 2026-03-02
expect_sql "SELECT count(*) FROM repwatch.snds_daily WHERE source = 'hopok'" 2 "rows loaded through the redirect"

# --- snds link set: the default issue day is today in the source's zone ---
# (snds fetch and snds links count a link's age there; the local day made a
# new link -1 days old). Two zones 26 h apart: at any hour one of them is
# not on the UTC day, so the old binary fails here whenever it runs.
printf '[snds.east]\ntype = link\ntimezone = Etc/GMT-14\n[snds.west]\ntype = link\ntimezone = Etc/GMT+12\n' >>"$cfg"
for z in east:Etc/GMT-14 west:Etc/GMT+12; do
	n=${z%%:*} tz=${z#*:}
	rw 0 "link set $n" snds link set "$n" --data-url "$BASE/link/data?key=$KEY" --status-url "$BASE/link/status?key=$KEY"
	expect_grep "$T_TMP/out" "issued $(TZ=$tz date +%F)\$" "$n: issued today in $tz"
	expect_sql "SELECT issued FROM repwatch.snds_source WHERE name = '$n'" "$(TZ=$tz date +%F)" "$n: stored issue day"
done

finish

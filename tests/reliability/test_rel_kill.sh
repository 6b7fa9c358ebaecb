#!/bin/bash
# test_rel_kill - "arf ingest" killed with SIGKILL at random points, then
# run to completion: every message stored exactly once (reports by content
# key, the rest in the message log), every message in its processed (or
# quarantine) folder, none lost. 15 trials on a Maildir (3 rounds of 5
# kills) and 10 on IMAP (a private Dovecot, 2 rounds of 5 kills), at
# least 20 of which must really interrupt a run. The points are printed;
# REL_KILL_SEED=N replays a sequence (on a machine of the same speed).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rel_lib.sh"
unset REPWATCH_CONFIG PGHOST PGDATABASE PGUSER
need_pg
RANDOM=${REL_KILL_SEED:-$$}
echo "# REL_KILL_SEED=${REL_KILL_SEED:-$$}"
count() { find "$1" -type f 2>/dev/null | wc -l; }
export REPWATCH_ARF_BATCH_SIZE=25

pg_init
# kill_trials N PROGRESS-FN ARGS... : N runs of repwatch ARGS, each killed
# at a random point: once PROGRESS-FN (messages done so far) reaches a
# random mark between where the run started and 60% of what was left, plus
# a random 0..29 ms. Independent of the machine's speed; prints the marks
# and counts in KILLED the runs SIGKILL really interrupted.
KILLED=0
TRIALS=0
kill_trials() {
	local n=$1 progress=$2 i at mark ms pid rc
	shift 2
	for i in $(seq "$n"); do
		at=$($progress)
		mark=$((at + RANDOM % ((N - at) * 6 / 10 + 1)))
		ms=$((RANDOM % 30))
		"$RW" -q "$@" >/dev/null 2>&1 &
		pid=$!
		while kill -0 "$pid" 2>/dev/null && [ "$($progress)" -lt "$mark" ]; do
			sleep 0.005
		done
		sleep "0.$(printf '%03d' "$ms")"
		kill -9 "$pid" 2>/dev/null || true
		rc=0
		wait "$pid" 2>/dev/null || rc=$?
		TRIALS=$((TRIALS + 1))
		if [ "$rc" = 137 ]; then
			KILLED=$((KILLED + 1))
			echo "# trial $TRIALS: SIGKILL at $mark of $N messages + $ms ms (from $at)"
		else
			echo "# trial $TRIALS: run ended (exit $rc) before SIGKILL at $mark + $ms ms"
		fi
	done
}
# verify DB N DESC : every message once in the database
verify_db() {
	local db=$1 n=$2 desc=$3 r l d
	r=$(psql -X -qAt -h "$REL_PG" -U postgres -d "$db" -c "SELECT count(*) FROM repwatch.arf_report")
	d=$(psql -X -qAt -h "$REL_PG" -U postgres -d "$db" -c "SELECT count(DISTINCT content_sha256) FROM repwatch.arf_report")
	l=$(psql -X -qAt -h "$REL_PG" -U postgres -d "$db" -c "SELECT count(*), count(DISTINCT content_sha256) FROM repwatch.arf_message_log")
	expect_eq "$r" "$d" "$desc: no report stored twice"
	expect_eq "$l" "$((n - r))|$((n - r))" "$desc: the other messages logged once each"
	expect_eq "$r" "$EXPECT_REPORTS" "$desc: every report stored"
}

# --- Maildir ---------------------------------------------------------------
N=3000   # enough left after each kill that the next run is still going when its SIGKILL comes
python3 "$REL_SRC/tests/bench/arf_gen.py" "$T_TMP/seed" "$N" --seed 9 >/dev/null
EXPECT_REPORTS=$((N - N / 7))   # every 7th generated message is a bounce
for round in 1 2 3; do
	db=kill_md_$round
	pq "CREATE DATABASE $db" >/dev/null
	md=$T_TMP/md$round
	cp -r "$T_TMP/seed" "$md"
	md_done() { echo $(($(count "$md/.Processed/cur") + $(count "$md/.Quarantine/cur"))); }
	kill_trials 5 md_done --db "host=$REL_PG user=postgres dbname=$db" arf ingest "$md"
	expect_status 0 "maildir round $round: ingest completes" \
		"$RW" -q --db "host=$REL_PG user=postgres dbname=$db" arf ingest "$md"
	verify_db "$db" "$N" "maildir round $round"
	expect_eq "$(($(count "$md/.Processed/cur") + $(count "$md/.Quarantine/cur")))" "$N" "maildir round $round: every message moved"
	expect_eq "$(($(count "$md/new") + $(count "$md/cur")))" 0 "maildir round $round: none left"
	expect_eq "$(count "$md/tmp")" 0 "maildir round $round: no stray tmp files"
done

# --- IMAP --------------------------------------------------------------------
if ! command -v dovecot >/dev/null || ! command -v curl >/dev/null; then
	nok "dovecot or curl missing: IMAP trials not run"
	finish
	exit
fi
dovecot_start fbl "imap-pass" || { nok "dovecot did not start"; tail "$T_TMP/imap/dovecot.log"; finish; exit; }
printf 'imap-pass\n' >"$T_TMP/pw"
chmod 600 "$T_TMP/pw"
N=1000
python3 "$REL_SRC/tests/bench/arf_gen.py" "$T_TMP/iseed" "$N" --seed 4 >/dev/null
EXPECT_REPORTS=$((N - N / 7))   # every 7th generated message is a bounce
for round in 1 2; do
	db=kill_imap_$round
	folder=Feed$round
	pq "CREATE DATABASE $db" >/dev/null
	curl -s "$IMAP/" -u fbl:imap-pass -X "CREATE $folder" >/dev/null
	# deliver straight into Dovecot's Maildir: it assigns the UIDs
	cp "$T_TMP"/iseed/new/* "$IMAP_MAILDIR/.$folder/new/"
	chown -R "$REL_USER:" "$IMAP_MAILDIR"
	expect_eq "$(imap_count fbl imap-pass "$folder")" "$N" "imap round $round: $N messages delivered"
	cat >"$T_TMP/imap$round.conf" <<CONF
[mailbox.feed]
url = $IMAP/$folder
user = fbl
password_file = $T_TMP/pw
processed = Done$round
quarantine = Bad$round
# small fetches: more batch boundaries to be killed at, and a run long
# enough for the kill to land before its end
fetch_batch = 5
CONF
	chmod 600 "$T_TMP/imap$round.conf"
	imap_done() { psql -X -qAt -h "$REL_PG" -U postgres -d "$db" -c "SELECT (SELECT count(*) FROM repwatch.arf_report) + (SELECT count(*) FROM repwatch.arf_message_log)" 2>/dev/null || echo 0; }
	kill_trials 5 imap_done --config "$T_TMP/imap$round.conf" --db "host=$REL_PG user=postgres dbname=$db" arf ingest feed
	expect_status 0 "imap round $round: ingest completes" \
		"$RW" -q --config "$T_TMP/imap$round.conf" --db "host=$REL_PG user=postgres dbname=$db" arf ingest feed
	verify_db "$db" "$N" "imap round $round"
	expect_eq "$(($(imap_count fbl imap-pass "Done$round") + $(imap_count fbl imap-pass "Bad$round")))" "$N" "imap round $round: every message moved"
	expect_eq "$(imap_count fbl imap-pass "$folder")" 0 "imap round $round: none left"
done
[ "$KILLED" -ge 20 ] && ok "$KILLED of $TRIALS runs interrupted by SIGKILL (at least 20)" ||
	nok "only $KILLED of $TRIALS runs interrupted by SIGKILL (want at least 20)"
finish

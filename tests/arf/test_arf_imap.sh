#!/bin/bash
# test_arf_imap - IMAP ingest against a real Dovecot started here on
# 127.0.0.1 with a private configuration: a named [mailbox.NAME] source
# with a password file, moves to Processed/Quarantine only after commit
# (database down: exit 75, nothing moved), a UIDVALIDITY change handled,
# and batching: 250 messages and one over [arf] max_message_bytes with
# fetch_batch = 100 take 3 size and 3 body UID FETCH commands (counted in
# Dovecot's rawlog), the large one is read only up to the limit and
# quarantined, everything is stored once and moved; fetch_max_bytes splits
# the bodies into more commands; a connection dropped or gone silent in
# the middle of a FETCH (a proxy) is opened again and the run completes;
# a folder renumbered meanwhile stops the run (75) and is read next time.
set -euo pipefail
src=${REPWATCH_SRC:-$(pwd)}
bin=${REPWATCH_BIN:?REPWATCH_BIN not set}
fix=$src/tests/fixtures/arf
. "$src/tests/dovecot.sh"

if [ -z "${PGHOST:-}" ]; then
	[ "${REPWATCH_TEST_REQUIRE_DB:-0}" = 1 ] && { echo "no PostgreSQL" >&2; exit 1; }
	echo "PGHOST unset; skipping"; exit 77
fi
if ! command -v dovecot >/dev/null || ! command -v curl >/dev/null; then
	echo "dovecot or curl missing; skipping"; exit 77
fi
work=$(mktemp -d "${REPWATCH_TEST_TMP:-/tmp}/arf-imap.XXXXXX")
chmod 755 "$work"
db=arf_imap_$$_$RANDOM
createdb "$db"
user=$(id -un)
if [ "$(id -u)" = 0 ]; then
	# Dovecot will not run mail processes as root: use the cluster user
	id repwatch >/dev/null 2>&1 || { echo "no user repwatch; skipping"; exit 77; }
	user=repwatch
fi
mkdir -p "$work/run" "$work/home"
chown "$user:" "$work/home"
proxy_pid=
cleanup() {
	[ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null || true
	[ -f "$work/run/master.pid" ] && kill "$(cat "$work/run/master.pid")" 2>/dev/null || true
	dropdb --if-exists "$db" >/dev/null 2>&1 || true
	sleep 0.2
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/dovecot.log" ] && tail -5 "$work/dovecot.log" >&2; exit 1; }
want() { [ "$2" = "$3" ] || fail "$1: got $2, want $3"; }

port=$((20000 + RANDOM % 20000))
dovecot_conf "$work" "$user" "$port" "arf-test-$$"
# rawlog: every command of every session in $work/rawlog/*.in
mkdir -p "$work/rawlog"
chown "$user:" "$work/rawlog"
cat >>"$work/dovecot.conf" <<CONF
protocol imap {
  rawlog_dir = $work/rawlog
}
CONF
echo "fbl:{PLAIN}s3cret" >"$work/passwd"
chmod 644 "$work/passwd"
dovecot -c "$work/dovecot.conf" || fail "dovecot did not start"
srv="imap://127.0.0.1:$port"
for i in $(seq 50); do
	curl -s "$srv/" -u fbl:s3cret -X NOOP >/dev/null 2>&1 && break
	sleep 0.1
done
imap() { curl -s "$srv/$1" -u fbl:s3cret "${@:2}"; }
messages() { imap "" -X "STATUS $1 (MESSAGES)" | sed -n 's/.*MESSAGES \([0-9]*\).*/\1/p'; }
append() { imap "$1" -T "$2" || fail "APPEND $2 to $1"; }

printf 's3cret\n' >"$work/pw"
chmod 600 "$work/pw"
cat >"$work/repwatch.conf" <<CONF
[mailbox.fbl]
url = $srv/INBOX
user = fbl
password_file = $work/pw
processed = Processed
quarantine = Quarantine
CONF
rw() { "$bin" -q --config "$work/repwatch.conf" --db "dbname=$db" "$@"; }
q() { psql -X -At -d "$db" -c "$1"; }

for f in arf-basic jmrp-legacy yahoo-no-source-ip bounce-dsn deep-nesting; do
	append INBOX "$fix/$f.eml"
done

# database down: temporary failure, nothing moved
set +e
"$bin" -q --config "$work/repwatch.conf" --db "host=$work/nowhere dbname=x connect_timeout=2" arf ingest fbl >/dev/null 2>&1
rc=$?
set -e
want "exit status, database down" "$rc" 75
want "INBOX untouched" "$(messages INBOX)" 5

rw arf ingest fbl >/dev/null || fail "ingest exit $?"
want "reports" "$(q "SELECT count(*) FROM repwatch.arf_report WHERE mailbox = 'fbl'")" 3
want "not a report" "$(q "SELECT count(*) FROM repwatch.arf_message_log WHERE outcome = 'not-a-report'")" 1
want "quarantine row" "$(q "SELECT count(*) FROM repwatch.arf_quarantine WHERE location LIKE 'INBOX UID %'")" 1
want "INBOX after ingest" "$(messages INBOX)" 0
want "Processed" "$(messages Processed)" 4
want "Quarantine" "$(messages Quarantine)" 1
want "checkpoint uid" "$(q "SELECT last_uid FROM repwatch.mailbox_progress WHERE mailbox = 'fbl'")" 5

# new mail continues after the stored UID; a re-delivered copy is a duplicate
append INBOX "$fix/zoho.eml"
append INBOX "$fix/arf-basic.eml"
out=$(rw arf ingest fbl)
case "$out" in *"2 messages, 1 complaints stored (1 reports), 1 duplicates"*) ;; *) fail "second run: $out" ;; esac

# a crash between commit and move leaves a stored message below the
# checkpoint UID in INBOX: the next run reads it (a duplicate) and moves it
append INBOX "$fix/jmrp-legacy.eml"
q "UPDATE repwatch.mailbox_progress SET last_uid = 1000 WHERE mailbox = 'fbl'" >/dev/null
out=$(rw arf ingest fbl)
case "$out" in *"1 messages, 0 complaints stored (0 reports), 1 duplicates"*) ;; *) fail "leftover: $out" ;; esac
want "INBOX after leftover" "$(messages INBOX)" 0

# UIDVALIDITY change: a recreated folder restarts at UID 1
imap "" -X "CREATE Feed" >/dev/null
append Feed "$fix/aol-scomp.eml"
append Feed "$fix/comcast-own.eml"
append Feed "$fix/mailru.eml"
url_feed="$srv/Feed"
cat >>"$work/repwatch.conf" <<CONF
[mailbox.feed]
url = $url_feed
user = fbl
password_file = $work/pw
processed = Processed
quarantine = Quarantine
CONF
rw arf ingest feed >/dev/null
want "feed checkpoint" "$(q "SELECT last_uid FROM repwatch.mailbox_progress WHERE mailbox = 'feed'")" 3
imap "" -X "DELETE Feed" >/dev/null
sleep 1   # Dovecot derives UIDVALIDITY from the clock
imap "" -X "CREATE Feed" >/dev/null
append Feed "$fix/ses-relay.eml"
append Feed "$fix/aol-scomp.eml"
out=$(rw arf ingest feed 2>&1)
case "$out" in *"UIDVALIDITY changed"*) ;; *) fail "no UIDVALIDITY warning: $out" ;; esac
case "$out" in *"2 messages, 1 complaints stored (1 reports), 1 duplicates"*) ;; *) fail "after UIDVALIDITY change: $out" ;; esac
want "Feed emptied" "$(messages Feed)" 0

# batching: 250 generated messages (every 7th a bounce) and one of 900 KB
n=250
python3 "$src/tests/bench/arf_gen.py" "$work/gen" "$n" --seed 3 >/dev/null
{
	cat "$fix/arf-basic.eml"
	for i in $(seq 16384); do echo "padding line $i of a message far over the limit ....."; done
} >"$work/big.eml"
deliver() {   # deliver FOLDER: the 251 messages, straight into the Maildir
	imap "" -X "CREATE $1" >/dev/null
	cp "$work"/gen/new/* "$work/big.eml" "$work/home/fbl/Maildir/.$1/new/"
	chown -R "$user:" "$work/home/fbl/Maildir"
	want "$1 delivered" "$(messages "$1")" $((n + 1))
}
bulk_conf() {   # bulk_conf NAME FOLDER KEY=VALUE...
	printf '[arf]\nmax_message_bytes = 65536\n[mailbox.%s]\nurl = %s\nuser = fbl\npassword_file = %s\nprocessed = Done\nquarantine = Bad\n' \
		"$1" "$srv/$2" "$work/pw"
	shift 2
	printf '%s\n' "$@"
}
# fetches SIZES BODIES: UID FETCH commands of the sessions since the last call
fetches() {
	local f=$work/rawlog.in
	cat "$work"/rawlog/*.in >"$f" 2>/dev/null || : >"$f"
	rm -f "$work"/rawlog/*
	grep -c 'UID FETCH [0-9:,]* (UID RFC822.SIZE)' "$f" | tr -d '\n'
	echo -n " $(grep -c 'UID FETCH .*BODY.PEEK\[\]<0.65537>' "$f")"
}
deliver Bulk
bulk_conf bulk Bulk "fetch_batch = 100" >"$work/bulk.conf"
rm -f "$work"/rawlog/*
"$bin" -q --config "$work/bulk.conf" --db "dbname=$db" arf ingest bulk >/dev/null || fail "bulk ingest exit $?"
out_bytes=$(cat "$work"/rawlog/*.out 2>/dev/null | wc -c)
want "size and body fetches, 251 messages, fetch_batch 100" "$(fetches)" "3 3"
reports=$((n - n / 7))
want "bulk reports" "$(q "SELECT count(*) FROM repwatch.arf_report WHERE mailbox = 'bulk'")" "$reports"
want "bulk reports stored once" "$(q "SELECT count(DISTINCT content_sha256) FROM repwatch.arf_report WHERE mailbox = 'bulk'")" "$reports"
want "bulk large one quarantined, its real size, 64 KiB read" "$(q "SELECT regexp_replace(location, '[0-9]+$', 'N'), size >= $(stat -c %s "$work/big.eml"), length(raw) <= 65537 FROM repwatch.arf_quarantine WHERE mailbox = 'bulk'")" "Bulk UID N|t|t"
want "Bulk emptied" "$(messages Bulk)" 0
want "Done" "$(messages Done)" "$n"
want "Bad" "$(messages Bad)" 1
sum=$(cat "$work"/gen/new/* | wc -c)
# the server sent the 250 and 64 KiB of the large one, not its 900 KB
# (the rawlog adds a time stamp to each line)
[ "$out_bytes" -lt $((sum + 500000)) ] || fail "bulk: $out_bytes bytes from the server for $sum + 64 KiB"
out=$("$bin" -q --config "$work/bulk.conf" --db "dbname=$db" arf ingest bulk) || fail "bulk second run exit $?"
case "$out" in *"bulk: 0 messages"*) ;; *) fail "bulk second run: $out" ;; esac

# fetch_max_bytes: the bodies of the same messages in more, smaller fetches
deliver Bulk2
bulk_conf bulk2 Bulk2 "fetch_batch = 100" "fetch_max_bytes = 65536" >"$work/bulk2.conf"
rm -f "$work"/rawlog/*
before=$(q "SELECT (SELECT count(*) FROM repwatch.arf_report) + (SELECT count(*) FROM repwatch.arf_message_log)")
out=$("$bin" -q --config "$work/bulk2.conf" --db "dbname=$db" arf ingest bulk2) || fail "bulk2 ingest exit $?"
case "$out" in *"251 messages, 0 complaints stored"*) ;; *) fail "bulk2: $out" ;; esac
read -r sizes bodies <<<"$(fetches)"
want "bulk2 size fetches" "$sizes" 3
echo "# fetch_max_bytes 65536: $bodies body fetches for $sum bytes"
[ "$bodies" -ge $(((sum + 65535) / 65536)) ] || fail "bulk2: $bodies body fetches for $sum bytes under a 64 KiB ceiling"
want "bulk2 Done" "$(messages Done)" $((2 * n))
want "bulk2 stored nothing twice" "$(q "SELECT (SELECT count(*) FROM repwatch.arf_report) + (SELECT count(*) FROM repwatch.arf_message_log)")" "$before"
want "bulk2 Bad" "$(messages Bad)" 2

# a proxy that breaks the first connection after 20000 bytes from the
# server (mid-FETCH): "drop" closes it, "stall" stops forwarding
cat >"$work/proxy.py" <<'PY'
import socket, sys, threading
lport, tport, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", lport))
ls.listen(8)
open(sys.argv[4], "w").close()
def close(*socks):
    for s in socks:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
def pipe(a, b, limit):
    sent = 0
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            if limit is not None and sent + len(d) > limit:
                b.sendall(d[:limit - sent])
                if mode == "stall":
                    open(sys.argv[4] + ".stalled", "w").close()
                    threading.Event().wait()
                break
            b.sendall(d)
            sent += len(d)
    except OSError:
        pass
    close(a, b)
first = True
while True:
    c, _ = ls.accept()
    s = socket.create_connection(("127.0.0.1", tport))
    threading.Thread(target=pipe, args=(s, c, 20000 if first else None), daemon=True).start()
    threading.Thread(target=pipe, args=(c, s, None), daemon=True).start()
    first = False
PY
for mode in drop stall; do
	pport=$((port + 1 + RANDOM % 1000))
	rm -f "$work/proxy.ready"
	python3 "$work/proxy.py" "$pport" "$port" "$mode" "$work/proxy.ready" &
	proxy_pid=$!
	for _ in $(seq 50); do [ -f "$work/proxy.ready" ] && break; sleep 0.1; done
	deliver "Via$mode"
	{ bulk_conf "via$mode" "Via$mode" "fetch_batch = 100" "timeout = 2"; } |
		sed "s|$srv/|imap://127.0.0.1:$pport/|" >"$work/via.conf"
	out=$("$bin" -vv --config "$work/via.conf" --db "dbname=$db" arf ingest "via$mode" 2>"$work/via.log") ||
		{ cat "$work/via.log" >&2; fail "$mode: ingest exit $?"; }
	grep -q "connecting again" "$work/via.log" || fail "$mode: no reconnect in the log"
	grep "connecting again" "$work/via.log" | sed 's/^/# /'
	case "$out" in *"251 messages, 0 complaints stored"*) ;; *) fail "$mode: $out" ;; esac
	want "$mode: Via$mode emptied" "$(messages "Via$mode")" 0
	kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true
	proxy_pid=
done
want "after the proxies: Done" "$(messages Done)" $((4 * n))
want "after the proxies: Bad" "$(messages Bad)" 4

# the folder renumbered while the connection is stalled mid-FETCH: the
# reconnect finds another UIDVALIDITY, the run stops (75) with nothing
# moved; the next run reads the new folder
pport=$((port + 1 + RANDOM % 1000))
rm -f "$work/proxy.ready" "$work/proxy.ready.stalled"
python3 "$work/proxy.py" "$pport" "$port" stall "$work/proxy.ready" &
proxy_pid=$!
for _ in $(seq 50); do [ -f "$work/proxy.ready" ] && break; sleep 0.1; done
deliver Renum
bulk_conf renum Renum "timeout = 4" | sed "s|$srv/|imap://127.0.0.1:$pport/|" >"$work/renum.conf"
"$bin" -v --config "$work/renum.conf" --db "dbname=$db" arf ingest renum >/dev/null 2>"$work/renum.log" &
rw_pid=$!
for _ in $(seq 100); do [ -f "$work/proxy.ready.stalled" ] && break; sleep 0.05; done
[ -f "$work/proxy.ready.stalled" ] || fail "renumber: the proxy never stalled"
imap "" -X "DELETE Renum" >/dev/null
sleep 1   # Dovecot derives UIDVALIDITY from the clock
imap "" -X "CREATE Renum" >/dev/null
append Renum "$fix/zoho.eml"
append Renum "$fix/mailru.eml"
rc=0
wait "$rw_pid" || rc=$?
want "renumbered mid-run: exit status" "$rc" 75
grep -q "UIDVALIDITY changed from .* during the run" "$work/renum.log" || { cat "$work/renum.log" >&2; fail "renumber: no UIDVALIDITY message"; }
grep "UIDVALIDITY" "$work/renum.log" | sed 's/^/# /'
want "renumbered mid-run: nothing moved" "$(messages Renum)" 2
"$bin" -q --config "$work/renum.conf" --db "dbname=$db" arf ingest renum >/dev/null || fail "renumber: second run exit $?"
want "renumbered: new folder read" "$(messages Renum)" 0
kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true
proxy_pid=
echo ok

#!/bin/bash
# test_rel_secrets - every command, at -vvv, with secret-bearing
# configuration (SNDS link keys, an OAuth refresh token in state_dir, IMAP
# passwords, a database password in the conninfo), succeeding and failing,
# on stderr and on syslog (a private /dev/log in a mount namespace when
# root; else stderr only, said in the output): no secret in stdout, stderr,
# syslog, the fetch log, the database (pg_dump --data-only) or state_dir
# outside the token file. Secret files are created 0600 and refused when
# group or others can read them.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rel_lib.sh"
unset REPWATCH_CONFIG PGHOST PGDATABASE PGUSER
need_pg
SECRETS='S3CRET|RT-SECRET|AT-SECRET'
pg_init
pq "CREATE DATABASE rel" >/dev/null
# a role that really needs its password (scram over the Unix socket)
pq "SET password_encryption = 'scram-sha-256'; CREATE ROLE rwuser LOGIN PASSWORD 'DBPW-S3CRET-pg'; ALTER DATABASE rel OWNER TO rwuser" >/dev/null
sed -i '1i local all rwuser scram-sha-256' "$REL_PG/pg_hba.conf"
pq "SELECT pg_reload_conf()" >/dev/null
http_start
IMAP=
if command -v dovecot >/dev/null && dovecot_start fbl 'IMAP-PW-S3CRET'; then
	cp "$REL_SRC"/tests/fixtures/arf/{arf-basic,zoho,jmrp-legacy}.eml "$IMAP_MAILDIR/new/"
	chown -R "$REL_USER:" "$IMAP_MAILDIR"
else
	nok "dovecot did not start: IMAP password not exercised"
	IMAP=imap://127.0.0.1:1
fi
state=$T_TMP/state
mkdir -p "$state/tokens"
chmod 700 "$state" "$state/tokens"
tok=$state/tokens/api.json
printf '{"refresh_token":"RT-SECRET-0-initial","saved_at":1700000000}' >"$tok"
chmod 600 "$tok"
printf 'IMAP-PW-S3CRET\n' >"$T_TMP/imap.pw"
chmod 600 "$T_TMP/imap.pw"
cfg=$T_TMP/repwatch.conf
link() { # link NAME MODE
	cat <<CONF
[snds.$1]
type = link
data_url = $BASE/$2/data?key=LINKKEY-S3CRET-$1
status_url = $BASE/ok/status?key=LINKKEY-S3CRET-$1
issued = $(date +%F)
timeout = 3
retries = 1
retry_delay_ms = 10
CONF
}
{
	echo "[paths]"
	echo "state_dir = $state"
	echo "[database]"
	echo "conninfo = host=$REL_PG user=rwuser dbname=rel password=DBPW-S3CRET-pg"
	link main ok
	link down e503
	link html html
	cat <<CONF
[snds.api]
type = api
api_base = $BASE
authorize_url = $BASE/oauth/authorize
token_url = $BASE/oauth/token
timeout = 3
retries = 0
[mailbox.imap]
url = $IMAP/INBOX
user = fbl
password = IMAP-PW-S3CRET
processed = Done
quarantine = Bad
timeout = 5
[mailbox.imapfile]
url = $IMAP/INBOX
user = fbl
password_file = $T_TMP/imap.pw
timeout = 5
[mailbox.badpw]
url = $IMAP/INBOX
user = fbl
password = IMAP-PW-S3CRET-wrong
timeout = 5
CONF
} >"$cfg"
chmod 600 "$cfg"

# syslog: a datagram socket bound as /dev/log in a private mount namespace
SYSLOG=$T_TMP/syslog
: >"$SYSLOG"
FAKEDEV=$T_TMP/dev
syslog_ok=0
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	mkdir -p "$FAKEDEV"
	python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1] + "/log")
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")' "$FAKEDEV" "$SYSLOG" &
	REL_PIDS+=($!)
	for _ in $(seq 100); do [ -S "$FAKEDEV/log" ] && break; sleep 0.05; done
	if unshare -m sh -c 'for n in null zero urandom random; do touch "$0/$n"; mount --bind /dev/$n "$0/$n"; done; mount --rbind "$0" /dev && logger -t rel probe' "$FAKEDEV" 2>/dev/null &&
		sleep 0.2 && grep -q probe "$SYSLOG"; then
		syslog_ok=1
	fi
fi
[ "$syslog_ok" = 1 ] && ok "syslog captured through a private /dev/log" ||
	echo "# syslog not captured here (needs root and unshare): stderr only"

ALL=$T_TMP/all
: >"$ALL"
# run WANT ARGS... : repwatch -vvv ARGS on stderr, then on syslog
run() {
	local want=$1
	shift
	expect_status "$want" "-vvv $* (stderr)" "$RW" -vvv --config "$cfg" "$@"
	cat "$T_TMP/out" "$T_TMP/err" >>"$ALL"
	if [ "$syslog_ok" = 1 ]; then
		unshare -m sh -c 'for n in null zero urandom random; do mount --bind /dev/$n "$0/$n"; done; mount --rbind "$0" /dev && exec "$@"' \
			"$FAKEDEV" "$RW" -vvv --log syslog --config "$cfg" "$@" >>"$ALL" 2>&1 || true
	fi
}
any() { # any ARGS... : exit status not asserted (state-dependent commands)
	"$RW" -vvv --config "$cfg" "$@" >>"$ALL" 2>&1 || true
	if [ "$syslog_ok" = 1 ]; then
		unshare -m sh -c 'for n in null zero urandom random; do mount --bind /dev/$n "$0/$n"; done; mount --rbind "$0" /dev && exec "$@"' \
			"$FAKEDEV" "$RW" -vvv --log syslog --config "$cfg" "$@" >>"$ALL" 2>&1 || true
	fi
}

run 0 config check
run 0 config show
run 0 config show --all
run 0 config keys
run 0 db migrate
run 0 db status
any db url
run 0 snds fetch --source main --date 2026-03-02
run 75 snds fetch --source down --date 2026-03-02
run 69 snds fetch --source html --date 2026-03-02
run 0 snds fetch --source api --date 2026-03-02
run 0 snds links
any snds show
any snds status
python3 "$REL_SRC/tests/bench/snds_gen.py" "$T_TMP/s.csv" 50 >/dev/null
run 0 snds load --source main "$T_TMP/s.csv"
run 0 snds link set main --data-url "$BASE/ok/data?key=LINKKEY-S3CRET-set" --status-url "$BASE/ok/status?key=LINKKEY-S3CRET-set" --issued "$(date +%F)"
run 0 snds fetch --source main --date 2026-03-03
run 75 arf ingest badpw
run 0 arf ingest imap
run 0 arf ingest imapfile
any arf stats
run 0 arf parse --json "$REL_SRC/tests/fixtures/arf/arf-basic.eml"
any analyze
any alerts
# failures of the configuration and of the database
expect_status 75 "database unreachable (password in --db)" "$RW" -vvv --config "$cfg" \
	--db "host=$T_TMP/nowhere user=rwuser dbname=rel password=DBPW-S3CRET-cli connect_timeout=2" db status
cat "$T_TMP/out" "$T_TMP/err" >>"$ALL"
expect_status 75 "wrong database password" "$RW" -vvv --config "$cfg" \
	--db "host=$REL_PG user=rwuser dbname=rel password=DBPW-S3CRET-bad" db status
cat "$T_TMP/out" "$T_TMP/err" >>"$ALL"
expect_status 78 "bad issue date next to a link from the environment" env \
	REPWATCH_SNDS_MAIN_DATA_URL="$BASE/ok/data?key=LINKKEY-S3CRET-env" \
	REPWATCH_SNDS_MAIN_ISSUED=notadate "$RW" -vvv --config "$cfg" config show
cat "$T_TMP/out" "$T_TMP/err" >>"$ALL"
any --db "postgresql://rwuser:DBPW-S3CRET-uri@nowhere.invalid/rel?connect_timeout=2" db status

[ "$(wc -l <"$ALL")" -gt 100 ] && ok "outputs collected ($(wc -l <"$ALL") lines)" || nok "too little output collected"
expect_no_grep "$ALL" "$SECRETS" "no secret in stdout or stderr of any run"
if [ "$syslog_ok" = 1 ]; then
	[ "$(wc -l <"$SYSLOG")" -gt 20 ] && ok "syslog lines collected ($(wc -l <"$SYSLOG"))" || nok "no syslog lines"
	expect_no_grep "$SYSLOG" "$SECRETS" "no secret in syslog"
fi

# the database: the fetch log, then everything
q "SELECT * FROM repwatch.snds_fetch_log" >"$T_TMP/fetchlog"
[ -s "$T_TMP/fetchlog" ] && ok "fetch log has rows" || nok "fetch log empty"
expect_no_grep "$T_TMP/fetchlog" "$SECRETS" "no secret in the fetch log"
"$PGBIN/pg_dump" -h "$REL_PG" -U postgres --data-only rel >"$T_TMP/dump" 2>/dev/null ||
	pg_dump -h "$REL_PG" -U postgres --data-only rel >"$T_TMP/dump"
[ "$(wc -l <"$T_TMP/dump")" -gt 50 ] && ok "database dumped" || nok "database dump empty"
# "snds link set" stores its links sealed (rw_seal): not even they show
expect_no_grep "$T_TMP/dump" "$SECRETS" "no secret in the database (pg_dump --data-only), stored links included"
q "SELECT count(*) FROM repwatch.snds_source WHERE data_url LIKE 'sealed:v1:%'" >"$T_TMP/sealed"
expect_eq "$(cat "$T_TMP/sealed")" 1 "the stored links are there, sealed"
grep -rlE "$SECRETS" "$state" 2>/dev/null | grep -v "^$state/tokens/" >"$T_TMP/state-hits" || true
expect_eq "$(wc -l <"$T_TMP/state-hits")" 0 "no secret in state_dir outside tokens/"

# secret files: created 0600, refused when others can read them
expect_eq "$(stat -c %a "$tok")" 600 "rotated token file is 0600"
expect_eq "$(stat -c %a "$state/tokens")" 700 "tokens directory is 0700"
bad=$(find "$state/raw" -type f ! -perm 600 | wc -l)
expect_eq "$bad" 0 "raw report copies are 0600"
chmod 644 "$cfg"
expect_status 78 "configuration with secrets, mode 0644: refused" "$RW" --config "$cfg" config check
expect_grep "$T_TMP/err" "accessible by group or others" "says why"
chmod 640 "$cfg"
expect_status 78 "configuration with secrets, mode 0640: refused" "$RW" --config "$cfg" config check
chmod 600 "$cfg"
chmod 644 "$tok"
expect_status 78 "token file mode 0644: refused" "$RW" --config "$cfg" snds fetch --source api --date 2026-03-04
expect_grep "$T_TMP/err" "token file .* accessible by group or others" "names the token file"
chmod 600 "$tok"
chmod 604 "$T_TMP/imap.pw"
expect_status 78 "IMAP password file mode 0604: refused" "$RW" --config "$cfg" arf ingest imapfile
expect_grep "$T_TMP/err" "accessible by group or others" "names the password file"
chmod 600 "$T_TMP/imap.pw"
finish

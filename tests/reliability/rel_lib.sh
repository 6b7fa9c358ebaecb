# rel_lib.sh - helpers of the reliability tests, sourced after tests/lib.sh:
# a private PostgreSQL each test may stop and start (the shared one of
# scripts/test.sh is never touched), a private Dovecot on 127.0.0.1 and
# the misbehaving HTTP server fault_http.py. Everything started here is
# stopped by rel_cleanup (installed as the EXIT trap).
REL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REL_SRC=${REPWATCH_SRC:-$(cd "$REL_DIR/../.." && pwd)}
. "$REL_DIR/../dovecot.sh"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
REL_RUNAS=()
REL_USER=$(id -un)
if [ "$(id -u)" = 0 ]; then
	REL_RUNAS=(runuser -u repwatch --)
	REL_USER=repwatch
fi
REL_PIDS=()
REL_PG=
REL_DOVECOT=

rel_cleanup() {
	local p
	for p in "${REL_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -n "$REL_DOVECOT" ] && [ -f "$REL_DOVECOT/run/master.pid" ] &&
		kill "$(cat "$REL_DOVECOT/run/master.pid")" 2>/dev/null
	[ -n "$REL_PG" ] && [ -f "$REL_PG/postmaster.pid" ] &&
		"${REL_RUNAS[@]}" "$PGBIN/pg_ctl" -D "$REL_PG" -m immediate -w \
			stop >/dev/null 2>&1
	wait 2>/dev/null
	rm -rf "$T_TMP"
}
trap rel_cleanup EXIT

# pg_init : a private cluster in $T_TMP/pg (Unix socket only), started;
# sets PGCONN (a conninfo for repwatch) and leaves PG* of the shared one
pg_init() {
	REL_PG=$T_TMP/pg
	mkdir -p "$REL_PG"
	chmod 700 "$REL_PG"
	[ "$(id -u)" = 0 ] && chown repwatch: "$REL_PG"
	"${REL_RUNAS[@]}" "$PGBIN/initdb" -D "$REL_PG" -U postgres -A trust \
		-E UTF8 --locale=C --no-sync >/dev/null
	cat >>"$REL_PG/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$REL_PG'
fsync = off
timezone = 'UTC'
CONF
	pg_start
	PGCONN="host=$REL_PG user=postgres dbname=postgres connect_timeout=3"
}
pg_start() {
	"${REL_RUNAS[@]}" "$PGBIN/pg_ctl" -D "$REL_PG" -l "$REL_PG/log" -w \
		start >/dev/null
}
# pg_stop [MODE] : fast (default) or immediate, as an administrator would
pg_stop() {
	"${REL_RUNAS[@]}" "$PGBIN/pg_ctl" -D "$REL_PG" -m "${1:-fast}" -w \
		stop >/dev/null
}
pq() { psql -X -qAt -h "$REL_PG" -U postgres -d postgres -c "$1"; }
# q SQL : a statement in the private cluster's database "rel"
q() { psql -X -qAt -h "$REL_PG" -U postgres -d rel -c "$1"; }
# rel_db : need_pg, pg_init, and a database "rel" in it; sets DB (repwatch's
# conninfo for it)
rel_db() {
	need_pg
	pg_init
	pq "CREATE DATABASE rel" >/dev/null
	DB="host=$REL_PG user=postgres dbname=rel connect_timeout=3"
}

# http_start [ARGS] : fault_http.py on 127.0.0.1; sets BASE
http_start() {
	rm -f "$T_TMP/http.port"
	python3 "$REL_DIR/fault_http.py" --port-file "$T_TMP/http.port" "$@" &
	REL_PIDS+=($!)
	for _ in $(seq 100); do [ -s "$T_TMP/http.port" ] && break; sleep 0.05; done
	BASE=http://127.0.0.1:$(cat "$T_TMP/http.port")
}

# closed_port : a 127.0.0.1 port nobody listens on (bound, then released)
closed_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# dovecot_start USER PASSWORD : a private Dovecot (IMAP on 127.0.0.1,
# plain login, Maildir under $T_TMP/imap/home/USER); sets IMAP (server URL)
# and IMAP_MAILDIR (the user's Maildir, to drop messages in directly)
dovecot_start() {
	local w=$T_TMP/imap user=$1 pass=$2 port
	REL_DOVECOT=$w
	mkdir -p "$w/run" "$w/home/$user/Maildir"/{new,cur,tmp}
	chmod 755 "$w"
	port=$(closed_port)
	dovecot_conf "$w" "$REL_USER" "$port" "rel-test-$$"
	echo "$user:{PLAIN}$pass" >"$w/passwd"
	chmod 644 "$w/passwd"
	chown -R "$REL_USER:" "$w/home"
	dovecot -c "$w/dovecot.conf" || return 1
	IMAP="imap://127.0.0.1:$port"
	IMAP_MAILDIR=$w/home/$user/Maildir
	for _ in $(seq 50); do
		curl -s "$IMAP/" -u "$user:$pass" -X NOOP >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
# imap_count USER PASS FOLDER : messages in FOLDER (0 when it does not exist)
imap_count() {
	local n
	n=$(curl -s "$IMAP/" -u "$1:$2" -X "STATUS $3 (MESSAGES)" |
		sed -n 's/.*MESSAGES \([0-9]*\).*/\1/p')
	echo "${n:-0}"
}

# expect_eq GOT WANT DESC
expect_eq() {
	if [ "$1" = "$2" ]; then ok "$3"; else nok "$3: got '$1', want '$2'"; fi
}
# need_db : skip (or fail in CI) without PostgreSQL binaries
need_pg() {
	if [ ! -x "$PGBIN/initdb" ]; then
		if [ "${REPWATCH_TEST_REQUIRE_DB:-0}" = 1 ]; then
			echo "FAIL - no PostgreSQL in $PGBIN"; exit 1
		fi
		echo "skip: no PostgreSQL"; exit 77
	fi
}

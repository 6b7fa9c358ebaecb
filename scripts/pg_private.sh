# pg_private.sh - sourced by scripts/test.sh and tests/bench/run_all.sh: a
# throw-away PostgreSQL 15 in a directory, socket only, run as the
# unprivileged "repwatch" user when we are root (initdb refuses root).

PG_PRIVATE_BIN=/usr/lib/postgresql/15/bin
PG_PRIVATE_RUNAS=()
[ "$(id -u)" = 0 ] && PG_PRIVATE_RUNAS=(runuser -u repwatch --)

# pg_private_start DIR [SETTING...] : initdb DIR, append the settings, start,
# and export PGHOST/PGUSER/PGDATABASE; prints the server log on failure
pg_private_start() {
	local dir=$1
	shift
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown repwatch: "$dir"
	"${PG_PRIVATE_RUNAS[@]}" "$PG_PRIVATE_BIN/initdb" -D "$dir" -U postgres \
		-A trust -E UTF8 --locale=C --no-sync >/dev/null || return 1
	{
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$dir'"
		echo "fsync = off"
		echo "synchronous_commit = off"
		echo "full_page_writes = off"
		echo "timezone = 'UTC'"
		printf '%s\n' "$@"
	} >>"$dir/postgresql.conf"
	if ! "${PG_PRIVATE_RUNAS[@]}" "$PG_PRIVATE_BIN/pg_ctl" -D "$dir" \
		-l "$dir/server.log" -w start >/dev/null; then
		echo "PostgreSQL did not start; its log:" >&2
		cat "$dir/server.log" >&2
		return 1
	fi
	export PGHOST=$dir PGUSER=postgres PGDATABASE=postgres
}

# pg_private_stop DIR : stop the server if it runs (also after a failure)
pg_private_stop() {
	[ -f "$1/postmaster.pid" ] || return 0
	"${PG_PRIVATE_RUNAS[@]}" "$PG_PRIVATE_BIN/pg_ctl" -D "$1" -m fast -w stop \
		>/dev/null 2>&1 || true
}

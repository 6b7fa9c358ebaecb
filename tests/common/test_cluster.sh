#!/bin/bash
# test_cluster - the embedded PostgreSQL: create on first use, start on
# demand, stop after the command, reuse, keep running with db start,
# restart with data kept. Runs without PG* so the embedded path is taken.
. "$(dirname "$0")/../lib.sh"
unset PGHOST PGDATABASE PGUSER PGPORT REPWATCH_CONFIG
export REPWATCH_PATHS_STATE_DIR=$T_TMP/state
pgdata=$REPWATCH_PATHS_STATE_DIR/pgdata

running() { [ -f "$pgdata/postmaster.pid" ] && kill -0 "$(head -1 "$pgdata/postmaster.pid")" 2>/dev/null; }

expect_status 0 "db migrate creates the cluster" "$RW" db migrate
expect_grep "$T_TMP/out" "applied [0-9]+ migration" "first migrate applies migrations"
[ -f "$pgdata/PG_VERSION" ] && ok "data directory created" || nok "no PG_VERSION in $pgdata"
if [ "$(id -u)" = 0 ]; then
	owner=$(stat -c %U "$pgdata")
	[ "$owner" = repwatch ] && ok "server runs as the unprivileged user" || nok "pgdata owned by $owner"
fi
running && nok "cluster still running after the command" || ok "cluster stopped after the command"

expect_status 0 "second migrate reuses the cluster" "$RW" db migrate
expect_grep "$T_TMP/out" "up to date" "second migrate is a no-op"

expect_status 0 "db url" "$RW" db url
expect_grep "$T_TMP/out" "^host=$pgdata dbname=repwatch" "db url names the socket directory"

expect_status 0 "db start keeps it running" "$RW" db start
running && ok "running after db start" || nok "not running after db start"
ci=$("$RW" db url)
psql "$ci" -qAtc "CREATE TABLE public.keepme (x int); INSERT INTO public.keepme VALUES (42)" >/dev/null 2>&1 &&
	ok "psql can use db url" || nok "psql with db url failed"
expect_status 0 "a command while kept running" "$RW" db status
running && ok "still running after another command" || nok "stopped by another command"
expect_status 0 "db stop" "$RW" db stop
running && nok "still running after db stop" || ok "stopped by db stop"

expect_status 0 "restart on demand" "$RW" db start
v=$(psql "$ci" -qAtc "SELECT x FROM public.keepme" 2>&1)
[ "$v" = 42 ] && ok "data kept across restart" || nok "got '$v', want 42"
expect_status 0 "db stop again" "$RW" db stop

# many commands at once: all succeed, none stops the server under another
for i in 1 2 3 4; do "$RW" db migrate >"$T_TMP/par$i" 2>&1 & done
fails=0
for j in $(jobs -p); do wait "$j" || fails=$((fails + 1)); done
[ "$fails" = 0 ] && ok "four concurrent commands succeed" || nok "$fails concurrent commands failed: $(cat "$T_TMP"/par*)"
sleep 0.5
running && nok "cluster left running after concurrent commands" || ok "last user stopped the cluster"

finish

#!/bin/bash
# test_output_targets - issue 17 item 19: output files and the state
# directory are never someone else's thing replaced or taken over.
#  - export prometheus / report --html to a symlink, a FIFO or /dev/stdout
#    write through it; the old code wrote a temporary file and renamed it
#    over the link, the FIFO or (as root) /dev/stdout itself;
#  - a state_dir that is a symlink to another user's 0700 directory is
#    refused (78) and left as it was; the old code chmodded it to 0711 and
#    created the embedded cluster in it. One owned by [database]
#    cluster_user (systemd's StateDirectory) is still fine as root.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_outputs.sh"
need_db
new_db targets
expect_status 0 "sample data loaded and analyzed" load_sample
R=("$RW" -q --db "$DB")

# a symlink to a regular file: written through, still a symlink
echo old >"$T_TMP/real.prom"
ln -s "$T_TMP/real.prom" "$T_TMP/link.prom"
expect_status 0 "export prometheus to a symlink" "${R[@]}" export prometheus "$T_TMP/link.prom"
[ -L "$T_TMP/link.prom" ] && ok "the symlink is still a symlink" || nok "the symlink was replaced by a file"
expect_grep "$T_TMP/real.prom" "^repwatch_ip_recipients" "its target holds the metrics"
link_ok=0
[ -L "$T_TMP/link.prom" ] && link_ok=1

# a FIFO: written into, still a FIFO
mkfifo "$T_TMP/fifo"
timeout 30 cat "$T_TMP/fifo" >"$T_TMP/from-fifo" &
reader=$!
expect_status 0 "export prometheus to a FIFO" timeout 30 "${R[@]}" export prometheus "$T_TMP/fifo"
[ -p "$T_TMP/fifo" ] && ok "the FIFO is still a FIFO" || nok "the FIFO was replaced by a file"
[ -p "$T_TMP/fifo" ] || echo x >"$T_TMP/fifo" 2>/dev/null
wait "$reader" 2>/dev/null
expect_grep "$T_TMP/from-fifo" "^repwatch_ip_recipients" "the reader got the metrics"

# /dev/stdout (only once the symlink case passed: the old code, run as
# root, would replace the system's /dev/stdout)
if [ "$link_ok" = 1 ]; then
	expect_status 0 "export prometheus /dev/stdout" "${R[@]}" export prometheus /dev/stdout
	expect_grep "$T_TMP/out" "^repwatch_ip_recipients" "the metrics came out on stdout"
	[ -L /dev/stdout ] && ok "/dev/stdout is still a symlink" || nok "/dev/stdout was replaced"
	"${R[@]}" export prometheus /dev/stdout | cat >"$T_TMP/piped"
	expect_grep "$T_TMP/piped" "^repwatch_ip_recipients" "through a pipe too"
	expect_status 0 "report --html /dev/stdout" "${R[@]}" report --html /dev/stdout
	expect_grep "$T_TMP/out" "</html>" "the report came out on stdout"
	[ -L /dev/stdout ] && ok "/dev/stdout is still a symlink after the report" || nok "/dev/stdout was replaced by the report"
else
	nok "/dev/stdout not tried: the symlink case failed"
fi
mkdir "$T_TMP/adir"
expect_status 64 "a directory as the output is refused" "${R[@]}" export prometheus "$T_TMP/adir"
expect_grep "$T_TMP/err" "not a regular file" "says why"
ln -s "$T_TMP/real.html" "$T_TMP/rlink.html"
echo old >"$T_TMP/real.html"
expect_status 0 "report --html to a symlink" "${R[@]}" report --html "$T_TMP/rlink.html"
[ -L "$T_TMP/rlink.html" ] && ok "the report's symlink is kept" || nok "the report replaced the symlink"
expect_grep "$T_TMP/real.html" "</html>" "the report went through the link"

# the state directory
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	other=$T_TMP/other
	mkdir -m 0700 "$other"
	chown nobody "$other"
	ln -s "$other" "$T_TMP/state-link"
	printf '[paths]\nstate_dir = %s\n' "$T_TMP/state-link" >"$T_TMP/s.conf"
	chmod 600 "$T_TMP/s.conf"
	expect_status 78 "a state_dir owned by another user is refused (78)" \
		env -u PGHOST -u PGDATABASE -u REPWATCH_PATHS_STATE_DIR "$RW" -c "$T_TMP/s.conf" db status
	expect_grep "$T_TMP/err" "belongs to another user" "says whose it is"
	expect_grep <(stat -c %a "$other") "^700$" "its mode is still 0700"
	expect_grep <(ls -A "$other" | wc -l) "^0$" "nothing was created in it"
	if id repwatch >/dev/null 2>&1; then
		mine=$T_TMP/cluster-owned
		mkdir -m 0700 "$mine"
		chown repwatch: "$mine"
		printf '[paths]\nstate_dir = %s\n' "$mine" >"$T_TMP/m.conf"
		chmod 600 "$T_TMP/m.conf"
		expect_status 0 "a state_dir owned by cluster_user is accepted as root" \
			env -u PGHOST -u PGDATABASE -u REPWATCH_PATHS_STATE_DIR "$RW" -c "$T_TMP/m.conf" config check
	fi
else
	echo "skip - state_dir ownership needs root and the nobody user"
fi
finish

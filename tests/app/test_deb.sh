#!/bin/bash
# test_deb - the Debian package (debian/): built with dpkg-buildpackage from
# a copy of the source tree, lintian without errors, then installed with
# apt-get, "repwatch demo" and the service's command run as the repwatch
# user through /usr/bin/repwatch, the units checked by systemd-analyze
# verify, removed (conffile and state stay) and purged (nothing of it
# stays). Root only (exit 77 otherwise); it refuses to touch a machine
# where repwatch is installed already or /var/lib/repwatch holds data
# (the demo's sandbox of scripts/demo.sh is moved aside and back).
#
# The life cycle runs twice when it can: on the system as it is, where
# scripts/setup.sh created a repwatch user before (the test suite's
# PostgreSQL runs as it): the package uses it and purge keeps it; and in a
# private mount namespace whose /etc is a copy without that user, where the
# package creates it and purge removes it.
#
#   test_deb.sh                   build, lint, both life cycles
#   test_deb.sh lifecycle DEB     one life cycle (used by the above)
. "$(dirname "$0")/../lib.sh"
src=$(cd "${REPWATCH_SRC:-.}" && pwd)
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
export DEBIAN_FRONTEND=noninteractive
# other tests may run apt-get or dpkg at the same time: wait for the lock
apt=(apt-get -y -q -o DPkg::Lock::Timeout=600)
pkg_files=(/usr/bin/repwatch /usr/share/man/man1/repwatch.1.gz
	/lib/systemd/system/repwatch.service /lib/systemd/system/repwatch.timer
	/etc/repwatch/repwatch.conf /usr/share/repwatch/repwatch.conf.example
	/usr/share/repwatch/sql/migrations/0001_init.sql
	/usr/share/repwatch/grafana/repwatch.json
	/usr/share/repwatch/sample/snds/data-2026-07-01.csv
	/usr/share/doc/repwatch/copyright)
wants=/etc/systemd/system/timers.target.wants/repwatch.timer

# as_repwatch CMD... : CMD as the repwatch user in a clean environment (no
# test PGHOST, no sanitizer options), from /
as_repwatch() {
	(cd / && runuser -u repwatch -- env -i PATH=/usr/bin:/bin \
		HOME=/var/lib/repwatch LANG=C.UTF-8 "$@")
}

# unit_env UNIT : the Environment= assignments of an installed unit
unit_env() {
	sed -n 's/^Environment=//p' "/lib/systemd/system/$1"
}

# leftovers : files of the package outside dpkg's database, after purge
leftovers() {
	find /etc /var/lib/systemd /lib/systemd /usr/bin /usr/share/man/man1 \
		/usr/share/doc /usr/share -maxdepth 3 -name '*repwatch*' 2>/dev/null
	ls -d /var/lib/repwatch 2>/dev/null
	true
}

lifecycle() {
	local deb=$1 user_before state
	cd "$(dirname "$deb")" || return 1
	user_before=$(getent passwd repwatch || true)
	if [ -n "$user_before" ]; then
		echo "# the repwatch user exists before: $user_before"
	else
		echo "# no repwatch user before: the package creates it"
	fi
	trap '"${apt[@]}" purge repwatch >/dev/null 2>&1; rm -rf "$T_TMP"' EXIT

	# install
	expect_status 0 "apt-get install ./$(basename "$deb")" \
		"${apt[@]}" install "./$(basename "$deb")"
	dpkg-query -W -f='${db:Status-Abbrev}' repwatch | grep -q '^ii' &&
		ok "installed" || nok "dpkg does not say installed"
	dpkg -L repwatch >"$T_TMP/list"
	for f in "${pkg_files[@]}"; do
		grep -qx "$f" "$T_TMP/list" && ok "dpkg -L: $f" ||
			nok "dpkg -L lacks $f"
	done
	# the whole cron/ tree, Prometheus rules and Grafana provisioning too
	missing=0
	while IFS= read -r f; do
		grep -qx "/usr/share/repwatch/cron/$f" "$T_TMP/list" ||
			{ nok "dpkg -L lacks /usr/share/repwatch/cron/$f"; missing=1; }
	done < <(cd "$src/cron" && find . -type f | sed 's,^\./,,')
	[ "$missing" = 0 ] && ok "dpkg -L: every file of cron/ under /usr/share/repwatch/cron"
	n=$(grep -c '^/usr/share/repwatch/sample/maildir/.*/' "$T_TMP/list")
	[ "$n" -gt 900 ] && ok "sample Maildir installed ($n files)" ||
		nok "sample Maildir has $n files"
	dpkg-query -W -f='${Conffiles}\n' repwatch | grep -q '^ /etc/repwatch/repwatch.conf ' &&
		ok "/etc/repwatch/repwatch.conf is a conffile" || nok "repwatch.conf is not a conffile"
	[ "$(stat -c '%a %U %G' /etc/repwatch/repwatch.conf)" = "600 repwatch repwatch" ] &&
		ok "repwatch.conf: 0600 repwatch repwatch" ||
		nok "repwatch.conf: $(stat -c '%a %U %G' /etc/repwatch/repwatch.conf)"
	cmp -s /etc/repwatch/repwatch.conf "$src/cron/repwatch.conf.example" &&
		ok "repwatch.conf is the example configuration" ||
		nok "repwatch.conf differs from cron/repwatch.conf.example"
	getent passwd repwatch >"$T_TMP/pw" && ok "user repwatch exists" || nok "no repwatch user"
	if [ -n "$user_before" ]; then
		[ "$(cat "$T_TMP/pw")" = "$user_before" ] && ok "the existing user is unchanged" ||
			nok "user changed: $(cat "$T_TMP/pw")"
	else
		[ "$(cut -d: -f6,7 "$T_TMP/pw")" = "/var/lib/repwatch:/usr/sbin/nologin" ] &&
			ok "system user, home /var/lib/repwatch, no shell" || nok "user: $(cat "$T_TMP/pw")"
		[ "$(cut -d: -f3 "$T_TMP/pw")" -lt 1000 ] && ok "system uid" || nok "uid not a system one"
		getent group repwatch >/dev/null && ok "group repwatch" || nok "no repwatch group"
	fi
	[ "$(stat -c '%a %U' /var/lib/repwatch)" = "700 repwatch" ] &&
		ok "/var/lib/repwatch: 0700 repwatch" ||
		nok "/var/lib/repwatch: $(stat -c '%a %U' /var/lib/repwatch)"
	[ "$(readlink "$wants")" = /lib/systemd/system/repwatch.timer ] &&
		ok "repwatch.timer enabled" || nok "repwatch.timer not enabled ($wants)"
	if [ -d /run/systemd/system ]; then
		systemctl is-active --quiet repwatch.service &&
			nok "repwatch.service started on install" || ok "repwatch.service not started"
	else
		echo "# PID 1 is not systemd: not started by construction (--no-start)"
	fi

	# the units as installed
	if command -v systemd-analyze >/dev/null; then
		expect_status 0 "systemd-analyze verify repwatch.service repwatch.timer" \
			systemd-analyze verify /lib/systemd/system/repwatch.service \
			/lib/systemd/system/repwatch.timer
		cat "$T_TMP/out" "$T_TMP/err" >"$T_TMP/verify"
		expect_no_grep "$T_TMP/verify" '.' "systemd-analyze verify: no complaint"
	else
		nok "systemd-analyze missing (package systemd; scripts/setup.sh installs it)"
	fi
	expect_grep /lib/systemd/system/repwatch.service '^ExecStart=/usr/bin/repwatch .*nightly$' \
		"service runs /usr/bin/repwatch nightly"
	expect_grep /lib/systemd/system/repwatch.service '^User=repwatch$' "service runs as repwatch"
	expect_grep /lib/systemd/system/repwatch.service \
		'^Environment=REPWATCH_CONFIG=/etc/repwatch/repwatch.conf$' "service reads /etc/repwatch/repwatch.conf"
	expect_no_grep /lib/systemd/system/repwatch.service '/usr/local' "service: no /usr/local path"

	# the installed binary, as the repwatch user
	expect_status 0 "repwatch --version" as_repwatch repwatch --version
	expect_grep "$T_TMP/out" "0\.1\.0" "--version names the packaged version"
	[ "$(as_repwatch sh -c 'command -v repwatch')" = /usr/bin/repwatch ] &&
		ok "repwatch on PATH is /usr/bin/repwatch" || nok "repwatch on PATH is not /usr/bin/repwatch"
	expect_status 0 "runuser -u repwatch -- repwatch demo" as_repwatch repwatch demo
	cp "$T_TMP/out" "$T_TMP/demo"
	expect_grep "$T_TMP/demo" "46 report file\(s\), 840 row\(s\) loaded, 0 rejected" \
		"demo: SNDS sample from /usr/share/repwatch/sample loaded"
	expect_grep "$T_TMP/demo" "989 messages, 988 complaints stored" "demo: sample Maildir ingested"
	expect_grep "$T_TMP/demo" "critical +escalated +192\.0\.2\.50 " "demo: the rising IP is an incident, critical"
	expect_grep "$T_TMP/demo" "^3 file\(s\), 10973 lines, 9221 attempts to Microsoft" \
		"demo: sample Postfix logs from /usr/share/repwatch/sample/mta loaded"
	expect_grep "$T_TMP/demo" "^repwatch warned before the block: +10 of 11, median lead 3 days$" \
		"demo: ends with the backtest summary"
	state=/var/lib/repwatch/.local/state/repwatch/demo
	expect_grep "$T_TMP/demo" "HTML report written to $state/report.html" \
		"demo: report in the repwatch user's state directory"
	[ "$(stat -c %U "$state/report.html" 2>/dev/null)" = repwatch ] &&
		ok "the report belongs to repwatch" || nok "no report owned by repwatch"
	# what systemctl start repwatch.service runs: its ExecStart with its
	# Environment=, as repwatch, against the embedded cluster
	mapfile -t envs < <(unit_env repwatch.service)
	expect_status 0 "the service's command (repwatch --log syslog nightly) as repwatch" \
		as_repwatch "${envs[@]}" /usr/bin/repwatch --log syslog nightly
	[ -f /var/lib/repwatch/pgdata/PG_VERSION ] &&
		ok "the embedded cluster is in /var/lib/repwatch/pgdata" ||
		nok "no cluster in /var/lib/repwatch/pgdata"
	# root's default STATE_DIR is the service's: its commands see that cluster
	expect_status 0 "repwatch db status as root" \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		/usr/bin/repwatch db status
	expect_grep "$T_TMP/out" "/var/lib/repwatch/pgdata" "root's commands use the cluster in /var/lib/repwatch"
	expect_status 0 "repwatch db start (left running for prerm)" \
		as_repwatch "${envs[@]}" /usr/bin/repwatch db start
	[ -f /var/lib/repwatch/pgdata/postmaster.pid ] && ok "cluster running" ||
		nok "cluster not running after db start"

	# remove: binary and units go, conffile and state stay (policy 10.7.3)
	expect_status 0 "apt-get remove repwatch" "${apt[@]}" remove repwatch
	dpkg-query -W -f='${db:Status-Abbrev}' repwatch | grep -q '^rc' &&
		ok "removed, config-files remain (rc)" || nok "status after remove: $(dpkg-query -W -f='${db:Status-Abbrev}' repwatch)"
	[ ! -e /usr/bin/repwatch ] && ok "remove: /usr/bin/repwatch gone" || nok "remove left /usr/bin/repwatch"
	[ ! -e /lib/systemd/system/repwatch.service ] && ok "remove: units gone" ||
		nok "remove left the units"
	cmp -s /etc/repwatch/repwatch.conf "$src/cron/repwatch.conf.example" &&
		ok "remove: the conffile stays" || nok "remove: conffile gone or changed"
	[ "$(stat -c '%a %U' /etc/repwatch/repwatch.conf 2>/dev/null)" = "600 repwatch" ] &&
		ok "remove: conffile still 0600 repwatch" || nok "remove: conffile mode or owner changed"
	[ -f "$state/report.html" ] && [ -f /var/lib/repwatch/pgdata/PG_VERSION ] &&
		ok "remove: state in /var/lib/repwatch stays" || nok "remove deleted state"
	[ ! -f /var/lib/repwatch/pgdata/postmaster.pid ] &&
		ok "remove: prerm stopped the embedded cluster" || nok "cluster still running after remove"
	getent passwd repwatch >/dev/null && ok "remove: user stays" || nok "remove deleted the user"

	# purge: conffile, state and (if it created it) the user go
	expect_status 0 "apt-get purge repwatch" "${apt[@]}" purge repwatch
	dpkg-query -W -f='${db:Status-Abbrev}' repwatch 2>/dev/null | grep -q '^[ru][ic]' &&
		nok "dpkg still knows repwatch after purge" || ok "purge: dpkg forgot repwatch"
	[ ! -e /etc/repwatch ] && ok "purge: /etc/repwatch gone" || nok "purge left /etc/repwatch"
	[ ! -e /var/lib/repwatch ] && ok "purge: /var/lib/repwatch gone" || nok "purge left /var/lib/repwatch"
	leftovers >"$T_TMP/left"
	expect_no_grep "$T_TMP/left" '.' "purge: no repwatch file in /etc, /var/lib, /lib/systemd, /usr"
	if [ -n "$user_before" ]; then
		[ "$(getent passwd repwatch)" = "$user_before" ] &&
			ok "purge: the user it did not create stays" || nok "purge removed or changed a user it did not create"
	else
		! getent passwd repwatch >/dev/null && ok "purge: user repwatch gone" ||
			nok "purge left the repwatch user"
		! getent group repwatch >/dev/null && ok "purge: group repwatch gone" ||
			nok "purge left the repwatch group"
	fi
	trap 'rm -rf "$T_TMP"' EXIT
	finish
}

# lifecycle_ns DEB : the life cycle in a mount namespace whose /etc is a
# copy in which the test suite's repwatch user is renamed (its uid and gid
# stay taken); dpkg's database, /usr and /var are the real ones
lifecycle_ns() {
	cp -a /etc "$T_TMP/etc"
	sed -i 's/^repwatch:/repwatch-suite:/' "$T_TMP/etc/passwd" \
		"$T_TMP/etc/shadow" "$T_TMP/etc/group" "$T_TMP/etc/gshadow"
	mount --bind "$T_TMP/etc" /etc || return 1
	lifecycle "$1"
}

case ${1:-} in
lifecycle) lifecycle "$2"; exit ;;
lifecycle-ns) lifecycle_ns "$2"; exit ;;
esac

if [ "$(id -u)" != 0 ]; then
	echo "skipped: installs a package, needs root"
	exit 77
fi
for t in dpkg-buildpackage dh lintian fakeroot apt-get runuser; do
	command -v "$t" >/dev/null || { echo "skipped: $t missing (scripts/setup.sh)"; exit 77; }
done
if dpkg-query -W repwatch >/dev/null 2>&1 || [ -e /etc/repwatch ]; then
	echo "skipped: repwatch is installed here (package or /etc/repwatch); not touching it"
	exit 77
fi
# purge deletes /var/lib/repwatch. What "bash scripts/demo.sh" leaves
# there as root (demo/, its cluster stopped) is moved aside meanwhile;
# anything else is someone's data: skipped.
backup=
restore_state() {
	if [ -n "$backup" ] && [ -d "$backup" ]; then
		rm -rf /var/lib/repwatch
		mv "$backup" /var/lib/repwatch
	fi
	rm -rf "$T_TMP"
}
if [ -e /var/lib/repwatch ]; then
	if [ "$(ls -A /var/lib/repwatch)" = demo ] &&
		[ ! -e /var/lib/repwatch/demo/pgdata/postmaster.pid ]; then
		backup=/var/lib/repwatch.test_deb.$$
		trap restore_state EXIT
		mv /var/lib/repwatch "$backup"
		echo "# scripts/demo.sh's /var/lib/repwatch moved to $backup until the end"
	else
		echo "skipped: /var/lib/repwatch holds data; not touching it"
		exit 77
	fi
fi
t0=$(date +%s)
export REPWATCH_SRC=$src

# a copy of the tree as it is (committed or not), without build output
mkdir "$T_TMP/src"
status_before=
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	status_before=$(git -C "$src" status --porcelain --ignored -- debian "obj-*" 2>&1)$'\n'
	(cd "$src" && git ls-files -z -co --exclude-standard |
		tar --null --ignore-failed-read -T - -cf -) | tar -xf - -C "$T_TMP/src"
else
	(cd "$src" && tar --exclude='./build*' --exclude='./obj-*' -cf - .) |
		tar -xf - -C "$T_TMP/src"
fi
[ -f "$T_TMP/src/debian/rules" ] && ok "source tree copied" || nok "copy has no debian/rules"
(cd "$T_TMP/src" && nice -n 15 dpkg-buildpackage -us -uc -b) >"$T_TMP/build.log" 2>&1 &&
	ok "dpkg-buildpackage -us -uc -b" ||
	{ nok "dpkg-buildpackage failed"; tail -40 "$T_TMP/build.log" | sed 's/^/  | /'; finish; exit; }
deb=$(ls "$T_TMP"/repwatch_*_*.deb)
echo "# built $(basename "$deb") in $(($(date +%s) - t0)) s"
if [ -n "$status_before" ]; then
	[ "$(git -C "$src" status --porcelain --ignored -- debian "obj-*" 2>&1)"$'\n' = "$status_before" ] &&
		ok "the source tree is untouched by the build" || nok "git status of $src changed during the build"
fi

# lintian: no errors (warnings are listed)
nice -n 15 lintian --fail-on error "$deb" >"$T_TMP/lintian" 2>&1 &&
	ok "lintian: no errors" || nok "lintian reports errors"
sed 's/^/  lintian: /' "$T_TMP/lintian"

# merge_counts FILE : add a sub-run's ok/FAIL lines to ours
merge_counts() {
	T_PASS=$((T_PASS + $(grep -c '^ok - ' "$1")))
	T_FAIL=$((T_FAIL + $(grep -c '^FAIL - ' "$1")))
}

cd "$T_TMP" || exit 1
echo "# life cycle on this system"
bash "$self" lifecycle "$deb" 2>&1 | tee "$T_TMP/cycle1"
merge_counts "$T_TMP/cycle1"
grep -q '^[0-9]* passed, [0-9]* failed$' "$T_TMP/cycle1" || nok "life cycle did not finish"
if getent passwd repwatch >/dev/null; then
	if unshare -m true 2>/dev/null; then
		echo "# life cycle with no repwatch user before (private /etc)"
		unshare -m bash "$self" lifecycle-ns "$deb" 2>&1 | tee "$T_TMP/cycle2"
		merge_counts "$T_TMP/cycle2"
		grep -q '^[0-9]* passed, [0-9]* failed$' "$T_TMP/cycle2" ||
			nok "life cycle in a namespace did not finish"
	else
		echo "# unshare -m not permitted: user creation and removal not exercised"
	fi
fi
echo "# test_deb took $(($(date +%s) - t0)) s"
finish

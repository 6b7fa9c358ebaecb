#!/bin/bash
# test_state_owner - the packaged service runs as "repwatch" in
# /var/lib/repwatch, which is also root's default state directory. A
# command root runs there first must not leave lock files only root can
# open: cluster.lock and nightly.lock go to the directory's owner, so the
# service's next run can take them (it failed with "Permission denied").
. "$(dirname "$0")/../lib.sh"
unset PGHOST PGDATABASE PGUSER PGPORT REPWATCH_CONFIG
if [ "$(id -u)" != 0 ] || ! id repwatch >/dev/null 2>&1; then
	echo "skipped: needs root and the repwatch user (scripts/setup.sh)"
	exit 77
fi
state=$T_TMP/state
mkdir -m 0700 "$state"
chown repwatch:repwatch "$state"
export REPWATCH_PATHS_STATE_DIR=$state

expect_status 0 "root: db status creates the embedded cluster" "$RW" -q db status
owner=$(stat -c %U "$state/cluster.lock")
[ "$owner" = repwatch ] && ok "cluster.lock belongs to the directory's owner" ||
	nok "cluster.lock belongs to $owner, want repwatch"
expect_status 0 "root: nightly (nothing configured) runs" "$RW" -q nightly
owner=$(stat -c %U "$state/nightly.lock")
[ "$owner" = repwatch ] && ok "nightly.lock belongs to the directory's owner" ||
	nok "nightly.lock belongs to $owner, want repwatch"
# a copy the service user can run: the build tree may sit in a 0700
# directory (a clone in mktemp -d)
install -m 0755 "$RW" "$T_TMP/repwatch"
expect_status 0 "repwatch: db status after root's commands" \
	runuser -u repwatch -- env REPWATCH_PATHS_STATE_DIR="$state" \
	"$T_TMP/repwatch" -q db status
expect_status 0 "repwatch: nightly after root's" \
	runuser -u repwatch -- env REPWATCH_PATHS_STATE_DIR="$state" \
	"$T_TMP/repwatch" -q nightly
finish

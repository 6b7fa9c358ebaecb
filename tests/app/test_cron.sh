#!/bin/bash
# test_cron - the files in cron/: the example configuration is exactly
# "repwatch config example" (so it lists every key of rw_config_keys[]),
# the timer catches up missed nights, the crontab line is well-formed.
. "$(dirname "$0")/../lib.sh"
src=${REPWATCH_SRC:-.}
env -u REPWATCH_CONFIG "$RW" config example >"$T_TMP/example" 2>"$T_TMP/err"
if cmp -s "$T_TMP/example" "$src/cron/repwatch.conf.example"; then
	ok "cron/repwatch.conf.example equals \"repwatch config example\""
else
	nok "cron/repwatch.conf.example is stale: regenerate with"
	echo "  repwatch config example > cron/repwatch.conf.example"
	diff "$src/cron/repwatch.conf.example" "$T_TMP/example" | head -20
fi
keys=$("$RW" config keys | grep -c '^\[')
commented=$(grep -cE '^#[a-z0-9_]+ =' "$src/cron/repwatch.conf.example")
[ "$keys" = "$commented" ] && ok "every key commented ($keys)" ||
	nok "$commented commented keys, $keys keys"
# uncommented, the example is a valid configuration
sed -E 's/^#(\[|[a-z0-9_]+ =)/\1/' "$src/cron/repwatch.conf.example" |
	grep -vE '^[a-z0-9_]+ =$' >"$T_TMP/all.conf"
chmod 600 "$T_TMP/all.conf"
expect_status 0 "uncommented example passes config check" \
	"$RW" --config "$T_TMP/all.conf" config check
expect_grep "$src/cron/repwatch-nightly.timer" '^Persistent=true$' \
	"timer: Persistent=true"
expect_grep "$src/cron/repwatch-nightly.timer" '^OnCalendar=' "timer: calendar"
expect_grep "$src/cron/repwatch-nightly.service" \
	'^ExecStart=.*repwatch .*nightly$' "service runs repwatch nightly"
expect_grep "$src/cron/repwatch-nightly.service" '^Type=oneshot$' "oneshot"
expect_grep "$src/cron/repwatch.cron" \
	'^[0-9*,/-]+ [0-9*,/-]+ [0-9*,/-]+ [0-9*,/-]+ [0-9*,/-]+[[:space:]]+repwatch[[:space:]]+/.*/repwatch nightly$' \
	"crontab line: five fields, user, command"
expect_grep "$src/cron/repwatch.cron" \
	'^REPWATCH_PATHS_STATE_DIR=/var/lib/repwatch$' \
	"crontab: the state directory root's commands use, as the service"
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify "$src/cron/repwatch-nightly.timer" \
		>"$T_TMP/verify" 2>&1
	expect_no_grep "$T_TMP/verify" 'Unknown (key|section)|[Ii]nvalid' \
		"systemd-analyze: no unknown keys"
fi
finish

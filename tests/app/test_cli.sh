#!/bin/bash
# test_cli - dispatch, help, version, exit codes, config show masking.
. "$(dirname "$0")/../lib.sh"
unset REPWATCH_CONFIG
export REPWATCH_PATHS_STATE_DIR=$T_TMP/state

expect_status 0 "--help exits 0" "$RW" --help
expect_grep "$T_TMP/out" "^  config " "--help lists config"
expect_grep "$T_TMP/out" "^  db " "--help lists db"
expect_grep "$T_TMP/out" "^  demo " "--help lists demo"
expect_status 0 "--version exits 0" "$RW" --version
expect_grep "$T_TMP/out" "^repwatch [0-9]+\.[0-9]+\.[0-9]+$" "--version prints the version"
expect_status 64 "bad global option exits 64" "$RW" --bogus
expect_grep "$T_TMP/err" "^usage: repwatch" "bad option prints the usage line"
expect_status 64 "no command exits 64" "$RW"
expect_status 64 "unknown command exits 64" "$RW" frobnicate
expect_grep "$T_TMP/err" 'unknown command "frobnicate"' "unknown command is named"
expect_status 64 "bad command option exits 64" "$RW" config show --nope
expect_grep "$T_TMP/err" "^usage: repwatch config" "bad command option prints usage"
expect_status 64 "--log with an unknown target exits 64" "$RW" --log carrier-pigeon config show

# every command answers --help with exit 0 and a usage line
for cmd in $("$RW" --help | awk '/^Commands:/{on=1;next} /^$/{on=0} on{print $1}'); do
	expect_status 0 "$cmd --help exits 0" "$RW" "$cmd" --help
	expect_grep "$T_TMP/out" "^usage: repwatch $cmd" "$cmd --help prints its usage"
done

# configuration errors exit 78 and name file:line
cfg=$T_TMP/bad.conf
printf '[snds.main]\ntype = link\nissued = yesterday\n' >"$cfg"
expect_status 78 "bad config value exits 78" "$RW" --config "$cfg" config show
expect_grep "$T_TMP/err" "bad.conf:3: \[snds.main\] issued: not a date" "error names file:line and key"
expect_status 78 "missing --config file exits 78" "$RW" --config "$T_TMP/none.conf" config show
REPWATCH_CONFIG=$cfg expect_status 78 "REPWATCH_CONFIG is read" "$RW" config show

# secrets: refused when world-readable, masked in config show
cfg=$T_TMP/secret.conf
cat >"$cfg" <<'CONF'
[database]
conninfo = host=db.example password=hunter2
[snds.main]
data_url = https://snds.example/data?key=0123-SECRET-KEY&date=010126
status_url = https://snds.example/status?key=0123-SECRET-KEY
[mailbox.jmrp]
url = imaps://imap.example/INBOX
user = fbl
password = imap-secret
CONF
chmod 644 "$cfg"
expect_status 78 "world-readable secret config is refused" "$RW" --config "$cfg" config show
expect_grep "$T_TMP/err" "accessible by group or others" "refusal says why"
chmod 600 "$cfg"
expect_status 0 "private secret config is accepted" "$RW" -vv --config "$cfg" config show
cat "$T_TMP/err" >>"$T_TMP/out"
expect_no_grep "$T_TMP/out" "hunter2|SECRET-KEY|imap-secret" "config show masks every secret"
expect_grep "$T_TMP/out" "key=\*\*\*&date=010126" "masked URL keeps the date"
REPWATCH_MAILBOX_JMRP_PASSWORD=env-secret expect_status 0 "env override accepted" "$RW" --config "$cfg" config show
expect_no_grep "$T_TMP/out" "env-secret" "env secrets masked too"
expect_grep "$T_TMP/out" "environment variable REPWATCH_MAILBOX_JMRP_PASSWORD" "origin of an env value shown"

# diagnostics carry a timestamp when stderr is not a terminal
expect_status 78 "timestamped diagnostics" "$RW" --config "$T_TMP/none.conf" config show
expect_grep "$T_TMP/err" "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} repwatch: error:" "stderr lines carry a timestamp"

finish

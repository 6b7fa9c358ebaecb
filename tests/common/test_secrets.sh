#!/bin/bash
# test_secrets - issue 17 item 17: secrets that leaked. libpq's conninfo
# parse errors (they quote the text around the fault: the password), a
# --db password visible in ps for the whole run, and webhook URLs whose
# path is the secret (config show, errors, the nightly step line,
# repwatch.run_log, the permission check of the configuration file).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../out/lib_outputs.sh"
unset REPWATCH_CONFIG

# --- (a) conninfo parse errors: nothing of the text is printed -----------
for ci in "host=h password=abc def123SECRET" \
	"postgresql://u:pw@h/db?password=%zzSECRET" \
	"postgresql://u:SECRET%zz@h/db" \
	"host=h password='unterminated SECRET" \
	"postgresql://u:p@ss1SECRET@h.invalid/db" \
	"postgresql://u:SECRETa/SECRETb@h.invalid/db"; do
	expect_status 78 "bad conninfo is a configuration error: $(echo "$ci" | cut -c1-20)..." \
		"$RW" --db "$ci" db status
	expect_no_grep "$T_TMP/err" "SECRET" "libpq's parse detail not printed"
	expect_grep "$T_TMP/err" "invalid database connection string" "fixed message"
done

# GOption takes no -dVALUE (nor -d=VALUE): its usage error quoted the whole
# argument, password included
for a in "-dhost=h password=SECRET-A" "-qdhost=h password=SECRET-B" \
	"-d=host=h password=SECRET-C"; do
	expect_status 64 "usage error for ${a:0:4}...: exit 64" "$RW" "$a" db status
	expect_no_grep "$T_TMP/err" "SECRET" "usage error for ${a:0:4}... does not quote the value"
	expect_grep "$T_TMP/err" "Unknown option -q?dxxx" "usage error for ${a:0:4}... names the option"
done

# the URI checks refuse no well-formed URI: this one only fails to connect
expect_status 75 "a URI with a %-encoded @ is accepted" "$RW" \
	--db "postgresql://u:p%40ss@h.invalid:5432/db?connect_timeout=2" db status
expect_grep "$T_TMP/err" "could not connect" "it goes as far as connecting"

need_db
new_db secrets

# --- (b) a --db password is not in ps for the run -------------------------
mkfifo "$T_TMP/in"
# cmdline_of DESC ARGS... : run repwatch ARGS blocked on a FIFO for stdin,
# check what /proc/PID/cmdline shows meanwhile
cmdline_of() {
	local desc=$1 pid
	shift
	"$RW" "$@" <"$T_TMP/in" >"$T_TMP/ps.out" 2>&1 &
	pid=$!
	exec 7>"$T_TMP/in"
	# the value is overwritten right after option parsing: give a slow
	# (sanitizer) build up to 10 s to get there; it then waits on stdin
	for _ in $(seq 100); do
		sleep 0.1
		tr '\0' ' ' </proc/$pid/cmdline >"$T_TMP/cmdline" 2>/dev/null || : >"$T_TMP/cmdline"
		grep -q "arf ingest -" "$T_TMP/cmdline" && ! grep -q PS-SECRET "$T_TMP/cmdline" && break
	done
	exec 7>&-
	wait $pid
	expect_grep "$T_TMP/cmdline" "arf ingest -" "$desc: still running, the command line kept"
	expect_no_grep "$T_TMP/cmdline" "PS-SECRET" "$desc: password not in /proc/PID/cmdline"
}
cmdline_of "--db VALUE" -q --db "$DB password=PS-SECRET-1" arf ingest -
cmdline_of "--db=VALUE" -q --db="$DB password=PS-SECRET-2" arf ingest -
cmdline_of "-qd VALUE" -qd "$DB password=PS-SECRET-3" arf ingest -

# --- (c) webhook URLs are secrets -----------------------------------------
HOOK="http://127.0.0.1:1/services/T0HOOKSEC/B0HOOKSEC/hooksecretabcdefghijklmnop"
LEAK="HOOKSEC|hooksecret"
w=$T_TMP/hook.conf
printf '[notify]\nwebhook_url = %s\n' "$HOOK" >"$w"
chmod 644 "$w"
expect_status 78 "a 0644 file holding only a webhook URL is refused" "$RW" --config "$w" config check
expect_grep "$T_TMP/err" "accessible by group or others" "says why"
chmod 600 "$w"
expect_status 0 "config show" "$RW" --config "$w" config show
expect_no_grep "$T_TMP/out" "$LEAK" "config show masks the webhook URL"
expect_grep "$T_TMP/out" "webhook_url = http://127\\.0\\.0\\.1:1/\\*\\*\\*" "scheme and host kept"
expect_status 0 "sample data loaded and analyzed" load_sample
printf 'timeout = 2\nretries = 0\n' >>"$w"
expect_status 75 "notify to a dead webhook" "$RW" --config "$w" --db "$DB" export notify
cat "$T_TMP/out" "$T_TMP/err" >"$T_TMP/all"
expect_no_grep "$T_TMP/all" "$LEAK" "notify error masks the webhook URL"
expect_grep "$T_TMP/err" "webhook http://127\\.0\\.0\\.1:1/\\*\\*\\*" "the error names the host"
"$RW" --config "$w" --db "$DB" nightly >"$T_TMP/n.out" 2>"$T_TMP/n.err"
cat "$T_TMP/n.out" "$T_TMP/n.err" >"$T_TMP/all"
expect_grep "$T_TMP/all" "notify" "nightly ran its notify step"
expect_no_grep "$T_TMP/all" "$LEAK" "nightly step lines mask the webhook URL"
q "SELECT summary::text FROM repwatch.run_log" >"$T_TMP/runlog"
expect_grep "$T_TMP/runlog" "webhook" "run_log records the webhook failure"
expect_no_grep "$T_TMP/runlog" "$LEAK" "run_log masks the webhook URL"

finish

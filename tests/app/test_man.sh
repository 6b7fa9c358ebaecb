#!/bin/bash
# test_man - doc/repwatch.1 stays current: every command of
# "repwatch --help", every configuration key and every exit code is in it,
# and groff reads it without a warning.
. "$(dirname "$0")/../lib.sh"
man=${REPWATCH_SRC:-.}/doc/repwatch.1
"$RW" --help >"$T_TMP/help"
cmds=$(sed -n '/^Commands:/,/^$/p' "$T_TMP/help" | awk 'NF > 1 {print $1}')
[ -n "$cmds" ] && ok "commands listed by --help" || nok "no commands in --help"
for c in $cmds; do
	expect_grep "$man" "^\\.SS \"$c( |\")" "command $c documented"
done
# subcommands of alerts (issue 13)
for c in "alerts silence" "alerts unsilence" "alerts silences"; do
	expect_grep "$man" "^\\.SS \"$c " "command $c documented"
done
expect_grep "$man" '^\.B \\-\\-by rule$' "alerts --by rule documented"
"$RW" config keys | grep '^\[' | while read -r sec key _; do
	sec=${sec#[}; sec=${sec%]}; sec=${sec/.\*/.NAME}
	k=${key//_/_}
	if awk -v s=".SS \"[$sec]\"" -v k=".B $k" '
		$0 == s {in_s = 1; next} /^\.SS/ {in_s = 0}
		in_s && $0 == k {found = 1} END {exit !found}' "$man"; then
		echo "ok - key [$sec] $key documented"
	else
		echo "FAIL - key [$sec] $key not in the man page"
	fi
done >"$T_TMP/keys"
grep -v '^ok' "$T_TMP/keys"
n=$(grep -c '^ok' "$T_TMP/keys"); f=$(grep -c '^FAIL' "$T_TMP/keys")
[ "$f" = 0 ] && [ "$n" -gt 0 ] && ok "all $n configuration keys documented" ||
	nok "$f configuration keys missing"
for code in 0 1 64 65 66 69 70 74 75 78; do
	expect_grep "$man" "^\\.B $code$" "exit status $code documented"
done
if command -v groff >/dev/null; then
	groff -man -ww -z "$man" >"$T_TMP/groff" 2>&1
	[ ! -s "$T_TMP/groff" ] && ok "groff: no warnings" ||
		nok "groff: $(head -3 "$T_TMP/groff")"
fi
finish

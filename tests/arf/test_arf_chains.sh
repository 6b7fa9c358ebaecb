#!/bin/bash
# test_arf_chains - the sending IP of complaint reports built from real
# header chains (tests/fixtures/arf/ms-chains, see SOURCES.md there):
# `repwatch arf parse --json` must derive, from the embedded headers alone
# (no Source-IP), the from address of the topmost hop where the provider
# received the message from outside - never a provider-internal hop, a
# webmail client's X-Originating-IP, another receiver's SPF result or a
# relay below the edge. Prints "got X, want Y" for every miss and a
# summary line; fails when any chain is attributed to another IP.
set -u
src=${REPWATCH_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${REPWATCH_BIN:?REPWATCH_BIN not set}
dir=$src/tests/fixtures/arf/ms-chains
tsv=$dir/expected.tsv
[ -f "$tsv" ] || { echo "FAIL - $tsv missing"; exit 1; }

# one run over every report (ASan start-up dominates a run per file);
# "input<TAB>source_ip<TAB>origin" per report
results=$(mktemp)
trap 'rm -f "$results"' EXIT
"$bin" -q arf parse --json "$dir"/*.eml 2>/dev/null | python3 -c '
import json, os, sys
for line in sys.stdin:
    d = json.loads(line)
    print("%s\t%s\t%s" % (os.path.basename(d["input"]), d.get("source_ip") or "none",
                          d.get("source_ip_origin") or "none"))' >"$results"

pass=0
fail=0
rows=0
listed=" "
while IFS=$'\t' read -r file kind part want year witnesses features; do
	case $file in '#'* | '' | file) continue ;; esac
	rows=$((rows + 1))
	listed="$listed$file "
	if [ ! -f "$dir/$file" ]; then
		echo "FAIL - $file: listed in expected.tsv but missing (run wrap.py)"
		fail=$((fail + 1))
		continue
	fi
	got=$(awk -F'\t' -v f="$file" '$1 == f { print $2 " " $3; exit }' "$results")
	[ -n "$got" ] || got="unparsed none"
	ip=${got% *}
	origin=${got#* }
	if [ "$ip" = "$want" ]; then
		pass=$((pass + 1))
		echo "ok - $file ($year, $kind): $ip from $origin"
	else
		fail=$((fail + 1))
		echo "FAIL - $file ($year, $kind, $features): got $ip (origin $origin), want $want"
	fi
done <"$tsv"

# every wrapped report is listed: none can be skipped silently
for f in "$dir"/*.eml; do
	case $listed in *" $(basename "$f") "*) ;; *)
		echo "FAIL - $(basename "$f"): not listed in expected.tsv"
		fail=$((fail + 1)) ;;
	esac
done
if [ "$rows" -lt 30 ]; then
	echo "FAIL - expected.tsv lists $rows chains, want at least 30"
	fail=$((fail + 1))
fi
echo "$pass of $rows chains attributed to the expected IP, $fail failure(s)"
[ "$fail" -eq 0 ]

#!/bin/bash
# test_layers - the build enforces the one-way layers (cmake/Layers.cmake):
# an include of a higher or sibling folder's header does not compile, an
# include of the folder's own or a lower layer's header does.
#
# usage: test_layers.sh BUILD_DIR want:target:header...
# want is "fail" or "ok"; each target is a one-line probe file compiled
# with one layer's include path (tests/app/CMakeLists.txt).
. "$(dirname "$0")/../lib.sh"

build=$1
shift
[ "$#" -gt 0 ] || { nok "no probes given"; finish; }
for p in "$@"; do
	IFS=: read -r want target header <<<"$p"
	cmake --build "$build" --target "$target" >"$T_TMP/out" 2>&1 &&
		rc=0 || rc=$?
	case $want in
	fail)
		if [ "$rc" -eq 0 ]; then
			nok "$target: including $header built, want a failure"
		elif grep -q "$header: No such file or directory" "$T_TMP/out"; then
			ok "$target: $header not found"
		else
			nok "$target: failed for another reason than $header"
			sed 's/^/  /' "$T_TMP/out" | head -20
		fi
		;;
	ok)
		if [ "$rc" -eq 0 ]; then ok "$target: $header found"; else
			nok "$target: including $header failed"
			sed 's/^/  /' "$T_TMP/out" | head -20
		fi
		;;
	esac
done
finish

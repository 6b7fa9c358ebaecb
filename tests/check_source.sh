#!/bin/bash
# check_source - keep the source and its comments true (issue 14).
#
#   bash tests/check_source.sh BUILD_DIR [SOURCE_ROOT]
#   bash tests/check_source.sh --self-test
#
# Scans the C sources (*.c, *.h) of app/ out/ analyze/ ingest/ arf/ mta/
# common/ and prints one line per finding, "FILE:LINE: rule: what", then a
# count; exits 1 on any finding, 0 on none, 2 on a usage error. The rules:
#
# heading   A comment right above a function definition (in a .c file) or a
#           prototype (in a .h file) whose first line reads "name - ..."
#           ("/* name - ..." or " * name - ...", also "a / b - ..." for a
#           pair) must name that function. A comment whose first words are
#           not such a name list is not a heading and is not checked.
# cite      A comment citing a file must cite one in the repository. Cited
#           are words ending in .md .c .h .sql .sh .py .txt .1 .cmake
#           .example .service .timer .cron (runtime names such as
#           tokens/NAME.json or repwatch.conf are not citations). A path
#           with a "/" must exist relative to the source root or to the
#           citing file's folder; a path with a placeholder (NAME, NNNN,
#           FILE, DIR, DATE, SOURCE, XXXXXX) or a "*" needs its folder
#           (sql/migrations/NNNN_name.sql), a bare "*" name a match
#           (cmd_*.c); a bare name must be the name of some file of the
#           repository; absolute paths are runtime paths, not citations.
#           Paths leaving the repository ("../shared/...", "shared/...",
#           the reference documents) are findings even where they exist on
#           this machine: a fresh clone has no ../shared, so the check must
#           not depend on it. Cite the document in doc/ instead.
# prefix    A symbol an object file of the build exports (nm -g
#           --defined-only) lacks its folder's prefix: common rw_, ingest
#           snds_, arf arf_, mta mta_, analyze an_, out out_, app app_ /
#           cmd_ / main.
#           Objects are found anywhere under BUILD_DIR as
#           <dir>/CMakeFiles/<target>.dir/<path>.c.o; the source they come
#           from is <dir>/<path>.c ("__" for ".."), which gives the folder,
#           so one core library or one library per folder both work; an
#           object whose source is gone (a stale build) is passed over.
#           Sanitizer symbols (__asan*, __odr_asan*, __ubsan*, __sanitizer*)
#           are not ours. Skipped, with a note, when BUILD_DIR holds no
#           object of these folders.
# size      A file of these folders (*.c, *.h) passes 800 lines. tests/ is
#           not held to it: test files are tables and scenarios read one
#           case at a time, and the folder is being reorganized; only
#           sources are.
#
# --self-test builds a small tree with one planted violation of each kind
# (and a clean file next to each) and fails unless every rule fires on its
# plant, names file:line, and stays silent on the clean files.
set -u
FOLDERS="app out analyze ingest arf mta common"
MAX_LINES=800

usage() {
	echo "usage: check_source.sh BUILD_DIR [SOURCE_ROOT] | --self-test" >&2
	exit 2
}

# prefix_of FOLDER - the exported-symbol pattern of a folder (grep -E)
prefix_of() {
	case $1 in
	common) echo '^rw_' ;;
	ingest) echo '^snds_' ;;
	arf) echo '^arf_' ;;
	mta) echo '^mta_' ;;
	analyze) echo '^an_' ;;
	out) echo '^out_' ;;
	app) echo '^(app_|cmd_|main$)' ;;
	esac
}

# sources - the C files of the scanned folders, relative to the root
sources() {
	local f
	for f in $FOLDERS; do
		[ -d "$f" ] && find "$f" -type f \( -name '*.c' -o -name '*.h' \)
	done | LC_ALL=C sort
}

# check_size - files over MAX_LINES lines
check_size() {
	sources | while read -r f; do
		n=$(wc -l <"$f")
		[ "$n" -gt "$MAX_LINES" ] &&
			echo "$f:$((MAX_LINES + 1)): size: $n lines, over $MAX_LINES"
	done
}

# check_headings - comments above definitions and prototypes naming
# another function
check_headings() {
	sources | xargs -r awk '
	FNR == 1 { n = 0; split("", L) }
	{ L[++n] = $0 }
	# a definition in house style: "{" alone at column 0 after its
	# declarator; a prototype: a line at column 0 of a header ending ");"
	$0 == "{" && FILENAME ~ /\.c$/ { check(n - 1, 1) }
	FILENAME ~ /\.h$/ && /^[A-Za-z_]/ && !/^(typedef|struct|enum|union|#)/ &&
	    /[A-Za-z_0-9]\(/ { check(n, 0) }
	function check(last, isdef,    s, i, decl, name, c, head, names, k, m, ok) {
		# walk back to the first line of the declaration
		s = last
		while (s > 1 && L[s - 1] !~ /^[ \t]*$/ && L[s - 1] !~ /\*\/[ \t]*$/ &&
		    L[s - 1] !~ /[;}{][ \t]*$/ && L[s - 1] !~ /^#/)
			s--
		decl = ""
		for (i = s; i <= last; i++)
			decl = decl " " L[i]
		if (!match(decl, /[A-Za-z_][A-Za-z_0-9]*[ \t]*\(/))
			return
		name = substr(decl, RSTART, RLENGTH)
		sub(/[ \t]*\($/, "", name)
		if (name ~ /^(if|while|for|switch|return|sizeof)$/)
			return
		c = s - 1
		if (c < 1 || L[c] !~ /\*\/[ \t]*$/)
			return
		while (c > 1 && L[c] !~ /\/\*/)
			c--
		head = L[c]
		sub(/^.*\/\*+[ \t]*/, "", head)
		if (head ~ /^[ \t]*$/ && c + 1 < s) {
			head = L[c + 1]
			sub(/^[ \t]*\*+[ \t]*/, "", head)
		}
		if (head !~ /^[A-Za-z_][A-Za-z_0-9]*(\(\))?(( ?\/ ?| ?, ?| and | or )[A-Za-z_][A-Za-z_0-9]*(\(\))?)* - /)
			return
		sub(/ - .*$/, "", head)
		gsub(/\(\)/, "", head)
		gsub(/ and | or |[\/,]/, " ", head)
		m = split(head, names, /[ \t]+/)
		ok = 0
		for (k = 1; k <= m; k++)
			if (names[k] == name)
				ok = 1
		if (!ok) {
			gsub(/^[ \t]+|[ \t]+$/, "", head)
			printf "%s:%d: heading: comment names %s, the %s is %s\n",
			    FILENAME, c, head, isdef ? "function" : "prototype", name
		}
	}'
}

# comments - "FILE:LINE:text" for each line holding comment text
comments() {
	sources | xargs -r awk -v sq="'" '
	FNR == 1 { inc = 0 }
	{
		line = $0; out = ""; i = 1; n = length(line); instr = ""
		while (i <= n) {
			c = substr(line, i, 1); c2 = substr(line, i, 2)
			if (inc) {
				if (c2 == "*/") { inc = 0; out = out " "; i += 2; continue }
				out = out c; i++; continue
			}
			if (instr != "") {
				if (c == "\\") { i += 2; continue }
				if (c == instr) instr = ""
				i++; continue
			}
			if (c == "\"" || c == sq) { instr = c; i++; continue }
			if (c2 == "/*") { inc = 1; i += 2; continue }
			if (c2 == "//") { out = out substr(line, i + 2); break }
			i++
		}
		if (out ~ /[^ \t*]/)
			print FILENAME ":" FNR ":" out
	}'
}

# repo_files - every file of the repository (relative paths), for bare
# names
repo_files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard
	else
		find . -path ./.git -prune -o -path './build*' -prune -o \
			-type f -print | sed 's|^\./||'
	fi
}

# check_citations - comments citing files that are not in the repository
check_citations() {
	local names
	names=$(mktemp)
	repo_files | sed 's|.*/||' | LC_ALL=C sort -u >"$names"
	comments | awk -v names="$names" -v sq="'" '
	BEGIN {
		while ((getline l < names) > 0)
			have[l] = 1
		ext = "\\.(md|c|h|sql|sh|py|txt|1|cmake|example|service|timer|cron)$"
	}
	{
		file = $0; sub(/:.*/, "", file)
		rest = substr($0, length(file) + 2)
		line = rest; sub(/:.*/, "", line)
		text = substr(rest, length(line) + 2)
		dir = file; sub(/\/[^\/]*$/, "", dir)
		gsub(/[][\t(),;:"`<>{}=]/, " ", text)
		m = split(text, w, / +/)
		for (i = 1; i <= m; i++) {
			t = w[i]
			sub(/[.!?]+$/, "", t)
			if (substr(t, 1, 1) == sq) t = substr(t, 2)
			if (substr(t, length(t)) == sq) t = substr(t, 1, length(t) - 1)
			if (t !~ /^(\.\.\/)*[A-Za-z0-9_*][A-Za-z0-9_.\/*-]*$/ || t !~ ext)
				continue
			base = t; sub(/.*\//, "", base)
			stem = base; sub(/\.[^.]*$/, "", stem)
			if (stem !~ /[A-Za-z]/)
				continue
			# dotted notation (a.b.c, 8.16.1.2), not a file name
			if (stem ~ /\./ && base !~ /\.conf\.example$/)
				continue
			if (t ~ /^(\.\.\/)+shared\/|^shared\//) {
				bad(file, line, t, "outside the repository")
				continue
			}
			if (t !~ /\//) {
				if (t ~ /\*/) {
					if (!globhit(t)) bad(file, line, t, "no such file")
				} else if (!(t in have))
					bad(file, line, t, "no such file")
				continue
			}
			if (t ~ /\*/ || t ~ /(^|[\/_.-])(NAME|NNNN|FILE|DIR|DATE|SOURCE|XXXXXX)([\/_.-]|$)/) {
				d = t; sub(/\/[^\/]*$/, "", d)
				if (!isdir(d) && !isdir(dir "/" d))
					bad(file, line, t, "no such folder")
				continue
			}
			if (!exists(t) && !exists(dir "/" t))
				bad(file, line, t, "no such file")
		}
	}
	function q(p) { gsub(sq, "", p); return sq p sq }
	function exists(p) { return system("test -e " q(p)) == 0 }
	function isdir(p) { return system("test -d " q(p)) == 0 }
	function globhit(p,    r) {
		r = p; gsub(/\./, "\\.", r); gsub(/\*/, ".*", r)
		for (k in have) if (k ~ ("^" r "$")) return 1
		return 0
	}
	function bad(f, l, t, why) {
		if (seen[f SUBSEP l SUBSEP t]++) return
		printf "%s:%s: cite: %s: %s\n", f, l, t, why
	}'
	rm -f "$names"
}

# check_prefixes BUILD_DIR - exported symbols without their folder's prefix
check_prefixes() {
	local build=$1 obj rel dir src folder pat found=0
	declare -A done_src=()
	while IFS= read -r obj; do
		rel=${obj#"$build"/}
		dir=${rel%%CMakeFiles/*}
		src=${rel#*CMakeFiles/*.dir/}
		src=${src%.o}
		src=$(printf '%s%s\n' "$dir" "$src" |
			sed -E ':a; s#(^|/)__(/|$)#\1..\2#; ta')
		src=$(realpath -m --relative-to=. "$src")
		folder=${src%%/*}
		pat=$(prefix_of "$folder")
		[ -n "$pat" ] && [ "$src" != "$folder" ] || continue
		[ -f "$src" ] || continue # a stale object of a moved source
		[ -z "${done_src[$src]:-}" ] || continue
		done_src[$src]=1
		found=$((found + 1))
		nm -g --defined-only "$obj" | awk -v src="$src" -v pat="$pat" '
			NF >= 3 { s = $3 }
			NF == 2 { s = $2 }
			s ~ /^(__asan|__odr_asan|__ubsan|__sanitizer|__lsan)/ { next }
			s !~ pat {
				printf "%s:1: prefix: exports %s without %s\n",
				    src, s, pat
			}'
	done < <(find "$build" -path '*/CMakeFiles/*.dir/*' -name '*.c.o' |
		LC_ALL=C sort)
	[ "$found" -gt 0 ] ||
		echo "note: no object of $FOLDERS under $build: prefix rule skipped" >&2
}

run_checks() {
	local build=$1 out
	out=$(mktemp)
	{
		check_headings
		check_citations
		[ -n "$build" ] && check_prefixes "$build"
		check_size
	} >"$out"
	if [ -s "$out" ]; then
		cat "$out"
		echo "check_source: $(wc -l <"$out") finding(s)"
		rm -f "$out"
		return 1
	fi
	rm -f "$out"
	echo "check_source: no findings"
	return 0
}

# self_test - plant one violation of each rule in a scratch tree
self_test() {
	local t rc out fail=0
	t=$(mktemp -d)
	trap 'rm -rf "$t"' RETURN
	mkdir -p "$t/src/common" "$t/src/doc" "$t/build/CMakeFiles/x.dir/common" \
		"$t/build/ingest/CMakeFiles/y.dir"
	mkdir -p "$t/src/ingest"
	cat >"$t/src/common/rw_good.c" <<'EOF'
/*
 * rw_good - clean: cites doc/notes.md, rw_good.h, cmd_*.c and
 * sql/NNNN_x.sql; 8.16.1.2 and a.b.c are no files; /etc/x.sh is runtime.
 */
/* rw_good_a / rw_good_b - a pair */
int
rw_good_a(void)
{
	return 0;
}

/* this comment is no heading - words */
int
rw_good_b(void)
{
	return 1;
}
EOF
	printf '/* rw_good_a - fine */\nint rw_good_a(void);\n' \
		>"$t/src/common/rw_good.h"
	: >"$t/src/doc/notes.md"
	mkdir -p "$t/src/app" "$t/src/sql"
	: >"$t/src/app/cmd_x.c"
	cat >"$t/src/common/rw_bad.c" <<'EOF'
/*
 * rw_bad - see doc/README-gone.md and ../shared/reference/arf.md
 */
#include "common/rw_good.h"

/*
 * rw_old_name - drifted
 */
int
rw_new_name(void)
{
	return 0;
}

int
bad_symbol(void)
{
	return 2;
}
EOF
	printf '/* rw_wrong - drifted */\nint rw_right(void);\n' \
		>"$t/src/common/rw_bad.h"
	for i in $(seq 1 801); do echo "/* $i */"; done >"$t/src/ingest/snds_big.c"
	cp "$t/src/common/rw_good.c" "$t/src/ingest/snds_ok.c"
	sed -i 's/rw_good_\([ab]\)/snds_ok_\1/g' "$t/src/ingest/snds_ok.c"
	${CC:-cc} -c -o "$t/build/CMakeFiles/x.dir/common/rw_bad.c.o" \
		"$t/src/common/rw_bad.c" -I"$t/src" || return 1
	${CC:-cc} -c -o "$t/build/ingest/CMakeFiles/y.dir/snds_ok.c.o" \
		"$t/src/ingest/snds_ok.c" || return 1
	out=$(cd "$t/src" && run_checks "$t/build" 2>&1) && rc=0 || rc=$?
	echo "$out" | sed 's/^/  | /'
	expect_line() {
		if echo "$out" | grep -qF -- "$1"; then
			echo "ok - $2"
		else
			echo "FAIL - $2: no line \"$1\""
			fail=1
		fi
	}
	[ "$rc" = 1 ] && echo "ok - exit 1 on findings" ||
		{ echo "FAIL - exit $rc, want 1"; fail=1; }
	expect_line "common/rw_bad.c:6: heading: comment names rw_old_name, the function is rw_new_name" "heading rule (definition)"
	expect_line "common/rw_bad.h:1: heading: comment names rw_wrong, the prototype is rw_right" "heading rule (prototype)"
	expect_line "common/rw_bad.c:2: cite: doc/README-gone.md: no such file" "cite rule (missing file)"
	expect_line "common/rw_bad.c:2: cite: ../shared/reference/arf.md: outside the repository" "cite rule (outside)"
	expect_line "common/rw_bad.c:1: prefix: exports bad_symbol without ^rw_" "prefix rule"
	expect_line "ingest/snds_big.c:801: size: 801 lines, over 800" "size rule"
	if echo "$out" | grep -q 'rw_good\|snds_ok'; then
		echo "FAIL - findings in the clean files"
		fail=1
	else
		echo "ok - clean files pass (pairs, non-headings, folders, dotted numbers)"
	fi
	[ "$(echo "$out" | grep -c ': \(heading\|cite\|prefix\|size\):')" = 6 ] &&
		echo "ok - exactly the 6 planted findings" ||
		{ echo "FAIL - want exactly 6 findings"; fail=1; }
	[ "$fail" = 0 ] && echo "self-test passed" || echo "self-test FAILED"
	return "$fail"
}

case ${1:-} in
--self-test) self_test; exit ;;
'' | -*) usage ;;
esac
build=$(realpath "$1") || usage
cd "${2:-$(dirname "$0")/..}" || usage
run_checks "$build"

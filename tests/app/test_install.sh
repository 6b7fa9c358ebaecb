#!/bin/bash
# test_install - "cmake --install" puts every promised file in place and the
# installed binary finds its sample data without the source tree.
. "$(dirname "$0")/../lib.sh"
build=$1
prefix=$T_TMP/prefix
expect_status 0 "cmake --install succeeds" cmake --install "$build" --prefix "$prefix"
for f in bin/repwatch share/man/man1/repwatch.1 \
	share/repwatch/sql/migrations/0001_init.sql \
	share/repwatch/grafana/repwatch.json \
	share/repwatch/cron/repwatch-nightly.service share/repwatch/cron/repwatch-nightly.timer share/repwatch/cron/repwatch.cron \
	share/repwatch/repwatch.conf.example \
	share/repwatch/sample/snds/data-2026-07-01.csv; do
	[ -f "$prefix/$f" ] && ok "installed $f" || nok "missing $f"
done
n=$(find "$prefix/share/repwatch/sample/maildir" -type f | wc -l)
[ "$n" -gt 900 ] && ok "sample Maildir installed ($n files)" || nok "sample Maildir has $n files"
expect_status 0 "installed binary runs" "$prefix/bin/repwatch" --version
finish

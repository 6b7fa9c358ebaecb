#!/bin/bash
# demo.sh - install what is needed, build, and run "repwatch demo" on the
# bundled sample data against a private embedded PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then
	scripts/setup.sh
fi
# only the program: no tests, no benchmarks
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREPWATCH_TESTS=OFF \
	-DREPWATCH_BENCH=OFF >/dev/null
cmake --build build --target repwatch -j"$(nproc)" >/dev/null
exec build/repwatch demo "$@"

#!/usr/bin/env bash
# Warehouse scanner benchmark: bootstraps like bin/run and bin/test, creates or updates the database bench_scanner (every
# suite module, no demo data; BENCH_REBUILD=1 recreates it), then runs benchmarks/scanner.py on it.
# Arguments go to scanner.py (e.g. --lines 50 --repeat 20).
source "$(dirname "${BASH_SOURCE[0]}")/../bin/bootstrap.sh"
source "$(dirname "${BASH_SOURCE[0]}")/suite_db.sh"
bootstrap
ensure_suite_db bench_scanner
"$PY" "$SUITE_ROOT/benchmarks/scanner.py" -d bench_scanner "${DB_ARGS[@]}" "$@"

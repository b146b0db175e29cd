#!/usr/bin/env bash
# Re-allocation benchmark: bootstraps like bin/run and bin/test, creates or updates the database bench_replenishment (every suite
# module, no demo data; BENCH_REBUILD=1 recreates it), then runs benchmarks/reallocation.py on it.
# Arguments go to reallocation.py (e.g. --moves 1000 --products 50).
source "$(dirname "${BASH_SOURCE[0]}")/../bin/bootstrap.sh"
source "$(dirname "${BASH_SOURCE[0]}")/suite_db.sh"
bootstrap
ensure_suite_db bench_replenishment
"$PY" "$SUITE_ROOT/benchmarks/reallocation.py" -d bench_replenishment "${DB_ARGS[@]}" "$@"

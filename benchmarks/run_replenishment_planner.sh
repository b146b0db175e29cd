#!/usr/bin/env bash
# Replenishment planner benchmark: bootstraps like bin/run and bin/test, creates or updates the database bench_replenishment (every suite
# module, no demo data; BENCH_REBUILD=1 recreates it), then runs benchmarks/replenishment_planner.py on it.
# Arguments go to replenishment_planner.py (e.g. --products 10000 --open-lines 50000).
source "$(dirname "${BASH_SOURCE[0]}")/../bin/bootstrap.sh"
source "$(dirname "${BASH_SOURCE[0]}")/suite_db.sh"
bootstrap
ensure_suite_db bench_replenishment
"$PY" "$SUITE_ROOT/benchmarks/replenishment_planner.py" -d bench_replenishment "${DB_ARGS[@]}" "$@"

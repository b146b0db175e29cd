#!/usr/bin/env bash
# KPI views benchmark: bootstraps like bin/run and bin/test, creates or updates the database bench_kpi (every suite
# module, no demo data; BENCH_REBUILD=1 recreates it), then runs benchmarks/kpi_views.py on it. The first run
# generates the orders (a few minutes) and commits them; later runs reuse them.
# Arguments go to kpi_views.py (e.g. --orders 100000 --repeat 5 --explain).
source "$(dirname "${BASH_SOURCE[0]}")/../bin/bootstrap.sh"
source "$(dirname "${BASH_SOURCE[0]}")/suite_db.sh"
bootstrap
ensure_suite_db bench_kpi
"$PY" "$SUITE_ROOT/benchmarks/kpi_views.py" -d bench_kpi "${DB_ARGS[@]}" "$@"

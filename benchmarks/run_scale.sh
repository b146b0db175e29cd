#!/usr/bin/env bash
# Data at scale benchmark: bootstraps like bin/run and bin/test, creates or updates the database bench_scale
# (BENCH_DB overrides the name; every suite module, no demo data; BENCH_REBUILD=1 recreates it), then runs
# benchmarks/scale.py on it. The first run generates the data at the requested --scale (about 1,000,000
# order lines at --scale 1) and commits it; later runs at the same scale reuse it.
# Arguments go to scale.py (e.g. --scale 0.01 --repeat 5 --skip-planner --explain).
source "$(dirname "${BASH_SOURCE[0]}")/../bin/bootstrap.sh"
source "$(dirname "${BASH_SOURCE[0]}")/suite_db.sh"
bootstrap
db="${BENCH_DB:-bench_scale}"
ensure_suite_db "$db"
"$PY" "$SUITE_ROOT/benchmarks/scale.py" -d "$db" "${DB_ARGS[@]}" "$@"

#!/usr/bin/env bash
# Exception queue benchmark: bootstraps like bin/run and bin/test, creates or updates the database bench_exceptions (every suite
# module, no demo data; BENCH_REBUILD=1 recreates it), then runs benchmarks/exception_queue.py on it.
# Arguments go to exception_queue.py (e.g. --count 100000 --repeat 7).
source "$(dirname "${BASH_SOURCE[0]}")/../bin/bootstrap.sh"
source "$(dirname "${BASH_SOURCE[0]}")/suite_db.sh"
bootstrap
ensure_suite_db bench_exceptions
"$PY" "$SUITE_ROOT/benchmarks/exception_queue.py" -d bench_exceptions "${DB_ARGS[@]}" "$@"

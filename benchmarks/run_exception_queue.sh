#!/usr/bin/env bash
# Exception queue benchmark: bootstraps like bin/run and bin/test, creates the database bench_exceptions
# (every suite module, no demo data) when missing, updates the suite modules otherwise, then runs
# benchmarks/exception_queue.py on it. Arguments go to exception_queue.py (e.g. --count 100000 --repeat 7).
#   BENCH_REBUILD=1   drop and recreate the database first
source "$(dirname "${BASH_SOURCE[0]}")/../bin/bootstrap.sh"
bootstrap

DB=bench_exceptions
log_dir="$SUITE_ROOT/.run"
mkdir -p "$log_dir"
if [ -n "${BENCH_REBUILD:-}" ]; then
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
fi
if db_exists "$DB"; then
    action=(-u "$SUITE_MODULES")
else
    createdb "$DB" || die "Could not create the database $DB."
    action=(-i "$SUITE_MODULES")  # Odoo 19 installs no demo data unless asked
fi
odoo_cmd -d "$DB" "${action[@]}" --stop-after-init --log-level=warn >"$log_dir/bench_exceptions.log" 2>&1 \
    || { tail -n 30 "$log_dir/bench_exceptions.log" >&2; die "Installing the suite into $DB failed."; }
"$PY" "$SUITE_ROOT/benchmarks/exception_queue.py" -d "$DB" "${DB_ARGS[@]}" "$@"

#!/usr/bin/env bash
# Re-allocation benchmark: bootstraps like bin/run and bin/test, creates the database bench_replenishment (shared with the planner benchmark)
# (every suite module, no demo data) when missing, updates the suite modules otherwise, then runs
# benchmarks/reallocation.py on it. Arguments go to reallocation.py (e.g. --moves 1000 --products 50).
#   BENCH_REBUILD=1   drop and recreate the database first
source "$(dirname "${BASH_SOURCE[0]}")/../bin/bootstrap.sh"
bootstrap

DB=bench_replenishment
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
odoo_cmd -d "$DB" "${action[@]}" --stop-after-init --log-level=warn >"$log_dir/bench_replenishment.log" 2>&1 \
    || { tail -n 30 "$log_dir/bench_replenishment.log" >&2; die "Installing the suite into $DB failed."; }
"$PY" "$SUITE_ROOT/benchmarks/reallocation.py" -d "$DB" "${DB_ARGS[@]}" "$@"

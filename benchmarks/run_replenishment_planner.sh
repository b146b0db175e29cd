#!/usr/bin/env bash
# Replenishment planner benchmark: bootstraps like bin/run and bin/test, creates the database bench_replenishment
# (every suite module, no demo data) when missing, updates the suite modules otherwise, then runs
# benchmarks/replenishment_planner.py on it. Arguments go to replenishment_planner.py (e.g. --products 10000 --open-lines 50000).
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
"$PY" "$SUITE_ROOT/benchmarks/replenishment_planner.py" -d "$DB" "${DB_ARGS[@]}" "$@"

#!/usr/bin/env bash
# Load benchmark, suite against vanilla Odoo: bootstraps like bin/test, builds the two template databases
# when missing (load_tpl_vanilla: the Odoo apps the suite extends; load_tpl_suite: the same plus every
# suite module; no demo data), then runs load.py: per round and flavour, a fresh copy of the template,
# the benchmark's data, odoo-bin in prefork mode, concurrent clients over /json/2, invariant checks.
# Arguments go to load.py, e.g.:
#   benchmarks/load/run_load.sh --rounds 10           (the figures of benchmarks/README.md)
#   benchmarks/load/run_load.sh --scale-out           (two Odoo servers on the same database)
#   benchmarks/load/run_load.sh --workers 8 --reps 16 --orders 10
#   BENCH_REBUILD=1   drop and rebuild the templates first (do it after changing the suite's code)
source "$(dirname "${BASH_SOURCE[0]}")/../../bin/bootstrap.sh"
bootstrap

BASE_MODULES="sale_management,sale_stock,sale_margin,purchase_stock,stock_account,stock_delivery,stock_dropshipping"
log_dir="$SUITE_ROOT/.run"
mkdir -p "$log_dir"

build_template() {
    local db="$1" modules="$2" log="$log_dir/load-template-$1.log"
    if [ -n "${BENCH_REBUILD:-}" ]; then
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
    fi
    db_exists "$db" && return 0
    say "Creating the template $db ($modules, no demo data; 1-2 minutes)"
    createdb "$db" || die "Could not create the database $db."
    if ! odoo_cmd -d "$db" -i "$modules" --stop-after-init --log-level=warn >"$log" 2>&1 \
        || grep -qE " (ERROR|CRITICAL) " "$log"; then
        tail -n 30 "$log" >&2
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
        die "Installing $modules into $db failed (log: $log)."
    fi
}

build_template load_tpl_vanilla "$BASE_MODULES"
build_template load_tpl_suite "$BASE_MODULES,$SUITE_MODULES"

say "Driving Odoo in prefork mode: vanilla (load_tpl_vanilla) against the suite (load_tpl_suite)"
exec "$PY" "$SUITE_ROOT/benchmarks/load/load.py" --python "$PY" --odoo-bin "$ODOO_BIN" \
    --addons-path "$ADDONS_PATH" --log-dir "$log_dir" "${DB_ARGS[@]}" "$@"

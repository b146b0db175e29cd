#!/usr/bin/env bash
# Order cycle benchmark, suite against vanilla Odoo: bootstraps like bin/run and bin/test, creates the two
# benchmark databases when missing, then runs benchmarks/order_cycle.py --compare on them.
#   bench_vanilla  the Odoo core modules the suite depends on, no demo data (created once, never updated)
#   bench_suite    the same plus every suite module (addons/MODULES), no demo data; on later runs the suite
#                  modules are installed (new ones) and updated, so the database follows the code
# Arguments go to order_cycle.py (e.g. --orders 50 --rounds 3 --keep-cache).
#   BENCH_REBUILD=1        drop and recreate both databases first
#   BENCH_SKIP_UPDATE=1    use bench_suite as it is (no install/update of the suite modules)
#   BENCH_SUITE_MODULES    comma-separated suite modules to install (default: addons/MODULES)
source "$(dirname "${BASH_SOURCE[0]}")/../bin/bootstrap.sh"
bootstrap

VANILLA_DB=bench_vanilla
SUITE_DB=bench_suite
# Odoo core only: the OCA modules (tier validation, helpdesk) are part of what the suite costs.
BASE_MODULES="sale_management,sale_stock,sale_margin,purchase_stock,stock_account,stock_delivery,stock_dropshipping"

suite_modules="${BENCH_SUITE_MODULES:-$SUITE_MODULES}"
[ -n "$suite_modules" ] || die "No suite module listed in $SUITE_ROOT/addons/MODULES."

log_dir="$SUITE_ROOT/.run"
mkdir -p "$log_dir"

drop_db() {
    dropdb --if-exists "$1" >/dev/null 2>&1 || true
    rm -rf "$HOME/.local/share/Odoo/filestore/$1"
}

# Runs odoo-bin with its output in a log; stops with the log's end when it fails or logs an error.
odoo_logged() {
    local log="$1"
    shift
    if ! odoo_cmd "$@" --stop-after-init --log-level=warn >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "odoo-bin $* failed (log: $log)."
    fi
    if grep -E " (ERROR|CRITICAL) " "$log" >&2; then
        die "odoo-bin $* logged errors (log: $log)."
    fi
}

if [ -n "${BENCH_REBUILD:-}" ]; then
    say "Dropping $VANILLA_DB and $SUITE_DB (BENCH_REBUILD)"
    drop_db "$VANILLA_DB"
    drop_db "$SUITE_DB"
fi

if ! db_exists "$VANILLA_DB"; then
    say "Creating $VANILLA_DB: $BASE_MODULES, no demo data (about 1-2 minutes)"
    odoo_logged "$log_dir/bench-$VANILLA_DB.log" -d "$VANILLA_DB" -i "$BASE_MODULES"
fi

if ! db_exists "$SUITE_DB"; then
    say "Creating $SUITE_DB: $BASE_MODULES + $suite_modules, no demo data (about 2 minutes)"
    odoo_logged "$log_dir/bench-$SUITE_DB.log" -d "$SUITE_DB" -i "$BASE_MODULES,$suite_modules"
elif [ -z "${BENCH_SKIP_UPDATE:-}" ]; then
    say "Installing/updating $suite_modules in $SUITE_DB"
    odoo_logged "$log_dir/bench-$SUITE_DB.log" -d "$SUITE_DB" -i "$suite_modules" -u "$suite_modules"
fi

say "Measuring the order cycle: $VANILLA_DB against $SUITE_DB (suite modules: $suite_modules)"
exec "$PY" "$SUITE_ROOT/benchmarks/order_cycle.py" --compare "$VANILLA_DB" "$SUITE_DB" \
    --addons-path "$ADDONS_PATH" "${DB_ARGS[@]}" "$@"

#!/usr/bin/env bash
# Sourced by the benchmark wrappers (after bin/bootstrap.sh's bootstrap): ensure_suite_db DB creates DB with
# every suite module and no demo data when missing (BENCH_REBUILD=1 drops it first), or updates the suite
# modules when it exists, so the database follows the code.
ensure_suite_db() {
    local db="$1" log_dir="$SUITE_ROOT/.run" action
    mkdir -p "$log_dir"
    if [ -n "${BENCH_REBUILD:-}" ]; then
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
    fi
    if db_exists "$db"; then
        action=(-u "$SUITE_MODULES")
    else
        createdb "$db" || die "Could not create the database $db."
        action=(-i "$SUITE_MODULES")  # Odoo 19 installs no demo data unless asked
    fi
    odoo_cmd -d "$db" "${action[@]}" --stop-after-init --log-level=warn >"$log_dir/$db.log" 2>&1 \
        || { tail -n 30 "$log_dir/$db.log" >&2; die "Installing the suite into $db failed (log: $log_dir/$db.log)."; }
}

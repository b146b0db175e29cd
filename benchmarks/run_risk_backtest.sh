#!/usr/bin/env bash
# Orders-at-risk back-test: bootstraps like bin/run and bin/test, creates the database bench_risk (every suite module
# with its demo data; BENCH_REBUILD=1 recreates it, later runs update the modules), then runs
# benchmarks/risk_backtest.py on it. Arguments go to risk_backtest.py (e.g. --days 30 --seed 7).
source "$(dirname "${BASH_SOURCE[0]}")/../bin/bootstrap.sh"
bootstrap
db=bench_risk
log="$SUITE_ROOT/.run/$db.log"
mkdir -p "$SUITE_ROOT/.run"
[ -z "${BENCH_REBUILD:-}" ] || dropdb --if-exists "$db" >/dev/null 2>&1 || true
if db_exists "$db"; then
    action=(-u "$SUITE_MODULES")
else
    createdb "$db" || die "Could not create the database $db."
    action=(-i "$SUITE_MODULES" --with-demo)
fi
odoo_cmd -d "$db" "${action[@]}" --stop-after-init --log-level=warn >"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; die "Installing the suite into $db failed (log: $log)."; }
"$PY" "$SUITE_ROOT/benchmarks/risk_backtest.py" -d "$db" "${DB_ARGS[@]}" "$@"

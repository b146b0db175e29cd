#!/bin/bash
# Command of the odoo service, the container's bin/run: creates the database with every suite module and
# its demo data (or updates the suite's modules when the database exists), then serves the web client.
#   DIST_DB (default distribution_demo)  SUITE_MODULES (set in docker-compose.yml)
# The database connection comes from /etc/odoo/odoo.conf (docker/odoo.conf) and, for psql, PGHOST/PGUSER/
# PGPASSWORD (docker-compose.yml).
set -euo pipefail

db="${DIST_DB:-distribution_demo}"
modules="${SUITE_MODULES:?SUITE_MODULES is not set}"
conf=/etc/odoo/odoo.conf

exists=$(psql -X -d postgres -tA -v db="$db" <<<"select 1 from pg_database where datname = :'db'")
if [ "$exists" = "1" ]; then
    echo "[suite] Updating the suite's modules in database $db"
    odoo -c "$conf" -d "$db" -u "$modules" --stop-after-init --log-level=warn
else
    echo "[suite] Creating database $db with the suite and its demo data (a few minutes)"
    odoo -c "$conf" -d "$db" -i "$modules" --with-demo --stop-after-init --log-level=warn
fi

echo "[suite] Serving database $db on http://127.0.0.1:${ODOO_PORT:-8069}/odoo (login admin / password admin)"
exec odoo -c "$conf" -d "$db" --db-filter "^${db}\$"

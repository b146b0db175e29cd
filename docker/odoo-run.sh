#!/bin/bash
# Command of the odoo service, the container's bin/run: creates the database with every suite module and
# its demo data (or updates the suite's modules when the database exists), then serves the web client.
#   DIST_DB (default distribution_demo); the suite's modules come from addons/MODULES
# The database connection comes from /etc/odoo/odoo.conf (docker/odoo.conf) and, for psql, PGHOST/PGUSER/
# PGPASSWORD (docker-compose.yml).
set -euo pipefail

db="${DIST_DB:-distribution_demo}"
# The suite's modules in install order, from addons/MODULES (mounted at /mnt/extra-addons).
modules_file=/mnt/extra-addons/MODULES
[ -f "$modules_file" ] || { echo "[suite] $modules_file not found (is ./addons mounted?)" >&2; exit 1; }
modules=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$modules_file" | grep -v '^$' | paste -sd, -)
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

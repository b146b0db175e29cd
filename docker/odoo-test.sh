#!/bin/bash
# Command of the tests service, the container's bin/test: installs every suite module with demo data into
# a fresh database and runs their tests with Odoo's own runner (at_install tests during the install,
# post_install tests after it), then drops the database (KEEP_DB=1 keeps it).
# Closes with Odoo's 'N failed, N error(s) of N tests' line and exits non-zero on any failure or error,
# or when no test ran.
set -uo pipefail

db="${TEST_DB:-distribution_test}"
# The suite's modules in install order, from addons/MODULES (mounted at /mnt/extra-addons).
modules_file=/mnt/extra-addons/MODULES
[ -f "$modules_file" ] || { echo "[suite] $modules_file not found (is ./addons mounted?)" >&2; exit 1; }
modules=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$modules_file" | grep -v '^$' | paste -sd, -)
conf=/etc/odoo/odoo.conf
log=/tmp/odoo-test.log
# One '/module' tag per suite module: that module's 'standard' tests, nobody else's.
tags=$(sed -E 's/(^|,)/\1\//g' <<<"$modules")

drop() {
    dropdb --if-exists "$db"
    rm -rf "/var/lib/odoo/filestore/$db"
}
drop
[ -n "${KEEP_DB:-}" ] || trap drop EXIT

echo "[suite] Installing $modules into a fresh database $db and running the tests tagged $tags"
odoo -c "$conf" -d "$db" -i "$modules" --with-demo --test-enable --test-tags "$tags" \
    --stop-after-init 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

summary=$(grep -Eo '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$log" | tail -n 1)
echo "[suite] tests: ${summary:-no test summary found} (odoo exit code $rc)"
if [ "$rc" -ne 0 ]; then
    exit "$rc"
fi
if [ -z "$summary" ] || [[ "$summary" == *" of 0 tests" ]]; then
    echo "[suite] No test ran: that is a failure, not a pass." >&2
    exit 1
fi

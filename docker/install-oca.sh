#!/bin/bash
# One-shot job of the oca-addons service (runs as root in the odoo:19.0 image): installs the OCA wheels
# pinned in requirements.txt into the oca-addons volume, so that the image needs no custom build.
# Each wheel puts its addon under odoo/addons/<name>/ of the target, hence /mnt/oca/odoo/addons in
# docker/odoo.conf's addons_path.
#   --no-deps   the wheels require the `odoo` distribution, which the image's Debian package of Odoo
#               does not register with pip; their only other requirements are each other (all listed).
#   --target    also skips pip's PEP 668 "externally managed environment" refusal of Ubuntu's Python.
set -euo pipefail

target=/mnt/oca
# The OCA wheels, and the Python libraries they need that the image lacks (openupgradelib, for queue_job:
# Odoo checks it before installing the module; it imports only lxml and psycopg2, which the image has).
# The libraries go under $target/python, on the odoo services' PYTHONPATH (docker-compose.yml).
mapfile -t wheels < <(sed -E 's/[[:space:]]*#.*$//' /mnt/requirements.txt | grep -E '^odoo-addon-' || true)
mapfile -t libraries < <(sed -E 's/[[:space:]]*#.*$//' /mnt/requirements.txt | grep -E '^openupgradelib==' || true)
if [ "${#wheels[@]}" -eq 0 ]; then
    echo "[oca-addons] no odoo-addon-* line in requirements.txt" >&2
    exit 1
fi

# Reinstall only when the pins changed since the last run (the volume keeps the previous install).
wanted=$(printf '%s\n' "${wheels[@]}" "${libraries[@]}")
if [ -f "$target/.pins" ] && [ "$(cat "$target/.pins")" = "$wanted" ]; then
    echo "[oca-addons] up to date: ${wheels[*]}"
    exit 0
fi

echo "[oca-addons] installing ${wheels[*]} into $target"
find "$target" -mindepth 1 -delete
python3 -m pip install --quiet --no-deps --no-cache-dir --disable-pip-version-check --target "$target" "${wheels[@]}"
if [ "${#libraries[@]}" -gt 0 ]; then
    python3 -m pip install --quiet --no-deps --no-cache-dir --disable-pip-version-check --target "$target/python" \
        "${libraries[@]}"
fi
test -d "$target/odoo/addons" || { echo "[oca-addons] no odoo/addons folder in $target after pip install" >&2; exit 1; }
printf '%s\n' "$wanted" >"$target/.pins"
ls "$target/odoo/addons"

# shellcheck shell=bash
# Bootstrap shared by bin/run and bin/test: finds or installs everything the suite needs and exports
#   SUITE_ROOT ODOO_SRC VENV PY ODOO_BIN ADDONS_PATH DB_ARGS (array) SUITE_MODULES
# Each step either finds what is there, installs what is missing, or stops with a message saying what
# to do. Sourced, not executed.

set -euo pipefail

SUITE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUITE_CACHE="${SUITE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/distribution-suite}"
ODOO_SRC_DEFAULT="$HOME/odoo-19.0"
ODOO_DOWNLOAD_URL="${ODOO_DOWNLOAD_URL:-https://github.com/odoo/odoo/archive/refs/heads/19.0.tar.gz}"

say() { printf '[suite] %s\n' "$*" >&2; }
die() {
    printf '[suite] ERROR: %s\n' "$1" >&2
    shift
    for line in "$@"; do printf '[suite]   %s\n' "$line" >&2; done
    exit 2
}

# The suite's modules, comma-separated in install order, from addons/MODULES (one per line, # comments).
[ -f "$SUITE_ROOT/addons/MODULES" ] || die "$SUITE_ROOT/addons/MODULES (the list of the suite's modules) is missing."
SUITE_MODULES=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$SUITE_ROOT/addons/MODULES" | grep -v '^$' | paste -sd, -)

# --- Python -----------------------------------------------------------------------------------------
find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.12 python3.11 python3.13 python3.10 python3; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys, venv; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 13)))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

# --- Odoo source ------------------------------------------------------------------------------------
is_odoo19_source() {
    [ -f "$1/odoo-bin" ] && [ -f "$1/odoo/release.py" ] && grep -q "^version_info = (19, 0," "$1/odoo/release.py"
}

locate_odoo_source() {
    if [ -n "${ODOO_SRC:-}" ]; then
        is_odoo19_source "$ODOO_SRC" || die "ODOO_SRC=$ODOO_SRC is not an Odoo 19.0 source tree (no odoo-bin or odoo/release.py saying 19.0)." \
            "Point ODOO_SRC at a folder holding Odoo 19.0's odoo-bin, odoo/ and addons/, or unset it to use $ODOO_SRC_DEFAULT."
        return 0
    fi
    # An odoo already importable by the system python (a pip or Debian install of 19.0).
    local imported
    imported=$("$BASE_PY" - <<'PY' 2>/dev/null || true
import os
import odoo.release as r
if r.version_info[:2] == (19, 0):
    print(os.path.dirname(os.path.dirname(os.path.abspath(r.__file__))))
PY
)
    if [ -n "$imported" ] && is_odoo19_source "$imported"; then
        ODOO_SRC="$imported"
        return 0
    fi
    if is_odoo19_source "$ODOO_SRC_DEFAULT"; then
        ODOO_SRC="$ODOO_SRC_DEFAULT"
        return 0
    fi
    say "No Odoo 19.0 source found: downloading Odoo's official 19.0 branch into $ODOO_SRC_DEFAULT"
    local tmp
    tmp=$(mktemp -d)
    if curl -fsSL --retry 2 --connect-timeout 20 "$ODOO_DOWNLOAD_URL" -o "$tmp/odoo.tar.gz" \
        && mkdir -p "$tmp/src" && tar -xzf "$tmp/odoo.tar.gz" -C "$tmp/src" --strip-components=1 \
        && is_odoo19_source "$tmp/src"; then
        mkdir -p "$(dirname "$ODOO_SRC_DEFAULT")"
        mv "$tmp/src" "$ODOO_SRC_DEFAULT"
        rm -rf "$tmp"
        ODOO_SRC="$ODOO_SRC_DEFAULT"
        return 0
    fi
    rm -rf "$tmp"
    die "Odoo 19.0 source not found and the download of $ODOO_DOWNLOAD_URL failed." \
        "Put an Odoo 19.0 Community source tree (odoo-bin, odoo/, addons/) at $ODOO_SRC_DEFAULT," \
        "or set ODOO_SRC to where it is, then run this command again (README.md, 'Getting Odoo')."
}

# --- Virtualenv -------------------------------------------------------------------------------------
ensure_venv() {
    local key
    key=$(cat "$SUITE_ROOT/requirements-odoo.txt" "$SUITE_ROOT/requirements.txt" <(echo "$ODOO_SRC" "$BASE_PY") \
        | sha256sum | cut -c1-12)
    VENV="${VENV:-$SUITE_CACHE/venv-$key}"
    if [ -f "$VENV/.suite-ready" ] && [ -x "$VENV/bin/python" ]; then
        PY="$VENV/bin/python"
        return 0
    fi
    say "Creating the virtualenv $VENV (Odoo's and the suite's Python dependencies; about 2 minutes)"
    rm -rf "$VENV"
    mkdir -p "$(dirname "$VENV")"
    "$BASE_PY" -m venv "$VENV" || die "Could not create a virtualenv with $BASE_PY." \
        "On Debian/Ubuntu: apt-get install python3-venv python3-dev build-essential libpq-dev"
    PY="$VENV/bin/python"
    local log="$VENV/bootstrap.log"
    {
        "$PY" -m pip install -q --upgrade pip wheel "setuptools<81" \
        && "$PY" -m pip install -q -r "$SUITE_ROOT/requirements-odoo.txt" \
        && "$PY" -m pip install -q --no-deps --no-build-isolation -e "$ODOO_SRC" --config-settings editable_mode=compat \
        && "$PY" -m pip install -q -r "$SUITE_ROOT/requirements.txt"
    } >"$log" 2>&1 || {
        tail -n 30 "$log" >&2
        die "Installing Python dependencies failed (full log: $log)." \
            "Build tools and headers are needed for a few packages: apt-get install build-essential python3-dev libpq-dev libldap2-dev libsasl2-dev"
    }
    touch "$VENV/.suite-ready"
}

# --- Lint tools -------------------------------------------------------------------------------------
# A small virtualenv of its own for pre-commit (requirements-dev.txt), keyed like the suite's: the lint
# needs neither Odoo nor PostgreSQL. pre-commit then installs each hook's tool at the version pinned in
# .pre-commit-config.yaml (its cache: ~/.cache/pre-commit, PRE_COMMIT_HOME overrides).
ensure_lint_tools() {
    local key venv
    key=$(cat "$SUITE_ROOT/requirements-dev.txt" <(echo "$BASE_PY") | sha256sum | cut -c1-12)
    venv="$SUITE_CACHE/lint-$key"
    PRE_COMMIT="$venv/bin/pre-commit"
    if [ -f "$venv/.suite-ready" ] && [ -x "$PRE_COMMIT" ]; then
        return 0
    fi
    say "Creating the lint virtualenv $venv (pre-commit)"
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    "$BASE_PY" -m venv "$venv" || die "Could not create a virtualenv with $BASE_PY." \
        "On Debian/Ubuntu: apt-get install python3-venv"
    "$venv/bin/python" -m pip install -q -r "$SUITE_ROOT/requirements-dev.txt" >"$venv/bootstrap.log" 2>&1 || {
        tail -n 30 "$venv/bootstrap.log" >&2
        die "Installing the lint tools failed (full log: $venv/bootstrap.log)."
    }
    touch "$venv/.suite-ready"
}

# --- PostgreSQL -------------------------------------------------------------------------------------
pg_bin_dir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
    return 1
}

# Sets DB_ARGS for odoo-bin and PG* for psql/createdb.
ensure_postgres() {
    DB_ARGS=()
    local user="${PGUSER:-$(id -un)}"
    if [ "$user" = "postgres" ]; then
        die "Odoo refuses to connect as the 'postgres' role." \
            "Create a role for yourself: sudo -u postgres createuser --createdb --superuser $(id -un); or set PGUSER to another role."
    fi
    if [ -n "${PGHOST:-}${PGPORT:-}" ] || pg_isready -q 2>/dev/null; then
        # The server given by the PG* variables, or the local one on its default socket.
        if psql -X -d postgres -tAc 'select 1' >/dev/null 2>&1; then
            if [ -n "${PGHOST:-}" ]; then DB_ARGS+=(--db_host "$PGHOST"); fi
            if [ -n "${PGPORT:-}" ]; then DB_ARGS+=(--db_port "$PGPORT"); fi
            DB_ARGS+=(--db_user "$user")
            if [ -n "${PGPASSWORD:-}" ]; then DB_ARGS+=(--db_password "$PGPASSWORD"); fi
            return 0
        fi
        if [ -z "${PGHOST:-}${PGPORT:-}" ]; then
            die "A PostgreSQL server answers on the local socket but role '$user' cannot connect to it." \
                "Create the role: sudo -u postgres createuser --createdb $user (or set PGUSER/PGPASSWORD), or stop that server to use a throwaway cluster."
        fi
        die "PostgreSQL at ${PGHOST:-local socket}:${PGPORT:-5432} refused role '$user'." \
            "Check PGHOST, PGPORT, PGUSER and PGPASSWORD."
    fi
    # No server: a throwaway cluster under the project's ignored .pgdata/ folder.
    local bin
    bin=$(pg_bin_dir) || die "No PostgreSQL server answers and no initdb was found to start a throwaway one." \
        "Install PostgreSQL (apt-get install postgresql) or point PGHOST/PGPORT/PGUSER at a server."
    local data="$SUITE_ROOT/.pgdata/cluster" run="$SUITE_ROOT/.pgdata/run" port="${SUITE_PGPORT:-54329}"
    local as=()
    if [ "$(id -u)" = "0" ]; then
        # initdb refuses to run as root: the cluster belongs to the postgres system user.
        id postgres >/dev/null 2>&1 || die "Running as root without a 'postgres' system user to own a throwaway cluster." \
            "Install PostgreSQL from your distribution (it creates that user) or run as a normal user."
        as=(runuser -u postgres --)
    fi
    mkdir -p "$SUITE_ROOT/.pgdata"
    if [ ! -f "$data/PG_VERSION" ]; then
        say "Initialising a throwaway PostgreSQL cluster in $data"
        mkdir -p "$data" "$run"
        if [ ${#as[@]} -gt 0 ]; then
            chown -R postgres "$SUITE_ROOT/.pgdata"
            chmod 755 "$SUITE_ROOT" "$SUITE_ROOT/.pgdata"
        fi
        "${as[@]}" "$bin/initdb" -D "$data" -U odoo --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
            || die "initdb failed in $data."
    fi
    if ! "${as[@]}" "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        "${as[@]}" "$bin/pg_ctl" -D "$data" -l "$SUITE_ROOT/.pgdata/server.log" -w \
            -o "-k $run -p $port -c listen_addresses=''" start >/dev/null \
            || die "The throwaway PostgreSQL cluster did not start: see $SUITE_ROOT/.pgdata/server.log"
    fi
    export PGHOST="$run" PGPORT="$port" PGUSER=odoo
    DB_ARGS=(--db_host "$run" --db_port "$port" --db_user odoo)
}

# --- Chromium (browser tests) -----------------------------------------------------------------------
ensure_chromium() {
    if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
        || command -v google-chrome >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        say "Installing Debian's chromium for the browser tests (tours)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
            || die "apt-get install chromium failed." "Install Chromium yourself (apt-get install chromium), then run again."
        return 0
    fi
    die "Chromium is needed for the browser tests (tours) and is not installed." \
        "Install it: sudo apt-get install chromium (Debian) or chromium-browser (Ubuntu)."
}

# --- Everything -------------------------------------------------------------------------------------
bootstrap() {
    BASE_PY=$(find_python) || die "No Python 3.10-3.13 with venv found." "Install python3 and python3-venv (Odoo 19 runs on 3.10-3.13)."
    command -v psql >/dev/null 2>&1 || die "psql (PostgreSQL client) is missing." "apt-get install postgresql-client (or postgresql for a local server)."
    locate_odoo_source
    ensure_venv
    ensure_postgres
    ODOO_BIN="$ODOO_SRC/odoo-bin"
    ADDONS_PATH="$SUITE_ROOT/addons,$ODOO_SRC/addons"
    export ODOO_SRC VENV PY ODOO_BIN ADDONS_PATH SUITE_ROOT SUITE_MODULES
    say "Odoo: $ODOO_SRC | Python: $PY | PostgreSQL: ${PGHOST:-local socket}:${PGPORT:-5432} as ${PGUSER:-$(id -un)}"
}

# odoo-bin with the suite's configuration and the database connection found above.
odoo_cmd() {
    "$PY" "$ODOO_BIN" -c "$SUITE_ROOT/odoo.conf" --addons-path "$ADDONS_PATH" "${DB_ARGS[@]}" "$@"
}

db_exists() {
    [ "$(psql -X -d postgres -tAc "select 1 from pg_database where datname = '$1'" 2>/dev/null)" = "1" ]
}

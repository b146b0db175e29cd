"""Suite-level tests: they drive odoo-bin in subprocesses on databases of their own, with the Odoo,
Python and PostgreSQL connection that bin/test found (bin/bootstrap.sh exports them)."""

import os
import shlex
import subprocess
import uuid
from pathlib import Path

import pytest

# The suite's modules in install order: addons/MODULES, the list bin/bootstrap.sh reads too.
SUITE_MODULES = [
    name
    for name in (line.split("#", 1)[0].strip() for line in (Path(__file__).parents[1] / "addons/MODULES").open())
    if name
]
# What the suite's modules stand on (ARCHITECTURE.md), installed once into a template database.
CORE_MODULES = [
    "sale_management",
    "sale_stock",
    "sale_margin",
    "purchase_stock",
    "stock_account",
    "stock_delivery",
    "stock_dropshipping",
    "base_tier_validation",
    "sale_tier_validation",
    "purchase_tier_validation",
    "helpdesk_mgmt",
    "queue_job",
]
TOOLS = Path(__file__).parent / "tools"


class SuiteOdoo:
    """odoo-bin and the suite's database helper, with bin/bootstrap.sh's connection."""

    def __init__(self):
        missing = [name for name in ("PY", "ODOO_BIN", "ADDONS_PATH", "SUITE_ROOT") if not os.environ.get(name)]
        if missing:
            pytest.fail(f"Run the suite-level tests through bin/test ({', '.join(missing)} not set).")
        self.python = os.environ["PY"]
        self.odoo_bin = os.environ["ODOO_BIN"]
        self.root = Path(os.environ["SUITE_ROOT"])
        self.odoo_args = [
            "-c",
            str(self.root / "odoo.conf"),
            "--addons-path",
            os.environ["ADDONS_PATH"],
            *shlex.split(os.environ.get("SUITE_DB_ARGS", "")),
        ]
        self.log_dir = self.root / ".run"
        self.log_dir.mkdir(exist_ok=True)

    def odoo(self, db, *args, timeout=1200):
        """Run odoo-bin; return (returncode, log text)."""
        cmd = [self.python, self.odoo_bin, *self.odoo_args, "-d", db, "--stop-after-init", "--log-level=warn", *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        log = proc.stdout + proc.stderr
        (self.log_dir / f"lifecycle-{db}.log").open("a").write(f"$ {' '.join(args)}\n{log}\n")
        return proc.returncode, log

    def db_tool(self, db, command, *names):
        env = dict(os.environ, SUITE_ODOO_ARGS=shlex.join(self.odoo_args))
        proc = subprocess.run(
            [self.python, str(TOOLS / "suite_db.py"), db, command, *names],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
            check=False,
        )
        for line in proc.stdout.splitlines():
            if line.startswith("SUITE_DB_RESULT "):
                import json

                return json.loads(line.removeprefix("SUITE_DB_RESULT "))
        raise AssertionError(f"suite_db.py {command} on {db} failed:\n{proc.stdout}\n{proc.stderr}")

    def new_db_name(self, label):
        return f"dist_lc_{label}_{uuid.uuid4().hex[:8]}"

    def createdb(self, name, template=None):
        cmd = ["createdb", name] + (["-T", template] if template else [])
        subprocess.run(cmd, check=True, capture_output=True)

    def dropdb(self, name):
        subprocess.run(["dropdb", "--if-exists", name], check=False, capture_output=True)


def log_errors(log):
    """Lines of an Odoo log that report a problem (errors, and warnings other than the harmless ones
    about running as root or the default http interface)."""
    harmless = ("Running as user 'root'", "missing --http-interface", "addons path is not a directory")
    return [
        line
        for line in log.splitlines()
        if (" ERROR " in line or " CRITICAL " in line or " WARNING " in line) and not any(h in line for h in harmless)
    ]


@pytest.fixture(scope="session")
def suite_odoo():
    return SuiteOdoo()


@pytest.fixture(scope="session")
def core_template(suite_odoo):
    """A database with only the core modules the suite depends on: 'empty' of the suite."""
    name = suite_odoo.new_db_name("core")
    returncode, log = suite_odoo.odoo(name, "-i", ",".join(CORE_MODULES))
    assert returncode == 0, f"installing the core modules failed:\n{log[-3000:]}"
    yield name
    suite_odoo.dropdb(name)

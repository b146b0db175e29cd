"""Each suite module installs alone and all together, upgrades with -u, and uninstalls without leaving
broken views, menus or actions behind."""

import pytest

from .conftest import SUITE_MODULES, log_errors

# Each suite module's suite dependencies, followed (its manifest's depends).
BASE = ["distribution_order_flow", "distribution_tier_validation"]
SUITE_DEPENDS = {
    "distribution_tier_validation": [],
    "distribution_order_flow": ["distribution_tier_validation"],
    "distribution_pricing": BASE,
    "distribution_replenishment": BASE,
    "distribution_exceptions": BASE,
    "distribution_helpdesk": ["distribution_exceptions", *BASE],
    "distribution_kpi": ["distribution_exceptions", "distribution_replenishment", *BASE],
    "distribution_dashboard": ["distribution_kpi", "distribution_exceptions", "distribution_replenishment", *BASE],
    "distribution_cycle_count": ["distribution_exceptions", *BASE],
    "distribution_warehouse_scanner": ["distribution_cycle_count", "distribution_exceptions", *BASE],
}
# The suite modules installing one module brings along on the core template: its dependencies, and
# the helpdesk bridge, which installs itself (auto_install) once the exception queue meets helpdesk_mgmt.
SUITE_MODULES_INSTALLED_WITH = {
    "distribution_tier_validation": [],
    "distribution_order_flow": ["distribution_tier_validation"],
    "distribution_pricing": BASE,
    "distribution_replenishment": BASE,
    "distribution_exceptions": [*BASE, "distribution_helpdesk"],
    "distribution_helpdesk": ["distribution_exceptions", *BASE],
    "distribution_kpi": ["distribution_exceptions", "distribution_replenishment", *BASE, "distribution_helpdesk"],
    "distribution_dashboard": [
        "distribution_kpi", "distribution_exceptions", "distribution_replenishment", *BASE, "distribution_helpdesk",
    ],
    "distribution_cycle_count": ["distribution_exceptions", *BASE, "distribution_helpdesk"],
    "distribution_warehouse_scanner": [
        "distribution_cycle_count", "distribution_exceptions", *BASE, "distribution_helpdesk",
    ],
}
# Models whose views the suite extends: rendered after every uninstall.
EXTENDED_MODELS = [
    "res.partner",
    "sale.order",
    "purchase.order",
    "tier.definition",
    "product.pricelist",
    "distribution.price.agreement",
    "product.category",
    "res.config.settings",
    "res.company",
    "helpdesk.ticket",
    "stock.picking",
]


@pytest.mark.parametrize("module", SUITE_MODULES)
def test_module_installs_alone_and_uninstalls_cleanly(suite_odoo, core_template, module):
    db = suite_odoo.new_db_name(module.removeprefix("distribution_"))
    suite_odoo.createdb(db, template=core_template)
    try:
        returncode, log = suite_odoo.odoo(db, "-i", module)
        assert returncode == 0, log[-3000:]
        assert not log_errors(log), "\n".join(log_errors(log))

        states = suite_odoo.db_tool(db, "state", *SUITE_MODULES)
        installed = {name for name, state in states.items() if state == "installed"}
        expected = {module, *SUITE_MODULES_INSTALLED_WITH[module]}
        assert installed == expected, f"{module} alone installed {sorted(installed)}"
        assert suite_odoo.db_tool(db, "integrity", *EXTENDED_MODELS) == []

        suite_odoo.db_tool(db, "uninstall", module)
        states = suite_odoo.db_tool(db, "state", *SUITE_MODULES)
        assert states[module] == "uninstalled"
        # Whatever depends on it goes with it (the bridge depends on the exception queue).
        dependents = [name for name, depends in SUITE_DEPENDS.items() if module in depends]
        assert all(states[name] != "installed" for name in dependents), states
        problems = suite_odoo.db_tool(db, "integrity", *EXTENDED_MODELS)
        assert problems == [], f"uninstalling {module} left:\n" + "\n".join(problems)
    finally:
        suite_odoo.dropdb(db)


def test_all_modules_install_upgrade_and_uninstall_together(suite_odoo, core_template):
    db = suite_odoo.new_db_name("all")
    suite_odoo.createdb(db, template=core_template)
    try:
        returncode, log = suite_odoo.odoo(db, "-i", ",".join(SUITE_MODULES))
        assert returncode == 0, log[-3000:]
        assert not log_errors(log), "\n".join(log_errors(log))

        returncode, log = suite_odoo.odoo(db, "-u", ",".join(SUITE_MODULES))
        assert returncode == 0, log[-3000:]
        assert not log_errors(log), "\n".join(log_errors(log))
        states = suite_odoo.db_tool(db, "state", *SUITE_MODULES)
        assert set(states.values()) == {"installed"}, states

        # Uninstalling the base module takes every suite module with it.
        suite_odoo.db_tool(db, "uninstall", "distribution_tier_validation")
        states = suite_odoo.db_tool(db, "state", *SUITE_MODULES)
        assert set(states.values()) == {"uninstalled"}, states
        problems = suite_odoo.db_tool(db, "integrity", *EXTENDED_MODELS)
        assert problems == [], "uninstalling the suite left:\n" + "\n".join(problems)
    finally:
        suite_odoo.dropdb(db)

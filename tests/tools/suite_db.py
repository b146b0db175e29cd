"""Inspect and act on a suite database from outside a test cursor (used by tests/test_module_lifecycle.py).

    python suite_db.py DB state MODULE...        module states, as JSON
    python suite_db.py DB uninstall MODULE...    uninstall (like Apps > Uninstall)
    python suite_db.py DB integrity [MODEL...]   broken views, menus and actions left behind, as JSON

Odoo options (addons path, db_host/db_port/db_user) come from the SUITE_ODOO_ARGS environment
variable, set by the test from bin/bootstrap.sh's connection.
"""

import json
import os
import shlex
import sys

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import config


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, {"active_test": False})


def module_states(env, names):
    modules = env["ir.module.module"].search([("name", "in", names)])
    return {module.name: module.state for module in modules}


def uninstall(env, names):
    modules = env["ir.module.module"].search([("name", "in", names), ("state", "=", "installed")])
    modules.button_immediate_uninstall()


def integrity(env, models_to_render):
    """Everything an uninstall or upgrade may leave broken, as a list of readable problems."""
    problems = []
    registry_models = set(env.registry)
    for view in env["ir.ui.view"].search([]):
        if view.model and view.model not in registry_models:
            problems.append(f"view {view.xml_id or view.id} ({view.name}) is on missing model {view.model}")
    for action in env["ir.actions.act_window"].search([]):
        if action.res_model not in registry_models:
            problems.append(
                f"window action {action.xml_id or action.id} ({action.name}) opens missing model {action.res_model}"
            )
    env.cr.execute("SELECT id, action FROM ir_ui_menu WHERE action IS NOT NULL")
    for menu_id, reference in env.cr.fetchall():
        model, _sep, res_id = reference.partition(",")
        if model not in registry_models or not env[model].browse(int(res_id)).exists():
            menu = env["ir.ui.menu"].browse(menu_id)
            problems.append(f"menu {menu.complete_name} points to missing action {reference}")
    # Render every primary view of the models the suite extends, with all inherited views applied:
    # a field or xpath an uninstalled module left behind fails here, as it would in the web client.
    for model in models_to_render:
        if model not in registry_models:
            continue
        views = env["ir.ui.view"].search([("model", "=", model), ("mode", "=", "primary"), ("active", "=", True)])
        for view in views:
            try:
                env[model].get_view(view.id, view.type)
            except Exception as error:  # noqa: BLE001 - report every broken view, then fail the test
                problems.append(f"view {view.xml_id or view.id} of {model} does not render: {error}")
    return problems


def main(argv):
    db, command, *names = argv
    config.parse_config(shlex.split(os.environ.get("SUITE_ODOO_ARGS", "")) + ["-d", db, "--log-level=warn"])
    registry = Registry(db)
    with registry.cursor() as cr:
        env = _env(cr)
        if command == "state":
            result = module_states(env, names)
        elif command == "uninstall":
            uninstall(env, names)
            result = {"uninstalled": names}
        elif command == "integrity":
            result = integrity(env, names)
        else:
            raise SystemExit(f"unknown command {command}")
    print("SUITE_DB_RESULT " + json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])

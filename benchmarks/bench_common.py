"""What the benchmark scripts share: Odoo's configuration from the command line and the environment."""

import os


def setup_odoo(odoo_args):
    """Configure Odoo (no server is started) from the options the script did not know, with the addons
    path exported by bin/bootstrap.sh when none is given."""
    from odoo.tools import config

    # The interface only silences Odoo's warning about a missing setting.
    args = ["--log-level=warn", "--http-interface=127.0.0.1", *odoo_args]
    if "--addons-path" not in " ".join(odoo_args) and os.environ.get("ADDONS_PATH"):
        args.append(f"--addons-path={os.environ['ADDONS_PATH']}")
    config.parse_config(args, setup_logging=True)

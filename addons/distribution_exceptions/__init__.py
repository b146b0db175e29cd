from . import models
from . import wizards


def pre_init_hook(env):
    """Create the stored exception flags of orders and transfers as plain columns: no exception exists
    at install, so every row is False, and Odoo does not recompute them one by one on a large database."""
    env.cr.execute(
        """
        ALTER TABLE sale_order ADD COLUMN IF NOT EXISTS distribution_blocked boolean DEFAULT FALSE;
        ALTER TABLE sale_order ADD COLUMN IF NOT EXISTS distribution_has_open_exception boolean DEFAULT FALSE;
        ALTER TABLE stock_picking ADD COLUMN IF NOT EXISTS distribution_has_open_exception boolean DEFAULT FALSE;
        """
    )

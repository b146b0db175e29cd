from . import models
from . import report


def pre_init_hook(env):
    """Create the at-risk columns of sale_order with their resting values in SQL, so installing on a
    database with many orders does not compute every order: the hourly cron (and any change of an
    open order) computes the open ones."""
    env.cr.execute(
        """
        ALTER TABLE sale_order
            ADD COLUMN IF NOT EXISTS at_risk boolean NOT NULL DEFAULT false,
            ADD COLUMN IF NOT EXISTS risk_score integer NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS risk_codes varchar,
            ADD COLUMN IF NOT EXISTS risk_reasons text,
            ADD COLUMN IF NOT EXISTS risk_promise_date timestamp
        """
    )
    env.cr.execute("ALTER TABLE sale_order ALTER COLUMN at_risk DROP DEFAULT, ALTER COLUMN risk_score DROP DEFAULT")

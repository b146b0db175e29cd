"""19.0.1.2.0: transfers carry their carrier's departure (`stock_picking.distribution_carrier_departure`).

The column is made in SQL before the ORM sees the new field, so that the upgrade does not compute it for
every historical transfer; the open ones are computed in post-migrate.py."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("ALTER TABLE stock_picking ADD COLUMN IF NOT EXISTS distribution_carrier_departure timestamp")

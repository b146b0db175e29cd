"""19.0.1.6.0: a margin below its floor is an approval rule of its own, "Margin below floor", read from the new
indicator `sale_order.has_margin_floor_breach`; "Price override" keeps prices below the contract or pricelist
and is named for it, "Price below contract or pricelist".

The column is made in SQL before the ORM sees the new field, so that the upgrade does not compute it for every
historical order (Distribution: Pricing, which sets it, fills it from its lines in one statement)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("ALTER TABLE sale_order ADD COLUMN IF NOT EXISTS has_margin_floor_breach boolean")

"""19.0.1.2.0: the pricelist's own discount of each line (`distribution_pricelist_discount`).

Made in SQL before the ORM sees the new field, so that the upgrade does not recompute it on every historical
line (0: what the approval matrix read until now)."""

from odoo.addons.distribution_pricing.hooks import add_pricelist_discount_column


def migrate(cr, version):
    if not version:
        return
    add_pricelist_discount_column(cr)

"""19.0.1.1.0: price overrides are measured against the pricelist price the server computes
(sale_order_line.distribution_pricelist_price) instead of the client-sent technical_price_unit. Existing
lines keep the reference they were judged on, filled in SQL as at install (hooks.pre_init_hook)."""

from odoo.api import SUPERUSER_ID, Environment

from odoo.addons.distribution_pricing.hooks import pre_init_hook


def migrate(cr, version):
    pre_init_hook(Environment(cr, SUPERUSER_ID, {}))

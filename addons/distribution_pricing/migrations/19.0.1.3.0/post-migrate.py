"""19.0.1.3.0: an order's `has_price_override` now means a line below its contract or pricelist price only, and
`has_margin_floor_breach` a line below its margin floor (each routes the order to its own approval rule). Both
are set again from the lines' stored judgements in one statement, confirmed orders included: their lines keep
what they were approved with."""

from odoo.addons.distribution_pricing.hooks import refresh_order_price_flags


def migrate(cr, version):
    if not version:
        return
    refresh_order_price_flags(cr)

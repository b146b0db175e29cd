"""19.0.1.6.0: the approval rule "Price override" (kept as data that is not updated) is renamed for what it now
covers, "Price below contract or pricelist", unless an administrator renamed it already. The new rule "Margin
below floor" is created by the module's data. A demo database also gets Odoo's own demo business put out of
sight, as a new demo database has it."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    rule = env.ref("distribution_order_flow.tier_definition_sale_price_override", raise_if_not_found=False)
    if rule and rule.name == "Price override":
        rule.name = "Price below contract or pricelist"
    # A demo database made before its demo put Odoo's own demo business out of sight gets it now (nothing on a
    # database without demo data: see distribution.demo._retire_core_demo).
    env["distribution.demo"]._retire_core_demo()

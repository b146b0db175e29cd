"""19.0.1.2.0: line discounts are on for internal users where the suite is installed.

Odoo's user group is noupdate data, so data/res_groups_data.xml only applies on a new install: a database
upgraded from an earlier version gets the Discount column once, here (an admin may switch it off again in
Sales settings; later upgrades leave that choice alone)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    discount = env.ref("sale.group_discount_per_so_line", raise_if_not_found=False)
    if discount:
        env.ref("base.group_user").write({"implied_ids": [(4, discount.id)]})

def pre_init_hook(env):
    """Lines that exist before the module is installed keep the reference they were priced on (Odoo's
    technical price): the column is filled in SQL, so installing neither re-prices every historical line
    through the pricelist engine nor judges old quotations as overrides after the fact."""
    cr = env.cr
    cr.execute("ALTER TABLE sale_order_line ADD COLUMN IF NOT EXISTS distribution_pricelist_price numeric")
    cr.execute(
        "UPDATE sale_order_line SET distribution_pricelist_price = COALESCE(technical_price_unit, price_unit, 0)"
    )
    add_pricelist_discount_column(cr)


def add_pricelist_discount_column(cr):
    """The pricelist's own discount of existing lines is 0 (what Odoo showed them with line discounts off):
    the column is made in SQL, so installing or upgrading does not run a compute over every historical line.
    Quotations edited later are measured again by the ORM."""
    cr.execute(
        "ALTER TABLE sale_order_line ADD COLUMN IF NOT EXISTS distribution_pricelist_discount numeric DEFAULT 0"
    )
    cr.execute("ALTER TABLE sale_order_line ALTER COLUMN distribution_pricelist_discount DROP DEFAULT")


def post_init_hook(env):
    """Line discounts on for every internal user (Sales > Settings > Discounts), once, at install: the
    discount is what the approval matrix and the margin floor judge, so the reps and approvers see it on
    each line. An administrator who switches it off keeps it off (upgrades do not switch it back)."""
    env.ref("base.group_user").write({"implied_ids": [(4, env.ref("sale.group_discount_per_so_line").id)]})

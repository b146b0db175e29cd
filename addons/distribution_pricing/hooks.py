def pre_init_hook(env):
    """Lines that exist before the module is installed keep the reference they were priced on (Odoo's
    technical price): the column is filled in SQL, so installing neither re-prices every historical line
    through the pricelist engine nor judges old quotations as overrides after the fact."""
    cr = env.cr
    cr.execute("ALTER TABLE sale_order_line ADD COLUMN IF NOT EXISTS distribution_pricelist_price numeric")
    cr.execute(
        "UPDATE sale_order_line SET distribution_pricelist_price = COALESCE(technical_price_unit, price_unit, 0)"
    )

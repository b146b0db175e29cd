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


def refresh_order_price_flags(cr):
    """Each order's `has_price_override` and `has_margin_floor_breach` set from its lines' stored judgements, in
    one statement over every order (confirmed lines keep what they were approved with). The order flags are
    the order flow's columns: installing this module judges the existing lines, and this carries the judgement
    to their orders, which the ORM would not recompute for a dependency added by another module."""
    cr.execute(
        """
        UPDATE sale_order so
           SET has_price_override = COALESCE(flags.override, false),
               has_margin_floor_breach = COALESCE(flags.below_floor, false)
          FROM (SELECT so2.id,
                       bool_or(line.is_price_override) AS override,
                       bool_or(line.is_below_margin_floor) AS below_floor
                  FROM sale_order so2
             LEFT JOIN sale_order_line line ON line.order_id = so2.id
              GROUP BY so2.id) flags
         WHERE flags.id = so.id
           AND (so.has_price_override IS DISTINCT FROM COALESCE(flags.override, false)
                OR so.has_margin_floor_breach IS DISTINCT FROM COALESCE(flags.below_floor, false))
        """
    )


def post_init_hook(env):
    """Line discounts on for every internal user (Sales > Settings > Discounts), once, at install: the
    discount is what the approval matrix and the margin floor judge, so the reps and approvers see it on
    each line. An administrator who switches it off keeps it off (upgrades do not switch it back). The
    existing orders get the flags of their lines' judgements."""
    env.ref("base.group_user").write({"implied_ids": [(4, env.ref("sale.group_discount_per_so_line").id)]})
    env.flush_all()
    refresh_order_price_flags(env.cr)
    env.invalidate_all()

from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    kpi_first_delivery_date = fields.Datetime(
        string="First Delivery On", readonly=True, copy=False, index="btree_not_null",
        help="When the order's first delivery (its first done transfer to the customer) was validated; set "
        "on every goods line of the order then, for the fill rate KPI.",
    )
    kpi_first_delivery_qty = fields.Float(
        string="Qty in First Delivery", readonly=True, copy=False,
        help="What the order's first delivery carried of this line, in the line's unit.",
    )

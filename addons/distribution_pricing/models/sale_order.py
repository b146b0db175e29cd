from odoo import api, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.depends("order_line.is_price_override", "order_line.is_below_margin_floor")
    def _compute_has_price_override(self):
        # Sets the order-flow hook: the "Price override" approval rule routes these orders.
        for order in self:
            order.has_price_override = any(
                line.is_price_override or line.is_below_margin_floor for line in order.order_line
            )

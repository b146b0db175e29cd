from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _after_background_reservation(self, moves):
        # What the confirmation does in a company that reserves at once: plan the replenishment of what
        # could not be reserved, now that the background reservation has run. Not for a backorder (its
        # order's shortfall was planned when its first delivery was reserved), as at confirmation.
        super()._after_background_reservation(moves)
        if self.backorder_id:
            return
        orders = moves.sale_line_id.order_id.filtered(lambda order: order.state == "sale")
        orders._plan_replenishment_of_shortfall()

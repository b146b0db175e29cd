from odoo import models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    def _raise_stock_discrepancies(self, counts):
        # A cycle count judged its lines against the approval thresholds and raised its own discrepancy
        # (one per count): the percentage tolerance is for the adjustments made outside a cycle count.
        if self.env.context.get("distribution_cycle_count_apply"):
            return None
        return super()._raise_stock_discrepancies(counts)

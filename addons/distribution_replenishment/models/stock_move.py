from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        moves._refresh_supplier_figures_after_receipt()
        return moves

    def _refresh_supplier_figures_after_receipt(self):
        """Receipts from vendors were done: queue the refresh of each vendor's stored figures in its company
        (one job per vendor and company while it waits). Other moves (deliveries, transfers) cost nothing
        here: they are told apart by fields already read."""
        receipts = self.filtered(
            lambda move: move.state == "done" and move.purchase_line_id and move.location_id.usage == "supplier"
        )
        purchases = receipts.purchase_line_id.order_id
        keys = {(purchase.company_id, purchase.partner_id.commercial_partner_id) for purchase in purchases}
        Stat = self.env["distribution.supplier.stat"]
        for company, vendor in sorted(keys, key=lambda key: (key[0].id, key[1].id)):
            Stat._enqueue_refresh(vendor, company)

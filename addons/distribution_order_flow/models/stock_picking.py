from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        res = super()._action_done()
        # Whichever client validated the delivery (web, barcode app, RPC), re-check the customer's
        # credit now that goods left.
        self.filtered(lambda picking: picking.picking_type_code == "outgoing").sale_id._check_credit_on_delivery()
        return res

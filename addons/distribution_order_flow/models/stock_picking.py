from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    distribution_invoice_ids = fields.One2many(
        "account.move", "distribution_picking_id", string="Invoices on Delivery", readonly=True
    )

    def _action_done(self):
        res = super()._action_done()
        # Whichever client validated the transfer (web, barcode app, RPC), re-check the customer's
        # credit now that goods left, then invoice what left (or credit what came back).
        self.filtered(lambda picking: picking.picking_type_code == "outgoing").sale_id._check_credit_on_delivery()
        self._invoice_on_delivery()
        for picking in self.filtered(lambda p: p.state == "done" and p.sale_id and p._is_customer_delivery()):
            picking.sale_id._notify_shipment(picking)
        return res

    def _is_customer_delivery(self):
        """Goods handed to the customer: the last step of a delivery chain, or a drop-ship."""
        self.ensure_one()
        return self.location_dest_id.usage == "customer"

    def _is_customer_return(self):
        self.ensure_one()
        return self.location_id.usage == "customer"

    def _invoice_on_delivery(self):
        """Create and post the invoice of what each validated delivery handed to an invoice-on-delivery
        customer (a credit note for a return). Held orders are skipped, with the reason on the order.
        An accounting problem never blocks the warehouse: it is reported on the order instead."""
        for picking in self.filtered(lambda p: p.state == "done" and p.sale_id):
            if not (picking._is_customer_delivery() or picking._is_customer_return()):
                continue
            order = picking.sale_id
            if not order.invoice_on_delivery or order.state != "sale":
                continue
            if order._is_flow_on_hold():
                order._note_invoice_held(picking)
                continue
            order.sudo()._invoice_picking(picking)


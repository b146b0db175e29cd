from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    distribution_auto_invoiced = fields.Boolean(
        string="Invoiced on Delivery",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Created and posted by the validation of a delivery (or a return, for a credit note).",
    )
    distribution_picking_id = fields.Many2one(
        "stock.picking",
        string="Invoiced Transfer",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The delivery or return whose validation created this invoice or credit note.",
    )

    def _compute_payment_state(self):
        res = super()._compute_payment_state()
        self._get_flow_orders()._mark_flow_state_to_compute()
        return res

    def _get_flow_orders(self):
        """The sales orders whose flow state reads these moves' payment (closed once every invoice is paid):
        those of posted customer invoices and credit notes."""
        posted = self.filtered(lambda move: move.id and move.state == "posted" and move.is_sale_document())
        return posted.invoice_line_ids.sale_line_ids.order_id

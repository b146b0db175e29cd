from odoo import fields, models

from .distribution_exception import EXCEPTION_READERS


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    exception_ids = fields.One2many(
        "distribution.exception", "purchase_order_id", string="Exceptions", readonly=True
    )
    exception_count = fields.Integer(
        compute="_compute_exception_count", string="Open Exceptions", groups=EXCEPTION_READERS
    )

    def _compute_exception_count(self):
        counts = self.env["distribution.exception"]._open_counts("purchase_order_id", self)
        for order in self:
            order.exception_count = counts.get(order, 0)

    def action_view_exceptions(self):
        self.ensure_one()
        return self.env["distribution.exception"]._action_for_documents([("purchase_order_id", "=", self.id)])

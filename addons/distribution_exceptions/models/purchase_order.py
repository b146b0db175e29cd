from odoo import fields, models


class PurchaseOrder(models.Model):
    _name = "purchase.order"
    _inherit = ["purchase.order", "distribution.exception.mixin"]

    exception_ids = fields.One2many(inverse_name="purchase_order_id")

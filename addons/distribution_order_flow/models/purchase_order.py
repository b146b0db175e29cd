from odoo import fields, models


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    expedited = fields.Boolean(
        tracking=True,
        copy=False,
        help="Rush purchase (express freight, premium price): needs a purchase manager's approval.",
    )

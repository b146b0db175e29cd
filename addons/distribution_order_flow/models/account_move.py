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

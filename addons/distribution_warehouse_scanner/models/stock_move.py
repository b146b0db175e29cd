from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    scanner_short_reason = fields.Char(
        string="Short Pick Reason",
        copy=False,
        readonly=True,
        help="Why the scanner user picked less than the demand (reported from the scanner app).",
    )

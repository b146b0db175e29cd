from odoo import fields, models


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    scanner_qty = fields.Float(
        string="Scanned Quantity",
        digits="Product Unit",
        copy=False,
        readonly=True,
        help="What the scanner app counted on this line so far (scans or typed). Applied to the line's "
        "quantity, marked picked, when the transfer is validated or packed from the scanner.",
    )

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    distribution_bill_qty_tolerance = fields.Float(
        related="company_id.distribution_bill_qty_tolerance", readonly=False
    )
    distribution_bill_price_tolerance = fields.Float(
        related="company_id.distribution_bill_price_tolerance", readonly=False
    )
    distribution_count_tolerance = fields.Float(related="company_id.distribution_count_tolerance", readonly=False)

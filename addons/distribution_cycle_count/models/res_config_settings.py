from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    distribution_count_approval_qty = fields.Float(
        related="company_id.distribution_count_approval_qty", readonly=False
    )
    distribution_count_approval_value = fields.Float(
        related="company_id.distribution_count_approval_value", readonly=False
    )

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    distribution_margin_floor = fields.Float(
        related="company_id.distribution_margin_floor",
        readonly=False,
    )
    distribution_override_reason_required = fields.Boolean(
        related="company_id.distribution_override_reason_required",
        readonly=False,
    )

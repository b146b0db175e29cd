from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    risk_weight_supply = fields.Integer(related="company_id.risk_weight_supply", readonly=False)
    risk_weight_vendor = fields.Integer(related="company_id.risk_weight_vendor", readonly=False)
    risk_weight_backlog = fields.Integer(related="company_id.risk_weight_backlog", readonly=False)
    risk_weight_blocked = fields.Integer(related="company_id.risk_weight_blocked", readonly=False)
    risk_threshold = fields.Integer(related="company_id.risk_threshold", readonly=False)
    risk_vendor_on_time_min = fields.Float(related="company_id.risk_vendor_on_time_min", readonly=False)
    risk_throughput_days = fields.Integer(related="company_id.risk_throughput_days", readonly=False)

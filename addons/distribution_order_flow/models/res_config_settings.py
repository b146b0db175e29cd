from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    allocation_weight_class = fields.Float(related="company_id.allocation_weight_class", readonly=False)
    allocation_weight_promise = fields.Float(related="company_id.allocation_weight_promise", readonly=False)
    allocation_weight_rush = fields.Float(related="company_id.allocation_weight_rush", readonly=False)
    allocation_weight_cutoff = fields.Float(related="company_id.allocation_weight_cutoff", readonly=False)
    allocation_promise_horizon_days = fields.Integer(
        related="company_id.allocation_promise_horizon_days", readonly=False
    )
    allocation_priority_threshold = fields.Float(related="company_id.allocation_priority_threshold", readonly=False)
    distribution_reservation_mode = fields.Selection(related="company_id.distribution_reservation_mode", readonly=False)
    distribution_credit_hold_unreserve = fields.Boolean(
        related="company_id.distribution_credit_hold_unreserve", readonly=False
    )
    distribution_credit_overdue_check = fields.Boolean(
        related="company_id.distribution_credit_overdue_check", readonly=False
    )
    distribution_credit_overdue_days = fields.Integer(
        related="company_id.distribution_credit_overdue_days", readonly=False
    )

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    replenishment_forecast_method = fields.Selection(
        related="company_id.replenishment_forecast_method", readonly=False
    )
    replenishment_history_days = fields.Integer(related="company_id.replenishment_history_days", readonly=False)
    replenishment_demand_source = fields.Selection(related="company_id.replenishment_demand_source", readonly=False)
    replenishment_smoothing_alpha = fields.Float(
        related="company_id.replenishment_smoothing_alpha", readonly=False
    )
    replenishment_review_days = fields.Integer(related="company_id.replenishment_review_days", readonly=False)
    replenishment_safety_days = fields.Float(related="company_id.replenishment_safety_days", readonly=False)
    replenishment_use_observed_lead_time = fields.Boolean(
        related="company_id.replenishment_use_observed_lead_time", readonly=False
    )
    replenishment_safety_method = fields.Selection(related="company_id.replenishment_safety_method", readonly=False)
    replenishment_service_level = fields.Float(related="company_id.replenishment_service_level", readonly=False)
    replenishment_spike_zscore = fields.Float(related="company_id.replenishment_spike_zscore", readonly=False)
    replenishment_spike_weeks = fields.Integer(related="company_id.replenishment_spike_weeks", readonly=False)
    replenishment_forecast_retention_days = fields.Integer(
        related="company_id.replenishment_forecast_retention_days", readonly=False
    )
    replenishment_drift_days = fields.Float(related="company_id.replenishment_drift_days", readonly=False)
    replenishment_auto_execute = fields.Boolean(related="company_id.replenishment_auto_execute", readonly=False)
    replenishment_order_trigger = fields.Selection(related="company_id.replenishment_order_trigger", readonly=False)

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    replenishment_forecast_method = fields.Selection(
        [
            ("moving_average", "Moving average"),
            ("exponential_smoothing", "Exponential smoothing"),
        ],
        string="Forecast Method",
        required=True,
        default="moving_average",
        help="How the planner forecasts demand over the horizon (vendor lead time + review period) "
        "from the sales history.",
    )
    replenishment_history_days = fields.Integer(
        string="Sales History (days)",
        default=90,
        help="How far back the planner reads delivered sales to forecast demand.",
    )
    replenishment_smoothing_alpha = fields.Float(
        string="Smoothing Factor",
        default=0.3,
        digits=(3, 2),
        help="Exponential smoothing weight of the most recent period (0-1): higher reacts faster.",
    )
    replenishment_review_days = fields.Integer(
        string="Review Period (days)",
        default=7,
        help="Days between two planning runs: the planner covers the lead time plus this period.",
    )
    replenishment_safety_days = fields.Float(
        string="Safety Stock (days of cover)",
        default=5.0,
        help="Stock kept above the forecast, in days of average demand.",
    )
    replenishment_use_observed_lead_time = fields.Boolean(
        string="Plan with Observed Lead Times",
        help="Plan purchases with the lead time vendors actually achieved on recent receipts instead "
        "of the one promised on the vendor pricelist.",
    )

    @api.constrains(
        "replenishment_history_days",
        "replenishment_smoothing_alpha",
        "replenishment_review_days",
        "replenishment_safety_days",
    )
    def _check_replenishment_settings(self):
        for company in self:
            if company.replenishment_history_days < 7:
                raise ValidationError(
                    _(
                        "Company %(company)s: the sales history must cover at least 7 days (got %(days)s).",
                        company=company.name,
                        days=company.replenishment_history_days,
                    )
                )
            if not 0.0 < company.replenishment_smoothing_alpha <= 1.0:
                raise ValidationError(
                    _(
                        "Company %(company)s: the smoothing factor must be above 0 and at most 1 (got %(alpha)s).",
                        company=company.name,
                        alpha=company.replenishment_smoothing_alpha,
                    )
                )
            if company.replenishment_review_days < 0 or company.replenishment_safety_days < 0:
                raise ValidationError(
                    _(
                        "Company %(company)s: the review period and the safety stock cannot be negative.",
                        company=company.name,
                    )
                )

    def _get_replenishment_horizon_days(self, vendor_lead_days):
        """Days of demand a purchase placed today must cover: the vendor lead time plus the review
        period. Extension point for per-warehouse or per-vendor review calendars."""
        self.ensure_one()
        return max(vendor_lead_days, 0) + self.replenishment_review_days

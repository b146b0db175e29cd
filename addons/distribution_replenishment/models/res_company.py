from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# Forecasts are scored against the 4 weeks after them: kept at least that long, with a week's margin.
MIN_FORECAST_RETENTION_DAYS = 35


class ResCompany(models.Model):
    _inherit = "res.company"

    replenishment_forecast_method = fields.Selection(
        [
            ("moving_average", "Moving average"),
            ("exponential_smoothing", "Exponential smoothing"),
            ("auto", "Automatic by demand class"),
        ],
        string="Forecast Method",
        required=True,
        default="auto",
        help="How the planner forecasts demand over the horizon (vendor lead time + review period) "
        "from the sales history. Automatic: each product x warehouse is classified (smooth, erratic, "
        "intermittent, lumpy; seasonal or trend) from two years of history, and each class gets the method "
        "with the best back-tested accuracy (MASE); products and categories may pin a method.",
    )
    replenishment_demand_source = fields.Selection(
        [("deliveries", "Deliveries"), ("orders", "Orders by requested date")],
        string="Demand History",
        required=True,
        default="deliveries",
        help="What the planner forecasts from. Deliveries: what was shipped to customers, on the day it left "
        "(a stock-out shows as no demand; forecasting by demand class detects such weeks and leaves them out). "
        "Orders: what customers asked for on confirmed sale orders, on the requested date (the commitment date, "
        "else the order date), net of cancellations (cancelled orders do not count) and of returns (received "
        "back from customers, on the day of the return): demand a stock-out does not hide.",
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
    replenishment_safety_method = fields.Selection(
        [("days", "Days of cover"), ("service_level", "Service level")],
        string="Safety Stock Method",
        required=True,
        default="days",
        help="Days of cover: safety stock = average daily demand x safety days. Service level: safety stock "
        "= z(service level) x standard deviation of daily demand x square root of the horizon in days.",
    )
    replenishment_service_level = fields.Float(
        string="Service Level (%)",
        default=95.0,
        help="Probability of not running out over the horizon (service-level safety stock), 50 to 99.9 %.",
    )
    replenishment_spike_zscore = fields.Float(
        string="Demand Spike Threshold (z-score)",
        default=3.0,
        help="A product x warehouse whose last week's demand is this many standard deviations above its "
        "weekly history is flagged as a demand spike and notified to its buyer.",
    )
    replenishment_spike_weeks = fields.Integer(
        string="Spike Window (weeks)",
        default=1,
        help="Forecasting by demand class: the demand of the last N weeks is compared with what the method "
        "forecast for them; a spike (more) or a drop (less) is flagged when the difference is at least the "
        "spike threshold times the method's back-tested error band for N weeks.",
    )
    replenishment_drift_days = fields.Float(
        string="Lead Time Drift (days)",
        default=2.0,
        help="A vendor whose last receipts took on average this many days longer than promised is flagged.",
    )
    replenishment_auto_execute = fields.Boolean(
        string="Execute Planned Replenishments",
        help="The nightly planning run creates the transfers and RFQs itself; otherwise buyers review the "
        "proposals and execute them.",
    )
    replenishment_order_trigger = fields.Selection(
        [("none", "Nothing"), ("propose", "Propose"), ("create", "Create")],
        string="On Short Confirmation",
        required=True,
        default="propose",
        help="When a confirmed sale order cannot be reserved in its warehouse: propose the replenishment of "
        "the shortfall (buyers execute it) or create the transfer or RFQ at once.",
    )
    replenishment_forecast_retention_days = fields.Integer(
        string="Keep Stored Forecasts (days)",
        default=400,
        help="Forecasts kept by the planning runs (Forecast Accuracy) older than this are deleted by the daily "
        "accuracy job; 0 keeps them. At least 35 days, so that each forecast is scored against the 4 weeks "
        "that followed it before it goes.",
    )
    replenishment_use_observed_lead_time = fields.Boolean(
        string="Plan with Observed Lead Times",
        help="Plan purchases with the lead time vendors actually achieved on recent receipts instead "
        "of the one promised on the vendor pricelist.",
    )

    @api.constrains(
        "replenishment_service_level",
        "replenishment_spike_zscore",
        "replenishment_spike_weeks",
        "replenishment_drift_days",
        "replenishment_history_days",
        "replenishment_smoothing_alpha",
        "replenishment_review_days",
        "replenishment_safety_days",
        "replenishment_forecast_retention_days",
    )
    def _check_replenishment_settings(self):
        for company in self:
            retention = company.replenishment_forecast_retention_days
            if retention and not retention >= MIN_FORECAST_RETENTION_DAYS:
                raise ValidationError(
                    _(
                        "Company %(company)s: stored forecasts must be kept at least %(minimum)s days (0: kept "
                        "for good), so that they are scored against the weeks that followed (got %(days)s).",
                        company=company.name,
                        minimum=MIN_FORECAST_RETENTION_DAYS,
                        days=retention,
                    )
                )
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
            if not 50.0 <= company.replenishment_service_level < 100.0:
                raise ValidationError(
                    _(
                        "Company %(company)s: the service level must be from 50 %% to below 100 %% (got %(level)s).",
                        company=company.name,
                        level=company.replenishment_service_level,
                    )
                )
            if company.replenishment_spike_zscore <= 0 or company.replenishment_drift_days < 0:
                raise ValidationError(
                    _(
                        "Company %(company)s: the spike threshold must be positive and the lead time drift "
                        "cannot be negative.",
                        company=company.name,
                    )
                )
            if not 1 <= company.replenishment_spike_weeks <= 13:
                raise ValidationError(
                    _(
                        "Company %(company)s: the spike window must be from 1 to 13 weeks (got %(weeks)s).",
                        company=company.name,
                        weeks=company.replenishment_spike_weeks,
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

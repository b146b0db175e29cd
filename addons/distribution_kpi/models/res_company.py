from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    risk_weight_supply = fields.Integer(
        string="Weight: No Stock or Supply",
        default=40,
        help="Score added when an order line is not reserved and no incoming supply arrives in its "
        "warehouse before the promise date.",
    )
    risk_weight_vendor = fields.Integer(
        string="Weight: Usually Late Vendor",
        default=20,
        help="Score added when the incoming supply an order waits for comes from a vendor that is usually "
        "late (supplier performance).",
    )
    risk_weight_backlog = fields.Integer(
        string="Weight: Warehouse Backlog",
        default=20,
        help="Score added when the deliveries scheduled before the order's take the warehouse longer than "
        "the working days left until the promise date, at its usual daily throughput.",
    )
    risk_weight_blocked = fields.Integer(
        string="Weight: Blocking Exception",
        default=30,
        help="Score added when an open blocking exception (or a credit hold) holds the order.",
    )
    risk_threshold = fields.Integer(
        string="At-Risk Threshold",
        default=20,
        help="An open order whose score reaches this value is at risk. With the default weights any one "
        "reason is enough; raise it to flag only orders with several reasons.",
    )
    risk_vendor_on_time_min = fields.Float(
        string="Vendor On-Time Minimum (%)",
        default=80.0,
        help="A vendor with at least three measured receipts and a lower on-time rate is usually late.",
    )
    risk_throughput_days = fields.Integer(
        string="Throughput Window (days)",
        default=28,
        help="The warehouse's usual daily throughput: deliveries done over these last days, per day on "
        "which it shipped.",
    )

    kpi_mail_last_week = fields.Date(
        string="Last Weekly KPI Mail", readonly=True,
        help="The last day of the week whose KPI mail was sent: the weekly cron sends each week once.",
    )

    @api.constrains(
        "risk_weight_supply", "risk_weight_vendor", "risk_weight_backlog", "risk_weight_blocked",
        "risk_threshold", "risk_vendor_on_time_min", "risk_throughput_days",
    )
    def _check_risk_settings(self):
        for company in self:
            weights = [company.risk_weight_supply, company.risk_weight_vendor, company.risk_weight_backlog,
                       company.risk_weight_blocked]
            if any(weight < 0 or weight > 100 for weight in weights):
                raise ValidationError(self.env._(
                    "Company %(company)s: each at-risk weight must be between 0 and 100.", company=company.name
                ))
            if company.risk_threshold < 1 or company.risk_threshold > 100:
                raise ValidationError(self.env._(
                    "Company %(company)s: the at-risk threshold must be between 1 and 100.", company=company.name
                ))
            if not 0 <= company.risk_vendor_on_time_min <= 100:
                raise ValidationError(self.env._(
                    "Company %(company)s: the vendor on-time minimum is a percentage (0-100).", company=company.name
                ))
            if company.risk_throughput_days < 1:
                raise ValidationError(self.env._(
                    "Company %(company)s: the throughput window needs at least one day.", company=company.name
                ))

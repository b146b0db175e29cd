from odoo import api, fields, models
from odoo.exceptions import ValidationError

ALLOCATION_WEIGHTS = (
    "allocation_weight_class",
    "allocation_weight_promise",
    "allocation_weight_rush",
    "allocation_weight_cutoff",
)


class ResCompany(models.Model):
    _inherit = "res.company"

    allocation_weight_class = fields.Float(
        string="Weight of the Customer Class", default=50.0,
        help="Share of the allocation score given by the customer class priority (0-100).",
    )
    allocation_weight_promise = fields.Float(
        string="Weight of the Promise Date", default=30.0,
        help="Share of the allocation score given by how close the promise date is.",
    )
    allocation_weight_rush = fields.Float(
        string="Weight of the Rush Flag", default=15.0, help="Share of the allocation score given by a rush order."
    )
    allocation_weight_cutoff = fields.Float(
        string="Weight of the Carrier Cut-off", default=5.0,
        help="Share of the allocation score given to a delivery that must make its carrier's cut-off today.",
    )
    allocation_promise_horizon_days = fields.Integer(
        string="Promise Horizon (days)", default=14,
        help="A promise date this many days away or more adds nothing to the score; a promise due today or "
        "past adds its full weight, linearly in between.",
    )
    allocation_priority_threshold = fields.Float(
        string="Starred from Score", default=75.0,
        help="Deliveries with a move scored at or above this are starred (priority), which the web client, "
        "barcode apps and Odoo's reservation scheduler serve first.",
    )

    distribution_reservation_mode = fields.Selection(
        [
            ("confirmation", "At confirmation"),
            ("background", "In the background, by allocation score"),
        ],
        string="Reserve Customer Orders",
        default="confirmation",
        required=True,
        help="At confirmation (Odoo's way): a sales order's delivery reserves its stock in the confirming "
        "transaction. In the background: the order is confirmed without touching the stock, and a job "
        "(queue root.distribution.reservation) reserves its delivery a moment later, the waiting deliveries "
        "by allocation score. For high order volumes on contended products: confirmations no longer wait for "
        "each other on the stock they compete for, and backorders created at validation are reserved the "
        "same way, out of the warehouse user's transaction.",
    )
    distribution_credit_hold_unreserve = fields.Boolean(
        string="Held Orders Release Their Reservations",
        help="When an order goes on credit hold, the stock reserved for its deliveries (not yet picked) is "
        "released for other orders, and nothing is reserved for it until a credit controller releases it.",
    )
    distribution_credit_overdue_check = fields.Boolean(
        string="Hold for Overdue Balance",
        help="A customer owing invoices past due (beyond the grace days) is treated as over its credit "
        "limit: the credit rule of the approval matrix applies at confirmation and the order is held at "
        "goods issue.",
    )
    distribution_credit_overdue_days = fields.Integer(
        string="Overdue Grace Days", default=0,
        help="Days past an invoice's due date before it counts as overdue for the credit rule.",
    )

    @api.constrains("distribution_credit_overdue_days")
    def _check_credit_overdue_days(self):
        for company in self:
            if company.distribution_credit_overdue_days < 0:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the overdue grace days cannot be negative (got %(days)s).",
                        company=company.name,
                        days=company.distribution_credit_overdue_days,
                    )
                )

    @api.constrains(*ALLOCATION_WEIGHTS, "allocation_promise_horizon_days", "allocation_priority_threshold")
    def _check_allocation_settings(self):
        for company in self:
            weights = [company[name] for name in ALLOCATION_WEIGHTS]
            if any(weight < 0 for weight in weights) or not sum(weights):
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: allocation weights cannot be negative and must not all be zero.",
                        company=company.name,
                    )
                )
            if company.allocation_promise_horizon_days < 1:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the promise horizon must be at least one day.", company=company.name
                    )
                )
            if not 0 <= company.allocation_priority_threshold <= 100:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the starred-from score must be between 0 and 100 (got %(value)s).",
                        company=company.name,
                        value=company.allocation_priority_threshold,
                    )
                )

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    # One rule for counts: a cycle count is judged by the approval thresholds below (and raises at most one
    # stock discrepancy, on the count task); the percentage tolerance judges the other inventory adjustments.
    distribution_count_tolerance = fields.Float(
        help="An inventory adjustment made outside a cycle count (Physical Inventory) changing a product's "
        "quantity by more than this share of what was recorded raises a stock discrepancy. Cycle counts are "
        "judged by the approval thresholds instead.",
    )
    distribution_count_approval_qty = fields.Float(
        string="Count Approval Quantity",
        default=10.0,
        help="A cycle count line whose counted quantity differs from the recorded one by more than this "
        "quantity (in the product's unit) waits for an inventory manager's approval.",
    )
    distribution_count_approval_value = fields.Float(
        string="Count Approval Value",
        default=100.0,
        help="A cycle count line whose difference is worth more than this amount (product cost, company "
        "currency) waits for an inventory manager's approval.",
    )

    @api.constrains("distribution_count_approval_qty", "distribution_count_approval_value")
    def _check_distribution_count_approval(self):
        for company in self:
            for field_name in ("distribution_count_approval_qty", "distribution_count_approval_value"):
                if company[field_name] < 0:
                    raise ValidationError(
                        self.env._(
                            "%(company)s: %(setting)s cannot be negative (got %(value)s).",
                            company=company.name,
                            setting=company._fields[field_name].string,
                            value=company[field_name],
                        )
                    )

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    distribution_bill_qty_tolerance = fields.Float(
        string="Bill Quantity Tolerance (%)",
        default=0.0,
        help="A vendor bill may invoice up to this share more than was received before it is a mismatch.",
    )
    distribution_bill_price_tolerance = fields.Float(
        string="Bill Price Tolerance (%)",
        default=2.0,
        help="A vendor bill's unit price may differ from the purchase order's by this share before it is a mismatch.",
    )
    distribution_count_tolerance = fields.Float(
        string="Count Tolerance (%)",
        default=5.0,
        help="An inventory adjustment or cycle count changing a product's quantity by more than this "
        "share of what was recorded raises a stock discrepancy.",
    )

    @api.constrains(
        "distribution_bill_qty_tolerance", "distribution_bill_price_tolerance", "distribution_count_tolerance"
    )
    def _check_distribution_tolerances(self):
        for company in self:
            for field_name in (
                "distribution_bill_qty_tolerance",
                "distribution_bill_price_tolerance",
                "distribution_count_tolerance",
            ):
                if not 0 <= company[field_name] <= 100:
                    raise ValidationError(
                        _(
                            "%(company)s: %(setting)s must be between 0 and 100 %% (got %(value)s).",
                            company=company.name,
                            setting=company._fields[field_name].string,
                            value=company[field_name],
                        )
                    )

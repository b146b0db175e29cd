from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    distribution_margin_floor = fields.Float(
        string="Default Margin Floor (%)",
        default=15.0,
        help="Lowest margin (in % of the sale price) a line may have without approval, for product "
        "categories that set no floor of their own.",
    )

    distribution_override_reason_required = fields.Boolean(
        string="Reason for Price Overrides",
        default=True,
        help="A quotation line priced below its contract or pricelist price cannot be saved without the "
        "reason of the override. Switched off, overrides still route the order to the 'Price override' "
        "approval rule (archive that rule to stop it).",
    )

    def write(self, vals):
        res = super().write(vals)
        if "distribution_margin_floor" in vals:
            self.env["sale.order.line"]._recheck_margin_floors([("company_id", "in", self.ids)])
        return res

    @api.constrains("distribution_margin_floor")
    def _check_distribution_margin_floor(self):
        for company in self:
            if not 0.0 <= company.distribution_margin_floor < 100.0:
                raise ValidationError(
                    _(
                        "Company %(company)s: the default margin floor must be at least 0%% and below 100%% "
                        "(got %(floor)s%%).",
                        company=company.name,
                        floor=company.distribution_margin_floor,
                    )
                )

from odoo import fields, models

from .distribution_exception import EXCEPTION_READERS


class ResPartner(models.Model):
    _inherit = "res.partner"

    distribution_exception_count = fields.Integer(
        compute="_compute_distribution_exception_count", string="Open Exceptions", groups=EXCEPTION_READERS
    )

    def _compute_distribution_exception_count(self):
        counts = self.env["distribution.exception"]._open_counts("partner_id", self.commercial_partner_id)
        for partner in self:
            partner.distribution_exception_count = counts.get(partner.commercial_partner_id, 0)

    def action_view_distribution_exceptions(self):
        self.ensure_one()
        return self.env["distribution.exception"]._action_for_documents(
            [("partner_id", "=", self.commercial_partner_id.id)]
        )

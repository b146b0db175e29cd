from odoo import fields, models

from .distribution_exception import EXCEPTION_READERS, OPEN_STATES


class ResPartner(models.Model):
    _inherit = "res.partner"

    distribution_exception_count = fields.Integer(
        compute="_compute_distribution_exception_count", string="Open Exceptions", groups=EXCEPTION_READERS
    )

    def _compute_distribution_exception_count(self):
        counts = dict(
            self.env["distribution.exception"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids), ("state", "in", OPEN_STATES)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.distribution_exception_count = counts.get(partner.commercial_partner_id, 0)

    def action_view_distribution_exceptions(self):
        self.ensure_one()
        return self.env["distribution.exception"]._action_for_documents(
            [("partner_id", "=", self.commercial_partner_id.id)]
        )

from odoo import models


class TierReview(models.Model):
    _inherit = "tier.review"

    def _get_reviewers(self):
        # A salesperson never approves their own order, whichever group they are in and whoever
        # requested the validation (the requester is removed by the definitions' four-eyes option).
        reviewers = super()._get_reviewers()
        if self.model == "sale.order" and self.res_id:
            reviewers -= self.env["sale.order"].browse(self.res_id).user_id
        return reviewers

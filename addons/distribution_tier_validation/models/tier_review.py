import secrets

from odoo import api, models
from odoo.exceptions import AccessError

# Carried in the context by the validation actions only. A random value drawn when the server starts: a
# client sending a context over RPC cannot know it, so it cannot pass for a validation action.
REVIEW_ACTION_KEY = "distribution_tier_review_action"
REVIEW_ACTION_TOKEN = secrets.token_hex(16)

# What makes a review an approval: who decided, when, for which rule and which record.
DECISION_FIELDS = {"done_by", "reviewed_date", "definition_id", "model", "res_id", "sequence", "reviewer_ids"}
DECISION_STATES = {"approved", "rejected", "cancel"}


def as_review_action(records):
    """``records`` in the context of a validation action: reviews may be created, decided or removed."""
    return records.with_context(**{REVIEW_ACTION_KEY: REVIEW_ACTION_TOKEN})


class TierReview(models.Model):
    _inherit = "tier.review"

    def _is_review_action(self):
        return self.env.su or self.env.context.get(REVIEW_ACTION_KEY) == REVIEW_ACTION_TOKEN

    def _check_review_action(self, operation):
        """Reviews are created, approved, rejected and removed only through the validation actions
        (Request Validation, Validate, Reject, the comment wizard, Restart), which check who may do it;
        a direct create, write or unlink (RPC, import) is refused for everybody but the system."""
        if not self._is_review_action():
            raise AccessError(
                self.env._(
                    "%(user)s cannot %(operation)s approval reviews directly (%(reviews)s): use Request "
                    "Validation, Validate, Reject or Restart on the document.",
                    user=self.env.user.name,
                    operation=operation,
                    reviews=", ".join(
                        f"{review.name or review.definition_id.name} ({review.status})" for review in self
                    )
                    or "-",
                )
            )

    @api.depends("reviewer_ids")
    def _compute_todo_by(self):  # pylint: disable=missing-return  # returns nothing, as the method it extends
        # "Sales Administrator (Morgan Hale, Mitchell Admin)" rather than "Group Administrator": the role
        # in words people use, and who holds it.
        # Core's label first, for the whole batch; reviews of a rule then get theirs.
        super()._compute_todo_by()
        for review in self.filtered("definition_id"):
            review.todo_by = review.definition_id._get_reviewer_label(review.reviewer_ids)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_review_action(self.env._("create"))
        return super().create(vals_list)

    def write(self, vals):
        if DECISION_FIELDS & set(vals) or vals.get("status") in DECISION_STATES:
            self._check_review_action(self.env._("decide"))
        return super().write(vals)

    def unlink(self):
        self._check_review_action(self.env._("delete"))
        return super().unlink()

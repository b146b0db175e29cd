import logging

from odoo import api, models, tools

from .tier_review import as_review_action

_logger = logging.getLogger(__name__)


class TierValidation(models.AbstractModel):
    _inherit = "tier.validation"

    def evaluate_tier(self, tier):
        """A rule whose domain names a field this model does not have now does not apply: it is skipped
        with a warning instead of failing whatever confirms or writes the record (during an upgrade of a
        core module the modules above it, and their fields, are not loaded yet)."""
        missing = tier._get_missing_domain_fields(self)
        if missing:
            _logger.warning(
                "Approval rule %r (tier.definition %s) skipped on %s: its domain names %s, which the "
                "registry does not have now (a module is being upgraded or was uninstalled).",
                tier.name,
                tier.id,
                self._name,
                ", ".join(missing),
            )
            return self.browse()
        return super().evaluate_tier(tier)

    @api.model
    def _get_exception_fields(self, extra_domain=None):
        # base_tier_validation asks this (a search and a groups query) on every write of every governed
        # record, to see whether any exception is configured at all: without an extra domain the answer
        # depends only on the model, the companies and the user's groups, so it is cached (cleared when an
        # exception changes, and by Odoo when a user's groups change).
        if extra_domain is not None:
            return super()._get_exception_fields(extra_domain=extra_domain)
        return list(self._get_exception_fields_cached(self._name, tuple(self._get_company().ids)))

    @api.model
    @tools.ormcache("model_name", "company_ids", "self.env.uid")
    def _get_exception_fields_cached(self, model_name, company_ids):
        return tuple(super()._get_exception_fields())

    # The validation actions: the only ways reviews are created, decided and removed (tier.review).
    def request_validation(self):
        self = as_review_action(self)
        return super().request_validation()

    def restart_validation(self):
        self = as_review_action(self)
        return super().restart_validation()

    def _validate_tier(self, tiers=False):
        self = as_review_action(self)
        return super()._validate_tier(tiers and tiers.with_env(self.env))

    def _rejected_tier(self, tiers=False):
        self = as_review_action(self)
        return super()._rejected_tier(tiers and tiers.with_env(self.env))

    def unlink(self):
        self = as_review_action(self)
        return super().unlink()

    def _tier_validation_check_write_remove_reviews(self, vals):
        # base_tier_validation removes the reviews when the document is cancelled or reset to draft.
        self = as_review_action(self)
        return super()._tier_validation_check_write_remove_reviews(vals)

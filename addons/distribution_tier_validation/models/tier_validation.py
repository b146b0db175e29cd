import logging

from odoo import models

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

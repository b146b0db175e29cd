from odoo import api, models
from odoo.exceptions import AccessError


class DistributionSystemFieldsMixin(models.AbstractModel):
    """Fields the server computes or records (indicators the approval matrix reads, flow state,
    allocation scores, KPI dates, risk flags, holds) are the system's: a user's write or create that
    carries one of them is refused with an error naming the records and fields, by any path (web client,
    RPC, import). The suite's own code writes them as the system (sudo). Stored computes are recomputed
    by the ORM without going through write(), so they are unaffected."""

    _name = "distribution.system.fields.mixin"
    _description = "Distribution: fields written by the system only"

    @api.model
    def _get_distribution_system_fields(self):
        """Names of this model's system-written fields. Extension point: each module adds its own
        with ``super() | {...}``."""
        return set()

    def _check_distribution_system_fields(self, vals_list):
        if self.env.su:
            return
        protected = self._get_distribution_system_fields()
        written = sorted({name for vals in vals_list for name in vals if name in protected})
        if written:
            raise AccessError(
                self.env._(
                    "%(records)s: %(fields)s are set by the system and cannot be written by %(user)s.",
                    records=", ".join(self.mapped("display_name")) or self._description,
                    fields=", ".join(self._fields[name].string for name in written),
                    user=self.env.user.name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_distribution_system_fields(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_distribution_system_fields([vals])
        return super().write(vals)

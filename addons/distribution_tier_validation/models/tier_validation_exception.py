from odoo import api, models


class TierValidationException(models.Model):
    _inherit = "tier.validation.exception"

    # tier.validation._get_exception_fields caches whether exceptions exist: any change clears it.
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        res = super().write(vals)
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

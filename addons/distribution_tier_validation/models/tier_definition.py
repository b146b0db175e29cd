from ast import literal_eval

from odoo import models
from odoo.fields import Domain


class TierDefinition(models.Model):
    _inherit = "tier.definition"

    def _get_missing_domain_fields(self, model):
        """The field paths of this rule's domain that ``model`` does not have in the registry as it is
        loaded now (a module being upgraded or uninstalled takes its fields out), or the domain itself
        when it cannot be read. Empty when the rule can be evaluated. No query."""
        self.ensure_one()
        if not self.definition_domain:
            return []
        try:
            domain = Domain(literal_eval(self.definition_domain))
        except (ValueError, SyntaxError, TypeError):
            return [self.definition_domain]
        missing = []
        for condition in domain.iter_conditions():
            if not isinstance(condition.field_expr, str):
                continue
            current = model
            for name in condition.field_expr.split("."):
                field = current._fields.get(name)
                if field is None:
                    missing.append(condition.field_expr)
                    break
                if not field.relational:
                    break
                current = self.env[field.comodel_name]
        return missing

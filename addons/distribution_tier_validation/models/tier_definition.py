from ast import literal_eval

from odoo import models, tools
from odoo.fields import Domain


class TierDefinition(models.Model):
    _inherit = "tier.definition"

    def _get_reviewer_role(self):
        """The reviewing role in words: the group with its application ("Sales Administrator"), or
        False for a rule reviewed by named people."""
        self.ensure_one()
        group = self.reviewer_group_id if self.review_type == "group" else self.env["res.groups"]
        if not group:
            return False
        privilege = group.privilege_id.name
        if privilege and privilege.lower() not in group.name.lower():
            return f"{privilege} {group.name}"
        return group.name

    def _get_reviewer_label(self, reviewers, shown=3):
        """Who approves, for people: the role and up to ``shown`` of the ``reviewers`` holding it
        ("Sales Administrator (Morgan Hale, Mitchell Admin)"), or the reviewers' names alone."""
        self.ensure_one()
        names = ", ".join(reviewers[:shown].mapped("name"))
        if len(reviewers) > shown:
            names = self.env._("%(names)s and %(count)s more", names=names, count=len(reviewers) - shown)
        role = self._get_reviewer_role()
        if role and names:
            return f"{role} ({names})"
        return role or names or self.env._("nobody (no user has the reviewing role)")

    def _get_missing_domain_fields(self, model):
        """The field paths of this rule's domain that ``model`` does not have in the registry as it is
        loaded now (a module being upgraded or uninstalled takes its fields out), or the domain itself
        when it cannot be read. Empty when the rule can be evaluated. No query."""
        self.ensure_one()
        if not self.definition_domain:
            return []
        return list(self._get_missing_domain_fields_cached(self.definition_domain, model._name))

    @tools.ormcache("domain_text", "model_name")
    def _get_missing_domain_fields_cached(self, domain_text, model_name):
        """Per registry (the fields a model has change only with a new or reloaded registry, which starts
        with empty caches): a rule's domain is parsed once, not at every evaluation."""
        model = self.env[model_name]
        try:
            domain = Domain(literal_eval(domain_text))
        except (ValueError, SyntaxError, TypeError):
            return (domain_text,)
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
        return tuple(missing)

"""19.0.1.1.0: the exception users' record rule no longer shows every unassigned item (credit holds with
customers' credit facts included) to every exception user: they see their own items and those of the team
the item's type routes to; the roles' rules (warehouse, purchase, finance, credit control) are unchanged.

Record rules are noupdate data: the rule is updated only where it still holds the domain it was installed
with, so an admin's own domain is kept."""

OLD_DOMAIN = "['|', '|', ('user_id', '=', user.id), ('user_id', '=', False), ('team_id.member_ids', 'in', [user.id])]"
NEW_DOMAIN = "['|', ('user_id', '=', user.id), ('team_id.member_ids', 'in', [user.id])]"


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE ir_rule rule
           SET domain_force = %(new)s
          FROM ir_model_data data
         WHERE data.module = 'distribution_exceptions'
           AND data.name = 'distribution_exception_rule_user'
           AND data.model = 'ir.rule'
           AND rule.id = data.res_id
           AND rule.domain_force = %(old)s
        """,
        {"old": OLD_DOMAIN, "new": NEW_DOMAIN},
    )

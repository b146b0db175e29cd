"""19.0.1.1.0: helpdesk agents with personal tickets no longer see every exception that has a ticket, nor
every sales item: only theirs and those of the tickets they see (the team and all-tickets groups get rules
of their own, created by the update).

Record rules are noupdate data: the rule is updated only where it still holds the domain it was installed
with, so an admin's own domain is kept."""

OLD_DOMAIN = "['|', '|', ('user_id', '=', user.id), ('ticket_id', '!=', False), ('audience', '=', 'sales')]"
NEW_DOMAIN = (
    "['|', '|', ('user_id', '=', user.id), ('ticket_id.user_id', '=', user.id), '&', "
    "('ticket_id.user_id', '=', False), ('ticket_id.team_id', 'in', user.helpdesk_team_ids.ids)]"
)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE ir_rule rule
           SET domain_force = %(new)s
          FROM ir_model_data data
         WHERE data.module = 'distribution_helpdesk'
           AND data.name = 'distribution_exception_rule_helpdesk'
           AND data.model = 'ir.rule'
           AND rule.id = data.res_id
           AND rule.domain_force = %(old)s
        """,
        {"old": OLD_DOMAIN, "new": NEW_DOMAIN},
    )

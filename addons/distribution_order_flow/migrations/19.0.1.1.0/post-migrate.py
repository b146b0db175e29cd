"""19.0.1.1.0: the credit rule of the approval matrix also reads the overdue-balance indicator.

The approval matrix is noupdate data (admins tune it): the credit rule is updated only where it still
holds the domain it was installed with, so an admin's own domain is kept."""

OLD_DOMAIN = '[("credit_limit_exceeded", "=", True)]'
NEW_DOMAIN = '["|", ("credit_limit_exceeded", "=", True), ("credit_overdue", "=", True)]'


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE tier_definition definition
           SET definition_domain = %(new)s
          FROM ir_model_data data
         WHERE data.module = 'distribution_order_flow'
           AND data.name = 'tier_definition_sale_credit'
           AND data.model = 'tier.definition'
           AND definition.id = data.res_id
           AND definition.definition_domain = %(old)s
        """,
        {"old": OLD_DOMAIN, "new": NEW_DOMAIN},
    )

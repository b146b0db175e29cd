from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class DistributionExceptionType(models.Model):
    """A kind of non-standard event (backorder, short pick, credit hold...) and how it is handled:
    who owns new items, how long they may stay open (SLA), how serious they are, and whether an open
    item blocks its order (hold: no invoicing on delivery).

    The ``code`` is the stable key the suite raises exceptions by; the shipped types are editable data.
    """

    _name = "distribution.exception.type"
    _description = "Distribution Exception Type"
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable key used by the suite to raise exceptions of this type (e.g. backorder).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Leave empty to use the type in every company (the shipped types are shared).",
    )
    description = fields.Text(translate=True, help="What the event is and what the owner is expected to do.")
    severity = fields.Selection(
        [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")],
        required=True,
        default="medium",
    )
    sla_hours = fields.Float(
        string="SLA (hours)",
        default=24.0,
        help="Time allowed to resolve an item of this type; its deadline is its creation plus this delay.",
    )
    audience = fields.Selection(
        [("sales", "Sales"), ("warehouse", "Warehouse"), ("purchase", "Purchase"), ("finance", "Finance")],
        required=True,
        default="sales",
        help="Who works items of this type: salespeople see those of their orders, warehouse users the "
        "warehouse types, buyers the purchase types, accountants the finance types (record rules).",
    )
    blocking = fields.Boolean(
        help="An open item of this type puts its sales order on hold and stops invoicing on delivery.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Default Team",
        check_company=True,
        help="Team that owns new items of this type.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Default Owner",
        domain="[('share', '=', False)]",
        help="Owner of new items of this type when the source document gives none.",
    )

    # One type per code and company, archived types included, and one among the shared types (no company):
    # the database refuses the second, even when two are saved at the same time.
    _code_company_uniq = models.UniqueIndex(
        "(code, COALESCE(company_id, 0))",
        "Another exception type (archived ones included) already has this code in this company, or among the "
        "types shared by all companies: choose another code, or edit the existing type.",
    )

    @api.constrains("sla_hours")
    def _check_sla_hours(self):
        for exception_type in self:
            if exception_type.sla_hours < 0:
                raise ValidationError(
                    _(
                        "Exception type %(name)s: the SLA cannot be negative (got %(hours)s hours).",
                        name=exception_type.name,
                        hours=exception_type.sla_hours,
                    )
                )

    @api.model
    def _get_by_code(self, code, company=None):
        """Return the active type for ``code`` in ``company`` (default: the current one): the type of
        that company if it has one, else the shared type. Empty recordset when none is configured."""
        company = company or self.env.company
        types = self.search([("code", "=", code), ("company_id", "in", (company.id, False))])
        return types.sorted(lambda exception_type: not exception_type.company_id)[:1]

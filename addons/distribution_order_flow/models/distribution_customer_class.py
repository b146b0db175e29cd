from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class DistributionCustomerClass(models.Model):
    """A kind of customer (retail chain, contractor, independent dealer...) and how the suite serves it.

    The class is set on the commercial partner (contacts follow it) and drives, in the order flow,
    which orders are served first when stock is short (``priority``), whether an order ships complete
    or in parts (``ship_policy``), whether validating a delivery invoices it (``invoice_on_delivery``) and
    whether a short line of a confirmed order may be substituted without asking (``substitution_consent``);
    and, for the replenishment planner, the service level of the safety stock kept for it (``service_level``).
    """

    _name = "distribution.customer.class"
    _description = "Distribution Customer Class"
    _order = "priority desc, sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Short unique code used in reports, imports and integrations (e.g. RETAIL).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Leave empty to share the class between all companies.",
    )
    priority = fields.Integer(
        default=50,
        help="0-100. When stock is short, orders of a higher-priority class are served first.",
    )
    ship_policy = fields.Selection(
        [("complete", "Ship complete"), ("partial", "Ship partial (backorders)")],
        required=True,
        default="partial",
        help="Ship complete: the delivery leaves only when every line is available (one shipment). "
        "Ship partial: what is available leaves now, the rest follows in backorders.",
    )
    invoice_on_delivery = fields.Boolean(
        help="Validating a delivery creates and posts the invoice for the delivered quantities.",
    )
    substitution_consent = fields.Selection(
        [("allowed", "Allowed"), ("ask", "Ask the customer"), ("never", "Never")],
        required=True,
        default="ask",
        help="When a line of a confirmed order (or its backorder) is short, may the salesperson ship a listed "
        "substitute instead? Allowed: at once. Ask the customer: the substitution is proposed (a to-do for the "
        "salesperson) and made once the customer agrees. Never: refused. Customers without a class are asked.",
    )
    service_level = fields.Float(
        string="Service Level (%)",
        digits=(16, 1),
        help="Service level of the safety stock kept for this class's customers (probability of not running "
        "out over a replenishment horizon, 50 to 99.9 %): a product x warehouse whose customers include this "
        "class is planned at the highest level among its customers' classes and its category (replenishment). "
        "0: none set here.",
    )
    note = fields.Html(translate=True)
    partner_count = fields.Integer(compute="_compute_partner_count")

    # One class per code and company, archived classes included, and one among the shared classes (no
    # company): the database refuses the second, even when two are saved at the same time.
    _code_company_uniq = models.UniqueIndex(
        "(code, COALESCE(company_id, 0))",
        "Another customer class (archived ones included) already has this code in this company, or among the "
        "classes shared by all companies: choose another code.",
    )

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("distribution_class_id", "in", self.ids), ("is_company", "=", True)],
                ["distribution_class_id"],
                ["__count"],
            )
        )
        for customer_class in self:
            customer_class.partner_count = counts.get(customer_class, 0)

    @api.constrains("priority")
    def _check_priority(self):
        for customer_class in self:
            if not 0 <= customer_class.priority <= 100:
                raise ValidationError(
                    _(
                        "Customer class %(name)s: the priority must be between 0 and 100 (got %(priority)s).",
                        name=customer_class.name,
                        priority=customer_class.priority,
                    )
                )

    @api.constrains("service_level")
    def _check_service_level(self):
        for customer_class in self:
            level = customer_class.service_level
            if level and not 50.0 <= level < 100.0:
                raise ValidationError(
                    _(
                        "Customer class %(name)s: the service level must be from 50 %% to below 100 %%, or 0 for "
                        "none (got %(level)s).",
                        name=customer_class.name,
                        level=level,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("code"):
                vals["code"] = vals["code"].strip().upper()
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("code"):
            vals["code"] = vals["code"].strip().upper()
        return super().write(vals)

    def action_view_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.res_partner_action_customer")
        action["domain"] = [("distribution_class_id", "=", self.id), ("is_company", "=", True)]
        action["context"] = {"default_distribution_class_id": self.id, "default_is_company": True}
        return action

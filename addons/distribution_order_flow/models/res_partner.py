from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class ResPartner(models.Model):
    _inherit = "res.partner"

    distribution_class_id = fields.Many2one(
        "distribution.customer.class",
        string="Customer Class",
        company_dependent=True,
        check_company=True,
        help="Set on the company (commercial partner); its contacts and addresses follow it. "
        "Decides service priority, ship policy and invoicing on delivery for this customer. "
        "Only sales managers may change it.",
    )

    distribution_notify_opt_out = fields.Boolean(
        string="No Order Notifications",
        help="Do not send this customer the order notifications (confirmed, delayed, shipped).",
    )

    @api.model
    def _commercial_fields(self):
        # Managed on the commercial entity and copied to its contacts, like payment terms.
        return super()._commercial_fields() + ["distribution_class_id", "distribution_notify_opt_out"]

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        partners.filtered("distribution_class_id")._check_distribution_class_rights()
        return partners

    def write(self, vals):
        if "distribution_class_id" in vals:
            changing = self.filtered(lambda p: p.distribution_class_id.id != vals["distribution_class_id"])
            changing._check_distribution_class_rights()
        return super().write(vals)

    def _check_distribution_class_rights(self):
        """A customer's class decides who is served first when stock is short: only sales managers
        set it. Contacts only follow their company (commercial sync), which is not a decision."""
        if self.env.su or self.env.user.has_group("sales_team.group_sale_manager"):
            return
        commercial = self.filtered(lambda partner: partner == partner.commercial_partner_id)
        if commercial:
            raise AccessError(
                _(
                    "Only a sales manager can set the customer class of %(partners)s: the class decides "
                    "which orders are served first.",
                    partners=", ".join(commercial.mapped("display_name")),
                )
            )

    distribution_credit_hold_count = fields.Integer(
        string="Orders on Credit Hold",
        compute="_compute_distribution_credit_hold_count",
        help="Confirmed orders of this customer held because it went over its credit limit.",
    )

    def _compute_distribution_credit_hold_count(self):
        held = self.env["sale.order"]._read_group(
            [("partner_id.commercial_partner_id", "in", self.commercial_partner_id.ids), ("credit_hold", "=", True)],
            ["partner_id"],
            ["__count"],
        )
        per_customer = {}
        for partner, count in held:
            customer_id = partner.commercial_partner_id.id
            per_customer[customer_id] = per_customer.get(customer_id, 0) + count
        for partner in self:
            partner.distribution_credit_hold_count = per_customer.get(partner.commercial_partner_id.id, 0)

    def action_view_credit_hold_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [
            ("partner_id.commercial_partner_id", "=", self.commercial_partner_id.id),
            ("credit_hold", "=", True),
        ]
        action["context"] = {}
        return action

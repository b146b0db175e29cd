from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # Only helpdesk users may see tickets: a salesperson without helpdesk rights reads the order as before.
    helpdesk_ticket_ids = fields.One2many(
        "helpdesk.ticket",
        "sale_order_id",
        string="Tickets",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )
    helpdesk_ticket_count = fields.Integer(
        compute="_compute_helpdesk_ticket_count",
        string="Ticket Count",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )

    def _compute_helpdesk_ticket_count(self):
        counts = dict(
            self.env["helpdesk.ticket"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.helpdesk_ticket_count = counts.get(order, 0)

    def action_view_helpdesk_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("helpdesk_mgmt.helpdesk_ticket_action")
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {
            "default_sale_order_id": self.id,
            "default_partner_id": self.partner_id.id,
            "default_company_id": self.company_id.id,
        }
        return action

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    sale_order_id = fields.Many2one(
        "sale.order",
        string="Sales Order",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        domain="[('partner_id', 'child_of', commercial_partner_id)]",
        help="The order this ticket is about (a claim, a delivery question, a return).",
    )

    @api.onchange("sale_order_id")
    def _onchange_sale_order_id(self):
        if self.sale_order_id and not self.partner_id:
            self.partner_id = self.sale_order_id.partner_id

    @api.constrains("sale_order_id", "partner_id", "company_id")
    def _check_sale_order_consistency(self):
        """A ticket is about an order of its own customer and its own company."""
        for ticket in self.filtered("sale_order_id"):
            if ticket.sale_order_id.company_id != ticket.company_id:
                raise ValidationError(
                    _(
                        "Ticket %(ticket)s belongs to %(company)s but order %(order)s to %(order_company)s.",
                        ticket=ticket.display_name,
                        company=ticket.company_id.name,
                        order=ticket.sale_order_id.name,
                        order_company=ticket.sale_order_id.company_id.name,
                    )
                )
            if not ticket.partner_id:
                continue
            ticket_customer = ticket.partner_id.commercial_partner_id
            if ticket.sale_order_id.partner_id.commercial_partner_id != ticket_customer:
                raise ValidationError(
                    _(
                        "Ticket %(ticket)s: order %(order)s belongs to %(order_customer)s, "
                        "not to the ticket's customer %(customer)s.",
                        ticket=ticket.display_name,
                        order=ticket.sale_order_id.name,
                        order_customer=ticket.sale_order_id.partner_id.commercial_partner_id.display_name,
                        customer=ticket_customer.display_name,
                    )
                )

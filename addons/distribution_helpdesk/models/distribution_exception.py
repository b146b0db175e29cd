from odoo import fields, models


class DistributionException(models.Model):
    _inherit = "distribution.exception"

    ticket_id = fields.Many2one(
        "helpdesk.ticket",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The helpdesk ticket through which the customer is kept informed.",
    )

    def _raise_exceptions(self, code, items):
        exceptions = super()._raise_exceptions(code, items)
        if code == "return" and exceptions:
            # A return about an order with an open claim ticket is followed on that ticket.
            tickets = self.env["helpdesk.ticket"].sudo().search(
                [("sale_order_id", "in", exceptions.sale_order_id.ids), ("closed", "=", False)],
                order="distribution_claim desc, id desc",
            )
            for exception in exceptions.filtered("sale_order_id"):
                ticket = tickets.filtered(lambda t, e=exception: t.sale_order_id == e.sale_order_id)[:1]
                if ticket:
                    exception.ticket_id = ticket
        return exceptions

    def _on_closed(self):
        res = super()._on_closed()
        # A claim resolved in the queue closes its ticket (unless the ticket is what closed it).
        if not self.env.context.get("distribution_from_ticket"):
            claims = self.filtered(lambda e: e.code == "claim" and e.ticket_id and not e.ticket_id.closed)
            for exception in claims:
                exception.ticket_id.sudo().with_context(distribution_from_exception=True)._close_from_exception(
                    exception
                )
        return res

    def action_create_ticket(self):
        """Open a helpdesk ticket about this exception for its customer (a return, a late delivery...),
        linked both ways."""
        self.ensure_one()
        if self.ticket_id:
            return self.action_open_ticket()
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": f"{self.type_id.name}: {self.source_name}",
                "description": self.description or f"<p>{self.name}</p>",
                "partner_id": (self.sale_order_id.partner_id or self.partner_id).id,
                "sale_order_id": self.sale_order_id.id,
                "picking_id": self.picking_id.id if self.picking_id.sale_id else False,
                "company_id": self.company_id.id,
            }
        )
        self.sudo().ticket_id = ticket
        self.message_post(body=self.env._("Ticket %(ticket)s opened.", ticket=ticket.display_name),
                          subtype_xmlid="mail.mt_note")
        return self.action_open_ticket()

    def action_open_ticket(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.ticket",
            "res_id": self.ticket_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

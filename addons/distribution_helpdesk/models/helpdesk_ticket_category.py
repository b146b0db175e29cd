from odoo import fields, models


class HelpdeskTicketCategory(models.Model):
    _inherit = "helpdesk.ticket.category"

    distribution_claim = fields.Boolean(
        string="Customer Claim",
        help="Tickets of this category are customer claims: each raises a Customer Claim exception in the "
        "distribution queue, and resolving one resolves the other.",
    )

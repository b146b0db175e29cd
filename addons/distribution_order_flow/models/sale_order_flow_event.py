from odoo import fields, models

# The lifecycle of a sales order (ARCHITECTURE.md, public names), in the order an order moves.
FLOW_STATES = [
    ("quotation", "Quotation"),
    ("to_approve", "To Approve"),
    ("approved", "Approved"),
    ("confirmed", "Confirmed"),
    ("partially_reserved", "Partially Reserved"),
    ("reserved", "Reserved"),
    ("partially_shipped", "Partially Shipped"),
    ("shipped", "Shipped"),
    ("invoiced", "Invoiced"),
    ("closed", "Closed"),
    ("on_hold", "On Hold"),
    ("cancelled", "Cancelled"),
]


class SaleOrderFlowEvent(models.Model):
    """One transition of a sales order's flow_state, with when and by whom: the timestamps the
    suite's KPIs (cycle time, invoice lag...) are read from. Written by the system, never edited."""

    _name = "sale.order.flow.event"
    _description = "Sales Order Flow Event"
    _order = "date desc, id desc"
    _rec_name = "state_to"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True, precompute=True)
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer")
    state_from = fields.Selection(FLOW_STATES, string="From", readonly=True, help="Empty when the order was created.")
    state_to = fields.Selection(FLOW_STATES, string="To", required=True, readonly=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="By", default=lambda self: self.env.user, readonly=True)

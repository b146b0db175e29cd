from odoo import api, fields, models
from odoo.exceptions import ValidationError

OPEN_STATES = ("new", "in_progress", "waiting")


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
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        domain="[('sale_id', '=', sale_order_id)]",
        help="The delivery (or return) of the order this ticket is about.",
    )
    invoice_id = fields.Many2one(
        "account.move",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_refund')), "
        "('partner_id', 'child_of', commercial_partner_id)]",
        help="The customer invoice or credit note this ticket is about.",
    )
    sale_flow_state = fields.Selection(related="sale_order_id.flow_state", string="Order Flow State")
    sale_picking_ids = fields.One2many(related="sale_order_id.picking_ids", string="Order Transfers")
    distribution_claim = fields.Boolean(
        string="Customer Claim",
        compute="_compute_distribution_claim",
        store=True,
        readonly=False,
        help="A claim raises a Customer Claim exception; resolving one resolves the other.",
    )
    distribution_exception_ids = fields.Many2many(
        "distribution.exception",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
        compute="_compute_distribution_exception_ids",
        string="Open Exceptions",
        help="Open exceptions of the ticket's order and of the ticket itself.",
    )
    claim_exception_id = fields.Many2one(
        "distribution.exception",
        compute="_compute_distribution_exception_ids",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )
    claim_resolution_hours = fields.Float(
        compute="_compute_distribution_exception_ids",
        string="Claim Resolution Time (h)",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )

    @api.depends("category_id.distribution_claim")
    def _compute_distribution_claim(self):
        for ticket in self:
            ticket.distribution_claim = ticket.category_id.distribution_claim

    @api.depends("sale_order_id")
    def _compute_distribution_exception_ids(self):
        Exception_ = self.env["distribution.exception"]
        exceptions = Exception_.search(
            [
                "|",
                ("ticket_id", "in", self.ids),
                "&",
                ("sale_order_id", "in", self.sale_order_id.ids),
                ("state", "in", OPEN_STATES),
            ]
        ) if self.ids else Exception_
        for ticket in self:
            mine = exceptions.filtered(
                lambda e, t=ticket: (e.sale_order_id and e.sale_order_id == t.sale_order_id and e.is_open)
                or (e.ticket_id == t and e.is_open)
            )
            ticket.distribution_exception_ids = mine
            claim = exceptions.filtered(lambda e, t=ticket: e.ticket_id == t and e.code == "claim").sorted(
                "id", reverse=True
            )[:1]
            ticket.claim_exception_id = claim
            ticket.claim_resolution_hours = claim.resolution_hours

    @api.onchange("sale_order_id")
    def _onchange_sale_order_id(self):
        if self.sale_order_id and not self.partner_id:
            self.partner_id = self.sale_order_id.partner_id
        if self.picking_id and self.picking_id.sale_id != self.sale_order_id:
            self.picking_id = False

    @api.onchange("picking_id")
    def _onchange_picking_id(self):
        if self.picking_id.sale_id and not self.sale_order_id:
            self.sale_order_id = self.picking_id.sale_id

    @api.constrains("sale_order_id", "partner_id", "company_id")
    def _check_sale_order_consistency(self):
        """A ticket is about an order of its own customer and its own company."""
        for ticket in self.filtered("sale_order_id"):
            if ticket.sale_order_id.company_id != ticket.company_id:
                raise ValidationError(
                    self.env._(
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
                    self.env._(
                        "Ticket %(ticket)s: order %(order)s belongs to %(order_customer)s, "
                        "not to the ticket's customer %(customer)s.",
                        ticket=ticket.display_name,
                        order=ticket.sale_order_id.name,
                        order_customer=ticket.sale_order_id.partner_id.commercial_partner_id.display_name,
                        customer=ticket_customer.display_name,
                    )
                )

    @api.constrains("picking_id", "invoice_id", "sale_order_id", "partner_id")
    def _check_documents_consistency(self):
        for ticket in self:
            if ticket.picking_id and ticket.sale_order_id and ticket.picking_id.sale_id != ticket.sale_order_id:
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s: transfer %(picking)s is not a delivery of order %(order)s.",
                        ticket=ticket.display_name,
                        picking=ticket.picking_id.name,
                        order=ticket.sale_order_id.name,
                    )
                )
            customer = ticket.partner_id.commercial_partner_id
            if ticket.invoice_id and customer and ticket.invoice_id.commercial_partner_id != customer:
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s: invoice %(invoice)s belongs to %(invoice_customer)s, not to %(customer)s.",
                        ticket=ticket.display_name,
                        invoice=ticket.invoice_id.name,
                        invoice_customer=ticket.invoice_id.commercial_partner_id.display_name,
                        customer=customer.display_name,
                    )
                )

    # ------------------------------------------------------------------------------------------------
    # Claims <-> exceptions
    # ------------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        tickets._sync_claim_exceptions()
        return tickets

    def write(self, vals):
        res = super().write(vals)
        if {"distribution_claim", "category_id", "stage_id", "sale_order_id", "picking_id", "invoice_id"} & set(vals):
            self._sync_claim_exceptions()
        return res

    def _sync_claim_exceptions(self):
        """Open claim tickets raise a Customer Claim exception; a claim ticket closed resolves it."""
        Exception_ = self.env["distribution.exception"]
        claims = self.filtered("distribution_claim")
        to_raise = claims.filtered(lambda t: not t.closed)
        new = Exception_._raise_exceptions(
            "claim",
            [
                {
                    "record": ticket,
                    "sale_order_id": ticket.sale_order_id,
                    "picking_id": ticket.picking_id,
                    "move_id": ticket.invoice_id,
                    "partner_id": ticket.partner_id or ticket.sale_order_id.partner_id,
                    "append_facts": False,
                    "facts": Exception_._facts(
                        self.env._(
                            "%(customer)s filed claim %(ticket)s: %(title)s (order %(order)s).",
                            customer=(ticket.partner_id.commercial_partner_id.display_name or "-"),
                            ticket=ticket.number,
                            title=ticket.name,
                            order=ticket.sale_order_id.name or "-",
                        )
                    ),
                }
                for ticket in to_raise
            ],
        )
        for exception in new:
            exception.ticket_id = self.browse(exception.res_id)
        if self.env.context.get("distribution_from_exception"):
            return
        closed = claims.filtered("closed")
        if closed:
            for ticket in closed:
                Exception_.with_context(distribution_from_ticket=True)._resolve_exceptions(
                    "claim",
                    ticket,
                    self.env._(
                        "Ticket %(ticket)s closed in stage %(stage)s.", ticket=ticket.number, stage=ticket.stage_id.name
                    ),
                )

    def _close_from_exception(self, exception):
        """Move the ticket to its first closing stage, saying why."""
        self.ensure_one()
        stages = self.team_id._get_applicable_stages() if self.team_id else self.env["helpdesk.ticket.stage"].search(
            [("company_id", "in", [False, self.company_id.id]), ("team_ids", "=", False)]
        )
        closing = stages.filtered("closed").sorted("sequence")[:1]
        if not closing:
            return
        self.stage_id = closing
        self.message_post(
            body=self.env._(
                "Closed: claim exception %(exception)s was resolved by %(user)s.",
                exception=exception.name,
                user=exception.resolved_by_id.name or self.env.user.name,
            ),
            subtype_xmlid="mail.mt_note",
        )

    def action_view_distribution_exceptions(self):
        self.ensure_one()
        return self.env["distribution.exception"]._action_for_documents(
            ["|", ("ticket_id", "=", self.id), ("sale_order_id", "=", self.sale_order_id.id or 0)]
        )

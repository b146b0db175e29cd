from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, float_is_zero

from .sale_order_flow_event import FLOW_STATES

PAID_STATES = ("paid", "in_payment")



class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "distribution.system.fields.mixin"]

    flow_state = fields.Selection(
        FLOW_STATES,
        compute="_compute_flow_state",
        store=True,
        index=True,
        copy=False,
        group_expand=True,
        help="Where the order stands from quotation to cash, derived from its state, approvals, "
        "deliveries, invoices and payments. Every change is recorded as a flow event.",
    )
    flow_event_ids = fields.One2many("sale.order.flow.event", "order_id", string="Flow Events", readonly=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")

    # Indicators read by the approval matrix (tier definitions) and the reports.
    max_discount = fields.Float(
        string="Max Discount (%)",
        compute="_compute_max_discount",
        store=True,
        digits="Discount",
        help="Largest discount of the order's lines.",
    )
    has_nonstandard_terms = fields.Boolean(
        string="Non-standard Terms",
        compute="_compute_has_nonstandard_terms",
        store=True,
        help="The payment terms differ from the customer's own.",
    )
    has_price_override = fields.Boolean(
        string="Price Override",
        compute="_compute_has_price_override",
        store=True,
        help="A line is priced below its contract or pricelist price (set by Distribution: Pricing).",
    )
    has_margin_floor_breach = fields.Boolean(
        string="Below Margin Floor",
        compute="_compute_has_margin_floor_breach",
        store=True,
        help="A line's margin is below the floor of its product category or the company's default floor "
        "(set by Distribution: Pricing).",
    )
    ship_policy = fields.Selection(
        [("complete", "Ship complete"), ("partial", "Ship partial (backorders)")],
        compute="_compute_ship_policy",
        store=True,
        readonly=False,
        precompute=True,
        help="From the customer's class, changeable per order. Complete: one delivery when everything is "
        "available (Odoo's 'When all products are ready'). Partial: what is available leaves, the rest "
        "follows in backorders.",
    )
    picking_policy = fields.Selection(
        compute="_compute_picking_policy", store=True, readonly=False, precompute=True, default=None
    )
    promise_date = fields.Datetime(
        compute="_compute_promise_date",
        help="When the order can be delivered: the latest line promise date when shipped complete, the "
        "earliest when shipped partially. Accepting it sets the commitment date.",
    )
    is_rush = fields.Boolean(
        string="Rush",
        copy=False,
        tracking=True,
        help="A rush order gets a higher allocation score: its deliveries are served and listed first.",
    )
    @api.model
    def _get_distribution_system_fields(self):
        # What the approval matrix and the hold read: never a user's to set.
        return super()._get_distribution_system_fields() | {
            "flow_state", "max_discount", "credit_exposure", "credit_limit_exceeded", "has_nonstandard_terms",
            "has_price_override", "has_margin_floor_breach", "margin", "margin_percent", "credit_hold",
            "credit_overdue",
            "distribution_reprice_pending", "distribution_repriced_by_id", "distribution_customer_accepted",
            "distribution_credit_released_by_id",
        }

    @api.depends("partner_id", "company_id")
    def _compute_ship_policy(self):
        for order in self:
            customer = order.partner_id.commercial_partner_id.with_company(order.company_id)
            order.ship_policy = customer.distribution_class_id.ship_policy or order.ship_policy or "partial"

    @api.depends("order_line.promise_date", "ship_policy")
    def _compute_promise_date(self):
        for order in self:
            dates = [date for date in order.order_line.mapped("promise_date") if date]
            if not dates:
                order.promise_date = False
            else:
                order.promise_date = max(dates) if order.ship_policy == "complete" else min(dates)

    def action_accept_promise_date(self):
        for order in self:
            if not order.promise_date:
                raise UserError(_("Order %(order)s has no stocked product to promise.", order=order.name))
            order.commitment_date = order.promise_date
        return True

    @api.depends("ship_policy")
    def _compute_picking_policy(self):
        for order in self:
            if order.ship_policy:
                order.picking_policy = "one" if order.ship_policy == "complete" else "direct"
            elif not order.picking_policy:
                order.picking_policy = "direct"

    # ------------------------------------------------------------------------------------------------
    # Flow state
    # ------------------------------------------------------------------------------------------------
    @api.depends(
        "state",
        "validation_status",
        "credit_hold",
        "distribution_reprice_pending",
        "invoice_status",
        "order_line.qty_delivered",
        "order_line.product_uom_qty",
        "order_line.move_ids.state",
        "order_line.move_ids.move_orig_ids.state",
        "order_line.invoice_lines.move_id.state",
        # Not the invoices' payment_state: Odoo recomputes it at every change of an invoice being built, and
        # each change walked back to the orders. account.move._compute_payment_state marks the orders of
        # posted customer invoices instead (_mark_flow_state_to_compute).
    )
    def _compute_flow_state(self):
        for order in self:
            order.flow_state = order._get_flow_state()

    def _mark_flow_state_to_compute(self):
        """Have the flow state of these orders computed again (at the next read or flush), for a change their
        declared dependencies do not follow (their invoices' payment)."""
        if self:
            self.env.add_to_compute(self._fields["flow_state"], self)

    def _get_flow_state(self):
        """The flow state the order is in now. Extension point: downstream modules add states by
        overriding the predicates below rather than this method."""
        self.ensure_one()
        if self.state == "cancel":
            return "cancelled"
        if self._is_flow_on_hold():
            return "on_hold"
        if self.state in ("draft", "sent"):
            if self.validation_status in ("waiting", "pending"):
                return "to_approve"
            if self.validation_status == "validated":
                return "approved"
            return "quotation"  # also after a rejection: the order goes back to the rep
        shipping_state = self._get_flow_shipping_state()
        if shipping_state == "shipped" and self._is_flow_invoiced():
            return "closed" if self._is_flow_paid() else "invoiced"
        return shipping_state

    def _is_flow_on_hold(self):
        """Whether the order is held (no progress, no invoicing on delivery). Hook: the exceptions
        module adds open blocking exceptions."""
        self.ensure_one()
        return self.credit_hold or self.distribution_reprice_pending

    def _get_flow_hold_reason(self):
        """Why the order is held, for people. Hook, like _is_flow_on_hold."""
        self.ensure_one()
        reasons = []
        if self.credit_hold:
            reasons.append(_("credit hold"))
        if self.distribution_reprice_pending:
            reasons.append(_("new prices to approve"))
        return ", ".join(reasons)

    def _get_flow_goods_lines(self):
        self.ensure_one()
        return self.order_line.filtered(lambda line: not line.display_type and line.product_id.type == "consu")

    def _get_flow_shipping_state(self):
        """confirmed / partially_reserved / reserved / partially_shipped / shipped, from the goods
        lines' delivered quantities (deliveries, drop-ships and returns alike) and, before anything
        left, from the reservation of the moves that take from stock (the first step of each chain).
        An order without goods (services only) counts as shipped: nothing is to be delivered."""
        self.ensure_one()
        lines = self._get_flow_goods_lines()
        if not lines:
            return "shipped"
        delivered_all, delivered_any = True, False
        for line in lines:
            rounding = line.product_uom_id.rounding
            # A negative line (goods coming back, as core allows) is done when as much came back.
            if float_compare(abs(line.qty_delivered), abs(line.product_uom_qty), precision_rounding=rounding) < 0:
                delivered_all = False
            if not float_is_zero(line.qty_delivered, precision_rounding=rounding):
                delivered_any = True
        if delivered_all:
            return "shipped"
        if delivered_any:
            return "partially_shipped"
        # The moves that take goods now: pending moves whose previous steps (pick, pack) are all
        # finished. A later step waiting for an earlier one doesn't count as unreserved.
        stock_moves = lines.move_ids.filtered(
            lambda move: move.state not in ("done", "cancel")
            and all(orig.state in ("done", "cancel") for orig in move.move_orig_ids)
        )
        if stock_moves and all(move.state == "assigned" for move in stock_moves):
            return "reserved"
        if any(move.state in ("assigned", "partially_available") for move in stock_moves):
            return "partially_reserved"
        return "confirmed"

    def _is_flow_invoiced(self):
        """Nothing left to invoice and every customer invoice posted: a draft invoice counts for
        Odoo's invoice status but the customer has not been invoiced yet (the invoice lag KPI ends
        at posting)."""
        self.ensure_one()
        return self.invoice_status == "invoiced" and all(
            move.state == "posted"
            for move in self.invoice_ids
            if move.move_type == "out_invoice" and move.state != "cancel"
        )

    def _is_flow_paid(self):
        self.ensure_one()
        invoices = self.invoice_ids.filtered(lambda move: move.state == "posted" and move.move_type == "out_invoice")
        return bool(invoices) and all(invoice.payment_state in PAID_STATES for invoice in invoices)

    def _compute_field_value(self, field):
        """Record a flow event for every change of flow_state, whoever caused it (a user, a
        picking validated from a barcode app, a payment, a cron)."""
        if field.name != "flow_state":
            return super()._compute_field_value(field)
        before = {order.id: order.flow_state for order in self if order.id}
        result = super()._compute_field_value(field)
        now = fields.Datetime.now()
        events = [
            {
                "order_id": order.id,
                "state_from": before.get(order.id) or False,
                "state_to": order.flow_state,
                "date": now,
            }
            for order in self
            if order.id and order.flow_state and order.flow_state != before.get(order.id)
        ]
        if events:
            self.env["sale.order.flow.event"].sudo().create(events)
        return result

    # ------------------------------------------------------------------------------------------------
    # Indicators
    # ------------------------------------------------------------------------------------------------
    @api.depends("order_line.discount")
    def _compute_max_discount(self):
        for order in self:
            order.max_discount = max((line._get_approval_discount() for line in order.order_line), default=0.0)

    @api.depends("partner_id", "payment_term_id", "company_id")
    def _compute_has_nonstandard_terms(self):
        for order in self:
            partner = order.partner_id.commercial_partner_id.with_company(order.company_id)
            order.has_nonstandard_terms = (
                bool(order.partner_id) and order.payment_term_id != partner.property_payment_term_id
            )

    def _compute_has_price_override(self):
        """Hook: distribution_pricing sets it (with its own dependencies) when a line is priced below
        its contract or pricelist price."""
        self.has_price_override = False

    def _compute_has_margin_floor_breach(self):
        """Hook: distribution_pricing sets it (with its own dependencies) when a line's margin is below
        its floor."""
        self.has_margin_floor_breach = False

    def _get_price_override_summary(self):
        """Hook: one line per price below its contract or pricelist price, for people (distribution_pricing
        fills it)."""
        self.ensure_one()
        return []

    def _get_margin_floor_summary(self):
        """Hook: one line per line whose margin is below its floor, for people (distribution_pricing fills
        it)."""
        self.ensure_one()
        return []

    def _record_substitution(self, line, from_product):
        """Record on the order that ``line`` now sells a substitute instead of ``from_product``: the quotation
        swap (the whole line) and the substitution of a confirmed line's short quantity (``line`` is then the
        new line) call it; the exceptions module raises a queue item from it."""
        self.ensure_one()
        self.message_post(
            body=_(
                "Substitution: %(old)s replaced by %(new)s on this order (%(qty)s %(uom)s, by %(user)s).",
                old=from_product.display_name,
                new=line.product_id.display_name,
                qty=line.product_uom_qty,
                uom=line.product_uom_id.name,
                user=self.env.user.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def _get_substitution_consent_class(self):
        """The customer class whose consent rule applies to this order: its customer's (the commercial
        partner's, in the order's company)."""
        self.ensure_one()
        return self.partner_id.commercial_partner_id.with_company(self.company_id).distribution_class_id

    def _get_substitution_consent(self):
        """May a short line of this confirmed order be substituted: 'allowed', 'ask' (the customer agrees
        first) or 'never', from the customer's class; customers without a class are asked. Extension point."""
        self.ensure_one()
        return self._get_substitution_consent_class().substitution_consent or "ask"

    # ------------------------------------------------------------------------------------------------
    # Input checks
    # ------------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_payment_term_exists(vals)
        orders = super().create(vals_list)
        # The creation is the first event (quotation time, for cycle-time KPIs), even when the
        # same transaction goes on to confirm the order.
        orders.flush_recordset(["flow_state"])
        return orders

    def write(self, vals):
        self._check_payment_term_exists(vals)
        reviewed = self._get_reviewed_orders(vals, self._get_approval_order_fields())
        # Reviews go first, so that base_tier_validation's lock on orders under validation lets the change
        # through; the approval is asked again once it is written.
        reviewed.sudo().restart_validation()
        res = super().write(vals)
        reviewed._request_approval_after_change(vals.keys())
        if "credit_hold" in vals:
            if vals["credit_hold"]:
                self._release_reservations_on_hold()
            else:
                self._reserve_after_hold()
        if {"is_rush", "commitment_date", "partner_id", "carrier_id"} & set(vals):
            self.order_line.move_ids._refresh_allocation_scores()
        return res

    def _check_payment_term_exists(self, vals):
        term_id = vals.get("payment_term_id")
        if term_id and not self.env["account.payment.term"].browse(term_id).exists():
            raise ValidationError(
                _(
                    "Order %(order)s: payment term #%(term)s does not exist.",
                    order=", ".join(self.mapped("name")) or vals.get("name") or _("(new)"),
                    term=term_id,
                )
            )

import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, float_is_zero, format_datetime

from .sale_order_flow_event import FLOW_STATES

PAID_STATES = ("paid", "in_payment")

_logger = logging.getLogger(__name__)


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
    approval_summary = fields.Html(
        compute="_compute_approval_summary",
        sanitize=False,  # built from escaped values only
        help="What still needs approval before the quotation can be confirmed: each rule that applies, why, "
        "and who approves it.",
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")

    # Indicators read by the approval matrix (tier definitions) and the reports.
    max_discount = fields.Float(
        string="Max Discount (%)",
        compute="_compute_max_discount",
        store=True,
        digits="Discount",
        help="Largest discount of the order's lines.",
    )
    credit_exposure = fields.Monetary(
        currency_field="company_currency_id",
        compute="_compute_credit_exposure",
        store=True,
        help="What the customer (all its contacts) would owe with this order: receivable balance + "
        "confirmed orders not yet invoiced + this quotation, in company currency. Tracked when the "
        "company uses credit limits (Accounting settings); refreshed at validation request, confirmation "
        "and delivery.",
    )
    distribution_credit_check = fields.Boolean(related="company_id.account_use_credit_limit")
    credit_limit_exceeded = fields.Boolean(
        compute="_compute_credit_exposure",
        store=True,
        help="The credit exposure is above the customer's credit limit (Accounting > Customers > "
        "Credit Limit, when credit limits are enabled for the company).",
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
        help="A line is priced below its contract or pricelist price or below its margin floor "
        "(set by Distribution: Pricing).",
    )
    invoice_on_delivery = fields.Boolean(
        compute="_compute_invoice_on_delivery",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Validating a delivery of this order creates and posts the invoice of what it delivered "
        "(a credit note for a return). Defaults from the customer's class.",
    )
    auto_invoice_ids = fields.Many2many(
        "account.move",
        compute="_compute_auto_invoice_ids",
        string="Invoices on Delivery",
    )
    distribution_notified_promise_date = fields.Datetime(
        string="Promise Date Told",
        copy=False,
        readonly=True,
        help="The delivery date the customer was last told (confirmation or delay notification).",
    )
    distribution_overdue_notified = fields.Boolean(copy=False, readonly=True)
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
    credit_overdue = fields.Boolean(
        string="Overdue Balance",
        compute="_compute_credit_exposure",
        store=True,
        help="The customer has invoices past due by more than the company's grace days (Sales settings, "
        "Credit: overdue balance). Read by the credit rule of the approval matrix and at goods issue, as "
        "the credit limit is.",
    )
    credit_hold = fields.Boolean(
        tracking=True,
        copy=False,
        readonly=True,
        help="The order is held for credit: over its customer's credit limit or with an overdue balance, "
        "found at confirmation or at goods issue, or put on hold by a credit controller. Its deliveries "
        "cannot be validated and nothing is invoiced on delivery until a credit controller releases it.",
    )
    distribution_credit_released_by_id = fields.Many2one(
        "res.users", string="Credit Released By", copy=False, readonly=True,
        help="The credit controller who last released the order's credit hold: their decision stands at the "
        "goods issues that follow (a controller can still hold the order by hand).",
    )
    distribution_customer_accepted = fields.Datetime(
        string="Accepted by Customer",
        copy=False,
        readonly=True,
        help="When the customer signed or paid the quotation online while it still needed approvals: it is "
        "confirmed once approved.",
    )
    distribution_reprice_pending = fields.Boolean(
        string="New Prices to Approve",
        copy=False,
        readonly=True,
        tracking=True,
        help="A sales manager changed a price or a discount after confirmation: another sales manager must "
        "approve the new prices before anything is invoiced on delivery.",
    )
    distribution_repriced_by_id = fields.Many2one(
        "res.users", string="Repriced By", copy=False, readonly=True,
        help="Who changed the prices of the confirmed order last; they cannot approve their own change.",
    )

    @api.model
    def _get_distribution_system_fields(self):
        # What the approval matrix and the hold read: never a user's to set.
        return super()._get_distribution_system_fields() | {
            "flow_state", "max_discount", "credit_exposure", "credit_limit_exceeded", "has_nonstandard_terms",
            "has_price_override", "margin", "margin_percent", "credit_hold", "credit_overdue",
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

    @api.depends("partner_id", "company_id")
    def _compute_invoice_on_delivery(self):
        for order in self:
            customer = order.partner_id.commercial_partner_id.with_company(order.company_id)
            order.invoice_on_delivery = customer.distribution_class_id.invoice_on_delivery

    def _compute_auto_invoice_ids(self):
        for order in self:
            order.auto_invoice_ids = order.invoice_ids.filtered("distribution_auto_invoiced")

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

    # ------------------------------------------------------------------------------------------------
    # Prices changed after confirmation
    # ------------------------------------------------------------------------------------------------
    def _mark_repriced(self, lines, before):
        """A sales manager changed prices or discounts of these confirmed orders, or added ``lines`` off the
        pricelist's terms: the new prices wait for another sales manager's approval, and nothing is
        invoiced on delivery meanwhile; each line is on its order's chatter. ``before``: {line id: (price,
        discount)} as they were (lines missing from it were added)."""
        self.sudo().write({"distribution_reprice_pending": True, "distribution_repriced_by_id": self.env.user.id})
        for line in lines:
            values = {"product": line.product_id.display_name, "user": self.env.user.name,
                      "price": line.price_unit, "discount": line.discount}
            if line.id in before:
                body = _(
                    "%(product)s repriced on the confirmed order by %(user)s: %(old_price)s (discount "
                    "%(old_discount)s%%) to %(price)s (discount %(discount)s%%).",
                    old_price=before[line.id][0], old_discount=before[line.id][1], **values,
                )
            else:
                body = _(
                    "%(product)s added to the confirmed order by %(user)s at %(price)s (discount %(discount)s%%): "
                    "the new prices wait for another sales manager's approval.",
                    **values,
                )
            line.order_id.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _check_repricing_approver(self):
        user = self.env.user
        if not user.has_group("sales_team.group_sale_manager"):
            raise AccessError(_("Only a sales manager can approve the new prices of %(orders)s.",
                                orders=", ".join(self.mapped("name"))))
        for order in self:
            if user in (order.distribution_repriced_by_id | order.user_id):
                raise UserError(
                    _(
                        "%(user)s cannot approve the new prices of %(order)s: they changed them or are its "
                        "salesperson. Another sales manager approves.",
                        user=user.name,
                        order=order.name,
                    )
                )

    def action_approve_repricing(self):
        orders = self.filtered("distribution_reprice_pending")
        orders._check_repricing_approver()
        orders.sudo().write({"distribution_reprice_pending": False})
        for order in orders:
            order.message_post(
                body=_("New prices approved by %(user)s.", user=self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
        orders._on_repricing_approved()
        orders._invoice_after_hold()
        return True

    def _on_repricing_approved(self):
        """Hook: the exceptions module closes the price-override items of the repricing."""

    def _create_invoices(self, grouped=False, final=False, date=None):
        pending = self.filtered("distribution_reprice_pending")
        if pending:
            raise UserError(
                _(
                    "Order %(orders)s cannot be invoiced: its prices were changed after confirmation and wait for "
                    "a sales manager's approval.",
                    orders=", ".join(pending.mapped("name")),
                )
            )
        return super()._create_invoices(grouped=grouped, final=final, date=date)

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

    @api.depends("partner_id", "company_id", "state", "amount_total", "currency_rate")
    def _compute_credit_exposure(self):
        for company, orders in self.grouped("company_id").items():
            check_limits = company.account_use_credit_limit
            if not check_limits and not company.distribution_credit_overdue_check:
                # Credit is tracked where the company uses credit limits (Accounting settings) or the
                # overdue rule: elsewhere nobody reads it, and reading the customer's receivable and open
                # orders for every quotation would cost every rep's typing.
                orders.update({"credit_exposure": 0.0, "credit_limit_exceeded": False, "credit_overdue": False})
                continue
            # The receivable balance and credit limit are accounting data a salesperson can't read.
            orders = orders.with_company(company).sudo()
            customers = orders.partner_id.commercial_partner_id
            if not check_limits:
                orders.update({"credit_exposure": 0.0, "credit_limit_exceeded": False})
                orders._compute_credit_overdue(customers, company)
                continue
            # Not stored, and not invalidated by payments or by other orders: read them fresh.
            customers.invalidate_recordset(["credit"])
            open_amounts = orders._get_uninvoiced_confirmed_amounts(customers, company)
            orders._compute_credit_overdue(customers, company)
            for order in orders:
                customer = order.partner_id.commercial_partner_id
                exposure = customer.credit + open_amounts.get(customer.id, 0.0) if customer else 0.0
                if order.state in ("draft", "sent"):
                    exposure += order.amount_total / (order.currency_rate or 1.0)
                order.credit_exposure = exposure
                order.credit_limit_exceeded = bool(
                    check_limits
                    and customer.credit_limit
                    and float_compare(exposure, customer.credit_limit, precision_rounding=company.currency_id.rounding)
                    > 0
                )

    def _compute_credit_overdue(self, customers, company):
        """Flag the orders of customers owing invoices past due by more than the company's grace days
        (one query for all the customers), when the company uses the overdue-balance rule."""
        if not company.distribution_credit_overdue_check or not customers:
            self.update({"credit_overdue": False})
            return
        overdue = self._get_overdue_customers(customers, company)
        for order in self:
            order.credit_overdue = order.partner_id.commercial_partner_id.id in overdue

    @api.model
    def _get_overdue_customers(self, customers, company):
        """{customer id: residual of its posted customer invoices due before today minus the company's
        grace days}, in company currency."""
        limit = fields.Date.context_today(self) - timedelta(days=company.distribution_credit_overdue_days)
        groups = self.env["account.move"].sudo()._read_group(
            [
                ("company_id", "=", company.id),
                ("commercial_partner_id", "in", customers.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", limit),
            ],
            ["commercial_partner_id"],
            ["amount_residual_signed:sum"],
        )
        rounding = company.currency_id.rounding
        return {
            partner.id: amount for partner, amount in groups
            if float_compare(amount, 0.0, precision_rounding=rounding) > 0
        }

    @api.model
    def _get_uninvoiced_confirmed_amounts(self, customers, company):
        """{customer id: what its confirmed orders in ``company`` still have to invoice, taxes included,
        in company currency}, whether the goods left or not (core's credit_to_invoice only counts
        what is already invoiceable). Two queries whatever the number of orders: the invoiced part of each
        order is its lines' stored untaxed invoiced amount, taxed at the order's own tax rate."""
        if not customers:
            return {}
        orders = self.env["sale.order"].sudo().search_fetch(
            [
                ("company_id", "=", company.id),
                ("partner_id.commercial_partner_id", "in", customers.ids),
                ("state", "=", "sale"),
                ("invoice_status", "!=", "invoiced"),
            ],
            ["partner_id", "amount_total", "amount_untaxed", "currency_rate"],
        )
        if not orders:
            return {}
        invoiced_untaxed = dict(
            self.env["sale.order.line"].sudo()._read_group(
                [("order_id", "in", orders.ids)], ["order_id"], ["untaxed_amount_invoiced:sum"]
            )
        )
        amounts = {}
        for order in orders:
            tax_ratio = order.amount_total / order.amount_untaxed if order.amount_untaxed else 1.0
            invoiced = invoiced_untaxed.get(order, 0.0) * tax_ratio
            remaining = max(order.amount_total - invoiced, 0.0) / (order.currency_rate or 1.0)
            customer_id = order.partner_id.commercial_partner_id.id
            amounts[customer_id] = amounts.get(customer_id, 0.0) + remaining
        return amounts

    def _refresh_credit_exposure(self):
        """Recompute the credit exposure now: it depends on other orders, invoices and payments of the
        customer, which don't trigger the stored compute."""
        names = ["credit_exposure", "credit_limit_exceeded", "credit_overdue"]
        for name in names:
            self.env.add_to_compute(self._fields[name], self)
        self._recompute_recordset(names)

    @api.depends("partner_id", "payment_term_id", "company_id")
    def _compute_has_nonstandard_terms(self):
        for order in self:
            partner = order.partner_id.commercial_partner_id.with_company(order.company_id)
            order.has_nonstandard_terms = (
                bool(order.partner_id) and order.payment_term_id != partner.property_payment_term_id
            )

    def _compute_has_price_override(self):
        """Hook: distribution_pricing sets it (with its own dependencies) when a line is priced below
        its contract or pricelist price, or below its margin floor."""
        self.has_price_override = False

    def _get_price_override_summary(self):
        """Hook: one line per overridden price, for people (distribution_pricing fills it)."""
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

    @api.model
    def _get_approval_order_fields(self):
        """Order fields the approval matrix reads (directly or through the indicators): changing one after
        the order was submitted for approval restarts the approval. Extension point."""
        return {
            "partner_id", "payment_term_id", "pricelist_id", "currency_id", "company_id", "fiscal_position_id",
            "order_line",
        }

    def _get_reviewed_orders(self, vals, watched_fields):
        """The quotations among these that have reviews (submitted, approved or rejected) and whose watched
        fields ``vals`` really changes. Read before the write."""
        if not watched_fields & set(vals):
            return self.browse()
        reviewed = self.filtered(lambda order: order.state in ("draft", "sent") and order.review_ids)
        changed = self.browse()
        for order in reviewed:
            for name in watched_fields & set(vals):
                if name == "order_line":
                    if order.order_line._commands_change_approval(vals[name]):
                        changed |= order
                        break
                    continue
                field = order._fields[name]
                new = field.convert_to_record(field.convert_to_cache(vals[name], order), order)
                if new != order[name]:
                    changed |= order
                    break
        return changed

    def _restart_approval_after_change(self, changed_fields):
        """An approval is bound to what was approved: a change of what the matrix reads throws the reviews
        away (as base_tier_validation's Restart does), says so on the chatter and asks again for the rules
        the order matches now, so the reviewers are notified."""
        self.sudo().restart_validation()
        self._request_approval_after_change(changed_fields)

    def _request_approval_after_change(self, changed_fields):
        for order in self:
            labels = sorted({order._fields[name].string for name in changed_fields if name in order._fields})
            order.message_post(
                body=_(
                    "Approval restarted: %(fields)s changed by %(user)s after the order was submitted for approval.",
                    fields=", ".join(labels),
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            if order.need_validation:
                order.request_validation()

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

    # ------------------------------------------------------------------------------------------------
    # Approvals
    # ------------------------------------------------------------------------------------------------
    def _get_applicable_tier_definitions(self):
        """The active tier definitions (approval rules) the order matches now."""
        self.ensure_one()
        definitions = self.env["tier.definition"].search(
            [("model", "=", self._name), ("company_id", "in", [False, self.company_id.id])]
        )
        return definitions.filtered(lambda definition: self.evaluate_tier(definition))

    def _get_missing_approvals(self):
        """Rules the order matches that have no approved review: [(definition, who approves)]."""
        self.ensure_one()
        # base_tier_validation's need_validation evaluates the same rules (and the confirmation's write
        # check reads it again): without reviews, it says whether any rule applies. Not cached across
        # changes (it has no dependencies), so it is asked afresh.
        self.invalidate_recordset(["need_validation"])
        if not self.review_ids and not self.need_validation:
            return []
        applicable = self._get_applicable_tier_definitions()
        if not applicable:
            return []  # the usual case: no rule applies, no review to read
        approved = self.review_ids.filtered(lambda review: review.status == "approved").definition_id
        missing = []
        for definition in applicable - approved:
            review = self.review_ids.filtered(lambda r, d=definition: r.definition_id == d)[:1]
            if review:
                approver = review.todo_by or ", ".join(review.reviewer_ids.mapped("name"))
            elif definition.review_type == "group":
                # Who could approve it: the role's users, never the order's own salesperson.
                reviewers = definition.sudo().reviewer_group_id.user_ids.filtered(lambda user: not user.share)
                approver = definition._get_reviewer_label(reviewers - self.user_id)
            else:
                approver = definition.reviewer_id.name or definition.reviewer_field_id.field_description
            missing.append((definition, approver))
        return missing

    def _get_approval_facts(self, definition):
        """Why ``definition`` applies to this order, in words, one fact per indicator its domain reads.
        Extension point: a module adding an indicator adds its facts."""
        self.ensure_one()
        domain = definition.definition_domain or ""
        facts = []
        if "max_discount" in domain:
            facts.append(_("largest discount %(discount)s%%", discount=round(self.max_discount, 2)))
        if "margin_percent" in domain:
            facts.append(_("order margin %(margin)s%%", margin=round(self.margin_percent * 100.0, 1)))
        if "credit_limit_exceeded" in domain and self.credit_limit_exceeded:
            facts.append(_("the customer would be over its credit limit"))
        if "credit_overdue" in domain and self.credit_overdue:
            facts.append(_("the customer has invoices overdue"))
        if "has_nonstandard_terms" in domain and self.has_nonstandard_terms:
            facts.append(_("payment terms %(terms)s instead of the customer's own",
                           terms=self.payment_term_id.name or _("none")))
        if "has_price_override" in domain:
            facts.extend(self._get_price_override_summary())
        return facts

    def _compute_approval_summary(self):
        for order in self:
            saved = order._origin
            if not saved.id or saved.state not in ("draft", "sent"):
                order.approval_summary = False
                continue
            missing = saved._get_missing_approvals()
            if not missing:
                order.approval_summary = False
                continue
            items = Markup("")
            for definition, approver in missing:
                facts = saved._get_approval_facts(definition)
                why = Markup(" (%s)") % "; ".join(facts) if facts else ""
                items += Markup("<li><strong>%s</strong>%s: %s</li>") % (
                    definition.name, why, _("to be approved by %(approver)s", approver=approver)
                )
            hint = saved._get_approval_next_step()
            order.approval_summary = Markup(
                "<p class='mb-1'><strong>%s</strong></p><ul class='mb-1'>%s</ul><p class='mb-0'>%s</p>"
            ) % (_("Needs approval before it can be confirmed:"), items, hint)

    def _confirmation_error_message(self):
        # Every confirmation path (form button, RPC, portal signature, payment, automation) goes
        # through action_confirm and this check: an order breaking a rule needs its approvals.
        error = super()._confirmation_error_message()
        if error or set(self.ids) <= self.env.cr.cache.get("distribution_approvals_checked", set()):
            return error  # action_confirm checked these very orders a moment ago
        return self._get_approval_error_message()

    def _get_approval_next_step(self):
        """What the salesperson does next about the approvals still missing (the confirmation's refusal and
        the quotation's approval box say the same)."""
        self.ensure_one()
        if self.validation_status == "rejected":
            return _("A review was rejected: change the order, then restart the validation.")
        if self.review_ids:
            return _("Wait for these approvals, or restart the validation if the order changed.")
        return _("Request the validation first.")

    def _get_approval_error_message(self):
        """Why the order cannot be confirmed yet for lack of approvals, or False."""
        self.ensure_one()
        self._refresh_credit_exposure()
        missing = self._get_missing_approvals()
        if not missing:
            return False
        rules = "\n".join(
            _("- %(rule)s: to be approved by %(approver)s", rule=definition.name, approver=approver)
            for definition, approver in missing
        )
        hint = self._get_approval_next_step()
        return _(
            "Order %(order)s cannot be confirmed before these approvals:\n%(rules)s\n%(hint)s",
            order=self.name,
            rules=rules,
            hint=hint,
        )

    def action_confirm(self):
        # Missing approvals are a validation error, as base_tier_validation raises it when the state is
        # written (a ValidationError is a UserError: callers catching either see it). When the customer
        # confirms (portal signature or payment), the acceptance is kept and the order waits for review.
        # Honoured only on the customer-side paths, which run elevated (the portal's order_sudo, a payment's
        # post-processing): a user's RPC call carrying the key still gets the refusal.
        customer_confirmation = self.env.su and self.env.context.get("distribution_customer_confirmation")
        waiting = self.browse()
        for order in self.filtered(lambda o: o.state in ("draft", "sent")):
            if error := order._get_approval_error_message():
                if not customer_confirmation:
                    raise ValidationError(error)
                order._hold_customer_confirmation()
                waiting |= order
        self -= waiting
        if not self:
            return True
        # Record where the order stood (e.g. approved) before confirmation moves it on.
        self.flush_recordset(["flow_state"])
        # The orders just checked, kept on the cursor (server side, per transaction) rather than in the
        # context: a context key would be a client's to send, and an order-specific context is a new
        # environment for every confirmation (slower ORM lookups for the rest of the transaction).
        checked = self.env.cr.cache.setdefault("distribution_approvals_checked", set())
        checked.update(self.ids)
        try:
            return super().action_confirm()
        finally:
            checked.difference_update(self.ids)

    def _validate_order(self):
        # The portal's signature (and Odoo's other customer-side confirmations) confirm through here.
        return super(SaleOrder, self.with_context(distribution_customer_confirmation=True))._validate_order()

    def _hold_customer_confirmation(self):
        """The customer signed or paid an order that needs approvals: keep what they did, put the order
        to approval (the reviewers are notified) and tell its salesperson. The customer sees only that the
        order is being reviewed."""
        self.ensure_one()
        order = self.sudo()
        first = not order.distribution_customer_accepted
        if first:
            order.distribution_customer_accepted = fields.Datetime.now()
        if order.validation_status == "rejected":
            order.restart_validation()
        if not order.review_ids:
            order.request_validation()
        if first:
            order.message_post(
                body=_(
                    "The customer accepted the quotation (signature or payment); it needs approvals before it "
                    "is confirmed: %(rules)s. Confirm it once approved.",
                    rules=", ".join(definition.name for definition, _approver in order._get_missing_approvals()),
                ),
                subtype_xmlid="mail.mt_note",
            )
            order._on_customer_confirmation_held()

    @api.model
    def _get_customer_acceptance_fields(self):
        """What the customer's online acceptance writes: kept while the order is reviewed."""
        return ["signature", "signed_by", "signed_on", "distribution_customer_accepted"]

    @api.model
    def _get_under_validation_exceptions(self):
        return super()._get_under_validation_exceptions() + self._get_customer_acceptance_fields()

    @api.model
    def _get_after_validation_exceptions(self):
        return super()._get_after_validation_exceptions() + self._get_customer_acceptance_fields()

    def _on_customer_confirmation_held(self):
        """Hook: the exceptions module queues an item for the salesperson."""

    def _action_cancel(self):
        self.flush_recordset(["flow_state"])
        return super()._action_cancel()

    def action_draft(self):
        self.flush_recordset(["flow_state"])
        return super().action_draft()

    def request_validation(self):
        self._refresh_credit_exposure()
        return super().request_validation()

    def _check_reviewer_is_not_salesperson(self):
        for order in self:
            if order.user_id and order.user_id == self.env.user and not self.env.su:
                raise UserError(
                    _(
                        "%(user)s cannot approve or reject order %(order)s: they are its salesperson.",
                        user=self.env.user.name,
                        order=order.name,
                    )
                )

    def _check_reviewer_can_review(self):
        for order in self:
            pending = order.review_ids.filtered(lambda r: r.status in ("waiting", "pending"))
            # Nothing waits for a review: nothing to approve, as in base_tier_validation.
            if pending and not order._get_sequences_to_approve(self.env.user):
                raise UserError(
                    _(
                        "%(user)s has no review to make on order %(order)s. Pending: %(pending)s.",
                        user=self.env.user.name,
                        order=order.name,
                        pending=", ".join(f"{r.name} ({r.todo_by})" for r in pending),
                    )
                )

    def validate_tier(self):
        self._check_reviewer_is_not_salesperson()
        self._check_reviewer_can_review()
        return super().validate_tier()

    def reject_tier(self):
        self._check_reviewer_is_not_salesperson()
        self._check_reviewer_can_review()
        return super().reject_tier()

    def _validate_tier(self, tiers=False):
        # The approval button and the comment wizard both approve through here.
        res = super()._validate_tier(tiers)
        self._confirm_after_customer_acceptance()
        return res

    def _confirm_after_customer_acceptance(self):
        """The customer signed or paid while the order waited for approvals: once its last approval is
        given, the order is confirmed as the customer asked, in the name of the reviewer who gave it. The
        confirmation is the system's (the reviewer, a credit controller for instance, may have no sales
        rights) and runs every confirmation check again: an order still missing an approval waits."""
        for order in self.filtered(lambda o: o.state in ("draft", "sent") and o.distribution_customer_accepted):
            if order.validation_status != "validated" or order._get_approval_error_message():
                continue
            try:
                with self.env.cr.savepoint():
                    order.sudo().action_confirm()
                    order.flush_recordset(["flow_state"])  # the confirmation's flow event, in the reviewer's name
            except UserError as error:  # ValidationError included
                # The approval stands; the salesperson confirms once the problem is solved.
                order.sudo().message_post(
                    body=_(
                        "Approved by %(user)s, but the order the customer accepted could not be confirmed: "
                        "%(error)s",
                        user=self.env.user.name,
                        error=error.args[0] if error.args else error,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            order.sudo().message_post(
                body=_(
                    "Confirmed on approval by %(user)s: the customer accepted the order on %(date)s.",
                    user=self.env.user.name,
                    date=format_datetime(self.env, order.distribution_customer_accepted),
                ),
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------------------------------------------
    # Invoicing on delivery
    # ------------------------------------------------------------------------------------------------
    def _enqueue_invoice_delivery(self, picking):
        """Queue the invoicing of what ``picking`` (a validated delivery or return of this order) moved: a
        job on the channel root.distribution.invoicing, out of the warehouse user's request. One job per
        order and transfer: queuing it again while it waits adds nothing (identity key).

        The job runs as the system in the name of whoever validated (the warehouse user may have no
        accounting or sales rights, as in the request before), in the order's company."""
        self.ensure_one()
        order = self.sudo().with_company(self.company_id)
        return order.with_delay(
            description=_("Invoice %(picking)s of %(order)s on delivery", picking=picking.name, order=self.name),
            identity_key=self._get_invoice_delivery_job_key(picking),
        )._job_invoice_delivery(picking.with_env(order.env))

    def _get_invoice_delivery_job_key(self, picking):
        """Identity key of the invoicing job of this order and transfer."""
        self.ensure_one()
        return f"distribution_invoice_delivery:{self.id}:{picking.id}"

    def _job_invoice_delivery(self, picking):
        """Job: invoice (or credit) what ``picking`` moved, as the validation did in the request before.
        Checked again when it runs, since the order may have changed while the job waited:

        - the transfer already has its invoice on delivery, or nothing is left to invoice (a second job,
          another transfer's job that invoiced it all, a billing clerk faster than the queue): nothing;
        - the order is held (credit hold, new prices to approve, a blocking exception): noted on the order,
          invoiced when the hold is released (``_invoice_after_hold``).

        Two jobs of one order never invoice from the same snapshot: ``_lock_for_invoicing``."""
        self.ensure_one()
        picking = picking.with_env(self.env)
        self._lock_for_invoicing()
        if picking.state != "done" or picking.distribution_invoice_ids.filtered(lambda move: move.state != "cancel"):
            return self.env["account.move"]
        if not self.invoice_on_delivery or self.state != "sale":
            return self.env["account.move"]
        if self._is_flow_on_hold():
            self._note_invoice_held(picking)
            return self.env["account.move"]
        return self._invoice_picking(picking)

    def _lock_for_invoicing(self):
        """Serialize the invoicing jobs of one order (two of its transfers validated in a row, two runner
        workers): the order's row is updated, not only locked, so that PostgreSQL refuses ("could not
        serialize access") a job whose snapshot predates another's commit; queue_job retries it on a fresh
        snapshot, where the other's invoice is there and nothing is left to invoice."""
        self.env.cr.execute(
            "UPDATE sale_order SET write_date = write_date WHERE id IN %s", [tuple(self.ids)], log_exceptions=False
        )

    def _note_invoice_held(self, picking):
        self.ensure_one()
        self.message_post(
            body=_(
                "%(picking)s was not invoiced on delivery: the order is on hold (%(reason)s). It is invoiced "
                "when the hold is released.",
                picking=picking.name,
                reason=self._get_flow_hold_reason(),
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _invoice_picking(self, picking):
        """Invoice (or credit) what is invoiceable now: with invoicing on delivery after every
        validation, that is what this transfer moved, freight added by the carrier included."""
        self.ensure_one()
        order = self.with_company(self.company_id)
        if not order._get_invoiceable_lines(final=True):
            return self.env["account.move"]
        try:
            with self.env.cr.savepoint():
                moves = order._create_invoices(final=True)
                moves.write({"distribution_auto_invoiced": True, "distribution_picking_id": picking.id})
                moves.action_post()
        except UserError as error:
            _logger.info("Invoice on delivery of %s failed: %s", picking.name, error)
            self.message_post(
                body=Markup("%s<br/>%s") % (
                    _("%(picking)s could not be invoiced on delivery; invoice it by hand.", picking=picking.name),
                    str(error),
                ),
                subtype_xmlid="mail.mt_note",
            )
            return self.env["account.move"]
        return moves

    # ------------------------------------------------------------------------------------------------
    # Customer notifications
    # ------------------------------------------------------------------------------------------------
    def _get_notification_promise_date(self):
        """The delivery date promised to the customer: the commitment date when one was accepted, else
        Odoo's expected date; later when a line still to deliver was re-planned after a receipt arrived short
        or late (``sale.order.line.distribution_replanned_date``): then the latest such date, whatever the
        ship policy (when the order will be complete). Extension point for the allocation's promise dates."""
        self.ensure_one()
        promise = self.commitment_date or self.expected_date
        replanned = [
            line.distribution_replanned_date
            for line in self.order_line
            if line.distribution_replanned_date and line._is_waiting_for_replanned_date()
        ]
        if replanned:
            promise = max([promise, *replanned]) if promise else max(replanned)
        return promise

    def _notify_customer(self, template_xmlid, record=None):
        """Queue a customer notification (rendered from an editable template, posted on the order's
        chatter by a cron within minutes). Nothing for customers who opted out."""
        # The template's id from the cached xmlid lookup: no query per confirmation or delivery.
        template_id = self.env["ir.model.data"]._xmlid_to_res_id(template_xmlid, raise_if_not_found=False)
        if not template_id:
            return self.env["distribution.customer.notification"]
        template = self.env["mail.template"].browse(template_id)
        return self.env["distribution.customer.notification"].sudo().create(
            [
                {"order_id": order.id, "template_id": template.id, "picking_id": record.id if record else False}
                for order in self
                if not order.partner_id.commercial_partner_id.distribution_notify_opt_out
            ]
        )

    def _post_customer_notification(self, template, record):
        """Render ``template`` on ``record`` (the order or one of its transfers) in the customer's
        language and post it on the order's chatter, addressed (and mailed) to the customer."""
        self.ensure_one()
        lang = template._render_lang(record.ids)[record.id]
        localized = template.with_context(lang=lang)
        return self.message_post(
            subject=localized._render_field("subject", record.ids)[record.id],
            body=localized._render_field("body_html", record.ids)[record.id],
            partner_ids=self.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_light",
        )

    def _action_confirm(self):
        res = super()._action_confirm()
        self._check_credit_on_confirm()
        self._notify_customer("distribution_order_flow.mail_template_order_confirmed")
        for order in self:
            order.distribution_notified_promise_date = order._get_notification_promise_date()
        return res

    def _notify_shipment(self, picking):
        """After a delivery left: 'shipped' when nothing remains to deliver, else 'partially shipped'
        with what follows and when."""
        self.ensure_one()
        remaining = self.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel") and p._is_customer_delivery()
        )
        template = "mail_template_delivery_partial" if remaining else "mail_template_delivery_shipped"
        self._notify_customer(f"distribution_order_flow.{template}", record=picking)

    @api.model
    def _cron_notify_delays(self, batch_size=1000):
        """Daily: tell customers once when the promise date of their open order moved later than
        what they were told, and once when it passed without shipment. Open orders are read in batches
        (their lines prefetched together); the notices of a batch are queued in one insert."""
        now = fields.Datetime.now()
        orders = self.search(
            [
                ("state", "=", "sale"),
                ("flow_state", "in", ("confirmed", "partially_reserved", "reserved", "partially_shipped")),
                "|", ("distribution_notified_promise_date", "!=", False), ("distribution_overdue_notified", "=", False),
            ],
            order="id",
        )
        for start in range(0, len(orders), batch_size):
            batch = orders[start:start + batch_size]
            promises = {order: order._get_notification_promise_date() for order in batch}
            delayed = batch._notify_delayed_promises(promises)
            overdue = self.browse([
                order.id for order in batch - delayed
                if promises[order] and promises[order] < now and not order.distribution_overdue_notified
            ])
            if overdue:
                overdue._notify_customer("distribution_order_flow.mail_template_order_delayed")
                overdue.write({"distribution_overdue_notified": True})

    def _notify_delayed_promises(self, promises):
        """Queue the delay notice of each order of ``promises`` ({order: its promise date now}) whose promise
        is later than what its customer was told, and record the date told: once per new date, whoever finds
        it (the daily cron, a re-plan after a receipt). Returns the orders notified. Grouped: one insert for
        the notices and one update for the dates told, whatever the number of orders."""
        delayed = self.browse([
            order.id for order, promise in promises.items()
            if promise and (told := order.distribution_notified_promise_date) and promise > told
        ])
        if not delayed:
            return delayed
        delayed._notify_customer("distribution_order_flow.mail_template_order_delayed")
        for order in delayed:
            # Per record, flushed as one UPDATE (the ORM groups the rows of one column set).
            order.write({"distribution_notified_promise_date": promises[order], "distribution_overdue_notified": False})
        return delayed

    # ------------------------------------------------------------------------------------------------
    # Credit hold
    # ------------------------------------------------------------------------------------------------
    def _is_credit_blocked(self):
        """Whether the credit rule stops this order now: over its customer's credit limit, or its customer
        has an overdue balance (when the company uses that rule). Read after _refresh_credit_exposure."""
        self.ensure_one()
        return self.credit_limit_exceeded or self.credit_overdue

    def _get_credit_block_reason(self):
        """Why the credit rule stops the order, for credit controllers (figures included)."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        reasons = []
        if self.credit_limit_exceeded:
            reasons.append(_(
                "%(customer)s would owe %(exposure)s, over its credit limit of %(limit)s",
                customer=customer.display_name,
                exposure=self.company_currency_id.format(self.credit_exposure),
                limit=self.company_currency_id.format(customer.sudo().credit_limit),
            ))
        if self.credit_overdue:
            overdue = self._get_overdue_customers(customer, self.company_id).get(customer.id, 0.0)
            reasons.append(_(
                "%(customer)s has %(amount)s of invoices overdue by more than %(days)s day(s)",
                customer=customer.display_name,
                amount=self.company_currency_id.format(overdue),
                days=self.company_id.distribution_credit_overdue_days,
            ))
        return "; ".join(reasons)

    def _check_credit_at_goods_issue(self):
        """SAP-style credit re-check when goods are about to leave: a confirmed order whose customer went
        over its limit, or fell overdue, since confirmation is put on credit hold before its delivery is
        validated. An order whose credit a controller approved keeps that approval. Returns the orders held
        (already or now)."""
        orders = self.filtered(lambda order: order.state == "sale")
        to_check = orders.filtered(
            lambda order: not order.credit_hold
            and (order.company_id.account_use_credit_limit or order.company_id.distribution_credit_overdue_check)
            and not order._is_credit_approved()
        )
        if to_check:
            to_check._refresh_credit_exposure()
            to_check.filtered(lambda order: order._is_credit_blocked())._put_on_credit_hold(
                _("found at goods issue")
            )
        return orders.filtered("credit_hold")

    def _on_goods_issue_refused(self, pickings):
        """Hook: deliveries of these held orders were refused at goods issue (the exceptions module tells
        credit control). Here: on the order's chatter."""
        for order in self:
            order.message_post(
                body=_(
                    "%(pickings)s was stopped at goods issue by the credit hold (validation tried by %(user)s).",
                    pickings=", ".join(pickings.filtered(lambda p, o=order: p.sale_id == o).mapped("name")),
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _is_credit_approved(self):
        """Whether a credit controller approved this order's credit (its credit review validated, or they
        released its credit hold)."""
        self.ensure_one()
        if self.distribution_credit_released_by_id:
            return True
        definition = self.env.ref("distribution_order_flow.tier_definition_sale_credit", raise_if_not_found=False)
        return any(review.status == "approved" for review in self.review_ids if review.definition_id == definition)

    def _check_credit_on_confirm(self):
        """An order confirmed over its customer's credit limit, or with an overdue balance, without a
        credit controller's approval (the credit rule was switched off, or the order was confirmed by a
        path that skips approvals) is held at once."""
        orders = self.filtered(lambda o: o._is_credit_blocked() and not o.credit_hold and not o._is_credit_approved())
        orders._put_on_credit_hold(_("confirmed without a credit approval"))

    def _put_on_credit_hold(self, why):
        """Hold these orders for credit (the system's decision, or a controller's), with who and why on
        the chatter."""
        orders = self.filtered(lambda order: not order.credit_hold)
        for order in orders:
            reason = order._get_credit_block_reason()
            order.sudo().credit_hold = True
            order.message_post(
                body=_(
                    "Credit hold (%(why)s, by %(user)s)%(reason)s. Its deliveries cannot be validated until a "
                    "credit controller releases the order.",
                    why=why,
                    user=self.env.user.name,
                    reason=(": " + reason) if reason else "",
                ),
                subtype_xmlid="mail.mt_note",
            )
        return orders

    def action_credit_hold(self, reason=None):
        """A credit controller holds orders by hand (a customer in dispute, a cheque that bounced), and
        says why (the form's button asks through a wizard)."""
        self._check_credit_controller(_("put %(orders)s on credit hold"))
        reason = self._check_credit_reason(reason, _("holding"))
        orders = self.filtered(lambda order: order.state == "sale")
        if orders != self:
            raise UserError(_(
                "Only confirmed orders can be put on credit hold: %(orders)s is not confirmed (its confirmation "
                "checks credit already).",
                orders=", ".join((self - orders).mapped("name")),
            ))
        orders._put_on_credit_hold(_("put by a credit controller: %(reason)s", reason=reason))
        return True

    def _check_credit_reason(self, reason, what):
        reason = (reason or "").strip()
        if not reason and not self.env.su:
            raise UserError(
                _("Give the reason for %(what)s the credit of %(orders)s: it goes on the chatter with your name.",
                  what=what, orders=", ".join(self.mapped("name")))
            )
        return reason

    def _check_credit_controller(self, what):
        if not (self.env.su or self.env.user.has_group("distribution_order_flow.group_credit_controller")):
            raise AccessError(
                _("Only a credit controller can %(what)s.", what=what % {"orders": ", ".join(self.mapped("name"))})
            )

    def action_release_credit_hold(self, reason=None):
        self._check_credit_controller(_("release the credit hold of %(orders)s"))
        reason = self._check_credit_reason(reason, _("releasing"))
        held = self.filtered("credit_hold")
        held.sudo().write({"credit_hold": False, "distribution_credit_released_by_id": self.env.user.id})
        for order in held:
            order.message_post(
                body=_("Credit hold released by %(user)s: %(reason)s", user=self.env.user.name, reason=reason)
                if reason else _("Credit hold released by %(user)s.", user=self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
        held._invoice_after_hold()
        return True

    # A held order's goods stay where they are: with the company's setting, its reservations go to the
    # orders behind it, and come back (if the stock is still there) when it is released.
    def _get_credit_held_moves(self):
        return self.sudo().picking_ids.move_ids.filtered(
            lambda move: move.state not in ("done", "cancel", "draft") and not move.picked
        )

    def _release_reservations_on_hold(self):
        for company, orders in self.grouped("company_id").items():
            if not company.distribution_credit_hold_unreserve:
                continue
            moves = orders._get_credit_held_moves().filtered(
                lambda move: move.state in ("assigned", "partially_available")
            )
            if moves:
                moves._do_unreserve()
                for order in orders:
                    order.message_post(
                        body=_("Credit hold: the reservations of %(order)s were released for other orders.",
                               order=order.name),
                        subtype_xmlid="mail.mt_note",
                    )

    def _reserve_after_hold(self):
        for company, orders in self.grouped("company_id").items():
            if not company.distribution_credit_hold_unreserve:
                continue
            moves = orders._get_credit_held_moves().filtered(
                lambda move: move.state in ("confirmed", "partially_available")
            )
            moves._action_assign()

    def _invoice_after_hold(self):
        """Orders just released from a hold invoice what was delivered while they were held (invoice
        on delivery), as if their last transfer were validated now: its invoicing job is queued (once: a
        job of that transfer still waiting is the same job)."""
        for order in self:
            if order._is_flow_on_hold() or not order.invoice_on_delivery or order.state != "sale":
                continue
            last_delivery = order.picking_ids.filtered(
                lambda p: p.state == "done" and (p._is_customer_delivery() or p._is_customer_return())
            ).sorted("date_done")[-1:]
            if last_delivery:
                order._enqueue_invoice_delivery(last_delivery)

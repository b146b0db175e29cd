"""Credit control of sale orders: the customer's exposure and overdue balance (indicators the approval
matrix reads), the credit hold put at confirmation, at goods issue or by a credit controller, and its release."""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare


class SaleOrder(models.Model):
    # One file per feature of the order, so that each behaviour is found by its name.
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

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
            and order._may_be_credit_blocked()
            and not order._is_credit_approved()
        )
        if to_check:
            to_check._refresh_credit_exposure()
            to_check.filtered(lambda order: order._is_credit_blocked())._put_on_credit_hold(
                _("found at goods issue")
            )
        return orders.filtered("credit_hold")

    def _may_be_credit_blocked(self):
        """Whether a credit rule can stop this order at all: its company checks overdue balances, or it
        checks credit limits and the customer has one (a customer without a limit is never over it, so its
        exposure, which reads its receivables and open orders, need not be computed at goods issue)."""
        self.ensure_one()
        company = self.company_id
        if company.distribution_credit_overdue_check:
            return True
        if not company.account_use_credit_limit:
            return False
        # The credit limit is accounting data a warehouse user can't read.
        return bool(self.partner_id.commercial_partner_id.with_company(company).sudo().credit_limit)

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

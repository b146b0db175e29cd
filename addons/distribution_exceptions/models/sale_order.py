
from odoo import api, fields, models
from odoo.fields import Domain

from .distribution_exception import OPEN_STATES

SHIPPED_FLOW_STATES = ("shipped", "invoiced", "closed")


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "distribution.exception.mixin"]

    exception_ids = fields.One2many(inverse_name="sale_order_id")

    # Stored flags, kept by the exceptions themselves: the order path (confirm, deliver, invoice) reads
    # them with the order instead of querying the exceptions each time.
    distribution_blocked = fields.Boolean(
        string="Held by an Exception",
        compute="_compute_distribution_exception_flags",
        store=True,
        precompute=True,
        help="An open exception of a blocking type holds the order.",
    )
    distribution_has_open_exception = fields.Boolean(
        compute="_compute_distribution_exception_flags", store=True, precompute=True
    )

    @api.depends("exception_ids.is_open", "exception_ids.blocking")
    def _compute_distribution_exception_flags(self):
        for order in self:
            open_exceptions = order.exception_ids.filtered("is_open")
            order.distribution_has_open_exception = bool(open_exceptions)
            order.distribution_blocked = any(open_exceptions.mapped("blocking"))

    @api.depends("distribution_blocked")
    def _compute_flow_state(self):
        return super()._compute_flow_state()

    # ------------------------------------------------------------------------------------------------
    # Holds
    # ------------------------------------------------------------------------------------------------
    def _get_blocking_exceptions(self):
        self.ensure_one()
        return self.sudo().exception_ids.filtered(lambda e: e.is_open and e.blocking)

    def _is_flow_on_hold(self):
        return super()._is_flow_on_hold() or self.distribution_blocked

    def _get_flow_hold_reason(self):
        reasons = [super()._get_flow_hold_reason()]
        reasons += [
            f"{exception.name} {exception.type_id.name}"
            for exception in self._get_blocking_exceptions()
            if exception.code != "credit_hold" or not self.credit_hold
        ]
        return ", ".join(reason for reason in reasons if reason)

    def _on_blocking_exceptions_raised(self):
        """Orders just held by a blocking exception: say so on the order."""
        for order in self:
            order.message_post(
                body=self.env._("On hold: %(reason)s.", reason=order._get_flow_hold_reason()),
                subtype_xmlid="mail.mt_note",
            )

    def _on_blocking_exceptions_cleared(self):
        """Blocking exceptions were closed: a released order invoices what was delivered while held."""
        self._invoice_after_hold()

    # ------------------------------------------------------------------------------------------------
    # Triggers
    # ------------------------------------------------------------------------------------------------
    def write(self, vals):
        res = super().write(vals)
        if "credit_hold" in vals:
            if vals["credit_hold"]:
                self._raise_credit_hold_exceptions()
            else:
                self.env["distribution.exception"]._resolve_exceptions(
                    "credit_hold", self, self.env._("Credit hold released by %(user)s.", user=self.env.user.name)
                )
        return res

    def _raise_credit_hold_exceptions(self, facts=None):
        """Open (or add ``facts`` to) the credit-hold item of these orders, for credit control."""
        Exception_ = self.env["distribution.exception"]
        Exception_._raise_exceptions(
            "credit_hold",
            [
                {
                    "record": order,
                    "sale_order_id": order,
                    "partner_id": order.partner_id,
                    "facts": Exception_._facts(
                        facts or self.env._(
                            "Order %(order)s is held for credit: %(reason)s. No goods leave and nothing is invoiced "
                            "on delivery until a credit controller releases it.",
                            order=order.name,
                            reason=order._get_credit_block_reason() or self.env._("held by a credit controller"),
                        )
                    ),
                }
                for order in self
            ],
        )

    def _on_goods_issue_refused(self, pickings):  # pylint: disable=missing-return  # returns nothing, as the method it extends
        super()._on_goods_issue_refused(pickings)
        for order in self:
            order._raise_credit_hold_exceptions(
                facts=self.env._(
                    "%(user)s tried to validate %(pickings)s: refused, the order is on credit hold. The goods wait "
                    "in the warehouse for the release.",
                    user=self.env.user.name,
                    pickings=", ".join(pickings.filtered(lambda p, o=order: p.sale_id == o).mapped("name")),
                )
            )

    def _mark_repriced(self, lines, before):  # pylint: disable=missing-return  # returns nothing, as the method it extends
        super()._mark_repriced(lines, before)
        Exception_ = self.env["distribution.exception"]
        Exception_._raise_exceptions(
            "price_override",
            [
                {
                    "record": order,
                    "sale_order_id": order,
                    "partner_id": order.partner_id,
                    "facts": Exception_._facts(
                        self.env._(
                            "%(user)s changed prices on confirmed order %(order)s. Nothing is invoiced on delivery "
                            "until another sales manager approves them.",
                            user=self.env.user.name,
                            order=order.name,
                        ),
                        [
                            self.env._(
                                "%(product)s: %(old_price)s (-%(old_discount)s%%) to %(price)s (-%(discount)s%%)",
                                product=line.product_id.display_name,
                                old_price=order.currency_id.format(before[line.id][0]),
                                old_discount=before[line.id][1],
                                price=order.currency_id.format(line.price_unit),
                                discount=line.discount,
                            ) if line.id in before else self.env._(
                                "%(product)s added at %(price)s (-%(discount)s%%)",
                                product=line.product_id.display_name,
                                price=order.currency_id.format(line.price_unit),
                                discount=line.discount,
                            )
                            for line in lines.filtered(lambda so_line, o=order: so_line.order_id == o)
                        ],
                    ),
                }
                for order in self
            ],
        )

    def _on_repricing_approved(self):  # pylint: disable=missing-return  # returns nothing, as the method it extends
        super()._on_repricing_approved()
        Exception_ = self.env["distribution.exception"]
        Exception_._raise_exceptions(
            "price_override",
            [
                {
                    "record": order,
                    "sale_order_id": order,
                    "partner_id": order.partner_id,
                    "facts": Exception_._facts(
                        self.env._("The new prices of %(order)s were approved by %(user)s.",
                                   order=order.name, user=self.env.user.name)
                    ),
                }
                for order in self
            ],
        )

    def _on_customer_confirmation_held(self):  # pylint: disable=missing-return  # returns nothing, as the method it extends
        super()._on_customer_confirmation_held()
        Exception_ = self.env["distribution.exception"]
        Exception_._raise_exceptions(
            "customer_review",
            [
                {
                    "record": order,
                    "sale_order_id": order,
                    "partner_id": order.partner_id,
                    "user_id": order.user_id,
                    "facts": Exception_._facts(
                        self.env._(
                            "%(customer)s accepted %(order)s online (signature or payment) and waits for it to be "
                            "confirmed. It needs these approvals first:",
                            customer=order.partner_id.display_name,
                            order=order.name,
                        ),
                        [definition.name for definition, _approver in order._get_missing_approvals()],
                    ),
                }
                for order in self
            ],
        )

    def _action_confirm(self):
        res = super()._action_confirm()
        accepted_online = self.filtered("distribution_customer_accepted")
        if accepted_online:
            self.env["distribution.exception"]._resolve_exceptions(
                "customer_review", accepted_online, self.env._("The order was confirmed.")
            )
        overridden = self.filtered(lambda order: order.has_price_override or order.has_margin_floor_breach)
        if overridden:
            Exception_ = self.env["distribution.exception"]
            Exception_._raise_exceptions(
                "price_override",
                [
                    {
                        "record": order,
                        "sale_order_id": order,
                        "partner_id": order.partner_id,
                        "facts": Exception_._facts(
                            self.env._(
                                "Order %(order)s was confirmed with approved prices below contract, pricelist or "
                                "margin floor (salesperson %(user)s). Review them against the customer's agreement.",
                                order=order.name,
                                user=order.user_id.name or "-",
                            ),
                            order._get_price_override_summary() + order._get_margin_floor_summary(),
                        ),
                    }
                    for order in overridden
                ],
            )
        return res

    def _action_cancel(self):
        res = super()._action_cancel()
        Exception_ = self.env["distribution.exception"].sudo()
        open_exceptions = Exception_.search(
            [("res_model", "=", "sale.order"), ("res_id", "in", self.ids), ("state", "in", OPEN_STATES)]
        )
        for code in set(open_exceptions.mapped("code")):
            Exception_._resolve_exceptions(code, self, self.env._("The order was cancelled."), cancel=True)
        return res

    def _record_substitution(self, line, from_product):
        res = super()._record_substitution(line, from_product)
        Exception_ = self.env["distribution.exception"]
        Exception_._raise_exceptions(
            "substitution",
            [
                {
                    "record": line,
                    "company": self.company_id,
                    "sale_order_id": self,
                    "partner_id": self.partner_id,
                    "product_id": line.product_id,
                    "user_id": self.user_id,
                    "facts": Exception_._facts(
                        self.env._(
                            "On order %(order)s, %(old)s was replaced by %(new)s (%(qty)s %(uom)s). Check the "
                            "customer accepts it.",
                            order=self.name,
                            old=from_product.display_name,
                            new=line.product_id.display_name,
                            qty=line.product_uom_qty,
                            uom=line.product_uom_id.name,
                        )
                    ),
                }
            ],
        )
        return res

    def _resolve_shipped_exceptions(self):
        """Orders that shipped in full: their late-delivery items clear."""
        shipped = self.filtered(lambda order: order.flow_state in SHIPPED_FLOW_STATES)
        if shipped:
            self.env["distribution.exception"]._resolve_exceptions(
                "late_delivery", shipped, self.env._("The order has shipped in full.")
            )

    @api.model
    def _get_late_delivery_domain(self, now):
        """Orders late at ``now``: confirmed, not shipped in full, with a delivery to the customer still
        open past the date promised for it. That date is the transfer's deadline (stored), which
        sale_stock sets to the order's commitment date, else to the lines' expected dates, and moves with
        them; it follows the shipping policy (the earliest line when shipped in parts, the last one when
        shipped complete), as the order's expected date does."""
        return Domain(
            [
                ("state", "=", "sale"),
                ("flow_state", "not in", SHIPPED_FLOW_STATES + ("cancelled",)),
            ]
        ) & Domain("picking_ids", "any", self._get_late_delivery_picking_domain(now))

    @api.model
    def _get_late_delivery_picking_domain(self, now):
        """Transfers late at ``now``: open deliveries to the customer past their deadline."""
        return Domain(
            [
                ("state", "not in", ("done", "cancel")),
                ("location_dest_id.usage", "=", "customer"),
                ("date_deadline", "<", now),
            ]
        )

    @api.model
    def _cron_raise_late_deliveries(self):
        """Hourly: confirmed orders whose promised delivery date passed while goods remain to ship get a
        late delivery item; orders that shipped since are cleared. Both are found by searching stored
        fields (no order is loaded to be filtered in Python)."""
        now = fields.Datetime.now()
        late = self.search(self._get_late_delivery_domain(now))
        late_pickings = self.env["stock.picking"].search(
            Domain("sale_id", "in", late.ids) & self._get_late_delivery_picking_domain(now)
        )
        promised = {}
        for picking in late_pickings:
            promised[picking.sale_id] = min(promised.get(picking.sale_id, picking.date_deadline), picking.date_deadline)
        Exception_ = self.env["distribution.exception"]
        Exception_._raise_exceptions(
            "late_delivery",
            [
                {
                    "record": order,
                    "sale_order_id": order,
                    "partner_id": order.partner_id,
                    "user_id": order.user_id,
                    "facts": Exception_._facts(
                        self.env._(
                            "Order %(order)s was promised for %(date)s and has not shipped in full (%(state)s).",
                            order=order.name,
                            date=fields.Datetime.to_string(promised[order]),
                            state=dict(order._fields["flow_state"].selection).get(order.flow_state),
                        ),
                        [
                            self.env._(
                                "%(product)s: %(delivered)s of %(ordered)s delivered",
                                product=line.product_id.display_name,
                                delivered=line.qty_delivered,
                                ordered=line.product_uom_qty,
                            )
                            for line in order._get_flow_goods_lines()
                            if line.qty_delivered < line.product_uom_qty
                        ],
                    ),
                }
                for order in late
            ],
        )
        open_late = Exception_.sudo().search(
            [("code", "=", "late_delivery"), ("state", "in", OPEN_STATES), ("res_model", "=", "sale.order")]
        )
        orders = self.browse(open_late.mapped("res_id")).exists()
        orders._resolve_shipped_exceptions()
        cancelled = orders.filtered(lambda order: order.state == "cancel")
        if cancelled:
            Exception_._resolve_exceptions(
                "late_delivery", cancelled, self.env._("The order was cancelled."), cancel=True
            )

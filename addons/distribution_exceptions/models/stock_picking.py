from odoo import api, fields, models

from .distribution_exception import OPEN_STATES


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "distribution.exception.mixin"]

    exception_ids = fields.One2many(inverse_name="picking_id")

    distribution_has_open_exception = fields.Boolean(
        compute="_compute_distribution_has_open_exception",
        store=True,
        precompute=True,
        help="Kept by the exceptions: validation only looks for exceptions to clear when one is open.",
    )

    @api.depends("exception_ids.is_open")
    def _compute_distribution_has_open_exception(self):
        for picking in self:
            picking.distribution_has_open_exception = any(picking.exception_ids.mapped("is_open"))

    # ------------------------------------------------------------------------------------------------
    # Predicates
    # ------------------------------------------------------------------------------------------------
    def _is_vendor_return(self):
        """Goods sent back to a vendor: a receipt refused or returned."""
        self.ensure_one()
        return self.location_dest_id.usage == "supplier"

    def _is_vendor_receipt(self):
        self.ensure_one()
        return self.picking_type_code == "incoming" and self.location_id.usage == "supplier"

    def _get_shortages(self):
        """(product, demand, validated quantity, uom) of the moves about to be validated below their
        demand, read before validation while the demand is whole. As core does, when nothing is marked
        picked every reserved quantity counts; otherwise only picked moves count."""
        self.ensure_one()
        moves = self.move_ids.filtered(lambda move: move.state not in ("done", "cancel"))
        any_picked = any(moves.mapped("picked"))
        shortages = []
        for move in moves:
            validated = move.quantity if (move.picked or not any_picked) else 0.0
            if move.product_uom.compare(validated, move.product_uom_qty) < 0:
                shortages.append((move.product_id, move.product_uom_qty, validated, move.product_uom))
        return shortages

    def _describe_moves(self):
        """'product: quantity unit' per move, for an exception's facts."""
        self.ensure_one()
        return [
            self.env._(
                "%(product)s: %(qty)s %(uom)s",
                product=move.product_id.display_name,
                qty=move.product_uom_qty,
                uom=move.product_uom.name,
            )
            for move in self.move_ids
        ]

    # ------------------------------------------------------------------------------------------------
    # Triggers
    # ------------------------------------------------------------------------------------------------
    def action_confirm(self):
        res = super().action_confirm()
        # Raising and clearing items is the system's work: the warehouse user registering a return or
        # validating a transfer may have no rights on the order, the purchase or the queue.
        self.sudo()._raise_return_exceptions()
        return res

    def _action_done(self):
        # What was short is only known before validation: the backorder split reduces the demand.
        shortages = {}
        for picking in self.filtered(lambda p: p.picking_type_code in ("outgoing", "internal")):
            if picking_shortages := picking._get_shortages():
                shortages[picking] = picking_shortages
        # Backorders only come out of transfers validated short.
        short_pickings = self.filtered(lambda p: p in shortages)
        previous_backorders = short_pickings.backorder_ids if short_pickings else self.browse()
        res = super()._action_done()
        done = self.sudo().filtered(lambda p: p.state == "done")
        short_pickings = short_pickings.sudo()
        new_backorders = short_pickings.backorder_ids - previous_backorders if short_pickings else done.browse()
        shortages = {picking.sudo(): rows for picking, rows in shortages.items()}
        done._raise_short_pick_exceptions(shortages, new_backorders)
        new_backorders._raise_backorder_exceptions()
        # Returns validated without being confirmed first (RPC, imports) are raised now.
        done.filtered(lambda p: p._is_customer_return() or p._is_vendor_return())._raise_return_exceptions(
            only_new=True
        )
        done._resolve_done_exceptions()
        return res

    def action_cancel(self):
        res = super().action_cancel()
        cancelled = self.filtered(lambda p: p.state == "cancel")
        if cancelled:
            Exception_ = self.env["distribution.exception"]
            for code in ("backorder", "late_supplier", "return", "supplier_quality"):
                Exception_._resolve_exceptions(code, cancelled, self.env._("The transfer was cancelled."), cancel=True)
        return res

    def _raise_short_pick_exceptions(self, shortages, new_backorders):
        Exception_ = self.env["distribution.exception"]
        items = []
        for picking in self.filtered(lambda p: p in shortages):
            backorder = new_backorders.filtered(lambda b, p=picking: b.backorder_id == p)
            rows = [
                self.env._(
                    "%(product)s: %(picked)s of %(demand)s %(uom)s picked",
                    product=product.display_name,
                    picked=picked,
                    demand=demand,
                    uom=uom.name,
                )
                for product, demand, picked, uom in shortages[picking]
            ]
            if backorder:
                outcome = self.env._("The rest waits in backorder %(backorder)s.", backorder=backorder.name)
            else:
                outcome = self.env._("No backorder: the rest was cancelled, the customer gets less.")
            items.append(
                {
                    "record": picking,
                    "picking_id": picking,
                    "sale_order_id": picking.sale_id,
                    "partner_id": picking.partner_id,
                    "product_id": shortages[picking][0][0] if len(shortages[picking]) == 1 else False,
                    "user_id": picking.user_id,
                    "facts": Exception_._facts(
                        self.env._(
                            "%(picking)s was validated by %(user)s below its demand. %(outcome)s",
                            picking=picking.name,
                            user=self.env.user.name,
                            outcome=outcome,
                        ),
                        rows,
                    ),
                }
            )
        Exception_._raise_exceptions("short_pick", items)

    def _raise_backorder_exceptions(self):
        Exception_ = self.env["distribution.exception"]
        backorders = self.filtered(
            lambda p: p.state not in ("done", "cancel") and p.picking_type_code == "outgoing" and p.sale_id
        )
        Exception_._raise_exceptions(
            "backorder",
            [
                {
                    "record": backorder,
                    "picking_id": backorder,
                    "sale_order_id": backorder.sale_id,
                    "partner_id": backorder.partner_id,
                    "facts": Exception_._facts(
                        self.env._(
                            "Backorder %(backorder)s of %(origin)s for order %(order)s: still to deliver.",
                            backorder=backorder.name,
                            origin=backorder.backorder_id.name,
                            order=backorder.sale_id.name,
                        ),
                        backorder._describe_moves(),
                    ),
                }
                for backorder in backorders
            ],
        )

    def _raise_return_exceptions(self, only_new=False):
        """A customer return and a return to a vendor are raised as soon as they are registered
        (``only_new``: only for transfers that never had one)."""
        Exception_ = self.env["distribution.exception"]
        returns = self.filtered(
            lambda p: p.state != "cancel" and p.move_ids and (p._is_customer_return() or p._is_vendor_return())
        )
        if only_new and returns:
            returns -= returns.sudo().exception_ids.filtered(
                lambda e: e.code in ("return", "supplier_quality")
            ).picking_id
        customer_returns = returns.filtered(lambda p: p._is_customer_return())
        vendor_returns = returns.filtered(lambda p: p._is_vendor_return())

        Exception_._raise_exceptions(
            "return",
            [
                {
                    "record": picking,
                    "picking_id": picking,
                    "sale_order_id": picking.sale_id,
                    "partner_id": picking.partner_id,
                    "user_id": picking.sale_id.user_id,
                    "append_facts": False,
                    "facts": Exception_._facts(
                        self.env._(
                            "%(customer)s returns goods of %(origin)s (order %(order)s): check them in, then "
                            "credit or replace.",
                            customer=picking.partner_id.commercial_partner_id.display_name or "-",
                            origin=picking.return_id.name or picking.origin or "-",
                            order=picking.sale_id.name or "-",
                        ),
                        picking._describe_moves(),
                    ),
                }
                for picking in customer_returns
            ],
        )
        Exception_._raise_exceptions(
            "supplier_quality",
            [
                {
                    "record": picking,
                    "picking_id": picking,
                    "purchase_order_id": picking.purchase_id or picking.return_id.purchase_id,
                    "partner_id": picking.partner_id,
                    "user_id": (picking.purchase_id or picking.return_id.purchase_id).user_id,
                    "append_facts": False,
                    "facts": Exception_._facts(
                        self.env._(
                            "Goods of %(origin)s go back to %(vendor)s (purchase %(purchase)s): refused or "
                            "returned. Get a credit note or a replacement.",
                            origin=picking.return_id.name or picking.origin or "-",
                            vendor=picking.partner_id.commercial_partner_id.display_name or "-",
                            purchase=(picking.purchase_id or picking.return_id.purchase_id).name or "-",
                        ),
                        picking._describe_moves(),
                    ),
                }
                for picking in vendor_returns
            ],
        )

    def _resolve_done_exceptions(self):
        """Validated transfers clear what they were the cause of (one query for all of them)."""
        Exception_ = self.env["distribution.exception"]
        flagged = (self | self._get_backorder_origins()).filtered("distribution_has_open_exception")
        open_exceptions = Exception_.sudo().search(
            [("res_model", "=", "stock.picking"), ("res_id", "in", flagged.ids), ("state", "in", OPEN_STATES)]
        ) if flagged else Exception_
        by_code = {}
        for exception in open_exceptions:
            by_code.setdefault(exception.code, self.browse())
            by_code[exception.code] |= self.browse(exception.res_id)
        if "backorder" in by_code:
            Exception_._resolve_exceptions(
                "backorder", by_code["backorder"] & self, self.env._("The backorder was delivered.")
            )
        for receipt in by_code.get("late_supplier", self.browse()) & self:
            Exception_._resolve_exceptions(
                "late_supplier",
                receipt,
                self.env._("Received on %(date)s.", date=fields.Datetime.to_string(receipt.date_done)),
            )
        # A short pick clears once everything its backorders (and theirs) held was delivered.
        cleared = by_code.get("short_pick", self.browse()).filtered(
            lambda p: (chain := p._get_backorder_chain()) and all(b.state in ("done", "cancel") for b in chain)
        )
        Exception_._resolve_exceptions("short_pick", cleared, self.env._("The backorder was delivered in full."))
        # A customer return credited on delivery is settled; otherwise its owner credits or replaces.
        for picking in by_code.get("return", self.browse()) & self:
            credit_notes = picking.sudo().distribution_invoice_ids.filtered(lambda m: m.state == "posted")
            if credit_notes:
                Exception_._resolve_exceptions(
                    "return",
                    picking,
                    self.env._("Received and credited by %(notes)s.", notes=", ".join(credit_notes.mapped("name"))),
                )
            else:
                picking._note_return_received()
        for picking in by_code.get("supplier_quality", self.browse()) & self:
            picking._note_return_received()
        # Orders shipped in full clear their late deliveries (their exceptions are read with the flow state).
        self.sale_id.filtered("distribution_has_open_exception")._resolve_shipped_exceptions()
        # Bills waiting for these goods may match now.
        receipts = self.filtered(lambda p: p.picking_type_code == "incoming" and p.purchase_id)
        if receipts:
            bills = receipts.purchase_id.sudo().invoice_ids.filtered(lambda m: m.state == "posted")
            bills._recheck_invoice_mismatch()

    def _get_backorder_chain(self):
        """The backorders of this transfer, of its backorders, and so on."""
        self.ensure_one()
        chain = backorders = self.backorder_ids
        while backorders:
            backorders = backorders.backorder_ids - chain
            chain |= backorders
        return chain

    def _get_backorder_origins(self):
        """The transfers these are backorders of, up the chain."""
        origins = parents = self.backorder_id
        while parents:
            parents = parents.backorder_id - origins
            origins |= parents
        return origins

    def _note_return_received(self):
        self.ensure_one()
        exceptions = self.env["distribution.exception"].sudo().search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", self.id), ("state", "in", OPEN_STATES),
             ("code", "in", ("return", "supplier_quality"))]
        )
        for exception in exceptions:
            exception.message_post(
                body=self.env._(
                    "%(picking)s was validated on %(date)s: settle it (credit note or replacement), then resolve.",
                    picking=self.name,
                    date=fields.Datetime.to_string(self.date_done),
                ),
                subtype_xmlid="mail.mt_note",
            )
        exceptions.filtered(lambda e: e.state == "new").write({"state": "in_progress"})

    @api.model
    def _cron_raise_late_receipts(self):
        """Hourly: vendor receipts past their scheduled date raise a late supplier item."""
        now = fields.Datetime.now()
        late = self.search(
            [
                ("picking_type_code", "=", "incoming"),
                ("purchase_id", "!=", False),
                ("state", "in", ("confirmed", "waiting", "assigned")),
                ("scheduled_date", "<", now),
            ]
        )
        Exception_ = self.env["distribution.exception"]
        Exception_._raise_exceptions(
            "late_supplier",
            [
                {
                    "record": receipt,
                    "picking_id": receipt,
                    "purchase_order_id": receipt.purchase_id,
                    "partner_id": receipt.partner_id,
                    "user_id": receipt.purchase_id.user_id,
                    "append_facts": False,
                    "facts": Exception_._facts(
                        self.env._(
                            "%(vendor)s was to deliver %(receipt)s (purchase %(purchase)s) on %(date)s: "
                            "%(days)s day(s) late. Chase the vendor and update the date.",
                            vendor=receipt.partner_id.commercial_partner_id.display_name or "-",
                            receipt=receipt.name,
                            purchase=receipt.purchase_id.name,
                            date=fields.Datetime.to_string(receipt.scheduled_date),
                            days=(now - receipt.scheduled_date).days,
                        ),
                        receipt._describe_moves(),
                    ),
                }
                for receipt in late
            ],
        )

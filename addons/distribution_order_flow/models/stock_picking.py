from odoo import api, fields, models
from odoo.exceptions import UserError

from .promise_replan import REPLAN_HOLD_KEY

# Set on the cursor while core creates backorders at validation: their reservation is queued when the
# company reserves in the background (stock.move._action_assign).
DEFER_RESERVATION_KEY = "distribution_defer_reservation"


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "distribution.system.fields.mixin"]

    distribution_invoice_ids = fields.One2many(
        "account.move", "distribution_picking_id", string="Invoices on Delivery", readonly=True
    )
    allocation_score = fields.Float(
        digits=(5, 2),
        compute="_compute_allocation_score",
        store=True,
        index=True,
        help="The highest allocation score of the transfer's open moves.",
    )
    distribution_carrier_departure = fields.Datetime(
        string="Carrier Departure",
        compute="_compute_distribution_carrier_departure",
        store=True,
        index=True,
        copy=False,
        help="When the transfer's carrier leaves on its scheduled day (the carrier's cut-off time): warehouse "
        "work is listed in this order, then by allocation score. Every step of a delivery takes its order's "
        "carrier.",
    )
    distribution_auto_starred = fields.Boolean(
        copy=False,
        readonly=True,
        help="Starred by its allocation score (unstarred again if the score falls); a transfer starred by "
        "a person stays starred.",
    )

    @api.model
    def _get_distribution_system_fields(self):
        return super()._get_distribution_system_fields() | {
            "allocation_score", "distribution_auto_starred", "distribution_carrier_departure",
        }

    @api.depends("move_ids.allocation_score", "move_ids.state")
    def _compute_allocation_score(self):
        for picking in self:
            scores = [m.allocation_score for m in picking.move_ids if m.state not in ("done", "cancel")]
            picking.allocation_score = max(scores, default=0.0)

    def _get_customer_delivery_steps(self):
        """The transfers among these that carry goods to a customer: outgoing deliveries, and the earlier
        steps (pick, pack) of a multi-step delivery, whose moves end at a customer."""
        ends = self.move_ids._get_delivery_chain_ends()
        return self.filtered(
            lambda p: p.picking_type_code == "outgoing" or any(move in ends for move in p.move_ids)
        )

    @api.depends("carrier_id.distribution_cutoff_time", "sale_id.carrier_id.distribution_cutoff_time",
                 "scheduled_date", "company_id.partner_id.tz")
    def _compute_distribution_carrier_departure(self):
        for picking in self:
            carrier = picking.carrier_id or picking.sale_id.carrier_id
            picking.distribution_carrier_departure = (
                carrier._get_cutoff_on(picking.company_id, picking.scheduled_date)
                if carrier and picking.scheduled_date else False
            )

    def _update_allocation_priority(self):
        """Star the transfers to customers (every step of a multi-step delivery, the pick that reserves
        the stock included) whose score reaches the company's threshold, so the web client, barcode apps
        (which sort on priority, then scheduled date) and Odoo's reservation scheduler serve them first;
        unstar those it starred whose score fell."""
        open_pickings = self.filtered(lambda p: p.state not in ("done", "cancel"))
        for picking in open_pickings._get_customer_delivery_steps():
            high = picking.allocation_score >= picking.company_id.allocation_priority_threshold
            if high and picking.priority != "1":
                picking.write({"priority": "1", "distribution_auto_starred": True})
            elif not high and picking.distribution_auto_starred:
                picking.write({"priority": "0", "distribution_auto_starred": False})

    def _apply_carrier_cutoff(self):
        """A delivery for a carrier whose cut-off has passed today, scheduled today (or earlier), is
        scheduled for the next working day of its warehouse (its working hours and holidays) instead."""
        now = fields.Datetime.now()
        # Every step of the delivery: in a multi-step warehouse the pick is what is scheduled first.
        pickings = self.filtered(lambda p: p.carrier_id and p.state not in ("done", "cancel"))
        for picking in pickings._get_customer_delivery_steps():
            cutoff = picking.carrier_id._get_cutoff_today(picking.company_id, now)
            if not cutoff or now <= cutoff:
                continue
            warehouse = picking.picking_type_id.warehouse_id
            next_day = picking.carrier_id._next_working_day_start(
                picking.company_id, now, calendar=warehouse._get_distribution_calendar() if warehouse else None
            )
            if picking.scheduled_date < next_day:
                picking.scheduled_date = next_day
                picking.message_post(
                    body=self.env._(
                        "Past %(carrier)s's cut-off today: scheduled for %(date)s.",
                        carrier=picking.carrier_id.name,
                        date=fields.Datetime.to_string(next_day),
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    def _check_unlock_rights(self):
        """Unlocking a done transfer makes its quantities editable again: inventory managers only (core
        gives the Lock/Unlock action to them; the same rule for a direct call or write)."""
        if self.env.su or self.env.user.has_group("stock.group_stock_manager"):
            return
        done = self.filtered(lambda picking: picking.state == "done" and picking.is_locked)
        if done:
            raise UserError(
                self.env._(
                    "Only an inventory manager can unlock %(pickings)s: a done transfer's quantities are a record.",
                    pickings=", ".join(done.mapped("name")),
                )
            )

    def action_toggle_is_locked(self):
        self._check_unlock_rights()
        return super().action_toggle_is_locked()

    def write(self, vals):
        if "is_locked" in vals and not vals["is_locked"]:
            self._check_unlock_rights()
        res = super().write(vals)
        if "carrier_id" in vals:
            self._apply_carrier_cutoff()
            # The earlier steps of the delivery (pick, pack) are scored from it.
            moves = self.move_ids
            moves |= moves.browse(moves._rollup_move_origs())
            moves._refresh_allocation_scores()
        return res

    def _get_credit_held_deliveries(self):
        """The deliveries to customers among these whose order is on credit hold."""
        return self.sudo().filtered(
            lambda p: p.state not in ("done", "cancel") and p.sale_id.credit_hold and p._is_customer_delivery()
        )

    def button_validate(self):
        # Credit is re-checked at goods issue, before anything moves: a customer that went over its limit
        # (or fell overdue) since confirmation gets no goods. The hold is recorded (chatter, exception for
        # credit control) and the warehouse user is told, instead of an error that would undo the hold.
        # The check is the system's work: the warehouse user may have no right on the order.
        deliveries = self.sudo().filtered(
            lambda p: p.state not in ("done", "cancel") and p.sale_id and p._is_customer_delivery()
        )
        if deliveries:
            deliveries.sale_id._check_credit_at_goods_issue()
            held = self._get_credit_held_deliveries()
            if held:
                held.sale_id._on_goods_issue_refused(held)
                return held._credit_hold_notification()
        return super().button_validate()

    def _credit_hold_message(self):
        return self.env._(
            "%(pickings)s cannot be validated: order %(orders)s is on credit hold. Credit control has been told; "
            "leave the goods where they are until the order is released.",
            pickings=", ".join(self.mapped("name")),
            orders=", ".join(self.sale_id.mapped("name")),
        )

    def _credit_hold_notification(self):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Credit hold"),
                "message": self._credit_hold_message(),
                "type": "danger",
                "sticky": True,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _action_done(self):
        # Whatever the path (button, backorder wizard, server code), a held order's goods do not leave.
        held = self._get_credit_held_deliveries()
        if held:
            raise UserError(held._credit_hold_message())
        # Core adds order lines for goods delivered beyond the order (at the order's price, or 0 for
        # ordered-quantity products): the warehouse's validation, not a price someone set. Flagged on the
        # cursor (server side, unlike a context key a client could send).
        syncing = self.env.cr.cache.setdefault("distribution_delivery_sync", set())
        syncing.update(self.ids)
        receipts = self._get_replan_receipts()
        receipt_moves = receipts.move_ids
        if receipts:
            # The receipt's own moves (split, moved to the backorder) re-plan nothing: it re-plans once below.
            self.env.cr.cache[REPLAN_HOLD_KEY] = self.env.cr.cache.get(REPLAN_HOLD_KEY, 0) + 1
        try:
            res = super()._action_done()
        finally:
            syncing.difference_update(self.ids)
            if receipts:
                self.env.cr.cache[REPLAN_HOLD_KEY] -= 1
        if receipts:
            # Backorder processing: what arrived (short, complete or early) re-plans the promises it fed.
            Replan = self.env["distribution.promise.replan"]
            Replan._replan_receipt_moves(receipt_moves, Replan._get_receipt_reason(receipts, "validated"))
        # Whichever client validated the transfer (web, barcode app, RPC), invoice what left (or credit
        # what came back). This follow-up on the orders is the system's work: the warehouse user who
        # validates may have no sales rights, or only on their own orders, and must still be able to ship
        # any order of their company.
        pickings = self.sudo()
        pickings._invoice_on_delivery()
        for picking in pickings.filtered(lambda p: p.state == "done" and p.sale_id and p._is_customer_delivery()):
            picking.sale_id._notify_shipment(picking)
        return res

    def _create_backorder(self, backorder_moves=None):
        # Core reserves the new backorders here, in the validating transaction; a company that reserves
        # in the background has them reserved by the job instead (stock.move._action_assign).
        cache = self.env.cr.cache
        cache[DEFER_RESERVATION_KEY] = cache.get(DEFER_RESERVATION_KEY, 0) + 1
        try:
            return super()._create_backorder(backorder_moves=backorder_moves)
        finally:
            cache[DEFER_RESERVATION_KEY] -= 1

    def _get_background_reservation_job_key(self):
        """Identity key of this transfer's background reservation job."""
        self.ensure_one()
        return f"distribution_reserve:{self.id}"

    def _job_reserve_in_background(self):
        """Job (company setting Reserve Customer Orders: In the background): reserve what this transfer's
        customer moves still wait for, as the confirmation (or the backorder's creation) would have, with
        the same quant locks (stock.move._lock_reservable_quants). Its snapshot is taken when it starts, so
        it seldom waits; when it fails to serialize beside another reservation, queue_job runs it again.
        Nothing left to reserve (the scheduler or a user's Check Availability was first, the transfer was
        validated or cancelled meanwhile): nothing is done. Returns the moves it tried to reserve."""
        self.ensure_one()
        moves = self.move_ids.filtered(
            lambda move: move.state in ("confirmed", "partially_available") and move._is_reserved_in_background()
        )
        if moves:
            moves._action_assign()
            self._after_background_reservation(moves)
        return moves

    def _after_background_reservation(self, moves):
        """Hook: what a confirmation does after reserving, done once the job reserved ``moves`` (the
        replenishment module plans what is still short)."""

    def _get_replan_receipts(self):
        """The receipts among these (incoming transfers, of any company): validating one re-plans the
        promises of the customer orders waiting for its products. A filter on data in memory: a customer
        delivery's validation pays nothing for it."""
        return self.filtered(lambda picking: picking.picking_type_code == "incoming")

    def _is_customer_delivery(self):
        """Goods handed to the customer: the last step of a delivery chain, or a drop-ship."""
        self.ensure_one()
        return self.location_dest_id.usage == "customer"

    def _is_customer_return(self):
        self.ensure_one()
        return self.location_id.usage == "customer"

    def _invoice_on_delivery(self):
        """Queue the invoice of what each validated delivery handed to an invoice-on-delivery customer (a
        credit note for a return): created and posted by a job (``sale.order._job_invoice_delivery``), not
        in the warehouse user's request. Held orders are skipped, with the reason on the order. An
        accounting problem never blocks the warehouse: the job reports it on the order instead."""
        for picking in self.filtered(lambda p: p.state == "done" and p.sale_id):
            if not (picking._is_customer_delivery() or picking._is_customer_return()):
                continue
            order = picking.sale_id
            if not order.invoice_on_delivery or order.state != "sale":
                continue
            if order._is_flow_on_hold():
                order._note_invoice_held(picking)
                continue
            order._enqueue_invoice_delivery(picking)


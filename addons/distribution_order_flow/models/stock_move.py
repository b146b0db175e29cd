import logging
from collections import defaultdict

from psycopg2 import OperationalError

from odoo import api, fields, models
from odoo.exceptions import ConcurrencyError
from odoo.fields import Domain
from odoo.tools import SQL

from .promise_replan import REPLAN_DATE_FIELDS, REPLAN_HOLD_KEY
from .res_company import ALLOCATION_WEIGHTS
from .stock_picking import DEFER_RESERVATION_KEY

_logger = logging.getLogger(__name__)

NEUTRAL_CLASS_PRIORITY = 50.0
# Moves reserved per transaction by the scheduler's own run (_action_assign_in_batches).
SCHEDULER_ASSIGN_BATCH = 100
# Deepest delivery chain followed (pick, pack, ship and a few custom steps); a guard against cycles.
MAX_CHAIN_STEPS = 10


class StockMove(models.Model):
    _name = "stock.move"
    _inherit = ["stock.move", "distribution.system.fields.mixin"]

    allocation_score = fields.Float(
        digits=(5, 2),
        index=True,
        copy=False,
        readonly=True,
        help="0-100, higher is served first when stock is short: the weighted mean of the customer class "
        "priority, the closeness of the promise date, the order's rush flag and the carrier's cut-off today "
        "(weights in Sales settings). Set when the move is confirmed, refreshed when the order changes and "
        "hourly as promise dates come closer.",
    )

    @api.model
    def _get_distribution_system_fields(self):
        return super()._get_distribution_system_fields() | {"allocation_score"}

    def write(self, vals):
        # The done quantity of a locked transfer is a record (stock.move.line says so for its lines;
        # the move's own quantity setter would rewrite them).
        if "quantity" in vals and not self.env.su:
            changed = self.filtered(
                lambda move: move.state == "done" and move.product_uom.compare(move.quantity, vals["quantity"] or 0.0)
            )
            changed.move_line_ids._check_done_lines_editable()
        res = super().write(vals)
        if REPLAN_DATE_FIELDS & vals.keys() or vals.get("state") == "cancel":
            self._replan_after_receipt_change(vals)
        return res

    def _replan_after_receipt_change(self, vals):
        """An open receipt rescheduled (scheduled date or deadline) or cancelled re-plans the promises it fed
        (``distribution.promise.replan``). Other moves (customer deliveries...) only pay the filter."""
        if self.env.cr.cache.get(REPLAN_HOLD_KEY):
            return
        cancelled = vals.get("state") == "cancel"
        receipts = self.filtered(
            lambda move: move.picking_code == "incoming"
            and (move.state == "cancel" if cancelled else move.state not in ("draft", "done", "cancel"))
        )
        if receipts:
            Replan = self.env["distribution.promise.replan"]
            event = "cancelled" if cancelled else "rescheduled"
            Replan._replan_receipt_moves(receipts, Replan._get_receipt_reason(receipts.sudo().picking_id, event))

    def _get_allocation_score(self, now):
        """The score of one move at ``now`` (see the field's help and the module readme)."""
        self.ensure_one()
        order = self.sale_line_id.order_id
        if not order:
            return 0.0
        carrier = self.picking_id.carrier_id or order.carrier_id
        return self._allocation_score_for(order, order.commitment_date or self.date_deadline or self.date or now,
                                          self.date or now, carrier, now)

    @api.model
    def _allocation_score_for(self, order, promise, due, carrier, now):
        """The score a customer move of ``order`` promised for ``promise``, due at ``due`` with ``carrier``,
        has (or would have) at ``now``: shared by confirmed moves and quotation lines' available-to-promise."""
        company = order.company_id
        customer = order.partner_id.commercial_partner_id.with_company(company)
        customer_class = customer.distribution_class_id
        class_priority = float(customer_class.priority) if customer_class else NEUTRAL_CLASS_PRIORITY
        days_left = (promise - now).total_seconds() / 86400.0
        urgency = 100.0 * min(max(1.0 - days_left / company.allocation_promise_horizon_days, 0.0), 1.0)
        rush = 100.0 if order.is_rush else 0.0
        cutoff_factor = 0.0
        if carrier:
            cutoff = carrier._get_cutoff_today(company, now)
            if cutoff and now <= cutoff and due <= cutoff:
                cutoff_factor = 100.0
        weights = [company[name] for name in ALLOCATION_WEIGHTS]
        factors = [class_priority, urgency, rush, cutoff_factor]
        return round(sum(w * f for w, f in zip(weights, factors, strict=False)) / sum(weights), 2)

    def _refresh_allocation_scores(self):
        """Recompute the score of these open customer moves and star their transfers accordingly.

        Every step of a delivery to a customer is scored, the one that reserves stock (pick) included: the
        inputs (order, promise, due date, carrier) are those of the chain's customer move when it exists,
        so that the pick of a multi-step delivery is served in the same order as a one-step delivery."""
        now = fields.Datetime.now()
        # The score is system-written from the order (class, promise, rush, carrier): computed as the
        # system, so that a warehouse user without sales rights on the order can still confirm, split and
        # re-route its moves.
        moves = self.sudo().filtered(lambda move: move.state not in ("done", "cancel") and move.sale_line_id)
        ends = moves._get_delivery_chain_ends()
        scores = {}  # the moves of one order share their inputs: scored once
        changed = defaultdict(list)  # and are written once per score, not move by move
        for move in moves:
            end = ends.get(move)
            source = end if end and end.sale_line_id else move
            order = source.sale_line_id.order_id
            key = (order.id, order.commitment_date or source.date_deadline or source.date, source.date,
                   (source.picking_id.carrier_id or order.carrier_id).id)
            if key not in scores:
                scores[key] = source._get_allocation_score(now)
            score = scores[key]
            if move.allocation_score != score:
                changed[score].append(move.id)
        for score, move_ids in changed.items():
            moves.browse(move_ids).write({"allocation_score": score})
        moves.picking_id._update_allocation_priority()
        return moves

    # ------------------------------------------------------------------------------------------------
    # Delivery chains: one, two or three steps
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _get_delivery_chain_domain(self):
        """Moves that may belong to a delivery to a customer: the move to the customer itself, an earlier
        step whose final location is the customer's (Odoo 19's pick and pack: the next step is created when
        this one is done), or a step chained to later moves (routes that pull every step at once). A
        superset: ``_get_delivery_chain_ends`` tells which really end at a customer."""
        return Domain.OR([
            [("location_dest_id.usage", "=", "customer")],
            [("location_final_id.usage", "=", "customer")],
            [("move_dest_ids", "!=", False)],
        ])

    @api.model
    def _get_stock_step_domain(self):
        """Moves that reserve from stock (core's _action_assign takes free quants for them): not made to
        order and not fed by an earlier move."""
        return Domain([("procure_method", "!=", "make_to_order"), ("move_orig_ids", "=", False)])

    def _is_stock_step(self):
        """Reserves from stock: not made to order, not fed by an earlier move, from a location that is
        reserved (not a supplier's or a customer's)."""
        self.ensure_one()
        return (
            self.procure_method != "make_to_order"
            and not self.move_orig_ids
            and not self.location_id.should_bypass_reservation()
        )

    def _get_delivery_chain_ends(self):
        """{move: the customer move that ends its delivery chain} for those of these moves that serve a
        delivery to a customer.

        A move to the customer is its own end. An earlier step (pick, pack) ends at the customer move its
        destination moves lead to. In Odoo 19's multi-step deliveries the next step is created only when a
        step is done (push rules), so an open pick has no destination move yet: while its final location is
        the customer's, it is its own end (it carries the order line, and its transfer the order's shipping
        policy). Chains are followed level by level: one read per level, whatever the number of moves."""
        ends = {}
        pending = {}  # first move -> the moves reached so far along its chain
        for move in self:
            if move.location_dest_id.usage == "customer":
                ends[move] = move
            elif move.move_dest_ids:
                pending[move] = move
            elif move.location_final_id.usage == "customer":
                ends[move] = move
        for _step in range(MAX_CHAIN_STEPS):
            if not pending:
                break
            following = {}
            for first, reached in pending.items():
                nexts = reached.move_dest_ids.filtered(lambda m: m.state != "cancel")
                last = nexts.filtered(
                    lambda m: m.location_dest_id.usage == "customer"
                    or (not m.move_dest_ids and m.location_final_id.usage == "customer")
                )
                if last:
                    ends[first] = last.sorted("id")[0]
                elif nexts:
                    following[first] = nexts
                elif first.location_final_id.usage == "customer":
                    ends[first] = first
            pending = following
        return ends

    def _is_ship_complete_delivery(self):
        """The delivery this customer move belongs to leaves complete or not at all: its transfer's shipping
        policy ('When all products are ready'), else its order's ship policy."""
        self.ensure_one()
        if self.picking_id:
            return self.picking_id.move_type == "one"
        return self.sale_line_id.order_id.ship_policy == "complete"

    def _action_assign(self, force_qty=False):
        # Moves of an order on credit hold reserve nothing where the company releases held reservations:
        # whichever path asks (confirmation, the scheduler, Check Availability), the stock goes to others.
        held = self._filter_credit_held()
        if held:
            return (self - held)._action_assign(force_qty=force_qty)
        # Backorders created at validation, in a company that reserves in the background: queued, not
        # reserved in the warehouse user's transaction (stock.picking._create_backorder marks the cursor).
        if self.env.cr.cache.get(DEFER_RESERVATION_KEY):
            deferred = self.filtered(lambda move: move._is_reserved_in_background())
            if deferred:
                deferred._enqueue_background_reservation()
                return (self - deferred)._action_assign(force_qty=force_qty)
        if self._is_scheduler_reservation() and len(self) > SCHEDULER_ASSIGN_BATCH:
            return self._action_assign_in_batches(force_qty=force_qty)
        self._lock_reservable_quants()
        return super()._action_assign(force_qty=force_qty)

    def _is_scheduler_reservation(self):
        """Whether this is the reservation step of the scheduler's own committing run (the cron, the Run
        Scheduler menu: ``run_scheduler(use_new_cursor=True)``), on its cursor: stock.rule marks it."""
        return self.env.context.get("distribution_scheduler_cursor") == id(self.env.cr)

    def _action_assign_in_batches(self, force_qty=False):
        """The scheduler's reservation in short transactions. Core reserves the waiting moves 1,000 at a time,
        one transaction each; with the suite's quant locks (_lock_reservable_quants) that transaction would
        hold the locks of every product of the 1,000 moves until it commits, and the reps confirming orders
        meanwhile would wait for it. Here the moves, grouped by product (core's priority order kept within a
        product), are reserved ``SCHEDULER_ASSIGN_BATCH`` at a time, each batch committed before the next
        (the scheduler's run commits anyway: this only commits sooner). A batch that fails to serialize
        beside a user is rolled back and left to the next run, as core's own chunk would be."""
        order = {move_id: index for index, move_id in enumerate(self.ids)}
        moves = self.sorted(lambda move: (move.product_id.id, order[move.id]))
        for start in range(0, len(moves), SCHEDULER_ASSIGN_BATCH):
            batch = moves[start:start + SCHEDULER_ASSIGN_BATCH].with_context(distribution_scheduler_cursor=False)
            try:
                batch._action_assign(force_qty=force_qty)
                # Odoo's commit for runs that commit as they go (only under use_new_cursor, see above).
                self.env["ir.cron"]._commit_progress()
            except (OperationalError, ConcurrencyError) as error:
                self.env.cr.rollback()
                self.env.transaction.reset()
                _logger.info("Scheduler reservation: a batch of %s moves left to the next run (%s)",
                             len(batch), error)

    def _lock_reservable_quants(self):
        """Lock, waiting, the quants these moves may reserve from (their products in their source locations
        and below), in id order, before core reads what is available.

        Core reads availability from the transaction's snapshot, then locks the first quant with SKIP
        LOCKED and, when another transaction holds it, creates a new quant carrying the reservation: two
        confirmations (or the scheduler beside a confirmation, or Check Availability) each reserve what the
        other already took, and a quant ends with more reserved than it holds. Waiting here instead makes
        the second transaction see the first's reservation: under REPEATABLE READ, a lock on rows another
        transaction changed after this one's snapshot fails to serialize, and the caller retries on a fresh
        snapshot (Odoo's request retry, the scheduler's next step). The stable order avoids deadlocks."""
        moves = self.filtered(
            lambda m: m.state in ("confirmed", "waiting", "partially_available")
            and not m.picked
            and m.product_id.is_storable
            and not m.location_id.should_bypass_reservation()
        )
        if not moves:
            return
        paths = sorted({f"{location.parent_path}%" for location in moves.location_id})
        self.env["stock.quant"].flush_model(["product_id", "location_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT quant.id FROM stock_quant quant
                  JOIN stock_location location ON location.id = quant.location_id
                 WHERE quant.product_id = ANY(%s) AND location.parent_path LIKE ANY(%s)
                 ORDER BY quant.id
                   FOR NO KEY UPDATE OF quant
                """,
                list(moves.product_id.ids), paths,
            ),
            log_exceptions=False,  # a serialization failure is expected under concurrency, and retried
        )

    def _should_assign_at_confirm(self):
        # A company that reserves in the background: its customer moves are reserved by a job after the
        # confirming transaction commits (_enqueue_background_reservation), not by that transaction.
        return super()._should_assign_at_confirm() and not self._is_reserved_in_background()

    def _is_reserved_in_background(self):
        """Whether this move is reserved by the background reservation job rather than where it is confirmed:
        a customer order's move (any step of its delivery) in a company whose Reserve Customer Orders setting
        is "In the background", from stock that is reserved at all."""
        self.ensure_one()
        return (
            self.company_id.distribution_reservation_mode == "background"
            and bool(self.sale_line_id)
            and not self._should_bypass_reservation()
        )

    def _enqueue_background_reservation(self):
        """Queue the reservation of these moves' transfers: one job per transfer (identity key: queuing it
        again while it waits adds nothing; the job reserves whatever of the transfer still waits when it
        runs), on the channel root.distribution.reservation, the highest allocation score first (job
        priority). Moves that need nothing (reserved, waiting for an earlier step, not due yet) are left."""
        today = fields.Date.today()
        moves = self.filtered(
            lambda move: move.state in ("confirmed", "partially_available")
            and move.picking_id
            and move._is_reserved_in_background()
            and (move.picking_type_id.reservation_method == "at_confirm"
                 or (move.reservation_date and move.reservation_date <= today))
        )
        for picking, picking_moves in moves.grouped("picking_id").items():
            picking = picking.sudo().with_company(picking.company_id)
            score = max(picking_moves.mapped("allocation_score") or [0.0])
            picking.with_delay(
                description=self.env._("Reserve %(picking)s", picking=picking.name),
                identity_key=picking._get_background_reservation_job_key(),
                priority=max(0, 100 - int(score)),
            )._job_reserve_in_background()

    def _filter_credit_held(self):
        if not self.company_id.filtered("distribution_credit_hold_unreserve"):
            return self.browse()
        return self.filtered(
            lambda move: move.company_id.distribution_credit_hold_unreserve
            and move.sudo().sale_line_id.order_id.credit_hold
        )

    def _action_confirm(self, merge=True, merge_into=False, create_proc=True):
        moves = super()._action_confirm(merge=merge, merge_into=merge_into, create_proc=create_proc)
        customer_moves = moves.filtered("sale_line_id")
        if customer_moves:
            customer_moves._refresh_allocation_scores()
            customer_moves.picking_id._apply_carrier_cutoff()
            customer_moves._enqueue_background_reservation()
        return moves

    @api.model
    def _cron_refresh_allocation_scores(self, products=None):
        """Hourly: promise dates come closer and cut-offs pass, so open customer moves are re-scored
        (``products``: only theirs, as the scheduler's re-allocation step asks for the products it
        re-allocates)."""
        # Deliveries and the earlier steps (pick, pack) of multi-step deliveries.
        domain = Domain([("state", "not in", ("done", "cancel", "draft")), ("sale_line_id", "!=", False)]) & Domain.OR(
            [[("picking_code", "=", "outgoing")], self._get_delivery_chain_domain()]
        )
        if products is not None:
            domain &= Domain("product_id", "in", products.ids)
        moves = self.search(domain)
        for batch_start in range(0, len(moves), 2000):
            moves[batch_start:batch_start + 2000]._refresh_allocation_scores()

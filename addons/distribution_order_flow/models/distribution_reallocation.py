import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import AccessError, ConcurrencyError
from odoo.fields import Domain
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import float_compare, float_round

_logger = logging.getLogger(__name__)

OPEN_STATES = ("confirmed", "waiting", "partially_available", "assigned")
# Short products re-allocated per transaction in the scheduler's own run: the locks of one batch are short.
REALLOCATION_BATCH = 20


class DistributionReallocation(models.AbstractModel):
    """Re-allocation of short stock: where the stock of a product in a warehouse cannot serve every open
    customer delivery, reserve it in allocation score order, taking back what lower-score deliveries hold.

    The moves re-allocated are those that reserve from stock for a delivery to a customer: the delivery
    move of a one-step warehouse, the pick of a pick + ship or pick + pack + ship warehouse (the first step
    of the chain; the later steps take what the earlier one brought and are never re-allocated). Their
    score, ship policy and order are the delivery's (see stock.move._get_delivery_chain_ends).

    For each (product, source location) group of such moves that were never picked:
    supply = free stock of the location + what the group's moves hold; the moves, in score order (then
    date, then id), are given their demand while the supply lasts; a move of a ship-complete delivery
    gets its whole demand or nothing, and a ship-complete delivery that cannot be completed in every
    product gets nothing at all (its stock serves the others). Moves holding more than their share are
    unreserved, then the others are reserved in score order by Odoo's own reservation. Picked or packed
    quantities and done moves are never touched; a pick unreserved leaves its later steps waiting, as
    core does. Rows are locked first (quants, then moves), so two runs, or a run beside a user validating
    a delivery, never hand out the same stock twice."""

    _name = "distribution.reallocation"
    _description = "Re-allocation of Short Stock"

    @api.model
    def _check_reallocation_rights(self):
        """Taking reservations from other orders is for inventory or sales managers."""
        if not (
            self.env.su
            or self.env.user.has_group("stock.group_stock_manager")
            or self.env.user.has_group("sales_team.group_sale_manager")
        ):
            raise AccessError(
                self.env._(
                    "%(user)s cannot re-allocate stock: inventory or sales managers only.", user=self.env.user.name
                )
            )

    @api.model
    def _get_candidate_domain(self, products, locations=None, companies=None):
        """Open moves of ``products`` that reserve from stock and may serve a customer delivery (a
        superset: ``_get_delivery_chain_ends`` keeps those whose chain ends at a customer)."""
        Move = self.env["stock.move"]
        domain = Domain([
            ("product_id", "in", products.ids),
            ("state", "in", OPEN_STATES),
            ("product_id.is_storable", "=", True),
        ]) & Move._get_stock_step_domain() & Move._get_delivery_chain_domain()
        if locations:
            domain &= Domain("location_id", "child_of", locations.ids)
        if companies is not None:
            domain &= Domain("company_id", "in", companies.ids)
        return domain

    @api.model
    def _reallocate(self, products, warehouses=None, companies=None):
        """Re-allocate ``products`` (in ``warehouses``, default: all) of ``companies`` (default: every
        company, for the scheduler; a person's action passes the companies they work in). Returns
        {move: (before, after)} of the moves whose reservation changed."""
        Move = self.env["stock.move"].sudo()
        locations = warehouses.view_location_id if warehouses else None
        moves = Move.search(self._get_candidate_domain(products, locations, companies), order="id")
        if not moves:
            return {}
        # First on this transaction's snapshot, without locks: when nothing would change (the common case of
        # a scheduler run, every few minutes), no quant or move is locked and nothing is written, so users
        # reserving and validating meanwhile never wait for the run. A change that others commit meanwhile
        # is the next run's.
        if not self._get_reallocation_changes(*self._plan_reallocation(moves)):
            return {}
        self._lock(moves)
        # What others committed while we waited for the locks.
        moves.invalidate_recordset()
        moves.move_line_ids.invalidate_recordset()
        return self._apply_targets(*self._plan_reallocation(moves))

    @api.model
    def _plan_reallocation(self, moves):
        """(moves, {move: quantity it should hold}) for the open candidate ``moves``: see the model."""
        moves = moves.filtered(lambda m: m.state in OPEN_STATES)
        # The delivery each move serves: the move itself in one step, the customer move its chain ends
        # at in several (score, ship policy and order come from it).
        ends = moves._get_delivery_chain_ends()
        moves = moves.filtered(lambda m: m in ends)
        groups = defaultdict(moves.browse)
        for move in moves:
            groups[(move.product_id, move.location_id)] |= move
        excluded = moves.browse()
        targets = {}
        for _pass in range(2):
            targets = {}
            for (product, location), group in groups.items():
                targets.update(self._compute_targets(product, location, group, excluded, ends))
            incomplete = self._incomplete_ship_complete_moves(moves, targets, ends)
            if not incomplete - excluded:
                break
            excluded |= incomplete
        return moves, targets

    @api.model
    def _get_reallocation_changes(self, moves, targets):
        """(moves holding more than their target, moves holding less)."""
        before = {move: move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id) for move in targets}
        over, under = [], []
        for move, target in targets.items():
            comparison = float_compare(before[move], target, precision_rounding=move.product_id.uom_id.rounding)
            if comparison > 0:
                over.append(move.id)
            elif comparison < 0:
                under.append(move.id)
        if not over and not under:
            return ()
        return moves.browse(over), moves.browse(under)

    @api.model
    def _lock(self, moves):
        """Quants first, then moves, each in id order: the order every reservation path takes (the
        confirmation, the scheduler and Check Availability lock the quants before core writes the moves,
        see stock.move._lock_reservable_quants), so that they wait for each other instead of deadlocking."""
        self.env["stock.quant"].flush_model(["product_id", "location_id", "quantity", "reserved_quantity"])
        self.env.cr.execute(
            """
            SELECT quant.id FROM stock_quant quant
              JOIN stock_location location ON location.id = quant.location_id
             WHERE quant.product_id IN %s AND location.usage = 'internal' AND quant.company_id IN %s
             ORDER BY quant.id FOR NO KEY UPDATE OF quant
            """,
            [tuple(moves.product_id.ids), tuple(moves.company_id.ids)],
        )
        self.env.cr.execute("SELECT id FROM stock_move WHERE id IN %s ORDER BY id FOR UPDATE", [tuple(moves.ids)])

    @api.model
    def _is_reallocatable(self, move):
        """Reserves from stock and nothing of it was picked or packed (no picked or packed move line)."""
        return (
            not move.picked
            and not any(line.picked or line.result_package_id for line in move.move_line_ids)
            and move._is_stock_step()
        )

    @api.model
    def _compute_targets(self, product, location, group, excluded, ends=None):
        """{move: quantity it should hold} in the product's unit for one (product, location) group.
        ``ends``: {move: customer move of its delivery} (the move itself when missing)."""
        ends = ends or {}
        candidates = group.filtered(self._is_reallocatable)
        if not candidates:
            return {}
        rounding = product.uom_id.rounding
        held = sum(move.product_uom._compute_quantity(move.quantity, product.uom_id) for move in candidates)
        free = self.env["stock.quant"]._get_available_quantity(product, location)
        supply = held + free
        ordered = candidates.sorted(lambda m: (-m.allocation_score, m.date, m.id))
        targets = {}
        for move in ordered:
            demand = move.product_qty
            if move in excluded:
                targets[move] = 0.0
                continue
            ship_complete = ends.get(move, move)._is_ship_complete_delivery()
            if ship_complete and float_compare(supply, demand, precision_rounding=rounding) < 0:
                targets[move] = 0.0  # ship complete: all or nothing
                continue
            share = min(demand, max(supply, 0.0))
            targets[move] = float_round(share, precision_rounding=rounding)
            supply -= share
        return targets

    @api.model
    def _incomplete_ship_complete_moves(self, moves, targets, ends=None):
        """Moves of ship-complete deliveries that would not be complete in every product. A delivery is
        the customer transfer the moves' chains end at (in several steps: the pick until the next step
        exists). Its moves that are not re-allocated now (another product, or picked) count with what
        they hold."""
        ends = ends or {}
        deliveries = defaultdict(lambda: self.env["stock.move"].sudo())
        for move in moves.filtered(lambda m: m in targets):
            end = ends.get(move, move)
            if end._is_ship_complete_delivery():
                deliveries[end.picking_id or end.sale_line_id.order_id or end] |= move
        incomplete = self.env["stock.move"].sudo()
        for delivery_moves in deliveries.values():
            others = delivery_moves.picking_id.move_ids.filtered(
                lambda m: m not in targets and m.state not in ("done", "cancel")
            )
            if any(
                float_compare(targets[m], m.product_qty, precision_rounding=m.product_id.uom_id.rounding) < 0
                for m in delivery_moves
            ) or any(
                m.product_uom.compare(m.quantity, m.product_uom_qty) < 0 for m in others
            ):
                incomplete |= delivery_moves
        return incomplete

    @api.model
    def _apply_targets(self, moves, targets):
        before = {move: move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id) for move in targets}
        rounding = {move: move.product_id.uom_id.rounding for move in targets}
        changes = self._get_reallocation_changes(moves, targets)
        if not changes:
            return {}
        over, under = changes
        if over:
            over._do_unreserve()
        # Odoo's reservation, move by move in score order: each takes what is free, which by
        # construction is its share.
        to_assign = (over | under).filtered(lambda m: targets[m] > 0).sorted(
            lambda m: (-m.allocation_score, m.date, m.id)
        )
        if to_assign:
            to_assign._action_assign()
        changes = {}
        for move in over | under:
            after = move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)
            if float_compare(after, before[move], precision_rounding=rounding[move]):
                changes[move] = (before[move], after)
        self._log_changes(changes)
        return changes

    @api.model
    def _log_changes(self, changes):
        """One note per order: which of its products gained or lost reserved stock, and why."""
        by_order = defaultdict(list)
        for move, (before, after) in changes.items():
            order = move.sale_line_id.order_id
            if order:
                by_order[order].append((move, before, after))
        for order, rows in by_order.items():
            items = Markup("").join(
                Markup("<li>%s</li>") % self.env._(
                    "%(product)s: %(before)s → %(after)s %(uom)s reserved (score %(score)s)",
                    product=move.product_id.display_name,
                    before=before,
                    after=after,
                    uom=move.product_id.uom_id.name,
                    score=move.allocation_score,
                )
                for move, before, after in rows
            )
            order.message_post(
                body=Markup("%s<ul>%s</ul>") % (
                    self.env._("Short stock re-allocated by allocation score:"),
                    items,
                ),
                subtype_xmlid="mail.mt_note",
            )

    @api.model
    def _get_short_products(self, company=None):
        """Products with open moves reserving stock for customer deliveries (one-step deliveries, picks of
        multi-step ones) not fully reserved: where re-allocation may change something."""
        Move = self.env["stock.move"]
        domain = Domain([
            ("state", "in", ("confirmed", "partially_available")),
            ("product_id.is_storable", "=", True),
        ]) & Move._get_stock_step_domain() & Move._get_delivery_chain_domain()
        if company:
            domain &= Domain("company_id", "=", company.id)
        return Move.sudo()._read_group(domain, ["product_id"])

    @api.model
    def _run_reallocation_step(self, company_id=False, use_new_cursor=False):
        """Scheduler step: re-score open customer moves, then re-allocate every short product. In the
        scheduler's own run (``use_new_cursor``) the scores are refreshed in a transaction of their own, then
        the short products are re-allocated ``REALLOCATION_BATCH`` at a time, each batch in a transaction of
        its own: the quant and move locks of a batch are held for that batch only, not for the whole run. A
        transaction that fails to serialize beside a user reserving or validating at the same moment is rolled
        back and left to the next run, as the step's reservation batches are (stock.move
        ._action_assign_in_batches): retrying it at once with Odoo's back-off would keep the scheduler (a cron
        worker, or the request that called it) sleeping for up to half a minute for work the next run does."""
        if not use_new_cursor:
            return self._reallocate_short_products(company_id)
        product_ids = self._in_own_transaction(
            lambda env: env["distribution.reallocation"]._prepare_reallocation(company_id), "the scores"
        )
        if product_ids is None:
            return {}
        changes, skipped = {}, 0
        for start in range(0, len(product_ids), REALLOCATION_BATCH):
            batch_ids = product_ids[start:start + REALLOCATION_BATCH]
            result = self._in_own_transaction(
                lambda env, ids=batch_ids: env["distribution.reallocation"]._reallocate(
                    env["product.product"].browse(ids),
                    companies=env["res.company"].browse(company_id) if company_id else None,
                ),
                f"{len(batch_ids)} products",
            )
            if result is None:
                skipped += len(batch_ids)
            else:
                changes.update(result)
        _logger.info("Re-allocation: %s products looked at, %s moves changed, %s products left to the next run",
                     len(product_ids), len(changes), skipped)
        return changes

    @api.model
    def _in_own_transaction(self, func, what):
        """``func(env)`` in a transaction of its own, committed; None when it failed to serialize (or to lock,
        or deadlocked) beside another transaction: rolled back, and left to the next run (logged)."""
        try:
            with self.env.registry.cursor() as cr:
                return func(self.env(cr=cr))
        except (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, ConcurrencyError) as error:
            _logger.info("Re-allocation: %s left to the next run (%s)", what, error)
            return None

    @api.model
    def _prepare_reallocation(self, company_id=False):
        """The first part of the step: the ids of the short products (in id order) to re-allocate, their
        open customer moves re-scored (the others are re-scored hourly and when their order changes: writing
        them here, at every scheduler run, would only compete with the pickers' writes on those moves)."""
        company = self.env["res.company"].browse(company_id) if company_id else None
        product_ids = sorted(product.id for (product,) in self._get_short_products(company))
        if product_ids:
            self.env["stock.move"]._cron_refresh_allocation_scores(self.env["product.product"].browse(product_ids))
        return product_ids

    @api.model
    def _reallocate_short_products(self, company_id=False):
        company = self.env["res.company"].browse(company_id) if company_id else None
        products = self.env["product.product"].browse(self._prepare_reallocation(company_id))
        if not products:
            return {}
        # The scheduler run for one company re-allocates that company's deliveries only.
        changes = self._reallocate(products, companies=company)
        _logger.info("Re-allocation: %s products looked at, %s moves changed", len(products), len(changes))
        return changes

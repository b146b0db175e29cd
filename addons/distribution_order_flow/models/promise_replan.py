import math
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, format_date

# Customer moves that wait for supply: not (fully) reserved.
WAITING_STATES = ("confirmed", "waiting", "partially_available")
# Receipts still to come.
OPEN_RECEIPT_STATES = ("waiting", "confirmed", "partially_available", "assigned")
# Writes of an open receipt move that change when its goods are expected.
REPLAN_DATE_FIELDS = frozenset({"date", "date_deadline"})
# Set on the cursor while receipts are validated: their own moves' writes re-plan nothing, the
# validation re-plans once at its end.
REPLAN_HOLD_KEY = "distribution_replan_hold"


class DistributionPromiseReplan(models.AbstractModel):
    """Backorder processing: when a receipt arrives short or late, re-plan the promises it fed.

    Triggers (every one as the system, for the (product, warehouse) pairs of the receipt's moves):
    a receipt validated (short with a backorder, short without one, complete or early), an open receipt
    rescheduled (its scheduled date or its deadline written: a warehouse user's or a buyer's change, a
    vendor's new date on the purchase order) or cancelled, and the daily check of receipts that became
    overdue without being validated.

    The re-plan takes the confirmed customer demand waiting on the product in the warehouse: the moves that
    reserve from stock for a customer delivery (the delivery in one step, the pick in two or three, see
    ``stock.move._get_delivery_chain_ends``) and are not fully reserved, for their unreserved quantity. It
    walks them in allocation priority order (allocation score, then promise date, then id) and nets them
    against the supply by date: the free stock of the warehouse today, then each open receipt or transfer
    into the warehouse at its expected date. A line is promised the first date its quantity is covered once
    every line before it is served: never with what a higher-priority line needs. What no known supply
    covers is promised after the preferred vendor's lead time, as a quotation's available to promise does.
    Reservations are taken as they are (the re-allocation moves them, and the next re-plan follows).

    The date (plus the line's customer lead time) is written on the line
    (``sale.order.line.distribution_replanned_date``); lines no longer waiting lose it. An order whose
    promise (``sale.order._get_notification_promise_date``) moved gets a note; moved later than what its
    customer was told, the delay notice (once per new date). Nothing is written, noted or sent when nothing
    moved: running it twice does nothing the second time. A fixed number of queries per batch, whatever the
    number of lines; nothing is locked beyond the rows written."""

    _name = "distribution.promise.replan"
    _description = "Re-plan of Promises after Receipts"

    # ------------------------------------------------------------------------------------------------
    # Triggers
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _replan_receipt_moves(self, moves, reason):
        """Re-plan the promises fed by these receipt moves (their product in their destination warehouse).
        ``reason`` says what happened, for the orders' notes."""
        moves = moves.sudo()
        keys = {
            (move.product_id.id, move.location_dest_id.warehouse_id.id)
            for move in moves
            if move.product_id.is_storable and move.location_dest_id.warehouse_id
        }
        return self._replan(keys, reason)

    @api.model
    def _get_receipt_reason(self, pickings, event):
        """The note's words for what happened to these receipts: 'validated', 'rescheduled', 'cancelled' or
        'overdue'."""
        names = ", ".join(pickings.mapped("name")[:5]) + (", ..." if len(pickings) > 5 else "")
        texts = {
            "validated": self.env._("receipt %(receipts)s validated", receipts=names),
            "rescheduled": self.env._("receipt %(receipts)s rescheduled", receipts=names),
            "cancelled": self.env._("receipt %(receipts)s cancelled", receipts=names),
            "overdue": self.env._("receipt %(receipts)s overdue", receipts=names),
        }
        return texts[event]

    @api.model
    def _cron_replan_overdue_receipts(self):
        """Daily: the receipts that became overdue since the previous run (expected before now, not
        validated) re-plan their promises once; their goods are then expected the next day. A receipt
        overdue for days does not move its orders every day: the next receipt event does."""
        now = fields.Datetime.now()
        since = self.env.context.get("lastcall") or now - timedelta(days=1)
        since = fields.Datetime.to_datetime(since)
        moves = self.env["stock.move"].sudo().search(self._get_overdue_receipt_domain(since, now))
        if moves:
            self._replan_receipt_moves(moves, self._get_receipt_reason(moves.picking_id, "overdue"))
        return True

    @api.model
    def _get_overdue_receipt_domain(self, since, now):
        """Open receipt moves whose expected date (the later of the scheduled date and the deadline) fell
        between ``since`` and ``now``."""
        deadline_past = Domain("date_deadline", "=", False) | Domain("date_deadline", "<", now)
        return Domain([("picking_code", "=", "incoming"), ("state", "in", OPEN_RECEIPT_STATES)]) & (
            (Domain("date", ">=", since) & Domain("date", "<", now) & deadline_past)
            | (Domain("date_deadline", ">=", since) & Domain("date_deadline", "<", now) & Domain("date", "<", now))
        )

    # ------------------------------------------------------------------------------------------------
    # Re-plan
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _replan(self, keys, reason=None):
        """Re-plan the waiting customer lines of ``keys`` ({(product id, warehouse id)}). Returns the orders
        whose promise moved."""
        if not keys:
            return self.env["sale.order"]
        # The system's work: the warehouse user who validates a receipt may have no sales rights.
        return self.sudo()._replan_as_system(keys, reason)

    @api.model
    def _replan_as_system(self, keys, reason):
        products = self.env["product.product"].browse(sorted({key[0] for key in keys}))
        warehouses = self.env["stock.warehouse"].browse(sorted({key[1] for key in keys}))
        now = fields.Datetime.now()
        demand = self._read_waiting_demand(keys, products, warehouses)
        supply = self._read_supply(products, warehouses, now)
        dates = self._net_demand(demand, supply, now)
        return self._write_replanned_dates(keys, products, warehouses, dates, reason)

    @api.model
    def _read_waiting_demand(self, keys, products, warehouses):
        """{(product id, warehouse id): [(move, sale line, quantity)]} in allocation priority order: the
        moves reserving from stock for a customer delivery of a confirmed order, not fully reserved, with
        their unreserved quantity (product unit)."""
        Move = self.env["stock.move"]
        domain = (
            Domain([
                ("product_id", "in", products.ids),
                ("state", "in", WAITING_STATES),
                ("company_id", "in", warehouses.company_id.ids),
                ("location_id", "child_of", warehouses.view_location_id.ids),
            ])
            & Move._get_stock_step_domain()
            & Move._get_delivery_chain_domain()
        )
        moves = Move.search(domain).filtered(lambda m: (m.product_id.id, m.location_id.warehouse_id.id) in keys)
        ends = moves._get_delivery_chain_ends()
        rows = []
        for move in moves:
            end = ends.get(move)
            if not end:
                continue
            line = end.sale_line_id or move.sale_line_id
            if not line or line.order_id.state != "sale":
                continue
            product = move.product_id
            reserved = move.product_uom._compute_quantity(move.quantity, product.uom_id, round=False)
            missing = move.product_qty - reserved
            if product.uom_id.compare(missing, 0.0) <= 0:
                continue
            promise = line.order_id.commitment_date or end.date_deadline or end.date
            rows.append((move, line, missing, promise))
        demand = defaultdict(list)
        for move, line, missing, _promise in sorted(rows, key=lambda row: self._get_priority_key(*row)):
            demand[(move.product_id.id, move.location_id.warehouse_id.id)].append((move, line, missing))
        return demand

    @api.model
    def _get_priority_key(self, move, line, missing, promise):
        """Sort key of a waiting move: allocation score (higher first), then promise date, then id."""
        return (-(move.allocation_score or 0.0), promise or fields.Datetime.now(), move.id)

    @api.model
    def _read_supply(self, products, warehouses, now):
        """{(product id, warehouse id): (free stock now, [(expected date, quantity)] in date order)}: two
        queries. The expected date of a receipt is the later of its scheduled date and its deadline (a
        vendor's new date on the purchase order moves the deadline); an overdue one is expected the next
        day (``_get_overdue_supply_date``)."""
        stock = self.env["sale.order.line"]._atp_read_stock(products, warehouses)
        self.env["stock.move"].flush_model(
            ["product_id", "location_id", "location_dest_id", "state", "product_qty", "date", "date_deadline"]
        )
        self.env.cr.execute(SQL(
            """
            SELECT move.product_id, dest.warehouse_id, GREATEST(move.date, COALESCE(move.date_deadline, move.date)),
                   SUM(move.product_qty)
              FROM stock_move move
              JOIN stock_location source ON source.id = move.location_id
              JOIN stock_location dest ON dest.id = move.location_dest_id
             WHERE move.state = ANY(%(states)s) AND move.product_id = ANY(%(products)s)
               AND dest.warehouse_id = ANY(%(warehouses)s)
               AND source.warehouse_id IS DISTINCT FROM dest.warehouse_id
             GROUP BY 1, 2, 3
            """,
            states=list(OPEN_RECEIPT_STATES), products=products.ids, warehouses=warehouses.ids,
        ))
        incoming = defaultdict(list)
        for product_id, warehouse_id, date, quantity in self.env.cr.fetchall():
            warehouse = warehouses.browse(warehouse_id)
            expected = date if date >= now else self._get_overdue_supply_date(warehouse, now)
            incoming[(product_id, warehouse_id)].append((expected, quantity))
        supply = {}
        for key in {*stock, *incoming}:
            on_hand, reserved = stock.get(key, (0.0, 0.0))
            supply[key] = (max(on_hand - reserved, 0.0), sorted(incoming.get(key, [])))
        return supply

    @api.model
    def _get_day_start(self, moment, warehouse):
        """The start of ``moment``'s day where ``warehouse`` is (its company's time zone), in UTC: the dates
        that depend on the clock are whole days, so that a second run the same day finds the same dates, and
        they show as that day to the warehouse's people and customers."""
        tz = pytz.timezone(warehouse.company_id.partner_id.tz or "UTC")
        local_day = pytz.utc.localize(moment).astimezone(tz).date()
        return tz.localize(datetime.combine(local_day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _get_overdue_supply_date(self, warehouse, now):
        """When the goods of a receipt into ``warehouse`` expected before ``now`` and not validated are
        expected: the next day. Extension point (a vendor's usual delay...)."""
        return self._get_day_start(now + timedelta(days=1), warehouse)

    @api.model
    def _get_unsupplied_date(self, product, warehouse, now):
        """When a quantity no known supply covers can be there: after the preferred vendor's lead time, as a
        quotation line's promise date."""
        seller = product.with_company(warehouse.company_id)._select_seller(
            quantity=None, date=now.date(), uom_id=product.uom_id
        )
        return self._get_day_start(now + timedelta(days=math.ceil(seller.delay if seller else 0)), warehouse)

    @api.model
    def _net_demand(self, demand, supply, now):
        """{sale line: the date its waiting quantity is covered}, the latest of its moves', plus its customer
        lead time. Per (product, warehouse), the moves in priority order take the supply in date order: a
        move is covered when the supply up to a date reaches what it and every move before it need."""
        dates = {}
        for (product_id, warehouse_id), rows in demand.items():
            free, incoming = supply.get((product_id, warehouse_id), (0.0, []))
            product = rows[0][0].product_id
            warehouse = self.env["stock.warehouse"].browse(warehouse_id)
            today = self._get_day_start(now, warehouse)
            buckets = [(today, free), *incoming]
            unsupplied = None
            needed = 0.0
            supplied = 0.0
            index = 0
            date = today
            for _move, line, missing in rows:
                needed += missing
                while product.uom_id.compare(supplied, needed) < 0 and index < len(buckets):
                    date, quantity = buckets[index]
                    supplied += quantity
                    index += 1
                if product.uom_id.compare(supplied, needed) >= 0:
                    covered = date
                else:
                    if unsupplied is None:
                        unsupplied = self._get_unsupplied_date(product, warehouse, now)
                    covered = max(unsupplied, date)
                line_date = covered + timedelta(days=line.customer_lead or 0.0)
                dates[line] = max(dates[line], line_date) if line in dates else line_date
        return dates

    @api.model
    def _write_replanned_dates(self, keys, products, warehouses, dates, reason):
        """Write the new dates (and clear those of the lines of ``keys`` no longer waiting), then tell the
        orders whose promise moved. Returns those orders."""
        SaleLine = self.env["sale.order.line"]
        stored = SaleLine.search([
            ("distribution_replanned_date", "!=", False),
            ("product_id", "in", products.ids),
            ("warehouse_id", "in", warehouses.ids),
        ]).filtered(lambda line: (line.product_id.id, line.warehouse_id.id) in keys)
        new_dates = dict.fromkeys(stored, False)
        new_dates.update(dates)
        changed = {line: date for line, date in new_dates.items() if line.distribution_replanned_date != date}
        if not changed:
            return self.env["sale.order"]
        orders = SaleLine.union(*changed).order_id.filtered(lambda order: order.state == "sale")
        before = {order: order._get_notification_promise_date() for order in orders}
        for line, date in changed.items():
            # Per record, flushed as one UPDATE (the ORM groups the rows of one column set).
            line.write({"distribution_replanned_date": date})
        after = {order: order._get_notification_promise_date() for order in orders}
        moved = orders.filtered(lambda order: before[order] != after[order])
        if moved:
            self._report_moved_promises(moved, before, after, changed, reason)
        return moved

    @api.model
    def _report_moved_promises(self, orders, before, after, changed, reason):
        """A note on each order whose promise moved (what moved, why); the delay notice to the customers of
        those whose promise is now later than they were told. One insert each, whatever the number."""
        bodies = {}
        for order in orders:
            items = Markup().join(
                Markup("<li>%s</li>") % self.env._(
                    "%(product)s: %(date)s", product=line.product_id.display_name,
                    date=format_date(self.env, date) if date else self.env._("no longer waiting"),
                )
                for line, date in changed.items()
                if line.order_id == order
            )
            values = {
                "reason": reason or self.env._("supply changed"),
                "before": format_date(self.env, before[order]) if before[order] else "-",
                "after": format_date(self.env, after[order]) if after[order] else "-",
            }
            text = (
                self.env._("Promise re-planned later (%(reason)s): %(before)s -> %(after)s.", **values)
                if before[order] and after[order] and after[order] > before[order]
                else self.env._("Promise re-planned earlier (%(reason)s): %(before)s -> %(after)s.", **values)
            )
            bodies[order.id] = Markup("<p>%s</p><ul>%s</ul>") % (text, items)
        orders._message_log_batch(bodies)
        orders._notify_delayed_promises({order: after[order] for order in orders})

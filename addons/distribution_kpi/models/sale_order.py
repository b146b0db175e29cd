import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup
from psycopg2 import OperationalError

from odoo import api, fields, models
from odoo.exceptions import ConcurrencyError, UserError
from odoo.fields import Domain
from odoo.tools import SQL, float_compare, float_is_zero, format_date

_logger = logging.getLogger(__name__)

# The reasons an open order may miss its promise date, in the order they are listed.
RISK_REASONS = [
    ("supply", "No stock or supply"),
    ("vendor", "Usually late vendor"),
    ("backlog", "Warehouse backlog"),
    ("blocked", "Blocking exception"),
]
# Fewer done deliveries than this in the throughput window: too little history to judge a backlog.
MIN_THROUGHPUT_DAYS = 3
MIN_VENDOR_RECEIPTS = 3
# The fields the risk check writes (``_compute_delivery_risk``), all at once.
RISK_FIELDS = ("at_risk", "risk_score", "risk_codes", "risk_reasons", "risk_promise_date", "risk_first_flagged_at",
               "risk_checked_at")
# Orders checked per transaction by the crons: each batch is committed before the next, so that a user
# changing one of its orders meanwhile waits for a short transaction only.
RISK_REFRESH_BATCH = 100
# The hourly full pass re-checks the orders not checked for this long.
RISK_FULL_PASS_AGE = timedelta(minutes=55)


def working_days_between(start, end):
    """Monday-to-Friday days from ``start`` (exclusive) to ``end`` (inclusive); 0 when ``end`` is past."""
    start_day, end_day = start.date(), end.date()
    if end_day <= start_day:
        return 0
    days = (end_day - start_day).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start_day + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model
    def _get_distribution_system_fields(self):
        return super()._get_distribution_system_fields() | {
            "at_risk", "risk_score", "risk_codes", "risk_reasons", "risk_promise_date", "risk_first_flagged_at",
            "risk_notified_on", "risk_stale", "risk_checked_at", "kpi_date_created", "kpi_date_confirmed",
            "kpi_date_shipped", "kpi_date_invoiced",
        }

    # The risk is written by the system out of the users' transactions (``_refresh_delivery_risk``, run by the
    # crons): its compute has no dependency, so nothing a user does computes it; ``risk_stale`` says which orders
    # changed since their last check.
    at_risk = fields.Boolean(
        compute="_compute_delivery_risk",
        store=True,
        precompute=True,
        index=True,
        help="The open order may miss its promise date: its risk score reaches the company's threshold. "
        "Checked within minutes when its state, commitment, moves' states, deliveries or holds change, and "
        "hourly for the rest (incoming supply, vendors, warehouse backlog).",
    )
    risk_score = fields.Integer(
        compute="_compute_delivery_risk",
        store=True,
        precompute=True,
        aggregator="max",
        help="Sum of the weights (Sales settings) of the reasons found, at most 100.",
    )
    risk_codes = fields.Char(string="Risk Reason Codes", compute="_compute_delivery_risk", store=True, precompute=True)
    risk_reasons = fields.Text(compute="_compute_delivery_risk", store=True, precompute=True)
    risk_promise_date = fields.Datetime(
        string="Promised For",
        compute="_compute_delivery_risk",
        store=True,
        precompute=True,
        help="The date the risk is judged against: the commitment date, else Odoo's expected date.",
    )
    risk_first_flagged_at = fields.Datetime(
        string="First Flagged At Risk",
        compute="_compute_delivery_risk",
        store=True,
        precompute=True,
        copy=False,
        help="When the order was first found at risk (kept afterwards, for the back-test of the flag).",
    )
    risk_checked_at = fields.Datetime(
        compute="_compute_delivery_risk",
        store=True,
        precompute=True,
        copy=False,
        help="When the system last checked whether the order is at risk (every few minutes after a change of the "
        "order, hourly otherwise).",
    )
    risk_stale = fields.Boolean(
        string="Risk To Check",
        compute="_compute_risk_stale",
        store=True,
        copy=False,
        help="The order changed since its risk was last checked: the next run of the at-risk cron checks it.",
    )
    risk_notified_on = fields.Date(copy=False, readonly=True)
    # The every-5-minutes cron reads the marked orders only: a few among every order ever taken.
    _risk_stale_idx = models.Index("(id) WHERE risk_stale IS TRUE")
    # The order's milestones for the KPIs, from its flow events (sale.order.flow.event._record_order_milestones).
    kpi_date_created = fields.Datetime(string="Created (flow)", readonly=True, copy=False)
    kpi_date_confirmed = fields.Datetime(string="Confirmed (flow)", readonly=True, copy=False, index="btree_not_null")
    kpi_date_shipped = fields.Datetime(string="Fully Shipped (flow)", readonly=True, copy=False, index="btree_not_null")
    kpi_date_invoiced = fields.Datetime(string="Invoiced (flow)", readonly=True, copy=False, index="btree_not_null")

    # The order's own inputs of the risk. Reservation shows in the moves' state; not their quantity, which
    # every scan of a picker changes.
    @api.depends(
        "state",
        "commitment_date",
        "date_order",
        "distribution_blocked",
        "credit_hold",
        "order_line.customer_lead",
        "order_line.qty_delivered",
        "order_line.move_ids.state",
    )
    def _compute_risk_stale(self):
        """Mark the orders whose risk must be checked again: those that can be at risk (confirmed) or still
        show a reason (cancelled or delivered since). Only a mark, from fields of the order at hand: the
        reasons are read by ``_refresh_delivery_risk``, out of the user's transaction."""
        for order in self:
            order.risk_stale = order.state == "sale" or bool(order.risk_codes)

    def _compute_delivery_risk(self):
        # No dependency: computed when the order is created (nothing at risk yet) and when
        # _refresh_delivery_risk asks for it, never by a user's change.
        confirmed = self.filtered(lambda order: order.id and order.state == "sale")
        # the moves of all the orders read at once, not order by order
        (confirmed.order_line.move_ids | confirmed.order_line.move_ids.move_orig_ids).mapped("state")
        open_orders = confirmed.filtered(lambda order: order._is_open_for_delivery_risk())
        reasons_by_order = open_orders._get_delivery_risk_reasons() if open_orders else {}
        now = fields.Datetime.now()
        for order in self:
            reasons = reasons_by_order.get(order.id, [])
            codes = [code for code, _text in reasons]
            company = order.company_id
            weights = {
                "supply": company.risk_weight_supply,
                "vendor": company.risk_weight_vendor,
                "backlog": company.risk_weight_backlog,
                "blocked": company.risk_weight_blocked,
            }
            score = min(100, sum(weights[code] for code in codes))
            at_risk = bool(codes) and score >= company.risk_threshold
            order.risk_score = score
            order.at_risk = at_risk
            order.risk_codes = ",".join(codes) or False
            order.risk_reasons = "\n".join(text for _code, text in reasons) or False
            order.risk_promise_date = (
                order._get_risk_promise_date() if order in open_orders else order.risk_promise_date
            )
            order.risk_first_flagged_at = order.risk_first_flagged_at or (now if at_risk else False)
            order.risk_checked_at = now if order.id else False

    def _is_open_for_delivery_risk(self):
        """A confirmed order with goods still to deliver: the only ones that can miss a promise."""
        self.ensure_one()
        return self.state == "sale" and self._get_flow_shipping_state() != "shipped"

    def _get_risk_promise_date(self):
        self.ensure_one()
        return self.commitment_date or self.expected_date

    def _get_delivery_risk_reasons(self):
        """{order id: [(code, text)]} for open orders, in a fixed number of queries whatever their
        number: the pending first-step moves are read once, incoming supply once, the vendors' stored
        figures once and the warehouse queues in two SQL queries."""
        now = fields.Datetime.now()
        promise = {order.id: order._get_risk_promise_date() for order in self}
        reasons = defaultdict(list)
        # Moves that take goods now: not done, every previous step finished (pick of pick-pack-ship).
        moves = self.order_line.move_ids.filtered(
            lambda move: move.state not in ("done", "cancel", "draft")
            and all(orig.state in ("done", "cancel") for orig in move.move_orig_ids)
        )
        shortages = defaultdict(float)  # (order id, product, warehouse) -> quantity not reserved
        for move in moves.filtered(lambda m: m.state in ("confirmed", "waiting", "partially_available")):
            reserved = move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id, round=False)
            missing = move.product_qty - reserved
            if float_compare(missing, 0.0, precision_rounding=move.product_id.uom_id.rounding) > 0:
                warehouse = move.location_id.warehouse_id or move.warehouse_id
                shortages[(move.sale_line_id.order_id.id, move.product_id, warehouse)] += missing
        if shortages:
            self._add_supply_reasons(shortages, promise, reasons)
        self._add_backlog_reasons(moves, promise, now, reasons)
        for order in self.filtered(lambda o: o.distribution_blocked or o.credit_hold):
            reasons[order.id].append(("blocked", self.env._(
                "On hold (%(reason)s): nothing ships until it is released", reason=order._get_flow_hold_reason()
            )))
        rank = {code: index for index, (code, _label) in enumerate(RISK_REASONS)}
        return {order_id: sorted(found, key=lambda reason: rank[reason[0]]) for order_id, found in reasons.items()}

    def _add_supply_reasons(self, shortages, promise, reasons):
        products = self.env["product.product"].union(*(key[1] for key in shortages))
        warehouses = self.env["stock.warehouse"].union(*(key[2] for key in shortages))
        incoming = self.env["stock.move"].search([
            ("product_id", "in", products.ids),
            ("state", "not in", ("done", "cancel", "draft")),
            ("picking_code", "=", "incoming"),
            ("location_dest_id.warehouse_id", "in", warehouses.ids),
        ])
        supply = defaultdict(list)  # (product, warehouse) -> [(date, qty, vendor)]
        for move in incoming:
            vendor = move.purchase_line_id.order_id.partner_id.commercial_partner_id
            supply[(move.product_id, move.location_dest_id.warehouse_id)].append((move.date, move.product_qty, vendor))
        vendors = self.env["res.partner"].union(*(vendor for entries in supply.values() for _d, _q, vendor in entries))
        # The vendors' stored figures (distribution_replenishment), never the scorecard's live view.
        performance = {
            key: (stat.on_time_rate, stat.delay_days, stat.receipt_count)
            for key, stat in self.env["distribution.supplier.stat"]._get_figures(vendors, self.company_id).items()
        }
        orders = self.browse({key[0] for key in shortages})
        late_vendor_noted = set()
        for (order_id, product, warehouse), missing in shortages.items():
            order = orders.browse(order_id)
            date_promised = promise[order_id]
            in_time = [
                entry
                for entry in supply.get((product, warehouse), [])
                if not date_promised or entry[0] <= date_promised
            ]
            qty_in_time = sum(qty for _date, qty, _vendor in in_time)
            rounding = product.uom_id.rounding
            if float_compare(qty_in_time, missing, precision_rounding=rounding) < 0:
                values = {
                    "product": product.display_name, "missing": round(missing, 2), "uom": product.uom_id.name,
                    "warehouse": warehouse.name or "-", "incoming": round(qty_in_time, 2),
                    "date": format_date(self.env, date_promised) if date_promised else "-",
                }
                if float_is_zero(qty_in_time, precision_rounding=rounding):
                    text = self.env._(
                        "%(product)s: %(missing)s %(uom)s still missing in %(warehouse)s, and nothing arrives "
                        "before the promised %(date)s",
                        **values,
                    )
                else:
                    text = self.env._(
                        "%(product)s: %(missing)s %(uom)s still missing in %(warehouse)s, and only %(incoming)s "
                        "arrive before the promised %(date)s",
                        **values,
                    )
                reasons[order_id].append(("supply", text))
                continue
            company = order.company_id
            for date, _qty, vendor in in_time:
                if not vendor or (order_id, vendor.id) in late_vendor_noted:
                    continue
                on_time, delay, count = performance.get((company.id, vendor.id), (100.0, 0.0, 0))
                usually_late = count >= MIN_VENDOR_RECEIPTS and on_time < company.risk_vendor_on_time_min
                late_for_us = count >= MIN_VENDOR_RECEIPTS and date_promised and delay > 0 and (
                    date + timedelta(days=delay) > date_promised
                )
                if usually_late or late_for_us:
                    late_vendor_noted.add((order_id, vendor.id))
                    reasons[order_id].append(("vendor", self.env._(
                        "%(product)s comes from %(vendor)s, whose deliveries arrive on time %(on_time)s%% of the time "
                        "and %(delay)s days late on average",
                        product=product.display_name, vendor=vendor.display_name,
                        on_time=round(on_time), delay=round(delay, 1),
                    )))

    def _add_backlog_reasons(self, moves, promise, now, reasons):
        """The deliveries queued before the order's own (same operation type, earlier scheduled date)
        against how many that operation usually completes a day."""
        pickings = moves.picking_id.filtered(lambda p: p.state in ("confirmed", "waiting", "assigned"))
        if not pickings:
            return
        types = pickings.picking_type_id
        self.env["stock.picking"].flush_model(["state", "scheduled_date", "picking_type_id", "date_done"])
        self.env.cr.execute(
            """
            SELECT id, ahead
              FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY picking_type_id ORDER BY scheduled_date, id) - 1 AS ahead
                      FROM stock_picking
                     WHERE picking_type_id = ANY(%(types)s) AND state IN ('confirmed', 'waiting', 'assigned')) queue
             WHERE id = ANY(%(pickings)s)
            """,
            {"types": types.ids, "pickings": pickings.ids},
        )
        ahead = dict(self.env.cr.fetchall())
        window_start = {}
        for picking_type in types:
            window_start[picking_type.id] = now - timedelta(days=picking_type.company_id.risk_throughput_days)
        self.env.cr.execute(
            """
            SELECT picking_type_id, COUNT(*), COUNT(DISTINCT date_done::date)
              FROM stock_picking
             WHERE picking_type_id = ANY(%(types)s) AND state = 'done'
               AND date_done >= %(since)s AND date_done <= %(now)s
             GROUP BY picking_type_id
            """,
            {"types": types.ids, "since": min(window_start.values()), "now": now},
        )
        throughput = {
            type_id: count / days for type_id, count, days in self.env.cr.fetchall() if days >= MIN_THROUGHPUT_DAYS
        }
        noted = set()
        for picking in pickings:
            order = picking.sale_id
            per_day = throughput.get(picking.picking_type_id.id)
            date_promised = promise.get(order.id)
            if not order or order.id in noted or not per_day or not date_promised:
                continue
            days_needed = (ahead.get(picking.id, 0) + 1) / per_day
            # today counts when it is a working day: the warehouse still ships today
            days_left = working_days_between(now, date_promised) + (now.weekday() < 5 and now <= date_promised)
            if days_needed > days_left:
                noted.add(order.id)
                reasons[order.id].append(("backlog", self.env._(
                    "%(operation)s: %(ahead)s transfers wait before this one and about %(per_day)s are done a day, "
                    "so it needs about %(needed)s working days; %(left)s remain before the promised date",
                    operation=picking.picking_type_id.display_name, ahead=ahead.get(picking.id, 0),
                    per_day=round(per_day, 1), needed=round(days_needed, 1), left=days_left,
                )))

    # ------------------------------------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------------------------------------
    def _refresh_delivery_risk(self):
        """Check these orders' risk now and write it (``at_risk``, ``risk_score``, ``risk_codes``,
        ``risk_reasons``, ``risk_promise_date``, ``risk_first_flagged_at``, ``risk_checked_at``), then clear
        their ``risk_stale`` mark. A fixed number of queries whatever the number of orders (the reasons of all
        of them at once: ``_get_delivery_risk_reasons``). Idempotent: checked again, an order gets the same
        values, its first flag kept. Written as the system. Commits nothing: the crons commit between
        batches (``_cron_refresh_delivery_risk``, ``_cron_update_delivery_risk``).

        Extension point: a module adding a reason extends ``_get_delivery_risk_reasons``; one that keeps
        more risk facts on the order overrides this method and calls ``super()``."""
        orders = self.sudo().exists()
        if not orders:
            return self
        fields_to_compute = [orders._fields[name] for name in RISK_FIELDS]
        for field in fields_to_compute:
            self.env.add_to_compute(field, orders)
        orders._recompute_recordset(RISK_FIELDS)
        # Any change made earlier in this transaction marks first, then the mark is cleared.
        orders.flush_recordset([*RISK_FIELDS, "risk_stale"])
        self.env.cr.execute(SQL(
            "UPDATE %s SET risk_stale = FALSE WHERE id = ANY(%s) AND risk_stale",
            SQL.identifier(orders._table), orders.ids,
        ))
        orders.invalidate_recordset(["risk_stale"])
        return self

    @api.model
    def _get_delivery_risk_domain(self):
        """The orders that can be at risk or still show a reason: open ones (confirmed, goods still to
        deliver) and those a reason was found on (delivered or cancelled since: cleared at their next check)."""
        return Domain.OR([
            [("state", "=", "sale"), ("flow_state", "not in", ("shipped", "invoiced", "closed", "cancelled"))],
            [("risk_codes", "!=", False)],
        ])

    @api.model
    def _lock_orders_for_risk_refresh(self, domain, limit):
        """Up to ``limit`` orders of ``domain``, locked for this transaction (``FOR NO KEY UPDATE``) and
        skipping those another transaction holds (``SKIP LOCKED``): two cron runs (two cron workers, two
        servers, a manual run) never check the same order at once, and an order a user is changing right
        now is left to the next run (its change marks it again anyway). Lines, moves and events referring
        to a locked order can still be created meanwhile (the lock leaves the key alone)."""
        self.flush_model()
        query = self.sudo()._search(domain, order="id", limit=limit)
        self.env.cr.execute(SQL(
            "%s FOR NO KEY UPDATE OF %s SKIP LOCKED", query.select(), SQL.identifier(self._table)
        ))
        return self.sudo().browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _refresh_delivery_risk_in_batches(self, domain, batch_size=RISK_REFRESH_BATCH):
        """The crons' loop: lock a batch of ``domain`` (``_lock_orders_for_risk_refresh``), check it, commit
        (``ir.cron._commit_progress``), and again until none is left or the cron's time is up. A batch that
        fails to serialize beside a user's transaction is rolled back and taken again on a fresh snapshot,
        at most 3 times in a run; what is left waits for the next run. Returns the number of orders checked.

        It commits, even outside a cron (as ``_commit_progress`` does): code that must stay in its own
        transaction (data files, scripts, tests) calls ``_refresh_delivery_risk()`` on the orders instead."""
        Cron = self.env["ir.cron"]
        checked = failures = 0
        while True:
            try:
                orders = self._lock_orders_for_risk_refresh(domain, batch_size)
                orders._refresh_delivery_risk()
            except (OperationalError, ConcurrencyError) as error:
                self.env.cr.rollback()
                self.env.transaction.reset()
                failures += 1
                _logger.info("Orders at risk: a batch left to a fresh snapshot (%s)", error)
                if failures >= 3:
                    break
                continue
            if not orders:
                break
            checked += len(orders)
            remaining = self.sudo().search_count(domain) if len(orders) == batch_size else 0
            time_left = Cron._commit_progress(len(orders), remaining=remaining)
            if not remaining or not time_left:
                break
        return checked

    @api.model
    def _cron_refresh_delivery_risk(self):
        """Every 5 minutes: the orders whose own inputs changed since their last check (``risk_stale``: state,
        commitment, reservation, deliveries, holds), in committed batches."""
        return self._refresh_delivery_risk_in_batches([("risk_stale", "=", True)])

    @api.model
    def _cron_update_delivery_risk(self):
        """Hourly: what an order's own changes don't mark (supply arriving or moving, vendors' records, the
        queue before it, the clock) is read again for every order that can be at risk and was not checked in
        the last hour, in committed batches (a run cut short goes on where it stopped)."""
        checked_before = fields.Datetime.now() - RISK_FULL_PASS_AGE
        domain = Domain.AND([
            self._get_delivery_risk_domain(),
            Domain.OR([[("risk_checked_at", "=", False)], [("risk_checked_at", "<", checked_before)]]),
        ])
        return self._refresh_delivery_risk_in_batches(domain)

    @api.model
    def _cron_notify_orders_at_risk(self):
        """Daily: each salesperson gets a to-do on each of their orders newly at risk, with the
        reasons; to-dos of orders no longer at risk are closed. Running twice a day adds nothing."""
        activity_type = self.env.ref("distribution_kpi.mail_activity_type_order_at_risk")
        today = fields.Date.context_today(self)
        todos = self.env["mail.activity"].search([
            ("activity_type_id", "=", activity_type.id), ("res_model", "=", "sale.order"),
        ])
        still_at_risk = set(self.search([("id", "in", todos.mapped("res_id")), ("at_risk", "=", True)]).ids)
        cleared = todos.filtered(lambda activity: activity.res_id not in still_at_risk)
        if cleared:
            cleared.action_feedback(feedback=self.env._("No longer at risk."))
        # Orders at risk with no open to-do, not told today: found by their stored fields.
        with_todo = (todos - cleared).mapped("res_id")
        to_notify = self.search([
            ("at_risk", "=", True), ("user_id", "!=", False), ("risk_notified_on", "!=", today),
            ("id", "not in", with_todo),
        ])
        vals_list = []
        model_id = self.env["ir.model"]._get_id("sale.order")
        for order in to_notify:
            vals_list.append({
                "res_model_id": model_id,
                "res_id": order.id,
                "activity_type_id": activity_type.id,
                "user_id": order.user_id.id,
                "date_deadline": today,
                "summary": self.env._("At risk (score %(score)s)", score=order.risk_score),
                "note": Markup("<br/>").join((order.risk_reasons or "").split("\n")),
            })
        to_notify.write({"risk_notified_on": today})
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(vals_list)
        return True

    # --- The Sales home's counts (the dashboard over the quotations and orders lists) --------------------
    @api.model
    def _get_open_backorder_domain(self):
        """Orders with a delivery still open that a short validation left behind (a backorder)."""
        return [("picking_ids", "any", [
            ("backorder_id", "!=", False), ("picking_type_code", "=", "outgoing"),
            ("state", "not in", ("done", "cancel")),
        ])]

    @api.model
    def _get_home_exception_domain(self):
        return [("sale_order_id", "!=", False), ("state", "in", ("new", "in_progress", "waiting"))]

    @api.model
    def get_distribution_home_counts(self):
        """The counts a sales user finds over the quotations and orders lists: orders at risk, orders
        waiting on a backorder, and the open exceptions on orders by type, each as the user may see them
        (record rules and the user's companies apply: a salesperson seeing their own documents counts
        their own orders). One query per count and one grouped read for the exceptions."""
        tiles = [
            {"key": "at_risk", "label": self.env._("Orders at Risk"), "tone": "danger",
             "count": self.search_count([("at_risk", "=", True)])},
            {"key": "backorders", "label": self.env._("Waiting on a Backorder"),
             "count": self.search_count(self._get_open_backorder_domain()), "tone": "warning"},
        ]
        Exception_ = self.env["distribution.exception"]
        if Exception_.has_access("read"):
            groups = Exception_._read_group(self._get_home_exception_domain(), ["type_id"], ["__count"])
            for exception_type, count in groups:  # in the types' order
                tiles.append({"key": f"exception_{exception_type.id}", "label": exception_type.name, "count": count,
                              "tone": "info"})
        return tiles

    @api.model
    def action_open_distribution_home_count(self, key):
        """The list behind a count of ``get_distribution_home_counts`` (its ``key``)."""
        if key == "at_risk":
            return self.env["ir.actions.act_window"]._for_xml_id("distribution_kpi.sale_order_action_at_risk")
        if key == "backorders":
            action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
            action.update({
                "display_name": self.env._("Orders Waiting on a Backorder"),
                "domain": self._get_open_backorder_domain(),
                "context": {"create": False},
            })
            return action
        type_id = key.removeprefix("exception_") if isinstance(key, str) else ""
        exception_type = self.env["distribution.exception.type"].browse(int(type_id)) if type_id.isdigit() else None
        if not exception_type or not exception_type.exists():
            raise UserError(self.env._("The Sales home has no count named %(key)s.", key=key))
        action = self.env["ir.actions.act_window"]._for_xml_id("distribution_exceptions.distribution_exception_action")
        action.update({
            "display_name": self.env._("Open exceptions on orders: %(type)s", type=exception_type.name),
            "domain": self._get_home_exception_domain() + [("type_id", "=", exception_type.id)],
            "context": {"create": False},
        })
        return action

from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero, format_date

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
            "risk_notified_on", "kpi_date_created", "kpi_date_confirmed", "kpi_date_shipped", "kpi_date_invoiced",
        }

    at_risk = fields.Boolean(
        compute="_compute_delivery_risk",
        store=True,
        index=True,
        help="The open order may miss its promise date: its risk score reaches the company's threshold. "
        "Recomputed when its state, commitment, moves' states, deliveries or holds change, and hourly for "
        "the rest (incoming supply, vendors, warehouse backlog).",
    )
    risk_score = fields.Integer(
        compute="_compute_delivery_risk",
        store=True,
        aggregator="max",
        help="Sum of the weights (Sales settings) of the reasons found, at most 100.",
    )
    risk_codes = fields.Char(string="Risk Reason Codes", compute="_compute_delivery_risk", store=True)
    risk_reasons = fields.Text(compute="_compute_delivery_risk", store=True)
    risk_promise_date = fields.Datetime(
        string="Promised For",
        compute="_compute_delivery_risk",
        store=True,
        help="The date the risk is judged against: the commitment date, else Odoo's expected date.",
    )
    risk_first_flagged_at = fields.Datetime(
        string="First Flagged At Risk",
        compute="_compute_delivery_risk",
        store=True,
        copy=False,
        help="When the order was first found at risk (kept afterwards, for the back-test of the flag).",
    )
    risk_notified_on = fields.Date(copy=False, readonly=True)
    # The order's milestones for the KPIs, from its flow events (sale.order.flow.event._record_order_milestones).
    kpi_date_created = fields.Datetime(string="Created (flow)", readonly=True, copy=False)
    kpi_date_confirmed = fields.Datetime(string="Confirmed (flow)", readonly=True, copy=False, index="btree_not_null")
    kpi_date_shipped = fields.Datetime(string="Fully Shipped (flow)", readonly=True, copy=False, index="btree_not_null")
    kpi_date_invoiced = fields.Datetime(string="Invoiced (flow)", readonly=True, copy=False, index="btree_not_null")

    @api.depends(
        "state",
        "commitment_date",
        "date_order",
        "distribution_blocked",
        "credit_hold",
        "order_line.customer_lead",
        "order_line.qty_delivered",
        # Reservation shows in the moves' state; not their quantity, which every scan of a picker changes.
        "order_line.move_ids.state",
    )
    def _compute_delivery_risk(self):
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

    def _is_open_for_delivery_risk(self):
        """A confirmed order with goods still to deliver: the only ones that can miss a promise."""
        self.ensure_one()
        return self.state == "sale" and self._get_flow_shipping_state() != "shipped"

    def _get_risk_promise_date(self):
        self.ensure_one()
        return self.commitment_date or self.expected_date

    def _get_delivery_risk_reasons(self):
        """{order id: [(code, text)]} for open orders, in a fixed number of queries whatever their
        number: the pending first-step moves are read once, incoming supply once, the vendors'
        performance once per company and the warehouse queues in two SQL queries."""
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
        performance = {}
        for company in self.company_id:
            for vendor in vendors.with_company(company):
                performance[(company.id, vendor.id)] = (
                    vendor.supplier_on_time_rate, vendor.supplier_avg_delay_days, vendor.supplier_receipt_count
                )
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
    @api.model
    def _cron_update_delivery_risk(self):
        """Hourly: what an order's own changes don't trigger (supply arriving or moving, vendors'
        records, the queue before it, the clock) is re-read for every open order, in batches."""
        orders = self.search(
            [("state", "=", "sale"), ("flow_state", "not in", ("shipped", "invoiced", "closed", "cancelled"))]
        )
        orders |= self.search([("at_risk", "=", True)])  # shipped or cancelled since: clear the flag
        fields_to_compute = [
            self._fields[name]
            for name in (
                "at_risk",
                "risk_score",
                "risk_codes",
                "risk_reasons",
                "risk_promise_date",
                "risk_first_flagged_at",
            )
        ]
        for start in range(0, len(orders), 1000):
            batch = orders[start : start + 1000]
            for field in fields_to_compute:
                self.env.add_to_compute(field, batch)
            batch._recompute_recordset()
        return True

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

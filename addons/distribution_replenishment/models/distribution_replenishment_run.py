import logging
import math
import statistics
import time
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round

_logger = logging.getLogger(__name__)

OPEN_MOVE_STATES = ("waiting", "confirmed", "partially_available", "assigned")
RFQ_STATES = ("draft", "sent", "to approve")
MIN_SPIKE_HISTORY_WEEKS = 4


def _mean_stdev(values):
    """Mean and sample standard deviation (statistics.stdev's definition, without its exact-fraction
    arithmetic, which costs more than the rest of the plan)."""
    count = len(values)
    mean = sum(values) / count
    if count < 2:
        return mean, 0.0
    return mean, math.sqrt(sum((value - mean) ** 2 for value in values) / (count - 1))


class DistributionReplenishmentRun(models.Model):
    """One planning run: for every product x warehouse of the company (or the ones asked for), what is
    there, what comes in, what goes out, what will be sold over the horizon, and what to do about it:
    a transfer from another warehouse with surplus first, else a purchase from the preferred vendor.
    Executing a run creates the transfers and RFQs through Odoo's procurement (routes, rules, lead
    times and RFQ merging as in core)."""

    _name = "distribution.replenishment.run"
    _description = "Replenishment Run"
    _inherit = ["mail.thread", "distribution.system.fields.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: self.env._("New"))
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    user_id = fields.Many2one("res.users", string="Planner", default=lambda self: self.env.user, tracking=True)
    date = fields.Datetime(string="Planned On", readonly=True, copy=False)
    trigger = fields.Selection(
        [("manual", "Manual"), ("cron", "Scheduled"), ("order", "Short Sale Order")],
        required=True,
        default="manual",
        readonly=True,
    )
    sale_order_id = fields.Many2one(
        "sale.order", string="Sales Order", readonly=True, index="btree_not_null",
        help="The confirmation that could not be reserved and triggered this run.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("proposed", "Proposed"), ("done", "Executed"), ("cancel", "Cancelled")],
        required=True,
        default="draft",
        tracking=True,
        copy=False,
    )
    warehouse_ids = fields.Many2many(
        "stock.warehouse", string="Warehouses", check_company=True,
        help="Warehouses to plan; empty: every warehouse of the company.",
    )
    product_ids = fields.Many2many(
        "product.product", string="Products", domain="[('is_storable', '=', True)]",
        help="Products to plan; empty: every storable product with stock, demand or history.",
    )
    categ_ids = fields.Many2many("product.category", string="Product Categories")
    line_ids = fields.One2many("distribution.replenishment.line", "run_id", string="Proposals", copy=False)
    line_count = fields.Integer(compute="_compute_counts")
    transfer_count = fields.Integer(compute="_compute_counts")
    buy_count = fields.Integer(compute="_compute_counts")
    spike_count = fields.Integer(compute="_compute_counts")
    reference_id = fields.Many2one("stock.reference", readonly=True, copy=False)
    purchase_ids = fields.Many2many("purchase.order", compute="_compute_documents", string="RFQs")
    picking_ids = fields.Many2many("stock.picking", compute="_compute_documents", string="Transfers")
    purchase_count = fields.Integer(compute="_compute_documents")
    picking_count = fields.Integer(compute="_compute_documents")
    duration = fields.Float(string="Planning Time (s)", readonly=True, copy=False, digits=(16, 2))
    planned_pairs = fields.Integer(
        string="Product x Warehouse Planned", readonly=True, copy=False,
        help="Product x warehouse combinations the run looked at (stock, demand, incoming or history).",
    )

    @api.depends("line_ids.action", "line_ids.is_spike")
    def _compute_counts(self):
        groups = self.env["distribution.replenishment.line"]._read_group(
            [("run_id", "in", self.ids)], ["run_id", "action", "is_spike"], ["__count"]
        )
        counts = defaultdict(lambda: defaultdict(int))
        for run, action, is_spike, count in groups:
            counts[run]["all"] += count
            counts[run][action] += count
            if is_spike:
                counts[run]["spike"] += count
        for run in self:
            run.line_count = counts[run]["all"]
            run.transfer_count = counts[run]["transfer"]
            run.buy_count = counts[run]["buy"]
            run.spike_count = counts[run]["spike"]

    def _compute_documents(self):
        for run in self:
            reference = run.reference_id.sudo()
            run.purchase_ids = reference.purchase_ids.filtered(lambda po: po.state != "cancel")
            run.picking_ids = reference.move_ids.picking_id
            run.purchase_count = len(run.purchase_ids)
            run.picking_count = len(run.picking_ids)

    @api.model
    def _get_distribution_system_fields(self):
        # Where a run stands and what started it are the planner's: a buyer computes, executes and cancels
        # through the buttons, never by writing the state back (and executing twice).
        return super()._get_distribution_system_fields() | {
            "state", "date", "duration", "planned_pairs", "trigger", "sale_order_id", "reference_id",
        }

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("distribution.replenishment.run") or self.env._(
                    "New"
                )
        return super().create(vals_list)

    # ------------------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------------------
    def action_compute(self):
        for run in self:
            if run.state in ("done", "cancel"):
                raise UserError(
                    self.env._("Run %(run)s is %(state)s: start a new run to plan again.", run=run.name,
                               state=dict(run._fields["state"]._description_selection(self.env))[run.state])
                )
            run._compute_plan()
        return True

    def action_execute(self):
        for run in self:
            # Locked first, then checked: a second click, a second worker or the cron beside a buyer waits
            # for the first execution and then finds the run done (or, when the first committed after this
            # transaction started, fails to serialize and is retried on a fresh snapshot).
            run._lock_company_planning()
            run.invalidate_recordset(["state"])
            if run.state != "proposed":
                raise UserError(self.env._("Run %(run)s has no proposal to execute: compute it first (or it was "
                                           "executed meanwhile).", run=run.name))
            run.line_ids.filtered(lambda line: line.state == "proposed" and line.action != "none")._execute()
            run.sudo().state = "done"
        return True

    def action_cancel(self):
        done = self.filtered(lambda run: run.state == "done")
        if done:
            raise UserError(
                self.env._("Runs %(runs)s were executed: cancel their RFQs or transfers instead.",
                           runs=", ".join(done.mapped("name")))
            )
        self.sudo().write({"state": "cancel"})
        self.line_ids.filtered(lambda line: line.state == "proposed").sudo().write({"state": "skipped"})
        return True

    def action_view_purchases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("purchase.purchase_rfq")
        action["domain"] = [("id", "in", self.purchase_ids.ids)]
        return action

    def action_view_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("id", "in", self.picking_ids.ids)]
        return action

    # ------------------------------------------------------------------------------------------------
    # Planning
    # ------------------------------------------------------------------------------------------------
    def _lock_company_planning(self):
        """Serialize planning and execution per company on the company's row of
        distribution.replenishment.lock: a run computed while another executes waits for it to commit.
        Odoo's transactions are REPEATABLE READ, so a lock alone would leave the waiting run planning from
        its old snapshot (the other run's RFQs unseen): updating the row instead makes PostgreSQL refuse
        ("could not serialize access") a transaction whose snapshot predates the other's commit, and the
        caller's retry (Odoo's request retry, the cron's next run) plans again from a fresh snapshot, where
        the other run's RFQs and transfers are incoming."""
        self.ensure_one()
        self.env["distribution.replenishment.lock"]._acquire(self.company_id)

    def _plans_any_of(self, warehouses):
        """Whether this run proposes for any of ``warehouses`` (a run without warehouses plans them all)."""
        self.ensure_one()
        return not self.warehouse_ids or bool(self.warehouse_ids & warehouses)

    def _get_planning_warehouses(self):
        """Every warehouse of the company: sources of transfers and where demand is read."""
        return self.env["stock.warehouse"].search([("company_id", "=", self.company_id.id)])

    def _compute_plan(self):
        """Compute the run's proposals. Set-based: a fixed number of parameterised queries whatever the
        number of products (positions, incoming purchases, sales history, orderpoints, resupply routes),
        the arithmetic in Python, one ``create`` for the lines."""
        self.ensure_one()
        started = time.perf_counter()
        self._lock_company_planning()
        # The run's old proposals are replaced (buyers may not delete lines one by one).
        self.line_ids.sudo().unlink()
        company = self.company_id
        now = fields.Datetime.now()
        warehouses = self._get_planning_warehouses()
        targets = self.warehouse_ids or warehouses
        product_filter = self._get_product_filter_ids()
        positions = self._read_positions(warehouses, product_filter)
        history_weeks = self._get_history_weeks()
        history = self._read_history(warehouses, product_filter, now, weeks=history_weeks)
        keys = set(positions) | set(history)
        products = self.env["product.product"].with_company(company).browse(sorted({pid for pid, _wid in keys}))
        products = products.filtered(lambda p: p.is_storable and p.active)
        product_by_id = {product.id: product for product in products}
        orderpoints = self._read_orderpoints(warehouses, products)
        routes = self._read_resupply_routes(warehouses)
        sellers = self._select_vendors(products)
        observed = deteriorated = {}
        if sellers:
            Performance = self.env["distribution.supplier.performance"].sudo()
            pairs = {(seller.partner_id.commercial_partner_id, product) for product, seller in sellers.items()}
            if company.replenishment_use_observed_lead_time:
                observed = Performance._get_observed_lead_days(pairs, company)
            deteriorated = Performance._get_deteriorated_lead_days(pairs, company)
        weeks = max(math.ceil(company.replenishment_history_days / 7), 1)
        prepared = self._prepare_forecasts(history, product_by_id, weeks)
        plans = {}
        for (product_id, warehouse_id) in keys:
            product = product_by_id.get(product_id)
            warehouse = warehouses.browse(warehouse_id)
            if not product:
                continue
            seller = sellers.get(product)
            lead_days = self._get_lead_days(product, seller, observed, deteriorated)
            # The company's history window; forecasting by demand class reads longer (_get_history_weeks).
            weekly = history.get((product_id, warehouse_id), [0.0] * history_weeks)[:weeks]
            plans[(product, warehouse)] = self._plan_position(
                company, positions.get((product_id, warehouse_id), {}), weekly, lead_days,
                forecaster=prepared and (
                    lambda horizon, product=product, wid=warehouse_id: self._forecast_position(
                        prepared, product, wid, horizon)
                ),
            )
            plans[(product, warehouse)]["lead_days"] = lead_days
        self.sudo().planned_pairs = len(plans)
        vals_list = self._propose(plans, targets, orderpoints, routes, sellers, now)
        lines = self.env["distribution.replenishment.line"].sudo().create(vals_list).sudo(False)
        self._store_forecasts(plans, now)
        self.sudo().write({"state": "proposed", "date": now, "duration": time.perf_counter() - started})
        if self.trigger == "cron":
            # The nightly plan run again the same night (by hand, or retried) supersedes the earlier
            # proposal for the same warehouses instead of leaving two for the same need.
            older = self.search([("company_id", "=", company.id), ("trigger", "=", "cron"),
                                 ("state", "=", "proposed"), ("id", "!=", self.id)])
            older = older.filtered(lambda run: run._plans_any_of(targets))
            if older:
                older.action_cancel()
                self.message_post(body=self.env._("Supersedes %(runs)s.", runs=", ".join(older.mapped("name"))))
        lines.filtered("is_spike")._notify_spikes()
        _logger.info("%s planned %s product x warehouse pairs into %s proposals in %.2f s", self.name,
                     len(plans), len(lines), self.duration)
        return lines

    def _get_product_filter_ids(self):
        """Product ids the run is restricted to (products and categories), or None for all."""
        if not self.product_ids and not self.categ_ids:
            return None
        domain = [("is_storable", "=", True)]
        if self.product_ids:
            domain.append(("id", "in", self.product_ids.ids))
        if self.categ_ids:
            domain.append(("categ_id", "child_of", self.categ_ids.ids))
        return self.env["product.product"].search(domain).ids

    def _read_positions(self, warehouses, product_ids):
        """{(product id, warehouse id): {on_hand, reserved, incoming, demand}}, in the product's unit.
        Incoming: open moves into the warehouse from outside it (receipts, transfers in) and quantities
        of RFQs not confirmed yet. Demand: open moves out of the warehouse (deliveries, transfers out).
        Three queries."""
        self.env["stock.quant"].flush_model(["product_id", "location_id", "quantity", "reserved_quantity"])
        self.env["stock.move"].flush_model(
            ["product_id", "location_id", "location_dest_id", "state", "product_qty", "company_id", "date"]
        )
        self.env["stock.location"].flush_model(["warehouse_id", "usage"])
        self.env["purchase.order.line"].flush_model(["product_id", "product_uom_qty", "order_id", "display_type"])
        self.env["purchase.order"].flush_model(["state", "picking_type_id", "company_id"])
        params = {"warehouses": warehouses.ids, "products": product_ids, "company": self.company_id.id,
                  "open": list(OPEN_MOVE_STATES), "rfq": list(RFQ_STATES)}
        product_clause = "AND {alias}.product_id = ANY(%(products)s)" if product_ids is not None else ""
        positions = defaultdict(lambda: defaultdict(float))
        cr = self.env.cr
        cr.execute(
            f"""
            SELECT quant.product_id, location.warehouse_id, SUM(quant.quantity), SUM(quant.reserved_quantity)
              FROM stock_quant quant
              JOIN stock_location location ON location.id = quant.location_id
             WHERE location.usage = 'internal' AND location.warehouse_id = ANY(%(warehouses)s)
                   {product_clause.format(alias="quant")}
             GROUP BY quant.product_id, location.warehouse_id
            """,
            params,
        )
        for product_id, warehouse_id, quantity, reserved in cr.fetchall():
            positions[(product_id, warehouse_id)]["on_hand"] += quantity
            positions[(product_id, warehouse_id)]["reserved"] += reserved
        cr.execute(
            f"""
            SELECT move.product_id, source.warehouse_id, dest.warehouse_id, SUM(move.product_qty)
              FROM stock_move move
              JOIN stock_location source ON source.id = move.location_id
              JOIN stock_location dest ON dest.id = move.location_dest_id
             WHERE move.state = ANY(%(open)s) AND move.company_id = %(company)s
               AND (source.warehouse_id = ANY(%(warehouses)s) OR dest.warehouse_id = ANY(%(warehouses)s))
               AND source.warehouse_id IS DISTINCT FROM dest.warehouse_id
                   {product_clause.format(alias="move")}
             GROUP BY move.product_id, source.warehouse_id, dest.warehouse_id
            """,
            params,
        )
        warehouse_ids = set(warehouses.ids)
        for product_id, source_wh, dest_wh, quantity in cr.fetchall():
            if dest_wh in warehouse_ids:
                positions[(product_id, dest_wh)]["incoming"] += quantity
            if source_wh in warehouse_ids:
                positions[(product_id, source_wh)]["demand"] += quantity
        cr.execute(
            f"""
            SELECT line.product_id, picking_type.warehouse_id, SUM(line.product_uom_qty)
              FROM purchase_order_line line
              JOIN purchase_order po ON po.id = line.order_id
              JOIN stock_picking_type picking_type ON picking_type.id = po.picking_type_id
             WHERE po.state = ANY(%(rfq)s) AND po.company_id = %(company)s AND line.display_type IS NULL
               AND picking_type.warehouse_id = ANY(%(warehouses)s)
                   {product_clause.format(alias="line")}
             GROUP BY line.product_id, picking_type.warehouse_id
            """,
            params,
        )
        for product_id, warehouse_id, quantity in cr.fetchall():
            positions[(product_id, warehouse_id)]["incoming"] += quantity
        return positions

    def _read_history(self, warehouses, product_ids, now, weeks=None):
        """{(product id, warehouse id): [quantity delivered to customers per week, most recent first]}
        over the last ``weeks`` weeks (default: the company's sales history). One query."""
        self.env["stock.move"].flush_model(
            ["product_id", "location_id", "location_dest_id", "state", "product_qty", "date"]
        )
        weeks = weeks or max(math.ceil(self.company_id.replenishment_history_days / 7), 1)
        since = now - timedelta(days=weeks * 7)
        product_clause = "AND move.product_id = ANY(%(products)s)" if product_ids is not None else ""
        self.env.cr.execute(
            f"""
            SELECT move.product_id, source.warehouse_id,
                   LEAST(FLOOR(EXTRACT(EPOCH FROM (%(now)s - move.date)) / 604800)::int, %(last)s) AS week,
                   SUM(move.product_qty)
              FROM stock_move move
              JOIN stock_location source ON source.id = move.location_id
              JOIN stock_location dest ON dest.id = move.location_dest_id
             WHERE move.state = 'done' AND dest.usage = 'customer' AND move.company_id = %(company)s
               AND move.date >= %(since)s AND move.date <= %(now)s
               AND source.warehouse_id = ANY(%(warehouses)s)
                   {product_clause}
             GROUP BY 1, 2, 3
            """,
            {"now": now, "since": since, "last": weeks - 1, "warehouses": warehouses.ids,
             "company": self.company_id.id, "products": product_ids},
        )
        history = {}
        for product_id, warehouse_id, week, quantity in self.env.cr.fetchall():
            history.setdefault((product_id, warehouse_id), [0.0] * weeks)[week] += quantity
        return history

    def _read_orderpoints(self, warehouses, products):
        """{(product, warehouse): orderpoint} of the reordering rules that own a need: Odoo's scheduler or
        its Replenishment report acts on them, so the planner leaves them alone (never plans twice)."""
        orderpoints = self.env["stock.warehouse.orderpoint"].search(
            [
                ("warehouse_id", "in", warehouses.ids),
                ("product_id", "in", products.ids),
                "|", ("trigger", "=", "auto"), "|", ("product_min_qty", ">", 0), ("product_max_qty", ">", 0),
            ]
        )
        return {(orderpoint.product_id, orderpoint.warehouse_id): orderpoint for orderpoint in orderpoints}

    def _read_resupply_routes(self, warehouses):
        """{(supplied warehouse, supplying warehouse): route} of the inter-warehouse resupply routes."""
        routes = self.env["stock.route"].search(
            [("supplied_wh_id", "in", warehouses.ids), ("supplier_wh_id", "in", warehouses.ids)]
        )
        return {(route.supplied_wh_id, route.supplier_wh_id): route for route in routes}

    def _select_vendors(self, products):
        """{product: supplierinfo} of the preferred vendor of each product (Odoo's vendor selection,
        minimum quantities applied afterwards by the planner)."""
        today = fields.Date.context_today(self)
        sellers = {}
        for product in products:
            seller = product._select_seller(quantity=None, date=today, uom_id=product.uom_id)
            if seller:
                sellers[product] = seller
        return sellers

    def _get_lead_days(self, product, seller, observed, deteriorated=None):
        """Days between ordering and receiving: the vendor pricelist's delay, or the lead time the
        vendor actually achieved (setting), whichever the company plans with; and whatever the setting,
        when the vendor's lead time is deteriorating (``distribution.supplier.performance.lead_deteriorating``),
        its recent lead time where that is longer: the longer of the product's own over its last receipts
        from the vendor and the promised delay plus the vendor's recent average delay (all its products)."""
        if not seller:
            return 0.0
        vendor = seller.partner_id.commercial_partner_id
        promised = float(seller.delay)
        lead = promised
        achieved = observed.get((vendor, product))
        if achieved is not None and achieved > 0:
            lead = achieved
        worse = (deteriorated or {}).get((vendor, product))
        if worse:
            lead = max(lead, worse["lead"] or 0.0, promised + (worse["delay"] or 0.0))
        return lead

    @api.model
    def _forecast_daily_rate(self, company, weekly):
        """Average daily demand from weekly quantities (most recent first): a moving average over the
        whole history, or an exponential smoothing of the weeks (oldest first) with the company's
        factor."""
        if company.replenishment_forecast_method == "exponential_smoothing":
            alpha = company.replenishment_smoothing_alpha
            chronological = list(reversed(weekly))
            level = chronological[0]
            for quantity in chronological[1:]:
                level = alpha * quantity + (1 - alpha) * level
            return level / 7.0
        return sum(weekly) / (7.0 * len(weekly))

    @api.model
    def _safety_stock(self, company, daily_rate, weekly, horizon_days):
        if company.replenishment_safety_method == "service_level":
            if len(weekly) < 2:
                return 0.0
            daily_std = _mean_stdev(weekly)[1] / math.sqrt(7.0)
            z_value = statistics.NormalDist().inv_cdf(company.replenishment_service_level / 100.0)
            return max(z_value, 0.0) * daily_std * math.sqrt(max(horizon_days, 0.0))
        return daily_rate * company.replenishment_safety_days

    @api.model
    def _spike_zscore(self, weekly):
        """z-score of the last week's demand against the weeks before it (None when the history is too
        short to judge)."""
        previous = weekly[1:]
        if len(previous) < MIN_SPIKE_HISTORY_WEEKS:
            return None
        mean, deviation = _mean_stdev(previous)
        if deviation == 0:
            return math.inf if weekly[0] > mean else 0.0
        return (weekly[0] - mean) / deviation

    @api.model
    def _is_demand_spike(self, company, plan):
        """Whether a position's last week is a demand spike: its z-score at or above the threshold. Forecasting
        by demand class flags drops too (distribution_replenishment_forecast.py)."""
        return plan["zscore"] is not None and plan["zscore"] >= company.replenishment_spike_zscore

    def _plan_position(self, company, position, weekly, lead_days, forecaster=None):
        """The figures of one product x warehouse (see the module readme for the formulas). ``forecaster``:
        a function of the horizon (days) giving the forecast by demand class, or None to use the company's
        moving average or exponential smoothing (see distribution_replenishment_forecast.py)."""
        horizon = company._get_replenishment_horizon_days(lead_days)
        forecast_info = forecaster(horizon) if forecaster else None
        if forecast_info:
            forecast = forecast_info["total"]
            daily_rate = forecast / horizon if horizon else forecast_info["rate"] / 7.0
            safety = self._forecast_safety_stock(company, forecast_info, daily_rate, weekly, horizon)
        else:
            daily_rate = self._forecast_daily_rate(company, weekly)
            forecast = daily_rate * horizon
            safety = self._safety_stock(company, daily_rate, weekly, horizon)
        on_hand = position.get("on_hand", 0.0)
        incoming = position.get("incoming", 0.0)
        demand = position.get("demand", 0.0)
        # Confirmed orders consume the forecast: the horizon's demand is the larger of the two.
        requirement = max(demand, forecast) + safety
        net = max(requirement - on_hand - incoming, 0.0)
        # What this warehouse could give away now without failing its own orders and forecast.
        surplus = on_hand - demand - max(forecast - demand, 0.0) - safety
        return {
            "on_hand": on_hand,
            "reserved": position.get("reserved", 0.0),
            "incoming": incoming,
            "demand": demand,
            "daily_rate": daily_rate,
            "forecast": forecast,
            "safety": safety,
            "net": net,
            "surplus": max(surplus, 0.0),
            "zscore": forecast_info["spike"] if forecast_info else self._spike_zscore(weekly),
            "last_week": weekly[0] if weekly else 0.0,
            "forecast_info": forecast_info,
        }

    def _propose(self, plans, targets, orderpoints, routes, sellers, now):
        """Lines for the target warehouses that need something: transfers from surplus first, then a
        purchase for the rest; spikes are listed even without a need."""
        company = self.company_id
        surplus = {key: plan["surplus"] for key, plan in plans.items()}
        warehouses_by_product = defaultdict(list)
        for product, warehouse in plans:
            warehouses_by_product[product].append(warehouse)
        vals_list = []
        for (product, warehouse), plan in sorted(plans.items(), key=lambda item: (item[0][0].id, item[0][1].id)):
            if warehouse not in targets:
                continue
            rounding = product.uom_id.rounding
            net = float_round(plan["net"], precision_rounding=rounding, rounding_method="UP")
            zscore = plan["zscore"]
            is_spike = self._is_demand_spike(company, plan)
            if net <= 0 and not is_spike:
                continue
            common = {
                "run_id": self.id,
                "company_id": company.id,
                "product_id": product.id,
                "warehouse_id": warehouse.id,
                "qty_on_hand": plan["on_hand"],
                "qty_reserved": plan["reserved"],
                "qty_incoming": plan["incoming"],
                "qty_demand": plan["demand"],
                "qty_forecast": plan["forecast"],
                "qty_safety": plan["safety"],
                "qty_net": net,
                "daily_demand": plan["daily_rate"],
                "lead_days": plan["lead_days"],
                "is_spike": is_spike,
                "spike_zscore": max(min(zscore, 999.0), -999.0) if zscore is not None else 0.0,
                "last_week_demand": plan["last_week"],
                **self._get_forecast_line_vals(plan),
            }
            orderpoint = orderpoints.get((product, warehouse))
            if orderpoint:
                vals_list.append(dict(common, action="none", orderpoint_id=orderpoint.id, qty_to_order=0.0,
                                      note=self.env._("Reordering rule %(rule)s plans this product here.",
                                                      rule=orderpoint.name)))
                continue
            if net <= 0:
                vals_list.append(dict(common, action="none", qty_to_order=0.0,
                                      note=self.env._("Demand spike: stock and incoming still cover the horizon.")))
                continue
            remaining = net
            # 1. Transfers from warehouses with surplus beyond their own needs, largest surplus first.
            sources = sorted(
                (w for w in warehouses_by_product[product] if w != warehouse and (warehouse, w) in routes),
                key=lambda w: (-surplus[(product, w)], w.id),
            )
            for source in sources:
                if remaining <= 0:
                    break
                available = float_round(surplus[(product, source)], precision_rounding=rounding, rounding_method="DOWN")
                quantity = min(remaining, available)
                if quantity <= 0:
                    continue
                surplus[(product, source)] -= quantity
                remaining -= quantity
                vals_list.append(dict(common, action="transfer", source_warehouse_id=source.id, qty_to_order=quantity,
                                      route_id=routes[(warehouse, source)].id,
                                      date_planned=now))
                common = dict(common, is_spike=False)  # flag the spike once
            if remaining <= 0:
                continue
            # 2. Purchase the rest from the preferred vendor: its minimum and its purchase unit.
            seller = sellers.get(product)
            if not seller:
                vals_list.append(dict(common, action="none", qty_to_order=remaining, no_vendor=True,
                                      note=self.env._("No vendor on the product: buy it by hand or add a vendor.")))
                continue
            quantity = self._round_to_vendor(product, seller, remaining)
            vals_list.append(
                dict(
                    common,
                    action="buy",
                    vendor_id=seller.partner_id.id,
                    supplierinfo_id=seller.id,
                    qty_to_order=quantity,
                    date_planned=now + timedelta(days=math.ceil(plan["lead_days"])),
                )
            )
        return vals_list

    @api.model
    def _round_to_vendor(self, product, seller, quantity):
        """``quantity`` (product unit) raised to the vendor's minimum, then up to a whole number of the
        vendor's purchase unit (a box of 10, a drum of 100 m)."""
        purchase_uom = seller.product_uom_id or product.uom_id
        in_purchase_uom = product.uom_id._compute_quantity(quantity, purchase_uom, round=False)
        in_purchase_uom = max(in_purchase_uom, seller.min_qty or 0.0)
        if purchase_uom != product.uom_id:
            in_purchase_uom = math.ceil(round(in_purchase_uom, 6))
        else:
            in_purchase_uom = float_round(
                in_purchase_uom, precision_rounding=purchase_uom.rounding, rounding_method="UP"
            )
        return purchase_uom._compute_quantity(in_purchase_uom, product.uom_id, round=False)

    # ------------------------------------------------------------------------------------------------
    # Scheduled and demand-linked runs
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _cron_plan(self):
        """Nightly: queue one planning job per warehouse of each company (channel root.distribution.planning),
        so that a large company's plan is split in pieces that each fit a job's time limit, and a failure
        in one warehouse leaves the others planned. Each job is queued once a day: queuing the night's jobs
        again (the cron run by hand, retried) adds none while they wait (identity key)."""
        date = fields.Date.to_string(fields.Date.context_today(self))
        warehouses = self.env["stock.warehouse"].sudo().search([], order="company_id, id")
        for warehouse in warehouses:
            self._enqueue_plan_warehouse(warehouse, date)
        return warehouses

    @api.model
    def _enqueue_plan_warehouse(self, warehouse, date):
        """Queue the nightly planning of ``warehouse`` for ``date`` (a date string), in its company."""
        company = warehouse.company_id
        return (
            self.sudo()
            .with_company(company)
            .with_delay(
                description=self.env._("Nightly replenishment of %(warehouse)s (%(date)s)",
                                       warehouse=warehouse.name, date=date),
                identity_key=f"distribution_replenishment_plan:{company.id}:{warehouse.id}:{date}",
            )
            ._job_plan_warehouse(warehouse, date)
        )

    @api.model
    def _job_plan_warehouse(self, warehouse, date):
        """Job: the nightly run of one warehouse (its proposals; every warehouse of the company is read as a
        source of transfers), executed at once when the company says so (Purchase settings). Plans of one
        company serialize on its lock row (``_lock_company_planning``); the run supersedes the earlier
        nightly proposal for that warehouse. ``date``: the night it was queued for (part of its identity)."""
        company = warehouse.company_id
        run = self.sudo().with_company(company).create(
            {"company_id": company.id, "trigger": "cron", "warehouse_ids": [(6, 0, warehouse.ids)]}
        )
        run._compute_plan()
        if company.replenishment_auto_execute and run.line_ids.filtered(lambda line: line.action != "none"):
            run.action_execute()
        return run

    @api.model
    def _plan_shortfall(self, order, products):
        """A confirmed order could not be reserved: plan its products in its warehouse now, propose or
        create the replenishment (company setting), linked to the order.

        Runs as the system, on purpose: whoever confirmed the order (a salesperson, a customer signing or
        paying online, an import) has no rights on replenishment, which is the buyers' planning, and must
        not get them. What they can do with it is nothing beyond confirming: the run plans only this
        order's unreserved products in its company and warehouse, records who and which order triggered
        it (``user_id``, ``sale_order_id``, both system-written), and with the company's "create" setting
        creates RFQs and transfers through procurement, as the nightly run would. The run is returned as
        the system (to note it on the order's chatter); callers must not hand it to the user."""
        company = order.company_id
        if company.replenishment_order_trigger == "none" or not products:
            return self.browse()
        # As the system: see the docstring (the triggering user has no access to runs).
        run = self.sudo().with_company(company).create(
            {
                "company_id": company.id,
                "trigger": "order",
                "sale_order_id": order.id,
                "warehouse_ids": [(6, 0, order.warehouse_id.ids)],
                "product_ids": [(6, 0, products.ids)],
                "user_id": self.env.user.id,
            }
        )
        run._compute_plan()
        if company.replenishment_order_trigger == "create" and run.line_ids.filtered(
            lambda line: line.action != "none"
        ):
            run.action_execute()
        return run


class DistributionReplenishmentLock(models.Model):
    """One row per company, updated by every planning and execution of that company's replenishment
    (see DistributionReplenishmentRun._lock_company_planning). Holds nothing else."""

    _name = "distribution.replenishment.lock"
    _description = "Replenishment Planning Lock"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    locked_on = fields.Datetime()

    _company_uniq = models.UniqueIndex("(company_id)")

    @api.model
    def _acquire(self, company):
        cr = self.env.cr
        # A serialization failure here is expected under concurrency and retried by the caller: not logged
        # as a bad query.
        cr.execute(
            "UPDATE distribution_replenishment_lock SET locked_on = now() at time zone 'UTC' WHERE company_id = %s",
            [company.id],
            log_exceptions=False,
        )
        if not cr.rowcount:
            # The company's first planning: its row is created (a concurrent first planning waits on the
            # unique index, then fails to serialize and is retried).
            cr.execute(
                "INSERT INTO distribution_replenishment_lock (company_id, locked_on) "
                "VALUES (%s, now() at time zone 'UTC') "
                "ON CONFLICT (company_id) DO UPDATE SET locked_on = EXCLUDED.locked_on",
                [company.id],
                log_exceptions=False,
            )

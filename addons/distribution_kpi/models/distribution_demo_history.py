"""Demo data only: six months of the demo distributor's past business, played through the suite's own
flows under a frozen clock, so that the KPIs, the supplier scorecard, the planner's forecasts and the
orders at risk have a past on the first open of a demo database."""

import logging
import math
import random
import time as timer
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

_logger = logging.getLogger(__name__)

# The parameter that says the history was played: the player runs once per database.
PLAYED_PARAM = "distribution_kpi.demo_history_played"

# Demand shapes of the demo products (xml ids in distribution_order_flow): (units per order, shape).
# steady: every week alike; seasonal: lighting that peaks mid-history; intermittent: a few large
# orders; spike: steady, then four times as much in the last two weeks.
PRODUCT_DEMAND = {
    "product_wire_15_blue_demo": (150, "steady"),
    "product_nym_3g15_demo": (100, "steady"),
    "product_cat6_utp_demo": (80, "steady"),
    "product_mcb_b10_demo": (12, "steady"),
    "product_mcb_b16_demo": (12, "steady"),
    "product_rcd_40_30_demo": (4, "steady"),
    "product_switch_1g1w_demo": (20, "steady"),
    "product_led_a60_9w_demo": (24, "steady"),
    "product_led_batten_1500_demo": (8, "seasonal"),
    "product_led_flood_50w_demo": (5, "seasonal"),
    "product_led_downlight_12w_demo": (10, "seasonal"),
    "product_led_highbay_150w_demo": (6, "intermittent"),
    "product_fuse_nh00_63_demo": (10, "intermittent"),
    "product_led_gu10_5w_demo": (20, "spike"),
}

# The demo customers and how often they order (weights), and how they pay: days after the due date
# (negative: early), drawn between the two bounds. Within the company's 15 days of grace: late payers
# are late, not held.
CUSTOMERS = {
    "res_partner_sparkline_demo": (5, (-3, 2)),
    "res_partner_northgate_demo": (4, (0, 4)),
    "res_partner_summit_power_demo": (3, (2, 10)),
    "res_partner_delta_wiring_demo": (3, (-5, 0)),
    "res_partner_brighthome_demo": (3, (-10, 0)),
    "res_partner_homebuild_demo": (2, (0, 6)),
    "res_partner_valleymart_demo": (2, (-2, 3)),
    "res_partner_corner_electric_demo": (4, (0, 3)),
    "res_partner_westside_hardware_demo": (2, (3, 12)),
    "res_partner_pioneer_electrical_demo": (2, (-2, 2)),
}

# The demo's customer class invoiced by a fortnightly statement (distribution_kpi's demo data).
TRADE_ACCOUNT = "TRADE"

# Vendors' reliability: chance that a receipt is late, and by how many days (bounds).
VENDOR_RELIABILITY = {
    "res_partner_helix_cable_demo": (0.05, (1, 2)),
    "res_partner_pacific_supply_demo": (0.15, (1, 3)),
    "res_partner_lumenor_lighting_demo": (0.3, (1, 4)),
    "res_partner_ampera_protection_demo": (0.55, (2, 8)),
}


class DistributionDemoHistory(models.AbstractModel):
    """The history player: about 26 weeks of the demo company's business in its main warehouse, played
    day by day under a frozen clock with a seeded random generator, by the demo users through the same
    methods the web client calls (orders confirmed by the salesperson and approved by a sales manager,
    purchases, receipts, deliveries with short picks and backorders, invoices on delivery and by the
    billing clerk, payments, returns, claims) and the crons as they run. The same figures on every
    install: nothing depends on the wall clock but today, the end of the history."""

    _name = "distribution.demo.history"
    _description = "Distribution Demo History Player"

    _seed = 20260601
    _weeks = 26
    # Days of the week the business is played (Monday=0), the first one running the weekly crons and the
    # billing clerk's invoicing: every working day would more than double the install time.
    _acting_weekdays = (0, 3)
    # Orders taken on an acting day (bounds) and lines per order.
    _orders_per_day = (1, 2)
    _lines_per_order = (1, 3)

    @api.model
    def _play_demo_history(self):
        """Play the history once per database (a second call does nothing and returns False). Demo data's
        (loaded as the superuser) or an administrator's: it writes as the demo users."""
        if not self.env.is_superuser() and not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._(
                "%(user)s cannot play the demo history: only an administrator can.", user=self.env.user.name
            ))
        params = self.env["ir.config_parameter"].sudo()
        if params.get_param(PLAYED_PARAM):
            return False
        company = self.env.ref("base.main_company")
        warehouse = self.env.ref("stock.warehouse0")
        if warehouse.company_id != company:
            raise UserError(self.env._(
                "The demo history plays in the main warehouse of %(company)s: %(warehouse)s belongs to "
                "another company.", company=company.name, warehouse=warehouse.name,
            ))
        started = timer.perf_counter()
        player = _Player(self.env, random.Random(self._seed), warehouse, self)
        player.play()
        params.set_param(PLAYED_PARAM, fields.Date.to_string(fields.Date.context_today(self)))
        _logger.info("Demo history: %s orders over %s weeks played in %.0f s", len(player.orders), self._weeks,
                     timer.perf_counter() - started)
        return True


class _Player:
    """One play of the history: the world (users, customers, products, vendors) and what each of them
    does on a day."""

    def __init__(self, env, rng, warehouse, history):
        self.env, self.rng, self.warehouse, self.history = env, rng, warehouse, history
        ref = env.ref
        self.salesperson = ref("base.user_demo")
        self.sales_manager = ref("distribution_order_flow.res_users_sales_manager_demo")
        self.admin = ref("base.user_admin")  # buyer, warehouse, billing and credit control at Voltline
        self.team = ref("sales_team.team_sales_department")
        self.customers = [(ref(f"distribution_order_flow.{xmlid}"), weight, payment)
                          for xmlid, (weight, payment) in CUSTOMERS.items()]
        self.products = [(ref(f"distribution_order_flow.{xmlid}"), size, shape)
                         for xmlid, (size, shape) in PRODUCT_DEMAND.items()]
        self.reliability = {ref(f"distribution_order_flow.{xmlid}"): value
                            for xmlid, value in VENDOR_RELIABILITY.items()}
        today = fields.Date.context_today(history)
        # Monday of the week ``weeks`` weeks ago: the last week played is the one before this one.
        self.start = datetime.combine(today - timedelta(days=today.weekday() + 7 * history._weeks), time.min)
        self.days = (today - self.start.date()).days
        self.orders = env["sale.order"]
        self.pickings = env["stock.picking"]  # the deliveries of the history, the ones the warehouse ships
        self.arrivals = {}  # purchase -> day its goods arrive
        self.payments = {}  # invoice or credit note -> day it is paid
        self.kept_credit_notes = env["account.move"]  # credit notes the customers keep open
        self.refund_rng = random.Random(history._seed + 1)
        self.resolutions = {}  # exception -> day it is resolved
        self.stock_level = None  # product -> free stock when the history began, what the buyer keeps

    def next_acting_day(self, day):
        while self.at(day, 0).weekday() not in self.history._acting_weekdays:
            day += 1
        return day

    def at(self, day, hour):
        return self.start + timedelta(days=day, hours=hour)

    def clock(self, day, hour):
        from freezegun import freeze_time

        return FrozenClock(self.env, freeze_time(self.at(day, hour)))

    # --- the days ------------------------------------------------------------------------------------
    def play(self):
        acting = self.history._acting_weekdays
        for day in range(self.days):
            weekday = self.at(day, 0).weekday()
            if weekday not in acting:
                continue
            week = day // 7
            with self.clock(day, 8):
                self.receive_due(day)
                if weekday == acting[0]:
                    self.invoice_orders(day, week)
                self.check_changed_orders()
            with self.clock(day, 9):
                self.take_orders(day, week)
                self.buy(day, week)
                self.check_changed_orders()
            with self.clock(day, 15):
                self.ship(day)
                self.check_changed_orders()
            with self.clock(day, 17):
                if weekday == acting[-1] and week % 4 == 1:
                    self.return_goods(day)
                self.register_payments(day)
                self.resolve_exceptions(day)
                if weekday == acting[0]:
                    if week % 3 == 2:
                        self.raise_claim(day)
                    self.run_crons()
                self.check_changed_orders()
        with self.clock(self.days - 1, 18):
            self.run_crons()
            self.check_changed_orders()
        # Planned now, on the clock the buyer reads it with (its planning time is a real one).
        self.replan()

    # --- sales ---------------------------------------------------------------------------------------
    def demand(self, size, shape, week):
        """Units of a product on one order line in ``week`` of the history."""
        weeks = self.history._weeks
        if shape == "seasonal":
            factor = 0.4 + 1.2 * math.sin(math.pi * week / weeks) ** 2
        elif shape == "spike":
            factor = 4.0 if week >= weeks - 2 else 1.0
        else:
            factor = 1.0
        return max(1, round(size * factor * self.rng.uniform(0.6, 1.4)))

    def pick_products(self, week):
        """The products of one order: intermittent ones come up rarely, spiking ones often at the end."""
        weighted = []
        for product, size, shape in self.products:
            weight = {"steady": 4, "seasonal": 3, "intermittent": 1, "spike": 3}[shape]
            if shape == "spike" and week >= self.history._weeks - 2:
                weight = 12
            weighted.append(((product, size, shape), weight))
        count = self.rng.randint(*self.history._lines_per_order)
        chosen = []
        while len(chosen) < count:
            item = self.rng.choices([item for item, _weight in weighted], [weight for _item, weight in weighted])[0]
            if item not in chosen:
                chosen.append(item)
        if week >= self.history._weeks - 2:
            # The spike: most orders of the last two weeks ask for the product too.
            spiking = [item for item, _weight in weighted if item[2] == "spike" and item not in chosen]
            if spiking and self.rng.random() < 0.7:
                chosen.append(spiking[0])
        return chosen

    def take_orders(self, day, week):
        SaleOrder = self.env["sale.order"].with_user(self.salesperson).with_context(tracking_disable=True)
        vals_list = []
        for _index in range(self.rng.randint(*self.history._orders_per_day)):
            customer = self.rng.choices([c for c, _w, _p in self.customers], [w for _c, w, _p in self.customers])[0]
            lines = []
            for product, size, shape in self.pick_products(week):
                line = {"product_id": product.id, "product_uom_qty": self.demand(size, shape, week)}
                # A few lines a month at a discount above the approval threshold: a sales manager approves.
                if self.rng.random() < 0.05:
                    line["discount"] = self.rng.choice([12.0, 15.0])
                lines.append(fields.Command.create(line))
            vals_list.append({
                "partner_id": customer.id,
                "warehouse_id": self.warehouse.id,
                "user_id": self.salesperson.id,
                "team_id": self.team.id,
                "commitment_date": self.at(day + self.rng.randint(2, 6), 17),
                "order_line": lines,
            })
        orders = SaleOrder.create(vals_list)
        for order in orders:
            self.confirm(order)
        self.orders |= orders
        self.pickings |= orders.picking_ids

    def confirm(self, order):
        """As the salesperson: confirm, or ask for the approvals the matrix wants and confirm once a
        reviewer other than the salesperson (a sales manager; the credit controller for credit) gave them."""
        if order._get_missing_approvals():
            order.request_validation()
            for reviewer in (self.sales_manager, self.admin):
                self.approve(order, reviewer)
            if order._get_missing_approvals():
                return  # not approved: it stays a quotation, as happens
        order.action_confirm()

    def approve(self, order, reviewer):
        """The reviewer approves what waits for them, with the default comment, as from the order's banner."""
        order = order.with_user(reviewer)
        for _step in range(len(order.review_ids)):
            if not order.review_ids.filtered(lambda r: r.status == "pending" and reviewer in r.reviewer_ids):
                return
            action = order.validate_tier()
            if isinstance(action, dict) and action.get("res_model") == "comment.wizard":
                # pylint: disable-next=context-overridden  # the action's own context, as the web client uses it
                self.env["comment.wizard"].with_user(reviewer).with_context(action["context"]).create(
                    {"comment": action["context"].get("default_comment") or self.env._("Approved")}
                ).add_comment()

    # --- purchasing ----------------------------------------------------------------------------------
    def vendor_delay(self, vendor):
        late_rate, bounds = self.reliability.get(vendor, (0.1, (1, 3)))
        return self.rng.randint(*bounds) if self.rng.random() < late_rate else 0

    def buy(self, day, week):
        """What the buyer does each morning: order what the open demand lacks from the product's main
        vendor, with a few orders' worth on top; every other week, also bring the stock back to where it
        stood when the history began. One purchase per vendor."""
        products = self.env["product.product"].browse([product.id for product, _s, _sh in self.products])
        products = products.with_context(warehouse_id=self.warehouse.id)
        if self.stock_level is None:
            self.stock_level = {product: max(product.virtual_available, 0.0) for product in products}
        restock = week % 2 == 0 and self.at(day, 0).weekday() == self.history._acting_weekdays[0]
        by_vendor = {}
        for product in products:
            size = next(size for item, size, _shape in self.products if item == product)
            available = product.virtual_available
            if available < 0:
                qty = -available + 4 * size
            elif restock and available < self.stock_level[product]:
                qty = self.stock_level[product] - available
            else:
                continue
            seller = product.seller_ids[:1]
            by_vendor.setdefault(seller, []).append((product, max(qty, seller.min_qty)))
        Purchase = self.env["purchase.order"].with_user(self.admin).with_context(tracking_disable=True)
        for seller, lines in by_vendor.items():
            planned = self.next_acting_day(day + max(int(seller.delay), 2))
            purchase = Purchase.create({
                "partner_id": seller.partner_id.id,
                "picking_type_id": self.warehouse.in_type_id.id,
                "order_line": [fields.Command.create({
                    "product_id": product.id, "product_qty": qty, "price_unit": seller.price,
                    "date_planned": self.at(planned, 8),
                }) for product, qty in lines],
            })
            if purchase.need_validation:
                continue  # above the buyer's limit: waits for the purchase manager, as it would
            purchase.button_confirm()
            self.arrivals[purchase] = planned + self.vendor_delay(seller.partner_id)

    def receive_due(self, day):
        for purchase in [purchase for purchase, arrival in self.arrivals.items() if arrival <= day]:
            del self.arrivals[purchase]
            for picking in purchase.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")):
                # the vendor's stored figures follow at once, as their job does seconds later
                picking = picking.with_user(self.admin).with_context(queue_job__no_delay=True)
                for move in picking.move_ids:
                    move.quantity = move.product_uom_qty
                    move.picked = True
                picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
        waiting = self.pickings.filtered(lambda p: p.state in ("confirmed", "waiting"))
        if waiting:
            waiting.with_user(self.admin).action_assign()

    # --- the warehouse -------------------------------------------------------------------------------
    def ship(self, day):
        """Ship what is ready, oldest promise first; about one pick in seven is short by a few units and
        leaves a backorder. Held orders stay in the warehouse, as they do."""
        # What was ordered before today, and some of today's orders (picked the same afternoon).
        today = self.at(day, 0)
        ready = self.pickings.filtered(
            lambda p: p.state == "assigned" and (p.sale_id.date_order < today or self.rng.random() < 0.3)
        ).sorted(lambda p: (p.scheduled_date, p.id))
        for picking in ready[: self.rng.randint(4, 8)]:
            if picking.sale_id._is_flow_on_hold():
                continue
            picking = picking.with_user(self.admin).with_context(skip_sms=True, queue_job__no_delay=True)
            short = self.rng.random() < 0.15
            for index, move in enumerate(picking.move_ids):
                quantity = move.quantity
                if short and index == 0 and quantity > 1:
                    quantity -= max(1, round(quantity * self.rng.uniform(0.1, 0.4)))
                move.quantity = quantity
                move.picked = True
            result = picking.button_validate()
            if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
                # pylint: disable-next=context-overridden  # the action's own context, as the web client uses it
                self.env["stock.backorder.confirmation"].with_user(self.admin).with_context(
                    result["context"], queue_job__no_delay=True
                ).create({}).process()
            self.pickings |= picking.backorder_ids

    def return_goods(self, day):
        """A customer sends back part of a delivery of the last weeks; the warehouse registers it."""
        shipped = self.pickings.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing" and not p.return_ids
            and p.date_done >= self.at(day - 21, 0)
        ).sorted("id")
        if not shipped:
            return
        picking = self.rng.choice(shipped)
        wizard = self.env["stock.return.picking"].with_user(self.admin).with_context(
            active_id=picking.id, active_ids=picking.ids, active_model="stock.picking"
        ).create({"picking_id": picking.id})
        for line in wizard.product_return_moves:
            line.quantity = 0
        line = wizard.product_return_moves[:1]
        line.quantity = max(1, round(line.move_id.quantity * 0.2))
        returned = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        returned = returned.with_user(self.admin).with_context(skip_sms=True, queue_job__no_delay=True)
        for move in returned.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        returned.button_validate()
        for exception in returned.sudo().exception_ids.filtered(lambda e: e.is_open):
            self.resolutions[exception] = day + self.rng.randint(1, 6)

    # --- customer service ----------------------------------------------------------------------------
    def raise_claim(self, day):
        """A customer calls about a recent delivery; customer service (the administrator at Voltline) logs a
        claim in the exception queue."""
        shipped = self.orders.filtered(lambda o: o.state == "sale" and o.picking_ids.filtered(
            lambda p: p.state == "done" and p.date_done >= self.at(day - 14, 0)
        )).sorted("id")
        if not shipped:
            return
        order = self.rng.choice(shipped)
        claim = self.env["distribution.exception"].with_user(self.admin).create({
            "type_id": self.env.ref("distribution_exceptions.exception_type_claim").id,
            "res_model": "sale.order",
            "res_id": order.id,
        })
        self.resolutions[claim] = day + self.rng.randint(0, 4)

    def resolve_exceptions(self, day):
        for exception in sorted((e for e, due in self.resolutions.items() if due <= day), key=lambda e: e.id):
            del self.resolutions[exception]
            exception = exception.with_user(self.admin)
            if exception.is_open:
                exception.resolution = self.env._("Checked with the customer: credited or replaced.")
                exception.action_resolve()

    # --- finance -------------------------------------------------------------------------------------
    def invoice_orders(self, day, week):
        """Monday morning: the billing clerk invoices the deliveries (and returns: credit notes) of the
        customers not invoiced on delivery: the dealers' of last week, every week; the contractors' on a trade
        account (a fortnightly statement) of the last two weeks, every other week. Their invoice lag is the
        days between the delivery and that Monday."""
        statement_week = week % 2 == 0
        to_invoice = self.orders.filtered(
            lambda o: o.invoice_status == "to invoice" and not o.invoice_on_delivery
            and (statement_week or o.partner_id.commercial_partner_id.distribution_class_id.code != TRADE_ACCOUNT)
        )
        if to_invoice:
            invoices = to_invoice.with_user(self.admin)._create_invoices(final=True)
            invoices.action_post()
        self.schedule_payments(day)

    def schedule_payments(self, day):
        """Each new posted invoice gets the day its customer will pay it (terms and habits); each credit note
        (a return) the day the company pays it back, a few days later, except about one in five that the
        customer keeps against a next invoice (left open)."""
        moves = self.orders.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.move_type in ("out_invoice", "out_refund")
            and m.payment_state == "not_paid" and m not in self.payments and m not in self.kept_credit_notes
        )
        habits = {customer: payment for customer, _w, payment in self.customers}
        for invoice in moves.filtered(lambda m: m.move_type == "out_invoice").sorted("id"):
            due = (invoice.invoice_date_due - self.start.date()).days
            self.payments[invoice] = due + self.rng.randint(*habits.get(invoice.commercial_partner_id, (0, 0)))
        for credit_note in moves.filtered(lambda m: m.move_type == "out_refund").sorted("id"):
            # A generator of their own: the rest of the history does not move with the credit notes.
            if self.refund_rng.random() < 0.2:
                self.kept_credit_notes |= credit_note
            else:
                self.payments[credit_note] = day + self.refund_rng.randint(2, 8)

    def register_payments(self, day):
        """The day's payments, registered together from the invoices list (one payment per invoice)."""
        self.schedule_payments(day)
        due = [invoice for invoice, pay_day in self.payments.items() if pay_day <= day]
        for invoice in due:
            del self.payments[invoice]
        moves = self.env["account.move"].concat(*due).filtered(lambda m: m.payment_state == "not_paid")
        # Money in for invoices, money out for credit notes: one register each, as from each list.
        for move_type in ("out_invoice", "out_refund"):
            invoices = moves.filtered(lambda m, move_type=move_type: m.move_type == move_type)
            if invoices:
                self.env["account.payment.register"].with_user(self.admin).with_context(
                    active_model="account.move", active_ids=invoices.sorted("id").ids
                ).create({
                    "payment_date": fields.Date.context_today(self.history), "group_payment": False,
                })._create_payments()

    # --- crons ---------------------------------------------------------------------------------------
    def check_changed_orders(self):
        """What the at-risk cron does every 5 minutes: the orders changed since their last check (without its
        commits: the demo data installs in one transaction)."""
        SaleOrder = self.env["sale.order"]
        SaleOrder.search([("risk_stale", "=", True)])._refresh_delivery_risk()

    def run_crons(self):
        """The nightly supplier figures, the hourly at-risk pass over every open order, late deliveries."""
        self.env["distribution.supplier.stat"]._refresh()
        SaleOrder = self.env["sale.order"]
        SaleOrder.search(SaleOrder._get_delivery_risk_domain())._refresh_delivery_risk()
        SaleOrder._cron_raise_late_deliveries()

    def replan(self):
        """The buyer's planning run of the demo, computed again on the history."""
        run = self.env.ref("distribution_replenishment.distribution_replenishment_run_demo", raise_if_not_found=False)
        if run and run.state not in ("done", "cancel"):
            run.action_compute()


class FrozenClock:
    """Freeze the clock for a block and flush inside it, so flow events and stored computes carry its time.
    Also used by benchmarks/risk_backtest.py."""

    def __init__(self, env, freezer):
        self.env, self.freezer = env, freezer

    def __enter__(self):
        self.freezer.start()

    def __exit__(self, *exc):
        try:
            if not exc[0]:
                self.env.flush_all()
        finally:
            self.freezer.stop()
        return False

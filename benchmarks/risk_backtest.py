#!/usr/bin/env python3
"""Back-test of the orders-at-risk flag: of the orders that were late, how many had been flagged before
their promise date, and how many flagged orders were delivered on time anyway.

    risk_backtest.py -d DB [--days 30] [--seed 7] [--commit] [odoo options]

DB must have the suite with its demo data (see run_risk_backtest.sh, database bench_risk). The history is
played through Odoo itself, one working day after another under a frozen clock, on top of the demo data:

- a warehouse of its own ("Back-test WH"), 12 products with 20 to 60 units each, two vendors with 10 past
  receipts each: "Steady Supply" (on time, 9 of the products) and "Sluggish Imports" (3 products, 7 in 10
  receipts 2-6 days late);
- each working day at 08:00 the receipts due arrive (a vendor's delay was drawn when it was ordered), at
  09:00 4 to 8 customers' orders of 1 to 3 lines come in, promised 2 to 5 days later at 17:00 and
  confirmed, shortages are bought from the product's vendor (3 days' lead time) and the hourly at-risk
  pass runs over every open order; at 16:00 the warehouse ships 7 to 11 ready deliveries, oldest
  scheduled first (partial deliveries leave backorders); after the receipts and after the shipments the
  orders changed are checked, as the 5-minute at-risk cron does in production;
- nothing is decided by the script but the customers', vendors' and warehouse's behaviour: the flags
  are the module's own, read from the orders (``risk_first_flagged_at``) and from the checks' runs.

Judged: the orders promised within the simulated days. An order is late when it was not fully shipped by
its promise date (its first 'shipped' flow event after it, or none); it was flagged when the module found
it at risk before its promise date. Printed: the confusion table, recall (late orders flagged), the share
of flagged orders delivered on time, the warning time, and the reasons of the first flags.

Everything runs in one cursor rolled back at the end (``--commit`` keeps the history, e.g. to look at it in
the web client).
"""

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, timedelta

from bench_common import setup_odoo


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Options not listed here are passed to Odoo's configuration (e.g. --addons-path, --db_host).",
    )
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--days", type=int, default=30, help="calendar days simulated (working days only act)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--commit", action="store_true", help="keep the simulated history in the database")
    args, odoo_args = parser.parse_known_args(argv)
    if args.days < 5:
        parser.error("--days must be at least 5")
    return args, odoo_args


class Simulation:
    def __init__(self, env, rng, start):
        self.env, self.rng, self.start = env, rng, start
        self.arrivals = {}  # purchase id -> day index its goods actually arrive
        self.first_reasons = {}  # order id -> reason codes when first found at risk

    def at(self, day, hour):
        return self.start + timedelta(days=day, hours=hour)

    # --- the world ---------------------------------------------------------------------------------------
    def build(self):
        env, rng = self.env, self.rng
        self.warehouse = env["stock.warehouse"].create({"name": "Back-test WH", "code": "BKT"})
        self.warehouse.reception_steps = "one_step"
        self.warehouse.delivery_steps = "ship_only"
        Partner = env["res.partner"]
        self.steady = Partner.create({"name": "Steady Supply", "is_company": True})
        self.sluggish = Partner.create({"name": "Sluggish Imports", "is_company": True})
        self.customers = Partner.create([{"name": f"Back-test Customer {index}", "is_company": True}
                                         for index in range(1, 13)])
        self.products = env["product.product"]
        for index in range(1, 13):
            vendor = self.sluggish if index % 4 == 0 else self.steady
            self.products |= env["product.product"].create({
                "name": f"Back-test Product {index:02d}", "is_storable": True, "list_price": 100.0,
                "standard_price": 60.0, "invoice_policy": "delivery",
                "seller_ids": [(0, 0, {"partner_id": vendor.id, "price": 60.0, "delay": 3})],
            })
        for product in self.products:
            env["stock.quant"]._update_available_quantity(product, self.warehouse.lot_stock_id, rng.randint(20, 60))
        # The vendors' records: 10 receipts each over the 60 days before.
        for vendor in (self.steady, self.sluggish):
            for index in range(10):
                day = -60 + 6 * index
                with self.clock(day, 9):
                    purchase = self.purchase(vendor, self.products[:1], 1, planned_day=day + 3)
                with self.clock(day + 3 + self.vendor_delay(vendor), 8):
                    self.receive(purchase)
            self.env["stock.quant"]._update_available_quantity(self.products[0], self.warehouse.lot_stock_id, -10)

    def vendor_delay(self, vendor):
        if vendor == self.sluggish and self.rng.random() < 0.7:
            return self.rng.randint(2, 6)
        return 0

    def clock(self, day, hour):
        from freezegun import freeze_time

        from odoo.addons.distribution_kpi.models.distribution_demo_history import FrozenClock

        return FrozenClock(self.env, freeze_time(self.at(day, hour)))

    # --- what people do --------------------------------------------------------------------------------
    def purchase(self, vendor, products, qty, planned_day):
        purchase = self.env["purchase.order"].create({
            "partner_id": vendor.id,
            "picking_type_id": self.warehouse.in_type_id.id,
            "order_line": [(0, 0, {"product_id": product.id, "product_qty": qty, "price_unit": 60.0,
                                   "date_planned": self.at(planned_day, 8)}) for product in products],
        })
        purchase.button_confirm()
        return purchase

    def receive(self, purchase):
        # the vendor's stored figures follow at once, as their job does seconds later in production
        purchase = purchase.with_context(queue_job__no_delay=True)
        for picking in purchase.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")):
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
                move.picked = True
            picking.with_context(skip_backorder=True, skip_sms=True).button_validate()

    def take_orders(self, day):
        orders = self.env["sale.order"]
        for _index in range(self.rng.randint(4, 8)):
            products = self.products.browse(self.rng.sample(self.products.ids, self.rng.randint(1, 3)))
            orders |= self.env["sale.order"].create({
                "partner_id": self.rng.choice(self.customers).id,
                "warehouse_id": self.warehouse.id,
                "commitment_date": self.at(day + self.rng.randint(2, 5), 17),
                "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": self.rng.randint(2, 10)})
                               for product in products],
            })
        orders.action_confirm()
        return orders

    def buy_shortages(self, day):
        """What a buyer does each morning: order what the open demand lacks, from the product's vendor."""
        products = self.products.with_context(warehouse_id=self.warehouse.id)
        for product in products:
            if product.virtual_available < 0:
                vendor = product.seller_ids[:1].partner_id
                purchase = self.purchase(vendor, product, -product.virtual_available + 20, planned_day=day + 3)
                self.arrivals[purchase.id] = day + 3 + self.vendor_delay(vendor)

    def receive_due(self, day):
        due = [purchase_id for purchase_id, arrival in self.arrivals.items() if arrival <= day]
        for purchase in self.env["purchase.order"].browse(due):
            self.receive(purchase)
            del self.arrivals[purchase.id]

    def ship(self):
        ready = self.env["stock.picking"].search([
            ("picking_type_id", "=", self.warehouse.out_type_id.id), ("state", "=", "assigned"),
        ], order="scheduled_date, id", limit=self.rng.randint(7, 11))
        for picking in ready:
            for move in picking.move_ids:
                move.quantity = move.quantity  # what is reserved is what is picked
                move.picked = True
            picking.with_context(cancel_backorder=False, skip_sms=True)._action_done()

    def check_changed_orders(self):
        """The 5-minute cron: the orders changed since their last check (without its commits: one cursor)."""
        SaleOrder = self.env["sale.order"]
        SaleOrder.search([("risk_stale", "=", True)])._refresh_delivery_risk()
        self.note_first_reasons()

    def run_risk_cron(self):
        """The hourly pass over every order that can be at risk, on the vendors' figures of the night."""
        self.env["distribution.supplier.stat"]._refresh()
        SaleOrder = self.env["sale.order"]
        SaleOrder.search(SaleOrder._get_delivery_risk_domain())._refresh_delivery_risk()
        self.note_first_reasons()

    def note_first_reasons(self):
        for order in self.env["sale.order"].search([("at_risk", "=", True), ("warehouse_id", "=", self.warehouse.id)]):
            self.first_reasons.setdefault(order.id, order.risk_codes)

    def play(self, days):
        orders = self.env["sale.order"]
        for day in range(days):
            if self.at(day, 0).weekday() >= 5:
                continue
            with self.clock(day, 8):
                self.receive_due(day)
                pending = self.env["stock.picking"].search([
                    ("picking_type_id", "=", self.warehouse.out_type_id.id),
                    ("state", "in", ("confirmed", "waiting", "assigned")),
                ])
                if pending:
                    pending.action_assign()
                self.check_changed_orders()
            with self.clock(day, 9):
                orders |= self.take_orders(day)
                self.buy_shortages(day)
                self.run_risk_cron()
            with self.clock(day, 16):
                self.ship()
                self.check_changed_orders()
        return orders


def judge(env, orders, last_day_end):
    """(late, flagged, rows): an order is judged when its promise date fell within the simulation."""
    env.flush_all()
    env.invalidate_all()
    shipped = {}
    env.cr.execute(
        """SELECT order_id, MIN(date) FROM sale_order_flow_event
            WHERE order_id = ANY(%s) AND state_to IN ('shipped', 'invoiced', 'closed') GROUP BY order_id""",
        [orders.ids],
    )
    shipped = dict(env.cr.fetchall())
    rows = []
    for order in orders:
        promise = order.commitment_date
        if promise > last_day_end:
            continue
        date_shipped = shipped.get(order.id)
        late = not date_shipped or date_shipped > promise
        flagged_at = order.risk_first_flagged_at
        flagged = bool(flagged_at) and flagged_at <= promise
        warning_days = (promise - flagged_at).total_seconds() / 86400 if flagged else None
        rows.append((order, late, flagged, warning_days))
    return rows


def run(dbname, days, seed, commit):
    import odoo
    from odoo.modules.registry import Registry

    registry = Registry(dbname)
    cr = registry.cursor()
    try:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "mail_notrack": True})
        if "at_risk" not in env["sale.order"]._fields:
            raise RuntimeError(f"{dbname}: distribution_kpi is not installed")
        rng = random.Random(seed)
        # Monday of the week 8 weeks before today: the whole history lies in the past.
        today = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
        start = today - timedelta(days=today.weekday() + 56)
        simulation = Simulation(env, rng, start)
        began = time.perf_counter()
        simulation.build()
        orders = simulation.play(days)
        elapsed = time.perf_counter() - began
        rows = judge(env, orders, simulation.at(days - 1, 17))
        late = [row for row in rows if row[1]]
        flagged = [row for row in rows if row[2]]
        late_flagged = [row for row in late if row[2]]
        flagged_on_time = [row for row in flagged if not row[1]]
        not_flagged = [row for row in rows if not row[2]]
        print(f"Orders-at-risk back-test on {dbname}: {days} days from {start:%Y-%m-%d} (seed {seed}), "
              f"{len(orders)} orders taken, {len(rows)} promised within the period ({elapsed:.0f} s)")
        print()
        print("                 flagged   not flagged   total")
        print(f"  late           {len(late_flagged):7d}   {len(late) - len(late_flagged):11d}   {len(late):5d}")
        print(f"  on time        {len(flagged_on_time):7d}   "
              f"{len(rows) - len(late) - len(flagged_on_time):11d}   {len(rows) - len(late):5d}")
        print(f"  total          {len(flagged):7d}   {len(not_flagged):11d}   {len(rows):5d}")
        print()
        if late:
            print(f"Late orders flagged before their promise date: {len(late_flagged)} of {len(late)} "
                  f"({100 * len(late_flagged) / len(late):.0f} %)")
        if flagged:
            print(f"Flagged orders delivered on time anyway: {len(flagged_on_time)} of {len(flagged)} "
                  f"({100 * len(flagged_on_time) / len(flagged):.0f} %)")
        if not_flagged:
            late_unflagged = len(late) - len(late_flagged)
            print(f"Orders not flagged that were late: {late_unflagged} of {len(not_flagged)} "
                  f"({100 * late_unflagged / len(not_flagged):.0f} %)")
        warnings = [row[3] for row in late_flagged]
        if warnings:
            print(f"Warning before the promise date, late orders flagged: median {statistics.median(warnings):.1f} "
                  f"days, shortest {min(warnings):.1f} days")
        reasons = Counter()
        late_reasons = Counter()
        for order, is_late, is_flagged, _warning in rows:
            if is_flagged:
                for code in (simulation.first_reasons.get(order.id) or order.risk_codes or "").split(","):
                    if code:
                        reasons[code] += 1
                        late_reasons[code] += is_late
        if reasons:
            print("First reasons of the flagged orders (late among them): "
                  + ", ".join(f"{code} {count} ({late_reasons[code]})" for code, count in reasons.most_common()))
        if commit:
            cr.commit()
            print("History kept in the database (--commit).")
    finally:
        if not commit:
            cr.rollback()
        cr.close()


def main(argv=None):
    args, odoo_args = parse_args(sys.argv[1:] if argv is None else argv)
    setup_odoo(odoo_args)
    run(args.database, args.days, args.seed, args.commit)
    return 0


if __name__ == "__main__":
    sys.exit(main())

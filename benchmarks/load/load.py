"""Load benchmark: Odoo in prefork mode driven by concurrent clients over Odoo 19's external JSON API
(/json/2, API keys), the suite against vanilla Odoo on the same data in the same run, closed by invariant
checks over each database.

Started by run_load.sh (which builds the two template databases). Two parts:

* ``--setup``: run inside Odoo (imports it) on a fresh copy of a template: products with competing stock,
  reordering rules with a vendor, customers, and the users the clients act as, each with an API key
  (written to a JSON file for the driver).
* the run (default): for each round and each flavour, copy the template, run ``setup``, start odoo-bin
  with --workers (and optionally a second server on the same database, the scale-out shape), drive it,
  stop it, count Odoo's serialization retries in its log, check the invariants; then print per operation
  count, throughput, p50/p95/p99 latency and errors by kind, suite beside vanilla.

The clients, all on loopback and bounded in count and time:

* sales reps create orders of one to three lines of a small set of products whose stock is short, and
  confirm them. One order in four carries 15% off: the suite refuses to confirm it without approval, so
  with the suite the rep asks for approval (*Request Validation*), a sales manager approves it
  (``validate_tier`` and its comment wizard) and the rep confirms it then. Both flavours confirm the same
  orders; the suite's confirmation rate includes the approvals it requires;
* warehouse clients take ready deliveries as a barcode app does (ordered by priority then scheduled
  date; each picker its own wave, or with --shared-pickings all from the top of one list): set each
  move's quantity and picked, a third of them short, validate, and answer the backorder wizard (create the backorder);
* a buyer runs the scheduler (and, with the suite, the replenishment planner);
* a manager opens the exception queue and the KPI dashboard (vanilla: the late deliveries list and the
  sales analysis grouped by month);
* a billing clerk invoices what was delivered and is not invoiced yet (the orders list's Create Invoice
  wizard) and posts it: with the suite most customers are invoiced on delivery already, so both flavours
  do the same accounting work.

With the suite, invoicing on delivery runs as OCA queue_job jobs: the suite's servers load queue_job
server-wide (its job runner, channels from --job-channels), and after the clients stop the run waits for
the queue to drain (at most --drain-seconds, printed as "job drain") before the invariants are checked.
"""

import argparse
import http.client
import json
import os
import queue
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

REPS_DEFAULT = 8
PICKERS_DEFAULT = 3
PRODUCTS = 12
STOCK_PER_PRODUCT = 30
CUSTOMERS = 30


# ----------------------------------------------------------------------------------------------------
# setup (inside Odoo)
# ----------------------------------------------------------------------------------------------------
def setup(db, out, odoo_args, reps, pickers, order_trigger=None, reservation=None):
    from bench_common import setup_odoo

    setup_odoo(odoo_args)
    import odoo
    from odoo import Command
    from odoo.api import Environment
    from odoo.modules.registry import Registry

    registry = Registry(db)
    with registry.cursor() as cr:
        env = Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "mail_notrack": True})
        suite = "distribution.exception" in env
        company = env.company
        if order_trigger and "replenishment_order_trigger" in company:
            company.replenishment_order_trigger = order_trigger
        if reservation and "distribution_reservation_mode" in company:
            company.distribution_reservation_mode = reservation
        warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        vendor = env["res.partner"].create({"name": "Load Vendor", "is_company": True, "supplier_rank": 1})
        products = env["product.product"].create(
            [
                {
                    "name": f"Load Product {i:02d}",
                    "default_code": f"LOAD{i:02d}",
                    "is_storable": True,
                    "list_price": 20.0 + i,
                    "standard_price": 11.0 + i,
                    "seller_ids": [Command.create({"partner_id": vendor.id, "price": 10.0 + i, "delay": 3})],
                    "route_ids": [Command.link(env.ref("purchase_stock.route_warehouse0_buy").id)],
                }
                for i in range(PRODUCTS)
            ]
        )
        for product in products:
            env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, STOCK_PER_PRODUCT)
        env["stock.warehouse.orderpoint"].create(
            [
                {"product_id": p.id, "warehouse_id": warehouse.id, "location_id": warehouse.lot_stock_id.id,
                 "product_min_qty": 10, "product_max_qty": 60, "trigger": "auto"}
                for p in products
            ]
        )
        customer_vals = [{"name": f"Load Customer {i:02d}", "is_company": True, "customer_rank": 1}
                         for i in range(CUSTOMERS)]
        if suite:
            classes = [env.ref(f"distribution_order_flow.customer_class_{code}")
                       for code in ("key_account", "retail", "contractor", "dealer")]
            for i, vals in enumerate(customer_vals):
                vals["distribution_class_id"] = classes[i % len(classes)].id
        customers = env["res.partner"].create(customer_vals)

        def groups(*xmlids):
            return [Command.link(g.id) for x in xmlids if (g := env.ref(x, raise_if_not_found=False))]

        def user(login, *xmlids):
            u = env["res.users"].create({"name": login, "login": login, "group_ids": groups("base.group_user", *xmlids),
                                         "company_id": company.id, "company_ids": [Command.set(company.ids)]})
            key = env["res.users.apikeys"].with_user(u).sudo()._generate(None, "load benchmark", None)
            return {"login": login, "key": key}

        users = {
            "reps": [user(f"load_rep_{i}", "sales_team.group_sale_salesman_all_leads") for i in range(reps)],
            "approver": user("load_approver", "sales_team.group_sale_manager"),
            "pickers": [user(f"load_picker_{i}", "stock.group_stock_user") for i in range(pickers)],
            "buyer": user(
                "load_buyer",
                "stock.group_stock_manager",
                "purchase.group_purchase_manager",
                "distribution_replenishment.group_replenishment_user",
            ),
            "billing": user(
                "load_billing", "account.group_account_invoice", "sales_team.group_sale_salesman_all_leads"
            ),
            "manager": user(
                "load_manager",
                "sales_team.group_sale_manager",
                "stock.group_stock_user",
                "distribution_exceptions.group_exception_user",
            ),
        }
        if suite:
            # The fault runs' finish runs the suite's crons as their next run would (Run Manually: an
            # administrator's button).
            admin = env.ref("base.user_admin")
            users["admin"] = {"login": admin.login,
                              "key": env["res.users.apikeys"].with_user(admin).sudo()._generate(None, "load", None)}
        cr.commit()
        data = {"suite": suite, "products": products.ids, "customers": customers.ids,
                "warehouse": warehouse.id, "company": company.id, "users": users,
                "requeue_cron": suite and env.ref("distribution_order_flow.ir_cron_requeue_lost_connection_jobs").id}
    with open(out, "w") as f:
        json.dump(data, f)


# ----------------------------------------------------------------------------------------------------
# the clients (no Odoo import: they speak HTTP)
# ----------------------------------------------------------------------------------------------------
class Client:
    def __init__(self, urls, db, key, stats):
        self.urls, self.db, self.key, self.stats = urls, db, key, stats
        self.turn = random.randrange(len(urls))

    def call(self, op, model, method, expect=(), retry=True, **payload):
        """As _call; a call cut by a fault (worker killed, connection dropped) is sent again, as a client
        behind a proxy would after a 502, unless ``retry`` is False (creations)."""
        for _attempt in range(3):
            result = self._call(op, model, method, expect, **payload)
            if not (retry and self.cut):
                return result
            self.stats.record(op + " (resent)", 0.0, None)
            time.sleep(0.5)
        return result

    def _call(self, op, model, method, expect=(), **payload):
        """POST /json/2/model/method; records the latency under ``op`` and the outcome. Returns the
        result, or None on an error (its kind counted); an error whose message matches one of ``expect``
        is counted as a refusal (the rule working), not an error."""
        self.turn = (self.turn + 1) % len(self.urls)  # the proxy's round robin over the servers
        request = urllib.request.Request(
            f"{self.urls[self.turn]}/json/2/{model}/{method}",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"bearer {self.key}",
                     "X-Odoo-Database": self.db},
        )
        start = time.perf_counter()
        self.cut = False
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                result = json.load(response)
            self.stats.record(op, time.perf_counter() - start, None)
            return result
        except urllib.error.HTTPError as error:
            elapsed = time.perf_counter() - start
            try:
                body = json.load(error)
                kind, message = body.get("name", str(error.code)).rsplit(".", 1)[-1], body.get("message", "")
            except ValueError:
                kind, message = f"HTTP {error.code}", ""
            if any(re.search(pattern, message) for pattern in expect):
                kind = "refused (expected)"
            elif error.code >= 500 and re.search(r"(?i)terminat|connection|closed", message):
                self.cut = True  # the database connection under the request was dropped
            self.stats.record(op, elapsed, kind, message)
            return None
        except (TimeoutError, urllib.error.URLError, ConnectionError, http.client.HTTPException) as error:
            self.cut = True
            self.stats.record(op, time.perf_counter() - start, type(error).__name__, str(error))
            return None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = defaultdict(Counter)
        self.samples = {}
        self.sales_seconds = 0.0

    def record(self, op, elapsed, kind, message=""):
        with self.lock:
            self.latencies[op].append(elapsed)
            if kind:
                self.errors[op][kind] += 1
                self.samples.setdefault((op, kind), message[:160])


def rep(client, data, orders, rng, approvals, deadline):
    """``approvals``: with the suite, the orders waiting for a manager (``approver``); each approved one
    comes back on the rep's own queue and the rep confirms it, between new orders and, after the last,
    until none is left waiting (or the deadline)."""
    products, customers = data["products"], data["customers"]
    hot = products[: len(products) // 2]  # half the products take most of the demand: competing stock
    approved = queue.Queue()
    waiting = 0
    for n in range(orders):
        lines = []
        for product in rng.sample(hot if rng.random() < 0.8 else products, rng.randint(1, 3)):
            line = {"product_id": product, "product_uom_qty": rng.randint(1, 5)}
            if n % 4 == 3:
                line["discount"] = 15.0
            lines.append([0, 0, line])
        ids = client.call("order.create", "sale.order", "create", retry=False, vals_list=[
            {"partner_id": rng.choice(customers), "warehouse_id": data["warehouse"], "order_line": lines}])
        if ids:
            confirmed = client.call("order.confirm", "sale.order", "action_confirm", ids=ids,
                                    expect=[r"(?i)approv", r"(?i)validat"])
            if confirmed is None and data["suite"] and n % 4 == 3:
                # As the quotation's Request Validation button: the reviewers are notified.
                if client.call("order.request approval", "sale.order", "request_validation", ids=ids) is not None:
                    approvals.put((ids, approved))
                    waiting += 1
        waiting -= _confirm_approved(client, approved)
    while waiting > 0 and time.time() < deadline:
        waiting -= _confirm_approved(client, approved, timeout=max(min(deadline - time.time(), 1.0), 0.0))


def _confirm_approved(client, approved, timeout=0.0):
    """Confirm the rep's orders that came back approved (waiting at most ``timeout`` for the first)."""
    count = 0
    while True:
        try:
            ids = approved.get(timeout=timeout) if timeout else approved.get_nowait()
        except queue.Empty:
            return count
        timeout = 0.0
        count += 1
        client.call("order.confirm", "sale.order", "action_confirm", ids=ids)


def approver(client, data, done, approvals):
    """A sales manager approving the orders sent to approval (the tier's Validate button), as they come."""
    while not done.is_set():
        try:
            ids, reply = approvals.get(timeout=0.5)
        except queue.Empty:
            continue
        # The rules ask for a comment: Validate opens the comment wizard, which approves (as in the web client).
        action = client.call("order.approve", "sale.order", "validate_tier", ids=ids)
        if isinstance(action, dict) and action.get("res_model") == "comment.wizard":
            context = action.get("context", {})
            wizard = client.call("order.approve", "comment.wizard", "create", context=context,
                                 vals_list=[{"comment": context.get("default_comment") or "Approved"}])
            if wizard:
                client.call("order.approve", "comment.wizard", "add_comment", ids=wizard, context=context)
        # Approved or not (an error is counted), the order goes back to its rep, who confirms it or sees
        # the refusal: no order is left waiting.
        reply.put(ids)


def picker(client, data, done, rng, deadline, wave):
    """``wave``: (this picker's number, pickers): each picker works its own share of the deliveries, as a
    warehouse hands out waves; None: every picker takes from the top of the same list (two scanners on
    one delivery happen)."""
    empty_since = None
    while time.time() < deadline:
        domain = [("picking_type_code", "=", "outgoing"), ("state", "=", "assigned")]
        pickings = client.call("picking.list", "stock.picking", "search_read", domain=domain,
                               fields=["id"], order="priority desc, scheduled_date asc, id asc",
                               limit=3 if wave is None else 200)
        if wave is not None and pickings:
            pickings = [p for p in pickings if p["id"] % wave[1] == wave[0]][:1]
        if not pickings:
            # Once the reps are done, a picker stops when nothing has been ready for 3 s (a backorder is
            # reserved a moment after the validation that created it, in the suite's background mode).
            empty_since = empty_since or time.time()
            if done.is_set() and time.time() - empty_since >= 3.0:
                return
            time.sleep(0.2)
            continue
        empty_since = None
        picking_id = rng.choice(pickings)["id"]
        moves = client.call("picking.read", "stock.move", "search_read",
                            domain=[("picking_id", "=", picking_id), ("state", "not in", ("done", "cancel"))],
                            fields=["id", "product_uom_qty", "quantity"]) or []
        short = rng.random() < 0.33
        for move in moves:
            qty = move["quantity"]
            if short and qty > 1:
                qty = qty // 2
            client.call("picking.scan", "stock.move", "write", ids=[move["id"]], vals={"quantity": qty, "picked": True})
        result = client.call("picking.validate", "stock.picking", "button_validate", ids=[picking_id],
                             expect=[r"(?i)credit hold"])
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            context = result.get("context", {})
            wizard = client.call("picking.backorder", "stock.backorder.confirmation", "create",
                                 vals_list=[{}], context=context)
            if wizard:
                client.call("picking.backorder", "stock.backorder.confirmation", "process", ids=wizard,
                            context=context)


def buyer(client, data, done, rng):
    while not done.is_set():
        # As Inventory's Run Scheduler menu and the scheduler's cron run it: committing as it goes.
        client.call("buyer.scheduler", "stock.rule", "run_scheduler", use_new_cursor=True)
        if data["suite"]:
            run = client.call("buyer.planner", "distribution.replenishment.run", "create", retry=False,
                              vals_list=[{"warehouse_ids": [[6, 0, [data["warehouse"]]]]}])
            if run:
                client.call("buyer.planner", "distribution.replenishment.run", "action_compute", ids=run)
        else:
            client.call("buyer.planner", "stock.warehouse.orderpoint", "action_open_orderpoints")
        done.wait(rng.uniform(2.0, 4.0))


def billing(client, data, done, rng):
    """Invoices what was delivered and not invoiced yet, as finance does from the order list (the suite
    invoices on delivery for most classes: dealers are left to billing), and posts the invoices."""
    while not done.is_set():
        orders = client.call("billing.list", "sale.order", "search",
                             domain=[("invoice_status", "=", "to invoice")], limit=5) or []
        if orders:
            wizard = client.call("billing.invoice", "sale.advance.payment.inv", "create",
                                 vals_list=[{"advance_payment_method": "delivered",
                                             "sale_order_ids": [[6, 0, orders]]}],
                                 context={"active_model": "sale.order", "active_ids": orders})
            if wizard:
                client.call("billing.invoice", "sale.advance.payment.inv", "create_invoices", ids=wizard,
                            context={"active_model": "sale.order", "active_ids": orders},
                            expect=[r"(?i)cannot be invoiced: its prices", r"(?i)no invoiceable"])
                drafts = client.call("billing.list", "account.move", "search",
                                     domain=[("move_type", "=", "out_invoice"), ("state", "=", "draft"),
                                             ("invoice_origin", "!=", False)], limit=20)
                if drafts:
                    client.call("billing.post", "account.move", "action_post", ids=drafts)
        done.wait(rng.uniform(1.0, 2.0))


def complete_billing(client, max_seconds=120):
    """After the clients stop: the billing clerk invoices and posts everything still delivered and not
    invoiced, as they would before closing the day, so that both flavours end having done the same
    accounting (the suite invoices most deliveries during the drive, by its jobs; vanilla's clerk only gets
    through part of them while the reps work). Returns the invoicing calls made."""
    calls = 0
    deadline = time.time() + max_seconds
    skipped = set()  # orders that cannot be invoiced (prices waiting for approval): left as they are
    while time.time() < deadline:
        orders = [o for o in client.call("billing.list", "sale.order", "search",
                                         domain=[("invoice_status", "=", "to invoice")], limit=50) or []
                  if o not in skipped][:10]
        if not orders:
            break
        calls += 1
        wizard = client.call("billing.invoice", "sale.advance.payment.inv", "create",
                             vals_list=[{"advance_payment_method": "delivered",
                                         "sale_order_ids": [[6, 0, orders]]}],
                             context={"active_model": "sale.order", "active_ids": orders})
        result = wizard and client.call(
            "billing.invoice", "sale.advance.payment.inv", "create_invoices", ids=wizard,
            context={"active_model": "sale.order", "active_ids": orders},
            expect=[r"(?i)cannot be invoiced: its prices", r"(?i)no invoiceable"])
        if result is None:
            skipped.update(orders)
    drafts = client.call("billing.list", "account.move", "search",
                         domain=[("move_type", "=", "out_invoice"), ("state", "=", "draft"),
                                 ("invoice_origin", "!=", False)])
    if drafts:
        client.call("billing.post", "account.move", "action_post", ids=drafts)
    return calls


def manager(client, data, done, rng):
    while not done.is_set():
        if data["suite"]:
            client.call("manager.queue", "distribution.exception", "web_search_read",
                        domain=[("state", "in", ("new", "in_progress", "waiting"))],
                        specification={"name": {}, "state": {}, "type_id": {"fields": {"display_name": {}}},
                                       "source_name": {}, "user_id": {"fields": {"display_name": {}}}},
                        limit=80)
            client.call("manager.dashboard", "distribution.kpi.dashboard", "get_dashboard_data", period="month")
        else:
            client.call("manager.queue", "stock.picking", "web_search_read",
                        domain=[("picking_type_code", "=", "outgoing"), ("state", "not in", ("done", "cancel")),
                                ("scheduled_date", "<", time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()))],
                        specification={"name": {}, "state": {}, "partner_id": {"fields": {"display_name": {}}},
                                       "scheduled_date": {}},
                        limit=80)
            client.call("manager.dashboard", "sale.report", "web_read_group", domain=[],
                        groupby=["date:month"], aggregates=["price_subtotal:sum", "margin:sum"])
        done.wait(rng.uniform(1.0, 2.0))


class MemorySampler(threading.Thread):
    """The largest resident memory of one Odoo process (a worker, the cron worker or the master) while
    the clients drive, sampled every half second."""

    def __init__(self, processes):
        super().__init__(daemon=True)
        self.roots, self.peak, self.stop = processes, 0, threading.Event()

    def run(self):
        import psutil

        while not self.stop.wait(0.5):
            for root in self.roots:
                try:
                    family = [psutil.Process(root.pid), *psutil.Process(root.pid).children(recursive=True)]
                except psutil.Error:
                    continue
                for process in family:
                    try:
                        self.peak = max(self.peak, process.memory_info().rss)
                    except psutil.Error:
                        pass


class Fault(threading.Thread):
    """--fault kill-worker: every few seconds, SIGKILL one Odoo worker process (HTTP or cron; the master
    starts another), while pickers validate and deliveries are invoiced. --fault drop-db: the stock
    scheduler's cron is triggered, and while it runs every connection of the database is terminated
    (pg_terminate_backend), the HTTP workers' with it."""

    def __init__(self, kind, servers, db, interval):
        super().__init__(daemon=True)
        self.kind, self.servers, self.db, self.interval = kind, servers, db, interval
        self.stop, self.count = threading.Event(), 0

    def run(self):
        import psutil
        import psycopg2

        rng = random.Random(7)
        self.stop.wait(3.0)
        while not self.stop.is_set():
            if self.kind == "kill-worker":
                master = psutil.Process(rng.choice(self.servers).pid)
                workers = [p for p in master.children() if p.is_running()]
                if workers:
                    rng.choice(workers).send_signal(signal.SIGKILL)
                    self.count += 1
            else:
                with psycopg2.connect(dbname=self.db) as conn, conn.cursor() as cr:
                    cr.execute("""INSERT INTO ir_cron_trigger (cron_id, call_at)
                                  SELECT res_id, now() at time zone 'UTC' FROM ir_model_data
                                  WHERE module = 'stock' AND name = 'ir_cron_scheduler_action'""")
                    conn.commit()
                    cr.execute("SELECT pg_notify('cron_trigger', %s)", [self.db])
                    conn.commit()
                    # Wait until the cron's transaction is at work, then cut everyone.
                    for _ in range(40):
                        cr.execute("""SELECT count(*) FROM ir_cron c JOIN ir_model_data d ON d.res_id = c.id
                                      AND d.model = 'ir.cron' AND d.module = 'stock'
                                      AND d.name = 'ir_cron_scheduler_action'
                                      JOIN ir_cron_progress p ON p.cron_id = c.id
                                      WHERE p.create_date > now() at time zone 'UTC' - interval '5 seconds'""")
                        conn.commit()
                        if cr.fetchone()[0]:
                            break
                        time.sleep(0.1)
                    cr.execute("""SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                                  WHERE datname = %s AND pid != pg_backend_pid()
                                  AND state IN ('active', 'idle in transaction')""", [self.db])
                    self.count += cr.fetchone()[0]
                    conn.commit()
            self.stop.wait(self.interval)


def finish(client, data, admin=None):
    """After a fault run: the scheduler runs once more, and with the suite the jobs that lost their database
    connection to a fault are queued again, as the next runs of their crons would."""
    client.call("finish.scheduler", "stock.rule", "run_scheduler")
    if admin and data.get("requeue_cron"):
        admin.call("finish.requeue", "ir.cron", "method_direct_trigger", ids=[data["requeue_cron"]])


def drive(urls, db, data, args, seed):
    stats = Stats()
    users = data["users"]
    done = threading.Event()
    deadline = time.time() + args.max_seconds
    rng = random.Random(seed)
    threads = []

    def start(target, user, *extra):
        client = Client(urls, db, user["key"], stats)
        thread = threading.Thread(target=target, args=(client, data, *extra), daemon=True)
        thread.start()
        threads.append(thread)
        return thread

    approvals = queue.Queue()  # (order ids, the rep's reply queue), with the suite
    if data["suite"]:
        start(approver, users["approver"], done, approvals)
    reps = [start(rep, user, args.orders, random.Random(rng.random()), approvals, deadline) for user in users["reps"]]
    for i, user in enumerate(users["pickers"]):
        start(picker, user, done, random.Random(rng.random()), deadline,
              None if args.shared_pickings else (i, len(users["pickers"])))
    start(buyer, users["buyer"], done, random.Random(rng.random()))
    start(manager, users["manager"], done, random.Random(rng.random()))
    start(billing, users["billing"], done, random.Random(rng.random()))
    began = time.time()
    for thread in reps:
        thread.join(max(deadline - time.time(), 0))
    stats.sales_seconds = time.time() - began
    done.set()
    for thread in threads:
        thread.join(max(deadline - time.time(), 0) + 60)
    return stats, time.time() - began


# ----------------------------------------------------------------------------------------------------
# invariants (SQL over the database once the servers are stopped)
# ----------------------------------------------------------------------------------------------------
# Reserved: what open move lines hold (the reservation itself); the quants' reserved_quantity is Odoo's
# running counter of it, checked separately.
RESERVED_VS_STOCK = """
    WITH onhand AS (SELECT q.product_id, q.location_id, sum(q.quantity) AS qty, sum(q.reserved_quantity) AS counter
                    FROM stock_quant q JOIN stock_location l ON l.id = q.location_id
                    WHERE l.usage = 'internal' GROUP BY q.product_id, q.location_id),
         reserved AS (SELECT ml.product_id, ml.location_id, sum(ml.quantity_product_uom) AS qty
                      FROM stock_move_line ml JOIN stock_move m ON m.id = ml.move_id
                      JOIN stock_location l ON l.id = ml.location_id
                      WHERE m.state NOT IN ('done', 'cancel') AND l.usage = 'internal'
                      GROUP BY ml.product_id, ml.location_id)
    SELECT count(*) FROM onhand o LEFT JOIN reserved r USING (product_id, location_id) WHERE {condition}"""

INVARIANTS = [
    ("stock over-reserved (open move lines > on hand)",
     RESERVED_VS_STOCK.format(condition="coalesce(r.qty, 0) > greatest(o.qty, 0) + 0.0001"), True),
    # Odoo's own counter drifts under concurrency (its quant updates skip locked quants and create
    # others; the scheduler's quant tasks merge them and re-sync the counter with the move lines):
    # printed for both flavours, not counted as a violation.
    ("(info) quant reserved counter out of step with move lines",
     RESERVED_VS_STOCK.format(condition="abs(o.counter - coalesce(r.qty, 0)) > 0.0001"), True),
    ("move reserved beyond demand",
     """SELECT count(*) FROM stock_move WHERE state NOT IN ('done', 'cancel')
        AND quantity > product_uom_qty + 0.0001""", True),
    ("delivery invoiced twice",
     """SELECT count(*) FROM (SELECT distribution_picking_id FROM account_move
        WHERE distribution_picking_id IS NOT NULL AND state != 'cancel' AND move_type = 'out_invoice'
        GROUP BY distribution_picking_id HAVING count(*) > 1) d""", False),
    ("order line invoiced beyond delivered (invoice on delivery)",
     """SELECT count(*) FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id
        JOIN product_product p ON p.id = l.product_id JOIN product_template t ON t.id = p.product_tmpl_id
        WHERE o.invoice_on_delivery AND t.type = 'consu' AND l.qty_invoiced > l.qty_delivered + 0.0001""", False),
    ("order confirmed without its delivery",
     """SELECT count(*) FROM sale_order o WHERE o.state = 'sale'
        AND EXISTS (SELECT 1 FROM sale_order_line l JOIN product_product p ON p.id = l.product_id
                    JOIN product_template t ON t.id = p.product_tmpl_id WHERE l.order_id = o.id AND t.is_storable)
        AND NOT EXISTS (SELECT 1 FROM stock_move m JOIN sale_order_line l ON l.id = m.sale_line_id
                        WHERE l.order_id = o.id)""", True),
    # By quantity, not by invoice per transfer: since invoicing on delivery is a background job, a billing
    # clerk who invoices the order between the validation and the job invoices the delivery (the job then
    # finds nothing left to invoice), which is right.
    ("delivery shipped, not invoiced (invoice on delivery)",
     """SELECT count(*) FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id
        WHERE o.state = 'sale' AND o.invoice_on_delivery AND o.flow_state != 'on_hold'
        AND l.display_type IS NULL AND l.qty_delivered > l.qty_invoiced""",
     False),
    ("background job failed (queue_job)",
     "SELECT count(*) FROM queue_job WHERE state = 'failed'", False),
    ("duplicate open exception per source",
     """SELECT count(*) FROM (SELECT 1 FROM distribution_exception
        WHERE state IN ('new', 'in_progress', 'waiting') GROUP BY type_id, company_id, res_model, res_id
        HAVING count(*) > 1) d""", False),
    ("RFQ line ordered twice for one need",
     """SELECT count(*) FROM (SELECT l.product_id FROM purchase_order_line l
        JOIN purchase_order o ON o.id = l.order_id WHERE o.state IN ('draft', 'sent')
        GROUP BY o.partner_id, o.picking_type_id, l.product_id HAVING count(DISTINCT o.id) > 1) d""", True),
    ("order confirmed without its approvals",
     """SELECT count(*) FROM sale_order o WHERE o.state = 'sale' AND (
            EXISTS (SELECT 1 FROM tier_review r WHERE r.model = 'sale.order' AND r.res_id = o.id
                    AND r.status != 'approved')
            OR (o.max_discount > 10 AND NOT EXISTS (SELECT 1 FROM tier_review r WHERE r.model = 'sale.order'
                    AND r.res_id = o.id AND r.status = 'approved')))""", False),
    ("flow events out of order",
     """SELECT count(*) FROM (SELECT order_id, state_from,
            lag(state_to) OVER (PARTITION BY order_id ORDER BY date, id) AS previous
        FROM sale_order_flow_event) e WHERE e.state_from IS DISTINCT FROM e.previous""", False),
]


def drain_jobs(db, timeout):
    """Wait until queue_job has no job left to run (pending, enqueued, started) or ``timeout`` seconds
    passed; return the seconds waited and the jobs still not done."""
    import psycopg2

    started = time.monotonic()
    empty_since = None
    with psycopg2.connect(dbname=db) as conn:
        conn.autocommit = True
        with conn.cursor() as cr:
            while True:
                cr.execute("SELECT count(*) FROM queue_job WHERE state IN ('wait_dependencies', 'pending', "
                           "'enqueued', 'started')")
                left = cr.fetchone()[0]
                waited = time.monotonic() - started
                # Empty for 2 s in a row: a validation still running in a worker when the clients stopped
                # queues its job when it commits.
                empty_since = (empty_since or time.monotonic()) if not left else None
                if (empty_since and time.monotonic() - empty_since >= 2.0) or waited >= timeout:
                    return waited, left
                time.sleep(0.5)


def check_invariants(db, suite):
    import psycopg2

    results = {}
    with psycopg2.connect(dbname=db) as conn, conn.cursor() as cr:
        for name, query, core in INVARIANTS:
            if not (core or suite):
                continue
            cr.execute(query)
            results[name] = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM sale_order WHERE state = 'sale'")
        results["_confirmed orders"] = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM stock_picking WHERE state = 'done'")
        results["_validated transfers"] = cr.fetchone()[0]
    return results


# ----------------------------------------------------------------------------------------------------
# servers
# ----------------------------------------------------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args, db, log, queue_job=False, workers=None, cron_threads=None):
    """odoo-bin in prefork mode; with ``queue_job``, queue_job's runner too (a worker process of its own
    that dispatches jobs to this server's HTTP workers; with two servers, one runner wins the database)."""
    port, gevent_port = free_port(), free_port()
    workers = args.workers if workers is None else workers
    cron_threads = args.cron_threads if cron_threads is None else cron_threads
    command = [
        args.python, args.odoo_bin, "-d", db, f"--db-filter=^{db}$", f"--addons-path={args.addons_path}",
        "--http-interface=127.0.0.1", f"--http-port={port}", f"--gevent-port={gevent_port}",
        f"--workers={workers}", f"--max-cron-threads={cron_threads}",
        "--limit-time-real=300", "--limit-time-cpu=240", "--limit-memory-soft=2147483648",
        "--limit-memory-hard=2684354560", "--limit-request=8192", "--db_maxconn=32", "--proxy-mode",
        "--log-level=warn", "--log-handler=odoo.service.model:INFO", f"--logfile={log}", *args.db_args,
    ]
    env = None
    if queue_job:
        command.append("--load=base,web,queue_job")
        env = dict(os.environ, ODOO_QUEUE_JOB_CHANNELS=args.job_channels)
    process = subprocess.Popen(command, start_new_session=True, env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"{url}/web/health", timeout=2):
                return process, url
        except (TimeoutError, urllib.error.URLError, ConnectionError):
            if process.poll() is not None:
                raise SystemExit(f"odoo-bin stopped at start (log: {log})") from None
            time.sleep(0.5)
    raise SystemExit(f"odoo-bin did not answer on {url} (log: {log})")


def stop_server(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


# ----------------------------------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------------------------------
def percentile(values, q):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100.0 * (len(values) - 1))))]


def report(totals, rounds):
    flavours = [f for f in ("vanilla", "suite") if f in totals]
    ops = sorted({op for f in flavours for op in totals[f]["latencies"]})
    print()
    print(f"Per operation over {rounds} round(s) (throughput: calls per second of driving time)")
    print(f"{'operation':<20}{'flavour':<9}{'count':>7}{'ops/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  errors")
    for op in ops:
        for flavour in flavours:
            t = totals[flavour]
            lat = t["latencies"].get(op, [])
            if not lat:
                continue
            errors = ", ".join(f"{k}: {n}" for k, n in sorted(t["errors"][op].items())) or "-"
            print(f"{op:<20}{flavour:<9}{len(lat):>7}{len(lat) / t['seconds']:>8.2f}"
                  f"{percentile(lat, 50) * 1000:>9.0f}{percentile(lat, 95) * 1000:>9.0f}"
                  f"{percentile(lat, 99) * 1000:>9.0f}  {errors}")
    print()
    for flavour in flavours:
        t = totals[flavour]
        print(
            f"{flavour}: driving time {t['seconds']:.1f} s (reps {t['sales_seconds']:.1f} s), "
            f"serialization retries by Odoo {t['retries']}, "
            f"confirmed orders {t['confirmed']}, validated transfers {t['validated']}, "
            f"largest Odoo process {t['memory'] / 2**20:.0f} MiB"
            + (f", faults injected {t.get('faults', 0)}" if t.get("faults") else "")
        )
    if len(flavours) == 2:
        ok = {
            f: len(totals[f]["latencies"].get("order.confirm", []))
            - sum(n for k, n in totals[f]["errors"]["order.confirm"].items())
            for f in flavours
        }
        rate = {f: ok[f] / totals[f]["sales_seconds"] for f in flavours}
        vrate = {f: totals[f]["validated"] / totals[f]["seconds"] for f in flavours}
        if rate["vanilla"]:
            print(
                f"orders confirmed per second while the reps worked: "
                f"suite {rate['suite']:.2f} / vanilla {rate['vanilla']:.2f} "
                f"= {rate['suite'] / rate['vanilla']:.2f}x"
            )
        if vrate["vanilla"]:
            print(
                f"validated transfers per second: suite {vrate['suite']:.2f} / vanilla {vrate['vanilla']:.2f} "
                f"= {vrate['suite'] / vrate['vanilla']:.2f}x"
            )
        # The whole cycle: driving time plus the completion (jobs drained, the rest invoiced), so that both
        # flavours are timed for the same work: every order confirmed, delivered as far as stock allowed,
        # and invoiced.
        whole = {f: totals[f]["seconds"] + totals[f].get("completion", 0.0) for f in flavours}
        crate = {f: totals[f]["confirmed"] / whole[f] for f in flavours}
        wrate = {f: totals[f]["validated"] / whole[f] for f in flavours}
        if crate["vanilla"] and wrate["vanilla"]:
            print(
                f"whole cycle (driving + completion: suite {whole['suite']:.1f} s, vanilla {whole['vanilla']:.1f} s): "
                f"orders {crate['suite']:.2f} / {crate['vanilla']:.2f} = {crate['suite'] / crate['vanilla']:.2f}x, "
                f"validated transfers {wrate['suite']:.2f} / {wrate['vanilla']:.2f} "
                f"= {wrate['suite'] / wrate['vanilla']:.2f}x per second"
            )
    print()
    print("Invariant violations (sum over rounds; - : not applicable to vanilla)")
    names = [name for name, _q, _c in INVARIANTS]
    for name in names:
        row = "  ".join(f"{f} {totals[f]['invariants'].get(name, '-')}" for f in flavours)
        print(f"  {name:<58}{row}")
    violations = sum(v for f in flavours for k, v in totals[f]["invariants"].items() if not k.startswith("(info)"))
    print(f"total violations: {violations}")
    return violations


def run(args):  # noqa: C901 - the benchmark's round loop reads best in one piece; no product code
    totals = {}
    flavours = [("vanilla", args.vanilla_template), ("suite", args.suite_template)]
    if args.only:
        flavours = [f for f in flavours if f[0] == args.only]
    log_dir = args.log_dir
    os.makedirs(log_dir, exist_ok=True)
    for round_no in range(1, args.rounds + 1):
        for flavour, template in flavours:
            db = f"load_{flavour}"
            subprocess.run(["dropdb", "--if-exists", db], check=True, capture_output=True)
            subprocess.run(["createdb", "-T", template, db], check=True)
            keys = os.path.join(log_dir, f"load-{flavour}.json")
            subprocess.run([args.python, __file__, "--setup", "--db", db, "--out", keys,
                            "--reps", str(args.reps), "--pickers", str(args.pickers),
                            *(["--order-trigger", args.order_trigger] if args.order_trigger else []),
                            "--reservation", args.reservation,
                            f"--addons-path={args.addons_path}", *args.db_args], check=True)
            with open(keys) as f:
                data = json.load(f)
            logs = [os.path.join(log_dir, f"load-{flavour}-{i}.log") for i in range(2 if args.scale_out else 1)]
            for log in logs:
                if os.path.exists(log):
                    os.unlink(log)
            if args.job_server and data["suite"]:
                # The production shape of docs/DEPLOYMENT.md: the users' server(s) without queue_job's runner,
                # and a server of its own that runs the jobs (its HTTP workers serve only the runner).
                servers = [start_server(args, db, log) for log in logs]
                job_log = os.path.join(log_dir, f"load-{flavour}-jobs.log")
                if os.path.exists(job_log):
                    os.unlink(job_log)
                job_server = start_server(args, db, job_log, queue_job=True, workers=args.job_workers,
                                          cron_threads=0)
            else:
                servers = [start_server(args, db, log, queue_job=data["suite"]) for log in logs]
                job_server = None
            sampler = MemorySampler([process for process, _url in servers])
            sampler.start()
            fault = None
            if args.fault:
                fault = Fault(args.fault, [process for process, _url in servers], db, args.fault_interval)
                fault.start()
            try:
                stats, seconds = drive([url for _p, url in servers], db, data, args, seed=round_no)
                if fault:
                    fault.stop.set()
                    fault.join()
                    # What was interrupted completes on retry: the scheduler runs once more, as its
                    # next cron run would, and the deliveries still ready are validated.
                    urls = [url for _p, url in servers]
                    admin = data["users"].get("admin")
                    finish(Client(urls, db, data["users"]["buyer"]["key"], stats), data,
                           Client(urls, db, admin["key"], stats) if admin else None)
                # Completion: the suite's queued jobs run, then the billing clerk invoices what is still
                # delivered and not invoiced (both flavours): the same work done at the end of each run.
                completion_start = time.time()
                if data["suite"]:
                    drained, left = drain_jobs(db, args.drain_seconds)
                    print(f"[load] round {round_no} {flavour}: job drain {drained:.1f} s after the clients stopped"
                          f"{f', {left} jobs still waiting' if left else ''}", flush=True)
                billing_calls = complete_billing(
                    Client([url for _p, url in servers], db, data["users"]["billing"]["key"], Stats()))
                completion = time.time() - completion_start
                print(f"[load] round {round_no} {flavour}: completion {completion:.1f} s "
                      f"({billing_calls} invoicing calls after the clients stopped)", flush=True)
            finally:
                sampler.stop.set()
                if fault:
                    fault.stop.set()
                for process, _url in servers:
                    stop_server(process)
                if job_server:
                    stop_server(job_server[0])
                    logs.append(job_log)
            retries = sum(open(log).read().count("tries left, try again in") for log in logs)
            invariants = check_invariants(db, data["suite"])
            t = totals.setdefault(flavour, {"latencies": defaultdict(list), "errors": defaultdict(Counter),
                                            "seconds": 0.0, "sales_seconds": 0.0, "retries": 0, "invariants": Counter(),
                                            "confirmed": 0, "validated": 0, "samples": {},
                                            "memory": 0})
            for op, values in stats.latencies.items():
                t["latencies"][op].extend(values)
            for op, counter in stats.errors.items():
                t["errors"][op].update(counter)
            t["samples"].update(stats.samples)
            t["seconds"] += seconds
            t["completion"] = t.get("completion", 0.0) + completion
            t["sales_seconds"] += stats.sales_seconds
            t["retries"] += retries
            t["faults"] = t.get("faults", 0) + (fault.count if fault else 0)
            t["memory"] = max(t["memory"], sampler.peak)
            t["confirmed"] += invariants.pop("_confirmed orders")
            t["validated"] += invariants.pop("_validated transfers")
            t["invariants"].update(invariants)
            bad = {k: v for k, v in invariants.items() if v and not k.startswith("(info)")}
            info = {k: v for k, v in invariants.items() if v and k.startswith("(info)")}
            print(f"[load] round {round_no} {flavour}: {seconds:.1f} s, {retries} retries, "
                  f"violations {bad or 'none'}{f', {info}' if info else ''}", flush=True)
            if bad:  # kept for a look: load_<flavour>_r<round>
                kept = f"{db}_r{round_no}"
                subprocess.run(["dropdb", "--if-exists", kept], check=True, capture_output=True)
                subprocess.run(["psql", "-q", "-d", "postgres", "-c", f'ALTER DATABASE "{db}" RENAME TO "{kept}"'],
                               check=True, capture_output=True)
                print(f"[load] kept the database as {kept}", flush=True)
            elif not args.keep_db:
                subprocess.run(["dropdb", "--if-exists", db], check=True, capture_output=True)
    violations = report(totals, args.rounds)
    if args.verbose:
        for flavour, t in totals.items():
            for (op, kind), message in sorted(t["samples"].items()):
                print(f"  {flavour} {op} {kind}: {message}")
    return 1 if violations else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setup", action="store_true", help="(internal) build one round's data in --db")
    parser.add_argument("--db")
    parser.add_argument("--out")
    parser.add_argument("--vanilla-template", default="load_tpl_vanilla")
    parser.add_argument("--suite-template", default="load_tpl_suite")
    parser.add_argument("--only", choices=["vanilla", "suite"])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--reps", type=int, default=REPS_DEFAULT)
    parser.add_argument("--orders", type=int, default=6, help="orders per sales rep")
    parser.add_argument("--pickers", type=int, default=PICKERS_DEFAULT)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--cron-threads", type=int, default=1)
    parser.add_argument("--scale-out", action="store_true", help="a second Odoo server on the same database")
    parser.add_argument("--max-seconds", type=int, default=240, help="bound of one round's driving time")
    parser.add_argument("--order-trigger", choices=["none", "propose", "create"],
                        help="suite: the company's replenishment on short confirmation (default: the company's)")
    parser.add_argument("--reservation", choices=["confirmation", "background"], default="background",
                        help="suite: the company's Reserve Customer Orders setting (default: background, the "
                             "setting docs/DEPLOYMENT.md recommends for high volumes on contended stock)")
    parser.add_argument("--shared-pickings", action="store_true",
                        help="pickers take from the top of one list (two scanners on one delivery) instead of waves")
    parser.add_argument("--fault", choices=["kill-worker", "drop-db"],
                        help="inject a fault while the clients drive (see Fault)")
    parser.add_argument("--fault-interval", type=float, default=4.0, help="seconds between faults")
    parser.add_argument("--job-server", action="store_true",
                        help="suite: run queue_job's jobs on a server of their own (--job-workers HTTP workers, no "
                        "cron), the clients' server(s) without the runner: the production shape of docs/DEPLOYMENT.md")
    parser.add_argument("--job-workers", type=int, default=2, help="with --job-server: its HTTP workers")
    parser.add_argument("--job-channels", default="root:2,root.distribution.reservation:1",
                        help="suite: queue_job's channels (ODOO_QUEUE_JOB_CHANNELS) for the runner")
    parser.add_argument("--drain-seconds", type=int, default=120,
                        help="suite: at most this long, wait for the queued jobs before checking")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="print one message per error kind")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--odoo-bin", default=os.path.join(os.environ.get("ODOO_SRC", ""), "odoo-bin"))
    parser.add_argument("--addons-path", default=os.environ.get("ADDONS_PATH", ""))
    parser.add_argument("--log-dir", default=os.path.join(os.path.dirname(os.path.dirname(HERE)), ".run"))
    args, odoo_args = parser.parse_known_args()
    args.db_args = odoo_args
    if args.setup:
        setup(args.db, args.out, [f"--addons-path={args.addons_path}", *odoo_args], args.reps, args.pickers,
              args.order_trigger, args.reservation)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())

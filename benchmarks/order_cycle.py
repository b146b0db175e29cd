#!/usr/bin/env python3
"""Full order cycle benchmark: create, confirm, deliver and invoice N sale orders of 10 lines.

One database:
    order_cycle.py -d DB [--orders 20] [odoo options such as --addons-path, --db_host, --db_port, --db_user]
Two databases, suite against vanilla (each measured in its own process):
    order_cycle.py --compare VANILLA_DB SUITE_DB [--orders 20] [--rounds 1] [odoo options]

Everything runs in one registry cursor that is rolled back at the end: the database is left unchanged.
Products (10 storable ones with stock in the company's main warehouse) and a customer are created first,
untimed; then 2 warm-up orders run untimed (they fill Odoo's ormcaches and Python's lazy imports).
Each stage ends with ``cr.flush()``, which runs what a commit would run (ORM flush and precommit hooks
such as mail tracking), and starts with an empty record cache, as a new request would (``--keep-cache``
keeps the cache across stages, as a single test method would: fewer queries).
Queries are counted with ``odoo.sql_db.sql_counter``, incremented by every ``Cursor.execute`` of the
process, so a query issued through a second cursor is counted too. Besides the wall time, the CPU time of
the Odoo process (``time.process_time()``: Python's work, not PostgreSQL's) is printed: on a machine
busy with other work it moves less than the wall time, so its ratio is the steadier figure of the suite's
own cost (the goal stays on the wall time).

Database options not given on the command line come from PGHOST/PGPORT/PGUSER/PGPASSWORD (libpq) and
the addons path from ADDONS_PATH (both exported by bin/bootstrap.sh); benchmarks/run_order_cycle.sh
does all of this. Compare mode reports the goal (suite <= 1.05x vanilla time, <= 1.05x queries) and
exits 0 whether it is met or not; it exits non-zero only when a measurement could not be made.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

from bench_common import setup_odoo

STAGES = ("create", "confirm", "deliver", "invoice")
GOAL_TIME_RATIO = 1.05
GOAL_QUERY_RATIO = 1.05
STOCK_PER_PRODUCT = 1_000_000


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0],
        epilog="Options not listed here are passed to Odoo's configuration (e.g. --addons-path, --db_host).",
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("-d", "--database", help="database to measure")
    target.add_argument("--compare", nargs=2, metavar=("VANILLA_DB", "SUITE_DB"),
                        help="measure both databases and print the suite/vanilla ratios")
    parser.add_argument("--orders", type=int, default=20, help="timed orders (default 20)")
    parser.add_argument("--lines", type=int, default=10, help="lines per order (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed orders run first (default 2)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="compare mode: measure vanilla then suite this many times, alternating, "
                             "and average the rounds (default 1)")
    parser.add_argument("--keep-cache", action="store_true",
                        help="keep the record cache between stages (fewer queries; as a single test case "
                             "measures, not as separate requests do)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON (used by --compare)")
    args, odoo_args = parser.parse_known_args(argv)
    if args.orders < 1 or args.lines < 1 or args.warmup < 0 or args.rounds < 1:
        parser.error("--orders, --lines and --rounds must be positive, --warmup not negative")
    return args, odoo_args


# --- Measuring one database (runs inside Odoo) -----------------------------------------------------


def build_world(env, n_lines):
    """Customer and storable products with plenty of stock in the company's main warehouse."""
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    if not warehouse:
        raise RuntimeError(f"No warehouse for company {env.company.name}: install sale_stock.")
    customer = env["res.partner"].create({
        "name": "Benchmark Wholesale Customer",
        "email": "orders@benchmark-customer.example.com",
        "is_company": True,
        "company_id": False,
    })
    products = env["product.product"].create([{
        "name": f"Benchmark Product {i:02d}",
        "default_code": f"BENCH-{i:02d}",
        "type": "consu",
        "is_storable": True,
        "invoice_policy": "delivery",
        "list_price": 10.0 + i,
        "standard_price": 6.0 + i,
    } for i in range(n_lines)])
    for product in products:
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, STOCK_PER_PRODUCT)
    return customer, products


def run_stage(env, name, func, sample):
    """Run one stage as its own request would: empty record cache first, flush (a commit's work) last."""
    from odoo import sql_db

    env.flush_all()
    if not env.context.get("bench_keep_cache"):
        env.invalidate_all()
    queries0 = sql_db.sql_counter
    cpu0 = time.process_time()
    start = time.perf_counter()
    result = func()
    env.cr.flush()
    sample[name] = (
        (time.perf_counter() - start) * 1000.0, sql_db.sql_counter - queries0, (time.process_time() - cpu0) * 1000.0
    )
    return result


def order_cycle(env, customer, products):
    """One order through create, confirm, deliver and invoice; returns {stage: (ms, queries)}."""
    from odoo.fields import Command

    sample = {}
    order = run_stage(env, "create", lambda: env["sale.order"].create({
        "partner_id": customer.id,
        "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 5.0 + i})
                       for i, product in enumerate(products)],
    }), sample)

    run_stage(env, "confirm", order.action_confirm, sample)

    def deliver():
        pickings = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        if not pickings:
            raise RuntimeError(f"Order {order.name} has no picking to deliver (state {order.state}).")
        for move in pickings.move_ids:
            if move.quantity != move.product_uom_qty:
                move.quantity = move.product_uom_qty
        pickings.move_ids.picked = True
        res = pickings.button_validate()
        if res is not True:
            raise RuntimeError(f"Validating {pickings.mapped('name')} asked for a wizard: {res}")
    run_stage(env, "deliver", deliver, sample)

    def invoice():
        # A suite rule may already have invoiced on delivery: post what exists, create what is missing.
        invoices = order._create_invoices() if order.invoice_status == "to invoice" else env["account.move"]
        invoices |= order.invoice_ids.filtered(lambda move: move.state == "draft")
        invoices.action_post()
    run_stage(env, "invoice", invoice, sample)

    check_cycle(order)
    sample["total"] = tuple(sum(sample[s][k] for s in STAGES) for k in (0, 1, 2))
    return sample


def check_cycle(order):
    """A benchmark of a broken path measures nothing: every order must end delivered and invoiced."""
    problems = []
    if order.state != "sale":
        problems.append(f"state {order.state}")
    if any(p.state != "done" for p in order.picking_ids):
        problems.append("picking not done")
    posted = order.invoice_ids.filtered(lambda move: move.state == "posted")
    if not posted:
        problems.append("no posted invoice")
    elif order.currency_id.compare_amounts(sum(posted.mapped("amount_total")), order.amount_total):
        problems.append(f"invoiced {sum(posted.mapped('amount_total'))} of {order.amount_total}")
    if problems:
        raise RuntimeError(f"Order {order.name} did not complete its cycle: {', '.join(problems)}")


def measure_database(dbname, n_orders, n_lines, n_warmup, keep_cache=False):
    from odoo import api
    from odoo.modules.registry import Registry

    threading.current_thread().dbname = dbname
    registry = Registry(dbname)
    cr = registry.cursor()
    try:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        # A real user (access rights and record rules apply), as in the web client.
        admin = env.ref("base.user_admin")
        context = dict(admin.with_user(admin).context_get(), bench_keep_cache=keep_cache)
        env = api.Environment(cr, admin.id, context)
        customer, products = build_world(env, n_lines)
        env.cr.flush()
        for _i in range(n_warmup):
            order_cycle(env, customer, products)
        samples = [order_cycle(env, customer, products) for _i in range(n_orders)]
        modules = env["ir.module.module"].sudo().search(
            [("state", "=", "installed"), ("name", "=like", "distribution_%")]).mapped("name")
    finally:
        cr.rollback()
        cr.close()
    return {
        "database": dbname,
        "orders": n_orders,
        "lines": n_lines,
        "warmup": n_warmup,
        "keep_cache": keep_cache,
        "suite_modules": sorted(modules),
        "stages": {
            stage: {
                "ms": statistics.fmean(s[stage][0] for s in samples),
                "median_ms": statistics.median(s[stage][0] for s in samples),
                "queries": statistics.fmean(s[stage][1] for s in samples),
                "cpu_ms": statistics.fmean(s[stage][2] for s in samples),
            }
            for stage in (*STAGES, "total")
        },
    }


# --- Reporting ---------------------------------------------------------------------------------------
def print_result(result):
    print(f"Order cycle on database {result['database']}: {result['orders']} orders of {result['lines']} lines "
          f"(after {result['warmup']} untimed warm-up orders"
          f"{'; record cache kept between stages' if result['keep_cache'] else ''}); suite modules installed: "
          f"{', '.join(result['suite_modules']) or 'none'}")
    print(f"{'stage':<9}{'mean ms':>10}{'median ms':>11}{'mean queries':>14}{'Odoo CPU ms':>13}")
    for stage in (*STAGES, "total"):
        row = result["stages"][stage]
        print(f"{stage:<9}{row['ms']:>10.1f}{row['median_ms']:>11.1f}{row['queries']:>14.1f}{row['cpu_ms']:>13.1f}")


def average_rounds(results):
    first = results[0]
    return {
        **first,
        "rounds": len(results),
        "stages": {
            stage: {key: statistics.fmean(r["stages"][stage][key] for r in results)
                    for key in ("ms", "median_ms", "queries", "cpu_ms")}
            for stage in first["stages"]
        },
    }


def measure_in_subprocess(dbname, args, odoo_args):
    """Each database in its own process: its own registry, imports and caches, nothing shared."""
    cmd = [sys.executable, os.path.abspath(__file__), "-d", dbname, "--json",
           "--orders", str(args.orders), "--lines", str(args.lines), "--warmup", str(args.warmup),
           *(["--keep-cache"] if args.keep_cache else []), *odoo_args]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"Measuring database {dbname} failed (exit code {proc.returncode}); see the log above.")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(args, odoo_args):
    vanilla_db, suite_db = args.compare
    runs = {vanilla_db: [], suite_db: []}
    for round_no in range(args.rounds):
        for dbname in (vanilla_db, suite_db):
            print(f"[bench] round {round_no + 1}/{args.rounds}: measuring {dbname}", file=sys.stderr, flush=True)
            runs[dbname].append(measure_in_subprocess(dbname, args, odoo_args))
    vanilla, suite = average_rounds(runs[vanilla_db]), average_rounds(runs[suite_db])
    print_result(vanilla)
    print()
    print_result(suite)
    print()
    print(f"Suite / vanilla (goal: time <= {GOAL_TIME_RATIO:.2f}x, queries <= {GOAL_QUERY_RATIO:.2f}x; "
          f"mean of {args.rounds} round(s) of {args.orders} orders)")
    print(f"{'stage':<9}{'vanilla ms':>11}{'suite ms':>10}{'ratio':>8}  "
          f"{'vanilla q':>10}{'suite q':>9}{'ratio':>8}  {'CPU ratio':>9}  verdict")
    missed = []
    for stage in (*STAGES, "total"):
        v, s = vanilla["stages"][stage], suite["stages"][stage]
        time_ratio = s["ms"] / v["ms"] if v["ms"] else float("inf")
        query_ratio = s["queries"] / v["queries"] if v["queries"] else float("inf")
        cpu_ratio = s["cpu_ms"] / v["cpu_ms"] if v["cpu_ms"] else float("inf")
        verdict = []
        if time_ratio > GOAL_TIME_RATIO:
            verdict.append("time")
        if query_ratio > GOAL_QUERY_RATIO:
            verdict.append("queries")
        if verdict:
            missed.append(f"{stage} ({', '.join(verdict)})")
        print(f"{stage:<9}{v['ms']:>11.1f}{s['ms']:>10.1f}{time_ratio:>7.2f}x  "
              f"{v['queries']:>10.1f}{s['queries']:>9.1f}{query_ratio:>7.2f}x  {cpu_ratio:>8.2f}x  "
              f"{'over: ' + ', '.join(verdict) if verdict else 'ok'}")
    print()
    if missed:
        print(f"GOAL MISSED: {'; '.join(missed)}")
    else:
        print("GOAL MET")


def main(argv=None):
    args, odoo_args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.compare:
        compare(args, odoo_args)
        return 0
    setup_odoo(odoo_args)
    result = measure_database(args.database, args.orders, args.lines, args.warmup, args.keep_cache)
    if args.json:
        print(json.dumps(result))
    else:
        print_result(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

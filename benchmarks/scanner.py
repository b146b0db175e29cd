#!/usr/bin/env python3
"""Warehouse scanner benchmark: server time and queries per scan and per validation.

    scanner.py -d DB [--lines 50] [--repeat 20] [odoo options]

DB must have distribution_warehouse_scanner installed (see run_scanner.sh). Everything runs in one registry
cursor rolled back at the end: the database is left unchanged.

Untimed setup: a warehouse with two shelves, ``--lines`` barcoded storable products with stock on them, a
warehouse worker with inventory rights only, and deliveries of ``--lines`` lines and of 5 lines (100
units each), confirmed, reserved and claimed by the worker (``scanner_open``).

Timed, as the worker, each call from an empty record cache (as a new request starts), median and worst of
``--repeat`` runs after a warm-up: ``scanner_scan`` of a product (the line of the middle of the transfer)
on the 5-line and on the large transfer, so the queries per scan can be compared (they must not depend on
the transfer's size); then ``scanner_validate`` of each transfer fully counted (time and queries, once:
validation runs core's ``button_validate`` and the suite's follow-ups), and, as a baseline, core's
``button_validate`` alone on a third transfer of ``--lines`` lines picked in full (what Inventory's Validate
button costs).
"""

import argparse
import statistics
import sys
import time

from bench_common import setup_odoo


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Options not listed here are passed to Odoo's configuration (e.g. --addons-path, --db_host).",
    )
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=20)
    args, odoo_args = parser.parse_known_args(argv)
    if args.lines < 5 or args.repeat <= 0:
        parser.error("--lines must be at least 5 and --repeat positive")
    return args, odoo_args


def build_world(env, n_lines):
    from odoo.tests import new_test_user

    worker = new_test_user(env, login="scanner_bench_worker", groups="stock.group_stock_user")
    warehouse = env["stock.warehouse"].create({"name": "Scanner bench", "code": "SBW"})
    shelf = env["stock.location"].create(
        {"name": "Bench shelf", "location_id": warehouse.lot_stock_id.id, "barcode": "SBW-SHELF"}
    )
    products = env["product.product"].create(
        [{"name": f"Scanner bench {i}", "is_storable": True, "barcode": f"SBW-P-{i:04d}"} for i in range(n_lines)]
    )
    for product in products:
        env["stock.quant"]._update_available_quantity(product, shelf, 1000)
    customers = env.ref("stock.stock_location_customers")
    pickings = {}
    for size in (5, n_lines, "web"):
        lines = products[:n_lines] if size == "web" else products[:size]
        picking = env["stock.picking"].create(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    (0, 0, {"product_id": p.id, "product_uom_qty": 100, "product_uom": p.uom_id.id,
                            "location_id": warehouse.lot_stock_id.id, "location_dest_id": customers.id})
                    for p in lines
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        pickings[size] = picking
    return worker, shelf, products, pickings


def measure(env, func, repeat):
    from odoo import sql_db

    # Two warm-ups, each from an empty cache: ormcaches, lazy imports and plans are then as a busy server has them.
    for _warmup in range(2):
        env.invalidate_all()
        func()
        env.flush_all()
    samples, queries = [], []
    for _run in range(repeat):
        env.invalidate_all()
        before = sql_db.sql_counter
        start = time.perf_counter()
        func()
        env.flush_all()
        samples.append((time.perf_counter() - start) * 1000.0)
        queries.append(sql_db.sql_counter - before)
    return statistics.median(samples), max(samples), max(queries)


def run(dbname, n_lines, repeat):
    import odoo
    from odoo import sql_db
    from odoo.modules.registry import Registry

    registry = Registry(dbname)
    cr = registry.cursor()
    try:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if "scanner_qty" not in env["stock.move.line"]._fields:
            raise RuntimeError(f"{dbname}: distribution_warehouse_scanner is not installed")
        worker, shelf, products, pickings = build_world(env, n_lines)
        Picking = env["stock.picking"].with_user(worker)
        print(f"Scanner benchmark on {dbname}: deliveries of 5 and {n_lines} lines, {repeat} runs per figure")
        scan_queries = {}
        web = pickings.pop("web")
        for size, picking in pickings.items():
            Picking.scanner_open(picking.id)
            state = Picking.scanner_scan(picking.id, shelf.barcode, {})["state"]
            product = products[size // 2]
            median, worst, queries = measure(
                env, lambda p=picking, b=product.barcode, s=state: Picking.scanner_scan(p.id, b, s), repeat
            )
            scan_queries[size] = queries
            print(f"scan, {size:3d}-line transfer   median {median:7.1f} ms  worst {worst:7.1f} ms  "
                  f"{queries:4d} queries")
        same = len(set(scan_queries.values())) == 1
        print(("Queries per scan do not depend on the transfer's size" if same else
               "Queries per scan DIFFER with the transfer's size") + f": {scan_queries}")
        for size, picking in pickings.items():
            # Count every line in full (typed quantities), then validate once.
            for line in picking.move_line_ids:
                Picking.scanner_set_quantity(line.id, line.quantity)
            env.flush_all()
            env.invalidate_all()
            before = sql_db.sql_counter
            start = time.perf_counter()
            result = Picking.scanner_validate(picking.id, True)
            env.flush_all()
            ms = (time.perf_counter() - start) * 1000.0
            queries = sql_db.sql_counter - before
            if not result["done"]:
                raise RuntimeError(f"{picking.name} was not validated: {result['message']}")
            print(f"validate, {size:3d}-line transfer  {ms:8.1f} ms  {queries:5d} queries")
        # The baseline: the same validation from Inventory's form (quantities picked, Validate).
        web = web.with_user(worker)
        web.move_ids.picked = True
        env.flush_all()
        env.invalidate_all()
        before = sql_db.sql_counter
        start = time.perf_counter()
        web.button_validate()
        env.flush_all()
        ms = (time.perf_counter() - start) * 1000.0
        print(f"button_validate alone, {n_lines}-line transfer (web client baseline)  {ms:8.1f} ms  "
              f"{sql_db.sql_counter - before:5d} queries")
    finally:
        cr.rollback()
        cr.close()


def main(argv=None):
    args, odoo_args = parse_args(sys.argv[1:] if argv is None else argv)
    setup_odoo(odoo_args)
    run(args.database, args.lines, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())

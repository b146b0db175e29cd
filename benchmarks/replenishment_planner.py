#!/usr/bin/env python3
"""Replenishment planner benchmark: the suite's planner against Odoo's own Replenishment report on the
same data, set up as a distributor's: products x 3 warehouses with stock, open sale demand and history.

    replenishment_planner.py -d DB [--products 10000] [--open-lines 50000] [--history-lines 30000]
                             [odoo options such as --addons-path, --db_user]

DB must have distribution_replenishment installed (see run_replenishment_planner.sh). Everything runs in
one registry cursor rolled back at the end: the database is left unchanged.

Untimed setup: 2 more warehouses (3 in all, the branches resupplied from the first), ``--products``
storable products with a vendor (price, lead time 2-20 days, some minimum quantities), stock in the
warehouses (quants inserted in SQL for 70 % of product x warehouse), ``--open-lines`` open customer
deliveries (the open sale lines' demand, as stock moves in state confirmed, inserted in SQL) and
``--history-lines`` done deliveries over the last 90 days, then ANALYZE.

Timed, each from an empty record cache:
1. the suite's planner: ``distribution.replenishment.run._compute_plan()`` over every product and
   warehouse (positions, incoming, demand, history, forecast, safety stock, transfers first, vendors,
   rounding, proposal lines written);
2. Odoo's Replenishment report as the menu opens it: ``stock.warehouse.orderpoint.action_open_orderpoints()``
   (it creates the manual orderpoints of every product short in a warehouse), then reading what its list
   shows (on hand, forecast, quantity to order) on those orderpoints.
3. executing ``--execute`` of the proposals (200 by default; 0 skips it) through Odoo's procurement, as
   "Execute" does: once in one batch (``_execute``: core groups the RFQs and transfers), once one proposal
   at a time (``_execute_one_by_one``, the fallback when a batch fails), each rolled back after.
It prints times and query counts, the ratios, and whether the goals are met (planner < 60 s, at least
5x faster than Odoo's report, the batch not slower than one by one). Exits non-zero only when a
measurement could not be made.
"""

import argparse
import cProfile
import random
import sys
import time

from bench_common import setup_odoo

GOAL_SECONDS = 60.0
GOAL_RATIO = 5.0


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Options not listed here are passed to Odoo's configuration (e.g. --addons-path, --db_host).",
    )
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--open-lines", type=int, default=50_000)
    parser.add_argument("--history-lines", type=int, default=30_000)
    parser.add_argument("--skip-odoo", action="store_true", help="do not time Odoo's report")
    parser.add_argument("--execute", type=int, default=200, help="proposals executed (0: none)")
    parser.add_argument("--profile", help="write the planner's cProfile statistics to this file (pstats format; "
                        "the time printed then includes the profiler's overhead)")
    args, odoo_args = parser.parse_known_args(argv)
    if min(args.products, args.open_lines, args.history_lines) <= 0:
        parser.error("--products, --open-lines and --history-lines must be positive")
    return args, odoo_args




def build_world(env, n_products, n_open, n_history):
    from odoo import Command

    rng = random.Random(42)
    company = env.company
    main = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    branches = env["stock.warehouse"].create(
        [{"name": f"Bench Branch {code}", "code": code, "company_id": company.id} for code in ("BB1", "BB2")]
    )
    for branch in branches:
        branch.resupply_wh_ids = [Command.link(main.id)]
    warehouses = main | branches
    vendors = env["res.partner"].create([{"name": f"Bench Vendor {i}", "is_company": True} for i in range(50)])
    categ = env["product.category"].create({"name": "Bench replenishment"})
    buy_route = env.ref("purchase_stock.route_warehouse0_buy")
    products = env["product.product"]
    batch = 1000
    for start in range(0, n_products, batch):
        products |= env["product.product"].create(
            [
                {
                    "name": f"Bench item {i:05d}",
                    "default_code": f"BENCH-{i:05d}",
                    "is_storable": True,
                    "categ_id": categ.id,
                    "standard_price": 5.0,
                    "route_ids": [Command.link(buy_route.id)],
                }
                for i in range(start, min(start + batch, n_products))
            ]
        )
        env.flush_all()
        env.invalidate_all()
    env["product.supplierinfo"].create(
        [
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "partner_id": vendors[index % len(vendors)].id,
                "price": 4.0,
                "delay": 2 + index % 19,
                "min_qty": 0 if index % 5 else 10,
            }
            for index, product in enumerate(products)
        ]
    )
    env.flush_all()
    cr = env.cr
    unit = env.ref("uom.product_uom_unit").id
    customers = env.ref("stock.stock_location_customers").id
    stock_locations = warehouses.mapped("lot_stock_id").ids
    product_ids = products.ids
    quant_rows = [
        (pid, location, float(rng.randint(0, 200)))
        for pid in product_ids
        for location in stock_locations
        if rng.random() < 0.7
    ]
    cr.execute(
        """
        INSERT INTO stock_quant (product_id, location_id, quantity, reserved_quantity, in_date, company_id,
                                 create_uid, write_uid, create_date, write_date)
        SELECT p, l, q, 0, now() AT TIME ZONE 'UTC', %s, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM unnest(%s::int[], %s::int[], %s::numeric[]) AS t(p, l, q)
        """,
        [company.id, [r[0] for r in quant_rows], [r[1] for r in quant_rows], [r[2] for r in quant_rows]],
    )

    def insert_moves(count, state, days_back):
        rows_p, rows_l, rows_q, rows_d = [], [], [], []
        for _i in range(count):
            rows_p.append(rng.choice(product_ids))
            rows_l.append(rng.choice(stock_locations))
            rows_q.append(float(rng.randint(1, 20)))
            rows_d.append(rng.randint(0, days_back))
        cr.execute(
            """
            INSERT INTO stock_move (product_id, product_uom, product_uom_qty, product_qty, quantity, location_id,
                                    location_dest_id, state, company_id, date, procure_method, reference,
                                    create_uid, write_uid, create_date, write_date)
            SELECT p, %(unit)s, q, q, CASE WHEN %(state)s = 'done' THEN q ELSE 0 END, l, %(customers)s, %(state)s,
                   %(company)s, (now() AT TIME ZONE 'UTC') - make_interval(days => d), 'make_to_stock', 'BENCH',
                   1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM unnest(%(p)s::int[], %(l)s::int[], %(q)s::numeric[], %(d)s::int[]) AS t(p, l, q, d)
            """,
            {"unit": unit, "state": state, "customers": customers, "company": company.id,
             "p": rows_p, "l": rows_l, "q": rows_q, "d": rows_d},
        )

    insert_moves(n_open, "confirmed", 0)
    insert_moves(n_history, "done", 89)
    cr.execute("ANALYZE stock_quant; ANALYZE stock_move; ANALYZE product_product; ANALYZE product_supplierinfo")
    env.invalidate_all()
    return warehouses, products


def time_execution(env, proposals, one_by_one):
    """Seconds and queries of executing ``proposals``, rolled back after."""
    from odoo import sql_db

    cr = env.cr
    env.flush_all()
    cr.execute("SAVEPOINT bench_execute")
    env.invalidate_all()
    queries_before = sql_db.sql_counter
    start = time.perf_counter()
    if one_by_one:
        proposals.sudo()._execute_one_by_one(env["stock.rule"].sudo().with_company(proposals.company_id[:1]))
    else:
        proposals._execute()
    env.flush_all()
    seconds = time.perf_counter() - start
    queries = sql_db.sql_counter - queries_before
    purchases = len(proposals.run_id.purchase_ids)
    done = len(proposals.filtered(lambda line: line.state == "done"))
    cr.execute("ROLLBACK TO SAVEPOINT bench_execute")
    env.invalidate_all()
    return seconds, queries, purchases, done


def run(dbname, n_products, n_open, n_history, skip_odoo, n_execute=0, profile=None):
    import odoo
    from odoo import sql_db
    from odoo.modules.registry import Registry

    registry = Registry(dbname)
    cr = registry.cursor()
    try:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if "distribution.replenishment.run" not in env:
            raise RuntimeError(f"{dbname}: distribution_replenishment is not installed")
        admin = env.ref("base.user_admin")
        start = time.perf_counter()
        warehouses, products = build_world(env, n_products, n_open, n_history)
        setup = time.perf_counter() - start
        print(f"Replenishment benchmark on {dbname}: {len(products):,} products x {len(warehouses)} warehouses, "
              f"{n_open:,} open delivery lines, {n_history:,} done deliveries over 90 days "
              f"(setup {setup:.0f} s, untimed)")
        env = env(user=admin, context=admin.context_get())

        # 1. The suite's planner.
        planner = env["distribution.replenishment.run"].create({})
        env.flush_all()
        env.invalidate_all()
        queries_before = sql_db.sql_counter
        profiler = cProfile.Profile() if profile else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        planner._compute_plan()
        env.flush_all()
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        planner_seconds = time.perf_counter() - start
        planner_queries = sql_db.sql_counter - queries_before
        lines = planner.line_ids
        print(f"suite planner       {planner_seconds:8.2f} s  {planner_queries:6d} queries  "
              f"{planner.planned_pairs:,} product x warehouse planned, {len(lines):,} proposals "
              f"({len(lines.filtered(lambda line: line.action == 'transfer')):,} transfers, "
              f"{len(lines.filtered(lambda line: line.action == 'buy')):,} purchases)")
        verdicts = [planner_seconds < GOAL_SECONDS]

        if not skip_odoo:
            # 2. Odoo's Replenishment report, as its menu opens it.
            Orderpoint = env["stock.warehouse.orderpoint"].with_context(
                search_default_filter_to_reorder=True, search_default_filter_not_snoozed=True, default_trigger="manual"
            )
            env.invalidate_all()
            queries_before = sql_db.sql_counter
            start = time.perf_counter()
            Orderpoint.action_open_orderpoints()
            orderpoints = Orderpoint.search([("trigger", "=", "manual")])
            orderpoints.read(["qty_on_hand", "qty_forecast", "qty_to_order", "lead_horizon_date"])
            env.flush_all()
            odoo_seconds = time.perf_counter() - start
            odoo_queries = sql_db.sql_counter - queries_before
            print(f"Odoo replenishment  {odoo_seconds:8.2f} s  {odoo_queries:6d} queries  "
                  f"{len(orderpoints):,} orderpoints")
            ratio = odoo_seconds / planner_seconds if planner_seconds else float("inf")
            print(f"ratio: the planner is {ratio:.1f}x faster than Odoo's report (goal: at least {GOAL_RATIO:.0f}x)")
            verdicts.append(ratio >= GOAL_RATIO)
        if n_execute:
            # 3. Executing proposals: in one batch, then one by one, on the same proposals.
            proposals = lines.filtered(lambda line: line.action != "none" and line.qty_to_order > 0)[:n_execute]
            planner.sudo().reference_id = env["stock.reference"].sudo().create({"name": planner.name})
            figures = {}
            for label, one_by_one in (("batch", False), ("one by one", True)):
                seconds, queries, purchases, done = time_execution(env, proposals, one_by_one)
                figures[label] = (seconds, queries)
                print(f"execute {label:<11} {seconds:8.2f} s  {queries:6d} queries  {done:,} of "
                      f"{len(proposals):,} proposals done, {purchases:,} RFQs")
            (batch_s, batch_q), (single_s, single_q) = figures["batch"], figures["one by one"]
            print(f"ratio: the batch takes {batch_s / single_s:.2f}x the time and {batch_q / single_q:.2f}x the "
                  "queries of one by one")
            verdicts.append(batch_s <= single_s)
        print(("GOAL MET" if all(verdicts) else "GOAL MISSED")
              + f": planner {planner_seconds:.1f} s for a goal under {GOAL_SECONDS:.0f} s")
    finally:
        cr.rollback()
        cr.close()


def main(argv=None):
    args, odoo_args = parse_args(sys.argv[1:] if argv is None else argv)
    setup_odoo(odoo_args)
    run(args.database, args.products, args.open_lines, args.history_lines, args.skip_odoo, args.execute,
        profile=args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())

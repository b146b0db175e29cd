#!/usr/bin/env python3
"""KPI views benchmark: the distribution_kpi report views (SQL views) and the KPI dashboard over a year of
orders, server time.

    kpi_views.py -d DB [--orders 100000] [--repeat 5] [--explain] [odoo options such as --addons-path, --db_user]

DB must have distribution_kpi installed (bench_kpi, see run_kpi_views.sh).

Data (generated once and committed; a later run finds the orders named ``KPIB/...`` and skips it):
- through the ORM, the dimensions: 3 warehouses (the main one and 2 more), 5 customer classes, 3 sales teams,
  20 salespeople, 6 warehouse users, 2,000 customers (companies, 90 % with a class: the company-dependent
  ``distribution_class_id``), 2,000 storable products; then one real order of 2 lines confirmed, shipped
  short, its backorder shipped (the templates of every row below, so each NOT NULL column and foreign key is
  the ORM's own);
- set-based SQL (INSERT ... SELECT over generate_series, ids reserved from the tables' sequences), from
  those template rows: ``--orders`` confirmed sale orders confirmed over the last 365 days, 1 to 9 lines
  (5 on average), each with a done delivery; 15 % shipped short first (one line), with a backorder done a
  few days later or still open (recent ones, and 8 % of the older ones); 5 to 7 flow events per order
  (quotation, confirmed, reserved, partially shipped, shipped, invoiced, closed, with increasing dates;
  invoiced and closed only when their date is past); the pick accuracy columns of each validated transfer;
  about 3,000 return and claim exceptions (90 % resolved); committed, then VACUUM ANALYZE.

Timed, as the admin user (not the superuser: access rights and the KPI record rules apply), each call after
one warm-up run, ``--repeat`` runs with an empty record cache before each:
- for each of the 5 KPI models: ``formatted_read_group`` grouped by warehouse and month with the measures of
  its pivot view; the same for one month (the last full month of the data); the pivot's own first load
  (``formatted_read_grouping_sets`` of its default rows x columns, with totals, as the web client sends it);
  ``search_count([])``;
- ``distribution.kpi.dashboard.get_dashboard_data('month')`` and ``('quarter')`` (20 read_groups + 2).
It prints the median and worst milliseconds and SQL queries of each call, then ``GOAL MET`` when every
median is under 1,000 ms, else ``GOAL MISSED`` with the slow calls; ``--explain`` prints the top of the
EXPLAIN ANALYZE plan of the slowest query of each slow call. Exits non-zero only when a measurement could
not be made.
"""

import argparse
import sys
import time
from datetime import datetime, timedelta

from bench_common import clone_rows, explain_slowest, measure, reserve_ids, setup_odoo, vacuum_analyze

GOAL_MS = 1000.0
PREFIX = "KPIB"
N_WAREHOUSES, N_CLASSES, N_TEAMS, N_SALESPEOPLE, N_PICKERS = 3, 5, 3, 20, 6
N_CUSTOMERS, N_PRODUCTS = 2000, 2000
DAYS = 365
VACUUMED = ("sale_order", "sale_order_line", "stock_picking", "stock_move", "sale_order_flow_event",
            "distribution_exception", "res_partner", "product_product", "product_template")

# model: (pivot rows, pivot columns, date field of the columns / month filter, pivot measures)
PIVOTS = {
    "distribution.kpi.order": (
        "warehouse_id", "date_shipped:month", "date_shipped",
        ["ship_days_median:median", "ship_days_p90:p90", "quote_to_invoice_days_median:median",
         "invoice_lag_days_median:median"],
    ),
    "distribution.kpi.fill": (
        "warehouse_id", "date:month", "date",
        ["line_fill_rate:ratio", "qty_fill_rate:ratio", "line_count:sum"],
    ),
    "distribution.kpi.backorder": (
        "warehouse_id", "age_bucket", "date",
        ["backorder_count:sum", "qty_open:sum", "age_days_max:max"],
    ),
    "distribution.kpi.pick": (
        "picking_type_id", "validated_by_id", "date",
        ["line_accuracy:ratio", "qty_accuracy:ratio", "picking_count:sum"],
    ),
    "distribution.kpi.return": (
        "type_id", "date:month", "date",
        ["resolution_days_median:median", "resolution_days_p90:p90", "case_count:sum", "resolved_rate:ratio"],
    ),
}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Options not listed here are passed to Odoo's configuration (e.g. --addons-path, --db_host).",
    )
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--orders", type=int, default=100_000, help="sale orders to generate (default 100000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each call (default 5)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query of slow calls")
    args, odoo_args = parser.parse_known_args(argv)
    if args.orders < 100 or args.repeat <= 0:
        parser.error("--orders must be at least 100 and --repeat positive")
    return args, odoo_args


# ----------------------------------------------------------------------------------------------------------
# Data generation
# ----------------------------------------------------------------------------------------------------------
def make_dimensions(env):
    """Warehouses, classes, teams, users, customers and products, through the ORM."""
    from odoo.tests import new_test_user

    company = env.company
    Warehouse = env["stock.warehouse"]
    warehouses = Warehouse.search([("company_id", "=", company.id)], order="id", limit=1)
    for index in range(2, N_WAREHOUSES + 1):
        warehouses |= Warehouse.create(
            {"name": f"{PREFIX} Warehouse {index}", "code": f"KB{index}", "company_id": company.id}
        )
    classes = env["distribution.customer.class"].search([], order="id")[:N_CLASSES]
    for index in range(len(classes) + 1, N_CLASSES + 1):
        classes |= classes.create({"name": f"{PREFIX} Class {index}", "code": f"KB{index}"})
    teams = env["crm.team"].create(
        [{"name": f"{PREFIX} Team {i}", "company_id": company.id} for i in range(1, N_TEAMS + 1)]
    )
    salespeople = env["res.users"].browse(
        [
            new_test_user(
                env,
                login=f"kpib_sales_{i:02d}",
                groups="sales_team.group_sale_salesman",
                name=f"{PREFIX} Salesperson {i:02d}",
            ).id
            for i in range(1, N_SALESPEOPLE + 1)
        ]
    )
    pickers = env["res.users"].browse(
        [
            new_test_user(
                env, login=f"kpib_picker_{i:02d}", groups="stock.group_stock_user", name=f"{PREFIX} Picker {i:02d}"
            ).id
            for i in range(1, N_PICKERS + 1)
        ]
    )
    for index, team in enumerate(teams):
        team.member_ids = salespeople.filtered(lambda u, i=index: u.id % N_TEAMS == i)
    customers = env["res.partner"].with_context(mail_create_nolog=True, tracking_disable=True).create([
        {
            "name": f"{PREFIX} Customer {i:04d}",
            "is_company": True,
            "ref": f"KPIB{i:04d}",
            "distribution_class_id": classes[i % N_CLASSES].id if i % 10 else False,
        }
        for i in range(1, N_CUSTOMERS + 1)
    ])
    products = env["product.product"].with_context(mail_create_nolog=True, tracking_disable=True).create([
        {
            "name": f"{PREFIX} Product {i:04d}",
            "default_code": f"KPIB-{i:04d}",
            "type": "consu",
            "is_storable": True,
            "list_price": 5 + (i * 37) % 200,
            "standard_price": round((5 + (i * 37) % 200) * (0.55 + (i % 7) * 0.05), 2),
            "taxes_id": [(5, 0, 0)],
        }
        for i in range(1, N_PRODUCTS + 1)
    ])
    return warehouses, classes, teams, salespeople, pickers, customers, products


def make_template_order(env, warehouse, customer, salesperson, products):
    """One order through the whole ORM path: confirmed, first delivery short, backorder delivered."""
    order = env["sale.order"].create({
        "partner_id": customer.id,
        "warehouse_id": warehouse.id,
        "user_id": salesperson.id,
        "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 10}) for product in products[:2]],
    })
    for product in products[:2]:
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 1000)
    order.action_confirm()
    if order.state != "sale" or len(order.picking_ids) != 1:
        raise RuntimeError(
            f"The template order was not confirmed with one delivery ({order.state}, {order.flow_state})"
        )
    picking = order.picking_ids
    picking.action_assign()
    for move, quantity in zip(picking.move_ids.sorted("id"), (10, 6), strict=False):
        move.quantity = quantity
        move.picked = True
    picking._action_done()
    backorder = picking.backorder_ids
    if picking.state != "done" or len(backorder) != 1:
        raise RuntimeError("The template delivery did not leave one backorder")
    for move in backorder.move_ids:
        move.quantity = move.product_uom_qty
        move.picked = True
    backorder._action_done()
    env.flush_all()
    return order, picking, backorder


def generate(env, n_orders):
    from odoo import fields

    cr = env.cr
    company = env.company
    start_time = time.perf_counter()
    warehouses, classes, teams, salespeople, pickers, customers, products = make_dimensions(env)
    order, picking, _backorder = make_template_order(env, warehouses[0], customers[0], salespeople[0], products)
    customer_location = picking.location_dest_id
    rules = [
        env["stock.rule"]
        .search([("picking_type_id", "=", wh.out_type_id.id), ("location_dest_id", "=", customer_location.id)], limit=1)
        .id
        or None
        for wh in warehouses
    ]
    types = env["distribution.exception.type"].search([("code", "in", ("return", "claim")), ("company_id", "=", False)])
    orm_seconds = time.perf_counter() - start_time
    print(f"  dimensions and template order through the ORM: {orm_seconds:.1f} s", flush=True)

    now = fields.Datetime.now()
    products_sorted = products.sorted("id")
    params = {
        "n": n_orders,
        "now": now,
        "start": now - timedelta(days=DAYS),
        "days": DAYS,
        "company": company.id,
        "customers": customers.ids,
        "salespeople": salespeople.ids,
        "pickers": pickers.ids,
        "teams": teams.ids,
        "warehouses": warehouses.ids,
        "out_types": [wh.out_type_id.id for wh in warehouses],
        "stock_locs": [wh.lot_stock_id.id for wh in warehouses],
        "rules": rules,
        "products": products_sorted.ids,
        "product_names": [p.display_name for p in products_sorted],
        "prices": [p.list_price for p in products_sorted],
        "costs": [p.standard_price for p in products_sorted],
        "customer_loc": customer_location.id,
        "n_customers": len(customers),
        "n_products": len(products),
        "prefix": PREFIX,
        "return_type": types.filtered(lambda t: t.code == "return").id,
        "claim_type": types.filtered(lambda t: t.code == "claim").id,
    }

    def step(label, sql, extra=None):
        t0 = time.perf_counter()
        cr.execute(sql, dict(params, **(extra or {})))
        print(f"  {label}: {cr.rowcount:,} rows, {time.perf_counter() - t0:.1f} s", flush=True)

    cr.execute("SELECT setseed(0.42)")
    # One row per order: its dimensions and milestones (the same random draws feed every table).
    step("orders planned", """
        CREATE TEMP TABLE kpib_o ON COMMIT DROP AS
        WITH base AS (
            SELECT g,
                   %(start)s::timestamp + (g - 1 + random()) * make_interval(days => %(days)s) / %(n)s AS confirmed,
                   1 + floor(%(n_customers)s * power(random(), 1.6))::int AS cust,
                   random() AS r_short, random() AS r_open, random() AS r_quote, random() AS r_res,
                   random() AS r_ship, random() AS r_bo, random() AS r_inv,
                   1 + floor(random() * 9)::int AS n_lines
              FROM generate_series(1, %(n)s) g
        ), dims AS (
            SELECT base.*,
                   CASE WHEN cust %% 10 < 5 THEN 1 WHEN cust %% 10 < 8 THEN 2 ELSE 3 END AS wh,
                   1 + cust %% array_length(%(salespeople)s::int[], 1) AS rep,
                   r_short < 0.15 AS short,
                   confirmed - make_interval(secs => 86400 * (0.05 + 3 * r_quote * r_quote)) AS quoted,
                   confirmed + make_interval(secs => 60 * (5 + 115 * r_res)) AS reserved,
                   LEAST(confirmed + make_interval(secs => 86400 * (0.2 - 1.5 * ln(1 - r_ship))),
                         confirmed + (%(now)s::timestamp - confirmed) * 0.8) AS first_ship
              FROM base
        ), bo AS (
            SELECT dims.*,
                   CASE WHEN short THEN first_ship + make_interval(secs => 86400 * (1 + 9 * r_bo)) END AS bo_done
              FROM dims
        ), shipped AS (
            SELECT bo.*,
                   short AND (bo_done > %(now)s OR r_open < 0.08) AS bo_open,
                   CASE WHEN NOT short THEN first_ship
                        WHEN NOT (bo_done > %(now)s OR r_open < 0.08) THEN bo_done END AS shipped
              FROM bo
        ), invoiced AS (
            SELECT shipped.*,
                   CASE WHEN shipped + make_interval(secs => 86400 * (-1.5 * ln(1 - r_inv))) < %(now)s
                        THEN shipped + make_interval(secs => 86400 * (-1.5 * ln(1 - r_inv))) END AS invoiced
              FROM shipped
        )
        SELECT invoiced.*,
               CASE WHEN invoiced + interval '30 days' < %(now)s THEN invoiced + interval '30 days' END AS closed,
               NULL::int AS order_id, NULL::int AS pick_id, NULL::int AS bo_id, NULL::int AS bo_move_id,
               NULL::numeric AS amount, NULL::numeric AS margin, NULL::numeric AS demand, NULL::numeric AS short_qty
          FROM invoiced
    """)
    cr.execute("CREATE INDEX ON kpib_o (g)")
    order_base = reserve_ids(cr, "sale_order", n_orders)
    pick_base = reserve_ids(cr, "stock_picking", n_orders)
    cr.execute("SELECT count(*) FROM kpib_o WHERE short")
    [n_short] = cr.fetchone()
    bo_base = reserve_ids(cr, "stock_picking", n_short)
    bo_move_base = reserve_ids(cr, "stock_move", n_short)
    cr.execute("UPDATE kpib_o SET order_id = %s + g - 1, pick_id = %s + g - 1", [order_base, pick_base])
    step("backorders mapped", """
        UPDATE kpib_o o
           SET bo_id = %(bo_base)s + s.rank - 1, bo_move_id = %(bo_move_base)s + s.rank - 1
          FROM (SELECT g, row_number() OVER (ORDER BY g) AS rank FROM kpib_o WHERE short) s
         WHERE s.g = o.g
    """, {"bo_base": bo_base, "bo_move_base": bo_move_base})

    # One row per order line; the first line of a short order is the one shipped short.
    step("lines planned", """
        CREATE TEMP TABLE kpib_l ON COMMIT DROP AS
        SELECT x.*, CASE WHEN short_line THEN 1 + floor((qty - 1) * random()) ELSE qty END AS qty_first
          FROM (SELECT row_number() OVER (ORDER BY o.g, s.n) AS l, o.g, s.n AS seq, o.short AND s.n = 1 AS short_line,
                       1 + floor(%(n_products)s * power(random(), 2))::int AS idx,
                       CASE WHEN o.short AND s.n = 1 THEN 2 ELSE 1 END + floor(random() * 40) AS qty
                  FROM kpib_o o
                  CROSS JOIN LATERAL generate_series(1, o.n_lines) s(n)) x
    """)
    n_lines = cr.rowcount
    line_base = reserve_ids(cr, "sale_order_line", n_lines)
    move_base = reserve_ids(cr, "stock_move", n_lines)
    step("order totals", """
        UPDATE kpib_o o
           SET amount = t.amount, margin = t.margin, demand = t.demand, short_qty = t.short_qty
          FROM (SELECT l.g,
                       SUM(l.qty * (%(prices)s::numeric[])[l.idx]) AS amount,
                       SUM(l.qty * ((%(prices)s::numeric[])[l.idx] - (%(costs)s::numeric[])[l.idx])) AS margin,
                       SUM(l.qty) AS demand, SUM(l.qty - l.qty_first) AS short_qty
                  FROM kpib_l l GROUP BY l.g) t
         WHERE t.g = o.g
    """)


    t0 = time.perf_counter()
    order_name = "%(prefix)s || '/' || lpad(o.g::text, 6, '0')"
    rows = clone_rows(cr, "sale_order", order.id, "kpib_o o", {
        "id": "o.order_id",
        "name": order_name,
        "partner_id": "(%(customers)s::int[])[o.cust]",
        "partner_invoice_id": "(%(customers)s::int[])[o.cust]",
        "partner_shipping_id": "(%(customers)s::int[])[o.cust]",
        "user_id": "(%(salespeople)s::int[])[o.rep]",
        "team_id": "(%(teams)s::int[])[1 + (%(salespeople)s::int[])[o.rep] %% array_length(%(teams)s::int[], 1)]",
        "warehouse_id": "(%(warehouses)s::int[])[o.wh]",
        "state": "'sale'",
        "date_order": "o.confirmed",
        "create_date": "o.quoted",
        "write_date": "COALESCE(o.closed, o.invoiced, o.shipped, o.first_ship)",
        "access_token": "NULL",
        "origin": "NULL",
        "client_order_ref": "NULL",
        "amount_untaxed": "o.amount",
        "amount_tax": "0",
        "amount_total": "o.amount",
        "margin": "o.margin",
        "margin_percent": "CASE WHEN o.amount <> 0 THEN o.margin / o.amount END",
        "invoice_status": "CASE WHEN o.invoiced IS NOT NULL THEN 'invoiced' ELSE 'to invoice' END",
        "delivery_status": "CASE WHEN o.shipped IS NOT NULL THEN 'full' ELSE 'partial' END",
        "effective_date": "o.first_ship",
        "commitment_date": "NULL",
        "flow_state": """CASE WHEN o.closed IS NOT NULL THEN 'closed' WHEN o.invoiced IS NOT NULL THEN 'invoiced'
                              WHEN o.shipped IS NOT NULL THEN 'shipped' ELSE 'partially_shipped' END""",
        "at_risk": "FALSE",
        "risk_score": "0",
        "risk_codes": "NULL",
        "risk_reasons": "NULL",
        "risk_promise_date": "NULL",
        "risk_first_flagged_at": "NULL",
        "risk_checked_at": "NULL",
        "risk_stale": "FALSE",
        "distribution_has_open_exception": "FALSE",
    }, params)
    print(f"  sale_order: {rows:,} rows, {time.perf_counter() - t0:.1f} s", flush=True)

    price, cost = "(%(prices)s::numeric[])[l.idx]", "(%(costs)s::numeric[])[l.idx]"
    delivered = "CASE WHEN o.shipped IS NOT NULL THEN l.qty ELSE l.qty_first END"
    t0 = time.perf_counter()
    cr.execute("SELECT min(id) FROM sale_order_line WHERE order_id = %s", [order.id])
    [template_line] = cr.fetchone()
    rows = clone_rows(cr, "sale_order_line", template_line, "kpib_l l JOIN kpib_o o ON o.g = l.g", {
        "id": "%(line_base)s + l.l - 1",
        "order_id": "o.order_id",
        "sequence": "10 * l.seq",
        "order_partner_id": "(%(customers)s::int[])[o.cust]",
        "salesman_id": "(%(salespeople)s::int[])[o.rep]",
        "warehouse_id": "(%(warehouses)s::int[])[o.wh]",
        "product_id": "(%(products)s::int[])[l.idx]",
        "name": "(%(product_names)s::text[])[l.idx]",
        "state": "'sale'",
        "product_uom_qty": "l.qty",
        "price_unit": price,
        "technical_price_unit": price,
        "discount": "0",
        "price_subtotal": f"l.qty * {price}",
        "price_total": f"l.qty * {price}",
        "price_tax": "0",
        "price_reduce_taxexcl": price,
        "price_reduce_taxinc": price,
        "purchase_price": cost,
        "margin": f"l.qty * ({price} - {cost})",
        "margin_percent": f"1 - {cost} / {price}",
        "qty_delivered": delivered,
        "qty_invoiced": "CASE WHEN o.invoiced IS NOT NULL THEN l.qty ELSE 0 END",
        "qty_to_invoice": f"CASE WHEN o.invoiced IS NOT NULL THEN 0 ELSE {delivered} END",
        "untaxed_amount_invoiced": f"CASE WHEN o.invoiced IS NOT NULL THEN l.qty * {price} ELSE 0 END",
        "untaxed_amount_to_invoice": f"CASE WHEN o.invoiced IS NOT NULL THEN 0 ELSE {delivered} * {price} END",
        "invoice_status": "CASE WHEN o.invoiced IS NOT NULL THEN 'invoiced' ELSE 'to invoice' END",
        "extra_tax_data": "NULL",
        "analytic_distribution": "NULL",
        "create_date": "o.quoted",
        "write_date": "COALESCE(o.invoiced, o.shipped, o.first_ship)",
    }, dict(params, line_base=line_base))
    print(f"  sale_order_line: {rows:,} rows, {time.perf_counter() - t0:.1f} s", flush=True)

    # Deliveries: the first one (done) of every order, the backorder of the short ones (done or open).
    t0 = time.perf_counter()
    picking_common = {
        "origin": order_name,
        "partner_id": "(%(customers)s::int[])[o.cust]",
        "sale_id": "o.order_id",
        "picking_type_id": "(%(out_types)s::int[])[o.wh]",
        "location_id": "(%(stock_locs)s::int[])[o.wh]",
        "location_dest_id": "%(customer_loc)s",
        "priority": "'0'",
        "date_deadline": "NULL",
        "has_deadline_issue": "FALSE",
        "distribution_has_open_exception": "FALSE",
    }
    picker = "(%(pickers)s::int[])[1 + o.g %% array_length(%(pickers)s::int[], 1)]"
    rows = clone_rows(cr, "stock_picking", picking.id, "kpib_o o", dict(picking_common, **{
        "id": "o.pick_id",
        "name": "%(prefix)s || '/OUT/' || lpad(o.g::text, 6, '0')",
        "backorder_id": "NULL",
        "state": "'done'",
        "scheduled_date": "o.reserved",
        "date_done": "o.first_ship",
        "create_date": "o.confirmed",
        "write_date": "o.first_ship",
        "pick_validated_by_id": picker,
        "pick_line_count": "o.n_lines",
        "pick_exact_line_count": "o.n_lines - o.short::int",
        "pick_demand_qty": "o.demand",
        "pick_done_qty": "o.demand - o.short_qty",
    }), params)
    if_done = "CASE WHEN o.bo_open THEN NULL ELSE {} END".format
    rows += clone_rows(cr, "stock_picking", picking.id, "(SELECT * FROM kpib_o WHERE short) o", dict(picking_common, **{
        "id": "o.bo_id",
        "name": "%(prefix)s || '/OUT/' || lpad(o.g::text, 6, '0') || '-BO'",
        "backorder_id": "o.pick_id",
        "state": "CASE WHEN o.bo_open THEN 'confirmed' ELSE 'done' END",
        "scheduled_date": "o.first_ship + interval '1 day'",
        "date_done": if_done("o.bo_done"),
        "create_date": "o.first_ship",
        "write_date": "COALESCE(" + if_done("o.bo_done") + ", o.first_ship)",
        "pick_validated_by_id": if_done(picker.replace("1 + o.g", "1 + (o.g + 1)")),
        "pick_line_count": if_done("1"),
        "pick_exact_line_count": if_done("1"),
        "pick_demand_qty": if_done("o.short_qty"),
        "pick_done_qty": if_done("o.short_qty"),
    }), params)
    print(f"  stock_picking: {rows:,} rows, {time.perf_counter() - t0:.1f} s", flush=True)

    # Moves: one done move per line in the first delivery (what it carried), one per short order in its backorder.
    t0 = time.perf_counter()
    template_move = picking.move_ids.sorted("id")[0].id
    cr.execute("SELECT value FROM stock_move WHERE id = %s", [template_move])
    value_sign = -1 if (cr.fetchone()[0] or 0) < 0 else 1
    move_common = {
        "product_id": "(%(products)s::int[])[l.idx]",
        "location_id": "(%(stock_locs)s::int[])[o.wh]",
        "location_dest_id": "%(customer_loc)s",
        "warehouse_id": "(%(warehouses)s::int[])[o.wh]",
        "picking_type_id": "(%(out_types)s::int[])[o.wh]",
        "rule_id": "(%(rules)s::int[])[o.wh]",
        "partner_id": "(%(customers)s::int[])[o.cust]",
        "sale_line_id": "%(line_base)s + l.l - 1",
        "origin": order_name,
        "sequence": "10 * l.seq",
        "priority": "'0'",
        "date_deadline": "NULL",
        "reservation_date": "NULL",
        "description_picking_manual": "NULL",
        "price_unit": cost,
        "create_date": "o.confirmed",
    }
    rows = clone_rows(cr, "stock_move", template_move, "kpib_l l JOIN kpib_o o ON o.g = l.g", dict(move_common, **{
        "id": "%(move_base)s + l.l - 1",
        "picking_id": "o.pick_id",
        "reference": "%(prefix)s || '/OUT/' || lpad(o.g::text, 6, '0')",
        "product_qty": "l.qty_first",
        "product_uom_qty": "l.qty_first",
        "quantity": "l.qty_first",
        "picked": "TRUE",
        "state": "'done'",
        "date": "o.first_ship",
        "write_date": "o.first_ship",
        "value": f"{value_sign} * l.qty_first * {cost}",
    }), dict(params, line_base=line_base, move_base=move_base))
    rows += clone_rows(cr, "stock_move", template_move, "kpib_l l JOIN kpib_o o ON o.g = l.g AND l.short_line",
                       dict(move_common, **{
        "id": "o.bo_move_id",
        "picking_id": "o.bo_id",
        "reference": "%(prefix)s || '/OUT/' || lpad(o.g::text, 6, '0') || '-BO'",
        "product_qty": "l.qty - l.qty_first",
        "product_uom_qty": "l.qty - l.qty_first",
        "quantity": "CASE WHEN o.bo_open THEN 0 ELSE l.qty - l.qty_first END",
        "picked": "NOT o.bo_open",
        "state": "CASE WHEN o.bo_open THEN 'confirmed' ELSE 'done' END",
        "date": "COALESCE(CASE WHEN o.bo_open THEN NULL ELSE o.bo_done END, o.first_ship + interval '1 day')",
        "write_date": "COALESCE(CASE WHEN o.bo_open THEN NULL ELSE o.bo_done END, o.first_ship)",
        "value": f"CASE WHEN o.bo_open THEN 0 ELSE {value_sign} * (l.qty - l.qty_first) * {cost} END",
    }), dict(params, line_base=line_base))
    print(f"  stock_move: {rows:,} rows, {time.perf_counter() - t0:.1f} s", flush=True)

    step("sale_order_flow_event", """
        INSERT INTO sale_order_flow_event (order_id, company_id, user_id, state_from, state_to, date,
                                           create_uid, write_uid, create_date, write_date)
        SELECT order_id, %(company)s, CASE WHEN rank <= 2 THEN rep_id ELSE 1 END,
               lag(state) OVER (PARTITION BY order_id ORDER BY rank), state, date, 1, 1, date, date
          FROM (SELECT o.order_id, (%(salespeople)s::int[])[o.rep] AS rep_id, e.rank, e.state, e.date
                  FROM kpib_o o
                  CROSS JOIN LATERAL (VALUES (1, 'quotation', o.quoted), (2, 'confirmed', o.confirmed),
                                             (3, 'reserved', o.reserved),
                                             (4, 'partially_shipped', CASE WHEN o.short THEN o.first_ship END),
                                             (5, 'shipped', o.shipped), (6, 'invoiced', o.invoiced),
                                             (7, 'closed', o.closed)) e(rank, state, date)
                 WHERE e.date IS NOT NULL) events
    """)

    # Returns (2/3) and claims (1/3) on every 33rd order, raised 1 to 20 days after its shipment, 90 % resolved.
    step("distribution_exception (returns, claims)", """
        INSERT INTO distribution_exception
               (name, type_id, code, audience, blocking, severity, priority, company_id, state, is_open,
                user_id, res_model, res_id, source_name, sale_order_id, picking_id, partner_id,
                date_raised, date_deadline, date_resolved, resolved_by_id, resolution_hours,
                aging_bucket, is_overdue, auto_resolved, create_uid, write_uid, create_date, write_date)
        SELECT %(prefix)s || '/' || upper(t.code) || '/' || lpad(x.g::text, 6, '0'),
               t.id, t.code, t.audience, t.blocking, t.severity,
               CASE WHEN t.severity IN ('high', 'critical') THEN '1' ELSE '0' END, %(company)s,
               x.state, x.state IN ('new', 'in_progress', 'waiting'),
               x.rep_id, 'sale.order', x.order_id, x.order_name, x.order_id, x.pick_id, x.partner_id,
               x.raised, x.raised + make_interval(hours => t.sla_hours::int),
               x.resolved, CASE WHEN x.resolved IS NOT NULL THEN x.rep_id END,
               EXTRACT(EPOCH FROM x.resolved - x.raised) / 3600.0,
               'gt7', FALSE, FALSE, 1, 1, x.raised, COALESCE(x.resolved, x.raised)
          FROM (SELECT r.*,
                       CASE WHEN r.r_res < 0.9 AND r.raised + r.res_time < %(now)s THEN 'resolved'
                            WHEN r.r_res < 0.95 THEN 'in_progress' ELSE 'new' END AS state,
                       CASE WHEN r.r_res < 0.9 AND r.raised + r.res_time < %(now)s THEN r.raised + r.res_time END
                           AS resolved
                  FROM (SELECT o.g, o.order_id, o.pick_id, %(prefix)s || '/' || lpad(o.g::text, 6, '0') AS order_name,
                               (%(customers)s::int[])[o.cust] AS partner_id, (%(salespeople)s::int[])[o.rep] AS rep_id,
                               COALESCE(o.shipped, o.first_ship) + make_interval(secs => 86400 * (1 + 19 * random()))
                                   AS raised,
                               make_interval(secs => 86400 * (0.3 - 3 * ln(1 - random()))) AS res_time,
                               random() AS r_res
                          FROM kpib_o o WHERE o.g %% 33 = 7) r
                 WHERE r.raised < %(now)s) x
          JOIN distribution_exception_type t
            ON t.id = CASE WHEN (x.g / 33) %% 3 = 0 THEN %(claim_type)s ELSE %(return_type)s END
    """)
    env["distribution.exception"]._cron_refresh_aging()
    env.invalidate_all()
    return time.perf_counter() - start_time


def bench_order_count(cr):
    cr.execute("SELECT count(*) FROM sale_order WHERE name LIKE %s", [PREFIX + "/%"])
    return cr.fetchone()[0]


def print_view_counts(env):
    """What each view holds, read as the superuser: the data is coherent when every view has rows and the
    overall figures look like a distributor's (fill rate in the 90s, median cycle of a day or two)."""
    checks = [
        (
            "distribution.kpi.order",
            ["ship_days_median:median", "invoice_lag_days_median:median", "margin_percent:ratio"],
        ),
        ("distribution.kpi.fill", ["line_fill_rate:ratio", "qty_fill_rate:ratio"]),
        ("distribution.kpi.backorder", ["age_days:avg", "qty_open:sum"]),
        ("distribution.kpi.pick", ["line_accuracy:ratio", "qty_accuracy:ratio"]),
        ("distribution.kpi.return", ["resolved_rate:ratio", "resolution_days_median:median"]),
    ]
    for model, aggregates in checks:
        [row] = env[model]._read_group([], [], ["__count", *aggregates])
        figures = ", ".join(f"{agg} {value:.2f}" if isinstance(value, float) else f"{agg} {value}"
                            for agg, value in zip(aggregates, row[1:], strict=False))
        print(f"  {model:<28} {row[0]:>9,} rows  {figures}")


# ----------------------------------------------------------------------------------------------------------
# Measurements
# ----------------------------------------------------------------------------------------------------------


def result_size(result):
    if isinstance(result, int):
        return f"{result:,} rows"
    if isinstance(result, dict) and "kpis" in result:
        return f"{len(result['kpis'])} KPIs"
    if isinstance(result, list) and result and isinstance(result[0], list):
        return "/".join(str(len(groups)) for groups in result) + " groups"
    if isinstance(result, list):
        return f"{len(result)} groups"
    return ""


def run(dbname, n_orders, repeat, explain):
    import odoo
    from odoo.modules.registry import Registry

    registry = Registry(dbname)
    cr = registry.cursor()
    try:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "en_US", "tz": "UTC"})
        if "distribution.kpi.order" not in env:
            raise RuntimeError(f"{dbname}: distribution_kpi is not installed")
        existing = bench_order_count(cr)
        if existing and existing != n_orders:
            raise RuntimeError(f"{dbname} holds {existing:,} benchmark orders, not {n_orders:,}: "
                               "recreate it (BENCH_REBUILD=1 benchmarks/run_kpi_views.sh)")
        if existing:
            print(f"Data: {existing:,} benchmark orders already in {dbname}, generation skipped")
        else:
            print(f"Generating {n_orders:,} orders in {dbname} (once; committed)", flush=True)
            seconds = generate(env, n_orders)
            # the clones copied their template's KPI facts: cleared, refilled from their own history below
            cr.execute("UPDATE sale_order SET kpi_date_created = NULL, kpi_date_confirmed = NULL, "
                       "kpi_date_shipped = NULL, kpi_date_invoiced = NULL WHERE name LIKE %s", [PREFIX + "/%"])
            cr.execute("UPDATE sale_order_line SET kpi_first_delivery_date = NULL, kpi_first_delivery_qty = NULL "
                       "WHERE order_id IN (SELECT id FROM sale_order WHERE name LIKE %s)", [PREFIX + "/%"])
            cr.commit()
            start = time.perf_counter()
            vacuum_analyze(dbname, VACUUMED)
            seconds += time.perf_counter() - start
            print(f"Generated in {seconds:.0f} s ({seconds / 60:.1f} min)", flush=True)
        # The KPI facts the module keeps as events happen (order milestones, first deliveries) are filled
        # from the SQL-written history by the module's own backfill, as at install.
        cr.execute("SELECT count(*) FROM sale_order WHERE name LIKE %s AND kpi_date_confirmed IS NULL", [PREFIX + "/%"])
        if cr.fetchone()[0]:
            from odoo.addons.distribution_kpi.hooks import backfill_kpi_facts

            start = time.perf_counter()
            backfill_kpi_facts(cr)
            cr.commit()
            vacuum_analyze(dbname, VACUUMED)
            print(f"KPI facts filled from the history in {time.perf_counter() - start:.0f} s", flush=True)
        cr.execute("SELECT max(date_order) FROM sale_order WHERE name LIKE %s", [PREFIX + "/%"])
        [last_order] = cr.fetchone()
        cr.execute(
            "SELECT (SELECT count(*) FROM sale_order_line), (SELECT count(*) FROM stock_picking), "
            "(SELECT count(*) FROM stock_move), (SELECT count(*) FROM sale_order_flow_event), "
            "(SELECT count(*) FROM distribution_exception)"
        )
        lines, pickings, moves, events, exceptions = cr.fetchone()
        print(
            f"Tables: {bench_order_count(cr):,} orders, {lines:,} order lines, {pickings:,} pickings, {moves:,} moves, "
            f"{events:,} flow events, {exceptions:,} exceptions"
        )
        print("Views (superuser):")
        print_view_counts(env)

        date_ref = last_order.date()
        month_end = date_ref.replace(day=1)
        month_start = (month_end - timedelta(days=1)).replace(day=1)
        admin = env.ref("base.user_admin")
        uenv = env(user=admin, context={"lang": "en_US", "tz": "UTC", "allowed_company_ids": [env.company.id]})

        calls = []
        for model_name, (row, col, date_field, measures) in PIVOTS.items():
            Model = uenv[model_name]
            short = model_name.split(".")[-1]
            aggregates = [*measures, "__count"]
            month = [(date_field, ">=", datetime.combine(month_start, datetime.min.time())),
                     (date_field, "<", datetime.combine(month_end, datetime.min.time()))]
            by_month = ["warehouse_id", f"{date_field}:month"]
            calls += [
                (
                    f"{short}: read_group warehouse x month",
                    lambda M=Model, g=by_month, a=aggregates: M.formatted_read_group([], g, a),
                ),
                (
                    f"{short}: same, one month ({month_start:%Y-%m})",
                    lambda M=Model, g=by_month, a=aggregates, d=month: M.formatted_read_group(d, g, a),
                ),
                (
                    f"{short}: pivot load ({row} x {col})",
                    lambda M=Model, r=row, c=col, a=aggregates: M.formatted_read_grouping_sets(
                        [], [[], [r], [c], [r, c]], a
                    ),
                ),
                (f"{short}: search_count([])", lambda M=Model: M.search_count([])),
            ]
        Dashboard = uenv["distribution.kpi.dashboard"]
        calls += [
            (
                f"dashboard: get_dashboard_data('month', {date_ref})",
                lambda: Dashboard.get_dashboard_data("month", date_ref),
            ),
            (
                f"dashboard: get_dashboard_data('quarter', {date_ref})",
                lambda: Dashboard.get_dashboard_data("quarter", date_ref),
            ),
        ]
        results = []
        for label, func in calls:
            results.append(measure(uenv, label, func, repeat))
            print(f"  measured {label}: {results[-1]['median']:.1f} ms", file=sys.stderr, flush=True)

        print(f"\nKPI views on {dbname}: {repeat} runs per call after a warm-up, empty record cache before each, "
              f"as {admin.login} (record rules applied), server time (ORM + SQL)")
        print(f"{'call':<58} {'median ms':>10} {'worst ms':>9} {'queries':>8}  result")
        for res in results:
            print(
                f"{res['label']:<58} {res['median']:>10.1f} {res['worst']:>9.1f} {res['queries']:>8}  "
                f"{result_size(res['result'])}"
            )
        slow = [res for res in results if res["median"] >= GOAL_MS]
        if slow:
            print(
                f"GOAL MISSED ({GOAL_MS:.0f} ms): "
                + "; ".join(f"{res['label']} {res['median']:.0f} ms" for res in slow)
            )
        else:
            worst = max(results, key=lambda res: res["median"])
            print(
                f"GOAL MET: every call under {GOAL_MS:.0f} ms "
                f"(slowest: {worst['label']}, {worst['median']:.0f} ms median)"
            )
        if explain:
            explain_slowest(uenv, slow)
    finally:
        cr.rollback()
        cr.close()


def main(argv=None):
    args, odoo_args = parse_args(sys.argv[1:] if argv is None else argv)
    setup_odoo(odoo_args)
    run(args.database, args.orders, args.repeat, args.explain)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Data at scale: a distributor's database of 1,000,000 order lines and 100,000 products x 5 warehouses,
and the server time of what users do on it.

    scale.py -d DB [--scale 1.0] [--repeat 5] [--skip-planner] [--explain] [--profile]
             [odoo options such as --addons-path, --db_user]

DB must have every suite module installed (bench_scale, see run_scale.sh).

Data, generated once and committed (a later run finds the scale it was generated at in the system parameter
``bench_scale.scale`` and skips generation; another scale is refused: use another database or
BENCH_REBUILD=1). One transaction: a failed generation leaves nothing behind. At ``--scale 1``:

- through the ORM, the dimensions and one template of each row: 5 warehouses in the company (the 4 branches
  resupplied from the main one), 5 customer classes, 20 salespeople, the measured users, 500 vendors, one
  storable product with a vendor, one customer, one quant, one 1-line order confirmed, delivered, invoiced;
- in set-based SQL (INSERT ... SELECT over generate_series, every column copied from the template row unless
  overridden, ids reserved from the tables' sequences): 100,000 storable products (60 % with a vendor:
  supplierinfo with lead times 2-20 days, a minimum on every fifth), 10,000 customers (90 % with a class),
  quants for 70 % of product x warehouse, 100,000 sale orders of 1 to 19 lines (about 1,000,000 lines,
  products skewed towards the best sellers) in a mix of states: 10 % quotations, 5 % sent, 15 % confirmed
  with an open delivery, about 7 % delivered and not invoiced (customers whose class does not invoice on
  delivery), about 58 % delivered and invoiced (a posted, unpaid invoice per order linked to its lines),
  5 % cancelled; the open deliveries reserved from their warehouse's stock by allocation score (move lines,
  quants' reserved quantities, move, delivery and order states), a move line per done move; 2 to 5 flow
  events per order; 100,000 open and closed exceptions of the 12 non-blocking types on those orders (60 %
  open, owned by the queue's users or nobody); then the KPI facts by the module's own backfill, the queue's
  aging refresh, VACUUM ANALYZE.

Every run recomputes through the ORM the stored fields of a sample of the generated orders, lines,
invoices, deliveries and moves, and prints how many differ from what SQL wrote.

Timed (server time: the ORM and SQL of the call the web client makes; median of ``--repeat`` runs after a
warm-up, each from an empty record cache), as real users, not the superuser (access rights and record
rules apply), with specifications built from the views they get:

- a salesperson: the new-quotation onchange with 10 and 50 lines (available to promise and promise date of
  every line), saving it (``web_save``, create), opening it and a confirmed order (``web_read``); their
  Sales Orders and My Quotations lists (first page, ``web_search_read``);
- an exception manager and an exception user: the queue as its menu opens it (open items grouped by type,
  ``web_read_group``), its largest group opened, its first flat page of 80;
- a sales manager: the KPI dashboard (``get_dashboard_data``, by month and by quarter) and its trend
  (``get_dashboard_history``, 12 months and 12 quarters);
- a purchase manager: one replenishment planner run (``distribution.replenishment.run.action_compute``)
  over every product x warehouse, once, with the time of its phases.

Goals: forms and lists under 1 s, the planner under 5 minutes. It prints a table (operation, median ms,
queries, goal, verdict) and ``GOAL MET`` or ``GOAL MISSED``; ``--explain`` and ``--profile`` show where the
calls over their goal spend their time. The measurements run in one cursor rolled back at the end: the
generated data stays as it was. Exits non-zero only when a measurement could not be made.
"""

import argparse
import collections
import sys
import time

from bench_common import clone_rows, explain_slowest, measure, reserve_ids, setup_odoo, vacuum_analyze
from lxml import etree

PREFIX = "SCB"
SCALE_PARAM = "bench_scale.scale"
N_WAREHOUSES, N_CLASSES, N_SALESPEOPLE = 5, 5, 20
FORM_GOAL_MS, PLANNER_GOAL_S = 1000.0, 300.0
ATP_LINES = (10, 50)
VACUUMED = ("product_template", "product_product", "product_supplierinfo", "res_partner", "stock_quant",
            "sale_order", "sale_order_line", "stock_picking", "stock_move", "stock_move_line", "account_move",
            "account_move_line", "sale_order_line_invoice_rel", "sale_order_flow_event", "distribution_exception")
OPEN = ["state", "in", ["new", "in_progress", "waiting"]]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Options not listed here are passed to Odoo's configuration (e.g. --addons-path, --db_host).",
    )
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="1.0: 1,000,000 order lines, 100,000 products (default); 0.01 for a quick run")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each fast call (default 5)")
    parser.add_argument("--skip-planner", action="store_true", help="leave out the planner run")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query of slow calls")
    parser.add_argument("--profile", action="store_true", help="cProfile each slow call once (top functions)")
    args, odoo_args = parser.parse_known_args(argv)
    if not 0.0005 <= args.scale <= 10 or args.repeat <= 0:
        parser.error("--scale must be between 0.0005 and 10, --repeat positive")
    return args, odoo_args


def sizes(scale):
    return {
        "products": max(100, round(100_000 * scale)),
        "customers": max(50, round(10_000 * scale)),
        "vendors": max(10, round(500 * scale)),
        "orders": max(100, round(100_000 * scale)),
        "exceptions": max(100, round(100_000 * scale)),
    }


# ----------------------------------------------------------------------------------------------------------
# Data generation
# ----------------------------------------------------------------------------------------------------------
def make_dimensions(env, n_vendors):
    """Warehouses, classes, users, vendors and the template rows, through the ORM."""
    from odoo import Command
    from odoo.tests import new_test_user

    company = env.company
    Warehouse = env["stock.warehouse"]
    warehouses = Warehouse.search([("company_id", "=", company.id)], order="id", limit=1)
    main = warehouses
    for index in range(2, N_WAREHOUSES + 1):
        branch = Warehouse.create({"name": f"{PREFIX} Branch {index}", "code": f"SC{index}", "company_id": company.id})
        branch.resupply_wh_ids = [Command.link(main.id)]
        warehouses |= branch
    classes = env["distribution.customer.class"].search([], order="id")[:N_CLASSES]
    for index in range(len(classes) + 1, N_CLASSES + 1):
        classes |= classes.create({"name": f"{PREFIX} Class {index}", "code": f"SC{index}"})
    salespeople = env["res.users"].browse([
        new_test_user(env, login=f"scb_sales_{i:02d}", groups="sales_team.group_sale_salesman",
                      name=f"{PREFIX} Salesperson {i:02d}").id
        for i in range(1, N_SALESPEOPLE + 1)
    ])
    new_test_user(env, login="scb_exception_manager", name=f"{PREFIX} Exception Manager",
                  groups="distribution_exceptions.group_exception_manager")
    exception_user = new_test_user(env, login="scb_exception_user", name=f"{PREFIX} Exception User",
                                   groups="distribution_exceptions.group_exception_user,stock.group_stock_user")
    new_test_user(env, login="scb_sales_manager", name=f"{PREFIX} Sales Manager",
                  groups="sales_team.group_sale_manager")
    new_test_user(env, login="scb_buyer", name=f"{PREFIX} Purchase Manager",
                  groups="purchase.group_purchase_manager,stock.group_stock_user")
    quiet = env["res.partner"].with_context(mail_create_nolog=True, tracking_disable=True)
    vendors = quiet.create([{"name": f"{PREFIX} Vendor {i:03d}", "is_company": True, "supplier_rank": 1}
                            for i in range(1, n_vendors + 1)])
    customer = quiet.create({"name": f"{PREFIX} Customer template", "is_company": True, "customer_rank": 1,
                             "distribution_class_id": classes[0].id})
    product = env["product.product"].with_context(mail_create_nolog=True, tracking_disable=True).create({
        "name": f"{PREFIX} Product template",
        "default_code": f"{PREFIX}-TEMPLATE",
        "type": "consu",
        "is_storable": True,
        "invoice_policy": "delivery",  # a distributor invoices what it shipped
        "list_price": 10.0,
        "standard_price": 6.0,
        "taxes_id": [Command.clear()],
        "seller_ids": [Command.create({"partner_id": vendors[0].id, "price": 5.0, "delay": 5})],
    })
    env["stock.quant"]._update_available_quantity(product, main.lot_stock_id, 100)
    quant_id = env["stock.quant"].search([("product_id", "=", product.id)], limit=1).id
    order = env["sale.order"].create({
        "partner_id": customer.id,
        "warehouse_id": main.id,
        "user_id": salespeople[0].id,
        "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 10})],
    })
    order.action_confirm()
    if order.state != "sale" or len(order.picking_ids) != 1:
        raise RuntimeError(f"The template order was not confirmed with one delivery "
                           f"({order.state}, {order.flow_state})")
    picking = order.picking_ids
    picking.action_assign()
    for move in picking.move_ids:
        move.quantity = move.product_uom_qty
        move.picked = True
    picking._action_done()
    if picking.state != "done":
        raise RuntimeError("The template delivery was not validated")
    if not order.invoice_ids:  # a customer class not invoiced on delivery
        order._create_invoices().action_post()
    env.flush_all()
    return {
        "warehouses": warehouses, "classes": classes, "salespeople": salespeople, "exception_user": exception_user,
        "vendors": vendors, "customer": customer, "product": product, "quant_id": quant_id, "order": order,
        "picking": picking,
    }


def generate(env, scale):
    from odoo import fields

    cr = env.cr
    company = env.company
    n = sizes(scale)
    start_time = time.perf_counter()
    dims = make_dimensions(env, n["vendors"])
    warehouses, order, picking, product = dims["warehouses"], dims["order"], dims["picking"], dims["product"]
    customer_location = picking.location_dest_id
    rules = [
        env["stock.rule"].search([("picking_type_id", "=", wh.out_type_id.id),
                                  ("location_dest_id", "=", customer_location.id)], limit=1).id or None
        for wh in warehouses
    ]
    types = env["distribution.exception.type"].search([("company_id", "=", False), ("blocking", "=", False)],
                                                       order="id")
    print(f"  dimensions and templates through the ORM: {time.perf_counter() - start_time:.1f} s", flush=True)

    now = fields.Datetime.now()
    params = {
        "now": now,
        "company": company.id,
        "company_key": str(company.id),
        "prefix": PREFIX,
        "salespeople": dims["salespeople"].ids,
        "queue_users": [dims["exception_user"].id, dims["salespeople"][0].id, dims["salespeople"][1].id],
        "classes": dims["classes"].ids,
        "class_ship": [c.ship_policy or "partial" for c in dims["classes"]],
        "class_iod": [bool(c.invoice_on_delivery) for c in dims["classes"]],
        "vendors": dims["vendors"].ids,
        "warehouses": warehouses.ids,
        "out_types": [wh.out_type_id.id for wh in warehouses],
        "stock_locs": [wh.lot_stock_id.id for wh in warehouses],
        "rules": rules,
        "customer_loc": customer_location.id,
        "types": types.ids,
        **{f"n_{key}": value for key, value in n.items()},
    }

    def step(label, sql, extra=None):
        t0 = time.perf_counter()
        cr.execute(sql, dict(params, **(extra or {})))
        print(f"  {label}: {cr.rowcount:,} rows, {time.perf_counter() - t0:.1f} s", flush=True)

    def clone(label, table, template_id, source, overrides, extra=None):
        t0 = time.perf_counter()
        rows = clone_rows(cr, table, template_id, source, overrides, dict(params, **(extra or {})))
        print(f"  {label}: {rows:,} rows, {time.perf_counter() - t0:.1f} s", flush=True)

    cr.execute("SELECT setseed(0.16)")
    # Products: prices and costs follow the product's index (the order lines use the same formulas).
    params["tmpl_base"] = reserve_ids(cr, "product_template", n["products"])
    params["product_base"] = reserve_ids(cr, "product_product", n["products"])
    price = "(5 + ({i} * 37) %% 200)::numeric"
    cost = "round((5 + ({i} * 37) %% 200) * (0.55 + ({i} %% 7) * 0.05), 2)"
    product_name = "%(prefix)s || ' Product ' || lpad({i}::text, 6, '0')"
    series = "generate_series(1, %(n_products)s) g"
    clone("product_template", "product_template", product.product_tmpl_id.id, series, {
        "id": "%(tmpl_base)s + g - 1",
        "name": "jsonb_build_object('en_US', " + product_name.format(i="g") + ")",
        "default_code": "%(prefix)s || '-' || lpad(g::text, 6, '0')",
        "list_price": price.format(i="g"),
        "sale_delay": "g %% 3",
        "create_date": "%(now)s", "write_date": "%(now)s",
    })
    clone("product_product", "product_product", product.id, series, {
        "id": "%(product_base)s + g - 1",
        "product_tmpl_id": "%(tmpl_base)s + g - 1",
        "default_code": "%(prefix)s || '-' || lpad(g::text, 6, '0')",
        "barcode": "NULL",
        "standard_price": "jsonb_build_object(%(company_key)s, " + cost.format(i="g") + ")",
        "create_date": "%(now)s", "write_date": "%(now)s",
    })
    clone("product_supplierinfo (60 % of products)", "product_supplierinfo", product.seller_ids[0].id,
          "generate_series(1, %(n_products)s) g", {
              "id": "nextval('product_supplierinfo_id_seq')",
              "partner_id": "(%(vendors)s::int[])[1 + g %% array_length(%(vendors)s::int[], 1)]",
              "product_tmpl_id": "%(tmpl_base)s + g - 1",
              "product_id": "NULL",
              "price": "round(" + cost.format(i="g") + " * 0.9, 2)",
              "delay": "2 + g %% 19",
              "min_qty": "CASE WHEN g %% 5 = 0 THEN 10 ELSE 0 END",
              "create_date": "%(now)s", "write_date": "%(now)s",
          })
    cr.execute("DELETE FROM product_supplierinfo WHERE product_tmpl_id >= %s AND product_tmpl_id < %s "
               "AND (product_tmpl_id - %s + 1) %% 5 IN (3, 4)",
               [params["tmpl_base"], params["tmpl_base"] + n["products"], params["tmpl_base"]])

    params["customer_base"] = reserve_ids(cr, "res_partner", n["customers"])
    customer_name = "%(prefix)s || ' Customer ' || lpad(g::text, 5, '0')"
    clone("res_partner (customers)", "res_partner", dims["customer"].id, "generate_series(1, %(n_customers)s) g", {
        "id": "%(customer_base)s + g - 1",
        "name": customer_name,
        "complete_name": customer_name,
        "commercial_company_name": customer_name,
        "commercial_partner_id": "%(customer_base)s + g - 1",
        "ref": "%(prefix)s || lpad(g::text, 5, '0')",
        "email": "NULL", "email_normalized": "NULL",
        "distribution_class_id": "CASE WHEN g %% 10 = 0 THEN NULL ELSE jsonb_build_object(%(company_key)s, "
                                 "(%(classes)s::int[])[1 + g %% array_length(%(classes)s::int[], 1)]) END",
        "create_date": "%(now)s", "write_date": "%(now)s",
    })
    clone("stock_quant (70 % of product x warehouse)", "stock_quant", dims["quant_id"],
          "(SELECT p, w FROM generate_series(1, %(n_products)s) p CROSS JOIN generate_series(1, 5) w "
          "WHERE random() < 0.7) pw", {
              "id": "nextval('stock_quant_id_seq')",
              "product_id": "%(product_base)s + pw.p - 1",
              "location_id": "(%(stock_locs)s::int[])[pw.w]",
              "quantity": "floor(400 * power(random(), 2))",
              "reserved_quantity": "0",
              "in_date": "%(now)s::timestamp - make_interval(days => floor(random() * 200)::int)",
              "create_date": "%(now)s", "write_date": "%(now)s",
          })

    # One row per order: its kind (state), dimensions and dates.
    step("orders planned", """
        CREATE TEMP TABLE scb_o ON COMMIT DROP AS
        WITH base AS (
            SELECT g, random() AS r_kind, random() AS r_age, random() AS r_ship, random() AS r_inv,
                   1 + floor(%(n_customers)s * power(random(), 1.6))::int AS cust,
                   1 + floor(random() * 19)::int AS n_lines
              FROM generate_series(1, %(n_orders)s) g
        ), classed AS (
            SELECT base.*,
                   CASE WHEN cust %% 10 = 0 THEN NULL ELSE 1 + cust %% array_length(%(classes)s::int[], 1) END AS cls
              FROM base
        ), kinds AS (
            SELECT classed.*,
                   COALESCE((%(class_iod)s::bool[])[cls], FALSE) AS iod,
                   COALESCE((%(class_ship)s::text[])[cls], 'partial') AS ship_policy,
                   CASE WHEN r_kind < 0.10 THEN 'draft' WHEN r_kind < 0.15 THEN 'sent'
                        WHEN r_kind < 0.30 THEN 'open'
                        -- delivered and not invoiced: only customers not invoiced on delivery
                        WHEN r_kind < 0.45 AND NOT COALESCE((%(class_iod)s::bool[])[cls], FALSE) THEN 'shipped'
                        WHEN r_kind < 0.95 THEN 'invoiced' ELSE 'cancel' END AS kind
              FROM classed
        ), dated AS (
            SELECT kinds.*,
                   %(now)s::timestamp - make_interval(secs => 86400 * CASE
                        WHEN kind IN ('draft', 'sent', 'open') THEN 20 * r_age ELSE 3 + 362 * r_age END) AS confirmed,
                   CASE WHEN cust %% 10 < 4 THEN 1 ELSE 2 + cust %% 4 END AS wh,
                   1 + cust %% array_length(%(salespeople)s::int[], 1) AS rep
              FROM kinds
        ), shipped AS (
            SELECT dated.*,
                   confirmed - make_interval(secs => 86400 * (0.05 + 2 * r_ship)) AS quoted,
                   CASE WHEN kind IN ('shipped', 'invoiced')
                        THEN LEAST(confirmed + make_interval(secs => 86400 * (0.2 + 2.5 * r_ship)),
                                   %(now)s::timestamp - interval '1 hour') END AS shipped
              FROM dated
        )
        SELECT shipped.*,
               CASE WHEN kind = 'invoiced' AND iod THEN shipped
                    WHEN kind = 'invoiced'
                    THEN LEAST(shipped + make_interval(secs => 86400 * (0.1 + 2 * r_inv)), %(now)s::timestamp)
               END AS invoiced,
               NULL::int AS order_id, NULL::int AS pick_id, NULL::int AS inv_id, NULL::numeric AS amount,
               NULL::numeric AS margin,
               NULL::numeric AS demand
          FROM shipped
    """)
    cr.execute("CREATE INDEX ON scb_o (g)")
    cr.execute("ANALYZE scb_o")
    order_base = reserve_ids(cr, "sale_order", n["orders"])
    cr.execute("UPDATE scb_o SET order_id = %s + g - 1", [order_base])
    cr.execute("SELECT count(*) FROM scb_o WHERE kind IN ('open', 'shipped', 'invoiced')")
    pick_base = reserve_ids(cr, "stock_picking", cr.fetchone()[0])
    cr.execute("""
        UPDATE scb_o o SET pick_id = %s + s.rank - 1
          FROM (SELECT g, row_number() OVER (ORDER BY g) AS rank FROM scb_o
                 WHERE kind IN ('open', 'shipped', 'invoiced')) s
         WHERE s.g = o.g
    """, [pick_base])
    step("lines planned", """
        CREATE TEMP TABLE scb_l ON COMMIT DROP AS
        SELECT row_number() OVER (ORDER BY o.g, s.n) AS l, o.g, s.n AS seq,
               1 + floor(%(n_products)s * power(random(), 2.5))::int AS idx, 1 + floor(random() * 30) AS qty
          FROM scb_o o CROSS JOIN LATERAL generate_series(1, o.n_lines) s(n)
    """)
    n_lines = cr.rowcount
    cr.execute("ANALYZE scb_l")
    line_base = reserve_ids(cr, "sale_order_line", n_lines)
    cr.execute("SELECT count(*) FROM scb_l l JOIN scb_o o ON o.g = l.g WHERE o.kind IN ('open', 'shipped', 'invoiced')")
    move_base = reserve_ids(cr, "stock_move", cr.fetchone()[0])
    step("order totals", f"""
        UPDATE scb_o o SET amount = t.amount, margin = t.margin, demand = t.demand
          FROM (SELECT l.g, SUM(l.qty * {price.format(i="l.idx")}) AS amount,
                       SUM(l.qty * ({price.format(i="l.idx")} - {cost.format(i="l.idx")})) AS margin,
                       SUM(l.qty) AS demand
                  FROM scb_l l GROUP BY l.g) t
         WHERE t.g = o.g
    """)
    params.update(order_base=order_base, line_base=line_base, move_base=move_base)

    order_name = "%(prefix)s || '/' || lpad(o.g::text, 6, '0')"
    customer_id = "(%(customer_base)s + o.cust - 1)"
    rep_id = "(%(salespeople)s::int[])[o.rep]"
    is_confirmed = "o.kind IN ('open', 'shipped', 'invoiced')"
    clone("sale_order", "sale_order", order.id, "scb_o o", {
        "id": "o.order_id",
        "name": order_name,
        "partner_id": customer_id, "partner_invoice_id": customer_id, "partner_shipping_id": customer_id,
        "user_id": rep_id,
        "warehouse_id": "(%(warehouses)s::int[])[o.wh]",
        "state": "CASE WHEN o.kind IN ('draft', 'sent', 'cancel') THEN o.kind ELSE 'sale' END",
        "date_order": f"CASE WHEN {is_confirmed} THEN o.confirmed ELSE o.quoted END",
        "create_date": "o.quoted",
        "write_date": "COALESCE(o.invoiced, o.shipped, o.confirmed)",
        "access_token": "NULL", "origin": "NULL", "client_order_ref": "NULL", "reference": "NULL",
        "commitment_date": "NULL", "validity_date": "(o.quoted + interval '30 days')::date",
        "amount_untaxed": "o.amount", "amount_tax": "0", "amount_total": "o.amount",
        "margin": "o.margin",
        "margin_percent": "CASE WHEN o.amount <> 0 THEN o.margin / o.amount END",
        "invoice_status": """CASE o.kind WHEN 'invoiced' THEN 'invoiced' WHEN 'shipped' THEN 'to invoice'
                                          ELSE 'no' END""",
        "delivery_status": "CASE o.kind WHEN 'open' THEN 'pending' WHEN 'shipped' THEN 'full' "
                           "WHEN 'invoiced' THEN 'full' END",
        "effective_date": "o.shipped",
        "flow_state": """CASE o.kind WHEN 'draft' THEN 'quotation' WHEN 'sent' THEN 'quotation'
                                     WHEN 'open' THEN 'confirmed' WHEN 'shipped' THEN 'shipped'
                                     WHEN 'invoiced' THEN 'invoiced' ELSE 'cancelled' END""",
        "locked": "FALSE",
        "ship_policy": "o.ship_policy",
        "picking_policy": "CASE WHEN o.ship_policy = 'complete' THEN 'one' ELSE 'direct' END",
        "invoice_on_delivery": "o.iod",
        "at_risk": "FALSE", "risk_score": "0", "risk_codes": "NULL", "risk_reasons": "NULL",
        "risk_promise_date": "NULL", "risk_first_flagged_at": "NULL", "risk_notified_on": "NULL",
        "risk_checked_at": "NULL", "risk_stale": "FALSE",
        "distribution_has_open_exception": "FALSE", "distribution_blocked": "FALSE",
        "distribution_notified_promise_date": "NULL",
        "kpi_date_created": "NULL", "kpi_date_confirmed": "NULL", "kpi_date_shipped": "NULL",
        "kpi_date_invoiced": "NULL",
    })

    line_price, line_cost = price.format(i="l.idx"), cost.format(i="l.idx")
    delivered = "CASE WHEN o.kind IN ('shipped', 'invoiced') THEN l.qty ELSE 0 END"
    cr.execute("SELECT min(id) FROM sale_order_line WHERE order_id = %s", [order.id])
    [template_line] = cr.fetchone()
    clone("sale_order_line", "sale_order_line", template_line, "scb_l l JOIN scb_o o ON o.g = l.g", {
        "id": "%(line_base)s + l.l - 1",
        "order_id": "o.order_id",
        "sequence": "10 * l.seq",
        "order_partner_id": customer_id,
        "salesman_id": rep_id,
        "warehouse_id": "(%(warehouses)s::int[])[o.wh]",
        "product_id": "%(product_base)s + l.idx - 1",
        "name": "'[' || %(prefix)s || '-' || lpad(l.idx::text, 6, '0') || '] ' || " + product_name.format(i="l.idx"),
        "state": "CASE WHEN o.kind IN ('draft', 'sent', 'cancel') THEN o.kind ELSE 'sale' END",
        "product_uom_qty": "l.qty",
        "price_unit": line_price, "technical_price_unit": line_price, "distribution_pricelist_price": line_price,
        "discount": "0",
        "price_subtotal": f"l.qty * {line_price}", "price_total": f"l.qty * {line_price}", "price_tax": "0",
        "price_reduce_taxexcl": line_price, "price_reduce_taxinc": line_price,
        "purchase_price": line_cost,
        "margin": f"l.qty * ({line_price} - {line_cost})",
        "margin_percent": f"1 - {line_cost} / {line_price}",
        "qty_delivered": delivered,
        "qty_invoiced": "CASE WHEN o.kind = 'invoiced' THEN l.qty ELSE 0 END",
        "qty_to_invoice": "CASE WHEN o.kind = 'shipped' THEN l.qty ELSE 0 END",
        "untaxed_amount_invoiced": f"CASE WHEN o.kind = 'invoiced' THEN l.qty * {line_price} ELSE 0 END",
        "untaxed_amount_to_invoice": f"CASE WHEN o.kind = 'shipped' THEN l.qty * {line_price} ELSE 0 END",
        "invoice_status": "CASE o.kind WHEN 'invoiced' THEN 'invoiced' WHEN 'shipped' THEN 'to invoice' ELSE 'no' END",
        "extra_tax_data": "NULL", "analytic_distribution": "NULL", "virtual_id": "NULL", "linked_virtual_id": "NULL",
        "kpi_first_delivery_date": "NULL", "kpi_first_delivery_qty": "NULL",
        "create_date": "o.quoted",
        "write_date": "COALESCE(o.invoiced, o.shipped, o.confirmed)",
    })

    # Deliveries: one per confirmed order, open (waiting for stock) or done.
    is_open = "o.kind = 'open'"
    clone("stock_picking", "stock_picking", picking.id,
          "(SELECT * FROM scb_o WHERE kind IN ('open', 'shipped', 'invoiced')) o", {
        "id": "o.pick_id",
        "name": "%(prefix)s || '/OUT/' || lpad(o.g::text, 6, '0')",
        "origin": order_name,
        "partner_id": customer_id,
        "sale_id": "o.order_id",
        "picking_type_id": "(%(out_types)s::int[])[o.wh]",
        "location_id": "(%(stock_locs)s::int[])[o.wh]",
        "location_dest_id": "%(customer_loc)s",
        "backorder_id": "NULL", "user_id": "NULL",
        "state": f"CASE WHEN {is_open} THEN 'confirmed' ELSE 'done' END",
        "priority": "'0'", "printed": "FALSE", "is_locked": "TRUE",
        "move_type": "CASE WHEN o.ship_policy = 'complete' THEN 'one' ELSE 'direct' END",
        "scheduled_date": "o.confirmed + interval '1 day'",
        "date_deadline": "NULL", "has_deadline_issue": "FALSE",
        "date_done": "o.shipped",
        "create_date": "o.confirmed",
        "write_date": "COALESCE(o.shipped, o.confirmed)",
        "allocation_score": f"CASE WHEN {is_open} THEN round((random() * 100)::numeric, 2) ELSE 0 END",
        "distribution_has_open_exception": "FALSE", "distribution_auto_starred": "FALSE",
        "pick_validated_by_id": f"CASE WHEN {is_open} THEN NULL ELSE 1 END",
        "pick_line_count": f"CASE WHEN {is_open} THEN NULL ELSE o.n_lines END",
        "pick_exact_line_count": f"CASE WHEN {is_open} THEN NULL ELSE o.n_lines END",
        "pick_demand_qty": f"CASE WHEN {is_open} THEN NULL ELSE o.demand END",
        "pick_done_qty": f"CASE WHEN {is_open} THEN NULL ELSE o.demand END",
    })
    cr.execute("SELECT value FROM stock_move WHERE id = %s", [picking.move_ids[0].id])
    value_sign = -1 if (cr.fetchone()[0] or 0) < 0 else 1
    clone("stock_move", "stock_move", picking.move_ids[0].id,
          f"(SELECT l.*, row_number() OVER (ORDER BY l.l) AS m FROM scb_l l JOIN scb_o o ON o.g = l.g "
          f"WHERE {is_confirmed}) l JOIN scb_o o ON o.g = l.g", {
              "id": "%(move_base)s + l.m - 1",
              "picking_id": "o.pick_id",
              "product_id": "%(product_base)s + l.idx - 1",
              "location_id": "(%(stock_locs)s::int[])[o.wh]",
              "location_dest_id": "%(customer_loc)s",
              "location_final_id": "%(customer_loc)s",
              "warehouse_id": "(%(warehouses)s::int[])[o.wh]",
              "picking_type_id": "(%(out_types)s::int[])[o.wh]",
              "rule_id": "(%(rules)s::int[])[o.wh]",
              "partner_id": customer_id,
              "sale_line_id": "%(line_base)s + l.l - 1",
              "origin": order_name,
              "reference": "%(prefix)s || '/OUT/' || lpad(o.g::text, 6, '0')",
              "sequence": "10 * l.seq",
              "priority": "'0'",
              "date_deadline": "NULL", "reservation_date": "NULL", "description_picking_manual": "NULL",
              "price_unit": line_cost,
              "product_qty": "l.qty", "product_uom_qty": "l.qty",
              "quantity": f"CASE WHEN {is_open} THEN 0 ELSE l.qty END",
              "picked": f"NOT {is_open}",
              "state": f"CASE WHEN {is_open} THEN 'confirmed' ELSE 'done' END",
              "date": f"CASE WHEN {is_open} THEN o.confirmed + interval '1 day' ELSE o.shipped END",
              "create_date": "o.confirmed",
              "write_date": "COALESCE(o.shipped, o.confirmed)",
              "value": f"CASE WHEN {is_open} THEN 0 ELSE {value_sign} * l.qty * {line_cost} END",
              "allocation_score": f"CASE WHEN {is_open} THEN round((random() * 100)::numeric, 2) ELSE 0 END",
          })

    # Reservation of the open deliveries, as the suite reserves (higher allocation score first), from the
    # stock of their warehouse: move states and quantities, their move lines, the quants' reserved
    # quantities, the deliveries' states (Odoo's rules: ready when anything is reserved, or everything
    # for a complete-shipment customer).
    # Statistics first: planned on the empty tables' estimates, this query took 149 s at --scale 1.
    cr.execute("ANALYZE stock_quant")
    cr.execute("ANALYZE stock_move")
    step("reservation of the open moves", """
        CREATE TEMP TABLE scb_res ON COMMIT DROP AS
        SELECT m.id, m.picking_id, m.product_id, m.location_id, m.product_qty,
               GREATEST(0, LEAST(m.product_qty, COALESCE(q.quantity, 0) - COALESCE(SUM(m.product_qty) OVER (
                   PARTITION BY m.product_id, m.location_id ORDER BY m.allocation_score DESC, m.id
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))) AS reserved
          FROM stock_move m
          LEFT JOIN stock_quant q ON q.product_id = m.product_id AND q.location_id = m.location_id
         WHERE m.id >= %(move_base)s AND m.state = 'confirmed'
    """)
    cr.execute("""
        UPDATE stock_move m
           SET quantity = r.reserved,
               state = CASE WHEN r.reserved >= r.product_qty THEN 'assigned'
                            WHEN r.reserved > 0 THEN 'partially_available' ELSE 'confirmed' END
          FROM scb_res r
         WHERE m.id = r.id
    """)
    cr.execute("""
        UPDATE stock_quant q SET reserved_quantity = t.reserved
          FROM (SELECT product_id, location_id, SUM(reserved) AS reserved FROM scb_res
                 GROUP BY product_id, location_id HAVING SUM(reserved) > 0) t
         WHERE q.product_id = t.product_id AND q.location_id = t.location_id
    """)
    cr.execute("""
        UPDATE stock_picking p
           SET state = CASE WHEN t.all_reserved THEN 'assigned'
                            WHEN p.move_type = 'direct' AND t.any_reserved THEN 'assigned' ELSE 'confirmed' END
          FROM (SELECT picking_id, bool_and(reserved >= product_qty) AS all_reserved,
                       bool_or(reserved > 0) AS any_reserved
                  FROM scb_res GROUP BY picking_id) t
         WHERE p.id = t.picking_id
    """)
    # The open orders' flow state follows their reservation (the suite's confirmed / partially reserved /
    # reserved), with the flow event of that change.
    cr.execute("ALTER TABLE scb_o ADD COLUMN res_state varchar")
    cr.execute("""
        UPDATE scb_o o
           SET res_state = CASE WHEN t.all_reserved THEN 'reserved' WHEN t.any_reserved THEN 'partially_reserved' END
          FROM (SELECT picking_id, bool_and(reserved >= product_qty) AS all_reserved,
                       bool_or(reserved > 0) AS any_reserved
                  FROM scb_res GROUP BY picking_id) t
         WHERE o.pick_id = t.picking_id
    """)
    cr.execute("UPDATE sale_order so SET flow_state = o.res_state FROM scb_o o "
               "WHERE so.id = o.order_id AND o.res_state IS NOT NULL")
    [template_move_line] = picking.move_line_ids.ids[:1]
    clone("stock_move_line (done and reserved)", "stock_move_line", template_move_line,
          "(SELECT * FROM stock_move WHERE id >= %(move_base)s AND quantity > 0) m", {
              "id": "nextval('stock_move_line_id_seq')",
              "picking_id": "m.picking_id", "move_id": "m.id", "product_id": "m.product_id",
              "location_id": "m.location_id", "location_dest_id": "m.location_dest_id",
              "state": "m.state", "quantity": "m.quantity", "quantity_product_uom": "m.quantity",
              "picked": "m.picked", "date": "m.date",
              "create_date": "m.create_date", "write_date": "m.write_date",
          })

    # Invoices of the invoiced orders: one posted, unpaid customer invoice each (a product line per order
    # line and the receivable line), cloned from the template order's own invoice.
    [template_invoice] = order.invoice_ids.filtered(lambda move: move.state == "posted")[:1]
    cr.execute("SELECT count(*) FROM scb_o WHERE kind = 'invoiced'")
    n_invoices = cr.fetchone()[0]
    params["inv_base"] = reserve_ids(cr, "account_move", n_invoices)
    cr.execute("""
        UPDATE scb_o o SET inv_id = %s + s.rank - 1
          FROM (SELECT g, row_number() OVER (ORDER BY g) AS rank FROM scb_o WHERE kind = 'invoiced') s
         WHERE s.g = o.g
    """, [params["inv_base"]])
    cr.execute("SELECT count(*) FROM scb_l l JOIN scb_o o ON o.g = l.g WHERE o.kind = 'invoiced'")
    n_invoice_lines = cr.fetchone()[0]
    params["aml_base"] = reserve_ids(cr, "account_move_line", n_invoice_lines + n_invoices)
    params["term_base"] = params["aml_base"] + n_invoice_lines
    inv_name = "%(prefix)s || '/INV/' || lpad(o.g::text, 6, '0')"
    invoiced = "(SELECT * FROM scb_o WHERE kind = 'invoiced') o"
    amounts = ["amount_untaxed", "amount_total", "amount_residual", "amount_untaxed_signed",
               "amount_untaxed_in_currency_signed", "amount_total_signed", "amount_total_in_currency_signed",
               "amount_residual_signed"]
    clone("account_move (invoices)", "account_move", template_invoice.id, invoiced, {
        "id": "o.inv_id",
        "name": inv_name, "payment_reference": inv_name,
        "sequence_prefix": "%(prefix)s || '/INV/'", "sequence_number": "o.g",
        "partner_id": customer_id, "commercial_partner_id": customer_id, "partner_shipping_id": customer_id,
        "invoice_partner_display_name": "%(prefix)s || ' Customer ' || lpad(o.cust::text, 5, '0')",
        "invoice_user_id": rep_id,
        "ref": order_name, "invoice_origin": order_name,
        "date": "o.invoiced::date", "invoice_date": "o.invoiced::date", "invoice_date_due": "o.invoiced::date + 30",
        "delivery_date": "o.shipped::date",
        "access_token": "NULL",
        **{column: "o.amount" for column in amounts},
        "distribution_picking_id": "o.pick_id", "distribution_auto_invoiced": "o.iod",
        "create_date": "o.invoiced", "write_date": "o.invoiced",
    })
    product_aml, term_aml = (template_invoice.line_ids.filtered(lambda line, kind=kind: line.display_type == kind)
                             for kind in ("product", "payment_term"))
    if len(product_aml) != 1 or len(term_aml) != 1 or len(template_invoice.line_ids) != 2:
        raise RuntimeError("The template invoice is not one product line and one receivable line")
    invoiced_lines = ("(SELECT l.*, row_number() OVER (ORDER BY l.l) AS r FROM scb_l l JOIN scb_o o ON o.g = l.g "
                      "WHERE o.kind = 'invoiced') l JOIN scb_o o ON o.g = l.g")
    amount = f"l.qty * {line_price}"
    clone("account_move_line (invoice lines)", "account_move_line", product_aml.id, invoiced_lines, {
        "id": "%(aml_base)s + l.r - 1",
        "move_id": "o.inv_id", "move_name": inv_name, "ref": order_name,
        "partner_id": customer_id,
        "product_id": "%(product_base)s + l.idx - 1",
        "name": "'[' || %(prefix)s || '-' || lpad(l.idx::text, 6, '0') || '] ' || " + product_name.format(i="l.idx"),
        "date": "o.invoiced::date", "invoice_date": "o.invoiced::date",
        "quantity": "l.qty", "price_unit": line_price,
        "price_subtotal": amount, "price_total": amount,
        "debit": "0", "credit": amount, "balance": f"-{amount}", "amount_currency": f"-{amount}",
        "sequence": "10 * l.seq",
        "create_date": "o.invoiced", "write_date": "o.invoiced",
    })
    clone("account_move_line (receivables)", "account_move_line", term_aml.id, invoiced, {
        "id": "%(term_base)s + o.inv_id - %(inv_base)s",
        "move_id": "o.inv_id", "move_name": inv_name, "ref": order_name,
        "partner_id": customer_id,
        "name": order_name + " || ' - ' || " + inv_name,
        "date": "o.invoiced::date", "invoice_date": "o.invoiced::date", "date_maturity": "o.invoiced::date + 30",
        "debit": "o.amount", "credit": "0", "balance": "o.amount", "amount_currency": "o.amount",
        "amount_residual": "o.amount", "amount_residual_currency": "o.amount",
        "create_date": "o.invoiced", "write_date": "o.invoiced",
    })
    step("sale_order_line_invoice_rel", """
        INSERT INTO sale_order_line_invoice_rel (order_line_id, invoice_line_id)
        SELECT %(line_base)s + l.l - 1, %(aml_base)s + l.r - 1
          FROM (SELECT l.*, row_number() OVER (ORDER BY l.l) AS r FROM scb_l l JOIN scb_o o ON o.g = l.g
                 WHERE o.kind = 'invoiced') l
    """)

    step("sale_order_flow_event", """
        INSERT INTO sale_order_flow_event (order_id, company_id, user_id, state_from, state_to, date,
                                           create_uid, write_uid, create_date, write_date)
        SELECT order_id, %(company)s, CASE WHEN rank <= 2 THEN rep_id ELSE 1 END,
               lag(state) OVER (PARTITION BY order_id ORDER BY rank), state, date, 1, 1, date, date
          FROM (SELECT o.order_id, (%(salespeople)s::int[])[o.rep] AS rep_id, e.rank, e.state, e.date
                  FROM scb_o o
                  CROSS JOIN LATERAL (VALUES
                      (1, 'quotation', o.quoted),
                      (2, 'confirmed', CASE WHEN o.kind IN ('open', 'shipped', 'invoiced') THEN o.confirmed END),
                      (3, CASE WHEN o.kind IN ('shipped', 'invoiced') THEN 'reserved' ELSE o.res_state END,
                          CASE WHEN o.kind IN ('shipped', 'invoiced') THEN o.confirmed + (o.shipped - o.confirmed) / 3
                               WHEN o.res_state IS NOT NULL THEN o.confirmed + interval '5 minutes' END),
                      (4, 'shipped', o.shipped),
                      (5, 'invoiced', o.invoiced),
                      (6, 'cancelled', CASE WHEN o.kind = 'cancel' THEN o.confirmed END)) e(rank, state, date)
                 WHERE e.date IS NOT NULL) events
    """)

    # Exceptions on the orders (at most one per order and type: one open per source), 60 % open, owned by
    # the exception user, two salespeople or nobody.
    step("distribution_exception", """
        INSERT INTO distribution_exception
               (name, type_id, code, audience, blocking, severity, priority, company_id, state, is_open,
                user_id, team_id, res_model, res_id, source_name, sale_order_id, picking_id, partner_id,
                date_raised, date_deadline, date_resolved, resolved_by_id, resolution_hours,
                aging_bucket, is_overdue, auto_resolved, create_uid, write_uid, create_date, write_date)
        SELECT %(prefix)s || '/' || upper(t.code) || '/' || lpad(x.g::text, 6, '0'),
               t.id, t.code, t.audience, t.blocking, t.severity,
               CASE WHEN t.severity IN ('high', 'critical') THEN '1' ELSE '0' END, %(company)s,
               x.state, x.state IN ('new', 'in_progress', 'waiting'),
               CASE WHEN x.g %% 4 = 0 THEN NULL
                    ELSE (%(queue_users)s::int[])[1 + x.g %% array_length(%(queue_users)s::int[], 1)] END,
               t.team_id, 'sale.order', o.order_id, %(prefix)s || '/' || lpad(o.g::text, 6, '0'),
               o.order_id, o.pick_id, %(customer_base)s + o.cust - 1,
               x.raised, x.raised + make_interval(hours => t.sla_hours::int),
               CASE WHEN x.state IN ('resolved', 'cancelled') THEN x.raised + interval '2 days' END,
               CASE WHEN x.state = 'resolved' THEN 1 END,
               CASE WHEN x.state IN ('resolved', 'cancelled') THEN 48.0 END,
               'lt1', FALSE, FALSE, 1, 1, x.raised, x.raised
          FROM (SELECT g, 1 + (g - 1) %% %(n_orders)s AS og,
                       (%(types)s::int[])[1 + (g + (g - 1) / %(n_orders)s) %% array_length(%(types)s::int[], 1)]
                           AS type_id,
                       (ARRAY['new', 'new', 'in_progress', 'waiting', 'new', 'in_progress',
                              'resolved', 'resolved', 'resolved', 'cancelled'])[1 + g %% 10] AS state,
                       %(now)s::timestamp - make_interval(mins => (g * 7919) %% (30 * 24 * 60)) AS raised
                  FROM generate_series(1, %(n_exceptions)s) g) x
          JOIN scb_o o ON o.g = x.og
          JOIN distribution_exception_type t ON t.id = x.type_id
    """)
    step("open-exception flags of orders and transfers", """
        UPDATE sale_order so SET distribution_has_open_exception = TRUE
          FROM (SELECT DISTINCT sale_order_id FROM distribution_exception WHERE is_open AND name LIKE 'SCB/%%') e
         WHERE so.id = e.sale_order_id
    """)
    cr.execute("""
        UPDATE stock_picking sp SET distribution_has_open_exception = TRUE
          FROM (SELECT DISTINCT picking_id FROM distribution_exception WHERE is_open AND picking_id IS NOT NULL
                   AND name LIKE 'SCB/%%') e
         WHERE sp.id = e.picking_id
    """)
    t0 = time.perf_counter()
    env["distribution.exception"]._cron_refresh_aging()
    print(f"  exception aging refresh: {time.perf_counter() - t0:.1f} s", flush=True)
    # Statistics of the new rows before the backfill's joins (planned on empty-table estimates, the
    # backfill of 50,000 lines took 78 s instead of 3 s).
    t0 = time.perf_counter()
    for table in VACUUMED:
        cr.execute(f"ANALYZE {table}")
    print(f"  ANALYZE: {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    from odoo.addons.distribution_kpi.hooks import backfill_kpi_facts

    backfill_kpi_facts(cr)
    print(f"  KPI facts (the module's backfill): {time.perf_counter() - t0:.1f} s", flush=True)
    env["ir.config_parameter"].set_param(SCALE_PARAM, repr(scale))
    env.invalidate_all()
    return time.perf_counter() - start_time


def check_coherence(env, sample=300):
    """Recompute, through the ORM, the stored fields of a sample of the generated orders and their lines
    (amounts, delivered and invoiced quantities, statuses, flow state, class-derived policies) and print
    the differences with what was written in SQL (rolled back by the caller)."""
    orders = env["sale.order"].search([("name", "like", PREFIX + "/%")], order="id", limit=sample)
    lines = orders.order_line
    order_fields = ["amount_untaxed", "amount_total", "margin", "invoice_status", "delivery_status", "flow_state",
                    "ship_policy", "picking_policy", "invoice_on_delivery", "distribution_has_open_exception"]
    line_fields = ["price_subtotal", "margin", "qty_delivered", "qty_invoiced", "qty_to_invoice", "invoice_status",
                   "untaxed_amount_invoiced", "untaxed_amount_to_invoice"]

    def snapshot(records, names):
        return {(record.id, name): (round(record[name], 2) if isinstance(record[name], float) else record[name])
                for record in records for name in names}

    invoices = orders.invoice_ids
    invoice_fields = ["amount_untaxed", "amount_total", "amount_residual", "payment_state"]
    pickings = orders.picking_ids
    checked = ((orders, order_fields), (lines, line_fields), (invoices, invoice_fields),
               (pickings, ["state"]), (pickings.move_ids, ["quantity"]))
    before = {}
    for records, names in checked:
        before |= {(records._name, key): value for key, value in snapshot(records, names).items()}
    for records, names in checked:
        for name in names:
            env.add_to_compute(records._fields[name], records)
    after = {}
    for records, names in checked:
        after |= {(records._name, key): value for key, value in snapshot(records, names).items()}
    differences = {}
    for key, value in before.items():
        if after[key] != value:
            differences.setdefault(f"{key[0]}.{key[1][1]}", []).append((key[1][0], value, after[key]))
    print(f"Coherence: {len(before):,} stored values of {len(orders)} orders, {len(lines):,} lines, "
          f"{len(invoices)} invoices, {len(pickings)} deliveries and {len(pickings.move_ids):,} moves recomputed by "
          f"the ORM, {sum(len(v) for v in differences.values())} differ"
          + "".join(f"; {name}: {len(diffs)} (e.g. id {diffs[0][0]} {diffs[0][1]!r} -> {diffs[0][2]!r})"
                    for name, diffs in differences.items()))
    env.invalidate_all()


# ----------------------------------------------------------------------------------------------------------
# Measurements
# ----------------------------------------------------------------------------------------------------------
def view_spec(env, model, view_type, view_ref=None):
    """The web_read/web_search_read specification the web client builds from the view it gets (as the
    user: the arch without what their groups do not see): every field of the arch, many2ones with their
    display name, x2manys with the fields of their list (every line: no page limit, so that a 50-line
    quotation reads the available to promise of all 50)."""
    view_id = env.ref(view_ref).id if view_ref else False
    views = env[model].get_views([(view_id, view_type)])
    arch = etree.fromstring(views["views"][view_type]["arch"])

    def walk(node, model_name):
        spec = {}
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag != "field":
                spec.update(walk(child, model_name))
                continue
            field = env[model_name]._fields.get(child.get("name"))
            if field is None:
                continue
            if field.type in ("one2many", "many2many"):
                sub = next((n for n in child if n.tag in ("list", "kanban")), None)
                sub_spec = walk(sub, field.comodel_name) if sub is not None else {"display_name": {}}
                spec[field.name] = {"fields": sub_spec}
            elif field.type == "many2one":
                spec[field.name] = {"fields": {"display_name": {}}}
            else:
                spec.setdefault(field.name, {})
        return spec

    spec = walk(arch, model)
    spec.setdefault("display_name", {})
    return spec




def capture_queries(env, func, marker):
    """The SQL of one run of ``func`` from an empty cache: [(query text, whether ``marker`` (a method name)
    is on the stack when it runs)]."""
    cr = env.cr
    captured = []
    original = cr.execute

    def execute(query, params=None, log_exceptions=True):
        frame, inside = sys._getframe(1), False
        while frame is not None and not inside:
            inside = frame.f_code.co_name == marker
            frame = frame.f_back
        text = " ".join(str(getattr(query, "code", query)).split())
        captured.append((text, inside))
        return original(query, params, log_exceptions)

    env.invalidate_all()
    cr.execute = execute
    try:
        func()
    finally:
        del cr.execute
    return captured


PLANNER_PHASES = {
    "distribution.replenishment.run": ["_read_positions", "_read_history", "_read_orderpoints", "_read_resupply_routes",
                                       "_select_vendors", "_plan_position", "_propose"],
    "distribution.replenishment.line": ["create", "_notify_spikes"],
}


class MethodTimer:
    """Time spent in (and calls of) named methods of models while the block runs, by wrapping them on the
    registry's classes (nested calls of the same method are counted once); restored on exit."""

    def __init__(self, env, methods):
        self.targets = [(type(env[model]), name) for model, names in methods.items() for name in names]
        self.totals = {}

    def __enter__(self):
        from odoo import sql_db

        self.saved = []
        for cls, name in self.targets:
            original = cls.__dict__.get(name)
            key = f"{cls._name}.{name}"
            stats = self.totals.setdefault(key, [0.0, 0, 0, 0])  # seconds, calls, queries, depth

            def wrapper(*args, _method=getattr(cls, name), _stats=stats, **kwargs):  # noqa: B008 - bound per method
                if _stats[3]:
                    return _method(*args, **kwargs)
                _stats[3] += 1
                start, queries = time.perf_counter(), sql_db.sql_counter
                try:
                    return _method(*args, **kwargs)
                finally:
                    _stats[0] += time.perf_counter() - start
                    _stats[1] += 1
                    _stats[2] += sql_db.sql_counter - queries
                    _stats[3] -= 1

            for attr in ("_api_model", "_api_private"):
                if hasattr(getattr(cls, name), attr):
                    setattr(wrapper, attr, getattr(getattr(cls, name), attr))
            self.saved.append((cls, name, original))
            setattr(cls, name, wrapper)
        return self

    def __exit__(self, *exc):
        for cls, name, original in reversed(self.saved):
            if original is None:
                delattr(cls, name)
            else:
                setattr(cls, name, original)

    def report(self):
        return "; ".join(f"{key} {seconds:.1f} s ({calls:,} calls, {queries:,} queries)"
                         for key, (seconds, calls, queries, _depth) in self.totals.items() if calls)


def run(dbname, scale, repeat, skip_planner, explain, profile):  # noqa: C901 - one benchmark script, step by step
    import odoo
    from odoo import sql_db
    from odoo.modules.registry import Registry

    registry = Registry(dbname)
    cr = registry.cursor()
    try:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "en_US", "tz": "UTC"})
        if "distribution.kpi.dashboard" not in env or "distribution.replenishment.run" not in env:
            raise RuntimeError(f"{dbname}: the suite modules are not installed")
        existing = env["ir.config_parameter"].get_param(SCALE_PARAM)
        if existing and float(existing) != scale:
            raise RuntimeError(f"{dbname} holds data generated at --scale {existing}, not {scale}: use another "
                               "database (BENCH_DB) or recreate it (BENCH_REBUILD=1 benchmarks/run_scale.sh)")
        if existing:
            print(f"Data: generated at scale {existing} in {dbname}, generation skipped")
        else:
            print(f"Generating scale {scale} in {dbname} (once; committed)", flush=True)
            seconds = generate(env, scale)
            cr.commit()
            start = time.perf_counter()
            vacuum_analyze(dbname, VACUUMED)
            seconds += time.perf_counter() - start
            print(f"Generated in {seconds:.0f} s ({seconds / 60:.1f} min)", flush=True)
        cr.execute("""
            SELECT (SELECT count(*) FROM product_product), (SELECT count(*) FROM stock_warehouse),
                   (SELECT count(*) FROM stock_quant), (SELECT count(*) FROM product_supplierinfo),
                   (SELECT count(*) FROM sale_order), (SELECT count(*) FROM sale_order_line),
                   (SELECT count(*) FROM stock_move), (SELECT count(*) FROM sale_order_flow_event),
                   (SELECT count(*) FROM distribution_exception)
        """)
        counts = cr.fetchone()
        print("Tables: {:,} products, {:,} warehouses, {:,} quants, {:,} supplierinfo, {:,} sale orders, "
              "{:,} order lines, {:,} stock moves, {:,} flow events, {:,} exceptions".format(*counts))
        cr.execute("SELECT flow_state, count(*) FROM sale_order GROUP BY 1 ORDER BY 1")
        print("Orders by flow state: " + ", ".join(f"{state} {count:,}" for state, count in cr.fetchall()))
        cr.execute("SELECT count(*), count(*) FILTER (WHERE distribution_auto_invoiced) FROM account_move "
                   "WHERE move_type = 'out_invoice' AND state = 'posted'")
        print("Posted customer invoices: {:,} ({:,} invoiced on delivery)".format(*cr.fetchone()))
        cr.execute("SAVEPOINT coherence")
        check_coherence(env)
        cr.execute("ROLLBACK TO SAVEPOINT coherence")

        def user_env(login):
            user = env["res.users"].search([("login", "=", login)])
            if not user:
                raise RuntimeError(f"user {login} missing: the data was not generated by this script")
            return env(user=user, context={"lang": "en_US", "tz": "UTC", "allowed_company_ids": [env.company.id]})

        rep_env = user_env("scb_sales_01")
        manager_env = user_env("scb_exception_manager")
        queue_user_env = user_env("scb_exception_user")
        kpi_env = user_env("scb_sales_manager")
        buyer_env = user_env("scb_buyer")

        rows = []

        def add(res, goal_ms):
            res["goal_ms"] = goal_ms
            rows.append(res)
            print(f"  measured {res['label']}: {res['median']:.1f} ms, {res['queries']} queries",
                  file=sys.stderr, flush=True)
            return res

        # 1. Available to promise on a new quotation (the salesperson's form).
        SaleOrder = rep_env["sale.order"]
        form_spec = view_spec(rep_env, "sale.order", "form")
        line_spec = form_spec["order_line"]["fields"]
        missing = {"atp_qty", "promise_date"} - set(line_spec)
        if missing:
            raise RuntimeError(f"the quotation form's lines do not show {missing}")
        cr.execute("SELECT partner_id FROM sale_order WHERE user_id = %s ORDER BY id LIMIT 1", [rep_env.uid])
        [partner_id] = cr.fetchone()
        # the best sellers: stock in every warehouse and open demand competing for it
        cr.execute("""
            SELECT product_id FROM stock_move WHERE state = 'confirmed' GROUP BY product_id
             ORDER BY count(*) DESC, product_id LIMIT %s
        """, [max(ATP_LINES)])
        product_ids = [pid for (pid,) in cr.fetchall()]

        def line_commands(n_lines):
            # a smaller quotation takes an even sample of the larger one's products: the same mix of lines
            # served from stock, from another warehouse, from a receipt or by a purchase
            sample = product_ids[::len(product_ids) // n_lines][:n_lines]
            return [[0, f"virtual_{i}", {"product_id": pid, "product_uom_qty": 25, "sequence": 10 + i}]
                    for i, pid in enumerate(sample)]

        atp, atp_sql = {}, {}
        for n_lines in ATP_LINES:
            def onchange(n_lines=n_lines):
                return SaleOrder.onchange({"partner_id": partner_id, "order_line": line_commands(n_lines)},
                                          ["order_line"], form_spec)

            def save(n_lines=n_lines):
                lines = [[0, 0, values] for _command, _virtual_id, values in line_commands(n_lines)]
                return SaleOrder.web_save({"partner_id": partner_id, "order_line": lines}, form_spec)

            atp[n_lines] = (
                add(measure(rep_env, f"ATP: new quotation onchange, {n_lines} lines (salesperson)", onchange, repeat),
                    FORM_GOAL_MS),
                add(measure(rep_env, f"ATP: save new quotation (web_save), {n_lines} lines", save, repeat),
                    FORM_GOAL_MS),
            )
            atp_sql[n_lines] = capture_queries(rep_env, onchange, "_compute_atp")
        result = atp[max(ATP_LINES)][1]["result"][0]
        saved = SaleOrder.browse(result["id"])
        lines_out = result["order_line"]
        if len(lines_out) != max(ATP_LINES) or not all(line.get("promise_date") for line in lines_out):
            raise RuntimeError("the saved quotation's lines came back without promise dates")
        add(measure(rep_env, f"ATP: open the saved {max(ATP_LINES)}-line quotation (web_read)",
                    lambda: saved.web_read(form_spec), repeat), FORM_GOAL_MS)

        cr.execute("""
            SELECT so.id FROM sale_order so JOIN sale_order_line sol ON sol.order_id = so.id
             WHERE so.user_id = %s AND so.flow_state IN ('confirmed', 'partially_reserved', 'reserved')
             GROUP BY so.id ORDER BY count(*) DESC, so.id LIMIT 1
        """, [rep_env.uid])
        [open_order_id] = cr.fetchone() or [None]
        if open_order_id:
            open_order = SaleOrder.browse(open_order_id)
            n_open_lines = len(open_order.sudo().order_line)
            add(measure(rep_env, f"Open a confirmed order, {n_open_lines} lines, open delivery (web_read)",
                        lambda: open_order.web_read(form_spec), repeat), FORM_GOAL_MS)

        # 2. The salesperson's order list.
        order_list_spec = view_spec(rep_env, "sale.order", "list", "sale.view_order_tree")
        add(measure(rep_env, "Sales Orders list, first page (salesperson)",
                    lambda: SaleOrder.web_search_read([["state", "=", "sale"]], order_list_spec, limit=80,
                                                      count_limit=10001),
                    repeat), FORM_GOAL_MS)
        quotation_spec = view_spec(rep_env, "sale.order", "list", "sale.view_quotation_tree_with_onboarding")
        add(measure(rep_env, "My Quotations list, first page (salesperson)",
                    lambda: SaleOrder.web_search_read([["user_id", "=", rep_env.uid]], quotation_spec, limit=80,
                                                      count_limit=10001),
                    repeat), FORM_GOAL_MS)

        # 3. The exception queue as its menu opens it.
        for label, uenv in (("exception manager", manager_env), ("exception user", queue_user_env)):
            Exception_ = uenv["distribution.exception"]
            queue_spec = view_spec(uenv, "distribution.exception", "list")
            add(measure(uenv, f"Exception queue grouped by type ({label})",
                        lambda E=Exception_: E.web_read_group([OPEN], ["type_id"], ["__count"], limit=80),
                        repeat), FORM_GOAL_MS)
            groups = Exception_.web_read_group([OPEN], ["type_id"], ["__count"], order="__count desc", limit=1)
            type_domain = [OPEN, ["type_id", "=", groups["groups"][0]["type_id"][0]]]
            add(measure(uenv, f"Exception queue, largest type group opened ({label})",
                        lambda E=Exception_, s=queue_spec, d=type_domain: E.web_search_read(d, s, limit=80,
                                                                                           count_limit=10001),
                        repeat), FORM_GOAL_MS)
            add(measure(uenv, f"Exception queue, open, first page of 80 ({label})",
                        lambda E=Exception_, s=queue_spec: E.web_search_read([OPEN], s, limit=80, count_limit=10001),
                        repeat), FORM_GOAL_MS)

        # 4. The KPI dashboard.
        Dashboard = kpi_env["distribution.kpi.dashboard"]
        add(measure(kpi_env, "KPI dashboard by month (sales manager)", lambda: Dashboard.get_dashboard_data("month"),
                    repeat), FORM_GOAL_MS)
        add(measure(kpi_env, "KPI dashboard by quarter (sales manager)",
                    lambda: Dashboard.get_dashboard_data("quarter"), repeat), FORM_GOAL_MS)
        add(measure(kpi_env, "KPI dashboard trend, 12 months (sales manager)",
                    lambda: Dashboard.get_dashboard_history("month"), repeat), FORM_GOAL_MS)
        add(measure(kpi_env, "KPI dashboard trend, 12 quarters (sales manager)",
                    lambda: Dashboard.get_dashboard_history("quarter"), repeat), FORM_GOAL_MS)

        # 5. One planner run.
        planner_note = ""
        if not skip_planner:
            run_record = buyer_env["distribution.replenishment.run"].create({})
            env.flush_all()
            env.invalidate_all()
            before = sql_db.sql_counter
            start = time.perf_counter()
            with MethodTimer(buyer_env, PLANNER_PHASES) as timer:
                run_record.action_compute()
                env.flush_all()
            ms = (time.perf_counter() - start) * 1000.0
            lines = run_record.line_ids
            planner_note = (f"{run_record.planned_pairs:,} product x warehouse planned, {len(lines):,} proposals "
                            f"({len(lines.filtered(lambda line: line.action == 'transfer')):,} transfers, "
                            f"{len(lines.filtered(lambda line: line.action == 'buy')):,} purchases)")
            add({"label": "Replenishment planner run (purchase manager, once)", "median": ms, "worst": ms,
                 "queries": sql_db.sql_counter - before, "func": None, "result": None}, PLANNER_GOAL_S * 1000)

        print(f"\nScale {scale} on {dbname}: {repeat} runs per call after a warm-up (median), empty record cache "
              "before each, as the users named (record rules applied), server time (ORM + SQL)")
        print(f"{'operation':<62} {'median ms':>10} {'worst ms':>9} {'queries':>8} {'goal':>7}  verdict")
        for res in rows:
            goal = f"{res['goal_ms'] / 1000:.0f} s" if res["goal_ms"] >= 10_000 else f"{res['goal_ms']:.0f} ms"
            verdict = "met" if res["median"] < res["goal_ms"] else "MISSED"
            print(f"{res['label']:<62} {res['median']:>10.1f} {res['worst']:>9.1f} {res['queries']:>8} {goal:>7}"
                  f"  {verdict}")
        if planner_note:
            print(f"Planner: {planner_note}")
            print(f"Planner phases (inclusive): {timer.report()}")
        # Queries of the available to promise itself (run inside _compute_atp) against the whole onchange's.
        # Independent of the lines when no query runs more than once (none per line or per product);
        # which queries run may still depend on the lines (vendors are read only when a line must be bought).
        own = {n: collections.Counter(text[:90] for text, inside in atp_sql[n] if inside) for n in ATP_LINES}
        repeated = {n: [text for text, count in own[n].items() if count > 1] for n in ATP_LINES}
        print(("ATP's own queries (inside _compute_atp), each run once whatever the line count: "
               if not any(repeated.values()) else "ATP's own queries (inside _compute_atp) REPEAT per line: ")
              + ", ".join(f"{n} lines {sum(own[n].values())}" for n in ATP_LINES))
        for n in ATP_LINES:
            for text in repeated[n]:
                print(f"  repeated at {n} lines ({own[n][text]} times): {text}")
        for text in sorted(set().union(*own.values())):
            if len({own[n][text] for n in ATP_LINES}) > 1:
                print("  only at " + ", ".join(f"{n} lines" for n in ATP_LINES if own[n][text]) + f": {text}")
        print("Whole onchange / save: " + ", ".join(
            f"{n} lines {atp[n][0]['queries']} / {atp[n][1]['queries']} queries" for n in ATP_LINES))
        low, high = (collections.Counter(text[:90] for text, _inside in atp_sql[n]) for n in ATP_LINES)
        for text in sorted(set(low) | set(high), key=lambda t: low[t] - high[t]):
            if high[text] > low[text]:
                print(f"  grows with the lines ({low[text]} -> {high[text]}): {text}")
        slow = [res for res in rows if res["median"] >= res["goal_ms"]]
        if slow:
            print("GOAL MISSED: " + "; ".join(f"{res['label']} {res['median']:.0f} ms" for res in slow))
        else:
            print("GOAL MET: every form and list under 1 s" + ("" if skip_planner else ", the planner under 5 minutes"))
        if profile:
            import cProfile
            import io
            import pstats

            for res in slow:
                if res["func"] is None:
                    continue
                env.invalidate_all()
                profiler = cProfile.Profile()
                profiler.runcall(res["func"])
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
                stats.print_stats(12)
                stats.print_stats("/addons/", 25)  # the modules' own methods (Odoo's apps and the suite's)
                print(f"\nProfile of {res['label']} (one run, cumulative):\n{out.getvalue()}")
        if explain:
            explain_slowest(env, [res for res in slow if res["func"] is not None])
    finally:
        cr.rollback()
        cr.close()


def main(argv=None):
    args, odoo_args = parse_args(sys.argv[1:] if argv is None else argv)
    setup_odoo(odoo_args)
    try:
        run(args.database, args.scale, args.repeat, args.skip_planner, args.explain, args.profile)
    except RuntimeError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

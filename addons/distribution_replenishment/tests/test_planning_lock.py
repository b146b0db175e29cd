import threading

import psycopg2.errors

import odoo
from odoo.service.model import retrying
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged


@tagged("post_install", "-at_install")
class TestPlanningLock(BaseCase):
    """A run computed while another run of the same company executes (a buyer beside the nightly cron)
    waits for it, so it reads the other's RFQs and transfers as incoming instead of planning the same
    need again. Real, separate connections; nothing is committed."""

    def test_second_run_waits_for_the_first(self):
        dbname = odoo.tools.config["db_name"]
        if isinstance(dbname, list):
            dbname = dbname[0]
        cr1 = db_connect(dbname).cursor()
        cr2 = db_connect(dbname).cursor()
        finished = {}
        try:
            env1 = odoo.api.Environment(cr1, odoo.SUPERUSER_ID, {})
            run1 = env1["distribution.replenishment.run"].create({})
            run1._lock_company_planning()  # as executing proposals does

            def second():
                env2 = odoo.api.Environment(cr2, odoo.SUPERUSER_ID, {})
                try:
                    run2 = env2["distribution.replenishment.run"].create(
                        {
                            "product_ids": [
                                (6, 0, env2["product.product"].search([("is_storable", "=", True)], limit=5).ids)
                            ]
                        }
                    )
                    run2._compute_plan()
                    finished["state"] = run2.state
                except Exception as error:  # noqa: BLE001 - reported by the assertion below
                    finished["error"] = error
                finally:
                    cr2.rollback()

            thread = threading.Thread(target=second)
            thread.start()
            thread.join(2)
            self.assertTrue(thread.is_alive(), "the second run waits while the first holds the company's plan")
            cr1.rollback()  # the first transaction ends
            thread.join(30)
            self.assertFalse(thread.is_alive())
            self.assertNotIn("error", finished, finished.get("error"))
            self.assertEqual(finished["state"], "proposed")
        finally:
            cr1.rollback()
            cr1.close()
            cr2.close()

    def test_a_run_planning_from_an_older_snapshot_is_refused(self):
        """Odoo's transactions are REPEATABLE READ: a run whose snapshot predates another run's committed
        execution must not plan from it (it would order the same need again). PostgreSQL refuses it, and
        the retry plans from a fresh snapshot."""
        dbname = odoo.tools.config["db_name"]
        if isinstance(dbname, list):
            dbname = dbname[0]
        cr1 = db_connect(dbname).cursor()
        cr2 = db_connect(dbname).cursor()
        try:
            env1 = odoo.api.Environment(cr1, odoo.SUPERUSER_ID, {})
            env2 = odoo.api.Environment(cr2, odoo.SUPERUSER_ID, {})
            company = env1.company
            env1["distribution.replenishment.lock"]._acquire(company)  # the company's row exists
            cr1.commit()
            env2["res.company"].browse(company.id).read(["name"])  # the second transaction's snapshot
            env1["distribution.replenishment.lock"]._acquire(company)  # another run executes and commits
            cr1.commit()
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                env2["distribution.replenishment.lock"]._acquire(company)
            cr2.rollback()
            env2["distribution.replenishment.lock"]._acquire(company)  # retried: a fresh snapshot passes
            cr2.rollback()
        finally:
            cr1.rollback()
            cr2.rollback()
            cr1.close()
            cr2.close()

    def test_two_connections_never_order_the_same_need_twice(self):
        """A buyer's run executes and commits while another run, started earlier (the nightly cron, a
        second buyer), plans the same product: the second is refused, retried on a fresh snapshot, and
        then sees the first's RFQ as incoming: one purchase line for the need, not two. Cleans up what it
        committed."""
        dbname = odoo.tools.config["db_name"]
        dbname = dbname[0] if isinstance(dbname, list) else dbname
        setup_cr = db_connect(dbname).cursor()
        env = odoo.api.Environment(setup_cr, odoo.SUPERUSER_ID, {})
        company = env.company
        warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        vendor = env["res.partner"].create({"name": "Race vendor (replenishment)", "is_company": True})
        product = env["product.product"].create({
            "name": "Race drum (replenishment)", "is_storable": True, "purchase_ok": True,
            "route_ids": [(4, env.ref("purchase_stock.route_warehouse0_buy").id)],
            "seller_ids": [(0, 0, {"partner_id": vendor.id, "price": 3.0, "delay": 2})],
        })
        demand = env["stock.move"].create({
            "product_id": product.id, "product_uom_qty": 12, "product_uom": product.uom_id.id,
            "location_id": warehouse.lot_stock_id.id, "location_dest_id": env.ref("stock.stock_location_customers").id,
            "company_id": company.id, "warehouse_id": warehouse.id,
        })
        demand._action_confirm()
        env["distribution.replenishment.lock"]._acquire(company)
        setup_cr.commit()
        cr1, cr2 = db_connect(dbname).cursor(), db_connect(dbname).cursor()
        run_ids = []
        try:
            env1 = odoo.api.Environment(cr1, odoo.SUPERUSER_ID, {})
            env2 = odoo.api.Environment(cr2, odoo.SUPERUSER_ID, {})
            env2["res.company"].browse(company.id).read(["name"])  # the second run's snapshot starts here
            first = env1["distribution.replenishment.run"].create({"product_ids": [(6, 0, product.ids)]})
            first.action_compute()
            first.action_execute()
            run_ids.append(first.id)
            ordered = sum(first.line_ids.filtered(lambda line: line.action == "buy").mapped("qty_to_order"))
            self.assertGreaterEqual(ordered, 12.0)
            cr1.commit()

            def plan_second():
                run = env2["distribution.replenishment.run"].create({"product_ids": [(6, 0, product.ids)]})
                run_ids.append(run.id)
                run.action_compute()
                return run

            with self.assertRaises(psycopg2.errors.SerializationFailure):
                plan_second()  # today's snapshot predates the first run's RFQ: refused
            cr2.rollback()
            run_ids.pop()
            second = retrying(plan_second, env2)  # as Odoo's request retry and the cron do
            buy = second.line_ids.filtered(lambda line: line.action == "buy" and line.qty_to_order > 0)
            self.assertFalse(buy, "the first run's RFQ is incoming: nothing to order again")
            cr2.commit()
            cr1.execute(
                "SELECT COUNT(*), SUM(product_qty) FROM purchase_order_line WHERE product_id = %s", [product.id]
            )
            count, qty = cr1.fetchone()
            self.assertEqual((count, qty), (1, ordered), "one purchase line for the need")
        finally:
            cr1.rollback()
            cr2.rollback()
            setup_cr.rollback()
            cleanup = odoo.api.Environment(setup_cr, odoo.SUPERUSER_ID, {})
            purchases = cleanup["purchase.order.line"].search([("product_id", "=", product.id)]).order_id
            purchases.button_cancel()
            purchases.unlink()
            cleanup["distribution.replenishment.run"].browse(run_ids).exists().line_ids.unlink()
            cleanup["distribution.replenishment.run"].browse(run_ids).exists().unlink()
            moves = cleanup["stock.move"].search([("product_id", "=", product.id)])
            moves._action_cancel()
            moves.write({"state": "draft"})
            moves.unlink()
            setup_cr.execute("DELETE FROM stock_quant WHERE product_id = %s", [product.id])
            cleanup["product.product"].browse(product.id).unlink()
            cleanup["res.partner"].browse(vendor.id).unlink()
            setup_cr.commit()
            for cursor in (setup_cr, cr1, cr2):
                cursor.close()

import odoo
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged

from .concurrency import current_database, run_while_uncommitted


@tagged("post_install", "-at_install")
class TestReservationRace(BaseCase):
    """Two transactions reserving the same stock at once, on real separate connections, in the order that
    made core over-reserve: the first reserves and has not committed yet, the second reserves the same
    quant. Core skips the locked quant and books its reservation on a new one (16 reserved of 10); the
    suite makes the second wait, fail to serialize and retry on a fresh snapshot, so it gets what is left.
    Cleans up what it committed."""

    def _env(self, cr):
        return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})

    def _setup(self, dbname):
        setup_cr = db_connect(dbname).cursor()
        env = self._env(setup_cr)
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        customers = env.ref("stock.stock_location_customers")
        product = env["product.product"].create({"name": "Race breaker (reservation)", "is_storable": True})
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 10)
        pickings = env["stock.picking"].create(
            [
                {"picking_type_id": warehouse.out_type_id.id, "location_id": warehouse.lot_stock_id.id,
                 "location_dest_id": customers.id}
                for _i in range(2)
            ]
        )
        moves = env["stock.move"].create(
            [
                {"product_id": product.id, "product_uom_qty": 8, "product_uom": product.uom_id.id,
                 "location_id": warehouse.lot_stock_id.id, "location_dest_id": customers.id,
                 "picking_type_id": warehouse.out_type_id.id, "picking_id": picking.id}
                for picking in pickings
            ]
        )
        moves._action_confirm(merge=False)
        moves._do_unreserve()
        setup_cr.commit()
        return setup_cr, product, moves, warehouse

    def _cleanup(self, setup_cr, product, moves):
        setup_cr.rollback()
        cleanup = self._env(setup_cr)
        cleanup["stock.move.line"].search([("product_id", "=", product.id)]).unlink()
        cleanup["stock.move"].browse(moves.ids).write({"state": "draft"})
        cleanup["stock.move"].browse(moves.ids).unlink()
        setup_cr.execute("DELETE FROM stock_quant WHERE product_id = %s", [product.id])
        cleanup["product.product"].browse(product.id).unlink()
        setup_cr.commit()

    def _reserve_concurrently(self, first, second):
        """``first`` on connection 1, uncommitted, while ``second`` runs on connection 2 as a request."""
        outcome = run_while_uncommitted(first, second)
        self.assertTrue(outcome["finished"])
        self.assertNotIn("error", outcome, outcome.get("error"))
        return outcome

    def _reserved(self, setup_cr, product, warehouse, moves):
        setup_cr.rollback()
        setup_cr.execute(
            "SELECT COALESCE(SUM(reserved_quantity), 0), COALESCE(SUM(quantity), 0), COUNT(*) FROM stock_quant "
            "WHERE product_id = %s AND location_id = %s", [product.id, warehouse.lot_stock_id.id]
        )
        reserved, on_hand, quant_count = setup_cr.fetchone()
        setup_cr.execute("SELECT id, quantity FROM stock_move WHERE id IN %s ORDER BY id", [tuple(moves.ids)])
        return reserved, on_hand, quant_count, [row[1] for row in setup_cr.fetchall()]

    def test_two_reservations_of_the_same_quant(self):
        setup_cr, product, moves, warehouse = self._setup(current_database())
        try:
            outcome = self._reserve_concurrently(
                lambda env: env["stock.move"].browse(moves[0].id)._action_assign(),
                lambda env: env["stock.move"].browse(moves[1].id)._action_assign(),
            )
            self.assertTrue(outcome["waited"], "the second reservation waits for the first's quant")
            reserved, on_hand, quant_count, per_move = self._reserved(setup_cr, product, warehouse, moves)
            self.assertEqual(on_hand, 10.0)
            self.assertEqual(reserved, 10.0, "never more reserved than on hand")
            self.assertEqual(per_move, [8.0, 2.0], "the second gets what is left")
            self.assertEqual(quant_count, 1, "no second quant carrying a reservation")
        finally:
            self._cleanup(setup_cr, product, moves)
            setup_cr.close()

    def test_scheduler_beside_check_availability(self):
        setup_cr, product, moves, warehouse = self._setup(current_database())
        try:
            # A warehouse user clicks Check Availability on one delivery while the scheduler reserves the
            # other's waiting move.
            outcome = self._reserve_concurrently(
                lambda env: env["stock.move"].browse(moves[0].id).picking_id.action_assign(),
                lambda env: env["stock.move"].search(
                    [("id", "in", moves.ids), ("state", "in", ("confirmed", "partially_available"))]
                )._action_assign(),
            )
            self.assertTrue(outcome["waited"])
            reserved, on_hand, quant_count, per_move = self._reserved(setup_cr, product, warehouse, moves)
            self.assertEqual(reserved, 10.0, "never more reserved than on hand")
            self.assertEqual(per_move, [8.0, 2.0])
            self.assertEqual(quant_count, 1)
        finally:
            self._cleanup(setup_cr, product, moves)
            setup_cr.close()


@tagged("post_install", "-at_install")
class TestBackgroundReservationRace(BaseCase):
    """Two background reservation jobs (Reserve Customer Orders: In the background) of two orders wanting
    8 each of 10 in stock, run at once on real separate connections (two runners' workers, or a channel
    given a capacity above 1): the second waits for the first's quants and gets what is left. Cleans up
    what it committed."""

    def test_two_reservation_jobs_of_the_same_stock(self):
        dbname = current_database()
        setup_cr = db_connect(dbname).cursor()
        env = odoo.api.Environment(setup_cr, odoo.SUPERUSER_ID, {})
        company = env.company
        mode = company.distribution_reservation_mode
        company.distribution_reservation_mode = "background"
        # With Distribution: Replenishment, the job's shortfall planning would leave runs behind: off here.
        trigger = company["replenishment_order_trigger"] if "replenishment_order_trigger" in company else None
        if trigger:
            company["replenishment_order_trigger"] = "none"
        warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        product = env["product.product"].create({"name": "Race breaker (background)", "is_storable": True})
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 10)
        customer = env["res.partner"].create({"name": "Race customer (background)"})
        orders = env["sale.order"].create(
            [
                {"partner_id": customer.id, "warehouse_id": warehouse.id,
                 "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 8})]}
                for _i in range(2)
            ]
        )
        orders.action_confirm()
        pickings = orders.picking_ids.sorted("id")
        setup_cr.commit()
        try:
            self.assertEqual(pickings.move_ids.mapped("quantity"), [0.0, 0.0], "confirmation reserved nothing")
            outcome = run_while_uncommitted(
                lambda env: env["stock.picking"].browse(pickings[0].id)._job_reserve_in_background(),
                lambda env: env["stock.picking"].browse(pickings[1].id)._job_reserve_in_background(),
            )
            self.assertTrue(outcome["finished"])
            self.assertNotIn("error", outcome, outcome.get("error"))
            self.assertTrue(outcome["waited"], "the second job waits for the first's quant")
            setup_cr.rollback()
            setup_cr.execute(
                "SELECT COALESCE(SUM(reserved_quantity), 0), COUNT(*) FROM stock_quant "
                "WHERE product_id = %s AND location_id = %s", [product.id, warehouse.lot_stock_id.id]
            )
            reserved, quant_count = setup_cr.fetchone()
            self.assertEqual(reserved, 10.0, "never more reserved than on hand")
            self.assertEqual(quant_count, 1, "no second quant carrying a reservation")
            setup_cr.execute("SELECT quantity FROM stock_move WHERE id IN %s ORDER BY id",
                             [tuple(pickings.move_ids.ids)])
            self.assertEqual([row[0] for row in setup_cr.fetchall()], [8.0, 2.0], "the second gets what is left")
        finally:
            setup_cr.rollback()
            cleanup = odoo.api.Environment(setup_cr, odoo.SUPERUSER_ID, {})
            # The company's settings first, in their own commit: the other tests must not inherit them.
            cleanup.company.distribution_reservation_mode = mode
            if trigger:
                cleanup.company["replenishment_order_trigger"] = trigger
            setup_cr.commit()
            cleanup_orders = cleanup["sale.order"].browse(orders.ids)
            cleanup_orders.picking_ids.move_ids._do_unreserve()
            cleanup_orders._action_cancel()
            cleanup["queue.job"].search([("model_name", "=", "stock.picking"),
                                         ("method_name", "=", "_job_reserve_in_background")]).filtered(
                lambda job: set(job.records.ids) & set(pickings.ids)).unlink()
            cleanup_orders.picking_ids.move_ids.write({"state": "draft"})
            cleanup_orders.picking_ids.move_ids.unlink()
            cleanup_orders.picking_ids.unlink()
            cleanup_orders.unlink()
            setup_cr.execute("DELETE FROM stock_quant WHERE product_id = %s", [product.id])
            cleanup["product.product"].browse(product.id).unlink()
            cleanup["res.partner"].browse(customer.id).unlink()
            setup_cr.commit()
            setup_cr.close()

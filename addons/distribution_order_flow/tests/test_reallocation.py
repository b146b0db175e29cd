import threading
from unittest.mock import patch

from psycopg2.errors import SerializationFailure

import odoo
from odoo.exceptions import AccessError
from odoo.service.model import retrying
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged

from odoo.addons.distribution_order_flow.models import distribution_reallocation as reallocation_module

from .common_order import OrderFlowCase


@tagged("post_install", "-at_install")
class TestReallocation(OrderFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = cls.CustomerClass.create({"name": "Key (realloc)", "code": "RKEY", "priority": 90})
        cls.dealer = cls.CustomerClass.create({"name": "Dealer (realloc)", "code": "RDEAL", "priority": 20})
        cls.complete = cls.CustomerClass.create(
            {"name": "Retail (realloc)", "code": "RRET", "priority": 95, "ship_policy": "complete"}
        )
        Partner = cls.env["res.partner"]
        cls.key_account = Partner.create(
            {"name": "Key Account R", "is_company": True, "distribution_class_id": cls.key.id}
        )
        cls.small_dealer = Partner.create(
            {"name": "Dealer R", "is_company": True, "distribution_class_id": cls.dealer.id}
        )
        cls.chain = Partner.create(
            {"name": "Retail Chain R", "is_company": True, "distribution_class_id": cls.complete.id}
        )
        cls.Reallocation = cls.env["distribution.reallocation"]

    def _confirm(self, partner, lines):
        order = self._order([(product, qty, None, 0.0) for product, qty in lines], partner=partner)
        order.action_confirm()
        return order

    def _reserved(self, order, product=None):
        moves = order.order_line.move_ids.filtered(lambda m: not product or m.product_id == product)
        return sum(moves.mapped("quantity"))

    def test_key_account_takes_stock_from_the_dealer(self):
        self._stock(self.cable, 10)
        dealer_order = self._confirm(self.small_dealer, [(self.cable, 8)])
        key_order = self._confirm(self.key_account, [(self.cable, 6)])
        self.assertEqual((self._reserved(dealer_order), self._reserved(key_order)), (8.0, 2.0), "first typed wins")
        changes = self.cable.with_user(self.sales_manager).action_reallocate()
        self.assertEqual(changes["params"]["type"], "success")
        self.assertEqual((self._reserved(dealer_order), self._reserved(key_order)), (4.0, 6.0))
        self.assertIn("re-allocated", dealer_order.message_ids[0].body)
        self.assertIn("8.0 → 4.0", dealer_order.message_ids[0].body)
        self.assertIn("2.0 → 6.0", key_order.message_ids[0].body)
        # Already in score order: a second run changes nothing and says so.
        self.assertEqual(self.Reallocation._reallocate(self.cable), {})
        self.assertEqual(self.cable.action_reallocate()["params"]["type"], "info")

    def test_picked_quantities_are_left_alone(self):
        self._stock(self.cable, 10)
        dealer_order = self._confirm(self.small_dealer, [(self.cable, 8)])
        dealer_order.picking_ids.move_ids.picked = True  # the picker already has them in hand
        key_order = self._confirm(self.key_account, [(self.cable, 6)])
        self.Reallocation._reallocate(self.cable)
        self.assertEqual((self._reserved(dealer_order), self._reserved(key_order)), (8.0, 2.0))

    def test_ship_complete_order_reserved_only_when_complete(self):
        self._stock(self.cable, 10)
        self._stock(self.breaker, 1)
        dealer_order = self._confirm(self.small_dealer, [(self.cable, 10)])
        chain_order = self._confirm(self.chain, [(self.cable, 5), (self.breaker, 3)])
        self.Reallocation._reallocate(self.cable | self.breaker)
        self.assertEqual(self._reserved(chain_order), 0.0, "the chain's order cannot be completed: nothing reserved")
        self.assertEqual(self._reserved(dealer_order), 10.0, "the cable stays with the dealer")
        self._stock(self.breaker, 5)
        self.Reallocation._reallocate(self.cable | self.breaker)
        self.assertEqual(self._reserved(chain_order, self.cable), 5.0)
        self.assertEqual(self._reserved(chain_order, self.breaker), 3.0)
        self.assertEqual(self._reserved(dealer_order), 5.0)

    def test_scheduler_step_reallocates_short_products(self):
        self._stock(self.cable, 4)
        dealer_order = self._confirm(self.small_dealer, [(self.cable, 4)])
        key_order = self._confirm(self.key_account, [(self.cable, 4)])
        self.env["stock.rule"].sudo()._run_scheduler_tasks(company_id=self.company_a.id)
        self.assertEqual((self._reserved(dealer_order), self._reserved(key_order)), (0.0, 4.0))

    def test_scheduler_own_run_reallocates_short_products_in_batches(self):
        self._stock(self.cable, 4)
        self._stock(self.breaker, 4)
        dealer_order = self._confirm(self.small_dealer, [(self.cable, 4), (self.breaker, 4)])
        key_order = self._confirm(self.key_account, [(self.cable, 4), (self.breaker, 4)])
        self.env.flush_all()
        self.registry_enter_test_mode()  # the step's own cursors share the test's transaction
        Reallocation = type(self.Reallocation)
        with patch.object(reallocation_module, "REALLOCATION_BATCH", 1), \
                patch.object(Reallocation, "_reallocate", autospec=True, side_effect=Reallocation._reallocate) as spy:
            self.Reallocation._run_reallocation_step(company_id=self.company_a.id, use_new_cursor=True)
        batches = [call.args[1].ids for call in spy.call_args_list]
        self.assertTrue(all(len(batch) == 1 for batch in batches), "one transaction per short product")
        self.assertIn([self.cable.id], batches)
        self.assertIn([self.breaker.id], batches)
        self.env.invalidate_all()
        self.assertEqual((self._reserved(dealer_order), self._reserved(key_order)), (0.0, 8.0))

    def test_scheduler_batch_failing_to_serialize_is_left_to_the_next_run(self):
        """Beside a picker validating, a re-allocation batch that cannot serialize is rolled back once and left to
        the next run (no retry with back-off holding the scheduler); the other batches commit."""
        self._stock(self.cable, 4)
        self._stock(self.breaker, 4)
        dealer_order = self._confirm(self.small_dealer, [(self.cable, 4), (self.breaker, 4)])
        key_order = self._confirm(self.key_account, [(self.cable, 4), (self.breaker, 4)])
        self.env.flush_all()
        self.registry_enter_test_mode()
        Reallocation = type(self.Reallocation)
        original = Reallocation._reallocate
        calls = []

        def reallocate(model, products, companies=None):
            calls.append(products.ids)
            if self.cable in products:
                raise SerializationFailure("could not serialize access due to concurrent update")
            return original(model, products, companies=companies)

        with patch.object(reallocation_module, "REALLOCATION_BATCH", 1), \
                patch.object(Reallocation, "_reallocate", autospec=True, side_effect=reallocate):
            changes = self.Reallocation._run_reallocation_step(company_id=self.company_a.id, use_new_cursor=True)
        self.assertEqual(calls.count([self.cable.id]), 1, "the failing batch is tried once, not retried")
        self.assertEqual(calls.count([self.breaker.id]), 1)
        self.assertTrue(changes, "the breaker's batch committed")
        self.env.invalidate_all()
        cable_moves = (dealer_order | key_order).order_line.move_ids.filtered(lambda m: m.product_id == self.cable)
        breaker_moves = (dealer_order | key_order).order_line.move_ids.filtered(lambda m: m.product_id == self.breaker)
        self.assertEqual(sum(cable_moves.mapped("quantity")), 4.0, "nothing half-written for the cable")
        self.assertEqual(self._reserved(dealer_order, self.cable), 4.0, "the cable stays as it was")
        self.assertEqual(self._reserved(key_order, self.breaker), 4.0, "the breaker went to the key account")
        self.assertEqual(sum(breaker_moves.mapped("quantity")), 4.0)
        # The next run takes the cable.
        self.Reallocation._run_reallocation_step(company_id=self.company_a.id, use_new_cursor=True)
        self.env.invalidate_all()
        self.assertEqual((self._reserved(dealer_order), self._reserved(key_order)), (0.0, 8.0))

    def test_only_managers_reallocate(self):
        with self.assertRaisesRegex(AccessError, "cannot re-allocate stock"):
            self.cable.with_user(self.salesperson).action_reallocate()
        with self.assertRaisesRegex(AccessError, "cannot re-allocate stock"):
            self.warehouse.with_user(self.salesperson).action_reallocate()

    def test_another_companys_manager_reallocates_nothing_here(self):
        self._stock(self.cable, 10)
        dealer_order = self._confirm(self.small_dealer, [(self.cable, 8)])
        key_order = self._confirm(self.key_account, [(self.cable, 6)])
        result = self.cable.with_user(self.manager_b).action_reallocate()
        self.assertEqual(result["params"]["type"], "info", "nothing of company B to change")
        self.assertEqual((self._reserved(dealer_order), self._reserved(key_order)), (8.0, 2.0),
                         "company A's deliveries keep their reservations")
        self.assertFalse(dealer_order.message_ids.filtered(lambda m: "re-allocated" in (m.body or "")))

    def test_warehouse_action(self):
        self._stock(self.cable, 3)
        dealer_order = self._confirm(self.small_dealer, [(self.cable, 3)])
        key_order = self._confirm(self.key_account, [(self.cable, 3)])
        self.warehouse.action_reallocate()
        self.assertEqual((self._reserved(dealer_order), self._reserved(key_order)), (0.0, 3.0))


@tagged("post_install", "-at_install")
class TestReallocationPickPackShip(TestReallocation):
    """The same scenarios in a pick + pack + ship warehouse: the picks, which reserve the stock, are
    re-allocated."""

    delivery_steps = "pick_pack_ship"


@tagged("post_install", "-at_install")
class TestReallocationRace(BaseCase):
    """Two re-allocations at once, or one beside a reservation, on real separate connections: the second
    waits for the first's locks and never hands out stock twice. Cleans up what it committed."""

    def _env(self, cr):
        return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})

    def test_two_cursors_never_over_reserve(self):
        dbname = odoo.tools.config["db_name"]
        dbname = dbname[0] if isinstance(dbname, list) else dbname
        setup_cr = db_connect(dbname).cursor()
        env = self._env(setup_cr)
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        customers = env.ref("stock.stock_location_customers")
        product = env["product.product"].create({"name": "Race cable", "is_storable": True})
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 10)
        moves = env["stock.move"].create(
            [
                {"product_id": product.id, "product_uom_qty": 10, "product_uom": product.uom_id.id,
                 "location_id": warehouse.lot_stock_id.id, "location_dest_id": customers.id}
                for _i in range(3)
            ]
        )
        moves._action_confirm()
        moves[0]._action_assign()  # the lowest score holds everything
        moves[0].allocation_score, moves[1].allocation_score, moves[2].allocation_score = 10, 90, 50
        setup_cr.commit()
        cr1, cr2 = db_connect(dbname).cursor(), db_connect(dbname).cursor()
        outcome = {}
        try:
            env1 = self._env(cr1)
            env1["distribution.reallocation"]._reallocate(env1["product.product"].browse(product.id))

            def second():
                env2 = self._env(cr2)
                try:
                    # As the scheduler and RPC run it: retried when it cannot serialize.
                    outcome["changes"] = retrying(
                        lambda: env2["distribution.reallocation"]._reallocate(
                            env2["product.product"].browse(product.id)
                        ),
                        env2,
                    )
                    cr2.commit()
                except Exception as error:  # noqa: BLE001 - reported by the assertion below
                    outcome["error"] = error
                    cr2.rollback()

            thread = threading.Thread(target=second)
            thread.start()
            thread.join(2)
            self.assertTrue(thread.is_alive(), "the second run waits for the first's row locks")
            cr1.commit()
            thread.join(30)
            self.assertFalse(thread.is_alive())
            self.assertNotIn("error", outcome, outcome.get("error"))
            self.assertEqual(outcome["changes"], {}, "the second run found stock already in score order")
            cr1.execute("SELECT id, quantity FROM stock_move WHERE id IN %s ORDER BY id", [tuple(moves.ids)])
            self.assertEqual([row[1] for row in cr1.fetchall()], [0.0, 10.0, 0.0])
            cr1.execute(
                "SELECT SUM(reserved_quantity), SUM(quantity) FROM stock_quant WHERE product_id = %s "
                "AND location_id = %s", [product.id, warehouse.lot_stock_id.id]
            )
            reserved, on_hand = cr1.fetchone()
            self.assertEqual((reserved, on_hand), (10.0, 10.0), "never more reserved than on hand")
        finally:
            cr1.rollback()
            cr2.rollback()
            cleanup = self._env(setup_cr)
            setup_cr.rollback()
            cleanup["stock.move.line"].search([("product_id", "=", product.id)]).unlink()
            cleanup["stock.move"].browse(moves.ids).write({"state": "draft"})
            cleanup["stock.move"].browse(moves.ids).unlink()
            cleanup["stock.quant"].search([("product_id", "=", product.id)]).sudo().unlink()
            setup_cr.execute("DELETE FROM stock_quant WHERE product_id = %s", [product.id])
            cleanup["product.product"].browse(product.id).unlink()
            setup_cr.commit()
            for cursor in (setup_cr, cr1, cr2):
                cursor.close()

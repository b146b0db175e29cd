from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common_order import OrderFlowCase


@tagged("post_install", "-at_install")
class TestReallocationPickShip(OrderFlowCase):
    """Re-allocation where deliveries take two steps (pick, then ship): the pick reserves the stock and is
    the move re-allocated; the next step is created by Odoo when the pick is done and takes what it brought.
    A dealer (priority 5) and a key account (priority 95) compete for 10 units."""

    delivery_steps = "pick_ship"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = cls.CustomerClass.create({"name": "Key (steps)", "code": "MKEY", "priority": 95})
        cls.dealer = cls.CustomerClass.create({"name": "Dealer (steps)", "code": "MDEAL", "priority": 5})
        cls.complete = cls.CustomerClass.create(
            {"name": "Retail (steps)", "code": "MRET", "priority": 95, "ship_policy": "complete"}
        )
        Partner = cls.env["res.partner"]
        cls.key_account = Partner.create(
            {"name": "Key Account M", "is_company": True, "distribution_class_id": cls.key.id}
        )
        cls.small_dealer = Partner.create(
            {"name": "Dealer M", "is_company": True, "distribution_class_id": cls.dealer.id}
        )
        cls.chain = Partner.create(
            {"name": "Retail Chain M", "is_company": True, "distribution_class_id": cls.complete.id}
        )
        cls.inventory_manager = new_test_user(
            cls.env,
            login="dist_inventory_manager_steps",
            groups="stock.group_stock_manager",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        cls.storekeeper = new_test_user(
            cls.env,
            login="dist_storekeeper_steps",
            groups="stock.group_stock_user",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        cls.Reallocation = cls.env["distribution.reallocation"]

    # --- helpers ------------------------------------------------------------------------------------
    def _confirm(self, partner, lines, user=None):
        order = self._order([(product, qty, None, 0.0) for product, qty in lines], partner=partner, user=user)
        order.action_confirm()
        return order

    def _pick_moves(self, order, product=None):
        """The order's moves out of stock (its first step)."""
        return order.order_line.move_ids.filtered(
            lambda m: m.picking_type_id == self.warehouse.pick_type_id and (not product or m.product_id == product)
        )

    def _reserved(self, order, product=None):
        return sum(self._pick_moves(order, product).filtered(lambda m: m.state != "done").mapped("quantity"))

    def _validate_next_step(self, order):
        """The storekeeper validates the order's ready transfer (pick, pack or ship) in full."""
        picking = order.picking_ids.filtered(lambda p: p.state == "assigned").sorted("id")[:1]
        self.assertTrue(picking, "a transfer is ready")
        picking = picking.with_user(self.storekeeper)
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def _run_scheduler(self):
        """Odoo's scheduler, as the system runs it for the company."""
        self.env["stock.rule"].run_scheduler(company_id=self.company_a.id)

    def _reported_scenario(self):
        """A dealer's two orders hold the 10 units; a key account then orders 5."""
        self._stock(self.cable, 10)
        first = self._confirm(self.small_dealer, [(self.cable, 5)])
        second = self._confirm(self.small_dealer, [(self.cable, 5)])
        key_order = self._confirm(self.key_account, [(self.cable, 5)])
        self.assertEqual((self._reserved(first), self._reserved(second), self._reserved(key_order)), (5.0, 5.0, 0.0),
                         "first come, first served")
        return first, second, key_order

    # --- tests --------------------------------------------------------------------------------------
    def test_scheduler_serves_the_key_account_then_the_chain_follows(self):
        first, second, key_order = self._reported_scenario()
        key_pick = self._pick_moves(key_order)
        self.assertGreater(
            key_pick.allocation_score, self._pick_moves(first).allocation_score, "the pick carries the delivery's score"
        )
        self._run_scheduler()
        self.assertRecordValues(
            key_pick,
            [
                {
                    "state": "assigned",
                    "quantity": 5.0,
                    "location_id": self.stock_location.id,
                    "procure_method": "make_to_stock",
                }
            ],
        )
        # Equal scores: the later order gives way.
        self.assertRecordValues(
            self._pick_moves(first) | self._pick_moves(second),
            [
                {"state": "assigned", "quantity": 5.0},
                {"state": "confirmed", "quantity": 0.0},
            ],
        )
        self.assertIn("5.0 → 0.0", second.message_ids[0].body)
        self.assertIn("0.0 → 5.0", key_order.message_ids[0].body)
        # The warehouse goes on as usual: the pick is done, Odoo creates the next step and reserves it
        # with what the pick brought; a second run leaves it alone.
        self._validate_next_step(key_order)
        next_move = key_order.order_line.move_ids.filtered(lambda m: m.move_orig_ids == key_pick)
        self.assertRecordValues(next_move, [{
            "state": "assigned", "quantity": 5.0, "location_id": key_pick.location_dest_id.id,
            "procure_method": "make_to_order",
        }])
        self.assertEqual(self.Reallocation._reallocate(self.cable), {})
        self._run_scheduler()
        self.assertRecordValues(next_move, [{"state": "assigned", "quantity": 5.0}])

    def test_inventory_manager_reallocates_and_salesperson_is_refused(self):
        first, second, key_order = self._reported_scenario()
        with self.assertRaisesRegex(AccessError, "cannot re-allocate stock"):
            self.cable.with_user(self.salesperson).action_reallocate()
        with self.assertRaisesRegex(AccessError, "cannot re-allocate stock"):
            self.warehouse.with_user(self.salesperson).action_reallocate()
        self.assertEqual((self._reserved(first), self._reserved(second), self._reserved(key_order)), (5.0, 5.0, 0.0))
        result = self.cable.with_user(self.inventory_manager).action_reallocate()
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual((self._reserved(first), self._reserved(second), self._reserved(key_order)), (5.0, 0.0, 5.0))
        # Already in score order (the warehouse's button also re-allocates the demo's short products).
        self.warehouse.with_user(self.inventory_manager).action_reallocate()
        self.assertEqual((self._reserved(first), self._reserved(second), self._reserved(key_order)), (5.0, 0.0, 5.0))

    def test_ship_complete_across_steps(self):
        self._stock(self.cable, 10)
        self._stock(self.breaker, 1)
        dealer_order = self._confirm(self.small_dealer, [(self.cable, 10)])
        chain_order = self._confirm(self.chain, [(self.cable, 5), (self.breaker, 3)])
        self.assertEqual(chain_order.picking_ids.move_type, "one", "the pick follows the order's ship policy")
        # Re-allocating the cable alone: the breaker the chain holds (1 of 3) does not complete it.
        self.cable.with_user(self.inventory_manager).action_reallocate()
        self.assertEqual(self._reserved(chain_order, self.cable), 0.0)
        self.assertEqual(self._reserved(dealer_order), 10.0, "the cable stays with the dealer")
        (self.cable | self.breaker).with_user(self.inventory_manager).action_reallocate()
        self.assertEqual(self._reserved(chain_order), 0.0, "the chain's order cannot be completed: nothing reserved")
        self.assertEqual(self._reserved(dealer_order), 10.0)
        self._stock(self.breaker, 5)
        (self.cable | self.breaker).with_user(self.inventory_manager).action_reallocate()
        self.assertRecordValues(self._pick_moves(chain_order).sorted(lambda m: m.product_id.id != self.cable.id), [
            {"product_id": self.cable.id, "state": "assigned", "quantity": 5.0},
            {"product_id": self.breaker.id, "state": "assigned", "quantity": 3.0},
        ])
        self.assertEqual(self._reserved(dealer_order), 5.0)
        # Every later step of the delivery ships complete too.
        self._validate_next_step(chain_order)
        later = chain_order.picking_ids.filtered(lambda p: p.state != "done")
        self.assertRecordValues(later, [{"move_type": "one", "state": "assigned"}])

    def test_picked_or_packed_picks_are_never_taken_back(self):
        self._stock(self.cable, 10)
        picked_order = self._confirm(self.small_dealer, [(self.cable, 5)])
        packed_order = self._confirm(self.small_dealer, [(self.cable, 5)])
        # The storekeeper has the first order's goods in hand, and the second's in a box.
        self._pick_moves(picked_order).with_user(self.storekeeper).picked = True
        self._pick_moves(packed_order).move_line_ids.with_user(self.storekeeper).result_package_id = (
            self.env["stock.package"].create({"name": "Box M1"})
        )
        key_order = self._confirm(self.key_account, [(self.cable, 5)])
        self._run_scheduler()
        self.cable.with_user(self.inventory_manager).action_reallocate()
        self.assertEqual((self._reserved(picked_order), self._reserved(packed_order), self._reserved(key_order)),
                         (5.0, 5.0, 0.0))

    def test_done_pick_with_the_next_step_pending_is_not_touched(self):
        self._stock(self.cable, 10)
        dealer_order = self._confirm(self.small_dealer, [(self.cable, 10)])
        self._validate_next_step(dealer_order)  # the pick: the goods wait at the next step
        pending = dealer_order.order_line.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        self.assertRecordValues(pending, [{"state": "assigned", "quantity": 10.0, "procure_method": "make_to_order"}])
        key_order = self._confirm(self.key_account, [(self.cable, 5)])
        self._run_scheduler()
        result = self.cable.with_user(self.inventory_manager).action_reallocate()
        self.assertEqual(result["params"]["type"], "info")
        self.assertRecordValues(pending, [{"state": "assigned", "quantity": 10.0}])
        self.assertEqual(self._reserved(key_order), 0.0)
        # New stock on the shelf goes to the key account's pick.
        self._stock(self.cable, 3)
        self._run_scheduler()
        self.assertEqual(self._reserved(key_order), 3.0)
        self.assertRecordValues(pending, [{"state": "assigned", "quantity": 10.0}])

    def test_another_companys_deliveries_are_untouched(self):
        company_b = self.company_b
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", company_b.id)], limit=1)
        warehouse_b.delivery_steps = self.delivery_steps
        classes_b = self.CustomerClass.create([
            {"name": "Key (steps B)", "code": "MKEYB", "priority": 95, "company_id": company_b.id},
            {"name": "Dealer (steps B)", "code": "MDEALB", "priority": 5, "company_id": company_b.id},
        ])
        self.key_account.with_company(company_b).distribution_class_id = classes_b[0]
        self.small_dealer.with_company(company_b).distribution_class_id = classes_b[1]
        self._stock(self.cable, 10, warehouse_b.lot_stock_id)
        dealer_b = self._confirm(self.small_dealer, [(self.cable, 10)], user=self.manager_b)
        key_b = self._confirm(self.key_account, [(self.cable, 5)], user=self.manager_b)
        moves_b = (dealer_b | key_b).order_line.move_ids
        self.assertEqual(moves_b.picking_type_id, warehouse_b.pick_type_id)
        self.assertEqual(moves_b.mapped("quantity"), [10.0, 0.0])
        # Company A's short stock is re-allocated, by its inventory manager and by its scheduler run.
        self._reported_scenario()
        self.cable.with_user(self.inventory_manager).action_reallocate()
        self.warehouse.with_user(self.inventory_manager).action_reallocate()
        self._run_scheduler()
        self.assertEqual(moves_b.mapped("quantity"), [10.0, 0.0], "company B's picks keep their reservations")
        self.assertFalse((dealer_b | key_b).message_ids.filtered(lambda m: "re-allocated" in (m.body or "")))
        # Company B's own run serves its key account.
        self.env["stock.rule"].run_scheduler(company_id=company_b.id)
        self.assertEqual(moves_b.mapped("quantity"), [5.0, 5.0])


@tagged("post_install", "-at_install")
class TestReallocationPickPackShipSteps(TestReallocationPickShip):
    """The same in three steps (pick, pack, ship)."""

    delivery_steps = "pick_pack_ship"

    def test_packed_goods_at_the_pack_step_are_not_touched(self):
        self._stock(self.cable, 10)
        dealer_order = self._confirm(self.small_dealer, [(self.cable, 10)])
        self._validate_next_step(dealer_order)  # pick
        self._validate_next_step(dealer_order)  # pack
        ship = dealer_order.order_line.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        self.assertRecordValues(ship, [{"state": "assigned", "quantity": 10.0,
                                        "picking_type_id": self.warehouse.out_type_id.id}])
        key_order = self._confirm(self.key_account, [(self.cable, 5)])
        self._run_scheduler()
        self.assertRecordValues(ship, [{"state": "assigned", "quantity": 10.0}])
        self.assertEqual(self._reserved(key_order), 0.0)


@tagged("post_install", "-at_install")
class TestReallocationPulledChain(OrderFlowCase):
    """Routes that create every step at once (each step pulled by the next, chained by destination
    moves): the pick is re-allocated by the score of the chain, its ship move waits, as in core."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.output = cls.warehouse.wh_output_stock_loc_id
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.product = cls.env["product.product"].create({"name": "Chained cable", "is_storable": True})
        cls.inventory_manager = new_test_user(
            cls.env,
            login="dist_inventory_manager_pull",
            groups="stock.group_stock_manager",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )

    def _chain(self, qty, score, move_type="direct"):
        """A pick (stock -> output) feeding a ship (output -> customer), as a pull route creates them, for
        a customer of its own (a transfer each)."""
        Move = self.env["stock.move"]
        partner = self.env["res.partner"].create({"name": f"Pulled chain customer {score}"})
        ship = Move.create({
            "product_id": self.product.id, "product_uom_qty": qty, "product_uom": self.product.uom_id.id,
            "location_id": self.output.id, "location_dest_id": self.customers.id,
            "procure_method": "make_to_order", "picking_type_id": self.warehouse.out_type_id.id,
            "partner_id": partner.id,
        })
        pick = Move.create({
            "product_id": self.product.id, "product_uom_qty": qty, "product_uom": self.product.uom_id.id,
            "location_id": self.stock_location.id, "location_dest_id": self.output.id,
            "location_final_id": self.output.id, "move_dest_ids": [Command.link(ship.id)],
            "picking_type_id": self.warehouse.pick_type_id.id, "partner_id": partner.id,
        })
        (pick | ship)._action_confirm()
        ship.picking_id.move_type = move_type
        # Set as the system does from the delivery's order (these hand-built moves have none).
        (pick | ship).allocation_score = score
        return pick, ship

    def test_pick_reallocated_by_score_ship_waits(self):
        self._stock(self.product, 10)
        low_pick, low_ship = self._chain(10, 20.0)
        low_pick._action_assign()
        high_pick, high_ship = self._chain(6, 90.0)
        self.assertEqual(
            (low_pick | high_pick)._get_delivery_chain_ends(), {low_pick: low_ship, high_pick: high_ship}
        )
        self.product.with_user(self.inventory_manager).action_reallocate()
        self.assertRecordValues(low_pick | low_ship | high_pick | high_ship, [
            {"state": "partially_available", "quantity": 4.0},
            {"state": "waiting", "quantity": 0.0},
            {"state": "assigned", "quantity": 6.0},
            {"state": "waiting", "quantity": 0.0},
        ])
        high_pick.picked = True
        high_pick.picking_id.button_validate()
        self.assertRecordValues(high_ship, [{"state": "assigned", "quantity": 6.0}])

    def test_ship_complete_read_from_the_delivery(self):
        self._stock(self.product, 10)
        low_pick, _low_ship = self._chain(10, 20.0)
        low_pick._action_assign()
        complete_pick, _complete_ship = self._chain(12, 90.0, move_type="one")
        self.product.with_user(self.inventory_manager).action_reallocate()
        self.assertRecordValues(low_pick | complete_pick, [
            {"state": "assigned", "quantity": 10.0},
            {"state": "confirmed", "quantity": 0.0},
        ])

    def test_available_to_promise_counts_a_chain_once(self):
        self._chain(5, 99.0)  # confirmed before the stock came: 5 owed, by the pick and by its ship
        self._stock(self.product, 20)
        quote = self._order([(self.product, 1, None, 0.0)])
        self.assertEqual(quote.order_line.atp_qty, 15.0)

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_order import OrderFlowCase

NOW = datetime(2026, 3, 2, 10, 0, 0)


@tagged("post_install", "-at_install")
class TestAvailableToPromise(OrderFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch = cls.env["stock.warehouse"].create(
            {"name": "Branch (atp)", "code": "BATP", "delivery_steps": cls.delivery_steps or "ship_only"}
        )
        cls.key = cls.CustomerClass.create({"name": "Key (atp)", "code": "ATPK", "priority": 90})
        cls.dealer = cls.CustomerClass.create({"name": "Dealer (atp)", "code": "ATPD", "priority": 10})
        cls.key_account = cls.env["res.partner"].create(
            {"name": "Key ATP", "is_company": True, "distribution_class_id": cls.key.id}
        )
        cls.small_dealer = cls.env["res.partner"].create(
            {"name": "Dealer ATP", "is_company": True, "distribution_class_id": cls.dealer.id}
        )
        cls.vendor = cls.env["res.partner"].create({"name": "ATP Vendor", "is_company": True})
        cls.cable.seller_ids = [Command.create({"partner_id": cls.vendor.id, "price": 50, "delay": 12})]

    def _incoming(self, warehouse, qty, date, source=None):
        move = self.env["stock.move"].create(
            {
                "product_id": self.cable.id,
                "product_uom_qty": qty,
                "product_uom": self.cable.uom_id.id,
                "location_id": (source or self.env.ref("stock.stock_location_suppliers")).id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "date": date,
            }
        )
        move._action_confirm()
        return move

    def test_atp_from_stock_minus_higher_score_demand(self):
        with freeze_time(NOW):
            self._stock(self.cable, 10)
            key_order = self._order([(self.cable, 6, None, 0.0)], partner=self.key_account)
            key_order.action_confirm()  # reserves 6
            self.env["stock.quant"]._update_available_quantity(self.cable, self.stock_location, -6)  # sold counter
            # 10 - 6 sold = 4 on hand, all reserved for the key account: a new dealer quotation sees 0.
            quote = self._order([(self.cable, 3, None, 0.0)], partner=self.small_dealer)
            self.assertEqual(quote.order_line.atp_qty, 0.0)
            self._stock(self.cable, 5)
            quote.order_line.invalidate_recordset(["atp_qty"])
            self.assertEqual(quote.order_line.atp_qty, 3.0, "5 new - 2 still owed to the key account")
            self.assertEqual(quote.order_line.promise_date, NOW)
            self.assertEqual(quote.order_line.atp_warehouse_id, self.warehouse)

    def test_unreserved_demand_of_a_higher_score_comes_first(self):
        with freeze_time(NOW):
            self._stock(self.cable, 4)
            key_order = self._order([(self.cable, 6, None, 0.0)], partner=self.key_account)
            key_order.action_confirm()  # reserves the 4 (the pick in a multi-step warehouse), owes 2
            self._stock(self.cable, 5)
            quote = self._order([(self.cable, 3, None, 0.0)], partner=self.small_dealer)
            # 9 on hand - 4 reserved - the 2 the key account is still owed (it is served first).
            self.assertRecordValues(quote.order_line, [{"atp_qty": 3.0, "atp_warehouse_id": self.warehouse.id}])

    def test_promise_date_from_incoming_receipts_and_transfers(self):
        with freeze_time(NOW):
            self._stock(self.cable, 2)
            self._incoming(self.warehouse, 3, NOW + timedelta(days=4))  # a receipt
            transit = self.env.company.internal_transit_location_id
            self._incoming(self.warehouse, 10, NOW + timedelta(days=9), source=transit)  # a transfer in
            quote = self._order([(self.cable, 4, None, 0.0)], warehouse_id=self.warehouse.id)
            line = quote.order_line
            self.assertEqual(line.atp_qty, 2.0)
            self.assertEqual(line.promise_date, NOW + timedelta(days=4), "2 now + 3 on day 4")
            line.product_uom_qty = 10
            self.assertEqual(line.promise_date, NOW + timedelta(days=9), "the transfer on day 9 completes it")
            line.product_uom_qty = 100
            self.assertEqual(line.promise_date, NOW + timedelta(days=12), "beyond what comes: vendor lead time")
            # A warehouse with the whole quantity on the shelf can be sourced from; this warehouse still
            # waits for its vendor while nothing brings the branch's stock here.
            self._stock(self.cable, 200, self.branch.lot_stock_id)
            line.invalidate_recordset(["promise_date", "atp_warehouse_id"])
            self.assertEqual((line.promise_date, line.atp_warehouse_id), (NOW + timedelta(days=12), self.branch))
            # Resupplied from the branch (its route's rules take 2 days): the transfer brings it sooner.
            self.warehouse.resupply_wh_ids = self.branch
            route = self.env["stock.route"].search(
                [("supplied_wh_id", "=", self.warehouse.id), ("supplier_wh_id", "=", self.branch.id)]
            )
            route.rule_ids[:1].delay = 2
            line.invalidate_recordset(["promise_date"])
            self.assertEqual(line.promise_date, NOW + timedelta(days=2), "never now: the transfer takes 2 days")
            route.rule_ids[:1].delay = 20
            line.invalidate_recordset(["promise_date"])
            self.assertEqual(line.promise_date, NOW + timedelta(days=12), "the vendor is sooner than that transfer")

    def test_source_from_another_warehouse_in_one_click(self):
        with freeze_time(NOW):
            self._stock(self.cable, 1)
            self._stock(self.cable, 30, self.branch.lot_stock_id)
            quote = self._order([(self.cable, 8, None, 0.0)], warehouse_id=self.warehouse.id)
            line = quote.order_line
            self.assertRecordValues(
                line, [{"atp_qty": 1.0, "atp_warehouse_id": self.branch.id, "atp_source_suggested": True}]
            )
            self.assertEqual(line.promise_date, NOW + timedelta(days=12), "from this warehouse: the vendor's lead time")
            line.with_user(self.salesperson).action_source_from_atp_warehouse()
            self.assertEqual(line.warehouse_id, self.branch)
            line.invalidate_recordset(["promise_date"])
            self.assertEqual(line.promise_date, NOW, "sourced from the branch: it ships now")
            quote.action_confirm()
            self.assertEqual(quote.picking_ids.picking_type_id.warehouse_id, self.branch)
            self.assertEqual(quote.picking_ids.move_ids.quantity, 8.0)
            with self.assertRaisesRegex(UserError, "is confirmed"):
                line.action_source_from_atp_warehouse()

    def test_incoming_supply_promised_earlier_is_not_taken(self):
        """Time-phased: a dealer's confirmed order waits for 10 cables on day 5; the new quotation (which
        would score higher) may take the 10 on the shelf now only if a receipt refills them before day 5."""
        with freeze_time(NOW):
            earlier = self._order([(self.cable, 10, None, 0.0)], partner=self.small_dealer,
                                  commitment_date=NOW + timedelta(days=5))
            earlier.action_confirm()  # nothing on hand: nothing reserved, 10 due on day 5
            self._stock(self.cable, 10)
            receipt = self._incoming(self.warehouse, 10, NOW + timedelta(days=7))
            quote = self._order([(self.cable, 10, None, 0.0)], partner=self.small_dealer)
            line = quote.order_line
            self.assertEqual(line.atp_qty, 0.0, "the shelf's 10 are the earlier order's on day 5")
            self.assertEqual(line.promise_date, NOW + timedelta(days=7), "the receipt of day 7 is free")
            receipt.date = NOW + timedelta(days=3)  # the receipt refills the shelf before day 5
            line.invalidate_recordset(["atp_qty", "promise_date"])
            self.assertEqual((line.atp_qty, line.promise_date), (10.0, NOW))

    def test_higher_score_demand_is_served_first_whatever_its_date(self):
        with freeze_time(NOW):
            key_order = self._order([(self.cable, 6, None, 0.0)], partner=self.key_account,
                                    commitment_date=NOW + timedelta(days=20))
            key_order.action_confirm()
            self._stock(self.cable, 6)
            self._incoming(self.warehouse, 6, NOW + timedelta(days=4))
            quote = self._order([(self.cable, 5, None, 0.0)], partner=self.small_dealer,
                                commitment_date=NOW + timedelta(days=30))
            line = quote.order_line
            self.assertEqual(line.atp_qty, 0.0, "the key account is served first, even due later")
            self.assertEqual(line.promise_date, NOW + timedelta(days=4))

    def test_lines_of_one_quotation_do_not_promise_the_same_stock(self):
        with freeze_time(NOW):
            self._stock(self.cable, 10)
            self._incoming(self.warehouse, 10, NOW + timedelta(days=4))
            quote = self._order([(self.cable, 8, None, 0.0), (self.cable, 5, None, 0.0)])
            first, second = quote.order_line.sorted("sequence")
            self.assertEqual((first.atp_qty, first.promise_date), (10.0, NOW))
            self.assertEqual((second.atp_qty, second.promise_date), (2.0, NOW + timedelta(days=4)),
                             "8 of the 10 are the first line's")

    def test_transfer_from_a_warehouse_whose_supply_arrives(self):
        with freeze_time(NOW):
            self.warehouse.resupply_wh_ids = self.branch
            route = self.env["stock.route"].search(
                [("supplied_wh_id", "=", self.warehouse.id), ("supplier_wh_id", "=", self.branch.id)]
            )
            route.rule_ids[:1].delay = 2
            self._incoming(self.branch, 10, NOW + timedelta(days=3))
            quote = self._order([(self.cable, 10, None, 0.0)], warehouse_id=self.warehouse.id)
            self.assertEqual(quote.order_line.promise_date, NOW + timedelta(days=5), "day 3 at the branch + 2")

    def test_counted_but_unapplied_quantity_is_no_stock(self):
        """A count not applied yet is a quant without a quantity (NULL): nothing on hand, not a crash."""
        with freeze_time(NOW):
            self._stock(self.cable, 3)
            self.env["stock.quant"].with_context(inventory_mode=True).create({
                "product_id": self.cable.id, "location_id": self.branch.lot_stock_id.id, "inventory_quantity": 50,
            })
            quote = self._order([(self.cable, 2, None, 0.0)])
            self.assertRecordValues(quote.order_line, [{"atp_qty": 3.0, "promise_date": NOW}])

    def test_order_promise_date_by_ship_policy_and_accept(self):
        with freeze_time(NOW):
            self._stock(self.breaker, 10)
            self._incoming(self.warehouse, 5, NOW + timedelta(days=6))
            quote = self._order([(self.cable, 5, None, 0.0), (self.breaker, 2, None, 0.0)])
            quote.ship_policy = "partial"
            self.assertEqual(quote.promise_date, NOW, "partial: the breakers leave now")
            quote.ship_policy = "complete"
            self.assertEqual(quote.promise_date, NOW + timedelta(days=6), "complete: when the cable arrives")
            quote.action_accept_promise_date()
            self.assertEqual(quote.commitment_date, NOW + timedelta(days=6))

    def test_queries_do_not_grow_with_lines(self):
        products = self.env["product.product"].create(
            [{"name": f"ATP bulk {i}", "is_storable": True, "list_price": 1.0} for i in range(25)]
        )
        for product in products:
            self._stock(product, 3)

        def count(n):
            order = self.env["sale.order"].create(
                {"partner_id": self.customer.id,
                 "order_line": [Command.create({"product_id": p.id, "product_uom_qty": 1}) for p in products[:n]]}
            )
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            order.order_line.mapped("promise_date")
            return self.env.cr.sql_log_count - before

        self.assertEqual(count(5), count(25))

    def test_other_company_stock_is_not_promised_and_rep_reads_atp(self):
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", self.company_b.id)], limit=1)
        self._stock(self.cable, 500, warehouse_b.lot_stock_id)
        quote = self._order([(self.cable, 5, None, 0.0)])
        line = quote.order_line.with_user(self.salesperson)
        self.assertRecordValues(line, [{"atp_qty": 0.0, "atp_warehouse_id": False}])
        self.assertTrue(line.promise_date, "the vendor lead time still gives a date")


@tagged("post_install", "-at_install")
class TestAvailableToPromisePickPackShip(TestAvailableToPromise):
    """Available to promise where both warehouses pick, pack and ship: the open picks are the demand."""

    delivery_steps = "pick_pack_ship"

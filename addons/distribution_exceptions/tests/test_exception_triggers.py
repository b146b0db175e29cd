from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import ExceptionCase


@tagged("post_install", "-at_install")
class TestPickingTriggers(ExceptionCase):
    def setUp(self):
        super().setUp()
        self._stock(self.cable, 100)
        self._stock(self.breaker, 100)

    def test_full_delivery_raises_nothing(self):
        order = self._confirmed()
        self._validate(order.picking_ids)
        self.assertFalse(self.Exception.sudo().search([("sale_order_id", "=", order.id)]))

    def test_short_pick_with_backorder_raises_one_of_each(self):
        order = self._confirmed()
        picking = self._validate(order.picking_ids, {self.cable: 7})
        backorder = picking.backorder_ids
        self.assertEqual(len(backorder), 1)
        short = self._open("short_pick", picking)
        self.assertEqual(len(short), 1)
        self.assertRecordValues(
            short,
            [{"sale_order_id": order.id, "picking_id": picking.id, "partner_id": self.customer.id,
              "product_id": self.cable.id, "audience": "warehouse", "state": "new"}],
        )
        self.assertIn("7.0 of 10.0", short.description)
        self.assertIn(backorder.name, short.description)
        # Named by what it is about wherever it is linked, not by its number alone.
        self.assertEqual(
            short.display_name, f"{short.name} - {short.type_id.name}: {picking.name}, {self.customer.name}"
        )
        bo_exception = self._open("backorder", backorder)
        self.assertEqual(len(bo_exception), 1)
        self.assertIn("Cable 3G2.5: 3.0", bo_exception.description)
        self.assertEqual(order.exception_count, 2)
        self.assertEqual(picking.exception_count, 1)
        self.assertEqual(self.customer.distribution_exception_count, 2)

        # Delivering the backorder clears both, with a note saying why.
        self._validate(backorder)
        self.assertFalse(self._open("backorder", backorder))
        self.assertFalse(self._open("short_pick", picking))
        cleared = self._all("backorder", backorder)
        self.assertRecordValues(cleared, [{"state": "resolved", "auto_resolved": True}])
        self.assertIn("backorder was delivered", cleared.resolution)
        self.assertTrue(cleared.date_resolved)
        self.assertEqual(self._events(order)[-1], "shipped")

    def test_short_pick_without_backorder_stays_open(self):
        order = self._confirmed()
        picking = self._validate(order.picking_ids, {self.cable: 7}, backorder=False)
        self.assertFalse(picking.backorder_ids)
        short = self._open("short_pick", picking)
        self.assertEqual(len(short), 1)
        self.assertIn("No backorder", short.description)
        self.assertFalse(self.Exception.sudo().search([("code", "=", "backorder"), ("sale_order_id", "=", order.id)]))

    def test_second_shortage_on_backorder_raises_its_own_items(self):
        order = self._confirmed()
        picking = self._validate(order.picking_ids, {self.cable: 7})
        backorder = picking.backorder_ids
        self._validate(backorder, {self.cable: 1})
        second = backorder.backorder_ids
        self.assertEqual(len(self._open("short_pick", picking | backorder)), 2, "one per transfer validated short")
        self.assertEqual(len(self._open("backorder", second)), 1)
        self.assertFalse(self._open("backorder", backorder), "the first backorder was shipped (partly)")
        self.assertEqual(len(self._open("short_pick", picking)), 1, "its backorder chain is not delivered yet")

    def test_cancelled_backorder_cancels_its_exception(self):
        order = self._confirmed()
        picking = self._validate(order.picking_ids, {self.cable: 7})
        picking.backorder_ids.action_cancel()
        self.assertRecordValues(self._all("backorder", picking.backorder_ids), [{"state": "cancelled"}])

    def test_customer_return_raised_and_settled_by_credit_note(self):
        order = self._confirmed()
        picking = self._validate(order.picking_ids)
        order._create_invoices().action_post()
        return_picking = self._return(picking, {self.cable: 3})
        returned = self._open("return", return_picking)
        self.assertEqual(len(returned), 1)
        self.assertRecordValues(returned, [{"sale_order_id": order.id, "user_id": self.salesperson.id}])
        self.assertIn("Cable 3G2.5: 3.0", returned.description)
        self._validate(return_picking)
        self.assertRecordValues(returned, [{"state": "in_progress"}])
        self.assertEqual(len(self._all("return", return_picking)), 1, "validation does not raise it again")
        credit_note = order._create_invoices(final=True)
        self.assertEqual(credit_note.move_type, "out_refund")
        credit_note.action_post()
        self.assertRecordValues(returned, [{"state": "resolved", "auto_resolved": True}])
        self.assertIn(credit_note.name, returned.resolution)
        self.assertGreaterEqual(returned.resolution_hours, 0.0)

    def test_return_to_vendor_raises_supplier_quality(self):
        purchase = self._purchase(qty=10)
        receipt = self._validate(purchase.picking_ids, user=self.picker)
        refused = self._return(receipt, {self.cable: 2})
        quality = self._open("supplier_quality", refused)
        self.assertEqual(len(quality), 1)
        self.assertRecordValues(
            quality, [{"purchase_order_id": purchase.id, "partner_id": self.vendor.id, "user_id": self.buyer.id,
                       "audience": "purchase"}]
        )
        refused.action_cancel()
        self.assertRecordValues(quality, [{"state": "cancelled"}])

    def test_late_supplier_raised_once_and_cleared_by_receipt(self):
        purchase = self._purchase(qty=10)
        receipt = purchase.picking_ids
        self.env["stock.picking"]._cron_raise_late_receipts()
        self.assertFalse(self._open("late_supplier", receipt), "not late yet")
        with freeze_time(receipt.scheduled_date + timedelta(days=2)):
            self.env["stock.picking"]._cron_raise_late_receipts()
            self.env["stock.picking"]._cron_raise_late_receipts()
        late = self._open("late_supplier", receipt)
        self.assertEqual(len(late), 1, "a second run raises nothing twice")
        self.assertRecordValues(late, [{"purchase_order_id": purchase.id, "user_id": self.buyer.id}])
        self.assertIn("2 day(s) late", late.description)
        self.assertEqual(purchase.exception_count, 1)
        self._validate(receipt)
        self.assertRecordValues(late, [{"state": "resolved", "auto_resolved": True}])

    def test_stock_discrepancy_beyond_tolerance_only(self):
        self.company_a.distribution_count_tolerance = 5.0
        Quant = self.env["stock.quant"].with_context(inventory_mode=True)
        quant = Quant.search([("product_id", "=", self.cable.id), ("location_id", "=", self.stock_location.id)])
        quant.with_user(self.picker).inventory_quantity = 95  # exactly 5 %: within
        quant.with_user(self.picker).action_apply_inventory()
        self.assertFalse(self._open("stock_discrepancy", self.cable))
        quant.with_user(self.picker).inventory_quantity = 90  # 5.3 %: beyond
        quant.with_user(self.picker).action_apply_inventory()
        discrepancy = self._open("stock_discrepancy", self.cable)
        self.assertEqual(len(discrepancy), 1)
        self.assertIn("counted 90.0", discrepancy.description)
        quant.with_user(self.picker).inventory_quantity = 50
        quant.with_user(self.picker).action_apply_inventory()
        self.assertEqual(len(self._open("stock_discrepancy", self.cable)), 1, "a recount adds to the open item")
        self.assertIn("counted 50.0", " ".join(discrepancy.message_ids.mapped("body")))


@tagged("post_install", "-at_install")
class TestOrderTriggers(ExceptionCase):
    def setUp(self):
        super().setUp()
        self._stock(self.cable, 100)
        self._stock(self.breaker, 100)

    def _over_limit(self):
        self.customer.credit_limit = 1000.0
        order = self._order([(self.cable, 5, None, 0.0)])
        order.order_line.tax_ids = False
        order.action_confirm()
        other = self._order([(self.service, 900, None, 0.0)])
        other.order_line.tax_ids = False
        other.with_user(self.salesperson).request_validation()
        self._approve(other, self.credit_controller)
        other.action_confirm()
        self._invoice(other)
        return order

    def test_credit_hold_at_delivery_holds_invoicing_until_released(self):
        self.customer.distribution_class_id = self.env["distribution.customer.class"].create(
            {"name": "Contractors (exc)", "code": "XCONTR", "invoice_on_delivery": True}
        )
        order = self._over_limit()
        self.assertTrue(order.invoice_on_delivery)
        self._validate(order.picking_ids)
        self.assertEqual(order.picking_ids.state, "assigned", "held at goods issue: nothing left")
        self.assertTrue(order.credit_hold)
        hold = self._open("credit_hold", order)
        self.assertEqual(len(hold), 1)
        self.assertIn("refused, the order is on credit hold", " ".join(hold.message_ids.mapped("body")),
                      "credit control is told the warehouse tried")
        order._raise_credit_hold_exceptions()
        self.assertEqual(len(self._all("credit_hold", order)), 1, "a re-check raises nothing twice")
        self.assertRecordValues(hold, [{"blocking": True, "sale_order_id": order.id, "audience": "finance"}])
        self.assertEqual(order.flow_state, "on_hold")
        self.assertFalse(order.invoice_ids, "held: no invoice on delivery")
        # A salesperson cannot clear it by resolving the exception.
        with self.assertRaisesRegex(AccessError, "Only a credit controller"):
            hold.with_user(self.exception_manager).write({"resolution": "<p>paid by phone</p>"})
            hold.with_user(self.exception_manager).action_resolve()
        self.assertTrue(order.credit_hold)
        order.with_user(self.credit_controller).action_release_credit_hold(reason="Payment received")
        self.assertRecordValues(hold, [{"state": "resolved", "auto_resolved": True}])
        self._validate(order.picking_ids)
        self.assertEqual(order.flow_state, "invoiced", "released: the delivery leaves and is invoiced")
        self.assertEqual(len(order.invoice_ids), 1)

    def test_blocking_type_holds_the_order(self):
        self.Type._get_by_code("late_delivery").blocking = True
        order = self._confirmed(commitment_date=fields.Datetime.now() - timedelta(hours=1))
        self.env["sale.order"]._cron_raise_late_deliveries()
        late = self._open("late_delivery", order)
        self.assertEqual(len(late), 1)
        self.assertEqual(order.flow_state, "on_hold")
        self.assertIn(late.name, order._get_flow_hold_reason())
        late.with_user(self.salesperson).write({"resolution": "<p>Customer agreed to wait.</p>"})
        late.with_user(self.salesperson).action_resolve()
        self.assertNotEqual(order.flow_state, "on_hold")
        self.assertEqual(self._events(order)[-2:], ["on_hold", "reserved"])

    def test_credit_hold_at_confirmation_without_credit_approval(self):
        self.customer.credit_limit = 100.0
        self.env.ref("distribution_order_flow.tier_definition_sale_credit").active = False
        order = self._order([(self.cable, 5, None, 0.0)])
        order.action_confirm()
        self.assertTrue(order.credit_hold)
        self.assertEqual(len(self._open("credit_hold", order)), 1)
        self.assertEqual(order.flow_state, "on_hold")

    def test_credit_approved_order_is_not_held_at_confirmation(self):
        self.customer.credit_limit = 100.0
        order = self._order([(self.cable, 5, None, 0.0)])
        order.with_user(self.salesperson).request_validation()
        self._approve(order, self.credit_controller)
        order.action_confirm()
        self.assertFalse(order.credit_hold)
        self.assertFalse(self._open("credit_hold", order))

    def test_late_delivery_raised_after_promise_and_cleared_when_shipped(self):
        order = self._confirmed(commitment_date=fields.Datetime.now() + timedelta(days=2))
        self.env["sale.order"]._cron_raise_late_deliveries()
        self.assertFalse(self._open("late_delivery", order))
        with freeze_time(fields.Datetime.now() + timedelta(days=3)):
            self.env["sale.order"]._cron_raise_late_deliveries()
            self.env["sale.order"]._cron_raise_late_deliveries()
        late = self._open("late_delivery", order)
        self.assertEqual(len(late), 1)
        self.assertRecordValues(late, [{"user_id": self.salesperson.id, "audience": "sales"}])
        self._validate(order.picking_ids, {self.cable: 5})
        self.assertEqual(len(late.filtered("is_open")), 1, "partly shipped: still late")
        self._validate(order.picking_ids.filtered(lambda p: p.state != "done"))
        self.assertRecordValues(late, [{"state": "resolved", "auto_resolved": True}])

    def test_late_delivery_cron_searches_stored_deadlines(self):
        now = fields.Datetime.now()
        late = self._confirmed(commitment_date=now - timedelta(hours=1))
        on_time = self._confirmed(commitment_date=now + timedelta(days=2))
        shipped = self._confirmed(commitment_date=now - timedelta(hours=1))
        self._validate(shipped.picking_ids)
        held_back = self._confirmed(commitment_date=now - timedelta(hours=1))
        held_back._action_cancel()
        Order = self.env["sale.order"]
        candidates = late | on_time | shipped | held_back
        self.assertEqual(Order.search(Order._get_late_delivery_domain(now)) & candidates, late)
        # The cron finds them in the database: no order's promise is computed in Python (the expected date
        # it falls back on is not stored).
        with patch.object(
            type(Order), "_get_notification_promise_date", side_effect=AssertionError("promise computed in Python")
        ):
            Order._cron_raise_late_deliveries()
        raised = self.Exception.sudo().search([("code", "=", "late_delivery")])
        self.assertEqual(raised.sale_order_id & candidates, late)
        late_item = self._open("late_delivery", late)
        self.assertIn(fields.Datetime.to_string(late.commitment_date), late_item.description)
        # A later promise (the customer agreed to wait) moves the transfers' deadline with it.
        late_item.write({"resolution": "<p>Customer agreed to wait.</p>"})
        late_item.action_resolve()
        late.commitment_date = now + timedelta(days=3)
        self.assertFalse(Order.search(Order._get_late_delivery_domain(now)) & candidates)

    def test_cancelled_order_cancels_its_items(self):
        order = self._confirmed(commitment_date=fields.Datetime.now() - timedelta(days=1))
        self.env["sale.order"]._cron_raise_late_deliveries()
        late = self._open("late_delivery", order)
        self.assertTrue(late)
        order._action_cancel()
        self.assertRecordValues(late, [{"state": "cancelled"}])

    def test_substitution_raises_an_item_on_the_line(self):
        self.cable.substitute_line_ids = [(0, 0, {"substitute_id": self.breaker.id})]
        order = self._order([(self.cable, 5, None, 0.0)])
        line = order.order_line
        line.with_user(self.salesperson)._swap_product(self.breaker)  # the rep swaps on the quotation
        order._record_substitution(line, self.cable)  # reported again: nothing twice
        substitution = self._open("substitution", line)
        self.assertEqual(len(substitution), 1)
        self.assertRecordValues(substitution, [{"sale_order_id": order.id, "product_id": self.breaker.id}])
        self.assertIn("Cable 3G2.5 was replaced by Breaker 16A", substitution.description)

    def test_price_override_confirmed_is_raised(self):
        if "is_price_override" not in self.env["sale.order.line"]._fields:
            return
        order = self._order([(self.cable, 5, None, 0.0)])
        order.order_line.write({"price_unit": 80.0, "price_override_reason": "Match competitor"})
        self.assertTrue(order.has_price_override)
        order.with_user(self.salesperson).request_validation()
        self._approve(order, self.sales_manager_2)
        order.action_confirm()
        override = self._open("price_override", order)
        self.assertEqual(len(override), 1)
        self.assertIn("Match competitor", override.description)

    def test_margin_below_floor_confirmed_is_raised_in_its_own_words(self):
        if "is_below_margin_floor" not in self.env["sale.order.line"]._fields:
            return
        self.company_a.distribution_margin_floor = 99.0  # the cable has no category: the company's floor
        order = self._order([(self.cable, 5, None, 0.0)])
        self.assertRecordValues(order, [{"has_margin_floor_breach": True, "has_price_override": False}])
        order.with_user(self.salesperson).request_validation()
        self._approve(order, self.sales_manager_2)
        order.action_confirm()
        item = self._open("price_override", order)
        self.assertEqual(len(item), 1)
        self.assertIn("below contract, pricelist or margin floor", item.description)
        self.assertIn(f"{self.cable.display_name}: margin", item.description)
        self.assertIn(f"under the 99.0% floor of {self.company_a.name}'s default", item.description)

    def test_repricing_a_confirmed_order_raises_a_price_override_for_finance(self):
        self._stock(self.cable, 10)
        order = self._confirmed([(self.cable, 5, None, 0.0)])
        line = order.order_line
        line.with_user(self.sales_manager).write({"price_unit": 70.0})
        override = self._open("price_override", order)
        self.assertEqual(len(override), 1)
        self.assertRecordValues(override, [{"audience": "finance", "sale_order_id": order.id}])
        self.assertIn("changed prices on confirmed order", override.description)
        self.assertIn("Cable 3G2.5", override.description)
        order.with_user(self.sales_manager_2).action_approve_repricing()
        self.assertIn(f"approved by {self.sales_manager_2.name}", " ".join(override.message_ids.mapped("body")))

    def test_discounted_line_added_to_a_confirmed_order_raises_a_price_override(self):
        self._stock(self.cable, 10)
        order = self._confirmed([(self.cable, 5, None, 0.0)])
        order.with_user(self.sales_manager).write(
            {"order_line": [Command.create({"product_id": self.cable.id, "product_uom_qty": 1, "discount": 30.0})]}
        )
        override = self._open("price_override", order)
        self.assertEqual(len(override), 1)
        self.assertIn("Cable 3G2.5 added at", override.description)

    def test_online_acceptance_waiting_for_approval_queues_an_item_for_the_rep(self):
        order = self._order([(self.cable, 5, None, 20.0)])
        public = self.env.ref("base.public_user")
        # The portal's signature route: the public user, elevated, confirms the order.
        order.with_user(public).sudo()._validate_order()
        self.assertEqual(order.state, "draft")
        item = self._open("customer_review", order)
        self.assertEqual(len(item), 1)
        self.assertRecordValues(item, [{"user_id": self.salesperson.id, "audience": "sales", "blocking": False}])
        self.assertIn("Discount above 10%", item.description, "the rep is told which approvals")
        order.with_user(public).sudo()._validate_order()  # signed again: nothing twice
        self.assertEqual(len(self._all("customer_review", order)), 1)
        # The approval confirms what the customer accepted, and the rep's item closes with it.
        self._approve(order, self.sales_manager)
        self.assertEqual(order.state, "sale")
        self.assertRecordValues(item, [{"state": "resolved", "auto_resolved": True}])


@tagged("post_install", "-at_install")
class TestInvoiceMismatch(ExceptionCase):
    def test_bill_within_tolerance_matches(self):
        self.company_a.distribution_bill_price_tolerance = 2.0
        purchase = self._purchase(qty=10, price=60.0)
        self._validate(purchase.picking_ids)
        bill = self._bill(purchase, prices={self.cable: 61.2})  # exactly 2 %
        self.assertFalse(self._open("invoice_mismatch", bill))

    def test_price_and_quantity_mismatch_then_corrected(self):
        purchase = self._purchase(qty=10, price=60.0)
        self._validate(purchase.picking_ids, {self.cable: 8}, backorder=False)
        bill = self._bill(purchase, quantities={self.cable: 10}, prices={self.cable: 65.0})
        mismatch = self._open("invoice_mismatch", bill)
        self.assertEqual(len(mismatch), 1)
        self.assertRecordValues(
            mismatch, [{"move_id": bill.id, "purchase_order_id": purchase.id, "audience": "finance",
                        "user_id": self.buyer.id}]
        )
        self.assertIn("10.0 Units billed but 8.0 received", mismatch.description)
        self.assertIn("billed at", mismatch.description)
        self.assertEqual(bill.exception_count, 1)
        bill._recheck_invoice_mismatch()
        self.assertEqual(len(self._all("invoice_mismatch", bill)), 1, "a re-check raises nothing twice")
        # Finance corrects the bill and posts it again.
        bill.with_user(self.billing).button_draft()
        self.assertTrue(mismatch.is_open, "still open while the bill is being corrected")
        with Form(bill.with_user(self.billing)) as form, form.invoice_line_ids.edit(0) as line:
            line.quantity = 8
            line.price_unit = 60.0
        bill.with_user(self.billing).action_post()
        self.assertRecordValues(mismatch, [{"state": "resolved", "auto_resolved": True}])
        self.assertEqual(len(self._all("invoice_mismatch", bill)), 1)

    def test_bill_before_receipt_clears_when_goods_arrive(self):
        self.cable.purchase_method = "purchase"  # billed on ordered quantities: the bill can come first
        purchase = self._purchase(qty=10, price=60.0)
        bill = self._bill(purchase, quantities={self.cable: 10})
        mismatch = self._open("invoice_mismatch", bill)
        self.assertEqual(len(mismatch), 1)
        self._validate(purchase.picking_ids)
        self.assertRecordValues(mismatch, [{"state": "resolved"}])

    def test_cancelled_bill_cancels_mismatch(self):
        self.cable.purchase_method = "purchase"
        purchase = self._purchase(qty=10, price=60.0)
        bill = self._bill(purchase, quantities={self.cable: 10})
        mismatch = self._open("invoice_mismatch", bill)
        bill.with_user(self.billing).button_draft()
        bill.with_user(self.billing).button_cancel()
        self.assertRecordValues(mismatch, [{"state": "cancelled"}])

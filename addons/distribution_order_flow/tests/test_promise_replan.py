from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common_order import OrderFlowCase

# In the future: the delay notice's template compares the promise with the real clock.
NOW = datetime(2030, 3, 4, 10, 0, 0)  # a Monday
TODAY = datetime(2030, 3, 3, 23, 0)  # its midnight in Brussels (UTC+1 in March), in UTC
DELAYED = "distribution_order_flow.mail_template_order_delayed"


@tagged("post_install", "-at_install")
class TestPromiseReplan(OrderFlowCase):
    """Backorder processing: a receipt that arrives short or late re-plans the promises of the confirmed
    orders waiting for its product, in allocation priority order, and tells only those whose promise moved.
    A key account (priority 95) and a dealer (priority 5) wait for cable; a storekeeper without sales rights
    validates the receipts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Dates that depend on the clock are whole days of the company's time zone.
        cls.company_a.partner_id.tz = "Europe/Brussels"
        cls.key = cls.CustomerClass.create({"name": "Key (replan)", "code": "RPK", "priority": 95})
        cls.dealer = cls.CustomerClass.create({"name": "Dealer (replan)", "code": "RPD", "priority": 5})
        Partner = cls.env["res.partner"]
        cls.key_account = Partner.create({
            "name": "Key Replan", "is_company": True, "distribution_class_id": cls.key.id,
            "email": "key@replan.example.com",
        })
        cls.small_dealer = Partner.create({
            "name": "Dealer Replan", "is_company": True, "distribution_class_id": cls.dealer.id,
            "email": "dealer@replan.example.com",
        })
        cls.vendor = Partner.create({"name": "Cable Mill", "is_company": True})
        cls.cable.seller_ids = [Command.create({"partner_id": cls.vendor.id, "price": 50, "delay": 20})]
        cls.storekeeper = new_test_user(
            cls.env,
            login="dist_storekeeper_replan",
            groups="stock.group_stock_user",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        cls.Replan = cls.env["distribution.promise.replan"]
        cls.delayed_template = cls.env.ref(DELAYED)

    # --- helpers, as users act -----------------------------------------------------------------------
    def _confirm(self, partner, qty, product=None, **vals):
        order = self._order([(product or self.cable, qty, None, 0.0)], partner=partner, **vals)
        order.action_confirm()
        return order

    def _receipt(self, qty, date, product=None, warehouse=None):
        """A confirmed receipt from the vendor (what a purchase order creates), expected at ``date``."""
        warehouse = warehouse or self.warehouse
        product = product or self.cable
        suppliers = self.env.ref("stock.stock_location_suppliers")
        picking = self.env["stock.picking"].with_company(warehouse.company_id).create({
            "picking_type_id": warehouse.in_type_id.id,
            "partner_id": self.vendor.id,
            "location_id": suppliers.id,
            "location_dest_id": warehouse.lot_stock_id.id,
            "scheduled_date": date,
            "move_ids": [Command.create({
                "product_id": product.id,
                "product_uom_qty": qty,
                "product_uom": product.uom_id.id,
                "location_id": suppliers.id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "date": date,
            })],
        })
        picking.action_confirm()
        return picking

    def _validate(self, picking, qty, user=None, backorder=True):
        """The storekeeper receives ``qty`` and validates, creating the backorder (or not)."""
        picking = picking.with_user(user or self.storekeeper)
        for move in picking.move_ids:
            move.quantity = qty
            move.picked = True
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            # pylint: disable-next=context-overridden  # the action's own context, as the web client uses it
            wizard = Form(self.env["stock.backorder.confirmation"].with_user(user or self.storekeeper)
                          .with_context(result["context"])).save()
            if backorder:
                wizard.process()
            else:
                wizard.process_cancel_backorder()
        self.assertEqual(picking.state, "done")
        return picking.backorder_ids

    def _delay_notices(self, order):
        return self.env["distribution.customer.notification"].search(
            [("order_id", "=", order.id), ("template_id", "=", self.delayed_template.id)]
        )

    def _replan_notes(self, order):
        return order.message_ids.filtered(lambda message: "Promise re-planned" in (message.body or ""))

    def _line(self, order, product=None):
        return order.order_line.filtered(lambda line: line.product_id == (product or self.cable))

    def _waiting_pair(self):
        """A receipt of 12 cables expected in two days; the key account and the dealer each wait for 6,
        promised for today (no commitment date: Odoo's expected date)."""
        receipt = self._receipt(12, NOW + timedelta(days=2))
        key_order = self._confirm(self.key_account, 6)
        dealer_order = self._confirm(self.small_dealer, 6)
        self.assertEqual(dealer_order.distribution_notified_promise_date, NOW)
        return receipt, key_order, dealer_order

    # --- tests ----------------------------------------------------------------------------------------
    def test_short_receipt_moves_only_the_lower_priority_order(self):
        with freeze_time(NOW):
            receipt, key_order, dealer_order = self._waiting_pair()
            # An order waiting for another product: untouched by the cable's receipts.
            breaker_order = self._confirm(self.key_account, 5, product=self.breaker)
        with freeze_time(NOW + timedelta(days=1)):
            # Half of it arrives a day early; the rest stays expected in two days.
            backorder = self._validate(receipt, 6)
            self.assertEqual(backorder.move_ids.product_uom_qty, 6)
            self.assertEqual(self._line(key_order).move_ids.quantity, 6, "the key account is served first")
            self.assertFalse(self._line(key_order).distribution_replanned_date)
            self.assertEqual(key_order._get_notification_promise_date(), NOW, "the key account keeps its date")
            self.assertEqual(self._line(dealer_order).distribution_replanned_date, NOW + timedelta(days=2))
            self.assertEqual(dealer_order._get_notification_promise_date(), NOW + timedelta(days=2),
                             "the dealer moves to the backorder's date")
            self.assertEqual(dealer_order.distribution_notified_promise_date, NOW + timedelta(days=2))
            self.assertEqual(len(self._delay_notices(dealer_order)), 1, "the dealer is told")
            self.assertEqual(len(self._replan_notes(dealer_order)), 1, "its salesperson reads why")
            self.assertIn(receipt.name, self._replan_notes(dealer_order).body)
            for order in (key_order, breaker_order):
                self.assertFalse(self._delay_notices(order), f"{order.name} did not move: nothing sent")
                self.assertFalse(self._replan_notes(order))
            self.assertFalse(self._line(breaker_order, self.breaker).distribution_replanned_date)
            # The daily delay check finds nothing more to tell: the date told is the new one.
            self.env["sale.order"]._cron_notify_delays()
            self.assertEqual(len(self._delay_notices(dealer_order)), 1)
            # The customer's mail names the new date.
            self.env["distribution.customer.notification"]._cron_send()
            mail = dealer_order.message_ids.filtered(lambda message: "delayed" in (message.subject or ""))
            self.assertEqual(len(mail), 1)
            self.assertIn("03/06/2030", mail.body)

    def test_replanning_twice_changes_and_tells_nothing_twice(self):
        with freeze_time(NOW):
            receipt, _key_order, dealer_order = self._waiting_pair()
        with freeze_time(NOW + timedelta(days=1)):
            backorder = self._validate(receipt, 6)
            messages = dealer_order.message_ids
            moved = self.Replan._replan_receipt_moves(backorder.move_ids, "again")
            self.assertFalse(moved)
            self.Replan._replan_receipt_moves(receipt.move_ids | backorder.move_ids, "once more")
            self.assertEqual(len(self._delay_notices(dealer_order)), 1)
            self.assertEqual(dealer_order.message_ids, messages, "no second note")
            self.env["distribution.customer.notification"]._cron_send()
            self.env["sale.order"]._cron_notify_delays()
            self.assertEqual(len(self._delay_notices(dealer_order)), 1)

    def test_late_receipt_moves_the_orders_waiting_for_it(self):
        with freeze_time(NOW):
            receipt, key_order, dealer_order = self._waiting_pair()
            # Before anything happened: nothing re-planned, only today's (unrealistic) expected date.
            self.assertFalse(self._line(dealer_order).distribution_replanned_date)
        with freeze_time(NOW + timedelta(days=1)):
            # The vendor says: in six days, not two. The storekeeper reschedules the receipt.
            receipt.with_user(self.storekeeper).scheduled_date = NOW + timedelta(days=6)
            self.assertEqual(self._line(key_order).distribution_replanned_date, NOW + timedelta(days=6))
            self.assertEqual(self._line(dealer_order).distribution_replanned_date, NOW + timedelta(days=6))
            self.assertEqual(len(self._delay_notices(key_order)), 1)
            self.assertEqual(len(self._delay_notices(dealer_order)), 1)
            # The purchase order's new date moves the receipt's deadline: later again.
            receipt.move_ids.with_user(self.storekeeper).date_deadline = NOW + timedelta(days=8)
            self.assertEqual(dealer_order._get_notification_promise_date(), NOW + timedelta(days=8))
            self.assertEqual(len(self._delay_notices(dealer_order)), 2, "a new date: told again")
            # Then earlier after all: the salesperson reads it, the customer keeps the later date told.
            receipt.move_ids.date_deadline = NOW + timedelta(days=3)
            receipt.scheduled_date = NOW + timedelta(days=3)
            self.assertEqual(dealer_order._get_notification_promise_date(), NOW + timedelta(days=3))
            self.assertEqual(len(self._delay_notices(dealer_order)), 2, "earlier: no delay notice")
            self.assertEqual(dealer_order.distribution_notified_promise_date, NOW + timedelta(days=8))
            notes = self._replan_notes(dealer_order)
            self.assertIn("earlier", notes.sorted("id")[-1].body)
            # Back to six days: later than now, not later than what the customer was told.
            receipt.scheduled_date = NOW + timedelta(days=6)
            self.assertEqual(len(self._delay_notices(dealer_order)), 2)

    def test_cancelled_receipt_beside_an_unapplied_count(self):
        """A count not applied yet (a quant without a quantity) is no stock: cancelling a receipt of the
        product re-plans the waiting order against the vendor's lead time, and does not fail."""
        with freeze_time(NOW):
            order = self._confirm(self.small_dealer, 5)
            self.env["stock.quant"].with_context(inventory_mode=True).create({
                "product_id": self.cable.id, "location_id": self.warehouse.lot_stock_id.id, "inventory_quantity": 8,
            })
            receipt = self._receipt(10, NOW + timedelta(days=3))
            self.env.flush_all()
            receipt.with_user(self.storekeeper).action_cancel()
            self.assertEqual(receipt.state, "cancel")
            self.assertTrue(order.order_line.distribution_replanned_date, "re-planned on the vendor's lead time")

    def test_receipt_validated_short_without_backorder(self):
        with freeze_time(NOW):
            receipt, key_order, dealer_order = self._waiting_pair()
        with freeze_time(NOW + timedelta(days=1)):
            self._validate(receipt, 6, backorder=False)
            self.assertFalse(self._line(key_order).distribution_replanned_date)
            # Nothing else comes: the vendor's lead time (20 days) from today.
            self.assertEqual(self._line(dealer_order).distribution_replanned_date, TODAY + timedelta(days=21))
            self.assertEqual(len(self._delay_notices(dealer_order)), 1)

    def test_overdue_receipt_replanned_once_by_the_daily_check(self):
        with freeze_time(NOW):
            self._receipt(6, NOW + timedelta(days=1))
            dealer_order = self._confirm(self.small_dealer, 6, commitment_date=NOW + timedelta(days=1))
        Replan = self.Replan
        with freeze_time(NOW + timedelta(days=1, hours=12)):
            # Due this morning, not received: expected tomorrow, later than promised.
            Replan.with_context(lastcall=NOW + timedelta(hours=12))._cron_replan_overdue_receipts()
            self.assertEqual(self._line(dealer_order).distribution_replanned_date, TODAY + timedelta(days=2))
            self.assertEqual(dealer_order._get_notification_promise_date(), TODAY + timedelta(days=2))
            self.assertEqual(len(self._delay_notices(dealer_order)), 1)
            Replan.with_context(lastcall=NOW + timedelta(days=1, hours=11))._cron_replan_overdue_receipts()
        with freeze_time(NOW + timedelta(days=2, hours=12)):
            # The next days, the same overdue receipt does not move the order again by itself.
            Replan.with_context(lastcall=NOW + timedelta(days=1, hours=12))._cron_replan_overdue_receipts()
            self.assertEqual(self._line(dealer_order).distribution_replanned_date, TODAY + timedelta(days=2))
            self.assertEqual(len(self._delay_notices(dealer_order)), 1)

    def test_receipt_of_another_company_replans_only_its_own_orders(self):
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", self.company_b.id)], limit=1)
        storekeeper_b = new_test_user(
            self.env,
            login="dist_storekeeper_replan_b",
            groups="stock.group_stock_user",
            company_id=self.company_b.id,
            company_ids=[self.company_b.id],
        )
        with freeze_time(NOW):
            receipt_a = self._receipt(50, NOW + timedelta(days=1))
            order_a = self._confirm(self.small_dealer, 6)
            receipt_b = self._receipt(10, NOW + timedelta(days=5), warehouse=warehouse_b)
            order_b = self.env["sale.order"].with_user(self.manager_b).create({
                "partner_id": self.small_dealer.id,
                "company_id": self.company_b.id,
                "order_line": [Command.create({"product_id": self.cable.id, "product_uom_qty": 8})],
            })
            order_b.action_confirm()
            self.assertEqual(order_b.warehouse_id, warehouse_b)
        with freeze_time(NOW + timedelta(days=1)):
            backorder_b = self._validate(receipt_b, 2, user=storekeeper_b)
            self.assertEqual(backorder_b.company_id, self.company_b)
            self.assertEqual(self._line(order_b).distribution_replanned_date, NOW + timedelta(days=5),
                             "company B's own backorder, not company A's earlier receipt")
            self.assertEqual(len(self._delay_notices(order_b)), 1)
            self.assertFalse(self._line(order_a).distribution_replanned_date)
            self.assertFalse(self._delay_notices(order_a))
            self.assertEqual(receipt_a.state, "assigned")

    def test_replanned_date_is_the_systems(self):
        with freeze_time(NOW):
            receipt, _key_order, dealer_order = self._waiting_pair()
        with freeze_time(NOW + timedelta(days=1)):
            self._validate(receipt, 6)
        line = self._line(dealer_order).with_user(self.salesperson)
        self.assertEqual(line.distribution_replanned_date, NOW + timedelta(days=2), "the salesperson reads it")
        with self.assertRaises(AccessError):
            line.write({"distribution_replanned_date": NOW})
        with self.assertRaises(AccessError):
            self._line(dealer_order).with_user(self.sales_manager).distribution_replanned_date = False

    def test_queries_do_not_grow_with_waiting_orders(self):
        def count(n):
            with freeze_time(NOW):
                product = self.env["product.product"].create(
                    {"name": f"Replan bulk {n}", "is_storable": True, "list_price": 1.0}
                )
                receipt = self._receipt(100, NOW + timedelta(days=3), product=product)
                for _i in range(n):
                    self._confirm(self.small_dealer, 2, product=product)
                self.env.flush_all()
                self.env.invalidate_all()
                before = self.env.cr.sql_log_count
                moved = self.Replan._replan_receipt_moves(receipt.move_ids, "count")
                self.env.flush_all()
                queries = self.env.cr.sql_log_count - before
                self.assertEqual(len(moved), n, "every order moved, noted and told")
                return queries

        self.assertEqual(count(2), count(10))


@tagged("post_install", "-at_install")
class TestPromiseReplanPickPackShip(TestPromiseReplan):
    """The same where the warehouse picks, packs and ships: the picks wait for the supply."""

    delivery_steps = "pick_pack_ship"

from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common_order import OrderFlowCase


@tagged("post_install", "-at_install")
class TestCreditControl(OrderFlowCase):
    """A credit hold stops goods, not only invoices: re-checked at goods issue, with an overdue-balance
    rule and, where the company chooses, the held order's reservations given to others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.picker = new_test_user(
            cls.env, login="dist_picker_credit", groups="stock.group_stock_user",
            company_id=cls.company_a.id, company_ids=[cls.company_a.id],
        )

    def _confirmed(self, qty=5, price=100.0, **vals):
        self._stock(self.cable, qty)
        order = self._order([(self.cable, qty, price, 0.0)], **vals)
        order.order_line.tax_ids = False
        order.action_confirm()
        return order

    def _validate_as_picker(self, picking, qty=None):
        picking = picking.with_user(self.picker)
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty if qty is None else qty
            move.picked = True
        return picking.button_validate()

    def _overdue_invoice(self, days_past_due, amount=300.0):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": fields.Date.today() - timedelta(days=days_past_due + 30),
                "invoice_payment_term_id": False,
                "invoice_date_due": fields.Date.today() - timedelta(days=days_past_due),
                "invoice_line_ids": [Command.create({"name": "Old goods", "quantity": 1, "price_unit": amount,
                                                     "tax_ids": False})],
            }
        )
        invoice.action_post()
        return invoice

    # --- goods issue ---------------------------------------------------------------------------------
    def test_held_order_delivery_is_refused_to_the_warehouse(self):
        order = self._confirmed()
        order.sudo().credit_hold = True
        picking = order.picking_ids
        result = self._validate_as_picker(picking)
        self.assertEqual(result["tag"], "display_notification")
        self.assertIn(f"order {order.name} is on credit hold", result["params"]["message"])
        self.assertNotIn("limit", result["params"]["message"], "no credit figures for the warehouse")
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(order.order_line.qty_delivered, 0.0)
        self.assertIn("stopped at goods issue", order.message_ids[0].body)
        # Partial quantities (the backorder wizard's path) and server code calling _action_done directly.
        result = self._validate_as_picker(picking, qty=2)
        self.assertEqual(result["tag"], "display_notification", "refused before the backorder wizard")
        with self.assertRaisesRegex(UserError, "is on credit hold"):
            picking.with_user(self.picker)._action_done()
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(picking.backorder_ids, "nothing half-written")

    def test_customer_over_limit_since_confirmation_is_held_at_goods_issue(self):
        self.customer.credit_limit = 1000.0
        order = self._confirmed(qty=5)  # 500: within the limit
        self.assertFalse(order.credit_hold)
        self._overdue_invoice(0, amount=700.0)  # bought more since, not due yet: 1200 exposure
        self._validate_as_picker(order.picking_ids)
        self.assertTrue(order.credit_hold)
        self.assertEqual(order.picking_ids.state, "assigned")
        note = " ".join(order.message_ids.mapped("body"))
        self.assertIn("found at goods issue, by", note)
        self.assertIn(self.picker.name, note)
        self.assertIn("over its credit limit", note)

    def test_customer_without_limit_is_not_measured_at_goods_issue(self):
        """No limit on the customer and no overdue rule: no credit rule can stop the order, so its exposure
        (receivables and open orders) is not computed in the warehouse's validation. With a limit, it is."""
        self.customer.credit_limit = 0.0
        order = self._confirmed()
        with patch.object(type(order), "_refresh_credit_exposure", autospec=True) as refresh:
            self._validate_as_picker(order.picking_ids)
        refresh.assert_not_called()
        self.assertEqual(order.picking_ids.state, "done")
        self.customer.credit_limit = 100000.0
        order = self._confirmed()
        with patch.object(type(order), "_refresh_credit_exposure", autospec=True,
                          side_effect=type(order)._refresh_credit_exposure) as refresh:
            self._validate_as_picker(order.picking_ids)
        refresh.assert_called_once()
        self.assertEqual(order.picking_ids.state, "done")
        # The overdue rule measures every customer, limit or not.
        self.customer.credit_limit = 0.0
        self.company_a.write({"distribution_credit_overdue_check": True, "distribution_credit_overdue_days": 0})
        order = self._confirmed()
        self._overdue_invoice(10)
        self._validate_as_picker(order.picking_ids)
        self.assertTrue(order.credit_hold)
        self.assertEqual(order.picking_ids.state, "assigned")

    def test_credit_approved_order_ships_over_the_limit(self):
        self.customer.credit_limit = 100.0
        self._stock(self.cable, 5)
        order = self._order([(self.cable, 5, 100.0, 0.0)])
        order.with_user(self.salesperson).request_validation()
        self._approve(order, self.credit_controller)
        order.with_user(self.salesperson).action_confirm()
        self.assertFalse(order.credit_hold)
        self._validate_as_picker(order.picking_ids)
        self.assertEqual(order.picking_ids.state, "done", "the controller's approval stands at goods issue")
        self.assertFalse(order.credit_hold)

    def test_release_lets_the_goods_leave(self):
        order = self._confirmed()
        order.sudo().credit_hold = True
        with self.assertRaisesRegex(AccessError, "Only a credit controller"):
            order.with_user(self.picker).action_release_credit_hold(reason="Payment received")
        order.with_user(self.credit_controller).action_release_credit_hold(reason="Payment received")
        self.assertEqual(order.distribution_credit_released_by_id, self.credit_controller)
        self._validate_as_picker(order.picking_ids)
        self.assertEqual(order.picking_ids.state, "done")

    def test_pick_ship_holds_the_shipment_not_the_pick(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self._confirmed(warehouse_id=self.warehouse.id)
        pick = order.picking_ids.filtered(lambda p: p.picking_type_id == self.warehouse.pick_type_id)
        order.sudo().credit_hold = True
        self._validate_as_picker(pick)
        self.assertEqual(pick.state, "done", "goods move inside the warehouse")
        ship = order.picking_ids - pick
        result = self._validate_as_picker(ship)
        self.assertEqual(result["tag"], "display_notification")
        self.assertNotEqual(ship.state, "done", "they do not leave it")

    # --- who holds -----------------------------------------------------------------------------------
    def test_manual_hold_by_credit_controllers_only(self):
        order = self._confirmed()
        for user in (self.salesperson, self.sales_manager, self.picker):
            with self.subTest(user=user.login), self.assertRaisesRegex(AccessError, "Only a credit controller"):
                order.with_user(user).action_credit_hold(reason="Cheque returned unpaid")
        self.assertFalse(order.credit_hold)
        order.with_user(self.credit_controller).action_credit_hold(reason="Cheque returned unpaid")
        self.assertTrue(order.credit_hold)
        self.assertIn(
            f"put by a credit controller: Cheque returned unpaid, by {self.credit_controller.name}",
            order.message_ids[0].body,
        )
        quotation = self._order([(self.cable, 1, 100.0, 0.0)])
        with self.assertRaisesRegex(UserError, "Only confirmed orders can be put on credit hold"):
            quotation.with_user(self.credit_controller).action_credit_hold(reason="Cheque returned unpaid")
        self.assertFalse(quotation.credit_hold)

    def test_hold_and_release_say_why(self):
        """Every manual hold and release names who and why: through RPC without a reason it is refused,
        and the form's wizard asks for it (credit controllers only)."""
        order = self._confirmed()
        controller = order.with_user(self.credit_controller)
        for reason in (None, "   "):
            with self.subTest(reason=reason), self.assertRaisesRegex(UserError, "Give the reason for holding"):
                controller.action_credit_hold(reason=reason)
        self.assertFalse(order.credit_hold)
        Wizard = self.env["distribution.credit.hold.wizard"]
        for user in (self.salesperson, self.picker):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Wizard.with_user(user).with_context(active_ids=order.ids, distribution_credit_mode="hold").create(
                    {"reason": "Trying"}
                )
        self.assertFalse(order.credit_hold)
        wizard = Wizard.with_user(self.credit_controller).with_context(
            active_ids=order.ids, distribution_credit_mode="hold"
        ).create({"reason": "Customer in dispute over INV/7"})
        self.assertEqual(wizard.order_ids, order)
        wizard.action_apply()
        self.assertTrue(order.credit_hold)
        self.assertIn("Customer in dispute over INV/7", order.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "Give the reason for releasing"):
            controller.action_release_credit_hold()
        self.assertTrue(order.credit_hold)
        Wizard.with_user(self.credit_controller).with_context(
            active_ids=order.ids, distribution_credit_mode="release"
        ).create({"reason": "Dispute settled"}).action_apply()
        self.assertFalse(order.credit_hold)
        self.assertIn(
            f"Credit hold released by {self.credit_controller.name}: Dispute settled", order.message_ids[0].body
        )

    # --- overdue balance -----------------------------------------------------------------------------
    def test_overdue_balance_needs_a_credit_approval(self):
        self.company_a.write({"distribution_credit_overdue_check": True, "distribution_credit_overdue_days": 10})
        self._overdue_invoice(10)  # due exactly 10 days ago: within the grace days
        quotation = self._order([(self.service, 1, 50.0, 0.0)])
        self.assertFalse(quotation.credit_overdue)
        invoice = self._overdue_invoice(11)
        quotation._refresh_credit_exposure()
        self.assertTrue(quotation.credit_overdue)
        self.assertFalse(quotation.credit_limit_exceeded, "within the limit: the overdue rule alone")
        with self.assertRaisesRegex(UserError, "Credit limit exceeded or balance overdue"):
            quotation.with_user(self.salesperson).action_confirm()
        self.assertEqual(quotation.state, "draft")
        self._pay(invoice)
        quotation._refresh_credit_exposure()
        self.assertFalse(quotation.credit_overdue, "paid: nothing overdue any more")

    def test_overdue_since_confirmation_holds_at_goods_issue(self):
        self.company_a.write({"distribution_credit_overdue_check": True, "distribution_credit_overdue_days": 0})
        order = self._confirmed()
        self._overdue_invoice(3)
        self._validate_as_picker(order.picking_ids)
        self.assertTrue(order.credit_hold)
        self.assertIn("overdue by more than 0 day(s)", " ".join(order.message_ids.mapped("body")))

    def test_overdue_rule_off_by_default_and_days_validated(self):
        self._overdue_invoice(60)
        quotation = self._order([(self.service, 1, 50.0, 0.0)])
        self.assertFalse(quotation.credit_overdue)
        with self.assertRaisesRegex(ValidationError, "overdue grace days cannot be negative"):
            self.company_a.distribution_credit_overdue_days = -1

    def test_settings_page_sets_the_rules(self):
        settings = Form(self.env["res.config.settings"])
        settings.distribution_credit_overdue_check = True
        settings.distribution_credit_overdue_days = 15
        settings.distribution_credit_hold_unreserve = True
        settings.save().execute()
        self.assertRecordValues(self.company_a, [{"distribution_credit_overdue_check": True,
                                                  "distribution_credit_overdue_days": 15,
                                                  "distribution_credit_hold_unreserve": True}])

    # --- reservations of held orders -----------------------------------------------------------------
    def test_held_order_releases_its_reservation_when_the_company_chooses(self):
        self.company_a.distribution_credit_hold_unreserve = True
        held = self._confirmed(qty=5)
        self.assertEqual(held.picking_ids.state, "assigned")
        held.with_user(self.credit_controller).action_credit_hold(reason="Cheque returned unpaid")
        self.assertEqual(held.picking_ids.move_ids.quantity, 0.0, "the reservation went back to stock")
        other = self._order([(self.cable, 5, 100.0, 0.0)])
        other.action_confirm()
        self.assertEqual(other.picking_ids.state, "assigned", "the next order takes the stock")
        held.picking_ids.action_assign()
        self.env["stock.rule"].run_scheduler()
        self.assertEqual(held.picking_ids.move_ids.quantity, 0.0, "nothing reserves for a held order")
        self._stock(self.cable, 5)
        held.with_user(self.credit_controller).action_release_credit_hold(reason="Payment received")
        self.assertEqual(held.picking_ids.move_ids.quantity, 5.0, "released: reserved again from what is there")

    def test_held_order_keeps_its_reservation_by_default(self):
        self.assertFalse(self.env["res.company"].create({"name": "New Co"}).distribution_credit_hold_unreserve)
        held = self._confirmed(qty=5)
        held.with_user(self.credit_controller).action_credit_hold(reason="Cheque returned unpaid")
        self.assertEqual(held.picking_ids.move_ids.quantity, 5.0)

    def test_picked_goods_are_not_taken_back(self):
        self.company_a.distribution_credit_hold_unreserve = True
        held = self._confirmed(qty=5)
        held.picking_ids.move_ids.picked = True
        held.with_user(self.credit_controller).action_credit_hold(reason="Cheque returned unpaid")
        self.assertEqual(held.picking_ids.move_ids.quantity, 5.0, "what is picked stays picked")

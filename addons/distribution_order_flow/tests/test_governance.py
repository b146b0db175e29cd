from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_order import OrderFlowCase


@tagged("post_install", "-at_install")
class TestGovernance(OrderFlowCase):
    """The controls as the salesperson who would walk around them, through the ORM calls the web client
    and RPC make: each refused, nothing half-written."""

    def _approved(self, discount=12.0):
        order = self._order([(self.cable, 2, 100.0, discount)])
        order.with_user(self.salesperson).request_validation()
        self._approve(order, self.sales_manager)
        self.assertEqual(order.validation_status, "validated")
        return order

    def test_discount_raised_after_approval_restarts_it(self):
        order = self._approved(12.0)
        order.with_user(self.salesperson).write(
            {"order_line": [Command.update(order.order_line.id, {"discount": 30.0})]}
        )
        self.assertEqual(order.max_discount, 30.0)
        self.assertEqual(order.flow_state, "to_approve", "asked again: the reviewers are notified")
        self.assertFalse(order.review_ids.filtered(lambda r: r.status == "approved"), "the old approval is gone")
        self.assertIn("Approval restarted", " ".join(order.message_ids.mapped("body")))
        with self.assertRaisesRegex(UserError, "Discount above 10%"):
            order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_added_or_removed_line_and_customer_change_restart_the_approval(self):
        order = self._approved()
        order.with_user(self.salesperson).write(
            {"order_line": [Command.create({"product_id": self.breaker.id, "product_uom_qty": 1, "discount": 11.0})]}
        )
        self.assertEqual(order.flow_state, "to_approve")
        self._approve(order, self.sales_manager)
        order.with_user(self.salesperson).write({"order_line": [Command.delete(order.order_line[-1].id)]})
        self.assertEqual(order.flow_state, "to_approve")
        self._approve(order, self.sales_manager)
        other = self.env["res.partner"].create(
            {"name": "Other customer", "property_payment_term_id": self.term_immediate.id}
        )
        order.with_user(self.salesperson).partner_id = other
        self.assertEqual(order.flow_state, "to_approve")

    def test_unchanged_values_and_other_fields_keep_the_approval(self):
        order = self._approved()
        order.order_line.with_user(self.salesperson).write({"discount": 12.0, "name": "Cable, cut to length"})
        self.assertEqual(order.validation_status, "validated")
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_indicators_and_flow_state_cannot_be_written_by_users(self):
        order = self._order([(self.cable, 1, 100.0, 40.0)])
        for vals in ({"max_discount": 0.0}, {"flow_state": "shipped"}, {"margin_percent": 0.5},
                     {"has_price_override": False}, {"has_margin_floor_breach": False},
                     {"credit_limit_exceeded": False}, {"credit_hold": False}):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "set by the system"):
                with self.cr.savepoint():
                    order.with_user(self.salesperson).write(dict(vals, client_order_ref="sneaky"))
        order.invalidate_recordset()
        self.assertEqual(order.max_discount, 40.0)
        self.assertEqual(order.flow_state, "quotation")
        self.assertFalse(order.client_order_ref, "nothing half-written")
        with self.assertRaisesRegex(AccessError, "set by the system"):
            self.env["sale.order"].with_user(self.salesperson).create(
                {"partner_id": self.customer.id, "flow_state": "approved"}
            )
        with self.assertRaisesRegex(UserError, "Discount above 10%"):
            order.with_user(self.salesperson).action_confirm()

    def test_credit_hold_only_through_the_credit_controllers_action(self):
        self._stock(self.cable, 5)
        order = self._order([(self.cable, 1, 100.0, 0.0)])
        order.action_confirm()
        order.sudo().credit_hold = True
        with self.assertRaisesRegex(AccessError, "set by the system"):
            order.with_user(self.sales_manager).write({"credit_hold": False})
        with self.assertRaisesRegex(AccessError, "Only a credit controller"):
            order.with_user(self.sales_manager).action_release_credit_hold(reason="Payment received")
        self.assertTrue(order.credit_hold)
        order.with_user(self.credit_controller).action_release_credit_hold(reason="Payment received")
        self.assertFalse(order.credit_hold)
        self.assertIn(self.credit_controller.name, order.message_ids[0].body)

    def test_allocation_score_cannot_be_forged_by_the_warehouse(self):
        self._stock(self.cable, 5)
        order = self._order([(self.cable, 1, 100.0, 0.0)])
        order.action_confirm()
        move = order.picking_ids.move_ids
        picker = self.env["res.users"].create(
            {
                "name": "Picker (gov)",
                "login": "gov_picker",
                "group_ids": [Command.set([self.env.ref("stock.group_stock_user").id])],
            }
        )
        score = move.allocation_score
        with self.assertRaisesRegex(AccessError, "set by the system"):
            move.with_user(picker).write({"allocation_score": 100.0})
        with self.assertRaisesRegex(AccessError, "set by the system"):
            move.picking_id.with_user(picker).write({"allocation_score": 100.0})
        self.assertEqual(move.allocation_score, score)

    def test_salesperson_cannot_lower_the_cost_to_pass_the_margin_rule(self):
        thin = self.env["product.product"].create(
            {"name": "Thin margin (gov)", "list_price": 100.0, "standard_price": 95.0}
        )
        order = (
            self.env["sale.order"]
            .with_user(self.salesperson)
            .create(
                {
                    "partner_id": self.customer.id,
                    "user_id": self.salesperson.id,
                    "order_line": [
                        Command.create({"product_id": thin.id, "product_uom_qty": 1, "purchase_price": 10.0})
                    ],
                }
            )
        )
        self.assertEqual(order.order_line.purchase_price, 95.0, "the product's cost, not the one sent")
        order.order_line.with_user(self.salesperson).write({"purchase_price": 10.0})
        self.assertEqual(order.order_line.purchase_price, 95.0)
        self.assertIn("Margin below 15%", order._get_applicable_tier_definitions().mapped("name"))
        order.order_line.with_user(self.sales_manager).write({"purchase_price": 80.0})
        self.assertEqual(order.order_line.purchase_price, 80.0, "a manager may set the line's cost")

    def test_prices_of_a_confirmed_order_are_for_managers_only(self):
        order = self._order([(self.cable, 2, 100.0, 0.0)])
        order.action_confirm()
        line = order.order_line
        for vals in ({"price_unit": 50.0}, {"discount": 30.0}):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(UserError, "is confirmed: .* cannot change its prices"),
            ):
                with self.cr.savepoint():
                    line.with_user(self.salesperson).write(dict(vals, name="changed"))
        line.invalidate_recordset()
        self.assertRecordValues(line, [{"price_unit": 100.0, "discount": 0.0}])
        self.assertNotEqual(line.name, "changed", "nothing half-written")
        line.with_user(self.salesperson).write({"price_unit": 100.0, "product_uom_qty": 3})  # same price: fine
        self.assertFalse(order.distribution_reprice_pending)
        line.with_user(self.sales_manager).write({"discount": 5.0})
        self.assertEqual(line.discount, 5.0)
        self.assertIn("repriced on the confirmed order", " ".join(order.message_ids[:3].mapped("body")))
        # The manager's new price waits for another manager: nothing is invoiced meanwhile.
        self.assertRecordValues(order, [{"distribution_reprice_pending": True,
                                         "distribution_repriced_by_id": self.sales_manager.id,
                                         "flow_state": "on_hold"}])
        with self.assertRaisesRegex(UserError, "cannot be invoiced: its prices were changed after confirmation"):
            order.with_user(self.accountant)._create_invoices()
        with self.assertRaisesRegex(AccessError, "set by the system"):
            order.with_user(self.sales_manager).write({"distribution_reprice_pending": False})
        with self.assertRaisesRegex(AccessError, "Only a sales manager can approve the new prices"):
            order.with_user(self.salesperson).action_approve_repricing()
        with self.assertRaisesRegex(UserError, "cannot approve the new prices .* they changed them"):
            order.with_user(self.sales_manager).action_approve_repricing()
        self.assertTrue(order.distribution_reprice_pending)
        order.with_user(self.sales_manager_2).action_approve_repricing()
        self.assertFalse(order.distribution_reprice_pending)
        self.assertNotEqual(order.flow_state, "on_hold")
        self.assertIn(f"New prices approved by {self.sales_manager_2.name}", order.message_ids[0].body)

    def test_lines_added_to_a_confirmed_order_at_unapproved_terms(self):
        order = self._order([(self.cable, 2, 100.0, 0.0)])
        order.action_confirm()
        # The web client adds a line through the order's write; RPC may create it directly.
        attempts = [
            lambda: order.with_user(self.salesperson).write(
                {"order_line": [Command.create({"product_id": self.cable.id, "product_uom_qty": 1, "discount": 40.0})]}
            ),
            lambda: self.env["sale.order.line"].with_user(self.salesperson).create(
                {"order_id": order.id, "product_id": self.cable.id, "product_uom_qty": 1, "discount": 40.0}
            ),
        ]
        for attempt in attempts:
            with self.subTest(attempt=attempt), self.assertRaisesRegex(
                UserError, "is confirmed: .* cannot add .* with a discount"
            ), self.cr.savepoint():
                attempt()
        self.assertEqual(len(order.order_line), 1, "nothing half-written")
        self.assertFalse(order.order_line.move_ids.filtered(lambda m: m.product_uom_qty == 1))
        # At the pricelist's price with no discount, the rep may add to the order (an amendment).
        order.with_user(self.salesperson).write(
            {"order_line": [Command.create({"product_id": self.cable.id, "product_uom_qty": 1})]}
        )
        self.assertEqual(len(order.order_line), 2)
        self.assertFalse(order.distribution_reprice_pending)
        # A manager may add a discounted line: another manager approves it before anything is invoiced.
        order.with_user(self.sales_manager).write(
            {"order_line": [Command.create({"product_id": self.cable.id, "product_uom_qty": 1, "discount": 40.0})]}
        )
        self.assertRecordValues(order, [{"distribution_reprice_pending": True,
                                         "distribution_repriced_by_id": self.sales_manager.id}])
        self.assertIn("added to the confirmed order", " ".join(order.message_ids[:3].mapped("body")))
        with self.assertRaisesRegex(UserError, "cannot be invoiced: its prices were changed after confirmation"):
            order.with_user(self.accountant)._create_invoices()

    def test_reviews_cannot_be_forged_through_rpc(self):
        order = self._order([(self.cable, 1, 100.0, 40.0)])
        order.with_user(self.salesperson).request_validation()
        review = order.review_ids.filtered(lambda r: r.name == "Discount above 10%")
        self.assertEqual(review.status, "pending")
        Review = self.env["tier.review"].with_user(self.salesperson)
        for vals in ({"status": "approved"}, {"done_by": self.sales_manager.id}, {"definition_id": False}):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(AccessError, "cannot decide approval reviews directly"),
            ):
                with self.cr.savepoint():
                    review.with_user(self.salesperson).write(vals)
        with self.assertRaisesRegex(AccessError, "cannot create approval reviews directly"):
            Review.create({"model": "sale.order", "res_id": order.id, "definition_id": review.definition_id.id,
                           "status": "approved"})
        with self.assertRaisesRegex(AccessError, "cannot delete approval reviews directly"):
            review.with_user(self.salesperson).unlink()
        # Even a context copied from the server's own actions does not pass: the token is not known to clients.
        with self.assertRaises(AccessError):
            review.with_user(self.salesperson).with_context(distribution_tier_review_action="guess").write(
                {"status": "approved"}
            )
        review.invalidate_recordset()
        self.assertEqual(review.status, "pending")
        # The comment wizard path checks who reviews: the salesperson's wizard approves nothing.
        wizard = self.env["comment.wizard"].with_user(self.salesperson).create(
            {"res_model": "sale.order", "res_id": order.id, "validate_reject": "validate",
             "review_ids": [Command.set(review.ids)], "comment": "self-approved"}
        )
        wizard.add_comment()
        self.assertEqual(review.status, "pending")
        with self.assertRaisesRegex(UserError, "Discount above 10%"):
            order.with_user(self.salesperson).action_confirm()
        self._approve(order, self.sales_manager)
        self.assertEqual(review.status, "approved", "the reviewer's action still works")
        order.with_user(self.salesperson).action_cancel()
        self.assertFalse(order.review_ids, "cancelling removes the reviews, as base_tier_validation does")

    def test_customer_confirmation_key_is_no_way_around_approvals(self):
        order = self._order([(self.cable, 1, 100.0, 40.0)])
        with self.assertRaisesRegex(UserError, "Discount above 10%"):
            order.with_user(self.salesperson).with_context(distribution_customer_confirmation=True).action_confirm()
        self.assertRecordValues(order, [{"state": "draft", "distribution_customer_accepted": False}])
        self.assertFalse(order.review_ids, "nothing half-written")

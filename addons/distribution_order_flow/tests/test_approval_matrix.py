from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_order import OrderFlowCase


@tagged("post_install", "-at_install")
class TestApprovalMatrix(OrderFlowCase):
    def _rules(self, order):
        # The price rules are set by Distribution: Pricing when installed (pricelist prices, margin floors):
        # not this module's rules to test.
        return set(order._get_applicable_tier_definitions().mapped("name")) - {
            "Price below contract or pricelist", "Margin below floor"
        }

    def test_discount_boundary(self):
        at_limit = self._order([(self.cable, 1, 100.0, 10.0)])
        self.assertEqual(at_limit.max_discount, 10.0)
        self.assertNotIn("Discount above 10%", self._rules(at_limit))
        at_limit.action_confirm()
        self.assertEqual(at_limit.state, "sale")
        above = self._order([(self.cable, 1, 100.0, 10.01), (self.breaker, 1, None, 2.0)])
        self.assertEqual(above.max_discount, 10.01)
        self.assertEqual(self._rules(above), {"Discount above 10%"})
        with self.assertRaisesRegex(UserError, r"Discount above 10%: to be approved by Sales Administrator \("):
            above.with_user(self.salesperson).action_confirm()
        self.assertEqual(above.state, "draft")

    def test_margin_boundary(self):
        Product = self.env["product.product"]
        at_floor_product = Product.create({"name": "Thin margin", "list_price": 100.0, "standard_price": 85.0})
        below_product = Product.create({"name": "Thinner margin", "list_price": 100.0, "standard_price": 85.01})
        at_floor = self._order([(at_floor_product, 1, None, 0.0)])  # margin 15.0%
        self.assertAlmostEqual(at_floor.margin_percent, 0.15, places=3)
        self.assertNotIn("Margin below 15%", self._rules(at_floor))
        below = self._order([(below_product, 1, None, 0.0)])  # margin 14.99%
        self.assertLess(below.margin_percent, 0.15)
        self.assertEqual(self._rules(below), {"Margin below 15%"})

    def test_credit_boundary(self):
        self.customer.credit_limit = 1000.0
        at_limit = self._order([(self.service, 1000, None, 0.0)], payment_term_id=self.term_immediate.id)
        # Exposure is on the total with taxes: fix the line's taxes to compare exactly with the limit.
        at_limit.order_line.tax_ids = False
        self.assertEqual(at_limit.credit_exposure, 1000.0)
        self.assertFalse(at_limit.credit_limit_exceeded)
        above = self._order([(self.service, 1000.01, None, 0.0)])
        above.order_line.tax_ids = False
        self.assertTrue(above.credit_limit_exceeded)
        self.assertEqual(self._rules(above), {"Credit limit exceeded or balance overdue"})
        with self.assertRaisesRegex(
            UserError, r"Credit limit exceeded or balance overdue: to be approved by Credit Controller \("
        ):
            above.action_confirm()

    def test_no_credit_check_when_company_disables_limits(self):
        self.company_a.account_use_credit_limit = False
        self.customer.credit_limit = 10.0
        order = self._order([(self.service, 500, None, 0.0)])
        self.assertFalse(order.credit_limit_exceeded)

    def test_nonstandard_terms(self):
        standard = self._order([(self.breaker, 1, None, 0.0)])
        self.assertEqual(standard.payment_term_id, self.term_immediate, "the order takes the customer's terms")
        self.assertFalse(standard.has_nonstandard_terms)
        other = self._order([(self.breaker, 1, None, 0.0)], payment_term_id=self.term_30.id)
        self.assertTrue(other.has_nonstandard_terms)
        with self.assertRaisesRegex(
            UserError, r"Non-standard payment terms: to be approved by Accounting Administrator \("
        ):
            other.action_confirm()
        other.with_user(self.salesperson).request_validation()
        self._approve(other, self.accountant)
        other.with_user(self.salesperson).action_confirm()
        self.assertEqual(other.state, "sale")

    def test_two_rules_approved_in_sequence(self):
        self.customer.credit_limit = 100.0
        order = self._order([(self.cable, 2, 100.0, 20.0)])
        self.assertEqual(self._rules(order), {"Discount above 10%", "Credit limit exceeded or balance overdue"})
        with self.assertRaisesRegex(
            UserError, r"(?s)Discount above 10%.*Credit limit exceeded.*Request the validation first"
        ):
            order.action_confirm()
        order.with_user(self.salesperson).request_validation()
        self.assertEqual(order.flow_state, "to_approve")
        self._approve(order, self.sales_manager)
        with self.assertRaises(UserError) as caught:
            order.with_user(self.salesperson).action_confirm()
        self.assertIn("Credit limit exceeded", str(caught.exception))
        self.assertNotIn("Discount above 10%", str(caught.exception))
        self._approve(order, self.credit_controller)
        self.assertEqual(order.flow_state, "approved")
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_wrong_users_cannot_approve(self):
        order = self._order([(self.cable, 1, 100.0, 25.0)])
        order.with_user(self.salesperson).request_validation()
        status = order.validation_status
        with self.assertRaisesRegex(UserError, r"cannot approve or reject order .*: they are its salesperson"):
            order.with_user(self.salesperson).validate_tier()
        with self.assertRaisesRegex(UserError, r"has no review to make on order"):
            order.with_user(self.accountant).validate_tier()
        with self.assertRaisesRegex(UserError, r"has no review to make on order"):
            order.with_user(self.credit_controller).reject_tier()
        self.assertEqual(order.validation_status, status)
        self.assertNotEqual(status, "validated")

    def test_manager_cannot_approve_own_order(self):
        order = self._order([(self.cable, 1, 100.0, 25.0)], user=self.sales_manager)
        order.with_user(self.sales_manager).request_validation()
        with self.assertRaisesRegex(UserError, r"they are its salesperson"):
            order.with_user(self.sales_manager).validate_tier()
        self.assertNotIn(self.sales_manager, order.review_ids.reviewer_ids)
        self._approve(order, self.sales_manager_2)
        self.assertEqual(order.validation_status, "validated")

    def test_rejection_returns_to_quotation_with_reason(self):
        order = self._order([(self.cable, 1, 100.0, 30.0)])
        order.with_user(self.salesperson).request_validation()
        self._reject(order, self.sales_manager, "30% is more than this customer's contract allows")
        self.assertEqual(order.validation_status, "rejected")
        self.assertEqual(order.flow_state, "quotation")
        self.assertEqual(self._events(order)[-2:], ["to_approve", "quotation"])
        bodies = " ".join(order.message_ids.mapped("body"))
        self.assertIn("30% is more than this customer", bodies)
        with self.assertRaisesRegex(UserError, r"A review was rejected: change the order, then restart the validation"):
            order.with_user(self.salesperson).action_confirm()
        order.with_user(self.salesperson).restart_validation()
        order.with_user(self.salesperson).order_line.discount = 5.0
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_new_rule_after_approval_needs_its_own_approval(self):
        order = self._order([(self.cable, 1, 100.0, 15.0)])
        order.with_user(self.salesperson).request_validation()
        self._approve(order, self.sales_manager)
        self.customer.credit_limit = 50.0  # the customer's situation changed since the approval
        with self.assertRaisesRegex(UserError, r"Credit limit exceeded.*\n.*restart the validation"):
            order.with_user(self.salesperson).action_confirm()

    def test_credit_hold_on_every_confirmation_path(self):
        self.customer.credit_limit = 100.0
        order = self._order([(self.cable, 5, 100.0, 0.0)])
        with self.assertRaises(UserError):
            order.with_user(self.sales_manager).action_confirm()
        with self.assertRaises(UserError):
            order.sudo().action_confirm()  # portal signature and payments confirm in sudo
        with self.assertRaises(ValidationError):
            order.with_user(self.sales_manager).write({"state": "sale"})  # RPC or automation writing the state
        self.assertEqual(order.state, "draft")

    def test_shipped_definitions_are_editable_data(self):
        discount_rule = self.env.ref("distribution_order_flow.tier_definition_sale_discount")
        discount_rule.definition_domain = "[('max_discount', '>', 20.0)]"
        order = self._order([(self.cable, 1, 100.0, 15.0)])
        self.assertNotIn("Discount above 10%", self._rules(order))
        self.assertTrue(discount_rule.exclude_requester)

    def test_purchase_rules(self):
        vendor = self.env["res.partner"].create({"name": "Helix Cable Works"})
        buyer = self.env["res.users"].create(
            {
                "name": "Buyer",
                "login": "dist_buyer",
                "group_ids": [(6, 0, [self.env.ref("purchase.group_purchase_user").id])],
            }
        )
        small = (
            self.env["purchase.order"]
            .with_user(buyer)
            .create(
                {
                    "partner_id": vendor.id,
                    "order_line": [(0, 0, {"product_id": self.cable.id, "product_qty": 10, "price_unit": 60.0})],
                }
            )
        )
        small.with_user(buyer).button_confirm()
        self.assertEqual(small.state, "purchase")
        expedited = small.copy({"expedited": True})
        with self.assertRaises(ValidationError):
            expedited.with_user(buyer).button_confirm()
        big = (
            self.env["purchase.order"]
            .with_user(buyer)
            .create(
                {
                    "partner_id": vendor.id,
                    "order_line": [(0, 0, {"product_id": self.cable.id, "product_qty": 200, "price_unit": 60.0})],
                }
            )
        )
        self.assertGreater(big.amount_total_cc, 10000)
        big.with_user(buyer).request_validation()
        purchase_manager = self.env["res.users"].create(
            {
                "name": "Purchase Mgr",
                "login": "dist_pm",
                "group_ids": [(6, 0, [self.env.ref("purchase.group_purchase_manager").id])],
            }
        )
        action = big.with_user(purchase_manager).validate_tier()
        self._comment(action, purchase_manager, "OK")
        big.with_user(buyer).button_confirm()
        self.assertEqual(big.state, "purchase")

    def test_rule_on_a_field_the_registry_lacks_is_skipped_not_fatal(self):
        """A rule naming a field that is not loaded (a module being upgraded, or uninstalled) does not
        apply and is logged; the other rules still do, and the order confirms."""
        self.env["tier.definition"].create(
            {
                "name": "Rule on a gone field",
                "model_id": self.env.ref("sale.model_sale_order").id,
                "review_type": "group",
                "reviewer_group_id": self.env.ref("sales_team.group_sale_manager").id,
                "definition_domain": "[('x_field_of_an_uninstalled_module', '>', 10.0)]",
            }
        )
        order = self._order([(self.cable, 1, 100.0, 0.0)])
        with self.assertLogs("odoo.addons.distribution_tier_validation.models.tier_validation", "WARNING") as logs:
            self.assertNotIn("Rule on a gone field", self._rules(order))
            order.with_user(self.salesperson).action_confirm()
        self.assertIn("x_field_of_an_uninstalled_module", logs.output[0])
        self.assertEqual(order.state, "sale")
        discounted = self._order([(self.cable, 1, 100.0, 20.0)])
        with self.assertRaisesRegex(UserError, "Discount above 10%"):
            discounted.with_user(self.salesperson).action_confirm()

    def test_summary_before_confirm_names_rule_reason_and_reviewers(self):
        """The rep reads on the quotation, before clicking Confirm, which rules apply, why, and who approves
        them (the role in words and its holders, never the rep), and the reviews say the same."""
        order = self._order([(self.cable, 1, 100.0, 25.0)])
        self.assertEqual(order.validation_status, "no")
        summary = order.with_user(self.salesperson).approval_summary
        self.assertIn("Discount above 10%", summary)
        self.assertIn("largest discount 25.0%", summary)
        self.assertIn("Sales Administrator (", summary)
        self.assertIn(self.sales_manager.name, summary)
        self.assertNotIn(self.salesperson.name, summary)
        self.assertIn("Request the validation first", summary)
        order.with_user(self.salesperson).request_validation()
        order.invalidate_recordset(["approval_summary"])
        self.assertIn("Wait for these approvals", order.with_user(self.salesperson).approval_summary)
        review = order.review_ids
        self.assertTrue(review.todo_by.startswith("Sales Administrator ("), review.todo_by)
        self.assertIn(self.sales_manager.name, review.todo_by)
        self._approve(order, self.sales_manager)
        order.invalidate_recordset(["approval_summary"])
        self.assertFalse(order.with_user(self.salesperson).approval_summary, "nothing left to approve")
        # An order no rule applies to shows nothing.
        plain = self._order([(self.cable, 1, 100.0, 0.0)])
        self.assertFalse(plain.with_user(self.salesperson).approval_summary)

    def test_summary_names_the_credit_and_terms_reasons(self):
        self.customer.credit_limit = 50.0
        self.env.company.account_use_credit_limit = True
        order = self._order([(self.cable, 1, 100.0, 0.0)])
        summary = order.with_user(self.salesperson).approval_summary
        self.assertIn("Credit limit exceeded or balance overdue", summary)
        self.assertIn("the customer would be over its credit limit", summary)
        self.assertIn("Credit Controller (", summary)

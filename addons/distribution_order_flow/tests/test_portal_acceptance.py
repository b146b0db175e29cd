import base64
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

# A 1x1 PNG: the signature the portal's widget sends.
SIGNATURE = base64.b64encode(
    base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
    )
).decode()


@tagged("post_install", "-at_install")
class TestPortalAcceptance(HttpCase):
    """A customer who signs or pays online a quotation that needs approvals: what they did is kept, the
    order goes to approval with an item for its salesperson, and they only read that it is reviewed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.account_use_credit_limit = True
        cls.rep = new_test_user(cls.env, login="dist_portal_rep", groups="sales_team.group_sale_salesman")
        cls.customer = cls.env["res.partner"].create(
            {"name": "Portal Hardware Store", "is_company": True, "email": "buyer@hardware.example"}
        )
        cls.portal_user = new_test_user(
            cls.env, login="dist_portal_buyer", groups="base.group_portal", partner_id=cls.customer.id
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Portal Cable", "type": "service", "list_price": 100.0, "standard_price": 40.0}
        )

    def _quotation(self, discount=0.0, **vals):
        return self.env["sale.order"].create(
            dict(
                {
                    "partner_id": self.customer.id,
                    "user_id": self.rep.id,
                    "require_signature": True,
                    "require_payment": False,
                    "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 2,
                                                   "discount": discount, "tax_ids": False})],
                },
                **vals,
            )
        )

    def _sign(self, order):
        self.authenticate("dist_portal_buyer", "dist_portal_buyer")
        return self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept",
            {"access_token": order._portal_ensure_token(), "name": "Pat Buyer", "signature": SIGNATURE},
        )

    def _approve(self, order, user):
        """The reviewer clicks Validate and confirms the comment wizard, as in the web client."""
        action = order.with_user(user).validate_tier()
        if action:
            # pylint: disable-next=context-overridden  # the action's own context, as the web client uses it
            wizard = Form(self.env[action["res_model"]].with_user(user).with_context(action["context"]))
            wizard.comment = "Approved"
            wizard.save().add_comment()

    def test_signature_of_an_order_needing_approval(self):
        order = self._quotation(discount=25.0)
        result = self._sign(order)
        self.assertNotIn("error", result)
        self.assertRecordValues(order, [{"state": "draft", "flow_state": "to_approve", "signed_by": "Pat Buyer"}])
        self.assertTrue(order.distribution_customer_accepted)
        self.assertTrue(order.signature, "the signature is kept")
        self.assertEqual(order.review_ids.mapped("status"), ["pending"], "the reviewers are asked")
        self.assertIn("The customer accepted the quotation", " ".join(order.message_ids.mapped("body")))
        # What the customer reads: a neutral message, no rule, group or figure.
        page = self.url_open(order.get_portal_url()).text
        self.assertIn("Your order is being reviewed", page)
        for internal in ("Discount above", "Sales Administrator", "Sales / Administrator", "Credit", "approv"):
            self.assertNotIn(internal, page)

    def test_signature_while_the_rep_already_asked_for_approval(self):
        order = self._quotation(discount=25.0)
        order.with_user(self.rep).request_validation()
        result = self._sign(order)
        self.assertNotIn("error", result, "the review lock lets the customer's signature through")
        self.assertRecordValues(order, [{"state": "draft", "flow_state": "to_approve", "signed_by": "Pat Buyer"}])
        self.assertEqual(len(order.review_ids), 1, "the same review, not a second one")

    def test_signature_over_the_credit_limit(self):
        self.customer.credit_limit = 50.0
        order = self._quotation()
        self._sign(order)
        self.assertRecordValues(order, [{"state": "draft", "flow_state": "to_approve", "credit_limit_exceeded": True}])
        page = self.url_open(order.get_portal_url()).text
        self.assertIn("Your order is being reviewed", page)
        self.assertNotIn("credit", page.lower().replace("credit card", ""))

    def test_signature_within_the_rules_confirms(self):
        order = self._quotation()
        self._sign(order)
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.distribution_customer_accepted)
        self.assertNotIn("Your order is being reviewed", self.url_open(order.get_portal_url()).text)

    def test_payment_of_an_order_needing_approval(self):
        order = self._quotation(discount=25.0, require_signature=False, require_payment=True)
        method = self.env.ref("payment.payment_method_unknown")
        provider = self.env["payment.provider"].create(
            {"name": "Dummy (distribution)", "code": "none", "state": "test", "is_published": True,
             "payment_method_ids": [Command.set(method.ids)]}
        )
        method.active = True
        transaction = self.env["payment.transaction"].sudo().create(
            {
                "provider_id": provider.id,
                "payment_method_id": method.id,
                "amount": order.amount_total,
                "currency_id": order.currency_id.id,
                "partner_id": self.customer.id,
                "reference": "DIST-PORTAL-PAY-1",
                "operation": "online_redirect",
                "sale_order_ids": [Command.set(order.ids)],
                "state": "done",
            }
        )
        confirmed = transaction._check_amount_and_confirm_order()
        self.assertFalse(confirmed, "nothing downstream treats it as a sale")
        self.assertRecordValues(order, [{"state": "draft", "flow_state": "to_approve"}])
        self.assertTrue(order.distribution_customer_accepted, "a paid order is never a silent quotation")
        self.assertEqual(order.amount_paid, order.amount_total, "the payment is kept")

    def test_last_approval_confirms_what_the_customer_accepted(self):
        """Signed over the discount and the credit rules: the order waits for both reviewers, and the last
        approval (by a credit controller without sales rights) confirms it as the customer asked."""
        self.customer.credit_limit = 50.0
        manager = new_test_user(self.env, login="dist_portal_manager", groups="sales_team.group_sale_manager")
        controller = new_test_user(
            self.env, login="dist_portal_controller", groups="distribution_order_flow.group_credit_controller"
        )
        order = self._quotation(discount=25.0)
        self._sign(order)
        self.assertEqual(len(order.review_ids), 2)
        self._approve(order, manager)
        self.assertRecordValues(order, [{"state": "draft", "flow_state": "to_approve"}])
        self.assertFalse(order.picking_ids)
        self._approve(order, controller)
        self.assertRecordValues(order, [{"state": "sale", "validation_status": "validated"}])
        note = order.message_ids.filtered(lambda m: "Confirmed on approval" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn(controller.name, note.body)
        self.env.flush_all()  # as the end of the reviewer's request does
        event = order.flow_event_ids.sorted("id")[-1]
        self.assertEqual(event.state_from, "approved")
        self.assertNotIn(event.state_to, ("quotation", "to_approve", "approved"))
        self.assertEqual(event.user_id, controller, "the confirmation is credited to the last reviewer")

    def test_approval_of_an_order_nobody_accepted_does_not_confirm(self):
        """A quotation the rep sent for approval stays a quotation once approved: the rep confirms it."""
        manager = new_test_user(self.env, login="dist_portal_manager2", groups="sales_team.group_sale_manager")
        order = self._quotation(discount=25.0)
        order.with_user(self.rep).request_validation()
        self._approve(order, manager)
        self.assertRecordValues(order, [{"state": "draft", "flow_state": "approved"}])

    def test_approval_stands_when_the_confirmation_fails(self):
        """A confirmation that fails after the last approval (a procurement error, say) leaves the order
        approved with a note; the approval is not undone and the salesperson confirms later."""
        manager = new_test_user(self.env, login="dist_portal_manager3", groups="sales_team.group_sale_manager")
        order = self._quotation(discount=25.0)
        self._sign(order)
        with patch.object(type(order), "_action_confirm", side_effect=UserError("No route to the customer")):
            self._approve(order, manager)
        self.assertRecordValues(order, [{"state": "draft", "validation_status": "validated"}])
        self.assertEqual(order.review_ids.mapped("status"), ["approved"])
        self.assertIn("could not be confirmed: No route to the customer", order.message_ids[0].body)
        order.with_user(self.rep).action_confirm()
        self.assertEqual(order.state, "sale")

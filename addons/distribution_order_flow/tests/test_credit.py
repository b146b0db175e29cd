from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_order import OrderFlowCase


@tagged("post_install", "-at_install")
class TestCreditExposure(OrderFlowCase):
    def _untaxed_order(self, amount, **vals):
        order = self._order([(self.service, amount, None, 0.0)], **vals)
        order.order_line.tax_ids = False
        return order

    def test_exposure_counts_open_orders_unpaid_invoices_not_paid_ones(self):
        confirmed = self._untaxed_order(100.0)
        confirmed.action_confirm()  # confirmed, not invoiced: 100 to invoice
        unpaid = self._untaxed_order(200.0)
        unpaid.action_confirm()
        self._invoice(unpaid)  # posted, not paid: 200 receivable
        paid = self._untaxed_order(300.0)
        paid.action_confirm()
        self._pay(self._invoice(paid))  # paid: counts no more
        quotation = self._untaxed_order(50.0, partner_id=self.customer_contact.id)
        self.assertEqual(quotation.credit_exposure, 100.0 + 200.0 + 50.0, "contacts share their company's exposure")

    def test_partly_invoiced_order_counts_its_rest_taxes_included(self):
        tax = self.env["account.tax"].create({"name": "VAT 15 (credit test)", "amount": 15.0, "type_tax_use": "sale"})
        self._stock(self.cable, 10)
        order = self._order([(self.cable, 10, None, 0.0)])  # 10 x 100 = 1000 + 15 %
        order.order_line.tax_ids = tax
        order.action_confirm()
        self._deliver(order, {self.cable: 4})
        invoice = self._invoice(order)  # 400 + 60 invoiced and receivable
        self.assertEqual(invoice.amount_total, 460.0)
        quotation = self._untaxed_order(10.0)
        # receivable 460 + rest of the order (1150 - 460 = 690) + this quotation 10
        self.assertAlmostEqual(quotation.credit_exposure, 460.0 + 690.0 + 10.0)

    def test_exposure_not_tracked_without_credit_limits(self):
        self.company_a.account_use_credit_limit = False
        quotation = self._untaxed_order(50.0)
        self.assertRecordValues(quotation, [{"credit_exposure": 0.0, "credit_limit_exceeded": False}])

    def test_exposure_in_company_currency(self):
        foreign = self.env["res.currency"].with_context(active_test=False).search(
            [("id", "!=", self.company_a.currency_id.id), ("name", "in", ("EUR", "GBP", "CHF"))], limit=1
        )
        foreign.active = True
        if not foreign.rate_ids:
            self.env["res.currency.rate"].create(
                {"currency_id": foreign.id, "company_id": self.company_a.id, "rate": 2.0}
            )
        # Confirmed first: the customer has no pricelist of its own, and Odoo would default it to the
        # export pricelist once that is the only one.
        confirmed = self._untaxed_order(100.0)
        confirmed.action_confirm()
        pricelist = self.env["product.pricelist"].create({"name": "Export", "currency_id": foreign.id})
        quotation = self._untaxed_order(400.0, pricelist_id=pricelist.id)
        self.assertEqual(quotation.currency_id, foreign)
        self.assertNotEqual(quotation.currency_rate, 1.0)
        self.assertAlmostEqual(
            quotation.credit_exposure,
            100.0 + quotation.amount_total / quotation.currency_rate,
            places=2,
            msg="converted at the order's rate",
        )

    def test_credit_hold_at_delivery(self):
        self.customer.credit_limit = 1000.0
        self._stock(self.cable, 10)
        order = self._order([(self.cable, 5, 100.0, 0.0)])
        order.order_line.tax_ids = False
        order.action_confirm()
        self.assertFalse(order.credit_limit_exceeded)
        # Since confirmation the customer bought more and hasn't paid.
        other = self._untaxed_order(900.0)
        other.with_user(self.salesperson).request_validation()
        self._approve(other, self.credit_controller)
        other.action_confirm()
        self._invoice(other)
        # Credit is re-checked at goods issue: the goods do not leave.
        picking = self._deliver(order)
        self.assertEqual(picking.state, "assigned", "the delivery was not validated")
        self.assertTrue(order.credit_hold)
        self.assertEqual(order.flow_state, "on_hold")
        self.assertIn("found at goods issue", " ".join(order.message_ids.mapped("body")))
        self.assertEqual(self.customer.distribution_credit_hold_count, 1)
        self.assertEqual(self.customer_contact.distribution_credit_hold_count, 1, "shown on the contacts too")
        with self.assertRaisesRegex(AccessError, r"Only a credit controller can release the credit hold"):
            order.with_user(self.salesperson).action_release_credit_hold(reason="Payment received")
        order.with_user(self.credit_controller).action_release_credit_hold(reason="Payment received")
        self.assertFalse(order.credit_hold)
        # The controller released it knowing the exposure: their decision stands at goods issue.
        self._deliver(order)
        self.assertEqual(order.flow_state, "shipped")
        self.assertEqual(self._events(order)[-2:], ["on_hold", "shipped"])

    def test_no_hold_when_within_limit(self):
        self._stock(self.cable, 10)
        order = self._order([(self.cable, 1, None, 0.0)])
        order.action_confirm()
        self._deliver(order)
        self.assertFalse(order.credit_hold)
        self.assertEqual(order.flow_state, "shipped")

    def test_exposure_of_other_company_not_counted(self):
        self.company_b.account_use_credit_limit = True
        self._untaxed_order(500.0).action_confirm()
        product_b = self.service.with_company(self.company_b)
        order_b = self.env["sale.order"].with_company(self.company_b).create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company_b.id,
                "order_line": [Command.create({"product_id": product_b.id, "product_uom_qty": 70.0, "tax_ids": False})],
            }
        )
        self.assertEqual(order_b.credit_exposure, 70.0)

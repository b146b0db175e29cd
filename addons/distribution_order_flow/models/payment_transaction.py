from odoo import models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        # A payment confirms the quotation as the customer's acceptance: an order that needs approvals
        # keeps the payment and waits for review (sale.order._hold_customer_confirmation). Only the orders
        # really confirmed are returned, so that nothing downstream (confirmation mail, automatic invoice)
        # treats a quotation under review as a sale.
        confirmed = super(
            PaymentTransaction, self.with_context(distribution_customer_confirmation=True)
        )._check_amount_and_confirm_order()
        return confirmed.filtered(lambda order: order.state == "sale")

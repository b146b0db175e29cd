from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common_order import OrderFlowCase


@tagged("post_install", "-at_install")
class TestCustomerNotifications(OrderFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "orders@sparks.example.com"

    def setUp(self):
        super().setUp()
        self._stock(self.cable, 100)

    def _mails(self, order, word):
        """Mails to the customer (followers such as the salesperson get their own copy), once the
        queue is sent."""
        self.env["distribution.customer.notification"]._cron_send()
        return self.env["mail.mail"].search(
            [
                ("model", "=", "sale.order"),
                ("res_id", "=", order.id),
                ("subject", "ilike", word),
                ("recipient_ids", "in", self.customer.ids),
            ]
        )

    def test_confirmation_with_promise_date(self):
        promise = fields.Datetime.now() + timedelta(days=4)
        order = self._order([(self.cable, 2, None, 0.0)], commitment_date=promise)
        order.action_confirm()
        mail = self._mails(order, "confirmed")
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertIn(order.name, mail.body_html)
        self.assertEqual(order.distribution_notified_promise_date, promise)

    def test_opt_out_is_respected(self):
        self.customer.distribution_notify_opt_out = True
        self.assertTrue(self.customer_contact.distribution_notify_opt_out, "contacts follow their company")
        order = self._order([(self.cable, 2, None, 0.0)], partner_id=self.customer_contact.id)
        order.action_confirm()
        self._deliver(order)
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "sale.order"), ("res_id", "=", order.id)]))

    def test_partial_then_full_shipment(self):
        order = self._order([(self.cable, 10, None, 0.0)])
        order.action_confirm()
        picking = order.picking_ids
        picking.carrier_tracking_ref = "1Z999AA10123456784"
        self._deliver(order, {self.cable: 6})
        partial = self._mails(order, "partially shipped")
        self.assertEqual(len(partial), 1)
        self.assertIn("What follows", partial.body_html)
        self.assertIn("Cable 3G2.5", partial.body_html)
        self.assertIn("1Z999AA10123456784", partial.body_html)
        self._deliver(order)
        shipped = self._mails(order, "shipped") - partial
        self.assertEqual(len(shipped), 1, f"one notification per shipment: {shipped.mapped('subject')}")

    def test_delay_notified_once_per_change(self):
        self.customer.credit_limit = 0.0
        promise = fields.Datetime.now() + timedelta(days=2)
        order = self._order([(self.cable, 500, None, 0.0)], commitment_date=promise)  # not enough stock
        order.action_confirm()
        Order = self.env["sale.order"]
        Order._cron_notify_delays()
        self.assertFalse(self._mails(order, "delayed"), "nothing changed: nothing sent")
        order.commitment_date = promise + timedelta(days=5)
        Order._cron_notify_delays()
        Order._cron_notify_delays()
        self.assertEqual(len(self._mails(order, "delayed")), 1, "once per change, not every day")
        order.commitment_date = fields.Datetime.now() - timedelta(hours=1)  # passed without shipment
        Order._cron_notify_delays()
        Order._cron_notify_delays()
        self.assertEqual(len(self._mails(order, "delayed")), 2)

    def test_delay_cron_in_batches_tells_each_customer_once(self):
        self.customer.credit_limit = 0.0
        promise = fields.Datetime.now() + timedelta(days=2)
        orders = self.env["sale.order"]
        for _i in range(3):
            orders |= self._order([(self.cable, 500, None, 0.0)], commitment_date=promise)
        orders.action_confirm()
        orders[:2].write({"commitment_date": promise + timedelta(days=4)})  # moved later
        orders[2].commitment_date = fields.Datetime.now() - timedelta(hours=2)  # passed without shipment
        Order = self.env["sale.order"]
        Order._cron_notify_delays(batch_size=2)
        Order._cron_notify_delays(batch_size=1)
        for order in orders:
            self.assertEqual(len(self._mails(order, "delayed")), 1, f"{order.name}: one notice, whatever the batches")
        self.assertTrue(orders[2].distribution_overdue_notified)
        self.assertEqual(orders[0].distribution_notified_promise_date, promise + timedelta(days=4))

    def test_shipped_orders_get_no_delay_notice(self):
        order = self._order([(self.cable, 1, None, 0.0)], commitment_date=fields.Datetime.now() + timedelta(days=1))
        order.action_confirm()
        self._deliver(order)
        order.commitment_date = fields.Datetime.now() - timedelta(days=1)
        self.env["sale.order"]._cron_notify_delays()
        self.assertFalse(self._mails(order, "delayed"))

    def test_user_transactions_only_queue_notifications(self):
        order = self._order([(self.cable, 2, None, 0.0)])
        order.action_confirm()
        queued = self.env["distribution.customer.notification"].search([("order_id", "=", order.id)])
        self.assertRecordValues(queued, [{"state": "pending"}])
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "sale.order"), ("res_id", "=", order.id)]))
        self.env["distribution.customer.notification"]._cron_send()
        self.assertEqual(queued.state, "sent")
        self.assertEqual(queued.message_id.model, "sale.order")
        self.env["distribution.customer.notification"]._cron_send()  # twice: nothing sent twice
        self.assertEqual(len(self._mails(order, "confirmed")), 1)

    def test_a_notification_that_fails_sets_itself_aside(self):
        Queue = self.env["distribution.customer.notification"]
        broken_order = self._order([(self.cable, 1, None, 0.0)])
        good_order = self._order([(self.cable, 1, None, 0.0)])
        Queue.search([("state", "=", "pending")]).write({"state": "sent"})  # only this test's rows
        broken_order.action_confirm()
        good_order.action_confirm()
        broken = Queue.search([("order_id", "=", broken_order.id)])
        good = Queue.search([("order_id", "=", good_order.id)])
        SaleOrder = type(self.env["sale.order"])
        post = SaleOrder._post_customer_notification

        def post_or_fail(order, template, record):
            if order == broken_order:
                raise ValueError("template does not render for this order")  # an edited template's error
            return post(order, template, record)

        with patch.object(SaleOrder, "_post_customer_notification", post_or_fail):
            Queue._cron_send()
            self.assertEqual(good.state, "sent", "the ones behind a broken notification still go")
            self.assertRecordValues(broken, [{"state": "pending", "attempts": 1}])
            self.assertIn("does not render", broken.error)
            self.assertTrue(broken.next_try)
            Queue._cron_send()
            self.assertEqual(broken.attempts, 1, "not tried again before its next try")
            for minutes in (6, 20):
                with freeze_time(fields.Datetime.now() + timedelta(minutes=minutes)):
                    Queue._cron_send()
        self.assertRecordValues(broken, [{"state": "failed", "attempts": 3}])
        self.assertFalse(broken.message_id)
        self.assertEqual(len(self._mails(good_order, "confirmed")), 1)

    def test_queue_is_isolated_per_company(self):
        order = self._order([(self.cable, 1, None, 0.0)])
        order.action_confirm()
        Queue = self.env["distribution.customer.notification"]
        self.assertTrue(Queue.with_user(self.sales_manager).search([("order_id", "=", order.id)]))
        self.assertFalse(Queue.with_user(self.manager_b).search([("order_id", "=", order.id)]))

    def test_templates_are_editable_data(self):
        template = self.env.ref("distribution_order_flow.mail_template_order_confirmed")
        template.subject = "Merci {{ object.name }}"
        order = self._order([(self.cable, 1, None, 0.0)])
        order.action_confirm()
        self.assertTrue(self._mails(order, "Merci"))

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common_order import OrderFlowCase


@tagged("post_install", "-at_install")
class TestRequeueLostConnection(OrderFlowCase):
    """The suite's jobs that failed because their database connection was lost are queued again by a cron,
    at most 3 times; other failures, and other modules' jobs, stay failed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.distribution_reservation_mode = "background"

    def setUp(self):
        super().setUp()
        self._stock(self.cable, 10)
        order = self._order([(self.cable, 4, None, 0.0)])
        order.action_confirm()
        self.picking = order.picking_ids
        self.job = self.env["queue.job"].search([("method_name", "=", "_job_reserve_in_background")]).filtered(
            lambda job: job.records.ids == self.picking.ids)
        self.assertEqual(len(self.job), 1)

    def _fail(self, job, exc_name, message):
        job.write({"state": "failed", "exc_name": exc_name, "exc_message": message})

    def test_lost_connection_is_queued_again_and_then_reserves(self):
        self._fail(self.job, "psycopg2.InterfaceError", "cursor already closed")
        requeued = self.env["queue.job"]._cron_requeue_lost_connection_jobs()
        self.assertEqual(requeued, self.job)
        self.assertRecordValues(self.job, [{"state": "pending", "distribution_requeue_count": 1}])
        self.picking._job_reserve_in_background()
        self.assertEqual(self.picking.move_ids.quantity, 4.0)

    def test_terminated_connection_counts_too(self):
        self._fail(self.job, "psycopg2.OperationalError",
                   "terminating connection due to administrator command\nSSL connection has been closed")
        self.assertEqual(self.env["queue.job"]._cron_requeue_lost_connection_jobs(), self.job)

    def test_at_most_three_times(self):
        for expected in (1, 2, 3):
            self._fail(self.job, "psycopg2.InterfaceError", "connection already closed")
            self.env["queue.job"]._cron_requeue_lost_connection_jobs()
            self.assertEqual(self.job.distribution_requeue_count, expected)
        self._fail(self.job, "psycopg2.InterfaceError", "connection already closed")
        self.assertFalse(self.env["queue.job"]._cron_requeue_lost_connection_jobs())
        self.assertEqual(self.job.state, "failed", "left to a manager after three lost connections")

    def test_other_failures_stay_failed(self):
        self._fail(self.job, "odoo.exceptions.UserError", "Order S00001 cannot be confirmed")
        self.assertFalse(self.env["queue.job"]._cron_requeue_lost_connection_jobs())
        self.assertEqual(self.job.state, "failed")
        # An OperationalError that is not a lost connection (a constraint, a deadlock after its retries).
        self._fail(self.job, "psycopg2.OperationalError", "deadlock detected")
        self.assertFalse(self.env["queue.job"]._cron_requeue_lost_connection_jobs())

    def test_other_channels_are_left_alone(self):
        self.job.channel = "root"
        self._fail(self.job, "psycopg2.InterfaceError", "cursor already closed")
        self.assertFalse(self.env["queue.job"]._cron_requeue_lost_connection_jobs())

    def test_users_cannot_reset_the_counter(self):
        """The counter is the system's: a salesperson or a warehouse user has no access to jobs at all."""
        picker = new_test_user(self.env, login="dist_picker_requeue", groups="stock.group_stock_user")
        for user in (self.salesperson, picker):
            with self.assertRaises(AccessError):
                self.job.with_user(user).write({"distribution_requeue_count": 0})

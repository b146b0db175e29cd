import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


class DistributionCustomerNotification(models.Model):
    """A customer notification waiting to be posted on its order's chatter.

    Confirming an order or validating a delivery only queues the notification (one row); a cron
    renders and posts the queued ones in batches a few minutes later. The user's (or the barcode
    app's) transaction stays as fast as without notifications, and a mail problem never blocks it.
    """

    _name = "distribution.customer.notification"
    _description = "Customer Notification (queue)"
    _order = "id"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade", index=True, readonly=True)
    picking_id = fields.Many2one("stock.picking", ondelete="cascade", readonly=True)
    template_id = fields.Many2one("mail.template", required=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True, precompute=True)
    state = fields.Selection(
        [("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")],
        default="pending", required=True, index=True, readonly=True,
    )
    message_id = fields.Many2one("mail.message", readonly=True)
    attempts = fields.Integer(readonly=True, help="Failed attempts to render and post it.")
    error = fields.Text(readonly=True, help="Why the last attempt failed (a template that does not render...).")
    next_try = fields.Datetime(readonly=True, help="After a failure: not tried again before then.")

    @api.model
    def _cron_send(self, limit=500):
        """Post the pending notifications, oldest first. Rows are taken with a lock that other workers
        skip (two cron runs, or a manual run beside the cron, never post one twice); a notification that
        fails to render is set aside (retried, then marked failed with the error) without undoing the
        others or blocking the ones behind it."""
        self.flush_model(["state"])
        self.env.cr.execute(SQL(
            "SELECT id FROM %s WHERE state = 'pending' AND (next_try IS NULL OR next_try <= %s) "
            "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
            SQL.identifier(self._table), fields.Datetime.now(), limit,
        ))
        pending = self.browse([row[0] for row in self.env.cr.fetchall()])
        for notification in pending:
            order = notification.order_id.with_company(notification.company_id)
            try:
                with self.env.cr.savepoint():
                    message = order._post_customer_notification(
                        notification.template_id, notification.picking_id or order
                    )
            except Exception as error:  # noqa: BLE001 - any rendering error sets this one aside
                attempts = notification.attempts + 1
                _logger.warning("Customer notification %s (order %s) failed (attempt %s): %s",
                                notification.id, order.name, attempts, error)
                notification.write({
                    "attempts": attempts,
                    "error": str(error),
                    "state": "failed" if attempts >= MAX_ATTEMPTS else "pending",
                    # Backing off: 5, then 10 minutes (the cron runs every 5).
                    "next_try": fields.Datetime.now() + timedelta(minutes=5 * attempts),
                })
                continue
            notification.write({"state": "sent", "message_id": message.id, "error": False, "next_try": False})
        if len(pending) == limit:
            self.env.ref("distribution_order_flow.ir_cron_send_customer_notifications")._trigger()

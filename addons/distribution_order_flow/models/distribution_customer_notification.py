from odoo import api, fields, models


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
        [("pending", "Pending"), ("sent", "Sent")], default="pending", required=True, index=True, readonly=True
    )
    message_id = fields.Many2one("mail.message", readonly=True)

    @api.model
    def _cron_send(self, limit=500):
        """Post the pending notifications, oldest first."""
        pending = self.search([("state", "=", "pending")], limit=limit)
        for notification in pending:
            order = notification.order_id.with_company(notification.company_id)
            message = order._post_customer_notification(notification.template_id, notification.picking_id or order)
            notification.write({"state": "sent", "message_id": message.id})
        if len(pending) == limit:
            self.env.ref("distribution_order_flow.ir_cron_send_customer_notifications")._trigger()

"""Customer notifications of sale orders: confirmation, shipments and delays, queued and posted on the
order's chatter by a cron."""

from odoo import api, fields, models


class SaleOrder(models.Model):
    # One file per feature of the order, so that each behaviour is found by its name.
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    distribution_notified_promise_date = fields.Datetime(
        string="Promise Date Told",
        copy=False,
        readonly=True,
        help="The delivery date the customer was last told (confirmation or delay notification).",
    )
    distribution_overdue_notified = fields.Boolean(copy=False, readonly=True)
    # ------------------------------------------------------------------------------------------------
    # Customer notifications
    # ------------------------------------------------------------------------------------------------
    def _get_notification_promise_date(self):
        """The delivery date promised to the customer: the commitment date when one was accepted, else
        Odoo's expected date; later when a line still to deliver was re-planned after a receipt arrived short
        or late (``sale.order.line.distribution_replanned_date``): then the latest such date, whatever the
        ship policy (when the order will be complete). Extension point for the allocation's promise dates."""
        self.ensure_one()
        promise = self.commitment_date or self.expected_date
        replanned = [
            line.distribution_replanned_date
            for line in self.order_line
            if line.distribution_replanned_date and line._is_waiting_for_replanned_date()
        ]
        if replanned:
            promise = max([promise, *replanned]) if promise else max(replanned)
        return promise

    def _notify_customer(self, template_xmlid, record=None):
        """Queue a customer notification (rendered from an editable template, posted on the order's
        chatter by a cron within minutes). Nothing for customers who opted out."""
        # The template's id from the cached xmlid lookup: no query per confirmation or delivery.
        template_id = self.env["ir.model.data"]._xmlid_to_res_id(template_xmlid, raise_if_not_found=False)
        if not template_id:
            return self.env["distribution.customer.notification"]
        template = self.env["mail.template"].browse(template_id)
        return self.env["distribution.customer.notification"].sudo().create(
            [
                {"order_id": order.id, "template_id": template.id, "picking_id": record.id if record else False}
                for order in self
                if not order.partner_id.commercial_partner_id.distribution_notify_opt_out
            ]
        )

    def _post_customer_notification(self, template, record):
        """Render ``template`` on ``record`` (the order or one of its transfers) in the customer's
        language and post it on the order's chatter, addressed (and mailed) to the customer."""
        self.ensure_one()
        lang = template._render_lang(record.ids)[record.id]
        localized = template.with_context(lang=lang)
        return self.message_post(
            subject=localized._render_field("subject", record.ids)[record.id],
            body=localized._render_field("body_html", record.ids)[record.id],
            partner_ids=self.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_light",
        )

    def _action_confirm(self):
        res = super()._action_confirm()
        self._check_credit_on_confirm()
        self._notify_customer("distribution_order_flow.mail_template_order_confirmed")
        for order in self:
            order.distribution_notified_promise_date = order._get_notification_promise_date()
        return res

    def _notify_shipment(self, picking):
        """After a delivery left: 'shipped' when nothing remains to deliver, else 'partially shipped'
        with what follows and when."""
        self.ensure_one()
        remaining = self.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel") and p._is_customer_delivery()
        )
        template = "mail_template_delivery_partial" if remaining else "mail_template_delivery_shipped"
        self._notify_customer(f"distribution_order_flow.{template}", record=picking)

    @api.model
    def _cron_notify_delays(self, batch_size=1000):
        """Daily: tell customers once when the promise date of their open order moved later than
        what they were told, and once when it passed without shipment. Open orders are read in batches
        (their lines prefetched together); the notices of a batch are queued in one insert."""
        now = fields.Datetime.now()
        orders = self.search(
            [
                ("state", "=", "sale"),
                ("flow_state", "in", ("confirmed", "partially_reserved", "reserved", "partially_shipped")),
                "|", ("distribution_notified_promise_date", "!=", False), ("distribution_overdue_notified", "=", False),
            ],
            order="id",
        )
        for start in range(0, len(orders), batch_size):
            batch = orders[start:start + batch_size]
            promises = {order: order._get_notification_promise_date() for order in batch}
            delayed = batch._notify_delayed_promises(promises)
            overdue = self.browse([
                order.id for order in batch - delayed
                if promises[order] and promises[order] < now and not order.distribution_overdue_notified
            ])
            if overdue:
                overdue._notify_customer("distribution_order_flow.mail_template_order_delayed")
                overdue.write({"distribution_overdue_notified": True})

    def _notify_delayed_promises(self, promises):
        """Queue the delay notice of each order of ``promises`` ({order: its promise date now}) whose promise
        is later than what its customer was told, and record the date told: once per new date, whoever finds
        it (the daily cron, a re-plan after a receipt). Returns the orders notified. Grouped: one insert for
        the notices and one update for the dates told, whatever the number of orders."""
        delayed = self.browse([
            order.id for order, promise in promises.items()
            if promise and (told := order.distribution_notified_promise_date) and promise > told
        ])
        if not delayed:
            return delayed
        delayed._notify_customer("distribution_order_flow.mail_template_order_delayed")
        for order in delayed:
            # Per record, flushed as one UPDATE (the ORM groups the rows of one column set).
            order.write({"distribution_notified_promise_date": promises[order], "distribution_overdue_notified": False})
        return delayed

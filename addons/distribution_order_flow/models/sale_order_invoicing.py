"""Invoicing on delivery: validating a delivery invoices what it delivered (a background job after the
validation commits), unless the order is on hold or its new prices wait for approval."""

import logging

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class SaleOrder(models.Model):
    # One file per feature of the order, so that each behaviour is found by its name.
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    invoice_on_delivery = fields.Boolean(
        compute="_compute_invoice_on_delivery",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Validating a delivery of this order creates and posts the invoice of what it delivered "
        "(a credit note for a return). Defaults from the customer's class.",
    )
    auto_invoice_ids = fields.Many2many(
        "account.move",
        compute="_compute_auto_invoice_ids",
        string="Invoices on Delivery",
    )
    @api.depends("partner_id", "company_id")
    def _compute_invoice_on_delivery(self):
        for order in self:
            customer = order.partner_id.commercial_partner_id.with_company(order.company_id)
            order.invoice_on_delivery = customer.distribution_class_id.invoice_on_delivery

    def _compute_auto_invoice_ids(self):
        for order in self:
            order.auto_invoice_ids = order.invoice_ids.filtered("distribution_auto_invoiced")

    def _create_invoices(self, grouped=False, final=False, date=None):
        pending = self.filtered("distribution_reprice_pending")
        if pending:
            raise UserError(
                _(
                    "Order %(orders)s cannot be invoiced: its prices were changed after confirmation and wait for "
                    "a sales manager's approval.",
                    orders=", ".join(pending.mapped("name")),
                )
            )
        return super()._create_invoices(grouped=grouped, final=final, date=date)

    # ------------------------------------------------------------------------------------------------
    # Invoicing on delivery
    # ------------------------------------------------------------------------------------------------
    def _enqueue_invoice_delivery(self, picking):
        """Queue the invoicing of what ``picking`` (a validated delivery or return of this order) moved: a
        job on the channel root.distribution.invoicing, out of the warehouse user's request. One job per
        order and transfer: queuing it again while it waits adds nothing (identity key).

        The job runs as the system in the name of whoever validated (the warehouse user may have no
        accounting or sales rights, as in the request before), in the order's company."""
        self.ensure_one()
        order = self.sudo().with_company(self.company_id)
        return order.with_delay(
            description=_("Invoice %(picking)s of %(order)s on delivery", picking=picking.name, order=self.name),
            identity_key=self._get_invoice_delivery_job_key(picking),
        )._job_invoice_delivery(picking.with_env(order.env))

    def _get_invoice_delivery_job_key(self, picking):
        """Identity key of the invoicing job of this order and transfer."""
        self.ensure_one()
        return f"distribution_invoice_delivery:{self.id}:{picking.id}"

    def _job_invoice_delivery(self, picking):
        """Job: invoice (or credit) what ``picking`` moved, as the validation did in the request before.
        Checked again when it runs, since the order may have changed while the job waited:

        - the transfer already has its invoice on delivery, or nothing is left to invoice (a second job,
          another transfer's job that invoiced it all, a billing clerk faster than the queue): nothing;
        - the order is held (credit hold, new prices to approve, a blocking exception): noted on the order,
          invoiced when the hold is released (``_invoice_after_hold``).

        Two jobs of one order never invoice from the same snapshot: ``_lock_for_invoicing``."""
        self.ensure_one()
        picking = picking.with_env(self.env)
        self._lock_for_invoicing()
        if picking.state != "done" or picking.distribution_invoice_ids.filtered(lambda move: move.state != "cancel"):
            return self.env["account.move"]
        if not self.invoice_on_delivery or self.state != "sale":
            return self.env["account.move"]
        if self._is_flow_on_hold():
            self._note_invoice_held(picking)
            return self.env["account.move"]
        return self._invoice_picking(picking)

    def _lock_for_invoicing(self):
        """Serialize the invoicing jobs of one order (two of its transfers validated in a row, two runner
        workers): the order's row is updated, not only locked, so that PostgreSQL refuses ("could not
        serialize access") a job whose snapshot predates another's commit; queue_job retries it on a fresh
        snapshot, where the other's invoice is there and nothing is left to invoice."""
        self.env.cr.execute(
            "UPDATE sale_order SET write_date = write_date WHERE id IN %s", [tuple(self.ids)], log_exceptions=False
        )

    def _note_invoice_held(self, picking):
        self.ensure_one()
        self.message_post(
            body=_(
                "%(picking)s was not invoiced on delivery: the order is on hold (%(reason)s). It is invoiced "
                "when the hold is released.",
                picking=picking.name,
                reason=self._get_flow_hold_reason(),
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _invoice_picking(self, picking):
        """Invoice (or credit) what is invoiceable now: with invoicing on delivery after every
        validation, that is what this transfer moved, freight added by the carrier included."""
        self.ensure_one()
        order = self.with_company(self.company_id)
        if not order._get_invoiceable_lines(final=True):
            return self.env["account.move"]
        try:
            with self.env.cr.savepoint():
                moves = order._create_invoices(final=True)
                moves.write({"distribution_auto_invoiced": True, "distribution_picking_id": picking.id})
                moves.action_post()
        except UserError as error:
            _logger.info("Invoice on delivery of %s failed: %s", picking.name, error)
            self.message_post(
                body=Markup("%s<br/>%s") % (
                    _("%(picking)s could not be invoiced on delivery; invoice it by hand.", picking=picking.name),
                    str(error),
                ),
                subtype_xmlid="mail.mt_note",
            )
            return self.env["account.move"]
        return moves

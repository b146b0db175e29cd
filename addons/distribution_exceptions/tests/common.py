from odoo import Command
from odoo.tests import Form, new_test_user

from odoo.addons.distribution_order_flow.tests.common_order import OrderFlowCase
from odoo.addons.queue_job.tests.common import trap_jobs


class ExceptionCase(OrderFlowCase):
    """The order-flow world plus the people who work exceptions: a warehouse user, a buyer, a billing
    user, an exception user and an exception manager, and a vendor with a purchasable product."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Exception = cls.env["distribution.exception"]
        cls.Type = cls.env["distribution.exception.type"]
        company = {"company_id": cls.company_a.id, "company_ids": [cls.company_a.id]}
        cls.picker = new_test_user(cls.env, login="exc_picker", groups="stock.group_stock_user", **company)
        cls.buyer = new_test_user(cls.env, login="exc_buyer", groups="purchase.group_purchase_user", **company)
        cls.billing = new_test_user(cls.env, login="exc_billing", groups="account.group_account_invoice", **company)
        cls.exception_user = new_test_user(
            cls.env, login="exc_queue_user", groups="distribution_exceptions.group_exception_user", **company
        )
        cls.exception_manager = new_test_user(
            cls.env,
            login="exc_queue_manager",
            groups="distribution_exceptions.group_exception_manager,sales_team.group_sale_salesman",
            email="manager@example.com",
            **company,
        )
        cls.vendor = cls.env["res.partner"].create({"name": "Cablemakers Ltd", "is_company": True})
        cls.cable.write(
            {
                "seller_ids": [Command.create({"partner_id": cls.vendor.id, "price": 60.0, "delay": 5})],
                "purchase_method": "receive",
            }
        )

    # --- helpers ---------------------------------------------------------------------------------------
    def _open(self, code, record=None):
        domain = [("code", "=", code), ("state", "in", ("new", "in_progress", "waiting"))]
        if record is not None:
            domain += [("res_model", "=", record._name), ("res_id", "in", record.ids)]
        return self.Exception.sudo().search(domain)

    def _all(self, code, record):
        return self.Exception.sudo().search(
            [("code", "=", code), ("res_model", "=", record._name), ("res_id", "in", record.ids)]
        )

    def _confirmed(self, lines=None, **vals):
        order = self._order(lines or [(self.cable, 10, None, 0.0), (self.breaker, 4, None, 0.0)], **vals)
        order.action_confirm()
        return order

    def _validate(self, picking, quantities=None, backorder=True, user=None):
        """Validate a transfer as a warehouse user (web or barcode app): picked quantities, validate,
        answer the backorder wizard; then run the jobs the validation queued (invoicing on delivery), as
        the job runner does once the validation is committed."""
        picking = picking.with_user(user or self.picker)
        for move in picking.move_ids:
            move.quantity = (quantities or {}).get(move.product_id, move.product_uom_qty)
            move.picked = True
        with trap_jobs() as trap:
            result = picking.button_validate()
            if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
                wizard = Form(
                    # pylint: disable-next=context-overridden  # the action's own context, as the web client uses it
                    self.env["stock.backorder.confirmation"].with_user(user or self.picker).with_context(
                        result["context"]
                    )
                ).save()
                wizard.process() if backorder else wizard.process_cancel_backorder()
            picking.env.flush_all()
            trap.perform_enqueued_jobs()
        picking.env.flush_all()
        return picking.with_env(self.env)

    def _return(self, picking, quantities):
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_id=picking.id, active_ids=picking.ids, active_model="stock.picking"
            )
        ).save()
        for line in wizard.product_return_moves:
            line.quantity = quantities.get(line.product_id, 0.0)
        return self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])

    def _purchase(self, qty=10, price=60.0, date_planned=None):
        purchase = Form(self.env["purchase.order"].with_user(self.buyer))
        purchase.partner_id = self.vendor
        with purchase.order_line.new() as line:
            line.product_id = self.cable
            line.product_qty = qty
            line.price_unit = price
            if date_planned:
                line.date_planned = date_planned
        purchase = purchase.save()
        purchase.button_confirm()
        return purchase.with_env(self.env)

    def _bill(self, purchase, quantities=None, prices=None):
        action = purchase.with_user(self.billing).action_create_invoice()
        bill = self.env["account.move"].browse(action["res_id"])
        with Form(bill.with_user(self.billing)) as form:
            form.invoice_date = form.invoice_date or "2026-01-15"
            for index, line in enumerate(bill.invoice_line_ids):
                with form.invoice_line_ids.edit(index) as line_form:
                    if quantities and line.product_id in quantities:
                        line_form.quantity = quantities[line.product_id]
                    if prices and line.product_id in prices:
                        line_form.price_unit = prices[line.product_id]
        bill.with_user(self.billing).action_post()
        return bill

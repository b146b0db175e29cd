from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs

from .common_order import OrderFlowCase


@tagged("post_install", "-at_install")
class TestInvoiceOnDelivery(OrderFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contractors = cls.env["distribution.customer.class"].create(
            {"name": "Contractors (test)", "code": "TCONTR", "invoice_on_delivery": True}
        )
        cls.customer.distribution_class_id = cls.contractors
        cls.picker = new_test_user(cls.env, login="dist_picker_inv", groups="stock.group_stock_user")
        cls._stock_all = True

    def setUp(self):
        super().setUp()
        self._stock(self.cable, 100)
        self._stock(self.breaker, 100)

    def _confirmed(self, lines=None, **vals):
        order = self._order(lines or [(self.cable, 10, None, 0.0), (self.breaker, 4, None, 0.0)], **vals)
        order.action_confirm()
        return order

    def _validate_as_picker(self, order, quantities=None, backorder=True, perform=True):
        """Validate the order's next transfer as the picker, then run the invoicing job it queued, as the
        job runner would once the validation is committed. ``perform=False``: the job is left queued (in
        the database, or in the caller's ``trap_jobs()``)."""
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))[:1].with_user(self.picker)
        for move in picking.move_ids:
            move.quantity = (quantities or {}).get(move.product_id, move.product_uom_qty)
            move.picked = True
        if not perform:
            return self._button_validate(picking, backorder)
        with trap_jobs() as trap:
            self._button_validate(picking, backorder)
            trap.perform_enqueued_jobs()
        picking.env.flush_all()
        return picking

    def _button_validate(self, picking, backorder):
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            wizard = Form(
                # pylint: disable-next=context-overridden  # the action's own context, as the web client uses it
                self.env["stock.backorder.confirmation"].with_user(self.picker).with_context(result["context"])
            ).save()
            wizard.process() if backorder else wizard.process_cancel_backorder()
        picking.env.flush_all()
        return picking

    def test_order_takes_the_class_setting(self):
        self.assertTrue(self._order([(self.cable, 1, None, 0.0)]).invoice_on_delivery)
        dealers = self.env["distribution.customer.class"].create({"name": "Dealers (test)", "code": "TDEAL"})
        self.customer.distribution_class_id = dealers
        self.assertFalse(self._order([(self.cable, 1, None, 0.0)]).invoice_on_delivery)

    def test_full_delivery_is_invoiced_and_posted(self):
        order = self._confirmed()
        picking = self._validate_as_picker(order)
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertRecordValues(
            invoice, [{"state": "posted", "move_type": "out_invoice", "distribution_auto_invoiced": True,
                       "distribution_picking_id": picking.id}]
        )
        self.assertEqual(invoice.invoice_line_ids.mapped("quantity"), [10.0, 4.0])
        self.assertEqual(order.flow_state, "invoiced")

    def _invoicing_jobs(self, order):
        return self.env["queue.job"].search(
            [("model_name", "=", "sale.order"), ("method_name", "=", "_job_invoice_delivery"),
             ("func_string", "like", f"sale.order({order.id},)")]
        )

    def _perform(self, jobs):
        """Run stored jobs as the job runner would (their user, their context), then mark them done."""
        for job_record in jobs:
            job = Job.load(self.env, job_record.uuid)
            job.perform()
            job.set_done()
            job.store()
        self.env.flush_all()

    def test_validation_queues_the_invoice_instead_of_invoicing(self):
        """The warehouse user's validation creates no invoice: it queues one job for the order and the
        transfer, which invoices as the system in the validating user's name."""
        order = self._confirmed()
        with trap_jobs() as trap:
            picking = self._validate_as_picker(order, perform=False)
            self.assertEqual(picking.state, "done")
            self.assertFalse(order.invoice_ids, "nothing invoiced in the warehouse's request")
            trap.assert_jobs_count(1, only=order._job_invoice_delivery)
            trap.assert_enqueued_job(
                order._job_invoice_delivery,
                args=(picking,),
                properties={"identity_key": f"distribution_invoice_delivery:{order.id}:{picking.id}"},
            )

    def test_invoice_job_is_queued_once_and_invoices_once(self):
        order = self._confirmed()
        picking = self._validate_as_picker(order, perform=False)
        jobs = self._invoicing_jobs(order)
        self.assertRecordValues(
            jobs, [{"state": "pending", "channel": "root.distribution.invoicing", "user_id": self.picker.id,
                    "company_id": self.company_a.id}]
        )
        # Queued again while it waits (a release, a second click): the same job.
        order._enqueue_invoice_delivery(picking)
        self.assertEqual(self._invoicing_jobs(order), jobs)
        self._perform(jobs)
        self.assertRecordValues(
            order.invoice_ids,
            [{"state": "posted", "distribution_auto_invoiced": True, "distribution_picking_id": picking.id}],
        )
        self.assertEqual(order.invoice_ids.create_uid, self.picker, "in the name of whoever validated")
        # Once done, a new job for the same transfer may be queued: it finds the transfer invoiced.
        order._enqueue_invoice_delivery(picking)
        second = self._invoicing_jobs(order) - jobs
        self.assertEqual(len(second), 1)
        self._perform(second)
        order.sudo()._job_invoice_delivery(picking)
        self.assertEqual(len(order.invoice_ids), 1, "a delivery is invoiced once, whatever the number of jobs")

    def test_jobs_of_two_deliveries_in_any_order_invoice_each_unit_once(self):
        order = self._confirmed()
        first = self._validate_as_picker(order, {self.cable: 6, self.breaker: 4}, perform=False)
        second = self._validate_as_picker(order, perform=False)
        # The second delivery's job runs first: it invoices everything delivered; the first's finds
        # nothing left.
        order.sudo()._job_invoice_delivery(second)
        order.sudo()._job_invoice_delivery(first)
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertEqual(order.invoice_ids.distribution_picking_id, second)
        self.assertEqual(sorted(order.invoice_ids.invoice_line_ids.mapped("quantity")), [4.0, 10.0])
        self.assertEqual(order.invoice_status, "invoiced")

    def test_hold_put_while_the_job_waits_is_respected(self):
        """Held between the validation and the job: the job invoices nothing and says so; the release
        queues the invoicing again."""
        order = self._confirmed()
        with trap_jobs() as trap:
            picking = self._validate_as_picker(order, perform=False)
            order.sudo().credit_hold = True
            trap.perform_enqueued_jobs()
        self.assertEqual(picking.state, "done")
        self.assertFalse(order.invoice_ids)
        self.assertIn("was not invoiced on delivery: the order is on hold (credit hold)",
                      " ".join(order.message_ids.mapped("body")))
        with trap_jobs() as trap:
            order.with_user(self.credit_controller).action_release_credit_hold(reason="Paid")
            trap.assert_enqueued_job(order._job_invoice_delivery, args=(picking,))
            trap.perform_enqueued_jobs()
        self.assertRecordValues(order.invoice_ids, [{"state": "posted", "distribution_picking_id": picking.id}])

    def test_short_delivery_with_backorder_invoices_each_delivery(self):
        order = self._confirmed()
        self._validate_as_picker(order, {self.cable: 6, self.breaker: 4})
        first = order.invoice_ids
        self.assertEqual(sorted(first.invoice_line_ids.mapped("quantity")), [4.0, 6.0])
        self.assertEqual(order.flow_state, "partially_shipped")
        self._validate_as_picker(order)
        second = order.invoice_ids - first
        self.assertEqual(second.invoice_line_ids.mapped("quantity"), [4.0])
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual(order.flow_state, "invoiced")

    def test_goods_on_ordered_quantities_are_invoiced_as_delivered(self):
        """Odoo gives goods the 'ordered quantities' policy by default: on an order invoiced on delivery
        a short delivery still bills only what left, the backorder the rest; a service keeps its policy."""
        lamp = self.env["product.product"].create(
            {"name": "Lamp (ordered-qty policy)", "is_storable": True, "list_price": 10.0, "standard_price": 4.0}
        )
        self.assertEqual(lamp.invoice_policy, "order")
        self._stock(lamp, 100)
        order = self._confirmed([(lamp, 10, None, 0.0), (self.service, 2, None, 0.0)])
        self._validate_as_picker(order, {lamp: 6})
        first = order.invoice_ids
        self.assertEqual(
            sorted((line.product_id.name, line.quantity) for line in first.invoice_line_ids),
            [(lamp.name, 6.0), (self.service.name, 2.0)],
        )
        self.assertEqual(order.order_line.filtered(lambda line: line.product_id == lamp).qty_to_invoice, 0.0)
        self._validate_as_picker(order)
        second = order.invoice_ids - first
        self.assertEqual(second.invoice_line_ids.mapped("quantity"), [4.0])
        self.assertEqual(order.invoice_status, "invoiced")

    def test_short_delivery_without_backorder(self):
        order = self._confirmed()
        self._validate_as_picker(order, {self.cable: 7, self.breaker: 4}, backorder=False)
        self.assertEqual(sorted(order.invoice_ids.invoice_line_ids.mapped("quantity")), [4.0, 7.0])

    def test_return_is_credited(self):
        order = self._confirmed()
        picking = self._validate_as_picker(order)
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_id=picking.id, active_ids=picking.ids, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.filtered(lambda line: line.product_id == self.cable).quantity = 3
        wizard.product_return_moves.filtered(lambda line: line.product_id != self.cable).quantity = 0
        return_picking = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        return_picking.move_ids.quantity = 3
        return_picking.move_ids.picked = True
        with trap_jobs() as trap:
            return_picking.with_user(self.picker).button_validate()
            trap.perform_enqueued_jobs()
        refund = order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")
        self.assertRecordValues(refund, [{"state": "posted", "distribution_auto_invoiced": True}])
        self.assertEqual(refund.invoice_line_ids.quantity, 3.0)

    def test_pick_ship_invoices_on_the_shipment(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self._confirmed(warehouse_id=self.warehouse.id)
        self._validate_as_picker(order)  # pick
        self.assertFalse(order.invoice_ids, "goods at the dock are not delivered")
        self._validate_as_picker(order)  # ship
        self.assertEqual(len(order.invoice_ids), 1)

    def test_held_order_ships_nothing_and_invoices_nothing(self):
        order = self._confirmed()
        order.sudo().credit_hold = True  # put by the system (goods issue or confirmation re-check)
        picking = self._validate_as_picker(order)
        self.assertEqual(picking.state, "assigned", "a held order's goods do not leave")
        self.assertFalse(order.invoice_ids)
        order.with_user(self.credit_controller).action_release_credit_hold(reason="Payment received")
        self._validate_as_picker(order)
        self.assertEqual(len(order.invoice_ids), 1, "released: the delivery leaves and is invoiced")
        self.assertRecordValues(order.invoice_ids, [{"state": "posted", "distribution_auto_invoiced": True}])

    def test_delivered_while_repricing_waits_is_invoiced_once_approved(self):
        order = self._confirmed()
        line = order.order_line.filtered(lambda so_line: so_line.product_id == self.cable)
        line.with_user(self.sales_manager).write({"price_unit": line.price_unit * 0.8})
        self.assertTrue(order.distribution_reprice_pending)
        self._validate_as_picker(order)
        self.assertFalse(order.invoice_ids, "nothing is invoiced at a price nobody approved")
        self.assertIn("was not invoiced on delivery: the order is on hold (new prices to approve)",
                      " ".join(order.message_ids.mapped("body")))
        with trap_jobs() as trap:
            order.with_user(self.sales_manager_2).action_approve_repricing()
            trap.assert_jobs_count(1, only=order._job_invoice_delivery)
            trap.perform_enqueued_jobs()
        self.assertEqual(len(order.invoice_ids), 1, "approved: what was delivered is invoiced at once")
        self.assertEqual(
            order.invoice_ids.invoice_line_ids.filtered(lambda aml: aml.product_id == self.cable).price_unit,
            line.price_unit,
        )

    def test_manual_invoice_after_automatic_is_no_duplicate(self):
        order = self._confirmed()
        self._validate_as_picker(order)
        with self.assertRaises(UserError):
            order._create_invoices()
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({})
        )
        with self.assertRaises(UserError):
            wizard.create_invoices()
        self.assertEqual(len(order.invoice_ids), 1)

    def test_customer_without_invoice_on_delivery(self):
        order = self._confirmed()
        order.invoice_on_delivery = False  # the rep turned it off for this order
        self._validate_as_picker(order)
        self.assertFalse(order.invoice_ids)
        self.assertEqual(order.invoice_status, "to invoice")

    def test_multi_currency_invoice(self):
        foreign = self.env["res.currency"].with_context(active_test=False).search(
            [("id", "!=", self.company_a.currency_id.id), ("name", "in", ("EUR", "GBP", "CHF"))], limit=1
        )
        foreign.active = True
        if not foreign.rate_ids:
            self.env["res.currency.rate"].create(
                {"currency_id": foreign.id, "company_id": self.company_a.id, "rate": 2.0}
            )
        pricelist = self.env["product.pricelist"].create({"name": "Export (test)", "currency_id": foreign.id})
        order = self._confirmed(pricelist_id=pricelist.id)
        self._validate_as_picker(order)
        self.assertEqual(order.invoice_ids.currency_id, foreign)
        self.assertEqual(order.invoice_ids.amount_total, order.amount_total)

    def test_freight_line_is_invoiced_with_the_goods(self):
        freight = self.env["product.product"].create({"name": "Freight (test)", "type": "service", "list_price": 25.0})
        carrier = self.env["delivery.carrier"].create(
            {"name": "Regional truck", "product_id": freight.id, "delivery_type": "fixed", "fixed_price": 25.0}
        )
        order = self._order([(self.cable, 2, None, 0.0)])
        order.set_delivery_line(carrier, 25.0)
        order.action_confirm()
        self._validate_as_picker(order)
        self.assertIn(freight, order.invoice_ids.invoice_line_ids.product_id)

    def test_accounting_problem_does_not_block_the_warehouse(self):
        order = self._confirmed()
        self.cable.property_account_income_id = False
        self.cable.categ_id.property_account_income_categ_id = False
        journal = self.env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", self.company_a.id)])
        journal.active = False  # no sales journal: invoicing fails
        picking = self._validate_as_picker(order)
        self.assertEqual(picking.state, "done")
        self.assertFalse(order.invoice_ids)
        self.assertIn("could not be invoiced on delivery", " ".join(order.message_ids.mapped("body")))


@tagged("post_install", "-at_install")
class TestInvoiceOnDeliveryMultiCompany(OrderFlowCase):
    def test_invoice_in_the_order_company(self):
        company_b = self.company_b
        self.env["account.chart.template"].try_loading("generic_coa", company_b, install_demo=False)
        env_b = self.env(context=dict(self.env.context, allowed_company_ids=[company_b.id]))
        warehouse_b = env_b["stock.warehouse"].search([("company_id", "=", company_b.id)], limit=1)
        class_b = env_b["distribution.customer.class"].create(
            {"name": "Contractors B", "code": "TCB", "invoice_on_delivery": True, "company_id": company_b.id}
        )
        customer = env_b["res.partner"].create({"name": "Contractor in B", "is_company": True})
        customer.with_company(company_b).distribution_class_id = class_b
        self.assertFalse(customer.with_company(self.company_a).distribution_class_id, "the class is set for B only")
        product = env_b["product.product"].create(
            {
                "name": "Breaker B",
                "is_storable": True,
                "list_price": 30.0,
                "standard_price": 10.0,
                "invoice_policy": "delivery",
            }
        )
        env_b["stock.quant"]._update_available_quantity(product, warehouse_b.lot_stock_id, 10)
        order = env_b["sale.order"].create(
            {
                "partner_id": customer.id,
                "company_id": company_b.id,
                "warehouse_id": warehouse_b.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 2})],
            }
        )
        self.assertTrue(order.invoice_on_delivery)
        order.action_confirm()
        picking = order.picking_ids
        picking.move_ids.quantity = 2
        picking.move_ids.picked = True
        with trap_jobs() as trap:
            picking.button_validate()
            trap.perform_enqueued_jobs()
        self.assertRecordValues(order.invoice_ids, [{"company_id": company_b.id, "state": "posted"}])
        # The same customer ordering from company A is not invoiced on delivery there.
        self._stock(self.cable, 5)
        order_a = self._order([(self.cable, 1, None, 0.0)], partner_id=customer.id)
        self.assertFalse(order_a.invoice_on_delivery)

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.queue_job.job import Job

from .common_order import OrderFlowCase


@tagged("post_install", "-at_install")
class TestBackgroundReservation(OrderFlowCase):
    """Company setting Reserve Customer Orders: In the background. The salesperson's confirmation reserves
    nothing (it touches no quant, so confirmations of contended products never wait for each other); one
    job per delivery, on root.distribution.reservation, reserves it when it runs, highest allocation score
    first; the backorders a validation creates are queued the same way. The default stays Odoo's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.picker = new_test_user(
            cls.env, login="dist_picker_bg", groups="stock.group_stock_user",
            company_id=cls.company_a.id, company_ids=[cls.company_a.id],
        )
        cls.key_accounts = cls.env["distribution.customer.class"].create(
            {"name": "Key accounts (bg test)", "code": "TBGKEY", "priority": 100}
        )
        cls.dealers = cls.env["distribution.customer.class"].create(
            {"name": "Dealers (bg test)", "code": "TBGDEAL", "priority": 10}
        )
        cls.customer_2 = cls.env["res.partner"].create(
            {"name": "Volt Dealers", "is_company": True, "credit_limit": 10000.0,
             "property_payment_term_id": cls.term_immediate.id}
        )

    def setUp(self):
        super().setUp()
        self.company_a.distribution_reservation_mode = "background"
        self._stock(self.cable, 10)

    def _jobs(self, pickings=None):
        domain = [("model_name", "=", "stock.picking"), ("method_name", "=", "_job_reserve_in_background")]
        jobs = self.env["queue.job"].search(domain)
        if pickings is not None:
            jobs = jobs.filtered(lambda job: set(job.records.ids) & set(pickings.ids))
        return jobs

    def _perform(self, jobs):
        """Run stored jobs as the runner would (their user, their context), then mark them done."""
        for job_record in jobs.sorted(lambda job: (job.priority, job.id)):
            job = Job.load(self.env, job_record.uuid)
            job.perform()
            job.set_done()
            job.store()
        self.env.flush_all()

    def _reserved(self):
        quants = self.env["stock.quant"].search([("product_id", "=", self.cable.id),
                                                 ("location_id", "=", self.stock_location.id)])
        return sum(quants.mapped("reserved_quantity"))

    def _confirmed(self, qty, partner=None):
        order = self._order([(self.cable, qty, None, 0.0)], partner=partner)
        order.action_confirm()
        return order

    def test_default_is_odoos_reservation_at_confirmation(self):
        self.assertEqual(self.env["res.company"].create({"name": "New Co (bg)"}).distribution_reservation_mode,
                         "confirmation")
        self.company_a.distribution_reservation_mode = "confirmation"
        order = self._confirmed(4)
        self.assertEqual(order.picking_ids.move_ids.quantity, 4.0)
        self.assertFalse(self._jobs(order.picking_ids))

    def test_confirmation_reserves_nothing_and_queues_one_job_per_delivery(self):
        order = self._confirmed(4)
        picking = order.picking_ids
        self.assertEqual(order.state, "sale")
        self.assertRecordValues(picking.move_ids, [{"state": "confirmed", "quantity": 0.0}])
        self.assertEqual(self._reserved(), 0.0)
        job = self._jobs(picking)
        self.assertRecordValues(job, [{"state": "pending", "channel": "root.distribution.reservation",
                                       "identity_key": f"distribution_reserve:{picking.id}",
                                       "user_id": self.salesperson.id, "company_id": self.company_a.id}])
        # Queued again while it waits (another line confirmed into the same delivery): the same job.
        picking.move_ids._enqueue_background_reservation()
        self.assertEqual(self._jobs(picking), job)
        self._perform(job)
        self.assertRecordValues(picking.move_ids, [{"state": "assigned", "quantity": 4.0}])
        self.assertEqual(picking.state, "assigned")

    def test_job_run_twice_reserves_once(self):
        order = self._confirmed(4)
        picking = order.picking_ids
        self._perform(self._jobs(picking))
        self.assertFalse(picking.sudo()._job_reserve_in_background(), "nothing left to reserve: nothing done")
        self.assertEqual(self._reserved(), 4.0)
        self.assertEqual(picking.move_ids.quantity, 4.0)

    def test_jobs_serve_the_highest_allocation_score_first(self):
        """Two orders wanting 8 each of 10 in stock: the key account confirmed second is reserved first
        (job priority from the allocation score), whatever the order of confirmation."""
        self.customer.distribution_class_id = self.dealers
        self.customer_2.distribution_class_id = self.key_accounts
        dealer_order = self._confirmed(8)
        key_order = self._confirmed(8, partner=self.customer_2)
        jobs = self._jobs(dealer_order.picking_ids | key_order.picking_ids)
        self.assertEqual(len(jobs), 2)
        key_job = jobs.filtered(lambda job: job.records.ids == key_order.picking_ids.ids)
        self.assertLess(key_job.priority, (jobs - key_job).priority)
        self._perform(jobs)
        self.assertEqual(key_order.picking_ids.move_ids.quantity, 8.0)
        self.assertEqual(dealer_order.picking_ids.move_ids.quantity, 2.0)

    def test_backorder_of_a_short_validation_is_reserved_by_the_job(self):
        """The picker validates 3 of 4 and creates the backorder: the backorder's move is not reserved in
        the picker's transaction; its job reserves it."""
        order = self._confirmed(4)
        self._perform(self._jobs(order.picking_ids))
        picking = order.picking_ids.with_user(self.picker)
        picking.move_ids.quantity = 3.0
        picking.move_ids.picked = True
        result = picking.button_validate()
        # pylint: disable-next=context-overridden  # the action's own context, as the web client uses it
        Form(self.env["stock.backorder.confirmation"].with_user(self.picker).with_context(result["context"])).save(
        ).process()
        backorder = order.picking_ids - picking
        self.assertRecordValues(backorder.move_ids, [{"state": "confirmed", "quantity": 0.0}])
        job = self._jobs(backorder)
        self.assertEqual(len(job), 1)
        self.assertEqual(job.user_id, self.picker)
        self._perform(job)
        self.assertRecordValues(backorder.move_ids, [{"state": "assigned", "quantity": 1.0}])

    def test_check_availability_still_reserves_at_once(self):
        """A user's Check Availability (or the scheduler) reserves at once, whatever the setting: the job
        then finds nothing to do."""
        order = self._confirmed(4)
        picking = order.picking_ids
        picking.with_user(self.picker).action_assign()
        self.assertEqual(picking.move_ids.quantity, 4.0)
        self._perform(self._jobs(picking))
        self.assertEqual(self._reserved(), 4.0)

    def test_held_order_is_not_reserved_by_its_job(self):
        """Credit hold with release of held reservations: the job reserves nothing for the held order."""
        self.company_a.distribution_credit_hold_unreserve = True
        order = self._confirmed(4)
        order.sudo().credit_hold = True  # as the system's hold would (credit re-check), not a user's write
        self._perform(self._jobs(order.picking_ids))
        self.assertEqual(order.picking_ids.move_ids.quantity, 0.0)

    def test_other_company_keeps_reserving_at_confirmation(self):
        company_b_user = new_test_user(
            self.env, login="dist_bg_rep_b", groups="sales_team.group_sale_salesman",
            company_id=self.company_b.id, company_ids=[self.company_b.id],
        )
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", self.company_b.id)], limit=1)
        product_b = self.env["product.product"].create({"name": "B cable", "is_storable": True, "list_price": 5.0,
                                                        "company_id": self.company_b.id})
        self.env["stock.quant"]._update_available_quantity(product_b, warehouse_b.lot_stock_id, 5)
        customer_b = self.env["res.partner"].create({"name": "B customer", "company_id": self.company_b.id})
        order = self.env["sale.order"].with_user(company_b_user).with_company(self.company_b).create(
            {"partner_id": customer_b.id, "order_line": [(0, 0, {"product_id": product_b.id, "product_uom_qty": 2})]}
        )
        order.action_confirm()
        self.assertEqual(order.picking_ids.move_ids.quantity, 2.0)
        self.assertFalse(self._jobs(order.picking_ids))

    def test_setting_is_for_managers(self):
        """A salesperson cannot switch the company's reservation mode (through the settings or the company)."""
        with self.assertRaises(AccessError):
            self.company_a.with_user(self.salesperson).distribution_reservation_mode = "confirmation"
        self.assertEqual(self.company_a.distribution_reservation_mode, "background")

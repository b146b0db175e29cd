from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.distribution_kpi.models.sale_order import working_days_between
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import KpiCase


@tagged("post_install", "-at_install")
class TestDeliveryRisk(KpiCase):
    """Each reason an open order may miss its promise date, on and off, in a warehouse of its own
    (no demo transfer in its queue); day 0 is a Monday. The risk is checked by the at-risk cron, out of the
    users' transactions: the tests run it where it would have run (``_check_risk``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wh = cls.env["stock.warehouse"].create(
            {"name": "Risk test WH", "code": "RSK", "company_id": cls.company_a.id}
        )
        cls.wh.reception_steps = "one_step"
        cls.company_a.write(
            {
                "risk_weight_supply": 40,
                "risk_weight_vendor": 20,
                "risk_weight_backlog": 20,
                "risk_weight_blocked": 30,
                "risk_threshold": 20,
                "risk_vendor_on_time_min": 80.0,
                "risk_throughput_days": 28,
            }
        )
        cls.SaleOrder = cls.env["sale.order"]

    def _risk_order(self, qty=10, promise_day=5, product=None):
        order = self._order([(product or self.cable, qty, None, 0.0)], warehouse_id=self.wh.id,
                            commitment_date=self.at(promise_day))
        order.with_user(self.salesperson).action_confirm()
        self.env.flush_all()
        return order

    def _recompute(self):
        """The hourly pass: what the order's own changes don't mark (supply, vendors, the queue)."""
        self._check_risk(hourly=True)

    def _purchase_to_wh(self, qty, date_planned, vendor=None):
        """A confirmed purchase of cables into the risk warehouse, arriving on ``date_planned``."""
        purchase = self.env["purchase.order"].create({
            "partner_id": (vendor or self.vendor).id,
            "picking_type_id": self.wh.in_type_id.id,
            "order_line": [Command.create({"product_id": self.cable.id, "product_qty": qty, "price_unit": 60.0,
                                           "date_planned": date_planned})],
        })
        purchase.button_confirm()
        return purchase

    def _vendor_history(self, vendor, days_late):
        """Three receipts of ``vendor``, each ``days_late`` days after its expected date."""
        for index in range(3):
            with self.step(-40 + 5 * index):
                purchase = self._purchase_to_wh(1, self.at(-38 + 5 * index), vendor=vendor)
            with self.step(-38 + 5 * index + days_late):
                self._validate(purchase.picking_ids)
        # the history's cable is shipped out again: the test starts with an empty warehouse
        self.env["stock.quant"]._update_available_quantity(self.cable, self.wh.lot_stock_id, -3)

    def _delivery(self, scheduled_day, qty=1.0, product=None):
        product = product or self.breaker
        picking = self.env["stock.picking"].create({
            "picking_type_id": self.wh.out_type_id.id,
            "partner_id": self.customer.id,
            "scheduled_date": self.at(scheduled_day),
            "move_ids": [Command.create({"product_id": product.id, "product_uom_qty": qty,
                                         "location_id": self.wh.lot_stock_id.id,
                                         "location_dest_id": self.customer_location.id})],
        })
        picking.action_confirm()
        return picking

    @property
    def customer_location(self):
        return self.env.ref("stock.stock_location_customers")

    # --- no stock, no supply -----------------------------------------------------------------------
    def test_supply_reason_on_without_stock_or_incoming(self):
        with self.step(0):
            order = self._risk_order()
            self._check_risk()
        self.assertRecordValues(
            order,
            [
                {
                    "at_risk": True,
                    "risk_score": 40,
                    "risk_codes": "supply",
                    "risk_promise_date": self.at(5),
                    "risk_first_flagged_at": self.at(0),
                    "risk_checked_at": self.at(0),
                    "risk_stale": False,
                }
            ],
        )
        self.assertIn(
            "Cable 3G2.5: 10.0 Units still missing in Risk test WH, and nothing arrives before the promised",
            order.risk_reasons,
        )

    def test_supply_reason_off_with_incoming_before_promise(self):
        with self.step(0):
            order = self._risk_order()
            self._check_risk()
            self.assertTrue(order.at_risk)
        with self.step(0, 9):
            self._purchase_to_wh(10, self.at(3))
            self._recompute()
        self.assertRecordValues(order, [{"at_risk": False, "risk_score": 0, "risk_codes": False}])
        self.assertEqual(order.risk_first_flagged_at, self.at(0), "the first flag is kept for the back-test")

    def test_supply_reason_stays_when_incoming_arrives_after_promise(self):
        with self.step(0):
            order = self._risk_order()
            self._purchase_to_wh(10, self.at(7))
            self._recompute()
        self.assertRecordValues(order, [{"at_risk": True, "risk_codes": "supply"}])
        with self.step(0, 9):
            self._purchase_to_wh(4, self.at(4))
            self._recompute()
        self.assertRecordValues(order, [{"at_risk": True, "risk_codes": "supply"}])  # 4 of 10 in time

    def test_supply_reason_off_when_stock_is_reserved(self):
        with self.step(0):
            order = self._risk_order()
            self._check_risk()
            self.assertTrue(order.at_risk)
            self._stock(self.cable, 10, self.wh.lot_stock_id)
            order.picking_ids.action_assign()
        self.env.flush_all()
        # The reservation marks the order; the cron's next run clears the flag.
        self.assertRecordValues(order, [{"at_risk": True, "risk_stale": True}])
        with self.step(0, 8, 5):
            self._check_risk()
        self.assertRecordValues(order, [{"at_risk": False, "risk_codes": False, "risk_stale": False,
                                         "risk_checked_at": self.at(0, 8, 5)}])

    # --- usually late vendor -----------------------------------------------------------------------
    def test_vendor_reason_on_for_a_usually_late_vendor(self):
        self._vendor_history(self.vendor, days_late=3)
        self.assertEqual(self.vendor.with_company(self.company_a).supplier_on_time_rate, 0.0)
        with self.step(0):
            order = self._risk_order(promise_day=10)
            self._purchase_to_wh(10, self.at(3))
            self._recompute()
        self.assertRecordValues(order, [{"at_risk": True, "risk_score": 20, "risk_codes": "vendor"}])
        self.assertIn(
            "comes from Cablemakers Ltd, whose deliveries arrive on time 0% of the time and 3.0 days late on average",
            order.risk_reasons,
        )

    def test_vendor_reason_off_for_a_reliable_vendor(self):
        self._vendor_history(self.vendor, days_late=0)
        with self.step(0):
            order = self._risk_order(promise_day=10)
            self._purchase_to_wh(10, self.at(3))
            self._recompute()
        self.assertRecordValues(order, [{"at_risk": False, "risk_codes": False}])

    def test_vendor_reason_when_its_usual_delay_passes_the_promise(self):
        """On time in 4 receipts out of 5 (80 %, not usually late) but its one delay was 10 days: the
        incoming due 2 days before the promise, plus the 2-day average delay, lands after it."""
        self._vendor_history(self.vendor, days_late=0)
        with self.step(-20):
            purchase = self._purchase_to_wh(1, self.at(-18))
        with self.step(-8):
            self._validate(purchase.picking_ids)
        with self.step(-7):
            purchase = self._purchase_to_wh(1, self.at(-5))
        with self.step(-5):
            self._validate(purchase.picking_ids)
        self.env["stock.quant"]._update_available_quantity(self.cable, self.wh.lot_stock_id, -2)
        vendor = self.vendor.with_company(self.company_a)
        self.assertEqual((vendor.supplier_on_time_rate, vendor.supplier_avg_delay_days), (80.0, 2.0))
        with self.step(0):
            order = self._risk_order(promise_day=5)
            self._purchase_to_wh(10, self.at(3, 12))
            self._recompute()
        self.assertRecordValues(order, [{"at_risk": True, "risk_codes": "vendor"}])
        with self.step(0, 9):
            order.commitment_date = self.at(8)
            self._check_risk()
        self.assertRecordValues(order, [{"at_risk": False}])  # a later commitment absorbs the usual delay

    # --- warehouse backlog ---------------------------------------------------------------------------
    def _throughput_history(self):
        """One delivery done on each of the last 3 days: 1 a day."""
        self._stock(self.breaker, 3, self.wh.lot_stock_id)
        for day in (-3, -2, -1):
            with self.step(day, 10):
                picking = self._delivery(day)
                picking.action_assign()
                self._validate(picking)

    def test_backlog_reason_on_when_the_queue_outlasts_the_days_left(self):
        self._throughput_history()
        with self.step(0):
            for _index in range(4):
                self._delivery(-1)  # the queue: 4 deliveries scheduled before the order's
            self._stock(self.cable, 10, self.wh.lot_stock_id)
            order = self._risk_order(promise_day=2)
            self._recompute()
        self.assertRecordValues(order, [{"at_risk": True, "risk_score": 20, "risk_codes": "backlog"}])
        self.assertIn(
            "4 transfers wait before this one and about 1.0 are done a day, so it needs about 5.0 working days; "
            "3 remain before the promised date",
            order.risk_reasons,
        )

    def test_backlog_reason_off_with_enough_days_or_a_short_queue(self):
        self._throughput_history()
        with self.step(0):
            for _index in range(4):
                self._delivery(-1)
            self._stock(self.cable, 20, self.wh.lot_stock_id)
            later = self._risk_order(promise_day=11)  # Friday of next week: 10 working days with today
            self._recompute()
        self.assertRecordValues(later, [{"at_risk": False, "risk_codes": False}])

    def test_backlog_needs_throughput_history(self):
        with self.step(0):
            for _index in range(4):
                self._delivery(-1)
            self._stock(self.cable, 10, self.wh.lot_stock_id)
            order = self._risk_order(promise_day=1)
            self._recompute()
        self.assertRecordValues(order, [{"at_risk": False}])  # no delivery history: no usual throughput

    def test_working_days(self):
        self.assertEqual(working_days_between(self.at(0), self.at(2)), 2)  # Monday to Wednesday
        self.assertEqual(working_days_between(self.at(4), self.at(7)), 1)  # Friday to Monday
        self.assertEqual(working_days_between(self.at(0), self.at(11)), 9)
        self.assertEqual(working_days_between(self.at(3), self.at(1)), 0, "a promise in the past leaves nothing")

    # --- blocking exception --------------------------------------------------------------------------
    def test_blocked_reason_follows_the_hold(self):
        with self.step(0):
            self._stock(self.cable, 10, self.wh.lot_stock_id)
            order = self._risk_order(promise_day=10)
            self._check_risk()
        self.assertFalse(order.at_risk)
        order.sudo().credit_hold = True
        self._check_risk()
        self.assertRecordValues(order, [{"at_risk": True, "risk_score": 30, "risk_codes": "blocked"}])
        self.assertIn("On hold (credit hold): nothing ships until it is released", order.risk_reasons)
        order.with_user(self.credit_controller).action_release_credit_hold(reason="Payment received")
        self._check_risk()
        self.assertRecordValues(order, [{"at_risk": False, "risk_codes": False}])

    def test_blocking_exception_type(self):
        with self.step(0):
            self._stock(self.cable, 10, self.wh.lot_stock_id)
            order = self._risk_order(promise_day=10)
            self.Type._get_by_code("claim", self.company_a).blocking = True
            claim = self.Exception._raise_exceptions("claim", [{"record": order, "sale_order_id": order}])
            self._check_risk()
        self.assertRecordValues(order, [{"at_risk": True, "risk_codes": "blocked"}])
        claim.write({"resolution": "<p>settled</p>"})
        claim.action_resolve()
        self._check_risk()
        self.assertRecordValues(order, [{"at_risk": False}])

    # --- score, threshold, open orders only ---------------------------------------------------------------
    def test_score_adds_weights_and_threshold_decides(self):
        self.company_a.risk_threshold = 50
        with self.step(0):
            order = self._risk_order()
            self._check_risk()
        self.assertRecordValues(order, [{"at_risk": False, "risk_score": 40, "risk_codes": "supply"}])
        order.sudo().credit_hold = True
        self._check_risk()
        self.assertRecordValues(order, [{"at_risk": True, "risk_score": 70, "risk_codes": "supply,blocked"}])

    def test_only_open_orders_are_at_risk(self):
        with self.step(0):
            order = self._risk_order()
            self._check_risk()
            self.assertTrue(order.at_risk)
            self._stock(self.cable, 10, self.wh.lot_stock_id)
            order.picking_ids.action_assign()
            self._validate(order.picking_ids)
            self._check_risk()
        self.assertRecordValues(order, [{"at_risk": False, "risk_score": 0, "risk_stale": False}])
        with self.step(0):
            cancelled = self._risk_order()
            self._check_risk()
            self.assertTrue(cancelled.at_risk)
            cancelled._action_cancel()
            self._check_risk()
        self.assertRecordValues(cancelled, [{"at_risk": False, "risk_score": 0, "risk_stale": False}])
        self.assertEqual(cancelled.risk_first_flagged_at, self.at(0), "the first flag is kept for the back-test")

    def test_check_queries_do_not_grow_with_orders(self):
        with self.step(0):
            orders = self.SaleOrder
            for _index in range(3):
                orders |= self._risk_order()
            self.env.flush_all()
            queries = []
            for batch in (orders[:1], orders):
                self.env.invalidate_all()
                before = self.env.cr.sql_log_count
                batch._refresh_delivery_risk()
                self.env.flush_all()
                queries.append(self.env.cr.sql_log_count - before)
        # Not growing with the orders (the single order may cost one read more: a partner the bigger
        # batch fetches with the rest of its prefetch).
        self.assertLessEqual(queries[1], queries[0], f"1 order and 3 orders: {queries}")
        self.assertEqual(orders.mapped("at_risk"), [True, True, True])

    # --- out of the users' transactions ---------------------------------------------------------------
    def test_confirmation_reservation_and_validation_read_no_reason(self):
        """What the rep and the picker do only marks the order; the reasons are read by the cron."""
        Model = type(self.SaleOrder)
        original = Model._get_delivery_risk_reasons
        with self.step(0), patch.object(Model, "_get_delivery_risk_reasons", autospec=True,
                                        side_effect=original) as reasons:
            order = self._risk_order()
            self.assertRecordValues(order, [{"risk_stale": True, "at_risk": False, "risk_checked_at": False}])
            reasons.assert_not_called()
            self._check_risk()
            self.assertTrue(reasons.called, "the cron reads the reasons")
            self.assertRecordValues(order, [{"risk_stale": False, "at_risk": True}])
            reasons.reset_mock()
            self._stock(self.cable, 10, self.wh.lot_stock_id)
            order.picking_ids.with_user(self.picker).action_assign()
            self._validate(order.picking_ids)
            reasons.assert_not_called()
        self.assertRecordValues(order, [{"risk_stale": True, "at_risk": True}])  # delivered, still flagged
        with self.step(0, 8, 5):
            self._check_risk()
        self.assertRecordValues(order, [{"risk_stale": False, "at_risk": False, "risk_codes": False}])

    def test_check_is_idempotent(self):
        names = ["at_risk", "risk_score", "risk_codes", "risk_reasons", "risk_promise_date", "risk_first_flagged_at"]
        with self.step(0):
            order = self._risk_order()
            order._refresh_delivery_risk()
            first = order.read(names)
        with self.step(0, 8, 30):
            order._refresh_delivery_risk()
            order._refresh_delivery_risk()
        self.assertEqual(order.read(names), first)
        self.assertRecordValues(order, [{"at_risk": True, "risk_first_flagged_at": self.at(0),
                                         "risk_checked_at": self.at(0, 8, 30), "risk_stale": False}])

    def test_users_cannot_write_the_risk(self):
        with self.step(0):
            order = self._risk_order()
            self._check_risk()
        for values in ({"at_risk": False}, {"risk_stale": False}, {"risk_checked_at": self.at(9)},
                       {"risk_first_flagged_at": False}):
            with self.subTest(values=values), self.assertRaises(AccessError) as error:
                order.with_user(self.sales_manager).write(values)
            self.assertIn(order.name, str(error.exception))
        self.assertRecordValues(order, [{"at_risk": True, "risk_stale": False, "risk_checked_at": self.at(0),
                                         "risk_first_flagged_at": self.at(0)}])

    def test_cron_checks_the_changed_orders_only(self):
        with self.step(0):
            changed, unchanged = self._risk_order(), self._risk_order()
            self._check_risk()
            self._stock(self.cable, 10, self.wh.lot_stock_id)
            changed.picking_ids.action_assign()
            self.env.flush_all()
        self.assertRecordValues(changed | unchanged, [{"risk_stale": True}, {"risk_stale": False}])
        Model = type(self.SaleOrder)
        with self.step(0, 8, 5), \
                patch.object(Model, "_refresh_delivery_risk", autospec=True,
                             side_effect=Model._refresh_delivery_risk) as refresh, \
                patch.object(type(self.env["ir.cron"]), "_commit_progress", autospec=True, return_value=60.0) as commit:
            self.SaleOrder._cron_refresh_delivery_risk()
        checked = self.SaleOrder.union(*(call.args[0] for call in refresh.call_args_list))
        self.assertIn(changed, checked)
        self.assertNotIn(unchanged, checked)
        self.assertEqual(commit.call_count, 1, "one batch, committed")
        self.assertEqual(commit.call_args.args[1:], (len(checked),))
        self.assertEqual(commit.call_args.kwargs, {"remaining": 0})
        self.assertFalse(self.SaleOrder.search_count([("risk_stale", "=", True)]), "every mark cleared")
        self.assertRecordValues(changed | unchanged, [
            {"at_risk": False, "risk_stale": False, "risk_checked_at": self.at(0, 8, 5)},
            {"at_risk": True, "risk_stale": False, "risk_checked_at": self.at(0)},
        ])

    def test_cron_commits_each_batch(self):
        with self.step(0):
            for _index in range(3):
                self._risk_order()
            self.env.flush_all()
            stale = self.SaleOrder.search_count([("risk_stale", "=", True)])
            with patch.object(type(self.env["ir.cron"]), "_commit_progress", autospec=True,
                              return_value=60.0) as commit:
                checked = self.SaleOrder._refresh_delivery_risk_in_batches([("risk_stale", "=", True)], batch_size=2)
        self.assertEqual(checked, stale)
        self.assertEqual(commit.call_count, (stale + 1) // 2, "a commit per batch of 2")
        self.assertEqual(commit.call_args.kwargs, {"remaining": 0})
        self.assertFalse(self.SaleOrder.search_count([("risk_stale", "=", True)]))

    def test_hourly_pass_reads_again_what_was_not_checked_for_an_hour(self):
        with self.step(0):
            order = self._risk_order()
            self._check_risk()
            self._purchase_to_wh(10, self.at(3))  # supply comes: nothing of the order changed
            self._check_risk()
        self.assertRecordValues(order, [{"at_risk": True, "risk_stale": False}])
        with self.step(0, 8, 30):
            self._recompute()
        self.assertRecordValues(order, [{"at_risk": True, "risk_checked_at": self.at(0)}])  # checked 30 min ago
        with self.step(0, 9):
            self._recompute()
        self.assertRecordValues(order, [{"at_risk": False, "risk_checked_at": self.at(0, 9)}])

    def test_vendor_figures_are_the_stored_ones(self):
        """The vendor reason reads the vendors' stored figures: a late receipt counts once its job has
        refreshed them, not before (the scorecard's live view already shows it)."""
        self._vendor_history(self.vendor, days_late=0)  # 3 receipts on time
        with self.step(-10):
            purchase = self._purchase_to_wh(1, self.at(-8))
        with self.step(-3), trap_jobs() as trap:
            receipt = purchase.picking_ids.with_user(self.picker)
            receipt.move_ids.write({"quantity": 1.0, "picked": True})
            receipt.button_validate()
            self.env.flush_all()
            trap.assert_jobs_count(1, only=self.env["distribution.supplier.stat"]._job_refresh)
        self.env["stock.quant"]._update_available_quantity(self.cable, self.wh.lot_stock_id, -1)
        Performance = self.env["distribution.supplier.performance"]
        Performance.invalidate_model()
        live = Performance.search([("partner_id", "=", self.vendor.id), ("product_id", "=", False),
                                   ("company_id", "=", self.company_a.id)])
        self.assertEqual(live.on_time_rate, 75.0, "the scorecard reads the receipt at once")
        with self.step(0):
            order = self._risk_order(promise_day=10)
            self._purchase_to_wh(10, self.at(3))
            self._recompute()
        self.assertRecordValues(order, [{"at_risk": False, "risk_codes": False}])  # stored: 100 %, 3 receipts
        trap.perform_enqueued_jobs()
        self.assertEqual(self.vendor.with_company(self.company_a).supplier_on_time_rate, 75.0)
        with self.step(0, 9):
            self._recompute()
        self.assertRecordValues(order, [{"at_risk": True, "risk_codes": "vendor"}])

    # --- notification ----------------------------------------------------------------------------------
    def test_daily_notification_once_and_closed_when_cleared(self):
        activity_type = self.env.ref("distribution_kpi.mail_activity_type_order_at_risk")
        with self.step(0):
            order = self._risk_order()
            self._check_risk()
            self.SaleOrder._cron_notify_orders_at_risk()
            self.SaleOrder._cron_notify_orders_at_risk()
        todo = order.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        self.assertEqual(len(todo), 1, "a second run the same day adds nothing")
        self.assertRecordValues(todo, [{"user_id": self.salesperson.id, "date_deadline": self.at(0).date()}])
        self.assertIn("still missing in Risk test WH", str(todo.note))
        with self.step(1):
            self.SaleOrder._cron_notify_orders_at_risk()
        self.assertEqual(len(order.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)), 1,
                         "still at risk the next day: the open to-do stays, no second one")
        with self.step(1, 9):
            self._stock(self.cable, 10, self.wh.lot_stock_id)
            order.picking_ids.action_assign()
            self._check_risk()
            self.SaleOrder._cron_notify_orders_at_risk()
        self.assertFalse(order.activity_ids.filtered(lambda a: a.activity_type_id == activity_type),
                         "no longer at risk: the to-do is marked done")

    # --- companies and settings ---------------------------------------------------------------------------
    def test_each_company_weighs_with_its_own_settings(self):
        self.company_b.write({"risk_weight_supply": 10, "risk_threshold": 20})
        wh_b = self.env["stock.warehouse"].search([("company_id", "=", self.company_b.id)], limit=1)
        with self.step(0):
            order_a = self._risk_order()
            order_b = (
                self.env["sale.order"]
                .with_company(self.company_b)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "company_id": self.company_b.id,
                        "warehouse_id": wh_b.id,
                        "commitment_date": self.at(5),
                        "order_line": [Command.create({"product_id": self.cable.id, "product_uom_qty": 10})],
                    }
                )
            )
            order_b.action_confirm()
            self._check_risk()
        self.assertRecordValues(
            order_a | order_b,
            [
                {"at_risk": True, "risk_score": 40, "risk_codes": "supply"},
                {"at_risk": False, "risk_score": 10, "risk_codes": "supply"},
            ],
        )
        visible = self.SaleOrder.with_user(self.manager_b).search(
            [("at_risk", "=", False), ("id", "in", (order_a | order_b).ids)]
        )
        self.assertEqual(visible, order_b, "company B's manager sees company B's orders only")

    def test_settings_refuse_bad_values(self):
        for values in ({"risk_weight_supply": 150}, {"risk_weight_backlog": -1}, {"risk_threshold": 0},
                       {"risk_vendor_on_time_min": 120.0}, {"risk_throughput_days": 0}):
            with self.subTest(values=values), self.assertRaises(ValidationError) as error:
                self.company_a.write(values)
            self.assertIn(self.company_a.name, str(error.exception))
        settings = self.env["res.config.settings"].create({"risk_threshold": 55})
        settings.execute()
        self.assertEqual(self.company_a.risk_threshold, 55)

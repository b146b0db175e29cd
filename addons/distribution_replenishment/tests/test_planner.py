import math
import statistics
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import ReplenishmentCase


@tagged("post_install", "-at_install")
class TestPlannerFormulas(ReplenishmentCase):
    """Each formula on small cases computed by hand."""

    def test_moving_average_and_exponential_smoothing(self):
        weekly = [14.0, 7.0, 0.0, 7.0]  # most recent first
        self.assertAlmostEqual(self.Run._forecast_daily_rate(self.company, weekly), 28 / 28)
        self.company.write(
            {"replenishment_forecast_method": "exponential_smoothing", "replenishment_smoothing_alpha": 0.5}
        )
        # oldest first 7, 0, 7, 14: level 7 -> 3.5 -> 5.25 -> 9.625 a week
        self.assertAlmostEqual(self.Run._forecast_daily_rate(self.company, weekly), 9.625 / 7)

    def test_safety_stock_days_of_cover_and_service_level(self):
        self.company.replenishment_safety_days = 3
        self.assertAlmostEqual(self.Run._safety_stock(self.company, 2.0, [14.0] * 4, 10), 6.0)
        self.company.write({"replenishment_safety_method": "service_level", "replenishment_service_level": 95.0})
        weekly = [21.0, 7.0, 14.0, 14.0]
        expected = statistics.NormalDist().inv_cdf(0.95) * statistics.stdev(weekly) / math.sqrt(7) * math.sqrt(16)
        self.assertAlmostEqual(self.Run._safety_stock(self.company, 2.0, weekly, 16), expected)
        self.assertAlmostEqual(expected, 1.6449 * 5.7155 / 2.6458 * 4, places=2)

    def test_net_requirement_with_forecast_consumption(self):
        position = {"on_hand": 10.0, "incoming": 5.0, "demand": 8.0, "reserved": 8.0}
        # 2 a day over 10 days lead + 7 review = 34 forecast > 8 confirmed: 34 - 10 - 5 = 19
        plan = self.Run._plan_position(self.company, position, [14.0] * 4, 10)
        self.assertAlmostEqual(plan["forecast"], 34.0)
        self.assertAlmostEqual(plan["net"], 19.0)
        # Confirmed demand above the forecast drives the need: 40 - 15 = 25
        plan = self.Run._plan_position(self.company, dict(position, demand=40.0), [14.0] * 4, 10)
        self.assertAlmostEqual(plan["net"], 25.0)
        # Nothing needed: never negative
        plan = self.Run._plan_position(self.company, dict(position, on_hand=100.0), [14.0] * 4, 10)
        self.assertEqual(plan["net"], 0.0)
        self.assertAlmostEqual(plan["surplus"], 100 - 8 - (34 - 8), msg="surplus keeps own orders and forecast")

    def test_spike_zscore_threshold(self):
        history = [10.0, 12.0, 8.0, 10.0]
        z = self.Run._spike_zscore([10.0 + 3 * statistics.stdev(history)] + history)
        self.assertAlmostEqual(z, 3.0)
        self.assertIsNone(self.Run._spike_zscore([50.0, 10.0, 10.0, 10.0]), "3 weeks of history is too short")
        self.assertEqual(self.Run._spike_zscore([50.0] + [10.0] * 4), math.inf)
        self.assertEqual(self.Run._spike_zscore([10.0] * 5), 0.0)

    def test_moq_and_packaging_rounding(self):
        seller = self.cable.seller_ids
        self.assertEqual(self.Run._round_to_vendor(self.cable, seller, 7.2), 7.2, "units: only the unit rounding")
        seller.min_qty = 25
        self.assertEqual(self.Run._round_to_vendor(self.cable, seller, 7.2), 25.0)
        seller.write({"min_qty": 2, "product_uom_id": self.box_10.id})  # 2 boxes of 10 at least
        self.assertEqual(self.Run._round_to_vendor(self.cable, seller, 7.2), 20.0)
        self.assertEqual(self.Run._round_to_vendor(self.cable, seller, 31.0), 40.0)
        self.assertEqual(self.Run._round_to_vendor(self.cable, seller, 30.0), 30.0)


@tagged("post_install", "-at_install")
class TestPlanner(ReplenishmentCase):
    def test_purchase_from_history_and_demand(self):
        # 4 weeks of history, 14 a week: 2 a day; lead 10 + review 7 = 17 days: forecast 34
        for days_ago in (2, 9, 16, 23):
            self._ship_history(self.cable, self.main, 14, days_ago)
        self._stock(self.cable, self.main, 3)
        self._demand(self.cable, self.main, 5)
        run = self._run(warehouse_ids=[(6, 0, self.main.ids)])
        line = self._lines(run, self.cable, self.main)
        self.assertRecordValues(
            line,
            [{"action": "buy", "vendor_id": self.vendor.id, "qty_on_hand": 3.0, "qty_demand": 5.0,
              "qty_incoming": 0.0, "lead_days": 10.0, "qty_to_order": 31.0, "state": "proposed"}],
        )
        self.assertAlmostEqual(line.qty_forecast, 34.0)
        self.assertAlmostEqual(line.daily_demand, 2.0)
        self.assertAlmostEqual(line.qty_net, 31.0, msg="max(5 confirmed, 34 forecast) - 3 on hand")

    def test_transfer_before_purchase_and_source_keeps_its_needs(self):
        # The main warehouse holds 30, owes 10 to its own customers and sells 1 a day (7 over its
        # 7-day horizon, no vendor lead on the breaker here): it can give 30 - 10 - 0 = 20... less its forecast.
        self.breaker.seller_ids.delay = 0
        for days_ago in (2, 9, 16, 23):
            self._ship_history(self.breaker, self.main, 7, days_ago)
        self._stock(self.breaker, self.main, 30)
        self._demand(self.breaker, self.main, 10)
        self._demand(self.breaker, self.branch, 25)
        run = self._run()
        branch_lines = self._lines(run, self.breaker, self.branch)
        transfer = branch_lines.filtered(lambda line: line.action == "transfer")
        buy = branch_lines.filtered(lambda line: line.action == "buy")
        # main's surplus: 30 - 10 confirmed - (7 forecast - 7 consumed... max(7 - 10, 0) = 0) = 20
        self.assertRecordValues(transfer, [{"source_warehouse_id": self.main.id, "qty_to_order": 20.0}])
        self.assertRecordValues(buy, [{"qty_to_order": 5.0, "vendor_id": self.vendor.id}])
        self.assertFalse(self._lines(run, self.breaker, self.main), "the main warehouse needs nothing")

    def test_no_transfer_without_resupply_route(self):
        other = self.env["stock.warehouse"].create(
            {"name": "Island (repl test)", "code": "ISL", "company_id": self.company.id}
        )
        self._stock(self.breaker, self.main, 100)
        self._demand(self.breaker, other, 4)
        run = self._run()
        self.assertRecordValues(self._lines(run, self.breaker, other), [{"action": "buy", "qty_to_order": 4.0}])

    def test_product_without_vendor_is_flagged_not_a_crash(self):
        orphan = self._product("Orphan (repl test)", vendor=False)
        self._demand(orphan, self.main, 3)
        run = self._run()
        line = self._lines(run, orphan, self.main)
        self.assertRecordValues(line, [{"action": "none", "no_vendor": True, "qty_to_order": 3.0}])
        self.assertIn("No vendor", line.note)
        run.action_execute()
        self.assertEqual(line.state, "proposed", "nothing to execute on it")

    def test_orderpoint_owns_its_need(self):
        orderpoint = self.env["stock.warehouse.orderpoint"].create(
            {"product_id": self.cable.id, "warehouse_id": self.main.id, "location_id": self.main.lot_stock_id.id,
             "product_min_qty": 5, "product_max_qty": 20}
        )
        self._demand(self.cable, self.main, 8)
        run = self._run()
        line = self._lines(run, self.cable, self.main)
        self.assertRecordValues(line, [{"action": "none", "orderpoint_id": orderpoint.id, "qty_to_order": 0.0}])

    def test_execute_creates_rfq_and_transfer_then_nothing_twice(self):
        self._stock(self.breaker, self.main, 50)
        self._demand(self.breaker, self.branch, 6)
        self._demand(self.cable, self.main, 12)
        self._demand(self.cable, self.branch, 3)
        run = self._run()
        run.with_user(self.buyer).action_execute()
        self.assertEqual(run.state, "done")
        self.assertEqual(set(run.line_ids.mapped("state")), {"done"})
        rfq = run.purchase_ids
        self.assertEqual(len(rfq), 2, "one RFQ per receiving warehouse for the vendor")
        self.assertEqual(rfq.partner_id, self.vendor)
        self.assertEqual(sorted(rfq.order_line.mapped("product_qty")), [3.0, 12.0])
        self.assertIn(run.name, rfq[0].origin)
        transfer_moves = run.picking_ids.move_ids.filtered(lambda m: m.product_id == self.breaker)
        self.assertTrue(transfer_moves, "a resupply transfer from the main warehouse")
        self.assertEqual(
            sum(
                transfer_moves.filtered(lambda m: m.location_dest_id.warehouse_id == self.branch).mapped(
                    "product_uom_qty"
                )
            ),
            6.0,
        )
        # Nothing changed: a second run proposes nothing (RFQs and transfers count as incoming).
        again = self._run()
        self.assertFalse(again.line_ids.filtered(lambda line: line.action != "none"))
        with self.assertRaisesRegex(UserError, "has no proposal to execute"):
            run.action_execute()

    def test_cron_twice_creates_nothing_twice(self):
        self.company.replenishment_auto_execute = True
        self._demand(self.cable, self.main, 12)
        with trap_jobs() as trap:
            self.Run._cron_plan()
            self.Run._cron_plan()
            trap.perform_enqueued_jobs()
        # The night's jobs queued and run again once done (the cron run by hand the same night).
        with trap_jobs() as trap:
            self.Run._cron_plan()
            trap.perform_enqueued_jobs()
        lines = self.env["purchase.order.line"].search([("product_id", "=", self.cable.id)])
        self.assertEqual(sum(lines.mapped("product_qty")), 12.0)

    def test_nightly_plan_is_one_job_per_warehouse(self):
        warehouses = self.env["stock.warehouse"].search([])
        date = fields.Date.to_string(fields.Date.context_today(self.Run))
        with trap_jobs() as trap:
            self.Run._cron_plan()
            self.Run._cron_plan()  # queued again while they wait: nothing more
            trap.assert_jobs_count(len(warehouses), only=self.Run._job_plan_warehouse)
            for warehouse in self.main | self.branch:
                trap.assert_enqueued_job(
                    self.Run._job_plan_warehouse,
                    args=(warehouse, date),
                    properties={
                        "identity_key": f"distribution_replenishment_plan:{self.company.id}:{warehouse.id}:{date}"
                    },
                )
        self._demand(self.cable, self.branch, 7)
        run = self.Run._job_plan_warehouse(self.branch, date)
        self.assertRecordValues(run, [{"trigger": "cron", "state": "proposed", "company_id": self.company.id}])
        self.assertEqual(run.warehouse_ids, self.branch)
        self.assertEqual(run.line_ids.warehouse_id, self.branch, "proposals for its warehouse only")
        self.assertEqual(self._lines(run, self.cable, self.branch).qty_to_order, 7.0)
        # The main warehouse's job the same night leaves the branch's proposal alone.
        main_run = self.Run._job_plan_warehouse(self.main, date)
        self.assertEqual(run.state, "proposed")
        self.assertEqual(main_run.warehouse_ids, self.main)

    def test_execute_is_one_batch_and_a_failing_proposal_stops_only_itself(self):
        self._demand(self.cable, self.main, 12)
        self._demand(self.breaker, self.main, 4)
        self._demand(self.cable, self.branch, 3)
        StockRule = type(self.env["stock.rule"])
        original = StockRule.run
        run = self._run()
        with patch.object(StockRule, "run", autospec=True, side_effect=original) as spy:
            run.with_user(self.buyer).action_execute()
        self.assertEqual(spy.call_count, 1, "the proposals go to the procurement in one batch")
        self.assertEqual(len(spy.call_args.args[1]), 3)
        self.assertEqual(set(run.line_ids.filtered(lambda line: line.action != "none").mapped("state")), {"done"})
        self.assertEqual(
            sorted(run.purchase_ids.order_line.mapped("product_qty")), [3.0, 4.0, 12.0],
            "one RFQ per receiving warehouse, the main warehouse's two products on one",
        )
        self.assertEqual(len(run.purchase_ids), 2)

        # The breaker's vendor price is gone after planning: the batch fails, then each proposal runs alone.
        self._demand(self.cable, self.main, 5)
        self._demand(self.breaker, self.main, 2)
        run = self._run()
        self.breaker.seller_ids.unlink()
        with patch.object(StockRule, "run", autospec=True, side_effect=original) as spy:
            run.with_user(self.buyer).action_execute()
        self.assertEqual(spy.call_count, 1, "the batch stopped before the procurement; the cable then ran alone")
        breaker_line = self._lines(run, self.breaker, self.main)
        self.assertEqual(breaker_line.state, "failed")
        self.assertIn("has no vendor price from Wirecraft Supplies", breaker_line.note)
        self.assertEqual(self._lines(run, self.cable, self.main).state, "done")
        self.assertFalse(
            self.env["purchase.order.line"].search([("product_id", "=", self.breaker.id), ("product_qty", "=", 2.0)]),
            "nothing half-written for the failed proposal",
        )
        self.assertIn("could not be executed", run.message_ids[0].body)

    def test_buyer_edits_before_executing_and_bad_input_refused(self):
        self._demand(self.cable, self.main, 12)
        run = self._run()
        line = self._lines(run, self.cable, self.main).with_user(self.buyer)
        line.qty_to_order = 30
        with self.assertRaises(ValidationError) as refused:
            line.qty_to_order = -1
        self.assertIn("the quantity to order cannot be negative", str(refused.exception))
        stranger = self.env["res.partner"].create({"name": "No Cable Here Ltd", "is_company": True})
        with self.assertRaises(ValidationError) as refused:
            line.vendor_id = stranger
        self.assertIn("No Cable Here Ltd has no price for this product", str(refused.exception))
        run.with_user(self.buyer).action_execute()
        self.assertEqual(self.env["purchase.order.line"].search([("product_id", "=", self.cable.id)]).product_qty, 30.0)
        with self.assertRaisesRegex(UserError, "already executed cannot change"):
            line.qty_to_order = 5

    def test_spike_flagged_and_buyer_notified_once(self):
        self.company.replenishment_spike_zscore = 3.0
        for days_ago, qty in ((2, 60), (9, 10), (16, 12), (23, 8), (30, 10)):
            self._ship_history(self.cable, self.main, qty, days_ago)
        self.company.replenishment_history_days = 35
        self._stock(self.cable, self.main, 500)
        run = self._run()
        line = self._lines(run, self.cable, self.main)
        self.assertTrue(line.is_spike)
        self.assertEqual(line.action, "none" if line.qty_net <= 0 else line.action)
        self.assertGreater(line.spike_zscore, 3.0)
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "product.template"), ("res_id", "=", self.cable.product_tmpl_id.id)]
        )
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.buyer)
        self._run()
        self.assertEqual(
            self.env["mail.activity"].search_count(
                [("res_model", "=", "product.template"), ("res_id", "=", self.cable.product_tmpl_id.id)]
            ),
            1,
            "one open activity per product and warehouse",
        )
        # Below the threshold: no flag.
        self.company.replenishment_spike_zscore = line.spike_zscore + 0.1
        self.assertFalse(self._lines(self._run(), self.cable, self.main).is_spike)

    def test_spike_notified_once_per_warehouse_by_key_not_summary(self):
        self.company.replenishment_spike_zscore = 3.0
        self.company.replenishment_history_days = 35
        for warehouse in (self.main, self.branch):
            for days_ago, qty in ((2, 60), (9, 10), (16, 12), (23, 8), (30, 10)):
                self._ship_history(self.cable, warehouse, qty, days_ago)
            self._stock(self.cable, warehouse, 500)
        Activity = self.env["mail.activity"]
        on_cable = [("res_model", "=", "product.template"), ("res_id", "=", self.cable.product_tmpl_id.id)]
        self._run(warehouse_ids=[(6, 0, self.main.ids)])
        activity = Activity.search(on_cable)
        self.assertEqual(activity.distribution_spike_warehouse_id, self.main)
        # The summary is text for people: a buyer reworded it (or it was written in their language).
        activity.summary = "Pic de demande - à vérifier"
        self._run(warehouse_ids=[(6, 0, self.main.ids)])
        self.assertEqual(Activity.search(on_cable), activity, "still one open activity for the main warehouse")
        self._run()
        self.assertEqual(
            Activity.search(on_cable).distribution_spike_warehouse_id, self.main | self.branch,
            "the other warehouse's spike is its own activity",
        )
        self.assertEqual(len(Activity.search(on_cable)), 2)

    def test_companies_are_planned_apart(self):
        company_b = self.env["res.company"].create({"name": "Replenishment Co B"})
        self.env.user.company_ids |= company_b
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", company_b.id)], limit=1)
        product_b = self.env["product.product"].create({"name": "B-only (repl test)", "is_storable": True})
        move = self.env["stock.move"].with_company(company_b).create(
            {"product_id": product_b.id, "product_uom_qty": 9, "product_uom": product_b.uom_id.id,
             "location_id": warehouse_b.lot_stock_id.id, "location_dest_id": self.customer_location.id,
             "company_id": company_b.id}
        )
        move._action_confirm()
        self._demand(self.cable, self.main, 2)
        run = self._run()
        self.assertFalse(
            run.line_ids.filtered(lambda line: line.warehouse_id == warehouse_b or line.product_id == product_b)
        )
        run_b = self.Run.with_company(company_b).create({"company_id": company_b.id})
        run_b.action_compute()
        self.assertEqual(run_b.line_ids.product_id, product_b)
        self.assertFalse(
            self.Run.with_user(self.buyer).search([("id", "=", run_b.id)]), "company B run is invisible in A"
        )

    def test_query_count_does_not_grow_with_products(self):
        def plan(count):
            products = self.env["product.product"].create(
                [{"name": f"Bulk {count} {i}", "is_storable": True, "categ_id": self.categ.id} for i in range(count)]
            )
            for product in products:
                self._demand(product, self.main, 2)
            run = self.Run.create({"product_ids": [(6, 0, products.ids)]})
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            run._compute_plan()
            self.env.flush_all()
            self.assertEqual(len(run.line_ids), count)
            return self.env.cr.sql_log_count - before

        self.env["distribution.replenishment.lock"]._acquire(self.company)  # the company's lock row exists
        self.assertEqual(plan(3), plan(40), "the same queries for 3 and 40 products")

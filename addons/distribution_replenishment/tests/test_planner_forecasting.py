import math
import statistics
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ReplenishmentCase


def _seasonal_recent_first(weeks=104, level=50.0):
    """Weekly history with a yearly season, most recent week first (as the planner reads it)."""
    chronological = [round(level * (1 + 0.6 * math.sin(2 * math.pi * week / 52))) for week in range(weeks)]
    return list(reversed([float(value) for value in chronological]))


@tagged("post_install", "-at_install")
class TestPlannerForecasting(ReplenishmentCase):
    """The planner forecasting by demand class: history length, choice per class, pins, safety stock from
    the back-tested error, what the buyer sees on the proposal and the forecasts a run keeps."""

    def test_moving_average_company_without_pins_plans_as_before(self):
        run = self.Run.create({"categ_ids": [(6, 0, self.categ.ids)]})
        self.assertFalse(run._forecast_with_library())
        self.assertEqual(run._get_history_weeks(), 4, "28 days of history")
        self.assertIsNone(run._prepare_forecasts({}, {}, 4))
        self.company.replenishment_forecast_method = "auto"
        self.assertEqual(run._get_history_weeks(), 104, "two years to see a season")

    def test_auto_plan_shows_class_method_and_accuracy(self):
        self.company.write({"replenishment_forecast_method": "auto", "replenishment_safety_method": "service_level"})
        for week in range(8):
            self._ship_history(self.cable, self.main, 10, 2 + 7 * week)
        self._demand(self.cable, self.main, 1)
        run = self._run(warehouse_ids=[(6, 0, self.main.ids)])
        line = self._lines(run, self.cable, self.main)
        self.assertRecordValues(line, [{"demand_class": "smooth", "demand_pattern": False, "forecast_mase": 0.0,
                                        "forecast_bias": 0.0, "qty_safety": 0.0, "action": "buy"}])
        self.assertTrue(line.forecast_method, "the method chosen for smooth demand")
        # 10 a week every week: every method forecasts 10 a week; lead 10 + review 7 days.
        self.assertAlmostEqual(line.qty_forecast, 10 * 17 / 7, places=2)
        forecast = run.forecast_ids.filtered(lambda f: f.product_id == self.cable and f.warehouse_id == self.main)
        self.assertRecordValues(forecast, [{"demand_class": "smooth", "method": line.forecast_method,
                                            "method_pinned": False, "weekly_forecast": 10.0, "backtest_mase": 0.0,
                                            "stockout_weeks": 0}])
        self.assertEqual(forecast.backtest_count, 4, "8 weeks: 4-week totals from week 1 (none before the first) to 4")
        action = run.action_view_forecasts()
        self.assertEqual(self.env["distribution.replenishment.forecast"].search(action["domain"]), run.forecast_ids)

    def test_method_shown_in_words(self):
        Line = self.env["distribution.replenishment.line"]
        self.assertEqual(Line.new({"forecast_method": "tsb(alpha=0.1, beta=0.05)"}).forecast_method_name,
                         "TSB (Teunter-Syntetos-Babai): alpha=0.1, beta=0.05")
        self.assertEqual(Line.new({"forecast_method": "moving_average"}).forecast_method_name, "Moving average")
        self.assertFalse(Line.new({}).forecast_method_name)

    def test_recomputed_run_replaces_its_forecasts(self):
        """Computing a run again keeps one forecast per product x warehouse: the new one."""
        self.company.replenishment_forecast_method = "auto"
        for week in range(8):
            self._ship_history(self.cable, self.main, 10, 2 + 7 * week)
        self._demand(self.cable, self.main, 1)
        run = self._run(warehouse_ids=[(6, 0, self.main.ids)])
        first = run.forecast_ids.filtered(lambda f: f.product_id == self.cable)
        self.assertEqual(len(first), 1)
        self._ship_history(self.cable, self.main, 30, 1)
        run.action_compute()
        again = run.forecast_ids.filtered(lambda f: f.product_id == self.cable)
        self.assertEqual(len(again), 1, "replaced, not added")
        self.assertFalse(first.exists())
        pairs = {(forecast.product_id, forecast.warehouse_id) for forecast in run.forecast_ids}
        self.assertEqual(len(run.forecast_ids), len(pairs))

    def test_choice_per_class_and_pins(self):
        self.company.replenishment_forecast_method = "auto"
        run = self.Run.create({"categ_ids": [(6, 0, self.categ.ids)]})
        intermittent = [0.0, 0.0, 9.0, 0.0, 6.0, 0.0, 0.0, 8.0] * 13  # most recent first
        history = {
            (self.cable.id, self.main.id): intermittent,
            (self.breaker.id, self.main.id): _seasonal_recent_first(),
        }
        products = {self.cable.id: self.cable, self.breaker.id: self.breaker}
        prepared = run._prepare_forecasts(history, products, 4)
        self.assertEqual(prepared["series"][(self.breaker.id, self.main.id)][1:], ("smooth", "seasonal"))
        self.assertEqual(prepared["series"][(self.cable.id, self.main.id)][1:], ("intermittent", "intermittent"))
        self.assertEqual(prepared["choice"]["seasonal"][0][0], "holt_winters")
        seasonal = run._forecast_position(prepared, self.breaker, self.main.id, 28)
        self.assertEqual((seasonal["demand_pattern"], seasonal["pinned"]), ("seasonal", False))
        self.assertLess(seasonal["mase"], 0.3)
        self.assertIsNone(run._forecast_position(prepared, self.cable, self.branch.id, 28), "no history there")
        # A category pin, then a product pin over it.
        parent = self.env["product.category"].create({"name": "Pinned parent (repl test)",
                                                      "replenishment_forecast_method": "sba"})
        self.categ.parent_id = parent
        prepared = run._prepare_forecasts(history, products, 4)
        result = run._forecast_position(prepared, self.cable, self.main.id, 28)
        self.assertEqual((result["method"], result["pinned"]), ("sba(alpha=0.1)", True))
        # 23 every 8 weeks in 3 demands: Croston's size / interval, debiased by SBA.
        self.assertAlmostEqual(result["rate"], 0.95 * (23 / 3) / (8 / 3), delta=0.2)
        self.cable.replenishment_forecast_method = "tsb"
        prepared = run._prepare_forecasts(history, products, 4)
        self.assertTrue(run._forecast_position(prepared, self.cable, self.main.id, 28)["method"].startswith("tsb"))
        # Pins apply in a moving-average company too; the others keep the moving average.
        parent.replenishment_forecast_method = False
        self.company.replenishment_forecast_method = "moving_average"
        prepared = run._prepare_forecasts(history, products, 4)
        self.assertTrue(run._forecast_position(prepared, self.cable, self.main.id, 28)["method"].startswith("tsb"))
        self.assertIsNone(run._forecast_position(prepared, self.breaker, self.main.id, 28))

    def test_safety_stock_from_backtest_error_at_category_service_level(self):
        self.company.write({"replenishment_safety_method": "service_level", "replenishment_service_level": 95.0})
        parent = self.env["product.category"].create({"name": "Critical (repl test)",
                                                      "replenishment_service_level": 99.0})
        self.categ.parent_id = parent
        self.assertEqual(self.Run._get_service_level(self.company, self.cable), 99.0, "from the parent category")
        result = {"n": 10, "rmse": 12.0, "service_level": 99.0}
        # 4-week RMSE 12 scaled to a 56-day (8-week) horizon: x sqrt(2)
        expected = statistics.NormalDist().inv_cdf(0.99) * 12.0 * math.sqrt(2)
        self.assertAlmostEqual(self.Run._forecast_safety_stock(self.company, result, 2.0, [14.0] * 4, 56), expected)
        # Nothing back-tested: the demand's standard deviation as before; days of cover unchanged.
        self.assertAlmostEqual(
            self.Run._forecast_safety_stock(self.company, dict(result, n=0), 2.0, [21.0, 7.0], 16),
            self.Run._safety_stock(self.company, 2.0, [21.0, 7.0], 16),
        )
        self.company.write({"replenishment_safety_method": "days", "replenishment_safety_days": 3})
        self.assertAlmostEqual(self.Run._forecast_safety_stock(self.company, result, 2.0, [14.0] * 4, 56), 6.0)

    def test_drop_against_the_forecast_is_flagged_and_notified(self):
        self.company.write({"replenishment_forecast_method": "auto", "replenishment_spike_zscore": 3.0})
        for week, quantity in enumerate([11, 9, 10, 12, 10, 8, 10, 11, 9, 10]):
            self._ship_history(self.cable, self.main, quantity, 9 + 7 * week)  # nothing sold last week
        self._demand(self.cable, self.main, 1)
        run = self._run(warehouse_ids=[(6, 0, self.main.ids)])
        line = self._lines(run, self.cable, self.main)
        self.assertTrue(line.is_spike)
        self.assertLess(line.spike_zscore, -3.0)
        self.assertEqual(line.spike_weeks, 1)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "product.template"), ("res_id", "=", self.cable.product_tmpl_id.id),
             ("distribution_spike_warehouse_id", "=", self.main.id)]
        )
        self.assertEqual(activity.summary, f"Demand drop at {self.main.code}")
        self.assertIn("sold less than forecast", activity.note)
        # The moving average company keeps flagging spikes up only, against the weekly history.
        plan = {"zscore": -5.0, "forecast_info": None}
        self.assertFalse(self.Run._is_demand_spike(self.company, plan))
        self.assertTrue(self.Run._is_demand_spike(self.company, dict(plan, forecast_info={"spike": -5.0})))

    def test_demand_history_from_orders_by_requested_date(self):
        self.company.write({"replenishment_demand_source": "orders", "replenishment_order_trigger": "none"})
        customer = self.env["res.partner"].create({"name": "Asking Customer (repl)", "is_company": True})
        self.cable.list_price = 10.0  # a margin no approval rule stops
        now = fields.Datetime.now()

        def order(quantity, uom=None, requested=None, confirm=True):
            sale = self.env["sale.order"].create({
                "partner_id": customer.id, "warehouse_id": self.main.id, "commitment_date": requested,
                "order_line": [Command.create({"product_id": self.cable.id, "product_uom_qty": quantity,
                                               "product_uom_id": (uom or self.cable.uom_id).id})],
            })
            if confirm:
                sale.action_confirm()
            return sale

        order(2, uom=self.box_10, requested=now - timedelta(days=10))  # 20 units, week 1
        asap = order(5)  # no requested date: the order date, 3 days ago
        self.env.cr.execute("UPDATE sale_order SET date_order = %s WHERE id = %s", [now - timedelta(days=3), asap.id])
        asap.invalidate_recordset(["date_order"])
        order(7, requested=now - timedelta(days=3)).with_context(disable_cancel_warning=True).action_cancel()
        order(9, requested=now + timedelta(days=5))  # still to come: open demand, not history
        order(11, requested=now - timedelta(days=3), confirm=False)  # a quotation asks for nothing yet
        returned = self.env["stock.move"].create({
            "product_id": self.cable.id, "product_uom_qty": 4, "product_uom": self.cable.uom_id.id,
            "location_id": self.customer_location.id, "location_dest_id": self.main.lot_stock_id.id,
            "company_id": self.company.id,
        })
        returned._action_confirm()
        returned.quantity = 4
        returned.picked = True
        returned._action_done()
        returned.date = now - timedelta(days=2)
        run = self.Run.create({"categ_ids": [(6, 0, self.categ.ids)]})
        history = run._read_history(self.main, [self.cable.id], now)
        self.assertEqual(history[(self.cable.id, self.main.id)], [5.0 - 4.0, 20.0, 0.0, 0.0])
        self.company.replenishment_demand_source = "deliveries"
        self.assertNotIn((self.cable.id, self.main.id), run._read_history(self.main, [self.cable.id], now),
                         "nothing shipped")

    def test_service_level_of_the_customer_classes_served(self):
        self.company.write({"replenishment_forecast_method": "auto", "replenishment_safety_method": "service_level",
                            "replenishment_service_level": 95.0, "replenishment_order_trigger": "none"})
        Class = self.env["distribution.customer.class"]
        key = Class.create({"name": "Key accounts (repl)", "code": "KEYREPL", "service_level": 99.0})
        dealers = Class.create({"name": "Dealers (repl)", "code": "DLRREPL", "service_level": 90.0})
        walk_in = Class.create({"name": "Walk-in (repl)", "code": "WALKREPL"})  # no level of its own
        self.cable.list_price = self.breaker.list_price = 10.0  # a margin no approval rule stops

        def customer(name, customer_class):
            partner = self.env["res.partner"].create({"name": name, "is_company": True})
            partner.with_company(self.company).distribution_class_id = customer_class
            return partner

        def order(partner, product, warehouse, days_ago=1):
            sale = self.env["sale.order"].create({
                "partner_id": partner.id, "warehouse_id": warehouse.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            })
            sale.action_confirm()
            self.env.flush_all()
            self.env.cr.execute("UPDATE sale_order SET date_order = %s WHERE id = %s",
                                [fields.Datetime.now() - timedelta(days=days_ago), sale.id])
            sale.invalidate_recordset(["date_order"])
            return sale

        key_customer = customer("Key Hospital (repl)", key)
        dealer = customer("Dealer (repl)", dealers)
        order(customer("Walk-in Shop (repl)", walk_in), self.cable, self.main)
        order(dealer, self.cable, self.main)
        order(key_customer, self.cable, self.branch)
        order(key_customer, self.breaker, self.main, days_ago=40)  # before the 4 weeks of history: not served now
        self.env.invalidate_all()
        run = self.Run.with_user(self.buyer).create({"categ_ids": [(6, 0, self.categ.ids)]})
        warehouses = self.main | self.branch
        levels = run._read_class_service_levels(warehouses, [self.cable.id, self.breaker.id],
                                                fields.Datetime.now(), 4)
        self.assertEqual(levels, {(self.cable.id, self.main.id): 90.0, (self.cable.id, self.branch.id): 99.0})
        # A class's level is a decision: it wins over the company's 95 % even when lower.
        self.assertEqual(run._get_service_level(self.company, self.cable, 90.0), 90.0)
        self.assertEqual(run._get_service_level(self.company, self.breaker, 0.0), 95.0, "nothing set: the company's")
        # With the category's: the higher of the two.
        self.categ.replenishment_service_level = 97.0
        self.assertEqual(run._get_service_level(self.company, self.cable, 90.0), 97.0)
        self.assertEqual(run._get_service_level(self.company, self.cable, 99.0), 99.0)
        self.categ.replenishment_service_level = 0.0
        # The key account orders the cable from the main warehouse too: the highest class wins there.
        order(key_customer, self.cable, self.main)
        for week in range(8):
            self._ship_history(self.cable, self.main, 10, 2 + 7 * week)
        run.action_compute()
        forecast = run.forecast_ids.filtered(lambda f: f.product_id == self.cable and f.warehouse_id == self.main)
        self.assertEqual(forecast.service_level, 99.0)
        # A buyer reads the classes' levels but does not set them (sales managers do).
        with self.assertRaises(AccessError):
            key.with_user(self.buyer).service_level = 80.0
        key.invalidate_recordset()
        self.assertEqual(key.with_user(self.buyer).service_level, 99.0)

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import ReplenishmentCase


@tagged("post_install", "-at_install")
class TestForecastAccuracy(ReplenishmentCase):
    """Stored forecasts scored against the demand of the 4 weeks that followed them (the daily job), their
    retention, and who may see and change them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"replenishment_forecast_method": "auto", "replenishment_forecast_retention_days": 400})
        cls.Forecast = cls.env["distribution.replenishment.forecast"]

    def _planned_weeks_ago(self, days_ago, product=None):
        """A run planned ``days_ago`` days ago by the buyer for ``product`` (the cable), after 8 weeks of 10 a
        week shipped from the main warehouse: its stored forecast (10 a week, 40 over the next 4 weeks)."""
        product = product or self.cable
        planned = fields.Datetime.now() - timedelta(days=days_ago)
        for week in range(8):
            self._ship_history(product, self.main, 10, days_ago + 2 + 7 * week)
        with freeze_time(planned):
            run = self._run(warehouse_ids=[(6, 0, self.main.ids)], product_ids=[(6, 0, product.ids)])
        forecast = run.forecast_ids.filtered(lambda f: f.product_id == product)
        self.assertRecordValues(forecast, [{"date": planned, "qty_forecast_next": 40.0, "naive_scale": 10.0,
                                            "realised_date": False}])
        return run, forecast, planned

    def test_forecast_scored_against_the_demand_that_followed(self):
        run, forecast, planned = self._planned_weeks_ago(30)
        # 30 shipped in the 4 weeks after planning; what was shipped after them does not count.
        for days_after in (2, 10, 20):
            self._ship_history(self.cable, self.main, 10, 30 - days_after)
        self._ship_history(self.cable, self.main, 50, 1)
        # 27 days after: not due yet.
        self.Forecast._score_realised_demand(now=planned + timedelta(days=27), max_runs=10000)
        self.assertFalse(forecast.realised_date)
        scored_on = planned + timedelta(weeks=4)
        self.Forecast._score_realised_demand(now=scored_on, max_runs=10000)
        # Forecast 40, actual 30: error 10 over 4 weeks, scale 10 (a flat history: its mean).
        self.assertRecordValues(forecast.with_user(self.buyer), [{
            "actual_qty": 30.0, "realised_date": scored_on, "realised_mase": 10 / (4 * 10), "realised_bias": 2.5,
        }])
        # Idempotent: run again after more sales dated in the window, nothing changes.
        self._ship_history(self.cable, self.main, 10, 29)
        self.Forecast._score_realised_demand(now=fields.Datetime.now(), max_runs=10000)
        self.assertRecordValues(forecast, [{"actual_qty": 30.0, "realised_date": scored_on}])
        # The report shows the realised error beside the back-tested one, per class and warehouse.
        rows = self.Forecast.with_user(self.buyer)._read_group(
            [("run_id", "=", run.id)], ["demand_class", "warehouse_id"],
            ["backtest_mase:avg", "realised_mase:avg", "realised_bias:avg"],
        )
        self.assertEqual(rows, [("smooth", self.main, 0.0, 0.25, 2.5)])

    def test_scoring_goes_by_batches_of_runs(self):
        self._planned_weeks_ago(40)
        self._planned_weeks_ago(35, product=self.breaker)
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT COUNT(DISTINCT run_id) FROM distribution_replenishment_forecast "
            "WHERE realised_date IS NULL AND date <= %s",
            [fields.Datetime.now() - timedelta(weeks=4)],
        )
        due = self.env.cr.fetchone()[0]
        self.assertGreaterEqual(due, 2)
        self.assertTrue(self.Forecast._score_realised_demand(max_runs=1), "more runs are due: called again")
        self.env.cr.execute(
            "SELECT COUNT(DISTINCT run_id) FROM distribution_replenishment_forecast "
            "WHERE realised_date IS NULL AND date <= %s",
            [fields.Datetime.now() - timedelta(weeks=4)],
        )
        self.assertEqual(self.env.cr.fetchone()[0], due - 1, "one run scored per call of one")
        self.assertFalse(self.Forecast._score_realised_demand(max_runs=due))

    def test_retention_deletes_old_forecasts_only(self):
        run, forecast, _planned = self._planned_weeks_ago(0)
        recent = run.forecast_ids
        old = self.Forecast.sudo().browse(recent.ids).copy({"run_id": run.id})
        # Time passes: the copies were planned 401 days ago, the run's own 399 days ago.
        old.sudo().write({"date": fields.Datetime.now() - timedelta(days=401)})
        recent.sudo().write({"date": fields.Datetime.now() - timedelta(days=399)})
        self.company.replenishment_forecast_retention_days = 0
        self.Forecast._purge_expired_forecasts()
        self.assertTrue(old.exists(), "0: kept for good")
        self.company.replenishment_forecast_retention_days = 400
        self.Forecast._purge_expired_forecasts()
        self.assertFalse(old.exists())
        self.assertEqual(recent.exists(), recent)
        self.assertTrue(run.exists(), "the run stays")

    def test_retention_boundaries(self):
        for days in (0, 35, 400):
            self.company.replenishment_forecast_retention_days = days
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.company.replenishment_forecast_retention_days = 34
        self.company.invalidate_recordset()
        self.assertEqual(self.company.replenishment_forecast_retention_days, 400, "nothing written")

    def test_who_may_see_and_change_forecasts(self):
        _run, forecast, _planned = self._planned_weeks_ago(0)
        rep = new_test_user(self.env, login="repl_rep_fc", groups="sales_team.group_sale_salesman",
                            company_id=self.company.id, company_ids=[self.company.id])
        for user in (rep, self.buyer):
            with self.assertRaises(AccessError):
                forecast.with_user(user).write({"weekly_forecast": 999.0, "actual_qty": 1.0})
        with self.assertRaises(AccessError):
            forecast.with_user(rep).read(["weekly_forecast"])
        with self.assertRaises(AccessError):
            self.Forecast.with_user(self.buyer).create({
                "run_id": forecast.run_id.id, "company_id": self.company.id, "date": fields.Datetime.now(),
                "product_id": self.cable.id, "warehouse_id": self.main.id,
            })
        forecast.invalidate_recordset()
        self.assertRecordValues(forecast, [{"weekly_forecast": 10.0, "actual_qty": 0.0}])
        # Another company's buyer sees none of them.
        company_b = self.env["res.company"].create({"name": "Forecast Co B"})
        buyer_b = new_test_user(self.env, login="repl_buyer_fc_b", groups="purchase.group_purchase_user",
                                company_id=company_b.id, company_ids=[company_b.id])
        self.assertFalse(self.Forecast.with_user(buyer_b).search([("id", "=", forecast.id)]))
        with self.assertRaises(AccessError):
            forecast.with_user(buyer_b).read(["weekly_forecast"])
        self.assertEqual(self.Forecast.with_user(self.buyer).search([("id", "=", forecast.id)]), forecast)

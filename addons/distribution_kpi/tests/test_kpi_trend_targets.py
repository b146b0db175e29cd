from psycopg2.errors import UniqueViolation

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import KpiCase


@tagged("post_install", "-at_install")
class TestKpiTrendAndTargets(KpiCase):
    """The dashboard's last 12 periods per KPI and the company targets its figures are coloured against."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["distribution.kpi.target"].search([]).unlink()  # the demo's, where demo data is loaded

    def test_trend_holds_the_last_twelve_periods(self):
        self._build_earlier_shipment()  # February: shipped whole in 4 days
        self._build_history()
        Dashboard = self.env["distribution.kpi.dashboard"]
        with self.step(12):
            data = Dashboard.get_dashboard_data("month")
            history = Dashboard.get_dashboard_history("month")
        self.assertEqual(len(history["labels"]), 12)
        self.assertEqual(history["labels"][0], "Apr 2025")
        self.assertEqual(history["labels"][-2:], ["Feb 2026", "Mar 2026"])
        for row in data["kpis"]:
            series = history["kpis"][row["key"]]
            self.assertEqual(len(series), 12, row["key"])
            # the trend's last two periods are the table's previous and current figures
            for value, figure in ((series[-1], row["current"]), (series[-2], row["previous"])):
                if figure is None:
                    self.assertIsNone(value, row["key"])
                else:
                    self.assertAlmostEqual(value, figure, places=4, msg=row["key"])
        self.assertEqual(history["kpis"]["ship_median"][:10], [None] * 10, "no figure before February: no bar")
        self.assertAlmostEqual(history["kpis"]["line_fill_rate"][-1], 75.0, places=4)

    def test_weekly_trend_runs_monday_to_sunday(self):
        self._build_history()  # O1 shipped whole Thursday 5 March, O2 Sunday 8 March 12:00
        Dashboard = self.env["distribution.kpi.dashboard"].with_context(lang="en_US")
        with self.step(12):  # Saturday 14 March: the week of Monday 9 March
            data = Dashboard.get_dashboard_data("week")
            history = Dashboard.get_dashboard_history("week")
        self.assertEqual(data["current_label"], "Week of Mar 9, 2026")
        self.assertEqual(history["labels"][-2:], ["Mar 2", "Mar 9"])
        ship = {row["key"]: row for row in data["kpis"]}["ship_median"]
        # Both shipments fall in the week of Monday 2 March (English weeks would start on Sunday 8 March
        # and split them).
        self.assertAlmostEqual(history["kpis"]["ship_median"][-2], ship["previous"], places=4)
        self.assertAlmostEqual(ship["previous"], 4.0, places=4)

    def test_targets_colour_the_current_figure(self):
        Target = self.env["distribution.kpi.target"].with_user(self.sales_manager)
        Target.create([
            {"kpi": "line_fill_rate", "target": 95.0, "company_id": self.company_a.id},
            {"kpi": "ship_median", "target": 4.0, "company_id": self.company_a.id},
        ])
        self._build_history()
        with self.step(12):
            data = self.env["distribution.kpi.dashboard"].with_user(self.sales_manager).get_dashboard_data("month")
        kpis = {row["key"]: row for row in data["kpis"]}
        self.assertEqual((kpis["line_fill_rate"]["target"], kpis["line_fill_rate"]["status"]), (95.0, "missed"),
                         "75% filled, under 95%")
        self.assertEqual((kpis["ship_median"]["target"], kpis["ship_median"]["status"]), (4.0, "met"),
                         "4 days median, at the 4-day target (lower is better)")
        self.assertEqual((kpis["pick_accuracy"]["target"], kpis["pick_accuracy"]["status"]), (None, None))
        self.assertEqual((kpis["return_resolution_median"]["status"]), None, "no figure, no colour")

    def test_target_boundaries(self):
        Target = self.env["distribution.kpi.target"].with_user(self.sales_manager)
        Target.create({"kpi": "line_fill_rate", "target": 100.0})
        Target.create({"kpi": "ship_median", "target": 0.0})
        # (each in a savepoint, as a request is rolled back when it fails)
        with self.assertRaisesRegex(ValidationError, r"KPI target of .* for Pick accuracy.*: 100.5 is not"), \
                self.env.cr.savepoint():
            Target.create({"kpi": "pick_accuracy", "target": 100.5})
        with self.assertRaisesRegex(ValidationError, r"Backorders still open.*-1.0 is not a possible value \(0 or"), \
                self.env.cr.savepoint():
            Target.create({"kpi": "backorders_created", "target": -1.0})
        self.assertFalse(Target.search([("kpi", "in", ("pick_accuracy", "backorders_created"))]),
                         "nothing half-written")

    def test_one_target_per_kpi_and_company(self):
        Target = self.env["distribution.kpi.target"].with_user(self.sales_manager)
        Target.create({"kpi": "qty_fill_rate", "target": 97.0})
        with self.assertRaises(UniqueViolation), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            Target.create({"kpi": "qty_fill_rate", "target": 90.0})
        self.assertEqual(Target.search([("kpi", "=", "qty_fill_rate")]).mapped("target"), [97.0])
        # another company has its own
        self.env["distribution.kpi.target"].with_user(self.manager_b).create(
            {"kpi": "qty_fill_rate", "target": 80.0, "company_id": self.company_b.id}
        )

    def test_only_managers_set_targets(self):
        with self.assertRaises(AccessError):
            self.env["distribution.kpi.target"].with_user(self.salesperson).create(
                {"kpi": "ship_median", "target": 1.0}
            )
        target = self.env["distribution.kpi.target"].with_user(self.stock_manager).create(
            {"kpi": "pick_accuracy", "target": 99.0}
        )
        self.assertEqual(target.with_user(self.picker).target, 99.0, "warehouse users read the targets")
        with self.assertRaises(AccessError):
            target.with_user(self.picker).write({"target": 50.0})
        self.assertEqual(target.target, 99.0)

    def test_targets_stay_in_their_company(self):
        target_a = self.env["distribution.kpi.target"].with_user(self.sales_manager).create(
            {"kpi": "ship_median", "target": 2.0}
        )
        Target_b = self.env["distribution.kpi.target"].with_user(self.manager_b)
        self.assertFalse(Target_b.search([("id", "=", target_a.id)]), "company B does not see A's target")
        with self.assertRaises(AccessError):
            target_a.with_user(self.manager_b).write({"target": 9.0})
        with self.assertRaises(AccessError):
            Target_b.create({"kpi": "invoice_lag_median", "target": 3.0, "company_id": self.company_a.id})
        data = self.env["distribution.kpi.dashboard"].with_user(self.manager_b).with_company(
            self.company_b
        ).get_dashboard_data("month")
        self.assertIsNone({row["key"]: row for row in data["kpis"]}["ship_median"]["target"])

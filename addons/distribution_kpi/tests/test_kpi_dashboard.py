from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import KpiCase


@tagged("post_install", "-at_install")
class TestKpiDashboard(KpiCase):
    """The dashboard's current-vs-previous table and the weekly mail, on the same history."""

    def test_current_and_previous_period(self):
        self._build_earlier_shipment()  # February: shipped whole in 4 days
        self._build_history()
        with self.step(12):
            data = self.env["distribution.kpi.dashboard"].get_dashboard_data("month")
        self.assertEqual(data["current"], ["2026-03-01 00:00:00", "2026-03-15 00:00:00"])
        self.assertEqual(data["previous"], ["2026-02-01 00:00:00", "2026-03-01 00:00:00"])
        self.assertEqual((data["current_label"], data["previous_label"]), ("March 2026", "February 2026"))
        kpis = {row["key"]: row for row in data["kpis"]}
        ship = kpis["ship_median"]
        # March holds the history's 2 and 6 days (O3 is not shipped whole yet), February the 4 days.
        self.assertAlmostEqual(ship["current"], 4.0, places=4)
        self.assertAlmostEqual(ship["previous"], 4.0, places=4)
        self.assertEqual(ship["trend"], "same")
        fill = kpis["line_fill_rate"]
        self.assertAlmostEqual(fill["current"], 75.0, places=4)
        self.assertAlmostEqual(fill["previous"], 100.0, places=4)
        self.assertEqual(fill["trend"], "worse")
        self.assertIsNone(kpis["return_resolution_median"]["current"], "no return: no figure, not a zero")
        self.assertEqual(kpis["ship_median"]["action"], "distribution_kpi.distribution_kpi_order_action")
        self.assertIn({"bucket": "8_14", "label": "8-14 days", "count": 1}, data["backorder_buckets"],
                      "O3's backorder, 10 days old (any other in the database is younger or older)")

    def test_periods(self):
        Dashboard = self.env["distribution.kpi.dashboard"]
        bounds = Dashboard._get_period_bounds("week", "2026-03-12")  # a Thursday
        self.assertEqual([str(bound) for bound in bounds], [
            "2026-03-09 00:00:00", "2026-03-13 00:00:00", "2026-03-02 00:00:00", "2026-03-09 00:00:00",
        ])
        bounds = Dashboard._get_period_bounds("quarter", "2026-05-20")
        self.assertEqual([str(bound) for bound in bounds], [
            "2026-04-01 00:00:00", "2026-05-21 00:00:00", "2026-01-01 00:00:00", "2026-04-01 00:00:00",
        ])
        with self.assertRaisesRegex(UserError, "Unknown KPI period fortnight"):
            Dashboard.get_dashboard_data("fortnight")

    def test_inventory_aging_by_warehouse(self):
        warehouse = self.env["stock.warehouse"].create(
            {"name": "Aging WH", "code": "AGW", "company_id": self.company_a.id}
        )
        Quant = self.env["stock.quant"]
        Quant._update_available_quantity(self.cable, warehouse.lot_stock_id, 10, in_date=self.at(-100))
        Quant._update_available_quantity(self.breaker, warehouse.lot_stock_id, 5, in_date=self.at(-10))
        with self.step(0):
            aging = self.env["distribution.kpi.dashboard"]._get_inventory_aging(self.company_a)
        self.assertEqual(aging["labels"], ["0-30 days", "31-60 days", "61-90 days", "91-180 days", "Over 180 days"])
        [row] = [row for row in aging["rows"] if row["warehouse"] == "Aging WH"]
        self.assertEqual(row["values"], [150.0, 0.0, 0.0, 600.0, 0.0], "5 breakers at 30 and 10 cables at 60")
        self.assertEqual(row["total"], 750.0)

    def _weekly_mail(self):
        """The weekly cron and the jobs it queued, run as the job runner would: the mails sent."""
        with trap_jobs() as trap:
            self.env["distribution.kpi.dashboard"]._cron_send_weekly_kpi_mail()
            jobs = list(trap.enqueued_jobs)
            trap.perform_enqueued_jobs()
        return self.env["mail.mail"].union(*(job.result for job in jobs))

    def test_weekly_mail_is_one_job_per_company_queued_once(self):
        Dashboard = self.env["distribution.kpi.dashboard"]
        with self.step(7), trap_jobs() as trap:
            companies = Dashboard._cron_send_weekly_kpi_mail()
            Dashboard._cron_send_weekly_kpi_mail()  # run again while the jobs wait: nothing more
            self.assertIn(self.company_a, companies)
            trap.assert_jobs_count(len(companies), only=Dashboard._job_send_weekly_kpi_mail)
            trap.assert_enqueued_job(
                Dashboard._job_send_weekly_kpi_mail,
                args=(self.company_a, date(2026, 3, 8)),
                properties={"identity_key": f"distribution_kpi_weekly_mail:{self.company_a.id}:2026-03-08"},
            )

    def test_weekly_mail_once_a_week_to_managers(self):
        self._build_history()
        with self.step(7):  # Monday 9 March: the week of 2 March
            mails = self._weekly_mail()
        mail = mails.filtered(lambda m: self.stock_manager.partner_id in m.recipient_ids)
        self.assertEqual(len(mail), 1)
        self.assertIn(self.sales_manager.partner_id, mail.recipient_ids)
        self.assertNotIn(self.salesperson.partner_id, mail.recipient_ids)
        self.assertNotIn(self.manager_b.partner_id, mail.recipient_ids, "company B's manager gets company B's mail")
        self.assertIn("Week of Mar 2, 2026", mail.subject)
        body = str(mail.body_html)
        for text in ("Order cycle, confirmed to shipped (median)", "Fill rate, lines complete in the first delivery",
                     "Inventory aging", "Key accounts (kpi test)", self.warehouse.name):
            self.assertIn(text, body)
        self.assertIn("75.0 %", body, "the week's fill rate: 3 lines of 4 complete (Monday to Sunday)")
        self.assertEqual(self.company_a.kpi_mail_last_week.isoformat(), "2026-03-08")
        with self.step(8):
            again = self._weekly_mail()
        self.assertFalse(again.filtered(lambda m: self.stock_manager.partner_id in m.recipient_ids), "once a week")
        margins = self.env["distribution.kpi.dashboard"]._get_margin_breakdown(self.company_a, self.at(0), self.at(7))
        [row] = [row for row in margins if row["customer_class"] == "Key accounts (kpi test)"]
        # 20 cables at 100 (cost 60) and 4 breakers at 50 (cost 30): 2,200 sold, 880 margin.
        self.assertAlmostEqual(row["amount"], 2200.0)
        self.assertAlmostEqual(row["margin"], 880.0)
        self.assertAlmostEqual(row["margin_percent"], 40.0)

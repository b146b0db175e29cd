from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..models.distribution_demo_history import PLAYED_PARAM


@tagged("post_install", "-at_install")
class TestDemoHistory(TransactionCase):
    """The demo database's six months of history (the suite's tests always run on a demo database):
    there, varied, and played once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.main_company")
        cls.warehouse = cls.env.ref("stock.warehouse0")
        cls.salesperson = cls.env.ref("base.user_demo")
        cls.sales_manager = cls.env.ref("distribution_order_flow.res_users_sales_manager_demo")
        cls.admin = cls.env.ref("base.user_admin")
        today = fields.Date.context_today(cls.env["distribution.demo.history"])
        cls.today = datetime.combine(today, datetime.min.time())
        cls.orders = cls.env["sale.order"].search([
            ("company_id", "=", cls.company.id), ("warehouse_id", "=", cls.warehouse.id),
            ("user_id", "=", cls.salesperson.id), ("date_order", "<", cls.today - timedelta(days=7)),
        ])

    def test_orders_span_the_past_months(self):
        weeks = {order.date_order.isocalendar()[:2] for order in self.orders}
        self.assertGreaterEqual(len(weeks), 20, "orders taken in at least 20 different weeks")
        self.assertLess(min(self.orders.mapped("date_order")), self.today - timedelta(weeks=24))
        # Mostly done and invoiced, a handful still open.
        closed = self.orders.filtered(lambda o: o.flow_state in ("closed", "invoiced"))
        self.assertGreater(len(closed), len(self.orders) / 2)
        self.assertTrue(self.orders.filtered(lambda o: o.flow_state not in ("closed", "invoiced", "cancelled")))

    def test_approvals_by_another_user(self):
        approved = self.orders.review_ids.filtered(lambda r: r.status == "approved")
        self.assertGreaterEqual(len(approved.mapped("res_id")), 3, "a few orders went through approval")
        self.assertNotIn(self.salesperson, approved.done_by, "never approved by the salesperson")
        approved_orders = self.env["sale.order"].browse(approved.mapped("res_id"))
        self.assertTrue(all(order.state == "sale" for order in approved_orders))

    def test_kpi_dashboard_history(self):
        Dashboard = self.env["distribution.kpi.dashboard"].with_user(self.admin)
        history = Dashboard.get_dashboard_history("month")
        for key in ("ship_median", "line_fill_rate", "pick_accuracy", "invoice_cycle_median"):
            filled = [value for value in history["kpis"][key] if value is not None]
            self.assertGreaterEqual(len(filled), 5, f"{key}: months with a figure")
        fill = [value for value in history["kpis"]["line_fill_rate"] if value is not None]
        self.assertGreater(max(fill) - min(fill), 1.0, "the fill rate varies from month to month")
        returns = [value for value in history["kpis"]["return_resolution_median"] if value is not None]
        self.assertGreaterEqual(len(returns), 3, "returns and claims resolved in several months")
        weekly = Dashboard.get_dashboard_history("week")
        self.assertGreaterEqual(len([v for v in weekly["kpis"]["ship_median"] if v is not None]), 10)
        data = Dashboard.get_dashboard_data("month")
        previous = {row["key"]: row["previous"] for row in data["kpis"]}
        self.assertIsNotNone(previous["ship_median"], "the previous month has a figure")
        self.assertIsNotNone(previous["line_fill_rate"])

    def test_vendors_differ(self):
        rows = self.env["distribution.supplier.performance"].with_user(self.admin).search([
            ("product_id", "=", False), ("company_id", "=", self.company.id), ("receipt_count", ">=", 5),
        ])
        self.assertGreaterEqual(len(rows), 2, "at least two vendors with a record")
        rates = rows.mapped("on_time_rate")
        self.assertGreaterEqual(max(rates) - min(rates), 20.0, "a reliable vendor and an often late one")
        by_vendor = {row.partner_id: row for row in rows}
        helix = by_vendor[self.env.ref("distribution_order_flow.res_partner_helix_cable_demo")]
        ampera = by_vendor[self.env.ref("distribution_order_flow.res_partner_ampera_protection_demo")]
        self.assertGreater(helix.on_time_rate, ampera.on_time_rate)
        self.assertGreater(ampera.delay_days, 0.0)

    def test_invoices_payments_returns_claims(self):
        invoices = self.orders.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        self.assertTrue(invoices.filtered(lambda m: m.payment_state in ("paid", "in_payment")), "invoices paid")
        self.assertTrue(invoices.filtered(lambda m: m.payment_state == "not_paid"), "invoices still open")
        # Paid on their terms, some late.
        paid = invoices.filtered(lambda m: m.payment_state in ("paid", "in_payment"))
        late = paid.filtered(
            lambda m: max(m.matched_payment_ids.mapped("date") or [m.invoice_date]) > m.invoice_date_due
        )
        self.assertTrue(late, "some customers pay late")
        self.assertTrue(paid - late, "most pay on time")
        returns = self.orders.picking_ids.filtered(lambda p: p.return_id and p.state == "done")
        self.assertTrue(returns, "customers returned goods")
        shorts = self.orders.picking_ids.filtered(lambda p: p.backorder_id and p.picking_type_code == "outgoing")
        self.assertTrue(shorts, "short picks left backorders")
        exceptions = self.env["distribution.exception"].search([("sale_order_id", "in", self.orders.ids)])
        codes = set(exceptions.filtered(lambda e: e.state == "resolved").mapped("code"))
        self.assertTrue({"return", "claim"} <= codes, codes)

    def test_played_once(self):
        self.assertTrue(self.env["ir.config_parameter"].sudo().get_param(PLAYED_PARAM))
        count = self.env["sale.order"].search_count([])
        self.assertFalse(self.env["distribution.demo.history"]._play_demo_history(), "a second call does nothing")
        self.assertEqual(self.env["sale.order"].search_count([]), count)

    def test_not_for_users(self):
        """The player is demo data's: a user (even a sales manager) cannot call it, by RPC or otherwise."""
        user = new_test_user(
            self.env, login="demo_history_manager", groups="sales_team.group_sale_manager",
            company_id=self.company.id, company_ids=[self.company.id],
        )
        self.env["ir.config_parameter"].sudo().set_param(PLAYED_PARAM, "")
        count = self.env["sale.order"].search_count([])
        with self.assertRaises(AccessError):
            self.env["distribution.demo.history"].with_user(user)._play_demo_history()
        self.assertEqual(self.env["sale.order"].search_count([]), count, "nothing written")

    def test_invoice_lag_varies(self):
        """Dealers and trade accounts are invoiced on Mondays for the week's deliveries: the invoice lag has
        figures above zero that differ from month to month."""
        history = self.env["distribution.kpi.dashboard"].with_user(self.admin).get_dashboard_history("month")
        lags = [value for value in history["kpis"]["invoice_lag_median"] if value is not None]
        self.assertGreaterEqual(len(lags), 5, "months with an invoice lag")
        self.assertGreaterEqual(len([lag for lag in lags if lag > 0.5]), 4, lags)
        self.assertGreaterEqual(len({round(lag, 1) for lag in lags}), 3, f"the lag varies: {lags}")
        trade = self.orders.filtered(lambda o: o.partner_id.commercial_partner_id.distribution_class_id.code == "TRADE")
        self.assertTrue(trade.invoice_ids, "trade accounts are invoiced")
        self.assertFalse(trade.filtered("invoice_on_delivery"))

    def test_credit_notes_mostly_paid(self):
        credit_notes = self.orders.invoice_ids.filtered(lambda m: m.move_type == "out_refund" and m.state == "posted")
        self.assertTrue(credit_notes, "returns credited (a return before the statement only lowers the invoice)")
        paid = credit_notes.filtered(lambda m: m.payment_state in ("paid", "in_payment"))
        self.assertGreater(len(paid), len(credit_notes) / 2, "most credit notes are paid back")

    def test_planner_forecasts_per_method(self):
        run = self.env.ref("distribution_replenishment.distribution_replenishment_run_demo")
        self.assertEqual(self.company.replenishment_forecast_method, "auto")
        forecasts = self.env["distribution.replenishment.forecast"].with_user(self.admin).search(
            [("run_id", "=", run.id)]
        )
        self.assertTrue(forecasts, "the demo run kept its forecasts")
        self.assertTrue(all(forecasts.mapped("method")), "each with the method chosen for it")
        self.assertGreaterEqual(len(set(forecasts.mapped("demand_class"))), 2, "products of several demand classes")
        self.assertTrue(forecasts.filtered("backtest_count"), "back-tested on the history")
        pairs = {(forecast.product_id, forecast.warehouse_id) for forecast in forecasts}
        self.assertEqual(len(pairs), len(forecasts), "one per product x warehouse: recomputing replaced the first")

    def test_core_demo_out_of_sight(self):
        """Odoo's furniture shop (put out of sight by the order flow's demo) is in none of the suite's lists:
        orders at risk, the exception queue, the planner."""
        SaleOrder = self.env["sale.order"].with_user(self.admin)
        at_risk = SaleOrder.search([("at_risk", "=", True)])
        self.assertTrue(at_risk, "the demo distributor's own orders at risk")
        self.assertTrue(all(order.partner_id.commercial_partner_id.active for order in at_risk), at_risk.partner_id)
        exceptions = self.env["distribution.exception"].with_user(self.admin).search(
            [("state", "in", ("new", "in_progress", "waiting"))]
        )
        self.assertTrue(exceptions)
        self.assertFalse(exceptions.filtered(lambda e: (e.partner_id and not e.partner_id.active)
                                             or (e.product_id and not e.product_id.active)))
        run = self.env.ref("distribution_replenishment.distribution_replenishment_run_demo")
        self.assertTrue(run.line_ids)
        self.assertTrue(all(line.product_id.active for line in run.line_ids), "only the distributor's goods planned")

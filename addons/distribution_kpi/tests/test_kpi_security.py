from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import KpiCase

REPORTS = ["distribution.kpi.order", "distribution.kpi.fill", "distribution.kpi.backorder", "distribution.kpi.pick",
           "distribution.kpi.return"]


@tagged("post_install", "-at_install")
class TestKpiSecurity(KpiCase):
    """Who reads which KPI, per role and per company."""

    def _delivered_order(self):
        self._stock(self.cable, 10)
        order = self._order([(self.cable, 10, None, 0.0)])
        order.with_user(self.salesperson).action_confirm()
        self._validate(order.picking_ids, {self.cable: 6})
        return order

    def test_salesperson_own_documents_reads_no_report(self):
        for model in REPORTS:
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.salesperson).search([])
        with self.assertRaises(AccessError):
            self.env["distribution.kpi.dashboard"].with_user(self.salesperson).get_dashboard_data("month")

    def test_sales_manager_reads_every_report_of_its_company(self):
        order = self._delivered_order()
        for model in REPORTS:
            self.env[model].with_user(self.sales_manager).search([])
        self.assertTrue(self.KpiFill.with_user(self.sales_manager).search([("order_id", "=", order.id)]))
        self.assertTrue(
            self.KpiPick.with_user(self.sales_manager).search([("picking_id", "in", order.picking_ids.ids)])
        )
        data = self.env["distribution.kpi.dashboard"].with_user(self.sales_manager).get_dashboard_data("month")
        self.assertEqual(len(data["kpis"]), 10)

    def test_other_company_sees_nothing(self):
        order = self._delivered_order()
        for model, field in (("distribution.kpi.order", "order_id"), ("distribution.kpi.fill", "order_id"),
                             ("distribution.kpi.backorder", "sale_order_id")):
            with self.subTest(model=model):
                self.assertTrue(self.env[model].with_user(self.sales_manager).search([(field, "=", order.id)]))
                self.assertFalse(self.env[model].with_user(self.manager_b).search([(field, "=", order.id)]))
        self.assertFalse(self.KpiPick.with_user(self.manager_b).search([("picking_id", "in", order.picking_ids.ids)]))

    def test_warehouse_roles(self):
        order = self._delivered_order()
        picker = self.picker
        self.assertTrue(self.KpiBackorder.with_user(picker).search([("sale_order_id", "=", order.id)]))
        self.assertTrue(self.KpiFill.with_user(picker).search([("order_id", "=", order.id)]))
        for model in ("distribution.kpi.pick", "distribution.kpi.order"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(picker).search([])
        self.assertTrue(
            self.KpiPick.with_user(self.stock_manager).search([("picking_id", "in", order.picking_ids.ids)])
        )
        self.assertTrue(self.KpiOrder.with_user(self.stock_manager).search([("order_id", "=", order.id)]))
        data = self.env["distribution.kpi.dashboard"].with_user(self.stock_manager).get_dashboard_data("week")
        self.assertEqual(len(data["kpis"]), 10, "inventory managers read the dashboard without sales rights")

    def test_salesperson_sees_own_orders_at_risk(self):
        mine = self._order([(self.cable, 10, None, 0.0)])
        mine.with_user(self.salesperson).action_confirm()
        theirs = self._order([(self.cable, 10, None, 0.0)], user=self.sales_manager)
        theirs.with_user(self.sales_manager).action_confirm()
        self._check_risk()
        self.assertEqual((mine | theirs).mapped("at_risk"), [True, True])
        at_risk = self.env["sale.order"].with_user(self.salesperson).search([("at_risk", "=", True)])
        self.assertIn(mine, at_risk)
        self.assertNotIn(theirs, at_risk)
        self.assertIn(theirs, self.env["sale.order"].with_user(self.sales_manager).search([("at_risk", "=", True)]))

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestKpiTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="kpi_tour_manager", groups="sales_team.group_sale_manager,stock.group_stock_manager"
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Tour Unstocked Reel", "is_storable": True, "list_price": 10}
        )
        cls.customer = cls.env["res.partner"].create({"name": "Tour Risky Customer", "is_company": True})
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "user_id": cls.manager.id,
                "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": 5})],
            }
        )
        cls.order.action_confirm()
        cls.order._refresh_delivery_risk()  # as the at-risk cron does within minutes
        cls.env["distribution.kpi.target"].search([("kpi", "=", "line_fill_rate")]).unlink()  # demo's
        cls.env["distribution.kpi.target"].create({"kpi": "line_fill_rate", "target": 96.5})

    def test_manager_reads_the_dashboard(self):
        self.start_tour("/odoo/action-distribution_kpi.distribution_kpi_dashboard_action", "distribution_kpi_dashboard",
                        login=self.manager.login)

    def test_customer_service_works_the_orders_at_risk(self):
        self.assertTrue(self.order.at_risk)
        self.start_tour("/odoo/action-distribution_kpi.sale_order_action_at_risk", "distribution_kpi_orders_at_risk",
                        login=self.manager.login)


@tagged("post_install", "-at_install")
class TestSalesHomeTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rep = new_test_user(cls.env, login="kpi_tour_rep", groups="sales_team.group_sale_salesman")
        product = cls.env["product.product"].create(
            {"name": "Home Unstocked Drum", "is_storable": True, "list_price": 10}
        )
        customer = cls.env["res.partner"].create({"name": "Tour Home Customer", "is_company": True})
        order = cls.env["sale.order"].with_user(cls.rep).create(
            {
                "partner_id": customer.id,
                "user_id": cls.rep.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 5})],
            }
        )
        order.action_confirm()
        order._refresh_delivery_risk()  # as the 5-minute cron does for the orders changed
        cls.order = order

    def test_salesperson_lands_on_the_counts(self):
        self.assertTrue(self.order.at_risk)
        self.start_tour("/odoo/sales", "distribution_kpi_sales_home", login=self.rep.login)

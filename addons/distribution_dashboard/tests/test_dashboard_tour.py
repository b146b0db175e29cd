from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestDashboardTour(HttpCase):
    def test_sales_manager_opens_the_sales_dashboard(self):
        manager = self.env.ref("distribution_order_flow.res_users_sales_manager_demo")
        manager.password = manager.login
        self.start_tour("/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
                        "distribution_dashboard_sales", login=manager.login)

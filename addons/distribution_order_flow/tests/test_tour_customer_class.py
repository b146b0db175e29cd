from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCustomerClassTour(HttpCase):
    def test_sales_manager_creates_a_class(self):
        new_test_user(self.env, login="dist_tour_manager", groups="sales_team.group_sale_manager")
        self.start_tour(
            "/odoo/action-distribution_order_flow.distribution_customer_class_action",
            "distribution_customer_class_tour",
            login="dist_tour_manager",
        )
        created = self.env["distribution.customer.class"].search([("code", "=", "HOSP")])
        self.assertRecordValues(
            created,
            [{"name": "Hospitals", "priority": 90, "ship_policy": "complete", "invoice_on_delivery": True}],
        )

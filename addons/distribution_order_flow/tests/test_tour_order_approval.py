from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestOrderApprovalTour(HttpCase):
    def test_salesperson_requests_manager_approves(self):
        rep = new_test_user(self.env, login="dist_tour_rep", groups="sales_team.group_sale_salesman")
        new_test_user(self.env, login="dist_tour_boss", groups="sales_team.group_sale_manager")
        customer = self.env["res.partner"].create({"name": "Tour Retail Chain", "is_company": True})
        product = self.env["product.product"].create(
            {"name": "Tour Cable", "is_storable": True, "list_price": 100.0, "standard_price": 50.0}
        )
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        self.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 100)
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": rep.id,
                "warehouse_id": warehouse.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 5, "discount": 15.0})],
            }
        )
        url = f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}"
        self.start_tour(url, "distribution_order_approval_rep_request", login="dist_tour_rep")
        self.assertEqual(order.flow_state, "to_approve")
        self.start_tour(url, "distribution_order_approval_manager_validate", login="dist_tour_boss")
        self.assertEqual(order.validation_status, "validated")
        self.start_tour(url, "distribution_order_approval_rep_confirm", login="dist_tour_rep")
        self.assertEqual(order.state, "sale")
        self.assertEqual(
            order.flow_event_ids.sorted(lambda e: (e.date, e.id)).mapped("state_to"),
            ["quotation", "to_approve", "approved", "reserved"],
        )

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestAtpTour(HttpCase):
    def test_rep_sources_from_branch_and_confirms(self):
        rep = new_test_user(
            self.env, login="atp_tour_rep", groups="sales_team.group_sale_salesman,stock.group_stock_user"
        )
        main = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        branch = self.env["stock.warehouse"].create({"name": "Tour ATP Branch", "code": "TATP"})
        product = self.env["product.product"].create(
            {"name": "Tour ATP Cable", "is_storable": True, "list_price": 10.0, "standard_price": 5.0}
        )
        self.env["stock.quant"]._update_available_quantity(product, main.lot_stock_id, 2)
        self.env["stock.quant"]._update_available_quantity(product, branch.lot_stock_id, 20)
        customer = self.env["res.partner"].create({"name": "Tour ATP Customer", "is_company": True})
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": rep.id,
                "warehouse_id": main.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 8})],
            }
        )
        self.start_tour(f"/odoo/sales/{order.id}", "distribution_atp_source_confirm", login=rep.login)
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.commitment_date)
        self.assertEqual(order.order_line.warehouse_id, branch)
        self.assertEqual(order.picking_ids.picking_type_id.warehouse_id, branch)

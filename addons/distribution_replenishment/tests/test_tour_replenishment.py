from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestReplenishmentTour(HttpCase):
    def test_buyer_computes_and_executes(self):
        buyer = new_test_user(
            self.env, login="repl_tour_buyer", groups="purchase.group_purchase_user,stock.group_stock_user"
        )
        vendor = self.env["res.partner"].create({"name": "Tour Vendor", "is_company": True})
        categ = self.env["product.category"].create({"name": "Tour replenishment"})
        product = self.env["product.product"].create(
            {
                "name": "Tour Breaker",
                "is_storable": True,
                "categ_id": categ.id,
                "seller_ids": [Command.create({"partner_id": vendor.id, "price": 4.0, "delay": 3})],
                "route_ids": [Command.link(self.env.ref("purchase_stock.route_warehouse0_buy").id)],
            }
        )
        main = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        branch = self.env["stock.warehouse"].create({"name": "Tour Branch", "code": "TBR"})
        branch.resupply_wh_ids = [(4, main.id)]
        self.env["stock.quant"]._update_available_quantity(product, main.lot_stock_id, 4)
        move = self.env["stock.move"].create(
            {
                "product_id": product.id,
                "product_uom_qty": 10,
                "product_uom": product.uom_id.id,
                "location_id": branch.lot_stock_id.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
            }
        )
        move._action_confirm()
        run = self.env["distribution.replenishment.run"].with_user(buyer).create({"categ_ids": [(6, 0, categ.ids)]})
        self.start_tour(f"/odoo/action-distribution_replenishment.distribution_replenishment_run_action/{run.id}",
                        "distribution_replenishment_plan_execute", login=buyer.login)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.purchase_ids.order_line.product_qty, 6.0)
        self.assertEqual(run.purchase_ids.partner_id, vendor)
        self.assertTrue(run.picking_ids.filtered(lambda p: p.location_id.warehouse_id == main))

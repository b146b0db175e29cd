from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCreditHoldTour(HttpCase):
    def test_controller_holds_warehouse_is_stopped_controller_releases(self):
        # The held order keeps its reservation (the company's default; the demo company releases it).
        self.env.company.write(
            {"distribution_credit_hold_unreserve": False, "distribution_credit_overdue_check": False}
        )
        new_test_user(self.env, login="dist_tour_credit", groups="distribution_order_flow.group_credit_controller")
        new_test_user(self.env, login="dist_tour_shipper", groups="stock.group_stock_user")
        customer = self.env["res.partner"].create({"name": "Tour Slow Payer", "is_company": True})
        product = self.env["product.product"].create(
            {"name": "Tour Conduit", "is_storable": True, "list_price": 30.0, "standard_price": 15.0}
        )
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        self.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 10)
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "warehouse_id": warehouse.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 4})],
            }
        )
        order.action_confirm()
        order_url = f"/odoo/action-sale.action_orders/{order.id}"
        self.start_tour(order_url, "distribution_credit_hold_put", login="dist_tour_credit")
        self.assertTrue(order.credit_hold)
        self.assertIn("put by a credit controller: Customer disputes invoice INV/42",
                      " ".join(order.message_ids[:3].mapped("body")))
        picking = order.picking_ids
        picking.move_ids.picked = True
        self.start_tour(f"/odoo/stock.picking/{picking.id}", "distribution_credit_hold_goods_issue",
                        login="dist_tour_shipper")
        self.assertEqual(picking.state, "assigned")
        self.start_tour(order_url, "distribution_credit_hold_release", login="dist_tour_credit")
        self.assertFalse(order.credit_hold)
        self.assertIn("Dispute settled, payment received", " ".join(order.message_ids[:3].mapped("body")))
        picking.with_user(self.env.ref("base.user_admin")).button_validate()
        self.assertEqual(picking.state, "done")

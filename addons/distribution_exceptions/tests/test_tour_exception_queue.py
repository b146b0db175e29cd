from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestExceptionQueueTour(HttpCase):
    def test_short_pick_raised_taken_and_resolved(self):
        picker = new_test_user(self.env, login="exc_tour_picker", groups="stock.group_stock_user")
        worker = new_test_user(
            self.env,
            login="exc_tour_worker",
            groups="distribution_exceptions.group_exception_user,stock.group_stock_user",
        )
        customer = self.env["res.partner"].create({"name": "Tour Short Customer", "is_company": True})
        product = self.env["product.product"].create(
            {"name": "Tour Conduit", "is_storable": True, "list_price": 4.0, "standard_price": 2.0}
        )
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        self.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 50)
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "warehouse_id": warehouse.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 10})],
            }
        )
        order.action_confirm()
        picking = order.picking_ids

        self.start_tour(f"/odoo/stock.picking/{picking.id}", "distribution_exception_short_pick", login=picker.login)
        short = self.env["distribution.exception"].search(
            [("code", "=", "short_pick"), ("picking_id", "=", picking.id)]
        )
        self.assertEqual(len(short), 1)
        self.assertEqual(len(picking.backorder_ids), 1)
        self.assertTrue(
            self.env["distribution.exception"].search(
                [("code", "=", "backorder"), ("picking_id", "=", picking.backorder_ids.id)]
            )
        )

        self.start_tour(
            "/odoo/action-distribution_exceptions.distribution_exception_action", "distribution_exception_queue",
            login=worker.login,
        )
        self.assertRecordValues(short, [{"state": "resolved", "user_id": worker.id, "resolved_by_id": worker.id}])
        self.assertIn("next Tuesday", short.resolution)

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPromiseReplanTour(HttpCase):
    def test_short_receipt_replans_the_orders_waiting_for_it(self):
        company = self.env.company
        company.write({"distribution_credit_hold_unreserve": False, "distribution_credit_overdue_check": False})
        storekeeper = new_test_user(self.env, login="replan_tour_storekeeper", groups="stock.group_stock_user")
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        vendor = self.env["res.partner"].create({"name": "Tour Cable Mill", "is_company": True})
        cable = self.env["product.product"].create({
            "name": "Tour Replan Cable", "is_storable": True, "list_price": 100.0,
            "seller_ids": [Command.create({"partner_id": vendor.id, "price": 50, "delay": 20})],
        })
        Class = self.env["distribution.customer.class"]
        key = Class.create({"name": "Tour Key (replan)", "code": "TRPK", "priority": 95})
        dealer = Class.create({"name": "Tour Dealer (replan)", "code": "TRPD", "priority": 5})
        Partner = self.env["res.partner"]
        key_account = Partner.create({"name": "Tour Key Account", "is_company": True,
                                      "distribution_class_id": key.id})
        small_dealer = Partner.create({"name": "Tour Small Dealer", "is_company": True,
                                       "distribution_class_id": dealer.id})
        orders = self.env["sale.order"].create([
            {"partner_id": partner.id, "warehouse_id": warehouse.id,
             "order_line": [Command.create({"product_id": cable.id, "product_uom_qty": 5})]}
            for partner in (key_account, small_dealer)
        ])
        orders.action_confirm()  # nothing in stock: both wait for the receipt
        suppliers = self.env.ref("stock.stock_location_suppliers")
        expected = fields.Datetime.now() + timedelta(days=3)
        receipt = self.env["stock.picking"].create({
            "picking_type_id": warehouse.in_type_id.id,
            "partner_id": vendor.id,
            "location_id": suppliers.id,
            "location_dest_id": warehouse.lot_stock_id.id,
            "scheduled_date": expected,
            "move_ids": [Command.create({
                "product_id": cable.id, "product_uom_qty": 10, "product_uom": cable.uom_id.id,
                "location_id": suppliers.id, "location_dest_id": warehouse.lot_stock_id.id, "date": expected,
            })],
        })
        receipt.action_confirm()
        self.start_tour(f"/odoo/action-stock.action_picking_tree_all/{receipt.id}",
                        "distribution_receipt_short_replans", login=storekeeper.login)
        self.assertEqual(receipt.state, "done")
        self.assertEqual(receipt.move_ids.quantity, 6.0)
        self.assertTrue(receipt.backorder_ids, "the 4 missing are a backorder")
        key_order, dealer_order = orders
        key_line, dealer_line = key_order.order_line, dealer_order.order_line
        # The key account is served from the 6 received; the dealer waits for the backorder (or the vendor).
        self.assertFalse(key_line.distribution_replanned_date, "nothing left to wait for")
        self.assertTrue(dealer_line.distribution_replanned_date, "the dealer's line is re-planned")
        self.assertIn("Tour Replan Cable", " ".join(dealer_order.message_ids.mapped("body")))

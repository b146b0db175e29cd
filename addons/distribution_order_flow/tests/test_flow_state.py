from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_order import OrderFlowCase


@tagged("post_install", "-at_install")
class TestFlowState(OrderFlowCase):
    def test_full_run_with_one_event_per_transition(self):
        order = self._order([(self.cable, 10, 100.0, 15.0)])
        self.assertEqual(order.flow_state, "quotation")
        order.with_user(self.salesperson).request_validation()
        self.assertEqual(order.flow_state, "to_approve")
        self._approve(order, self.sales_manager)
        order.with_user(self.sales_manager).env.flush_all()  # the end of the manager's request
        self.assertEqual(order.flow_state, "approved")
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.flow_state, "confirmed", "no stock: nothing reserved")
        self._stock(self.cable, 4)
        order.picking_ids.action_assign()
        self.assertEqual(order.flow_state, "partially_reserved")
        self._deliver(order, {self.cable: 4})
        self.assertEqual(order.flow_state, "partially_shipped")
        self._stock(self.cable, 6)
        order.picking_ids.filtered(lambda p: p.state != "done").action_assign()
        self.assertEqual(order.flow_state, "partially_shipped", "reserving the backorder doesn't undo shipping")
        self._deliver(order)
        self.assertEqual(order.flow_state, "shipped")
        invoices = self._invoice(order)
        self.assertEqual(order.flow_state, "invoiced")
        self._pay(invoices)
        self.assertEqual(order.flow_state, "closed")
        self.assertEqual(
            self._events(order),
            ["quotation", "to_approve", "approved", "confirmed", "partially_reserved", "partially_shipped",
             "shipped", "invoiced", "closed"],
        )
        events = order.flow_event_ids.sorted(lambda event: (event.date, event.id))
        self.assertEqual(events[0].state_from, False)
        for previous, event in zip(events, events[1:], strict=False):
            self.assertEqual(event.state_from, previous.state_to, "each event starts where the last ended")
        self.assertEqual(events.filtered(lambda e: e.state_to == "approved").user_id, self.sales_manager)

    def test_reserved_when_stock_is_there(self):
        self._stock(self.cable, 50)
        self._stock(self.breaker, 50)
        order = self._order([(self.cable, 5, None, 0.0), (self.breaker, 5, None, 0.0)])
        order.action_confirm()
        self.assertEqual(order.flow_state, "reserved")

    def test_cancel_and_reopen(self):
        order = self._order([(self.cable, 1, None, 0.0)])
        order.action_confirm()
        order._action_cancel()
        self.assertEqual(order.flow_state, "cancelled")
        order.action_draft()
        self.assertEqual(order.flow_state, "quotation")
        self.assertEqual(self._events(order), ["quotation", "confirmed", "cancelled", "quotation"])

    def test_invoiced_when_the_invoice_is_posted(self):
        order = self._order([(self.service, 1, None, 0.0)])
        order.action_confirm()
        invoices = order._create_invoices()
        self.assertEqual(order.invoice_status, "invoiced", "Odoo counts the draft")
        self.assertEqual(order.flow_state, "shipped", "a draft invoice has not reached the customer")
        invoices.action_post()
        self.assertEqual(order.flow_state, "invoiced")

    def test_service_only_order(self):
        order = self._order([(self.service, 1, None, 0.0)])
        order.action_confirm()
        self.assertEqual(order.flow_state, "shipped", "nothing to deliver")
        invoices = self._invoice(order)
        self.assertEqual(order.flow_state, "invoiced")
        self._pay(invoices)
        self.assertEqual(order.flow_state, "closed")

    def test_goods_and_service_ship_on_goods(self):
        self._stock(self.cable, 10)
        order = self._order([(self.cable, 2, None, 0.0), (self.service, 1, None, 0.0)])
        order.action_confirm()
        self.assertEqual(order.flow_state, "reserved")
        self._deliver(order)
        self.assertEqual(order.flow_state, "shipped")

    def test_no_backorder_closes_the_shipping(self):
        self._stock(self.cable, 10)
        order = self._order([(self.cable, 10, None, 0.0)])
        order.action_confirm()
        self._deliver(order, {self.cable: 6}, backorder=False)
        # The rest will never ship: the order is partially shipped until the rep decreases it.
        self.assertEqual(order.flow_state, "partially_shipped")
        order.order_line.product_uom_qty = 6
        self.assertEqual(order.flow_state, "shipped")

    def test_pick_ship_warehouse(self):
        self.warehouse.delivery_steps = "pick_ship"
        self._stock(self.cable, 10)
        order = self._order([(self.cable, 3, None, 0.0)], warehouse_id=self.warehouse.id)
        order.action_confirm()
        pick = order.picking_ids
        self.assertEqual(pick.picking_type_id, self.warehouse.pick_type_id)
        self.assertEqual(order.flow_state, "reserved", "the pick is reserved")
        self._deliver(order)  # the pick
        ship = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(ship.picking_type_id, self.warehouse.out_type_id, "the goods wait at the dock")
        self.assertEqual(order.flow_state, "reserved", "picked goods are still to ship")
        self._deliver(order)  # the delivery
        self.assertEqual(order.flow_state, "shipped")

    def test_dropship_line(self):
        vendor = self.env["res.partner"].create({"name": "Lumenor Lighting"})
        dropship_route = self.env.ref("stock_dropshipping.route_drop_shipping")
        lamp = self.env["product.product"].create(
            {
                "name": "High bay 150W",
                "is_storable": True,
                "list_price": 300.0,
                "standard_price": 200.0,
                "route_ids": [Command.link(dropship_route.id)],
                "taxes_id": False,
                "supplier_taxes_id": False,
                "seller_ids": [Command.create({"partner_id": vendor.id, "price": 200.0})],
            }
        )
        order = self._order([(lamp, 2, None, 0.0)])
        order.action_confirm()
        self.assertEqual(order.flow_state, "confirmed")
        purchase = order._get_purchase_orders()
        self.assertTrue(purchase)
        purchase.sudo().button_confirm()
        dropship = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(dropship.location_dest_id.usage, "customer")
        self._deliver(order)
        self.assertEqual(order.flow_state, "shipped")

    def test_bad_line_values_are_refused_and_nothing_is_written(self):
        orders_before = self.env["sale.order"].search_count([])
        with self.assertRaisesRegex(
            ValidationError, r"line Cable 3G2.5: the discount must be between 0% and 100% \(got 120"
        ):
            with self.cr.savepoint():
                self._order([(self.breaker, 1, None, 5.0), (self.cable, 1, None, 120.0)])
        with self.assertRaisesRegex(ValidationError, r"payment term #999999 does not exist"):
            with self.cr.savepoint():
                self._order([(self.breaker, 1, None, 0.0)], payment_term_id=999999)
        self.assertEqual(self.env["sale.order"].search_count([]), orders_before)
        order = self._order([(self.breaker, 1, None, 0.0)])
        with self.assertRaisesRegex(ValidationError, rf"Order {order.name}: payment term #999999"):
            with self.cr.savepoint():
                order.write({"payment_term_id": 999999, "client_order_ref": "PO-1"})
        order.invalidate_recordset()
        self.assertFalse(order.client_order_ref)
        with self.assertRaisesRegex(ValidationError, rf"Order {order.name}, line Breaker 16A: the discount"):
            with self.cr.savepoint():
                order.order_line.discount = -1

    def test_negative_line_is_goods_coming_back_as_in_core(self):
        """Core accepts a line of -N: a return from the customer on the order, invoiced as a refund
        line. The suite accepts it too; the order is shipped once as much came back."""
        order = self._order([(self.breaker, -2, None, 0.0)])
        order.action_confirm()
        self.assertEqual(order.flow_state, "reserved", "nothing came back yet; the receipt is ready")
        incoming = order.picking_ids
        self.assertEqual(incoming.location_id.usage, "customer")
        incoming.move_ids.quantity = 2
        incoming.move_ids.picked = True
        incoming.button_validate()
        self.assertEqual(order.order_line.qty_delivered, -2.0)
        self.assertEqual(order.flow_state, "shipped")

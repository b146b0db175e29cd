from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common_order import OrderFlowCase


@tagged("post_install", "-at_install")
class TestFlowSecurity(OrderFlowCase):
    def test_salesperson_sees_events_of_own_orders_only(self):
        own = self._order([(self.breaker, 1, None, 0.0)])
        other_rep = new_test_user(self.env, login="dist_other_rep", groups="sales_team.group_sale_salesman")
        others = self._order([(self.breaker, 1, None, 0.0)], user=other_rep)
        Event = self.env["sale.order.flow.event"].with_user(self.salesperson)
        visible = Event.search([("order_id", "in", (own | others).ids)])
        self.assertEqual(visible.order_id, own)
        self.assertEqual(own.with_user(self.salesperson).flow_event_ids.mapped("state_to"), ["quotation"])

    def test_nobody_edits_events(self):
        order = self._order([(self.breaker, 1, None, 0.0)])
        event = order.flow_event_ids
        for user in (self.salesperson, self.sales_manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    event.with_user(user).write({"state_to": "closed"})
                with self.assertRaises(AccessError):
                    event.with_user(user).unlink()
                with self.assertRaises(AccessError):
                    self.env["sale.order.flow.event"].with_user(user).create(
                        {"order_id": order.id, "state_to": "closed"}
                    )

    def test_events_are_isolated_per_company(self):
        order = self._order([(self.breaker, 1, None, 0.0)])
        Event = self.env["sale.order.flow.event"].with_user(self.manager_b)
        self.assertFalse(Event.search([("order_id", "=", order.id)]))
        with self.assertRaises(AccessError):
            order.flow_event_ids.with_user(self.manager_b).read(["state_to"])

    def test_warehouse_user_validating_records_the_event(self):
        stock_user = new_test_user(self.env, login="dist_picker", groups="stock.group_stock_user")
        self._stock(self.breaker, 5)
        order = self._order([(self.breaker, 2, None, 0.0)])
        order.action_confirm()
        picking = order.picking_ids
        picking = picking.with_user(stock_user)
        picking.move_ids.quantity = 2
        picking.move_ids.picked = True
        picking.button_validate()
        picking.env.flush_all()  # the end of the warehouse user's request
        self.assertEqual(order.flow_state, "shipped")
        shipped = order.flow_event_ids.filtered(lambda e: e.state_to == "shipped")
        self.assertEqual(shipped.user_id, stock_user)

    def test_credit_controller_group_is_distinct_from_sales_manager(self):
        self.assertFalse(self.sales_manager.has_group("distribution_order_flow.group_credit_controller"))
        self.assertFalse(self.credit_controller.has_group("sales_team.group_sale_manager"))

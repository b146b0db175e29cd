from odoo import Command
from odoo.tests import tagged

from .common_order import OrderFlowCase


@tagged("post_install", "-at_install")
class TestFlowQueries(OrderFlowCase):
    """The suite's work on an order (flow state, indicators, approval check, events) must not cost
    queries per line."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.products = cls.env["product.product"].create(
            [
                {"name": f"Fitting {i}", "is_storable": True, "list_price": 10.0 + i, "standard_price": 5.0}
                for i in range(20)
            ]
        )
        for product in cls.products:
            cls.env["stock.quant"]._update_available_quantity(product, cls.stock_location, 1000)

    def _order_of(self, count):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create({"product_id": p.id, "product_uom_qty": 2}) for p in self.products[:count]
                ],
            }
        )
        self.env.flush_all()
        self.env.invalidate_all()
        return order

    def _suite_queries(self, order):
        """Queries of what the suite adds to a confirmation: the approval check (credit refresh,
        rules) and the flow state with its event."""
        before = self.cr.sql_log_count
        order._confirmation_error_message()
        self.env.add_to_compute(order._fields["flow_state"], order)
        order._recompute_recordset(["flow_state"])
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def test_suite_queries_do_not_grow_with_lines(self):
        # Warm the caches (tier definitions, groups, translations) as a running server has them.
        self._suite_queries(self._order_of(1))
        self.env.invalidate_all()
        small, large = self._order_of(5), self._order_of(20)
        self.env.invalidate_all()
        small_count = self._suite_queries(small)
        self.env.invalidate_all()
        large_count = self._suite_queries(large)
        self.assertLessEqual(large_count, small_count + 2, f"5 lines: {small_count} queries, 20 lines: {large_count}")

    def test_confirm_20_lines_query_budget(self):
        order = self._order_of(20)
        self._order_of(20).action_confirm()  # warm-up: routes, sequences, caches
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        order.action_confirm()
        self.env.flush_all()
        count = self.cr.sql_log_count - before
        self.assertLessEqual(count, CONFIRM_20_LINES_QUERIES, f"confirming 20 lines took {count} queries")
        self.assertEqual(order.flow_state, "reserved")


# Measured on Odoo 19 with the suite: 337 queries (core's confirmation, procurement and reservation
# included; the suite's part is 12 and does not depend on the number of lines). The margin absorbs
# differences of installed modules and demo data; a jump beyond it means a regression to look at.
CONFIRM_20_LINES_QUERIES = 360

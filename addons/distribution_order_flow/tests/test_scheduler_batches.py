from unittest.mock import patch

from psycopg2 import OperationalError

from odoo.tests import TransactionCase, tagged

from odoo.addons.distribution_order_flow.models import stock_move as stock_move_module


@tagged("post_install", "-at_install")
class TestSchedulerBatches(TransactionCase):
    """The scheduler's own committing run reserves in short transactions: by product, a few moves at a time,
    each batch committed (here: counted) before the next, so its quant locks are held for one batch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.env.company.id)], limit=1)
        customers = cls.env.ref("stock.stock_location_customers")
        cls.products = cls.env["product.product"].create(
            [{"name": f"Scheduler batch product {index}", "is_storable": True} for index in range(3)]
        )
        values = []
        for product in cls.products:
            cls.env["stock.quant"]._update_available_quantity(product, cls.warehouse.lot_stock_id, 3)
            values += [
                {"product_id": product.id, "product_uom_qty": 1, "product_uom": product.uom_id.id,
                 "location_id": cls.warehouse.lot_stock_id.id, "location_dest_id": customers.id,
                 "picking_type_id": cls.warehouse.out_type_id.id}
                for _index in range(5)
            ]
        cls.moves = cls.env["stock.move"].create(values)
        cls.moves._action_confirm(merge=False)
        cls.moves._do_unreserve()

    def _scheduler_moves(self):
        # Core's order for the scheduler: interleaved products, as the search returns them.
        moves = self.moves.sorted(lambda move: (move.id % 2, move.id))
        return moves.with_context(distribution_scheduler_cursor=id(self.env.cr))

    def test_reserved_by_product_in_committed_batches(self):
        cron = type(self.env["ir.cron"])
        with patch.object(stock_move_module, "SCHEDULER_ASSIGN_BATCH", 4), \
                patch.object(cron, "_commit_progress", autospec=True) as commit:
            self._scheduler_moves()._action_assign()
        self.assertEqual(commit.call_count, 4, "15 moves, 4 a batch: 4 commits")
        for product in self.products:
            moves = self.moves.filtered(lambda move, product=product: move.product_id == product)
            self.assertEqual(sum(moves.mapped("quantity")), 3.0, f"{product.name}: its 3 units, no more")
            quant = self.env["stock.quant"]._gather(product, self.warehouse.lot_stock_id)
            self.assertEqual(sum(quant.mapped("reserved_quantity")), 3.0)

    def test_outside_the_scheduler_one_transaction(self):
        cron = type(self.env["ir.cron"])
        with patch.object(stock_move_module, "SCHEDULER_ASSIGN_BATCH", 4), \
                patch.object(cron, "_commit_progress", autospec=True) as commit:
            self.moves._action_assign()  # Check Availability, a confirmation: no scheduler cursor
            self.moves.with_context(distribution_scheduler_cursor=id(self.env.cr) + 1)._action_assign()
        self.assertFalse(commit.called, "only the scheduler's own cursor commits as it goes")
        self.assertEqual(sum(self.moves.mapped("quantity")), 9.0)

    def test_batch_failing_to_serialize_is_left_to_the_next_run(self):
        cron = type(self.env["ir.cron"])
        Move = type(self.env["stock.move"])
        original_lock = Move._lock_reservable_quants
        second = self.products[1]

        def lock(moves):
            if second in moves.product_id:
                raise OperationalError("could not serialize access due to concurrent update")
            return original_lock(moves)

        with patch.object(stock_move_module, "SCHEDULER_ASSIGN_BATCH", 5), \
                patch.object(cron, "_commit_progress", autospec=True) as commit, \
                patch.object(Move, "_lock_reservable_quants", autospec=True, side_effect=lock), \
                patch.object(self.env.cr, "rollback") as rollback, \
                patch.object(type(self.env.transaction), "reset", autospec=True):
            self._scheduler_moves()._action_assign()
        self.assertEqual(rollback.call_count, 1, "the failing batch is rolled back")
        self.assertEqual(commit.call_count, 2, "the batches of the other products commit")
        reserved = {product: sum(self.moves.filtered(lambda m, p=product: m.product_id == p).mapped("quantity"))
                    for product in self.products}
        self.assertEqual(reserved, {self.products[0]: 3.0, second: 0.0, self.products[2]: 3.0})

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common_order import OrderFlowCase


@tagged("post_install", "-at_install")
class TestDoneTransfers(OrderFlowCase):
    """A done, locked transfer is a record of what moved (and what invoicing on delivery billed): the
    warehouse user who would rewrite it through RPC, as a second scanner working on the same delivery
    would, is refused; an inventory manager unlocks it to correct it, as in core's form."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.picker = new_test_user(cls.env, login="dist_done_picker", groups="stock.group_stock_user")
        cls.stock_manager = new_test_user(cls.env, login="dist_done_manager", groups="stock.group_stock_manager")

    def _shipped(self):
        self._stock(self.cable, 20)
        order = self._order([(self.cable, 4, 100.0, 0.0)])
        order.action_confirm()
        picking = order.picking_ids.with_user(self.picker)
        picking.move_ids.write({"quantity": 4, "picked": True})
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertTrue(picking.is_locked)
        return picking

    def test_worker_cannot_rewrite_a_done_delivery(self):
        picking = self._shipped()
        move = picking.move_ids
        attempts = {
            "move quantity": lambda: move.write({"quantity": 2}),
            "line quantity": lambda: move.move_line_ids.write({"quantity": 2}),
            "line location": lambda: move.move_line_ids.write(
                {"location_id": self.env.ref("stock.stock_location_stock").id}
            ),
            "new done line": lambda: (
                self.env["stock.move.line"]
                .with_user(self.picker)
                .create(
                    {
                        "move_id": move.id,
                        "product_id": self.cable.id,
                        "quantity": 1,
                        "location_id": move.location_id.id,
                        "location_dest_id": move.location_dest_id.id,
                    }
                )
            ),
            "line removed": lambda: move.move_line_ids.unlink(),
            "unlock": lambda: picking.action_toggle_is_locked(),
            "unlock by write": lambda: picking.write({"is_locked": False}),
        }
        quant = self.env["stock.quant"]._gather(self.cable, move.location_id)
        on_hand = sum(quant.mapped("quantity"))
        for name, attempt in attempts.items():
            with self.subTest(name), self.assertRaisesRegex(UserError, "done and locked|Only an inventory manager"):
                with self.cr.savepoint():
                    attempt()
        self.env.invalidate_all()
        self.assertEqual(move.quantity, 4.0, "nothing half-written")
        self.assertEqual(sum(self.env["stock.quant"]._gather(self.cable, move.location_id).mapped("quantity")), on_hand)
        move.with_user(self.picker).write({"quantity": 4})  # the same value (a form saving): accepted

    def test_inventory_manager_unlocks_and_corrects(self):
        picking = self._shipped().with_user(self.stock_manager)
        picking.action_toggle_is_locked()
        self.assertFalse(picking.is_locked)
        picking.move_ids.write({"quantity": 3})
        self.assertEqual(picking.move_ids.quantity, 3.0)
        self.assertEqual(picking.move_ids.sale_line_id.qty_delivered, 3.0)

    def test_extra_goods_delivered_by_the_warehouse_are_added_to_the_order(self):
        """Core adds an order line for goods a delivery handed over beyond the order (price from the
        order, or 0 on ordered-quantity products): the warehouse user's validation is not refused as an
        unapproved price, while a salesperson adding the same line by hand would be."""
        # Core writes the order line as the validating user: a warehouse user who is also a salesperson.
        picker = new_test_user(self.env, login="dist_done_picker_rep",
                               groups="stock.group_stock_user,sales_team.group_sale_salesman")
        lamp = self.env["product.product"].create(
            {"name": "Lamp (ordered-qty policy)", "is_storable": True, "list_price": 10.0, "standard_price": 4.0}
        )
        self._stock(self.cable, 20)
        self._stock(lamp, 20)
        order = self._order([(self.cable, 4, 100.0, 0.0)], user=picker)
        order.action_confirm()
        picking = order.picking_ids.with_user(picker)
        self.env["stock.move"].with_user(picker).create({
            "picking_id": picking.id, "product_id": lamp.id, "product_uom_qty": 2,
            "location_id": picking.location_id.id, "location_dest_id": picking.location_dest_id.id,
        })
        picking.move_ids.write({"picked": True})
        picking.move_ids.filtered(lambda m: m.product_id == lamp).quantity = 2
        picking.move_ids.filtered(lambda m: m.product_id == self.cable).quantity = 4
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        extra = order.order_line.filtered(lambda line: line.product_id == lamp)
        self.assertEqual(extra.qty_delivered, 2.0)

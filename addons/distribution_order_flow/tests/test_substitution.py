from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_order import OrderFlowCase


@tagged("post_install", "-at_install")
class TestSubstitution(OrderFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.cable_b = Product.create(
            {"name": "Cable 3G2.5 (brand B)", "is_storable": True, "list_price": 90.0, "standard_price": 50.0}
        )
        cls.cable_c = Product.create(
            {"name": "Cable 3G2.5 (brand C)", "is_storable": True, "list_price": 95.0, "standard_price": 55.0}
        )
        cls.cable.substitute_line_ids = [
            (0, 0, {"substitute_id": cls.cable_c.id, "sequence": 2}),
            (0, 0, {"substitute_id": cls.cable_b.id, "sequence": 1, "note": "Same spec, other brand"}),
        ]
        cls.pricelist = cls.env["product.pricelist"].create(
            {
                "name": "Contract (subst)",
                "item_ids": [(0, 0, {"applied_on": "0_product_variant", "product_id": cls.cable_b.id,
                                     "compute_price": "fixed", "fixed_price": 70.0})],
            }
        )

    def test_substitutes_are_ordered(self):
        self.assertEqual(self.cable.substitute_product_ids, self.cable_b | self.cable_c)
        self.assertEqual(self.cable.substitute_product_ids[0], self.cable_b)

    def test_wizard_shows_free_stock_and_swap_keeps_price_rules(self):
        warehouse = self.warehouse
        self.env["stock.quant"]._update_available_quantity(self.cable_b, warehouse.lot_stock_id, 12)
        order = self._order([(self.cable, 5, None, 0.0)], pricelist_id=self.pricelist.id)
        line = order.order_line
        action = line.with_user(self.salesperson).action_open_substitutes()
        wizard = self.env[action["res_model"]].with_user(self.salesperson).browse(action["res_id"])
        self.assertEqual(wizard.option_ids.product_id, self.cable_b | self.cable_c)
        option_b = wizard.option_ids.filtered(lambda o: o.product_id == self.cable_b)
        self.assertRecordValues(option_b, [{"free_qty_warehouse": 12.0, "free_qty_company": 12.0,
                                            "note": "Same spec, other brand"}])
        option_b.action_swap()
        self.assertRecordValues(line, [{"product_id": self.cable_b.id, "product_uom_qty": 5.0, "price_unit": 70.0}])
        self.assertIn("Cable 3G2.5 replaced by Cable 3G2.5 (brand B)", order.message_ids[0].body)

    def test_manual_price_does_not_follow_the_swap(self):
        order = self._order([(self.cable, 5, None, 0.0)])
        line = order.order_line
        line._swap_product(self.cable_c)
        self.assertEqual(line.price_unit, 95.0, "the substitute's list price")

    def test_bad_swaps_refused(self):
        order = self._order([(self.cable, 5, None, 0.0)])
        with self.assertRaisesRegex(UserError, "is not a substitute of"):
            order.order_line._swap_product(self.breaker)
        with self.assertRaisesRegex(UserError, "has no substitute"):
            self._order([(self.breaker, 1, None, 0.0)]).order_line.action_open_substitutes()
        self._stock(self.cable, 10)
        order.action_confirm()
        with self.assertRaisesRegex(UserError, "is confirmed"):
            order.order_line._swap_product(self.cable_b)
        with self.assertRaisesRegex(ValidationError, "cannot be its own substitute"):
            self.env["distribution.product.substitute"].create(
                {"product_id": self.cable.id, "substitute_id": self.cable.id}
            )
        by_weight = self.env["product.product"].create(
            {"name": "Copper by the kilo", "is_storable": True, "uom_id": self.env.ref("uom.product_uom_kgm").id}
        )
        with self.assertRaisesRegex(ValidationError, "not counted in the same kind of unit"):
            self.env["distribution.product.substitute"].create(
                {"product_id": self.cable.id, "substitute_id": by_weight.id}
            )

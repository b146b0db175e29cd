from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSubstitutionPricing(TransactionCase):
    """A substitute put on a confirmed order for a short quantity (order flow) is priced by the pricelist: it is
    no price override, and it goes through the rule on lines added to confirmed orders like any other line (a
    substitute under its margin floor is refused to salespeople, and waits for a second sales manager's
    approval when a sales manager adds it)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        company = cls.env.company
        company.write({"distribution_margin_floor": 15.0, "distribution_credit_overdue_check": False,
                       "distribution_credit_hold_unreserve": False})
        cables = cls.env["product.category"].create({"name": "Cables (subst)", "margin_floor": 22.0})
        Product = cls.env["product.product"]
        values = {"is_storable": True, "categ_id": cables.id, "standard_price": 60.0}
        cls.cable = Product.create(dict(values, name="Cable 3G1.5", list_price=100.0))
        cls.equivalent = Product.create(dict(values, name="Cable 3G1.5 (brand B)", list_price=100.0))
        cls.cheap = Product.create(dict(values, name="Cable 3G1.5 (clearance)", list_price=70.0))
        cls.cable.substitute_line_ids = [
            Command.create({"substitute_id": cls.equivalent.id, "sequence": 1}),
            Command.create({"substitute_id": cls.cheap.id, "sequence": 2}),
        ]
        allowed = cls.env["distribution.customer.class"].create(
            {"name": "Contractor (subst pricing)", "code": "SUBPRICE", "substitution_consent": "allowed"}
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Substitution Customer", "is_company": True, "distribution_class_id": allowed.id}
        )
        cls.salesperson = new_test_user(cls.env, login="subst_pricing_rep", groups="sales_team.group_sale_salesman")
        cls.manager = new_test_user(cls.env, login="subst_pricing_manager", groups="sales_team.group_sale_manager")
        warehouse = cls.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        Quant = cls.env["stock.quant"]
        Quant._update_available_quantity(cls.cable, warehouse.lot_stock_id, 6)
        for product in (cls.equivalent, cls.cheap):
            Quant._update_available_quantity(product, warehouse.lot_stock_id, 20)
        cls.order = cls.env["sale.order"].with_user(cls.salesperson).create({
            "partner_id": cls.customer.id,
            "user_id": cls.salesperson.id,
            "warehouse_id": warehouse.id,
            "order_line": [Command.create({"product_id": cls.cable.id, "product_uom_qty": 10})],
        })
        cls.order.with_user(cls.salesperson).action_confirm()
        cls.line = cls.order.order_line

    def test_substitute_at_pricelist_price_is_no_override(self):
        self.line.with_user(self.salesperson)._substitute(self.equivalent)
        new_line = self.order.order_line - self.line
        self.assertRecordValues(new_line, [{
            "product_id": self.equivalent.id, "product_uom_qty": 4.0, "price_unit": 100.0,
            "distribution_pricelist_price": 100.0, "is_price_override": False, "is_below_margin_floor": False,
        }])
        self.assertFalse(self.order.has_price_override)
        self.assertFalse(self.order.distribution_reprice_pending)
        overrides = self.env["distribution.price.override"].search([("order_line_id", "in", self.order.order_line.ids)])
        self.assertFalse(overrides)

    def test_substitute_under_its_margin_floor_is_governed(self):
        with self.assertRaisesRegex(UserError, "cannot add Cable 3G1.5 \\(clearance\\)"):
            self.line.with_user(self.salesperson)._substitute(self.cheap)
        self.assertEqual(len(self.order.order_line), 1)
        self.assertEqual(self.line.product_uom_qty, 10.0)
        self.line.with_user(self.manager)._substitute(self.cheap)
        self.assertRecordValues(
            self.order.order_line - self.line, [{"price_unit": 70.0, "is_below_margin_floor": True}]
        )
        self.assertTrue(self.order.distribution_reprice_pending, "a second sales manager approves the new price")

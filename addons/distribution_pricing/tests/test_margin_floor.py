from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestMarginFloor(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_a.distribution_margin_floor = 15.0
        cls.company_b = cls.env["res.company"].create({"name": "Pricing Test Company B"})
        cls.company_b.distribution_margin_floor = 25.0
        Category = cls.env["product.category"]
        cls.electrical = Category.create({"name": "Electrical", "margin_floor": 22.0})
        cls.cables = Category.create({"name": "Cables", "parent_id": cls.electrical.id})
        cls.power_cables = Category.create({"name": "Power", "parent_id": cls.cables.id, "margin_floor": 12.5})
        cls.misc = Category.create({"name": "Misc"})

    def test_own_floor_wins(self):
        self.assertEqual(self.power_cables._get_margin_floor(self.company_a), 12.5)
        self.assertEqual(self.power_cables.margin_floor_effective, 12.5)

    def test_nearest_parent_floor(self):
        self.assertEqual(self.cables._get_margin_floor(self.company_a), 22.0)
        self.assertEqual(self.cables.margin_floor_effective, 22.0)

    def test_company_default_when_no_floor(self):
        self.assertEqual(self.misc._get_margin_floor(self.company_a), 15.0)
        self.assertEqual(self.misc.with_company(self.company_b).margin_floor_effective, 25.0)

    def test_floor_boundaries(self):
        self.misc.margin_floor = 0.0
        self.misc.margin_floor = 99.99
        with self.assertRaisesRegex(ValidationError, r"Product category Misc: the margin floor must be at least 0%"):
            self.misc.margin_floor = 100.0
        with self.assertRaisesRegex(ValidationError, r"Product category Misc: the margin floor"):
            self.misc.margin_floor = -5.0

    def test_company_default_boundaries(self):
        with self.assertRaisesRegex(ValidationError, r"Company Pricing Test Company B: the default margin floor"):
            self.company_b.distribution_margin_floor = 100.0
        with self.assertRaises(ValidationError):
            self.company_b.distribution_margin_floor = -0.01

    def test_settings_set_the_current_company_default(self):
        settings = Form(self.env["res.config.settings"].with_company(self.company_b))
        settings.distribution_margin_floor = 30.0
        settings.save().execute()
        self.assertEqual(self.company_b.distribution_margin_floor, 30.0)
        self.assertEqual(self.company_a.distribution_margin_floor, 15.0)

    def test_only_product_managers_edit_floors(self):
        salesperson = new_test_user(self.env, login="pricing_rep", groups="sales_team.group_sale_salesman")
        self.assertEqual(self.cables.with_user(salesperson).margin_floor_effective, 22.0)
        with self.assertRaises(AccessError):
            self.cables.with_user(salesperson).write({"margin_floor": 1.0})
        manager = new_test_user(
            self.env, login="pricing_manager", groups="sales_team.group_sale_manager,product.group_product_manager"
        )
        self.cables.with_user(manager).write({"margin_floor": 18.0})
        self.assertEqual(self.cables.margin_floor, 18.0)

    def test_quotations_follow_a_parent_or_company_floor_change(self):
        customer = self.env["res.partner"].create({"name": "Floor follower"})
        product = self.env["product.product"].create(
            {"name": "Cable 5m", "list_price": 100.0, "standard_price": 80.0, "categ_id": self.cables.id}
        )
        loose = self.env["product.product"].create(
            {"name": "Misc part", "list_price": 100.0, "standard_price": 80.0, "categ_id": self.misc.id}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [(0, 0, {"product_id": product.id}), (0, 0, {"product_id": loose.id})],
            }
        )
        cable_line, misc_line = order.order_line
        self.assertTrue(cable_line.is_below_margin_floor, "20% margin under the parent's 22%")
        self.assertFalse(misc_line.is_below_margin_floor, "20% margin over the company's 15%")
        self.electrical.margin_floor = 18.0  # the parent's floor
        self.assertFalse(cable_line.is_below_margin_floor)
        self.company_a.distribution_margin_floor = 21.0  # the company default
        self.assertTrue(misc_line.is_below_margin_floor)
        self.assertTrue(order.has_margin_floor_breach)
        self.assertFalse(order.has_price_override, "at the pricelist price: no override")

    def test_quotation_cost_set_by_a_manager_is_judged(self):
        """The cost is not a declared dependency of the check (see _compute_price_governance): a manager's
        cost on a quotation line is followed explicitly."""
        manager = new_test_user(self.env, login="cost_manager", groups="sales_team.group_sale_manager")
        customer = self.env["res.partner"].create({"name": "Cost follower"})
        product = self.env["product.product"].create(
            {"name": "Misc bracket", "list_price": 100.0, "standard_price": 80.0, "categ_id": self.misc.id}
        )
        order = self.env["sale.order"].with_user(manager).create(
            {"partner_id": customer.id, "order_line": [(0, 0, {"product_id": product.id})]}
        )
        line = order.order_line
        self.assertFalse(line.is_below_margin_floor, "20% margin over the company's 15%")
        line.write({"purchase_price": 95.0})
        self.assertTrue(line.is_below_margin_floor, "5% margin under the company's 15%")
        self.assertTrue(order.has_margin_floor_breach)
        line.write({"purchase_price": 70.0})
        self.assertFalse(line.is_below_margin_floor)
        self.assertFalse(order.has_margin_floor_breach)

    def test_confirmed_line_keeps_the_judgement_it_was_confirmed_with(self):
        """Odoo re-costs confirmed lines at reservation and delivery (sale_stock_margin): what was approved
        is not judged again."""
        customer = self.env["res.partner"].create({"name": "Cost keeper"})
        product = self.env["product.product"].create(
            {"name": "Misc clamp", "list_price": 100.0, "standard_price": 80.0, "categ_id": self.misc.id}
        )
        order = self.env["sale.order"].create(
            {"partner_id": customer.id, "order_line": [(0, 0, {"product_id": product.id})]}
        )
        order.action_confirm()
        line = order.order_line
        line.sudo().write({"purchase_price": 95.0})  # as the system re-costs it
        self.assertEqual(line.purchase_price, 95.0)
        self.assertFalse(line.is_below_margin_floor)
        self.assertFalse(order.has_margin_floor_breach)
        self.assertEqual(order.state, "sale")

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestDemoCore(TransactionCase):
    """On the demo database (the suite's tests run on one): Odoo's furniture shop is out of sight of the
    demo distributor, nothing of it deleted, and only an administrator may ask for it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.main_company")
        cls.admin = cls.env.ref("base.user_admin")
        cls.rep = cls.env.ref("base.user_demo")
        cls.furniture_customers = cls.env.ref("base.res_partner_2") | cls.env.ref("base.res_partner_3")  # Deco, Gemini

    def test_customers_and_orders(self):
        self.assertEqual(self.furniture_customers.mapped("active"), [False, False], "archived, not deleted")
        self.assertTrue(self.env.ref("base.main_partner").active)
        self.assertTrue(self.env.ref("base.partner_admin").active, "users keep their contact")
        for user in (self.admin, self.rep):
            orders = self.env["sale.order"].with_user(user).search([
                ("partner_id.commercial_partner_id", "in", self.furniture_customers.ids), ("state", "!=", "cancel"),
            ])
            self.assertFalse(orders.filtered(lambda o: not o.picking_ids.filtered(lambda p: p.state == "done")),
                             "no open order of the furniture shop")
        self.assertEqual(self.env.ref("sale.sale_order_1").state, "cancel", "cancelled, kept for other demo data")
        for user in (self.admin, self.rep):
            mine = self.env["sale.order"].with_user(user).search([("user_id", "=", user.id)])
            self.assertFalse(mine & self.env.ref("sale.sale_order_1"), "out of the salespeople's own quotations")
            self.assertFalse(mine.filtered(lambda o: not o.partner_id.commercial_partner_id.active),
                             f"{user.name}'s own quotations are the distributor's")
        customers = self.env["res.partner"].with_user(self.rep).search([("customer_rank", ">", 0)])
        self.assertTrue(customers)
        self.assertFalse(customers & self.furniture_customers)

    def test_invoices_out_of_the_receivables(self):
        """The furniture shop's unpaid invoices and bills are cancelled: no open receivable or payable of it."""
        open_moves = self.env["account.move"].search([
            ("partner_id.commercial_partner_id.active", "=", False), ("move_type", "!=", "entry"),
            ("state", "=", "posted"), ("payment_state", "=", "not_paid"),
        ])
        self.assertFalse(open_moves)
        self.assertTrue(self.env["account.move"].search_count([
            ("partner_id.commercial_partner_id", "in", self.furniture_customers.ids), ("state", "=", "cancel"),
        ]), "cancelled, not deleted")

    def test_goods_and_stock(self):
        desk = self.env.ref("product.product_product_4")
        self.assertFalse(desk.active)
        quants = self.env["stock.quant"].search([
            ("product_id", "=", desk.id), ("location_id.usage", "=", "internal"), ("company_id", "=", self.company.id),
        ])
        self.assertFalse(sum(quants.mapped("quantity")), "counted out of the distributor's warehouses")
        open_moves = self.env["stock.move"].search_count([
            ("product_id.active", "=", False), ("state", "not in", ("done", "cancel")),
            ("company_id", "=", self.company.id),
        ])
        self.assertFalse(open_moves, "no open transfer of the furniture shop")
        self.assertTrue(self.env.ref("delivery.product_product_delivery").active, "services stay")

    def test_one_company_in_sight(self):
        chicago = self.env.ref("stock.res_company_1")
        self.assertFalse(chicago.active)
        for user in (self.admin, self.rep):
            self.assertEqual(user.company_ids, self.company, f"{user.name} works in the demo company only")

    def test_only_administrators(self):
        """A sales manager cannot ask for it (by RPC or otherwise): refused, nothing written."""
        manager = new_test_user(self.env, login="demo_core_manager", groups="sales_team.group_sale_manager",
                                company_id=self.company.id, company_ids=[self.company.id])
        order = self.env.ref("sale.sale_order_1")
        order.write({"state": "draft"})
        with self.assertRaises(AccessError):
            self.env["distribution.demo"].with_user(manager)._retire_core_demo()
        self.assertEqual(order.state, "draft", "nothing written")
        # An administrator may: the order put back in draft is cancelled again, nothing else moves.
        self.assertTrue(self.env["distribution.demo"].with_user(self.admin)._retire_core_demo())
        self.assertEqual(order.state, "cancel")

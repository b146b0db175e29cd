from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.distribution_pricing.hooks import post_init_hook


@tagged("post_install", "-at_install")
class TestLineDiscountsOnByDefault(TransactionCase):
    def test_reps_and_approvers_see_line_discounts(self):
        discount_group = self.env.ref("sale.group_discount_per_so_line")
        self.assertIn(discount_group, self.env.ref("base.group_user").implied_ids, "switched on at install")
        rep = new_test_user(self.env, login="discount_default_rep", groups="sales_team.group_sale_salesman")
        self.assertTrue(rep.has_group("sale.group_discount_per_so_line"))

    def test_the_hook_switches_on_what_an_administrator_had_off(self):
        group_user = self.env.ref("base.group_user")
        discount_group = self.env.ref("sale.group_discount_per_so_line")
        group_user.implied_ids -= discount_group  # as the Discounts setting switched off does
        self.assertNotIn(discount_group, group_user.implied_ids)
        post_init_hook(self.env)  # only at install: upgrades keep the administrator's choice
        self.assertIn(discount_group, group_user.implied_ids)

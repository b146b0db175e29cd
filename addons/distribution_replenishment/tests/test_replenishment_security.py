from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import ReplenishmentCase


@tagged("post_install", "-at_install")
class TestReplenishmentSecurity(ReplenishmentCase):
    def test_roles(self):
        self._demand(self.cable, self.main, 5)
        run = self._run()
        picker = new_test_user(self.env, login="repl_picker", groups="stock.group_stock_user")
        rep = new_test_user(self.env, login="repl_rep_sec", groups="sales_team.group_sale_salesman")
        manager = new_test_user(self.env, login="repl_manager", groups="purchase.group_purchase_manager")
        # Warehouse users read the plan, change nothing.
        self.assertEqual(run.with_user(picker).read(["name"])[0]["name"], run.name)
        with self.assertRaises(AccessError):
            run.line_ids.with_user(picker).write({"qty_to_order": 1})
        with self.assertRaises(AccessError):
            self.Run.with_user(picker).create({})
        # Salespeople have no access; their short orders plan through the system.
        with self.assertRaises(AccessError):
            run.with_user(rep).read(["name"])
        # Buyers plan and execute but do not delete; managers do.
        with self.assertRaises(AccessError):
            run.with_user(self.buyer).unlink()
        run.with_user(manager).action_cancel()
        run.with_user(manager).unlink()
        self.assertFalse(run.exists())

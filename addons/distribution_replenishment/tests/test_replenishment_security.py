from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

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

    def test_a_run_cannot_be_forged_or_executed_twice(self):
        self._demand(self.cable, self.main, 5)
        run = self._run()
        self.assertEqual(run.state, "proposed")
        line = self._lines(run, self.cable, self.main)
        self.assertTrue(line)
        run.with_user(self.buyer).action_compute()  # a buyer recomputes: the old lines go, no AccessError
        line = self._lines(run, self.cable, self.main)
        run.with_user(self.buyer).action_execute()
        self.assertEqual(run.state, "done")
        purchases = run.purchase_ids
        self.assertTrue(purchases)
        for vals in ({"state": "proposed"}, {"trigger": "cron"}, {"date": False}):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "set by the system"):
                run.with_user(self.buyer).write(vals)
        with self.assertRaisesRegex(AccessError, "set by the system"):
            line.with_user(self.buyer).write({"state": "proposed"})
        with self.assertRaisesRegex(AccessError, "set by the system"):
            self.env["distribution.replenishment.line"].with_user(self.buyer).create(
                {"run_id": run.id, "product_id": self.cable.id, "warehouse_id": self.main.id,
                 "company_id": self.company.id, "qty_to_order": 100}
            )
        with self.assertRaisesRegex(UserError, "has no proposal to execute"):
            run.with_user(self.buyer).action_execute()
        self.assertEqual(run.purchase_ids, purchases, "nothing ordered twice")

    def _nightly_plan(self):
        """The nightly cron and the planning jobs it queues, as the job runner runs them."""
        with trap_jobs() as trap:
            self.Run._cron_plan()
            trap.perform_enqueued_jobs()
        return self.Run.search(
            [("trigger", "=", "cron"), ("company_id", "=", self.company.id), ("state", "=", "proposed")]
        )

    def test_nightly_plan_run_twice_leaves_one_proposal(self):
        self._demand(self.cable, self.main, 5)
        warehouses = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)])
        first = self._nightly_plan()
        self.assertEqual(len(first), len(warehouses), "one run per warehouse")
        self.assertEqual(first.warehouse_ids, warehouses)
        runs = self._nightly_plan()
        self.assertEqual(len(runs), len(warehouses), "the second night's runs supersede the first's, one by one")
        self.assertFalse(runs & first)
        self.assertEqual(set(first.mapped("state")), {"cancel"})

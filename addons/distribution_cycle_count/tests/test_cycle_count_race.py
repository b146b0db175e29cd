import odoo
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, new_test_user, tagged

from odoo.addons.distribution_order_flow.tests.concurrency import current_database, run_while_uncommitted


@tagged("post_install", "-at_install")
class TestCycleCountRace(BaseCase):
    """Two counters open the same task at once, on real separate connections: the first has started it and
    not committed yet; the second waits for the task's row, then (after a retry on a fresh snapshot, as a
    request) is told who counts it. One counter, one snapshot. Cleans up what it committed."""

    def _dbname(self):
        return current_database()

    def _setup(self):
        setup_cr = db_connect(self._dbname()).cursor()
        env = odoo.api.Environment(setup_cr, odoo.SUPERUSER_ID, {})
        company = env.company
        users = [
            new_test_user(env, login=f"cc_race_counter_{i}", groups="stock.group_stock_user",
                          company_id=company.id, company_ids=[company.id])
            for i in (1, 2)
        ]
        warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        location = env["stock.location"].create({"name": "CC Race Bin", "location_id": warehouse.lot_stock_id.id})
        product = env["product.product"].create({"name": "CC Race Item", "is_storable": True})
        env["stock.quant"]._update_available_quantity(product, location, 10)
        count = env["distribution.cycle.count"].create({"location_id": location.id})
        setup_cr.commit()
        return setup_cr, [user.id for user in users], count.id, location.id, product.id

    def _cleanup(self, setup_cr, user_ids, count_id, location_id, product_id):
        setup_cr.rollback()
        setup_cr.execute("DELETE FROM distribution_cycle_count WHERE id = %s", [count_id])
        setup_cr.execute("DELETE FROM stock_quant WHERE product_id = %s", [product_id])
        env = odoo.api.Environment(setup_cr, odoo.SUPERUSER_ID, {})
        env["product.product"].browse(product_id).product_tmpl_id.unlink()
        env["stock.location"].browse(location_id).unlink()
        env["res.users"].browse(user_ids).unlink()
        setup_cr.commit()

    def test_two_counters_open_the_same_task(self):
        setup_cr, user_ids, count_id, location_id, product_id = self._setup()
        try:
            outcome = run_while_uncommitted(
                lambda env: env["distribution.cycle.count"].scanner_open(count_id),
                lambda env: env["distribution.cycle.count"].scanner_open(count_id),
                uids=user_ids,
            )
            self.assertTrue(outcome["finished"])
            self.assertTrue(outcome["waited"], "the second counter waits for the task's row")
            self.assertIsInstance(outcome.get("error"), UserError)
            self.assertIn("being counted by cc_race_counter_1", str(outcome["error"]))
            setup_cr.rollback()
            setup_cr.execute("SELECT state, counter_id FROM distribution_cycle_count WHERE id = %s", [count_id])
            self.assertEqual(setup_cr.fetchone(), ("in_progress", user_ids[0]))
            setup_cr.execute("SELECT COUNT(*) FROM distribution_cycle_count_line WHERE count_id = %s", [count_id])
            self.assertEqual(setup_cr.fetchone()[0], 1, "one set of lines, from the first counter")
        finally:
            self._cleanup(setup_cr, user_ids, count_id, location_id, product_id)
            setup_cr.close()

    def test_two_rule_runs_on_the_same_locations(self):
        """Two rules over the same locations run at once (the nightly run beside a manager's Generate Tasks
        Now): the second waits for the first's tasks, then skips those locations instead of failing."""
        setup_cr = db_connect(self._dbname()).cursor()
        env = odoo.api.Environment(setup_cr, odoo.SUPERUSER_ID, {})
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        zone = env["stock.location"].create({"name": "CC Race Zone", "location_id": warehouse.lot_stock_id.id})
        bins = env["stock.location"].create(
            [{"name": f"CC Race Zone Bin {i}", "location_id": zone.id} for i in (1, 2)]
        )
        rules = env["distribution.cycle.count.rule"].create(
            [{"name": f"CC race rule {i}", "warehouse_id": warehouse.id, "location_id": zone.id,
              "kind": "not_counted", "days_not_counted": 0} for i in (1, 2)]
        )
        setup_cr.commit()
        locations = zone | bins
        try:
            outcome = run_while_uncommitted(
                lambda env: len(env["distribution.cycle.count.rule"].browse(rules[0].id)._generate_tasks()),
                lambda env: len(env["distribution.cycle.count.rule"].browse(rules[1].id)._generate_tasks()),
            )
            self.assertTrue(outcome["finished"])
            self.assertNotIn("error", outcome, outcome.get("error"))
            self.assertTrue(outcome["waited"], "the second run waits for the first's tasks")
            self.assertEqual((outcome["first"], outcome["second"]), (3, 0))
            setup_cr.rollback()
            setup_cr.execute(
                "SELECT location_id, COUNT(*) FROM distribution_cycle_count WHERE location_id IN %s "
                "AND state IN ('draft', 'in_progress', 'to_approve') GROUP BY location_id",
                [tuple(locations.ids)],
            )
            self.assertEqual(sorted(setup_cr.fetchall()), sorted((loc_id, 1) for loc_id in locations.ids))
        finally:
            setup_cr.rollback()
            setup_cr.execute("DELETE FROM distribution_cycle_count WHERE location_id IN %s", [tuple(locations.ids)])
            cleanup = odoo.api.Environment(setup_cr, odoo.SUPERUSER_ID, {})
            cleanup["distribution.cycle.count.rule"].browse(rules.ids).unlink()
            cleanup["stock.location"].browse(bins.ids).unlink()
            cleanup["stock.location"].browse(zone.id).unlink()
            setup_cr.commit()
            setup_cr.close()

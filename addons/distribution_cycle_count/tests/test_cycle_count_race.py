import threading

import odoo
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCycleCountRace(BaseCase):
    """Two counters open the same task at once, on real separate connections: the first has started it and
    not committed yet; the second waits for the task's row, then (after a retry on a fresh snapshot, as a
    request) is told who counts it. One counter, one snapshot. Cleans up what it committed."""

    def _dbname(self):
        dbname = odoo.tools.config["db_name"]
        return dbname[0] if isinstance(dbname, list) else dbname

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
        cr1, cr2 = db_connect(self._dbname()).cursor(), db_connect(self._dbname()).cursor()
        outcome = {}
        try:
            env1 = odoo.api.Environment(cr1, user_ids[0], {})
            env2 = odoo.api.Environment(cr2, user_ids[1], {})
            env1["distribution.cycle.count"].scanner_open(count_id)
            env1.flush_all()

            def second():
                try:
                    retrying(lambda: env2["distribution.cycle.count"].scanner_open(count_id), env2)
                    cr2.commit()
                except Exception as error:  # noqa: BLE001 - asserted below
                    outcome["error"] = error
                    cr2.rollback()

            thread = threading.Thread(target=second)
            thread.start()
            thread.join(2)
            outcome["waited"] = thread.is_alive()
            cr1.commit()
            thread.join(30)
            self.assertFalse(thread.is_alive())
            self.assertTrue(outcome["waited"], "the second counter waits for the task's row")
            self.assertIsInstance(outcome.get("error"), UserError)
            self.assertIn("being counted by cc_race_counter_1", str(outcome["error"]))
            setup_cr.rollback()
            setup_cr.execute("SELECT state, counter_id FROM distribution_cycle_count WHERE id = %s", [count_id])
            self.assertEqual(setup_cr.fetchone(), ("in_progress", user_ids[0]))
            setup_cr.execute("SELECT COUNT(*) FROM distribution_cycle_count_line WHERE count_id = %s", [count_id])
            self.assertEqual(setup_cr.fetchone()[0], 1, "one set of lines, from the first counter")
        finally:
            cr1.rollback()
            cr2.rollback()
            cr1.close()
            cr2.close()
            self._cleanup(setup_cr, user_ids, count_id, location_id, product_id)
            setup_cr.close()

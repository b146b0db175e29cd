import threading

import psycopg2.errors

import odoo
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged


@tagged("post_install", "-at_install")
class TestPlanningLock(BaseCase):
    """A run computed while another run of the same company executes (a buyer beside the nightly cron)
    waits for it, so it reads the other's RFQs and transfers as incoming instead of planning the same
    need again. Real, separate connections; nothing is committed."""

    def test_second_run_waits_for_the_first(self):
        dbname = odoo.tools.config["db_name"]
        if isinstance(dbname, list):
            dbname = dbname[0]
        cr1 = db_connect(dbname).cursor()
        cr2 = db_connect(dbname).cursor()
        finished = {}
        try:
            env1 = odoo.api.Environment(cr1, odoo.SUPERUSER_ID, {})
            run1 = env1["distribution.replenishment.run"].create({})
            run1._lock_company_planning()  # as executing proposals does

            def second():
                env2 = odoo.api.Environment(cr2, odoo.SUPERUSER_ID, {})
                try:
                    run2 = env2["distribution.replenishment.run"].create(
                        {"product_ids": [(6, 0, env2["product.product"].search([("is_storable", "=", True)], limit=5).ids)]}
                    )
                    run2._compute_plan()
                    finished["state"] = run2.state
                except Exception as error:  # noqa: BLE001 - reported by the assertion below
                    finished["error"] = error
                finally:
                    cr2.rollback()

            thread = threading.Thread(target=second)
            thread.start()
            thread.join(2)
            self.assertTrue(thread.is_alive(), "the second run waits while the first holds the company's plan")
            cr1.rollback()  # the first transaction ends
            thread.join(30)
            self.assertFalse(thread.is_alive())
            self.assertNotIn("error", finished, finished.get("error"))
            self.assertEqual(finished["state"], "proposed")
        finally:
            cr1.rollback()
            cr1.close()
            cr2.close()

    def test_a_run_planning_from_an_older_snapshot_is_refused(self):
        """Odoo's transactions are REPEATABLE READ: a run whose snapshot predates another run's committed
        execution must not plan from it (it would order the same need again). PostgreSQL refuses it, and
        the retry plans from a fresh snapshot."""
        dbname = odoo.tools.config["db_name"]
        if isinstance(dbname, list):
            dbname = dbname[0]
        cr1 = db_connect(dbname).cursor()
        cr2 = db_connect(dbname).cursor()
        try:
            env1 = odoo.api.Environment(cr1, odoo.SUPERUSER_ID, {})
            env2 = odoo.api.Environment(cr2, odoo.SUPERUSER_ID, {})
            company = env1.company
            env1["distribution.replenishment.lock"]._acquire(company)  # the company's row exists
            cr1.commit()
            env2["res.company"].browse(company.id).read(["name"])  # the second transaction's snapshot
            env1["distribution.replenishment.lock"]._acquire(company)  # another run executes and commits
            cr1.commit()
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                env2["distribution.replenishment.lock"]._acquire(company)
            cr2.rollback()
            env2["distribution.replenishment.lock"]._acquire(company)  # retried: a fresh snapshot passes
            cr2.rollback()
        finally:
            cr1.rollback()
            cr2.rollback()
            cr1.close()
            cr2.close()

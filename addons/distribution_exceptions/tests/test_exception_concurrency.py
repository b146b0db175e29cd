import threading

import odoo
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged


@tagged("post_install", "-at_install")
class TestConcurrentRaise(BaseCase):
    """Two transactions raise the same exception on the same document at once (two warehouse users, or
    a cron beside a user): one item is opened, and the second transaction goes on without an error.
    Runs on real, separate connections and cleans up what it committed."""

    def _env(self, cr):
        return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})

    def test_two_cursors_open_one_item(self):
        dbname = odoo.tools.config["db_name"]
        if isinstance(dbname, list):
            dbname = dbname[0]
        cr1 = db_connect(dbname).cursor()
        cr2 = db_connect(dbname).cursor()
        created = {}
        try:
            env1 = self._env(cr1)
            partner = env1.ref("base.partner_admin")
            raised1 = env1["distribution.exception"]._raise_exceptions("short_pick", [{"record": partner}])
            self.assertEqual(len(raised1), 1)

            def second():
                env2 = self._env(cr2)
                try:
                    created["second"] = env2["distribution.exception"]._raise_exceptions(
                        "short_pick", [{"record": env2.ref("base.partner_admin")}]
                    ).ids
                    cr2.commit()
                except Exception as error:  # noqa: BLE001 - reported by the assertion below
                    created["error"] = error
                    cr2.rollback()

            thread = threading.Thread(target=second)
            thread.start()
            thread.join(2)
            self.assertTrue(thread.is_alive(), "the second insert waits on the unique index for the first")
            cr1.commit()
            thread.join(30)
            self.assertFalse(thread.is_alive())
            self.assertNotIn("error", created, created.get("error"))
            self.assertEqual(created["second"], [], "the second transaction opened nothing")
            cr1.execute(
                "SELECT count(*) FROM distribution_exception WHERE res_model = 'res.partner' AND res_id = %s "
                "AND code = 'short_pick' AND state IN ('new', 'in_progress', 'waiting')",
                [partner.id],
            )
            self.assertEqual(cr1.fetchone()[0], 1)
        finally:
            cr1.rollback()
            cr1.execute(
                "DELETE FROM distribution_exception WHERE res_model = 'res.partner' AND res_id = "
                "(SELECT res_id FROM ir_model_data WHERE module = 'base' AND name = 'partner_admin') "
                "AND code = 'short_pick'"
            )
            cr1.commit()
            cr1.close()
            cr2.close()

from unittest.mock import patch

import odoo
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged

from odoo.addons.distribution_order_flow.tests.concurrency import current_database, run_while_uncommitted

STALE = [("risk_stale", "=", True)]


@tagged("post_install", "-at_install")
class TestDeliveryRiskRace(BaseCase):
    """Two runs of the at-risk cron at once (two cron workers, two servers, a manual run beside the cron), on
    real separate connections: while the first has a batch of orders in hand and has not committed, the
    second takes the other marked orders and skips the first's, without waiting for it. No order is checked
    by both. Cleans up what it committed."""

    def _setup(self):
        setup_cr = db_connect(current_database()).cursor()
        env = odoo.api.Environment(setup_cr, odoo.SUPERUSER_ID, {})
        partner = env["res.partner"].create({"name": "Risk race customer", "is_company": True})
        orders = env["sale.order"].create([{"partner_id": partner.id} for _index in range(4)])
        env.flush_all()
        # Marked to be checked, as a change of theirs would mark them.
        setup_cr.execute("UPDATE sale_order SET risk_stale = TRUE WHERE id = ANY(%s)", [orders.ids])
        setup_cr.commit()
        return setup_cr, partner, orders

    def _cleanup(self, setup_cr, partner, orders):
        setup_cr.rollback()
        env = odoo.api.Environment(setup_cr, odoo.SUPERUSER_ID, {})
        env["sale.order"].browse(orders.ids).unlink()
        env["res.partner"].browse(partner.id).unlink()
        setup_cr.commit()

    def test_two_cron_runs_never_check_one_order_twice(self):
        setup_cr, partner, orders = self._setup()
        checked = []  # (connection, order ids) of each check
        try:
            setup_env = odoo.api.Environment(setup_cr, odoo.SUPERUSER_ID, {})
            SaleOrder, Cron = type(setup_env["sale.order"]), type(setup_env["ir.cron"])
            original = SaleOrder._refresh_delivery_risk

            def spy(records):
                checked.append((id(records.env.cr), set(records.ids)))
                return original(records)

            def first(env):
                """A cron run with its first batch in hand: 2 of the orders checked, not committed yet."""
                batch = env["sale.order"]._lock_orders_for_risk_refresh(STALE + [("id", "in", orders.ids)], 2)
                batch._refresh_delivery_risk()
                return set(batch.ids)

            def second(env):
                """Another run of the cron, to its end (its commits between batches are counted, not made:
                the helper commits its connection at the end)."""
                env["sale.order"]._refresh_delivery_risk_in_batches(STALE)
                return id(env.cr)

            with patch.object(SaleOrder, "_refresh_delivery_risk", autospec=True, side_effect=spy), \
                    patch.object(Cron, "_commit_progress", autospec=True, return_value=60.0):
                outcome = run_while_uncommitted(first, second)
            self.assertTrue(outcome["finished"])
            self.assertNotIn("error", outcome, outcome.get("error"))
            self.assertFalse(outcome["waited"], "the second run skips the first's orders, it does not wait")
            first_ids = outcome["first"]
            self.assertEqual(len(first_ids), 2)
            by_second = set().union(*(ids for cr_id, ids in checked if cr_id == outcome["second"]))
            self.assertFalse(first_ids & by_second, "no order checked by both runs")
            self.assertEqual(set(orders.ids) - first_ids, set(orders.ids) & by_second, "the second took the others")
            setup_cr.rollback()
            setup_cr.execute("SELECT COUNT(*) FROM sale_order WHERE id = ANY(%s) AND risk_stale", [orders.ids])
            self.assertEqual(setup_cr.fetchone()[0], 0, "every order checked once both committed")
            setup_cr.execute(
                "SELECT COUNT(*) FROM sale_order WHERE id = ANY(%s) AND risk_checked_at IS NOT NULL", [orders.ids]
            )
            self.assertEqual(setup_cr.fetchone()[0], 4)
        finally:
            self._cleanup(setup_cr, partner, orders)
            setup_cr.close()

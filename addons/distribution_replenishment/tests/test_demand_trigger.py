from unittest.mock import patch

import psycopg2.errors

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import ReplenishmentCase


@tagged("post_install", "-at_install")
class TestDemandTrigger(ReplenishmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Short Customer (repl)", "is_company": True})
        cls.rep = new_test_user(
            cls.env, login="repl_rep", groups="sales_team.group_sale_salesman",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )

    def _confirm(self, qty, warehouse=None):
        order = (
            self.env["sale.order"]
            .with_user(self.rep)
            .create(
                {
                    "partner_id": self.customer.id,
                    "warehouse_id": (warehouse or self.branch).id,
                    "order_line": [
                        Command.create({"product_id": self.breaker.id, "product_uom_qty": qty, "price_unit": 10})
                    ],
                }
            )
        )
        order.action_confirm()
        return order

    def test_short_confirmation_proposes_the_replenishment(self):
        self._stock(self.breaker, self.branch, 2)
        self._stock(self.breaker, self.main, 3)
        order = self._confirm(10)
        run = order.replenishment_run_ids
        self.assertEqual(len(run), 1)
        self.assertRecordValues(run, [{"trigger": "order", "state": "proposed", "sale_order_id": order.id}])
        self.assertEqual(run.line_ids.warehouse_id, self.branch)
        transfer = run.line_ids.filtered(lambda line: line.action == "transfer")
        buy = run.line_ids.filtered(lambda line: line.action == "buy")
        self.assertEqual(transfer.qty_to_order, 3.0, "the main warehouse's 3 first")
        self.assertEqual(buy.qty_to_order, 5.0, "10 ordered - 2 here - 3 transferred")
        self.assertTrue(order.replenishment_date)
        self.assertIn(run.name, order.message_ids[0].body)
        self.assertFalse(
            self.env["purchase.order.line"].search([("product_id", "=", self.breaker.id)]), "only proposed"
        )

    def test_short_confirmation_creates_when_the_company_says_so(self):
        self.company.replenishment_order_trigger = "create"
        order = self._confirm(4)
        run = order.replenishment_run_ids
        self.assertEqual(run.state, "done")
        po_line = self.env["purchase.order.line"].search([("product_id", "=", self.breaker.id)])
        self.assertEqual(po_line.product_qty, 4.0)
        self.assertEqual(order.replenishment_date, run.line_ids.date_planned)
        # A second short order for the same product counts the RFQ as incoming.
        second = self._confirm(3)
        self.assertEqual(
            sum(self.env["purchase.order.line"].search([("product_id", "=", self.breaker.id)]).mapped("product_qty")),
            7.0,
        )
        self.assertTrue(second.replenishment_run_ids)

    def test_reserved_order_triggers_nothing(self):
        self._stock(self.breaker, self.branch, 20)
        order = self._confirm(5)
        self.assertFalse(order.sudo().replenishment_run_ids)

    def test_trigger_off(self):
        self.company.replenishment_order_trigger = "none"
        self.assertFalse(self._confirm(5).replenishment_run_ids)

    def test_concurrent_planning_defers_instead_of_failing_the_confirmation(self):
        """Another planning of the company committed since this transaction started: the confirmation goes
        on and the shortfall is planned after it commits (in its own, retried transaction)."""
        Run = type(self.env["distribution.replenishment.run"])

        def conflict(self_, order, products):
            raise psycopg2.errors.SerializationFailure("could not serialize access due to concurrent update")

        callbacks_before = len(self.env.cr.postcommit)
        with patch.object(Run, "_plan_shortfall", conflict):
            order = self._confirm(10)
        self.assertEqual(order.state, "sale", "the salesperson's confirmation is not failed")
        self.assertFalse(order.sudo().replenishment_run_ids)
        self.assertEqual(len(self.env.cr.postcommit), callbacks_before + 1, "planned after the commit")
        self.env.cr.postcommit._funcs.pop()  # nothing commits in this test

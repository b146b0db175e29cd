from ast import literal_eval

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import KpiCase

OPEN = ("new", "in_progress", "waiting")


@tagged("post_install", "-at_install")
class TestSalesHome(KpiCase):
    """The counts over the Sales home (quotations and orders lists): orders at risk, orders waiting on a
    backorder, open exceptions on orders by type; each as the user may see them, each opening its list."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.write({"risk_weight_supply": 40, "risk_threshold": 20})
        cls.rep_2 = new_test_user(
            cls.env, login="home_rep_2", groups="sales_team.group_sale_salesman",
            company_id=cls.company_a.id, company_ids=[cls.company_a.id],
        )
        cls.backorder_type = cls.Type._get_by_code("backorder")

    def _world(self):
        """The salesperson's order with nothing in stock (at risk), their order shipped short (a backorder
        and its exception), and another salesperson's order with nothing in stock (at risk)."""
        with self.step(0):
            self._stock(self.breaker, 2)
            unstocked = self._order([(self.cable, 10, None, 0.0)], commitment_date=self.at(5))
            unstocked.with_user(self.salesperson).action_confirm()
            short = self._order([(self.breaker, 4, None, 0.0)], commitment_date=self.at(5))
            short.with_user(self.salesperson).action_confirm()
            others = self._order([(self.cable, 3, None, 0.0)], user=self.rep_2, commitment_date=self.at(5))
            others.with_user(self.rep_2).action_confirm()
        with self.step(1):
            self._validate(short.picking_ids, {self.breaker: 2})
            # As the 5-minute cron does for the orders changed.
            (unstocked | short | others)._refresh_delivery_risk()
        self.assertTrue(unstocked.at_risk and others.at_risk)
        self.assertTrue(short.picking_ids.filtered(lambda p: p.backorder_id and p.state not in ("done", "cancel")))
        return unstocked, short, others

    @staticmethod
    def _counts(user, env):
        return {tile["key"]: tile["count"] for tile in env["sale.order"].with_user(user).get_distribution_home_counts()}

    def test_salesperson_counts_their_orders(self):
        unstocked, short, others = self._world()
        counts = self._counts(self.salesperson, self.env)
        mine = unstocked | short
        self.assertEqual(counts["at_risk"], len(mine.filtered("at_risk")))
        self.assertEqual(counts["backorders"], 1)
        backorders = self.Exception.sudo().search([
            ("sale_order_id", "=", short.id), ("type_id", "=", self.backorder_type.id), ("state", "in", OPEN),
        ])
        self.assertEqual(len(backorders), 1)
        self.assertEqual(counts[f"exception_{self.backorder_type.id}"], 1)
        # The other salesperson: their own order only, no backorder, none of the first one's exceptions.
        counts_2 = self._counts(self.rep_2, self.env)
        self.assertEqual(counts_2["at_risk"], 1)
        self.assertEqual(counts_2["backorders"], 0)
        self.assertNotIn(f"exception_{self.backorder_type.id}", counts_2)
        own = self.Exception.sudo().search_count([("sale_order_id", "=", others.id), ("state", "in", OPEN)])
        self.assertEqual(sum(count for key, count in counts_2.items() if key.startswith("exception_")), own,
                         "rep 2 counts the exceptions of their own order only")

    def test_counts_open_their_lists(self):
        unstocked, short, _others = self._world()
        SaleOrder = self.env["sale.order"].with_user(self.salesperson)
        action = SaleOrder.action_open_distribution_home_count("at_risk")
        self.assertEqual(action["res_model"], "sale.order")
        self.assertEqual(SaleOrder.search(literal_eval(action["domain"])), (unstocked | short).filtered("at_risk"))
        action = SaleOrder.action_open_distribution_home_count("backorders")
        self.assertEqual(SaleOrder.search(action["domain"]), short)
        action = SaleOrder.action_open_distribution_home_count(f"exception_{self.backorder_type.id}")
        self.assertEqual(action["res_model"], "distribution.exception")
        exceptions = self.env["distribution.exception"].with_user(self.salesperson).search(action["domain"])
        self.assertEqual(exceptions.sale_order_id, short)
        self.assertEqual(exceptions.type_id, self.backorder_type)
        for key in ("late_orders", "exception_0", f"exception_{self.backorder_type.id + 10000}", None):
            with self.assertRaises(UserError):
                SaleOrder.action_open_distribution_home_count(key)

    def test_other_company_sees_nothing(self):
        self._world()
        counts = self._counts(self.manager_b, self.env)
        self.assertEqual(counts, {"at_risk": 0, "backorders": 0}, "nothing of company A, no exception count")

from datetime import timedelta

import psycopg2

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CycleCountCase


@tagged("post_install", "-at_install")
class TestCycleCountRule(CycleCountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bin_3 = cls.env["stock.location"].create({"name": "CC Bin 3", "location_id": cls.zone.id})
        cls.Quant._update_available_quantity(cls.widget, cls.bin_2, 5.0)
        cls.Rule = cls.env["distribution.cycle.count.rule"]
        cls.today = fields.Date.context_today(cls.Rule)

    def _rule(self, **vals):
        return self.Rule.create(
            {"name": "CC rule", "warehouse_id": self.warehouse.id, "location_id": self.zone.id, **vals}
        )

    def _tasks(self, rule):
        return self.Count.search([("rule_id", "=", rule.id)])

    def test_not_counted_for_n_days_boundaries(self):
        self.bin_1.last_inventory_date = self.today - timedelta(days=30)  # exactly N days: due
        self.bin_2.last_inventory_date = self.today - timedelta(days=29)  # counted since: not due
        self.bin_3.last_inventory_date = False  # never counted: due
        self.zone.last_inventory_date = self.today
        rule = self._rule(kind="not_counted", days_not_counted=30)
        rule._generate_tasks()
        tasks = self._tasks(rule)
        self.assertEqual(tasks.location_id, self.bin_1 | self.bin_3)
        self.assertEqual(tasks.filtered(lambda t: t.location_id == self.bin_1).line_ids.product_id,
                         self.widget | self.gadget)

    def test_location_frequency_makes_it_due(self):
        (self.bin_1 | self.bin_2 | self.bin_3 | self.zone).last_inventory_date = self.today
        self.bin_2.write({"cyclic_inventory_frequency": 7, "last_inventory_date": self.today - timedelta(days=7)})
        # Odoo stored the next date when it was computed; the day has come since.
        self.bin_2.next_inventory_date = self.today
        rule = self._rule(kind="not_counted", days_not_counted=90)
        rule._generate_tasks()
        self.assertEqual(self._tasks(rule).location_id, self.bin_2)

    def test_running_twice_creates_nothing_twice(self):
        rule = self._rule(kind="not_counted", days_not_counted=0)
        first = rule._generate_tasks()
        self.assertEqual(len(first), 4, "the zone and its three bins")
        self.assertFalse(rule._generate_tasks(), "second run: every location has an open task")
        cron = self.env.ref("distribution_cycle_count.ir_cron_distribution_cycle_count_generate")
        cron.ir_actions_server_id.run()  # the scheduled action, in this transaction
        self.assertEqual(len(self._tasks(rule)), 4)
        # A task made by hand for a location is not duplicated by another rule either.
        other = self._rule(kind="not_counted", days_not_counted=0, name="Other rule")
        self.assertFalse(other._generate_tasks())
        # Once done, the location is due again under a zero-day rule.
        task = first.filtered(lambda t: t.location_id == self.bin_2)
        self._counted(task, {self.widget: 5.0})
        self.assertEqual(task.state, "done")
        self.assertEqual(other._generate_tasks().location_id, self.bin_2)

    def test_max_tasks_per_run_oldest_first(self):
        self.zone.last_inventory_date = self.today - timedelta(days=100)
        self.bin_1.last_inventory_date = self.today - timedelta(days=50)
        self.bin_2.last_inventory_date = self.today - timedelta(days=200)
        self.bin_3.last_inventory_date = self.today - timedelta(days=60)
        rule = self._rule(kind="not_counted", days_not_counted=10, max_tasks=2)
        self.assertEqual(rule._generate_tasks().location_id, self.bin_2 | self.zone)
        self.assertEqual(rule._generate_tasks().location_id, self.bin_3 | self.bin_1)

    def test_products_above_a_value(self):
        # bin 1: 20 widgets (200) and 4 gadgets (400); bin 2: 5 widgets (50).
        rule = self._rule(kind="value", min_value=200.0, user_id=self.counter.id)
        tasks = rule._generate_tasks()
        self.assertEqual(tasks.location_id, self.bin_1)
        self.assertEqual(tasks.line_ids.product_id, self.gadget, "200 is not above 200")
        self.assertEqual(tasks.user_id, self.counter)
        self.assertEqual(tasks.company_id, self.company_a)

    def test_rules_of_another_company_count_their_own_locations(self):
        self.Quant._update_available_quantity(self.product_b, self.warehouse_b.lot_stock_id, 3.0)
        rule_b = self.Rule.create(
            {"name": "B rule", "company_id": self.company_b.id, "warehouse_id": self.warehouse_b.id,
             "location_id": self.warehouse_b.lot_stock_id.id, "kind": "not_counted", "days_not_counted": 0}
        )
        tasks = rule_b._generate_tasks()
        self.assertEqual(tasks.company_id, self.company_b)
        self.assertEqual(tasks.line_ids.product_id, self.product_b)

    def test_one_open_task_per_location_even_by_hand(self):
        self._count(location=self.bin_3)
        with self.assertRaises(psycopg2.errors.UniqueViolation), self.cr.savepoint(), mute_logger("odoo.sql_db"):
            self._count(location=self.bin_3)
        self.assertEqual(self.Count.search_count([("location_id", "=", self.bin_3.id)]), 1)

    def test_a_location_taken_meanwhile_is_skipped(self):
        # What another transaction committed after this one's search: the index refuses, the run goes on.
        rule = self._rule(kind="not_counted", days_not_counted=0)
        vals_list = [rule._prepare_count_vals(location, []) for location in (self.bin_1, self.bin_2)]
        self._count(location=self.bin_1)
        created = rule._create_counts_unless_open(self.Count, vals_list)
        self.assertEqual(created.location_id, self.bin_2)

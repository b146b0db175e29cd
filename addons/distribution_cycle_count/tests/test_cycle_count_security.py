from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CycleCountCase


@tagged("post_install", "-at_install")
class TestCycleCountSecurity(CycleCountCase):
    def test_blind_count_hides_the_recorded_quantity_until_submitted(self):
        count = self._count().with_user(self.counter)
        count.action_start()
        line = count.line_ids[0]
        with self.assertRaises(AccessError):
            line.read(["recorded_qty"])
        data = line.read()[0]
        self.assertNotIn("recorded_qty", data)
        self.assertNotIn("difference_qty", data)
        self.assertEqual(data["result_recorded_qty"], 0.0, "not shown before submission")
        view_fields = self.env["distribution.cycle.count.line"].with_user(self.counter).fields_get()
        self.assertNotIn("recorded_qty", view_fields)
        for line in count.line_ids:
            line.counted_qty = 1.0
        count.action_submit()
        widget_line = count.line_ids.filtered(lambda ln: ln.product_id == self.widget)
        self.assertEqual(widget_line.result_recorded_qty, 20.0, "shown once submitted")
        self.assertEqual(widget_line.result_difference_qty, -19.0)

    def test_counter_cannot_approve_nor_write_system_fields(self):
        count = self._counted(self._count(), {self.widget: 30.0})
        as_counter = count.with_user(self.counter_2)
        with self.assertRaisesRegex(AccessError, "Only an inventory manager"):
            as_counter.action_approve()
        with self.assertRaisesRegex(AccessError, "Only an inventory manager"):
            as_counter.action_reject()
        for vals in ({"state": "done"}, {"approver_id": self.counter_2.id}, {"counter_id": self.counter_2.id}):
            with self.assertRaisesRegex(AccessError, "set by the system"):
                as_counter.write(vals)
        line = count.line_ids[0].with_user(self.counter)
        for vals in ({"recorded_qty": 30.0}, {"state": "applied"}, {"difference_qty": 0.0}):
            with self.assertRaises(AccessError):
                line.write(vals)
        self.assertEqual(count.state, "to_approve")
        self.assertEqual(self._on_hand(self.widget), 20.0)
        self.assertEqual(count.line_ids.filtered(lambda ln: ln.product_id == self.widget).sudo().recorded_qty, 20.0)

    def test_counter_cannot_move_a_line_to_another_count(self):
        submitted = self._counted(self._count(location=self.bin_2, products=self.widget), {self.widget: 1.0})
        mine = self._count(products=self.gadget).with_user(self.counter)
        mine.action_start()
        line = mine.line_ids.with_user(self.counter)
        line.counted_qty = 99.0
        with self.assertRaisesRegex(UserError, "cannot be moved to another count"):
            line.write({"count_id": submitted.id})
        self.assertEqual(line.count_id, mine)
        self.assertEqual(submitted.line_ids.product_id, self.widget, "nothing slipped into the submitted count")

    def test_counter_cannot_create_a_count_in_a_later_state(self):
        with self.assertRaisesRegex(AccessError, "set by the system"):
            self.Count.with_user(self.counter).create({"location_id": self.bin_1.id, "state": "done"})
        self.assertFalse(self.Count.search([("location_id", "=", self.bin_1.id)]))

    def test_rules_are_for_managers(self):
        Rule = self.env["distribution.cycle.count.rule"]
        vals = {"name": "x", "warehouse_id": self.warehouse.id, "location_id": self.zone.id}
        with self.assertRaises(AccessError):
            Rule.with_user(self.counter).create(vals)
        rule = Rule.with_user(self.manager).create(vals)
        self.assertEqual(rule.with_user(self.counter).name, "x", "a counter may read the rules")
        with self.assertRaises(AccessError):
            rule.with_user(self.counter).action_generate_tasks()
        self.assertFalse(rule.count_ids, "nothing generated")
        action = rule.with_user(self.manager).action_generate_tasks()
        self.assertTrue(rule.count_ids)
        self.assertEqual(action["domain"], [("id", "in", rule.count_ids.ids)])
        action = rule.with_user(self.counter).action_view_counts()
        self.assertEqual(action["domain"], [("rule_id", "=", rule.id)])

    def test_other_company_user_sees_nothing_and_changes_nothing(self):
        count = self._count()
        as_b = self.Count.with_user(self.counter_b)
        self.assertFalse(as_b.search([("id", "=", count.id)]))
        self.assertEqual(as_b.scanner_list_tasks(), [])
        with self.assertRaises(AccessError):
            as_b.browse(count.id).action_start()
        with self.assertRaises(AccessError):
            as_b.scanner_open(count.id)
        with self.assertRaises(AccessError):
            as_b.browse(count.id).write({"note": "mine"})
        self.assertEqual(count.state, "draft")
        self.assertFalse(count.note)
        self.assertFalse(count.counter_id)

    def test_other_company_manager_cannot_approve(self):
        manager_b = self.counter_b
        manager_b.group_ids |= self.env.ref("stock.group_stock_manager")
        count = self._counted(self._count(), {self.widget: 30.0})
        with self.assertRaises(AccessError):
            count.with_user(manager_b).action_approve()
        self.assertEqual(count.state, "to_approve")

    def test_user_without_stock_rights(self):
        count = self._count()
        as_employee = self.Count.with_user(self.employee)
        with self.assertRaises(AccessError):
            as_employee.search([])
        with self.assertRaises(AccessError):
            as_employee.browse(count.id).action_start()
        with self.assertRaises(AccessError):
            as_employee.create({"location_id": self.bin_1.id})
        with self.assertRaises(AccessError):
            as_employee.scanner_list_tasks()
        self.assertEqual(count.state, "draft")

    def test_screens_open_for_each_role(self):
        """The web client's calls: each role loads the screens it has a menu for."""
        for user, models_ in (
            (self.counter, ["distribution.cycle.count"]),
            (self.manager, ["distribution.cycle.count", "distribution.cycle.count.rule"]),
        ):
            for model in models_:
                views = self.env[model].with_user(user).get_views([(False, "list"), (False, "form")])
                self.assertIn("form", views["views"])
        counter_form = self.env["distribution.cycle.count"].with_user(self.counter).get_views([(False, "form")])
        self.assertNotIn('name="recorded_qty"', counter_form["views"]["form"]["arch"], "blind: no recorded column")
        manager_form = self.env["distribution.cycle.count"].with_user(self.manager).get_views([(False, "form")])
        self.assertIn('name="recorded_qty"', manager_form["views"]["form"]["arch"])
        menus = self.env["ir.ui.menu"].with_user(self.counter)._visible_menu_ids()
        self.assertIn(self.env.ref("distribution_cycle_count.distribution_cycle_count_menu").id, menus)
        self.assertNotIn(self.env.ref("distribution_cycle_count.distribution_cycle_count_rule_menu").id, menus)

    def test_counter_takes_tasks_for_themselves_only(self):
        free, theirs = self._count(location=self.bin_1), self._count(location=self.bin_2, user=self.counter_2)
        free.with_user(self.counter).user_id = self.counter
        self.assertEqual(free.user_id, self.counter)
        with self.assertRaisesRegex(AccessError, "for themselves only"):
            free.with_user(self.counter).user_id = self.counter_2
        with self.assertRaisesRegex(AccessError, "for themselves only"):
            theirs.with_user(self.counter).user_id = self.counter
        self.assertEqual(theirs.user_id, self.counter_2)
        theirs.with_user(self.manager).user_id = self.counter
        self.assertEqual(theirs.user_id, self.counter)

    def test_company_follows_the_location(self):
        self.counter.company_ids |= self.company_b
        location_b = self.warehouse_b.lot_stock_id
        count = self.Count.with_user(self.counter).create({"location_id": location_b.id})
        self.assertEqual(count.company_id, self.company_b)
        self.assertEqual(count.warehouse_id, self.warehouse_b)

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CycleCountCase


@tagged("post_install", "-at_install")
class TestCycleCount(CycleCountCase):
    def test_within_threshold_applies_at_once_through_inventory_adjustment(self):
        count = self._counted(self._count(), {self.widget: 23.0, self.gadget: 4.0})
        self.assertEqual(count.state, "done")
        self.assertEqual(self._on_hand(self.widget), 23.0)
        self.assertEqual(self._on_hand(self.gadget), 4.0)
        self.assertEqual(set(count.line_ids.mapped("state")), {"applied"})
        move = self.env["stock.move"].search([("product_id", "=", self.widget.id), ("is_inventory", "=", True)])
        self.assertRecordValues(move, [{"state": "done", "quantity": 3.0, "reference": count.name,
                                        "location_dest_id": self.bin_1.id}])
        self.assertEqual(self.bin_1.last_inventory_date, fields.Date.context_today(count))
        self.assertFalse(self._discrepancies(count))
        self.assertEqual(count.counter_id, self.counter)

    def test_threshold_exactly_at_the_limit_applies(self):
        # 5 units of a 10-cost product (value 50) and 1 unit of a 100-cost product (value 100): both at a limit.
        count = self._counted(self._count(), {self.widget: 15.0, self.gadget: 5.0})
        self.assertEqual(count.state, "done")
        self.assertEqual(self._on_hand(self.widget), 15.0)
        self.assertEqual(self._on_hand(self.gadget), 5.0)

    def test_above_by_quantity_waits_for_approval(self):
        count = self._counted(self._count(), {self.widget: 26.0, self.gadget: 4.0})  # +6 units, value 60
        self.assertEqual(count.state, "to_approve")
        widget_line = count.line_ids.filtered(lambda line: line.product_id == self.widget)
        self.assertRecordValues(widget_line.sudo(), [{"state": "to_approve", "recorded_qty": 20.0,
                                                      "difference_qty": 6.0, "difference_value": 60.0}])
        self.assertEqual(self._on_hand(self.widget), 20.0, "nothing applied before approval")
        exception = self._discrepancies(count)
        self.assertEqual(len(exception), 1)
        self.assertEqual(count.sudo().exception_id, exception)
        self.assertEqual(exception.product_id, self.widget)
        activities = count.sudo().activity_ids
        self.assertLessEqual(self.manager | self.manager_2, activities.user_id, "each inventory manager is asked")
        self.assertNotIn(self.counter, activities.user_id)

    def test_above_by_value_waits_for_approval(self):
        count = self._counted(self._count(), {self.widget: 20.0, self.gadget: 2.0})  # -2 units, value -200
        self.assertEqual(count.state, "to_approve")
        self.assertEqual(count.line_ids.filtered(lambda line: line.state == "to_approve").product_id, self.gadget)
        self.assertEqual(self._on_hand(self.gadget), 4.0)

    def test_mixed_lines_apply_what_is_within_and_hold_the_rest(self):
        count = self._counted(self._count(), {self.widget: 22.0, self.gadget: 10.0})
        self.assertEqual(count.state, "to_approve")
        self.assertEqual(self._on_hand(self.widget), 22.0, "the line within the threshold applied at once")
        self.assertEqual(self._on_hand(self.gadget), 4.0)
        count.with_user(self.manager).action_approve()
        self.assertEqual(count.state, "done")
        self.assertEqual(self._on_hand(self.gadget), 10.0)
        self.assertEqual(count.approver_id, self.manager)
        self.assertEqual(self._discrepancies(count).state, "resolved")
        self.assertFalse(count.sudo().activity_ids, "the approval activities are done")

    def test_one_discrepancy_per_count_not_one_per_product(self):
        # The percentage tolerance (0 %: any difference) does not judge a cycle count a second time.
        self.company_a.distribution_count_tolerance = 0.0
        count = self._counted(self._count(), {self.widget: 30.0, self.gadget: 4.5})
        self.assertEqual(len(self._discrepancies(count)), 1)
        self.assertFalse(self._discrepancies(self.widget | self.gadget), "no discrepancy raised per product")
        count.with_user(self.manager).action_approve()
        self.assertFalse(self._discrepancies(self.widget | self.gadget))

    def test_uncounted_line_counts_as_zero_and_empty_task_counts_what_is_stocked(self):
        count = self._count().with_user(self.counter)
        count.action_start()
        self.assertEqual(count.line_ids.product_id, self.widget | self.gadget)
        count.line_ids.filtered(lambda line: line.product_id == self.widget).counted_qty = 20.0
        count.action_submit()
        self.assertEqual(count.state, "to_approve", "a gadget not found is -4 units worth 400")

    def test_no_self_approval(self):
        count = self._counted(self._count(), {self.widget: 40.0}, user=self.manager)
        with self.assertRaisesRegex(AccessError, "nobody approves their own count"):
            count.with_user(self.manager).action_approve()
        with self.assertRaisesRegex(AccessError, "nobody approves their own count"):
            count.with_user(self.manager).action_reject()
        self.assertEqual(count.state, "to_approve")
        self.assertEqual(self._on_hand(self.widget), 20.0)
        self.assertNotIn(self.manager, count.sudo().activity_ids.user_id, "the counter is not asked to approve")
        count.with_user(self.manager_2).action_approve()
        self.assertEqual(self._on_hand(self.widget), 40.0)

    def test_reject_sends_the_waiting_lines_back_to_count(self):
        count = self._counted(self._count(), {self.widget: 21.0, self.gadget: 9.0})
        count.with_user(self.manager).action_reject()
        self.assertEqual(count.state, "draft")
        self.assertFalse(count.counter_id)
        gadget_line = count.line_ids.filtered(lambda line: line.product_id == self.gadget)
        self.assertRecordValues(gadget_line.sudo(), [{"state": "draft", "counted_qty": 0.0, "recorded_qty": 0.0}])
        self.assertEqual(count.line_ids.filtered(lambda line: line.product_id == self.widget).state, "applied")
        self.assertEqual(self._discrepancies(count).state, "resolved")
        # Counted again (the task stays with its counter), right this time.
        count = self._counted(count, {self.gadget: 5.0})
        self.assertEqual(count.state, "done")
        self.assertEqual(self._on_hand(self.gadget), 5.0)
        self.assertEqual(self._on_hand(self.widget), 21.0)

    def test_stock_moved_before_approval_refuses_and_asks_a_recount(self):
        count = self._counted(self._count(), {self.widget: 30.0})
        self.Quant._update_available_quantity(self.widget, self.bin_1, -2.0)  # picked meanwhile
        with self.assertRaisesRegex(UserError, "moved in .* since it was counted. Reject the count"):
            count.with_user(self.manager).action_approve()
        self.assertEqual(count.state, "to_approve")
        self.assertEqual(self._on_hand(self.widget), 18.0)
        count.with_user(self.manager).action_reject()
        count = self._counted(count, {self.widget: 28.0})
        self.assertEqual(count.state, "to_approve")
        count.with_user(self.manager).action_approve()
        self.assertEqual(self._on_hand(self.widget), 28.0)

    def test_stock_moved_during_the_count_refuses_submission(self):
        count = self._count().with_user(self.counter)
        count.action_start()
        count.line_ids.counted_qty = 3.0
        self.Quant._update_available_quantity(self.gadget, self.bin_1, 1.0)
        with self.assertRaisesRegex(UserError, "since counting started. Restart the count"):
            count.action_submit()
        self.assertEqual(count.state, "in_progress")
        self.assertEqual(self._on_hand(self.widget), 20.0, "nothing applied")
        count.action_restart()
        self.assertEqual(set(count.line_ids.mapped("counted_qty")), {0.0})
        self.assertEqual(count.line_ids.filtered(lambda line: line.product_id == self.gadget).sudo().recorded_qty, 5.0)

    def test_line_added_while_counting_gets_its_snapshot(self):
        self.Quant._update_available_quantity(self.widget, self.bin_2, 7.0)
        count = self._count(location=self.bin_2, products=self.gadget).with_user(self.counter)
        count.action_start()
        line = count.env["distribution.cycle.count.line"].create(
            {"count_id": count.id, "product_id": self.widget.id, "counted_qty": 7.0}
        )
        self.assertEqual(line.sudo().recorded_qty, 7.0)
        count.action_submit()
        self.assertEqual(count.state, "done")

    def test_submitted_lines_cannot_change(self):
        count = self._counted(self._count(), {self.widget: 30.0})
        with self.assertRaises(UserError):
            count.line_ids[0].with_user(self.counter).counted_qty = 1.0
        with self.assertRaises(UserError):
            count.with_user(self.counter).location_id = self.bin_2

    def test_cancel_waiting_count_needs_a_manager(self):
        colleague = self._count(location=self.bin_2).with_user(self.counter_2)
        colleague.action_start()
        with self.assertRaisesRegex(UserError, "being counted by"):
            colleague.with_user(self.counter).action_cancel()
        self.assertEqual(colleague.state, "in_progress")
        count = self._counted(self._count(), {self.widget: 30.0})
        with self.assertRaises(AccessError):
            count.with_user(self.counter).action_cancel()
        count.with_user(self.manager).action_cancel()
        self.assertEqual(count.state, "cancel")
        self.assertEqual(self._discrepancies(count).state, "cancelled")

    def test_thresholds_cannot_be_negative(self):
        with self.assertRaisesRegex(Exception, "cannot be negative"):
            self.company_a.distribution_count_approval_qty = -1

    def test_product_found_where_none_was_recorded(self):
        count = self._count(location=self.bin_2).with_user(self.counter)
        count.action_start()
        self.assertFalse(count.line_ids)
        self.env["distribution.cycle.count.line"].with_user(self.counter).create(
            [{"count_id": count.id, "product_id": self.widget.id, "counted_qty": 4.0}]
        )
        count.action_submit()
        self.assertEqual(count.state, "done")
        self.assertEqual(self._on_hand(self.widget, self.bin_2), 4.0)

    def test_location_cannot_change_once_counting(self):
        count = self._count().with_user(self.counter)
        count.action_start()
        with self.assertRaisesRegex(UserError, "their location cannot change"):
            count.location_id = self.bin_2
        self.assertEqual(count.location_id, self.bin_1)

    def test_tracked_product_is_counted_per_lot(self):
        lotted = self.env["product.product"].create({"name": "CC Lotted 2", "is_storable": True, "tracking": "lot"})
        count = self._count(location=self.bin_2).with_user(self.counter)
        count.action_start()
        count.env["distribution.cycle.count.line"].create(
            [{"count_id": count.id, "product_id": lotted.id, "counted_qty": 2.0}]
        )
        with self.assertRaisesRegex(UserError, "give the lot of each counted line"):
            count.action_submit()
        self.assertEqual(count.state, "in_progress")

    def test_reset_refused_while_another_task_is_open_on_the_location(self):
        count = self._count()
        count.with_user(self.counter).action_cancel()
        other = self._count()
        with self.assertRaisesRegex(UserError, "already has an open cycle count"):
            count.with_user(self.counter).action_reset()
        other.with_user(self.counter).action_cancel()
        count.with_user(self.counter).action_reset()
        self.assertEqual(count.state, "draft")

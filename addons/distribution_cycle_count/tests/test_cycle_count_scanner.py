from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CycleCountCase


@tagged("post_install", "-at_install")
class TestCycleCountScanner(CycleCountCase):
    def test_list_tasks_mine_or_unassigned_by_location(self):
        mine = self._count(location=self.bin_2, user=self.counter)
        unassigned = self._count(location=self.bin_1)
        theirs = self._count(location=self.zone, user=self.counter_2)
        tasks = self.Count.with_user(self.counter).scanner_list_tasks()
        self.assertEqual([task["id"] for task in tasks if task["id"] in (mine | unassigned | theirs).ids],
                         [unassigned.id, mine.id])
        self.assertEqual(tasks[0]["location"], self.bin_1.display_name)
        # Started by someone else: no longer listed for me.
        self.Count.with_user(self.counter_2).scanner_open(unassigned.id)
        ids = [task["id"] for task in self.Count.with_user(self.counter).scanner_list_tasks()]
        self.assertNotIn(unassigned.id, ids)

    def test_open_scan_set_submit(self):
        count = self._count()
        api = self.Count.with_user(self.counter)
        opened = api.scanner_open(count.id)
        self.assertEqual(opened["task"]["state"], "in_progress")
        self.assertEqual(opened["location"]["id"], self.bin_1.id)
        self.assertEqual({line["product"] for line in opened["lines"]}, {"CC Widget", "CC Gadget"})
        for line in opened["lines"]:
            self.assertNotIn("recorded_qty", line)
        line = api.scanner_scan(count.id, "CC-WIDGET-0001")
        line = api.scanner_scan(count.id, "CC-WIDGET-0001", 2)
        self.assertEqual(line["counted_qty"], 3.0)
        line = api.scanner_set_quantity(line["id"], 20.0)
        self.assertEqual(line["counted_qty"], 20.0)
        gadget = api.scanner_scan(count.id, "CC-GADGET-0001", 9)
        result = api.scanner_submit(count.id)
        self.assertEqual(result["state"], "to_approve")
        self.assertEqual([ln["id"] for ln in result["applied"]], [line["id"]])
        self.assertEqual([ln["id"] for ln in result["to_approve"]], [gadget["id"]])

    def test_packaging_barcode_counts_its_quantity(self):
        pack_uom = self.env["uom.uom"].create(
            {"name": "CC Box of 6", "relative_factor": 6.0, "relative_uom_id": self.widget.uom_id.id}
        )
        self.env["product.uom"].create({"product_id": self.widget.id, "uom_id": pack_uom.id, "barcode": "CC-BOX6"})
        count = self._count()
        api = self.Count.with_user(self.counter)
        api.scanner_open(count.id)
        line = api.scanner_scan(count.id, "CC-BOX6", 3)
        self.assertEqual(line["counted_qty"], 18.0)

    def test_lot_barcode(self):
        lot_product = self.env["product.product"].create({"name": "CC Lotted", "is_storable": True, "tracking": "lot"})
        lot = self.env["stock.lot"].create({"name": "CC-LOT-42", "product_id": lot_product.id})
        self.Quant._update_available_quantity(lot_product, self.bin_2, 4.0, lot_id=lot)
        count = self._count(location=self.bin_2)
        api = self.Count.with_user(self.counter)
        opened = api.scanner_open(count.id)
        self.assertEqual(opened["lines"][0]["lot"], "CC-LOT-42")
        lot_product.barcode = "CC-LOTTED"
        with self.assertRaisesRegex(UserError, "tracked by lot or serial number: scan the lot"):
            api.scanner_scan(count.id, "CC-LOTTED")
        line = api.scanner_scan(count.id, "CC-LOT-42", 4)
        self.assertEqual(line["id"], opened["lines"][0]["id"])
        api.scanner_submit(count.id)
        self.assertEqual(count.state, "done")

    def test_unknown_or_foreign_barcode_is_refused(self):
        count = self._count()
        api = self.Count.with_user(self.counter)
        api.scanner_open(count.id)
        with self.assertRaisesRegex(UserError, "NOPE-123 is no product, packaging or lot known"):
            api.scanner_scan(count.id, "NOPE-123")
        with self.assertRaisesRegex(UserError, "of Cycle Count Company B: it cannot be counted"):
            api.scanner_scan(count.id, "CC-B-0001")
        self.assertEqual(set(count.line_ids.mapped("counted_qty")), {0.0})
        with self.assertRaisesRegex(UserError, "positive quantity"):
            api.scanner_scan(count.id, "CC-WIDGET-0001", 0)

    def test_second_counter_is_refused_with_a_clear_error(self):
        count = self._count()
        self.Count.with_user(self.counter).scanner_open(count.id)
        with self.assertRaisesRegex(UserError, "being counted by cc_counter"):
            self.Count.with_user(self.counter_2).scanner_open(count.id)
        with self.assertRaisesRegex(UserError, "being counted by"):
            self.Count.with_user(self.counter_2).scanner_scan(count.id, "CC-WIDGET-0001")
        with self.assertRaisesRegex(UserError, "being counted by"):
            self.Count.with_user(self.counter_2).scanner_submit(count.id)
        self.assertEqual(count.counter_id, self.counter)
        self.assertEqual(set(count.line_ids.mapped("counted_qty")), {0.0})

    def test_task_assigned_to_another(self):
        count = self._count(user=self.counter_2)
        with self.assertRaisesRegex(UserError, "assigned to"):
            self.Count.with_user(self.counter).scanner_open(count.id)
        with self.assertRaisesRegex(UserError, "does not exist"):
            self.Count.with_user(self.counter).scanner_open(999999999)

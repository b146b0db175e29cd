from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ScannerCase


@tagged("post_install", "-at_install")
class TestScannerPicking(ScannerCase):
    def test_task_list_order_and_status(self):
        now = fields.Datetime.now()
        later = self._delivery([(self.cable, 1)], scheduled_date=now + timedelta(days=2))
        waiting = self._delivery([(self.stranger, 1)], scheduled_date=now + timedelta(days=1))
        first = self._delivery([(self.switch, 1)], scheduled_date=now + timedelta(days=3))
        late = self._delivery([(self.cable, 1)], scheduled_date=now - timedelta(days=1))
        # The suite's working order: the carrier leaving first, then the allocation score.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE stock_picking SET distribution_carrier_departure = %s WHERE id = %s",
            [now + timedelta(days=4), first.id],
        )
        self.env.cr.execute("UPDATE stock_picking SET allocation_score = 90 WHERE id = %s", [later.id])
        self.env.invalidate_all()
        tasks = self._as(self.worker).scanner_task_list(self.warehouse.out_type_id.id)
        names = [task["name"] for task in tasks]
        self.assertEqual(names, [first.name, later.name, late.name, waiting.name])
        by_name = {task["name"]: task for task in tasks}
        self.assertEqual(by_name[waiting.name]["status"], "waiting")
        self.assertEqual(by_name[later.name]["status"], "ready")
        self.assertTrue(by_name[late.name]["at_risk"])
        self.assertFalse(by_name[later.name]["at_risk"])

        home = {row["id"]: row for row in self.env["stock.picking.type"].with_user(self.worker).scanner_home()}
        self.assertEqual(home[self.warehouse.out_type_id.id]["ready"], 3)
        self.assertEqual(home[self.warehouse.out_type_id.id]["waiting"], 1)
        self.assertEqual(home[self.warehouse.out_type_id.id]["late"], 1)

    def test_next_task_claims_the_first_unclaimed(self):
        first = self._delivery([(self.cable, 1)], scheduled_date=fields.Datetime.now() - timedelta(hours=1))
        second = self._delivery([(self.cable, 1)])
        first.scanner_user_id = self.worker2
        screen = self._as(self.worker).scanner_next_task(self.warehouse.out_type_id.id)
        self.assertEqual(screen["id"], second.id)
        self.assertEqual(second.scanner_user_id, self.worker)
        self.assertEqual(second.user_id, self.worker, "the worker becomes the transfer's responsible")
        self.assertEqual(screen["flow"], "pick")

    def test_claimed_task_refused_to_another_worker(self):
        picking = self._delivery([(self.cable, 2)])
        self._as(self.worker).scanner_open(picking.id)
        with self.assertRaisesRegex(UserError, "is being worked by"):
            self._as(self.worker2).scanner_open(picking.id)
        with self.assertRaisesRegex(UserError, "is being worked by"):
            self._scan(picking, ["SCW-A"], user=self.worker2)
        with self.assertRaisesRegex(UserError, "only they or an inventory manager"):
            self._as(self.worker2).scanner_release(picking.id)
        self.assertEqual(picking.scanner_user_id, self.worker)
        # An inventory manager hands it back to the list (the transfer form's button); a worker cannot.
        with self.assertRaisesRegex(UserError, "only they or an inventory manager"):
            picking.with_user(self.worker2).action_scanner_release()
        picking.with_user(self.stock_manager).action_scanner_release()
        self.assertFalse(picking.scanner_user_id)
        self._as(self.worker2).scanner_open(picking.id)
        self.assertEqual(picking.scanner_user_id, self.worker2)

    def test_pick_location_then_product(self):
        picking = self._delivery([(self.cable, 3), (self.switch, 12)])
        self._as(self.worker).scanner_open(picking.id)
        result = self._scan(picking, ["SCW-A", "SC-CABLE", "SC-CABLE"])
        self.assertEqual(result["line"]["done"], 2)
        line = picking.move_line_ids.filtered(lambda ml: ml.product_id == self.cable)
        self.assertEqual(line.scanner_qty, 2)
        # A packaging barcode counts its content (a box of 6).
        result = self._scan(picking, ["SCW-B", "SC-SWITCH-BOX6"], state=result["state"])
        self.assertEqual(result["line"]["done"], 6)
        self.assertEqual(result["state"]["location_id"], self.shelf_b.id)

    def test_refusals_write_nothing(self):
        picking = self._delivery([(self.cable, 2), (self.switch, 2)])
        self._as(self.worker).scanner_open(picking.id)
        with self.assertRaisesRegex(UserError, "Scan the location"):
            self._scan(picking, ["SC-CABLE"])
        with self.assertRaisesRegex(UserError, "Wrong location: .* is not a source"):
            self._scan(picking, ["SCW2-STOCK"])
        with self.assertRaisesRegex(UserError, "Wrong location: .* has nothing to pick"):
            self._scan(picking, ["SCW-STOCK"])
        with self.assertRaisesRegex(UserError, "Wrong product: Scan Stranger is not in"):
            self._scan(picking, ["SCW-A", "SC-STRANGER"])
        with self.assertRaisesRegex(UserError, "Wrong location: Scan Switch is not picked from here"):
            self._scan(picking, ["SCW-A", "SC-SWITCH"])
        with self.assertRaisesRegex(UserError, "Over-pick"):
            self._scan(picking, ["SCW-B", "SC-SWITCH-BOX6"])
        with self.assertRaisesRegex(UserError, "Unknown barcode"):
            self._scan(picking, ["NO-SUCH-CODE"])
        with self.assertRaisesRegex(UserError, "Nothing is counted"):
            self._as(self.worker).scanner_validate(picking.id, True)
        self.assertEqual(picking.move_line_ids.mapped("scanner_qty"), [0.0, 0.0])
        # Each scan is its own request: the third cable is refused, the two before it stay counted.
        state = self._scan(picking, ["SCW-A", "SC-CABLE", "SC-CABLE"])["state"]
        cable_line = picking.move_line_ids.filtered(lambda ml: ml.product_id == self.cable)
        with self.assertRaisesRegex(UserError, "Over-pick"):
            self._scan(picking, ["SC-CABLE"], state=state)
        with self.assertRaisesRegex(UserError, "Over-pick"):
            self._as(self.worker).scanner_set_quantity(cable_line.id, 99)
        with self.assertRaisesRegex(UserError, "negative"):
            self._as(self.worker).scanner_set_quantity(cable_line.id, -1)
        self.assertEqual(cable_line.scanner_qty, 2.0)
        self.assertEqual(picking.state, "assigned")

    def test_tracked_product_needs_its_reserved_lot(self):
        picking = self._delivery([(self.breaker, 2)])
        self._as(self.worker).scanner_open(picking.id)
        result = self._scan(picking, ["SCW-A", "SC-BREAKER"])
        self.assertTrue(result["state"]["awaiting_lot"])
        self.assertFalse(result["line"])
        with self.assertRaisesRegex(UserError, "Wrong lot: SC-LOT-9"):
            self._scan(picking, ["SC-LOT-9"], state=result["state"])
        result = self._scan(picking, ["SC-LOT-1"], state=result["state"])
        self.assertEqual(result["line"]["done"], 1)
        self.assertEqual(result["line"]["lot"], "SC-LOT-1")
        # The lot's own barcode alone names the product too.
        result = self._scan(picking, ["SC-LOT-1"], state={"location_id": self.shelf_a.id})
        self.assertEqual(result["line"]["done"], 2)
        # A typed quantity on a tracked line without lot is refused at validation too.
        receipt = self._receipt([(self.breaker, 2)])
        self._as(self.worker).scanner_open(receipt.id)
        with self.assertRaisesRegex(UserError, "is tracked"):
            self._as(self.worker).scanner_set_quantity(receipt.move_line_ids.id, 2)

    def test_gs1_barcode_with_lot_and_quantity(self):
        self.company.nomenclature_id = self.env.ref("barcodes_gs1_nomenclature.default_gs1_nomenclature")
        self.breaker.barcode = "09506000134352"
        picking = self._delivery([(self.breaker, 3)])
        self._as(self.worker).scanner_open(picking.id)
        # (01) GTIN, (30) count 2, (10) lot.
        result = self._scan(picking, ["SCW-A", "01095060001343523002\x1d10SC-LOT-1"])
        self.assertEqual(result["line"]["done"], 2)
        self.assertEqual(result["line"]["lot"], "SC-LOT-1")

    def test_full_pick_validates(self):
        picking = self._delivery([(self.cable, 2)])
        self._as(self.worker).scanner_open(picking.id)
        self._scan(picking, ["SCW-A", "SC-CABLE", "SC-CABLE"])
        result = self._as(self.worker).scanner_validate(picking.id, True)
        self.assertTrue(result["done"])
        self.assertFalse(result["backorder"])
        self.assertEqual(picking.state, "done")
        self.assertFalse(picking.scanner_user_id)
        self.assertEqual(picking.move_ids.quantity, 2)

    def test_short_pick_with_backorder(self):
        picking = self._delivery([(self.cable, 5), (self.switch, 4)])
        Picking = self._as(self.worker)
        Picking.scanner_open(picking.id)
        result = self._scan(picking, ["SCW-A", "SC-CABLE", "SC-CABLE", "SC-CABLE"])
        self._scan(picking, ["SCW-B"] + ["SC-SWITCH"] * 4, state=result["state"])
        cable_move = picking.move_ids.filtered(lambda m: m.product_id == self.cable)
        with self.assertRaisesRegex(UserError, "Say why"):
            Picking.scanner_report_short(cable_move.id, 3, " ")
        with self.assertRaisesRegex(UserError, "less than its demand"):
            Picking.scanner_report_short(cable_move.id, 5, "Damaged")
        Picking.scanner_report_short(cable_move.id, 3, "Two coils damaged")
        self.assertEqual(cable_move.scanner_short_reason, "Two coils damaged")
        result = Picking.scanner_validate(picking.id, True)
        self.assertTrue(result["done"])
        backorder = picking.backorder_ids
        self.assertEqual(result["backorder"], backorder.name)
        self.assertRecordValues(backorder.move_ids, [{"product_id": self.cable.id, "product_uom_qty": 2}])
        self.assertEqual(cable_move.quantity, 3)
        exception = self.env["distribution.exception"].search(
            [("picking_id", "=", picking.id), ("type_id.code", "=", "short_pick")]
        )
        self.assertTrue(exception, "the suite's short-pick exception follows, as from the web client")

    def test_short_pick_without_backorder(self):
        picking = self._delivery([(self.cable, 4)])
        self._as(self.worker).scanner_open(picking.id)
        self._scan(picking, ["SCW-A", "SC-CABLE"])
        result = self._as(self.worker).scanner_validate(picking.id, False)
        self.assertTrue(result["done"])
        self.assertFalse(picking.backorder_ids)
        self.assertEqual(picking.move_ids.filtered(lambda m: m.state == "done").quantity, 1)

    def test_unscanned_line_goes_to_backorder(self):
        picking = self._delivery([(self.cable, 2), (self.switch, 3)])
        self._as(self.worker).scanner_open(picking.id)
        self._scan(picking, ["SCW-A", "SC-CABLE", "SC-CABLE"])
        self._as(self.worker).scanner_validate(picking.id, True)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.backorder_ids.move_ids.product_id, self.switch)
        self.assertEqual(picking.move_ids.filtered(lambda m: m.state == "done").product_id, self.cable)

    def test_put_in_pack(self):
        picking = self._delivery([(self.cable, 2), (self.switch, 2)])
        Picking = self._as(self.worker)
        Picking.scanner_open(picking.id)
        with self.assertRaisesRegex(UserError, "Nothing counted to pack"):
            Picking.scanner_put_in_pack(picking.id)
        self._scan(picking, ["SCW-A", "SC-CABLE", "SC-CABLE"])
        result = Picking.scanner_put_in_pack(picking.id)
        cable_line = picking.move_line_ids.filtered(lambda ml: ml.product_id == self.cable)
        self.assertTrue(cable_line.result_package_id)
        self.assertEqual(result["package"], cable_line.result_package_id.name)
        # Scanning an existing package puts the next counted lines in it.
        package = self.env["stock.package"].create({"name": "SC-PACK-1"})
        result = self._scan(picking, ["SCW-B", "SC-SWITCH", "SC-SWITCH", "SC-PACK-1"])
        switch_line = picking.move_line_ids.filtered(lambda ml: ml.product_id == self.switch)
        self.assertEqual(switch_line.result_package_id, package)
        Picking.scanner_validate(picking.id, True)
        self.assertEqual(picking.state, "done")

    def test_counts_written_elsewhere_are_rechecked(self):
        picking = self._delivery([(self.cable, 2)])
        self._as(self.worker).scanner_open(picking.id)
        picking.move_line_ids.with_user(self.worker).write({"scanner_qty": 9})
        with self.assertRaisesRegex(UserError, "Over-pick"):
            self._as(self.worker).scanner_validate(picking.id, True)
        self.assertEqual(picking.state, "assigned")

    def test_sms_notice_answered_as_the_web_client_user_would(self):
        """stock_sms asks once per company before a delivery to a customer with a phone is validated (never
        under tests, so the question is put here as button_validate puts it)."""
        picking = self._delivery([(self.cable, 1)])
        self._as(self.worker).scanner_open(picking.id)
        self._scan(picking, ["SCW-A", "SC-CABLE"])
        picking.move_line_ids.write({"quantity": 1, "picked": True})
        action = picking.with_user(self.worker)._action_generate_warn_sms_wizard()
        action["context"] = dict(action["context"], button_validate_picking_ids=picking.ids)
        picking.with_user(self.worker)._scanner_process_validation_action(action, True)
        self.assertEqual(picking.state, "done")
        self.assertTrue(self.company.has_received_warning_stock_sms)

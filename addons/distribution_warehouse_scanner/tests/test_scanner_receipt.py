from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ScannerCase


@tagged("post_install", "-at_install")
class TestScannerReceipt(ScannerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["stock.putaway.rule"].create(
            {"product_id": cls.switch.id, "location_in_id": cls.stock.id, "location_out_id": cls.shelf_a.id}
        )

    def test_receipt_proposes_putaway_and_accepts_another_allowed_location(self):
        receipt = self._receipt([(self.switch, 12)])
        Picking = self._as(self.worker)
        screen = Picking.scanner_open(receipt.id)
        self.assertEqual(screen["flow"], "receive")
        self.assertEqual(screen["lines"][0]["location_dest_id"], self.shelf_a.id, "the putaway rule's shelf")
        result = self._scan(receipt, ["SC-SWITCH-BOX6"])
        self.assertIn("Put it in", result["message"])
        with self.assertRaisesRegex(UserError, "Wrong location: Scan Switch cannot go to"):
            self._scan(receipt, ["SCW2-STOCK"], state=result["state"])
        result = self._scan(receipt, ["SCW-B"], state=result["state"])
        self.assertIn("instead of the proposed", result["message"])
        self.assertEqual(receipt.move_line_ids.location_dest_id, self.shelf_b)
        result = self._scan(receipt, ["SC-SWITCH-BOX6"], state=result["state"])
        with self.assertRaisesRegex(UserError, "Over-pick"):
            self._scan(receipt, ["SC-SWITCH"], state=result["state"])
        Picking.scanner_validate(receipt.id, True)
        self.assertEqual(receipt.state, "done")
        self.assertEqual(self.switch.with_context(location=self.shelf_b.id).qty_available, 50 + 12)

    def test_location_before_product_is_refused(self):
        receipt = self._receipt([(self.switch, 1)])
        self._as(self.worker).scanner_open(receipt.id)
        with self.assertRaisesRegex(UserError, "Scan a product first"):
            self._scan(receipt, ["SCW-A"])

    def test_receipt_of_new_lots(self):
        receipt = self._receipt([(self.breaker, 5)])
        Picking = self._as(self.worker)
        Picking.scanner_open(receipt.id)
        result = self._scan(receipt, ["SC-BREAKER"])
        self.assertTrue(result["state"]["awaiting_lot"])
        result = self._scan(receipt, ["NEW-LOT-77"], state=result["state"])
        self.assertEqual(result["line"]["lot"], "NEW-LOT-77")
        Picking.scanner_set_quantity(result["line"]["id"], 5)
        Picking.scanner_validate(receipt.id, True)
        self.assertEqual(receipt.state, "done")
        self.assertEqual(receipt.move_line_ids.lot_id.name, "NEW-LOT-77")

    def test_internal_transfer_source_product_destination(self):
        internal = self._picking(
            self.warehouse.int_type_id, [(self.cable, 4)], source=self.stock, destination=self.stock
        )
        Picking = self._as(self.worker)
        Picking.scanner_open(internal.id)
        result = self._scan(internal, ["SCW-A", "SC-CABLE", "SC-CABLE", "SC-CABLE", "SC-CABLE", "SCW-B"])
        self.assertEqual(result["line"]["location_dest_id"], self.shelf_b.id)
        Picking.scanner_validate(internal.id, True)
        self.assertEqual(internal.state, "done")
        self.assertEqual(self.cable.with_context(location=self.shelf_b.id).qty_available, 4)

    def test_receipt_of_serial_numbers(self):
        meter = self.env["product.product"].create(
            {"name": "Scan Meter", "is_storable": True, "barcode": "SC-METER", "tracking": "serial"}
        )
        receipt = self._receipt([(meter, 2)])
        Picking = self._as(self.worker)
        Picking.scanner_open(receipt.id)
        state = self._scan(receipt, ["SC-METER", "SN-001"])["state"]
        with self.assertRaisesRegex(UserError, "already scanned"):
            self._scan(receipt, ["SC-METER", "SN-001"], state=state)
        self._scan(receipt, ["SC-METER", "SN-002"], state=state)
        self.assertEqual(sorted(receipt.move_line_ids.mapped("lot_name")), ["SN-001", "SN-002"])
        self.assertEqual(receipt.move_line_ids.mapped("scanner_qty"), [1.0, 1.0])
        Picking.scanner_validate(receipt.id, True)
        self.assertEqual(receipt.state, "done")
        self.assertEqual(sorted(receipt.move_line_ids.lot_id.mapped("name")), ["SN-001", "SN-002"])

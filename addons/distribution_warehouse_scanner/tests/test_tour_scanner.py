from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestScannerTours(HttpCase):
    """The scanner app driven in Chromium by simulated scans, as a worker with inventory rights only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.worker = new_test_user(cls.env, login="scan_tour_worker", groups="stock.group_stock_user")
        cls.warehouse = cls.env["stock.warehouse"].create({"name": "Tour Scanner WH", "code": "TSW"})
        cls.stock = cls.warehouse.lot_stock_id
        Location = cls.env["stock.location"]
        cls.shelf_a = Location.create({"name": "Shelf A", "location_id": cls.stock.id, "barcode": "TSW-A"})
        cls.shelf_b = Location.create({"name": "Shelf B", "location_id": cls.stock.id, "barcode": "TSW-B"})
        Product = cls.env["product.product"]
        cls.cable = Product.create({"name": "Tour Cable", "is_storable": True, "barcode": "TS-CABLE"})
        cls.switch = Product.create({"name": "Tour Switch", "is_storable": True, "barcode": "TS-SWITCH"})
        Product.create({"name": "Tour Stranger", "is_storable": True, "barcode": "TS-STRANGER"})
        box6 = cls.env["uom.uom"].create(
            {"name": "Tour Box of 6", "relative_factor": 6, "relative_uom_id": cls.env.ref("uom.product_uom_unit").id}
        )
        cls.env["product.uom"].create({"product_id": cls.switch.id, "uom_id": box6.id, "barcode": "TS-SWITCH-BOX6"})
        cls.env["stock.quant"]._update_available_quantity(cls.cable, cls.shelf_a, 3)
        cls.env["stock.quant"]._update_available_quantity(cls.switch, cls.shelf_b, 2)

    def _transfer(self, picking_type, source, destination, lines, **vals):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "user_id": False,
                "move_ids": [
                    (0, 0, {"product_id": product.id, "product_uom_qty": quantity, "product_uom": product.uom_id.id,
                            "location_id": source.id, "location_dest_id": destination.id})
                    for product, quantity in lines
                ],
                **vals,
            }
        )
        picking.action_confirm()
        picking.action_assign()
        return picking

    def test_short_pick_with_backorder(self):
        delivery = self._transfer(
            self.warehouse.out_type_id, self.stock, self.env.ref("stock.stock_location_customers"),
            [(self.cable, 3), (self.switch, 2)],
        )
        self.start_tour(
            "/odoo/action-distribution_warehouse_scanner.scanner_action",
            "distribution_scanner_short_pick",
            login=self.worker.login,
        )
        self.assertEqual(delivery.state, "done")
        self.assertEqual(delivery.user_id, self.worker)
        cable_move = delivery.move_ids.filtered(lambda m: m.product_id == self.cable)
        self.assertEqual(cable_move.quantity, 2)
        self.assertEqual(cable_move.scanner_short_reason, "Coil damaged")
        self.assertRecordValues(delivery.backorder_ids.move_ids, [{"product_id": self.cable.id, "product_uom_qty": 1}])
        self.assertTrue(
            self.env["distribution.exception"].search_count(
                [("picking_id", "=", delivery.id), ("type_id.code", "=", "short_pick")]
            )
        )

    def test_receipt_with_putaway(self):
        self.env["stock.putaway.rule"].create(
            {"product_id": self.switch.id, "location_in_id": self.stock.id, "location_out_id": self.shelf_a.id}
        )
        vendor = self.env["res.partner"].create({"name": "Tour Vendor"})
        receipt = self._transfer(
            self.warehouse.in_type_id, self.env.ref("stock.stock_location_suppliers"), self.stock,
            [(self.switch, 12)], partner_id=vendor.id,
        )
        self.start_tour(
            "/odoo/action-distribution_warehouse_scanner.scanner_action",
            "distribution_scanner_receipt_putaway",
            login=self.worker.login,
        )
        self.assertEqual(receipt.state, "done")
        self.assertEqual(receipt.move_line_ids.location_dest_id, self.shelf_b)
        self.assertEqual(self.switch.with_context(location=self.shelf_b.id).qty_available, 2 + 12)

    def test_count_over_the_threshold_waits_for_approval(self):
        company = self.env.company
        company.write({"distribution_count_approval_qty": 5.0, "distribution_count_approval_value": 1000.0})
        bin_location = self.env["stock.location"].create(
            {"name": "Scan Count Bin", "location_id": self.stock.id, "barcode": "SCB-BIN"}
        )
        item = self.env["product.product"].create(
            {"name": "Scan Count Item", "is_storable": True, "barcode": "SCB-ITEM", "standard_price": 1.0}
        )
        self.env["stock.quant"]._update_available_quantity(item, bin_location, 20)
        count = self.env["distribution.cycle.count"].create({"location_id": bin_location.id})
        self.start_tour(
            "/odoo/action-distribution_warehouse_scanner.scanner_action",
            "distribution_scanner_count_to_approve",
            login=self.worker.login,
        )
        self.assertEqual(count.state, "to_approve")
        self.assertEqual(count.counter_id, self.worker)
        self.assertEqual(item.with_context(location=bin_location.id).qty_available, 20, "nothing applied yet")
        self.assertTrue(
            self.env["distribution.exception"].search_count(
                [("code", "=", "stock_discrepancy"), ("res_model", "=", count._name), ("res_id", "=", count.id)]
            )
        )

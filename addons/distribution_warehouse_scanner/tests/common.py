from odoo.tests import TransactionCase, new_test_user


class ScannerCase(TransactionCase):
    """A warehouse of its own with two shelves, barcoded products (one lot-tracked, one with a box of 6),
    a warehouse worker of the company with inventory rights only, a second worker, and a worker of
    another company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_notrack=True))
        cls.company = cls.env.company
        cls.company.nomenclature_id = cls.env.ref("barcodes.default_barcode_nomenclature")
        cls.other_company = cls.env["res.company"].create({"name": "Scanner Other Company"})
        company = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        cls.worker = new_test_user(cls.env, login="scan_worker", groups="stock.group_stock_user", **company)
        cls.worker2 = new_test_user(cls.env, login="scan_worker2", groups="stock.group_stock_user", **company)
        cls.stock_manager = new_test_user(
            cls.env, login="scan_manager", groups="stock.group_stock_manager", **company
        )
        cls.outsider = new_test_user(
            cls.env,
            login="scan_outsider",
            groups="stock.group_stock_user",
            company_id=cls.other_company.id,
            company_ids=[cls.other_company.id],
        )
        cls.warehouse = cls.env["stock.warehouse"].create({"name": "Scanner WH", "code": "SCW"})
        cls.stock = cls.warehouse.lot_stock_id
        cls.stock.barcode = "SCW-STOCK"
        Location = cls.env["stock.location"]
        cls.shelf_a = Location.create({"name": "Shelf A", "location_id": cls.stock.id, "barcode": "SCW-A"})
        cls.shelf_b = Location.create({"name": "Shelf B", "location_id": cls.stock.id, "barcode": "SCW-B"})
        cls.elsewhere = cls.env["stock.warehouse"].create({"name": "Scanner WH 2", "code": "SCW2"}).lot_stock_id
        cls.elsewhere.barcode = "SCW2-STOCK"
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.suppliers = cls.env.ref("stock.stock_location_suppliers")
        Product = cls.env["product.product"]
        cls.cable = Product.create({"name": "Scan Cable", "is_storable": True, "barcode": "SC-CABLE"})
        cls.switch = Product.create({"name": "Scan Switch", "is_storable": True, "barcode": "SC-SWITCH"})
        cls.breaker = Product.create(
            {"name": "Scan Breaker", "is_storable": True, "barcode": "SC-BREAKER", "tracking": "lot"}
        )
        cls.stranger = Product.create({"name": "Scan Stranger", "is_storable": True, "barcode": "SC-STRANGER"})
        cls.box6 = cls.env["uom.uom"].create(
            {"name": "Scan Box of 6", "relative_factor": 6, "relative_uom_id": cls.env.ref("uom.product_uom_unit").id}
        )
        cls.switch.product_tmpl_id.uom_ids = [(4, cls.box6.id)]
        cls.env["product.uom"].create({"product_id": cls.switch.id, "uom_id": cls.box6.id, "barcode": "SC-SWITCH-BOX6"})
        Quant = cls.env["stock.quant"]
        Quant._update_available_quantity(cls.cable, cls.shelf_a, 20)
        Quant._update_available_quantity(cls.switch, cls.shelf_b, 50)
        cls.lot1 = cls.env["stock.lot"].create({"name": "SC-LOT-1", "product_id": cls.breaker.id})
        Quant._update_available_quantity(cls.breaker, cls.shelf_a, 5, lot_id=cls.lot1)
        cls.Picking = cls.env["stock.picking"]

    @classmethod
    def _picking(cls, picking_type, lines, source=None, destination=None, **vals):
        """A confirmed and reserved transfer of ``lines`` [(product, quantity)]."""
        source = source or picking_type.default_location_src_id
        destination = destination or picking_type.default_location_dest_id
        picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "user_id": False,
                "move_ids": [
                    (0, 0, {
                        "product_id": product.id,
                        "product_uom_qty": quantity,
                        "product_uom": product.uom_id.id,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                    })
                    for product, quantity in lines
                ],
                **vals,
            }
        )
        picking.action_confirm()
        picking.action_assign()
        return picking

    @classmethod
    def _delivery(cls, lines, **vals):
        return cls._picking(cls.warehouse.out_type_id, lines, source=cls.stock, destination=cls.customers, **vals)

    @classmethod
    def _receipt(cls, lines, **vals):
        return cls._picking(cls.warehouse.in_type_id, lines, source=cls.suppliers, destination=cls.stock, **vals)

    def _as(self, user):
        return self.env["stock.picking"].with_user(user).with_context(allowed_company_ids=user.company_ids.ids)

    def _scan(self, picking, barcodes, user=None, state=None):
        """Scan ``barcodes`` in turn as ``user`` (the worker); returns the last answer."""
        Picking = self._as(user or self.worker)
        result = {"state": state or {}}
        for barcode in barcodes:
            result = Picking.scanner_scan(picking.id, barcode, result["state"])
        return result

from odoo.tests import TransactionCase, new_test_user


class CycleCountCase(TransactionCase):
    """Two companies; in the first a warehouse with two bins, two products (cost 10 and 100), two
    counters (stock users), two inventory managers, a user without stock rights; a counter of the second
    company. Approval thresholds: 5 units or 100 in value."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_notrack=True))
        cls.company_a = cls.env.company
        cls.company_a.write({"distribution_count_approval_qty": 5.0, "distribution_count_approval_value": 100.0})
        cls.company_b = cls.env["res.company"].create({"name": "Cycle Count Company B"})
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company_a.id)], limit=1)
        cls.warehouse_b = cls.env["stock.warehouse"].search([("company_id", "=", cls.company_b.id)], limit=1)
        Location = cls.env["stock.location"]
        cls.zone = Location.create({"name": "CC Zone", "location_id": cls.warehouse.lot_stock_id.id})
        cls.bin_1 = Location.create({"name": "CC Bin 1", "location_id": cls.zone.id})
        cls.bin_2 = Location.create({"name": "CC Bin 2", "location_id": cls.zone.id})
        Product = cls.env["product.product"]
        cls.widget = Product.create(
            {"name": "CC Widget", "is_storable": True, "standard_price": 10.0, "barcode": "CC-WIDGET-0001"}
        )
        cls.gadget = Product.create(
            {"name": "CC Gadget", "is_storable": True, "standard_price": 100.0, "barcode": "CC-GADGET-0001"}
        )
        cls.product_b = Product.create(
            {"name": "CC Other Company Item", "is_storable": True, "company_id": cls.company_b.id,
             "barcode": "CC-B-0001"}
        )
        company = {"company_id": cls.company_a.id, "company_ids": [cls.company_a.id]}
        cls.counter = new_test_user(cls.env, login="cc_counter", groups="stock.group_stock_user", **company)
        cls.counter_2 = new_test_user(cls.env, login="cc_counter_2", groups="stock.group_stock_user", **company)
        cls.manager = new_test_user(cls.env, login="cc_manager", groups="stock.group_stock_manager", **company)
        cls.manager_2 = new_test_user(cls.env, login="cc_manager_2", groups="stock.group_stock_manager", **company)
        cls.employee = new_test_user(cls.env, login="cc_employee", groups="base.group_user", **company)
        cls.counter_b = new_test_user(
            cls.env, login="cc_counter_b", groups="stock.group_stock_user",
            company_id=cls.company_b.id, company_ids=[cls.company_b.id],
        )
        cls.Count = cls.env["distribution.cycle.count"]
        cls.Quant = cls.env["stock.quant"]
        cls.Quant._update_available_quantity(cls.widget, cls.bin_1, 20.0)
        cls.Quant._update_available_quantity(cls.gadget, cls.bin_1, 4.0)

    # --- helpers ---------------------------------------------------------------------------------------
    def _count(self, location=None, user=None, products=None):
        vals = {"location_id": (location or self.bin_1).id, "user_id": user and user.id}
        if products:
            vals["line_ids"] = [(0, 0, {"product_id": product.id}) for product in products]
        return self.Count.create(vals)

    def _counted(self, count, quantities, user=None):
        """Start ``count`` as ``user`` (the counter), enter {product: quantity}, submit."""
        count = count.with_user(user or self.counter)
        count.action_start()
        for line in count.line_ids:
            if line.product_id in quantities:
                line.counted_qty = quantities[line.product_id]
        count.action_submit()
        return count

    def _on_hand(self, product, location=None):
        return sum(self.Quant._gather(product, location or self.bin_1, strict=True).mapped("quantity"))

    def _discrepancies(self, record):
        return self.env["distribution.exception"].sudo().search(
            [("code", "=", "stock_discrepancy"), ("res_model", "=", record._name), ("res_id", "in", record.ids)]
        )

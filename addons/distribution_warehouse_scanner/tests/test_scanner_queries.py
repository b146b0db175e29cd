from odoo.tests import tagged

from .common import ScannerCase


@tagged("post_install", "-at_install")
class TestScannerQueries(ScannerCase):
    """A scan costs the same number of queries on a 5-line and on a 50-line transfer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.products = Product.create(
            [{"name": f"Scan Bulk {i}", "is_storable": True, "barcode": f"SC-BULK-{i:03d}"} for i in range(50)]
        )
        for product in cls.products:
            cls.env["stock.quant"]._update_available_quantity(product, cls.shelf_a, 100)

    def _scan_queries(self, size):
        picking = self._delivery([(product, 5) for product in self.products[:size]])
        self._as(self.worker).scanner_open(picking.id)
        state = self._scan(picking, ["SCW-A", self.products[0].barcode])["state"]
        counts = []
        # Scans of a product that is not the first line: the line is looked up, not iterated over.
        for product in (self.products[size // 2], self.products[size - 1]):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            state = self._scan(picking, [product.barcode], state=state)["state"]
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
        return counts

    def test_queries_per_scan_do_not_grow_with_the_transfer(self):
        self._scan_queries(5)  # warms the caches a first scan fills (access rules, barcode nomenclature)
        small = self._scan_queries(5)
        large = self._scan_queries(50)
        self.assertEqual(small, large, f"queries per scan: 5 lines {small}, 50 lines {large}")

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import ScannerCase


@tagged("post_install", "-at_install")
class TestScannerSecurity(ScannerCase):
    def test_other_company_worker_sees_and_touches_nothing(self):
        picking = self._delivery([(self.cable, 2)])
        Outsider = self.env["stock.picking"].with_user(self.outsider).with_context(
            allowed_company_ids=self.other_company.ids
        )
        self.assertEqual(Outsider.scanner_task_list(self.warehouse.out_type_id.id), [])
        home_types = [row["id"] for row in self.env["stock.picking.type"].with_user(self.outsider).scanner_home()]
        self.assertNotIn(self.warehouse.out_type_id.id, home_types)
        for call in (
            lambda: Outsider.scanner_open(picking.id),
            lambda: Outsider.scanner_scan(picking.id, "SCW-A", {}),
            lambda: Outsider.scanner_validate(picking.id, True),
            lambda: Outsider.scanner_put_in_pack(picking.id),
            lambda: Outsider.scanner_report_short(picking.move_ids.id, 1, "x"),
            lambda: Outsider.scanner_set_quantity(picking.move_line_ids.id, 1),
        ):
            with self.assertRaises(AccessError):
                call()
        self.assertFalse(picking.scanner_user_id)
        self.assertEqual(picking.move_line_ids.scanner_qty, 0)
        self.assertEqual(picking.state, "assigned")

    def test_claim_is_written_by_the_scanner_only(self):
        picking = self._delivery([(self.cable, 2)])
        self._as(self.worker).scanner_open(picking.id)
        with self.assertRaisesRegex(AccessError, "set by the system"):
            picking.with_user(self.worker2).write({"scanner_user_id": self.worker2.id})
        self.assertEqual(picking.scanner_user_id, self.worker)

    def test_user_without_inventory_rights_is_refused(self):
        clerk = new_test_user(self.env, login="scan_clerk", groups="base.group_user")
        picking = self._delivery([(self.cable, 2)])
        with self.assertRaises(AccessError):
            self.env["stock.picking"].with_user(clerk).scanner_open(picking.id)
        self.assertFalse(picking.scanner_user_id)

    def test_worker_without_sales_or_accounting_rights_ships_an_order(self):
        """A delivery of an invoice-on-delivery order: the worker has inventory rights only."""
        self.assertFalse(self.worker.has_group("sales_team.group_sale_salesman"))
        self.assertFalse(self.worker.has_group("account.group_account_invoice"))
        customer = self.env["res.partner"].create({"name": "Scanner Customer", "is_company": True})
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [Command.create({"product_id": self.cable.id, "product_uom_qty": 3})],
            }
        )
        order.action_confirm()
        picking = order.picking_ids
        tasks = self._as(self.worker).scanner_task_list(self.warehouse.out_type_id.id)
        self.assertIn(picking.id, [task["id"] for task in tasks])
        self._as(self.worker).scanner_open(picking.id)
        self._scan(picking, ["SCW-A", "SC-CABLE", "SC-CABLE"])
        result = self._as(self.worker).scanner_validate(picking.id, True)
        self.assertTrue(result["done"])
        self.assertEqual(picking.state, "done")
        self.assertEqual(order.order_line.qty_delivered, 2)
        self.assertEqual(order.picking_ids.filtered(lambda p: p.state != "done").move_ids.product_uom_qty, 1)

    def test_delivery_on_credit_hold_is_not_validated(self):
        # The company keeps a held order's reservations (else the hold takes back what was picked).
        self.company.distribution_credit_hold_unreserve = False
        customer = self.env["res.partner"].create({"name": "Scanner Held Customer", "is_company": True})
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [Command.create({"product_id": self.cable.id, "product_uom_qty": 2})],
            }
        )
        order.action_confirm()
        picking = order.picking_ids
        self._as(self.worker).scanner_open(picking.id)
        self._scan(picking, ["SCW-A", "SC-CABLE", "SC-CABLE"])
        # Put on hold while the worker picks (credit control, or the check at goods issue).
        order.sudo().credit_hold = True
        result = self._as(self.worker).scanner_validate(picking.id, True)
        self.assertFalse(result["done"])
        self.assertIn("credit hold", result["message"])
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(order.order_line.qty_delivered, 0)
        self.assertEqual(picking.scanner_user_id, self.worker, "still the worker's task")

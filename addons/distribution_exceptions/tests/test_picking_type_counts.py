from odoo.tests import tagged

from .common import ExceptionCase


@tagged("post_install", "-at_install")
class TestPickingTypeExceptionCount(ExceptionCase):
    """The Inventory overview's cards count the open exceptions of each operation type's transfers."""

    def setUp(self):
        super().setUp()
        self._stock(self.cable, 100)

    def test_short_pick_counts_on_its_operation_type_until_closed(self):
        order = self._confirmed()
        picking = self._validate(order.picking_ids, {self.cable: 7})
        picking_type = picking.picking_type_id.with_user(self.picker)
        items = self.Exception.sudo().search(
            [("picking_id.picking_type_id", "=", picking_type.id), ("is_open", "=", True)]
        )
        self.assertTrue(items)
        self.assertEqual(picking_type.distribution_exception_count, len(items.with_user(self.picker).exists()))
        action = picking_type.action_view_distribution_exceptions()
        self.assertEqual(action["res_model"], "distribution.exception")
        self.assertEqual(action["domain"], [("picking_id.picking_type_id", "=", picking_type.id)])
        self.assertEqual(
            self.Exception.with_user(self.picker).search(action["domain"] + [("is_open", "=", True)]).ids,
            items.with_user(self.picker).search([("id", "in", items.ids)]).ids,
        )
        items.sudo().write({"state": "resolved", "resolution": "Counted again"})
        picking_type.invalidate_recordset(["distribution_exception_count"])
        self.assertEqual(picking_type.distribution_exception_count, 0)

    def test_other_company_sees_nothing_of_it(self):
        order = self._confirmed()
        picking = self._validate(order.picking_ids, {self.cable: 7})
        self.assertTrue(picking.picking_type_id.distribution_exception_count)
        types_b = self.env["stock.picking.type"].with_user(self.manager_b).search([])
        self.assertNotIn(picking.picking_type_id, types_b, "company B does not see A's operation types")
        self.assertFalse(any(types_b.mapped("distribution_exception_count")))

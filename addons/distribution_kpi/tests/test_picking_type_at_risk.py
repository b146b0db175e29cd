from odoo.tests import tagged

from .common import KpiCase


@tagged("post_install", "-at_install")
class TestPickingTypeAtRisk(KpiCase):
    """The Inventory overview's cards count the open transfers of orders at risk, for warehouse users
    without sales rights too (as the at-risk cron last found them)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wh = cls.env["stock.warehouse"].create(
            {"name": "Overview risk WH", "code": "OVR", "company_id": cls.company_a.id}
        )
        cls.company_a.write({"risk_weight_supply": 40, "risk_threshold": 20})

    def test_transfers_of_orders_at_risk_on_the_delivery_card(self):
        with self.step(0):
            order = self._order([(self.cable, 10, None, 0.0)], warehouse_id=self.wh.id, commitment_date=self.at(5))
            order.with_user(self.salesperson).action_confirm()
            self._check_risk()
        self.assertTrue(order.at_risk)
        out_type = self.wh.out_type_id.with_user(self.picker)  # a warehouse user: no right on sales orders
        self.assertEqual(out_type.distribution_at_risk_count, 1)
        self.assertEqual(self.wh.in_type_id.with_user(self.picker).distribution_at_risk_count, 0)
        action = out_type.action_view_at_risk_transfers()
        pickings = self.env["stock.picking"].with_user(self.picker).search(action["domain"])
        self.assertEqual(pickings, order.picking_ids.with_user(self.picker))
        self.assertEqual(pickings.mapped("name"), order.picking_ids.mapped("name"), "the picker reads them")
        # Stock comes: no longer at risk, no longer counted.
        with self.step(1):
            self._stock(self.cable, 10, self.wh.lot_stock_id)
            order.picking_ids.action_assign()
            self._check_risk()
        self.assertFalse(order.at_risk)
        out_type.invalidate_recordset(["distribution_at_risk_count"])
        self.assertEqual(out_type.distribution_at_risk_count, 0)

    def test_other_company_counts_nothing_of_it(self):
        with self.step(0):
            order = self._order([(self.cable, 10, None, 0.0)], warehouse_id=self.wh.id, commitment_date=self.at(5))
            order.with_user(self.salesperson).action_confirm()
            self._check_risk()
        self.assertTrue(order.at_risk)
        types_b = self.env["stock.picking.type"].with_user(self.manager_b).search([])
        self.assertNotIn(self.wh.out_type_id, types_b)
        self.assertFalse(any(types_b.mapped("distribution_at_risk_count")))

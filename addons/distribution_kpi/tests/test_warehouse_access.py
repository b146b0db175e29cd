from odoo.tests import Form, new_test_user, tagged

from .common import KpiCase


@tagged("post_install", "-at_install")
class TestWarehouseUsersShipAnyOrder(KpiCase):
    """Warehouse staff ship every order of their company, whatever their sales rights: the suite's
    follow-up of a validation (credit re-check, invoice on delivery, customer notifications, short-pick
    and backorder items, returns, KPI facts, allocation scores of the backorder) is the system's work.
    Core's own test_inventory_admin_no_backorder_not_own_sale_order is the same case without the suite."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = {"company_id": cls.company_a.id, "company_ids": [cls.company_a.id]}
        # Inventory administrator who is also a salesperson seeing only their own orders.
        cls.stock_admin_rep = new_test_user(
            cls.env,
            login="wh_admin_own_docs",
            groups="stock.group_stock_manager,sales_team.group_sale_salesman",
            **company,
        )
        cls.customer_class_iod = cls.env["distribution.customer.class"].create(
            {"name": "Invoice on delivery (wh)", "code": "WHIOD", "invoice_on_delivery": True,
             "company_id": cls.company_a.id}
        )
        cls.customer.with_company(cls.company_a).distribution_class_id = cls.customer_class_iod

    def _ship_as(self, user, return_registered_by=None):
        self._stock(self.cable, 6)
        self._stock(self.breaker, 4)
        order = self._confirmed()  # the salesperson's order: 10 cables, 4 breakers
        self.assertNotEqual(order.user_id, user)
        self.assertTrue(order.invoice_on_delivery)
        picking = self._validate(order.picking_ids, {self.cable: 6}, user=user)
        self.assertEqual(picking.state, "done")
        backorder = picking.backorder_ids
        self.assertTrue(backorder, "the rest waits in a backorder")
        self.assertTrue(backorder.move_ids.allocation_score, "the backorder's moves are scored")
        self.assertTrue(self._open("short_pick", picking))
        self.assertTrue(self._open("backorder", backorder))
        invoice = order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        self.assertEqual(invoice.state, "posted", "invoiced on delivery, as the system")
        self.assertEqual(invoice.invoice_line_ids.mapped("quantity"), [6.0, 4.0])
        self.assertEqual(order.flow_state, "partially_shipped")
        self.assertEqual(order.order_line.mapped("kpi_first_delivery_qty"), [6.0, 4.0])
        notifications = self.env["distribution.customer.notification"].search(
            [("order_id", "=", order.id), ("picking_id", "=", picking.id)]
        )
        self.assertTrue(notifications, "the customer is told")
        # A return, validated by the same user.
        wizard = Form(
            self.env["stock.return.picking"].with_user(return_registered_by or user).with_context(
                active_id=picking.id, active_ids=picking.ids, active_model="stock.picking"
            )
        ).save()
        for line in wizard.product_return_moves:
            line.quantity = 2.0 if line.product_id == self.cable else 0.0
        returned = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        self.assertTrue(self._open("return", returned))
        self._validate(returned, user=user)
        credit_note = order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertEqual(credit_note.state, "posted", "the return is credited on delivery")
        self.assertFalse(self._open("return", returned), "credited: settled")

    def test_inventory_admin_with_own_documents_ships_another_reps_order(self):
        # Core itself cannot register that user's return of another rep's order (sale_stock's move
        # description reads the order line): a colleague registers it, the user validates it.
        self._ship_as(self.stock_admin_rep, return_registered_by=self.picker)

    def test_warehouse_user_without_sales_rights_ships_and_takes_returns(self):
        self._ship_as(self.picker)

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCycleCountTour(HttpCase):
    def test_count_over_the_threshold_waits_then_is_approved(self):
        company = self.env.company
        company.write({"distribution_count_approval_qty": 5.0, "distribution_count_approval_value": 1000.0})
        new_test_user(self.env, login="cc_tour_counter", groups="stock.group_stock_user",
                      company_id=company.id, company_ids=[company.id])
        new_test_user(self.env, login="cc_tour_manager", groups="stock.group_stock_manager",
                      company_id=company.id, company_ids=[company.id])
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        location = self.env["stock.location"].create({"name": "CC Tour Bin", "location_id": warehouse.lot_stock_id.id})
        product = self.env["product.product"].create({"name": "CC Tour Item", "is_storable": True,
                                                      "standard_price": 1.0})
        self.env["stock.quant"]._update_available_quantity(product, location, 20)
        count = self.env["distribution.cycle.count"].create({"location_id": location.id})
        url = f"/odoo/action-distribution_cycle_count.distribution_cycle_count_action/{count.id}"
        self.start_tour(url, "distribution_cycle_count_submit", login="cc_tour_counter")
        self.assertEqual(count.state, "to_approve")
        self.assertEqual(count.counter_id.login, "cc_tour_counter")
        self.assertEqual(sum(self.env["stock.quant"]._gather(product, location, strict=True).mapped("quantity")), 20)
        self.assertTrue(self.env["distribution.exception"].search(
            [("code", "=", "stock_discrepancy"), ("res_model", "=", count._name), ("res_id", "=", count.id)]
        ))
        self.start_tour(url, "distribution_cycle_count_approve", login="cc_tour_manager")
        self.assertEqual(count.state, "done")
        self.assertEqual(count.approver_id.login, "cc_tour_manager")
        self.assertEqual(sum(self.env["stock.quant"]._gather(product, location, strict=True).mapped("quantity")), 32)

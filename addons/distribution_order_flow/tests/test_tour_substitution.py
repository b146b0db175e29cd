from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSubstitutionTour(HttpCase):
    def test_salesperson_substitutes_the_short_quantity_of_a_confirmed_order(self):
        self.env.company.write(
            {"distribution_credit_hold_unreserve": False, "distribution_credit_overdue_check": False}
        )
        rep = new_test_user(self.env, login="subst_tour_rep", groups="sales_team.group_sale_salesman")
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        Product = self.env["product.product"]
        cable = Product.create({"name": "Tour Cable 3G2.5", "is_storable": True, "list_price": 100.0,
                                "standard_price": 60.0})
        brand_b = Product.create({"name": "Tour Cable 3G2.5 (brand B)", "is_storable": True, "list_price": 90.0,
                                  "standard_price": 50.0})
        cable.substitute_line_ids = [Command.create({"substitute_id": brand_b.id, "note": "Same spec"})]
        Quant = self.env["stock.quant"]
        Quant._update_available_quantity(cable, warehouse.lot_stock_id, 6)
        Quant._update_available_quantity(brand_b, warehouse.lot_stock_id, 20)
        contractors = self.env["distribution.customer.class"].create(
            {"name": "Tour Contractors", "code": "TOURSUB", "substitution_consent": "allowed"}
        )
        customer = self.env["res.partner"].create(
            {"name": "Tour Site Builders", "is_company": True, "distribution_class_id": contractors.id}
        )
        order = self.env["sale.order"].create({
            "partner_id": customer.id,
            "user_id": rep.id,
            "warehouse_id": warehouse.id,
            "order_line": [Command.create({"product_id": cable.id, "product_uom_qty": 10})],
        })
        order.action_confirm()
        self.start_tour(f"/odoo/sales/{order.id}", "distribution_substitution_confirmed", login=rep.login)
        self.assertRecordValues(order.order_line.sorted("id"), [
            {"product_id": cable.id, "product_uom_qty": 6.0},
            {"product_id": brand_b.id, "product_uom_qty": 4.0},
        ])
        self.assertEqual(order.picking_ids.move_ids.filtered(lambda m: m.product_id == brand_b).quantity, 4.0)

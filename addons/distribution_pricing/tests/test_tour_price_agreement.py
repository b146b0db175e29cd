from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPriceAgreementTour(HttpCase):
    def test_manager_activates_rep_quotes_contract_price(self):
        new_test_user(self.env, login="pa_tour_manager", groups="sales_team.group_sale_manager")
        rep = new_test_user(self.env, login="pa_tour_rep", groups="sales_team.group_sale_salesman")
        customer = self.env["res.partner"].create({"name": "Tour Key Account", "is_company": True})
        lamp = self.env["product.product"].create({"name": "Tour Lamp", "list_price": 10.0, "standard_price": 4.0})
        today = fields.Date.context_today(customer)
        agreement = self.env["distribution.price.agreement"].create(
            {
                "partner_id": customer.id,
                "date_start": today - timedelta(days=1),
                "date_end": today + timedelta(days=90),
                "line_ids": [
                    Command.create({"sequence": 1, "product_id": lamp.id, "min_quantity": 0, "fixed_price": 9.0}),
                    Command.create({"sequence": 2, "product_id": lamp.id, "min_quantity": 100, "fixed_price": 8.5}),
                ],
            }
        )
        self.start_tour(
            f"/odoo/action-distribution_pricing.distribution_price_agreement_action/{agreement.id}",
            "distribution_price_agreement_activate",
            login="pa_tour_manager",
        )
        self.assertEqual(agreement.state, "active")
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": rep.id,
                "order_line": [Command.create({"product_id": lamp.id, "product_uom_qty": 120})],
            }
        )
        self.start_tour(
            f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}",
            "distribution_price_source_quotation",
            login="pa_tour_rep",
        )

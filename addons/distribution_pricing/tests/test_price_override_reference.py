from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_price_agreement import PricingCase


@tagged("post_install", "-at_install")
class TestPriceOverrideReference(PricingCase):
    """An override is a unit price below what Odoo's pricelist engine gives the line, computed on the
    server whatever path made the line; lines the pricelist does not price are never overrides."""

    def _rpc_order(self, line_values, **order_values):
        """A quotation created in one call with explicit prices, as an import or an RPC client does:
        Odoo 19 then copies price_unit into technical_price_unit, so that one cannot be the reference."""
        return self.env["sale.order"].with_user(self.salesperson).create(
            dict(
                {"partner_id": self.customer.id, "user_id": self.salesperson.id,
                 "order_line": [Command.create(values) for values in line_values]},
                **order_values,
            )
        )

    def test_rpc_line_below_pricelist_is_an_override(self):
        with self.assertRaisesRegex(ValidationError, r"line LED A60: the price 8.0 is below the pricelist price 10.0"):
            with self.cr.savepoint():
                self._rpc_order([{"product_id": self.lamp.id, "product_uom_qty": 1, "price_unit": 8.0}])
        order = self._rpc_order(
            [
                {
                    "product_id": self.lamp.id,
                    "product_uom_qty": 1,
                    "price_unit": 8.0,
                    "price_override_reason": "Damaged box",
                }
            ]
        )
        self.assertTrue(order.order_line.is_price_override)
        self.assertEqual(order.order_line.distribution_pricelist_price, 10.0)
        self.assertEqual(order.order_line.price_source, "Manual price")
        self.assertTrue(order.has_price_override)

    def test_line_at_the_pricelist_price_is_no_override_in_any_currency_or_unit(self):
        at_list = self._rpc_order([{"product_id": self.lamp.id, "product_uom_qty": 3, "price_unit": 10.0}])
        self.assertFalse(at_list.order_line.is_price_override)
        # A dozen, priced by the engine in dozens.
        dozen = self.env.ref("uom.product_uom_dozen")
        by_dozen = self._rpc_order(
            [{"product_id": self.lamp.id, "product_uom_qty": 1, "product_uom_id": dozen.id, "price_unit": 120.0}]
        )
        self.assertEqual(by_dozen.order_line.distribution_pricelist_price, 120.0)
        self.assertFalse(by_dozen.order_line.is_price_override)
        # A pricelist in another currency: the engine converts; a line at the converted price is fine,
        # the company-currency list price (lower here) is an override.
        other_currency = self.env["res.currency"].with_context(active_test=False).search(
            [("id", "!=", self.company.currency_id.id)], limit=1
        )
        other_currency.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": other_currency.id, "rate": 2.0, "name": "2020-01-01", "company_id": self.company.id}
        )
        pricelist = self.env["product.pricelist"].create({"name": "Export", "currency_id": other_currency.id})
        export = self._rpc_order(
            [{"product_id": self.lamp.id, "product_uom_qty": 1, "price_unit": 20.0}], pricelist_id=pricelist.id
        )
        self.assertEqual(export.order_line.distribution_pricelist_price, 20.0)
        self.assertFalse(export.order_line.is_price_override)
        with self.assertRaisesRegex(ValidationError, r"the price 10.0 is below the pricelist price 20.0"):
            with self.cr.savepoint():
                self._rpc_order([{"product_id": self.lamp.id, "product_uom_qty": 1, "price_unit": 10.0}],
                                pricelist_id=pricelist.id)

    def test_sections_notes_delivery_and_down_payments_are_never_overrides(self):
        order = self._rpc_order(
            [
                {"display_type": "line_section", "name": "Lamps"},
                {"product_id": self.lamp.id, "product_uom_qty": 2},
                {"display_type": "line_note", "name": "Handle with care"},
            ]
        )
        carrier_product = self.env["product.product"].create(
            {"name": "Freight (test)", "type": "service", "list_price": 40.0, "taxes_id": False}
        )
        carrier = self.env["delivery.carrier"].create(
            {
                "name": "Real cost carrier",
                "product_id": carrier_product.id,
                "delivery_type": "fixed",
                "fixed_price": 40.0,
            }
        )
        order._create_delivery_line(carrier, 0.0)  # free over an amount, or invoiced at real cost later
        freight = order.order_line.filtered("is_delivery")
        self.assertEqual(freight.price_unit, 0.0)
        self.assertFalse(freight.is_price_override)
        self.assertFalse(order.has_price_override)
        order.action_confirm()
        self.env["sale.advance.payment.inv"].with_context(active_model="sale.order", active_ids=order.ids).create(
            {"advance_payment_method": "fixed", "fixed_amount": 5.0}
        ).create_invoices()
        down_payment = order.order_line.filtered("is_downpayment")
        self.assertTrue(down_payment)
        self.assertFalse(down_payment.filtered("is_price_override"))

    def test_switching_off_the_reason_keeps_the_rule(self):
        self.company.distribution_override_reason_required = False
        order = self._rpc_order([{"product_id": self.lamp.id, "product_uom_qty": 1, "price_unit": 8.0}])
        self.assertTrue(order.order_line.is_price_override, "still an override, routed to approval")
        self.assertIn("Price below contract or pricelist", order._get_applicable_tier_definitions().mapped("name"))

    def test_another_customers_contract_pricelist_is_refused(self):
        agreement = self._agreement([{"product_id": self.lamp.id, "fixed_price": 7.0}])
        agreement.with_user(self.manager).action_activate()
        contract = agreement.pricelist_id
        orders_before = self.env["sale.order"].search_count([])
        with self.assertRaisesRegex(
            ValidationError, r"is the contract pricelist of BrightHome \(test\), not of Corner Shop"
        ):
            with self.cr.savepoint():
                self.env["sale.order"].with_user(self.salesperson).create(
                    {"partner_id": self.other_customer.id, "pricelist_id": contract.id,
                     "order_line": [Command.create({"product_id": self.lamp.id, "product_uom_qty": 1})]}
                )
        self.assertEqual(self.env["sale.order"].search_count([]), orders_before)
        own = self.env["sale.order"].with_user(self.salesperson).create(
            {"partner_id": self.customer.id, "order_line": [Command.create({"product_id": self.lamp.id})]}
        )
        self.assertEqual(own.pricelist_id, contract)
        self.assertEqual(own.order_line.price_unit, 7.0)
        self.assertFalse(own.order_line.is_price_override)
        own.with_user(self.salesperson).partner_id = self.other_customer
        self.assertNotEqual(own.pricelist_id, contract, "the other customer's own pricelist, not the contract")
        with self.assertRaisesRegex(ValidationError, "is the contract pricelist of"):
            own.with_user(self.salesperson).pricelist_id = contract

    def test_contract_pricelist_is_never_the_default_of_other_customers(self):
        agreement = self._agreement([{"product_id": self.lamp.id, "fixed_price": 7.0}])
        agreement.with_user(self.manager).action_activate()
        # As on a fresh database: no pricelist but the contract's (Odoo would fall back on the first one).
        self.env["product.pricelist"].search(
            [("distribution_partner_id", "=", False), ("distribution_class_id", "=", False)]
        ).action_archive()
        self.env["res.partner"].invalidate_model(["property_product_pricelist"])
        newcomer = self.env["res.partner"].create({"name": "New customer (test)", "is_company": True})
        for partner in (self.other_customer, newcomer):
            self.assertFalse(partner.property_product_pricelist.distribution_partner_id, partner.name)
            self.assertEqual(self._price(self.lamp, 1, partner=partner)[0], 10.0)

    def test_reference_price_follows_a_quotation_date_not_a_confirmation(self):
        """A dated pricelist rule prices the reference from the order's date: moving a quotation into the
        rule's period re-measures its lines; confirming (which dates the order now) changes nothing of what
        was approved."""
        pricelist = self.env["product.pricelist"].create({
            "name": "Seasonal (test)",
            "item_ids": [Command.create({
                "applied_on": "0_product_variant", "product_id": self.lamp.id, "compute_price": "fixed",
                "fixed_price": 12.0, "date_start": "2031-01-01", "date_end": "2031-12-31",
            })],
        })
        order = self._rpc_order(
            [{"product_id": self.lamp.id, "product_uom_qty": 1, "price_unit": 10.0}], pricelist_id=pricelist.id
        )
        line = order.order_line
        self.assertRecordValues(line, [{"distribution_pricelist_price": 10.0, "is_price_override": False}])
        # In the rule's period the engine says 12: the line's 10 is now below it.
        with self.assertRaisesRegex(ValidationError, r"the price 10.0 is below the pricelist price 12.0"):
            with self.cr.savepoint():
                order.with_user(self.salesperson).date_order = "2031-06-01 10:00:00"
                self.env.flush_all()  # as the end of the request does
        self.assertEqual(line.distribution_pricelist_price, 10.0, "the refused change left nothing behind")
        order.with_user(self.salesperson).write(
            {"date_order": "2031-06-01 10:00:00",
             "order_line": [Command.update(line.id, {"price_override_reason": "Season not started"})]}
        )
        self.assertRecordValues(line, [{"distribution_pricelist_price": 12.0, "is_price_override": True}])
        self.assertTrue(order.has_price_override)
        # Back out of the period: at the pricelist price again.
        order.with_user(self.salesperson).date_order = "2030-06-01 10:00:00"
        self.assertRecordValues(line, [{"distribution_pricelist_price": 10.0, "is_price_override": False}])
        self.assertFalse(order.has_price_override)
        # Confirmation dates the order today (outside the rule): the confirmed line keeps the reference it
        # was quoted and approved against.
        order.with_user(self.salesperson).write(
            {"date_order": "2031-06-01 10:00:00", "order_line": [Command.update(line.id, {"price_unit": 12.0})]}
        )
        self.assertFalse(order.has_price_override)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertNotEqual(order.date_order.year, 2031)
        self.assertRecordValues(line, [{"distribution_pricelist_price": 12.0, "is_price_override": False}])

    def test_lines_priced_by_odoo_take_its_price_as_reference(self):
        """Lines Odoo prices itself (no price given) have the engine's price as their reference, as lines
        given a price are measured against the engine, in one create of many lines."""
        order = self._rpc_order([
            {"product_id": self.lamp.id, "product_uom_qty": 2},
            {"product_id": self.spot.id, "product_uom_qty": 5},
            {"product_id": self.lamp.id, "product_uom_qty": 1, "price_unit": 11.0},
        ])
        for line in order.order_line:
            self.assertEqual(line.distribution_pricelist_price, line._get_distribution_pricelist_price(), line.name)
        self.assertRecordValues(order.order_line, [
            {"price_unit": 10.0, "is_price_override": False},
            {"price_unit": 8.0, "is_price_override": False},
            {"price_unit": 11.0, "is_price_override": False},
        ])
        self.assertEqual(order.order_line[2].price_source, "Manual price")

    def test_pricelist_switch_without_new_prices_is_measured_against_the_new_pricelist(self):
        """A quotation moved to a dearer pricelist by a write (RPC, import) keeps its lines' prices unless
        someone updates them: those prices are then below the new pricelist's and are overrides."""
        dearer = self.env["product.pricelist"].create({
            "name": "Retail (test)",
            "item_ids": [Command.create({"applied_on": "0_product_variant", "product_id": self.lamp.id,
                                         "compute_price": "fixed", "fixed_price": 12.0})],
        })
        public = self.env["product.pricelist"].create({"name": "List prices (test)"})
        order = self._rpc_order([{"product_id": self.lamp.id, "product_uom_qty": 1}], pricelist_id=public.id)
        self.assertRecordValues(order.order_line, [{"price_unit": 10.0, "distribution_pricelist_price": 10.0}])
        with self.assertRaisesRegex(ValidationError, r"the price 10.0 is below the pricelist price 12.0"):
            with self.cr.savepoint():
                order.with_user(self.salesperson).pricelist_id = dearer
                self.env.flush_all()
        order.with_user(self.salesperson).write({
            "pricelist_id": dearer.id,
            "order_line": [Command.update(order.order_line.id, {"price_override_reason": "Quoted last week"})],
        })
        self.assertRecordValues(order.order_line, [{"distribution_pricelist_price": 12.0, "is_price_override": True}])
        # Updating the prices (the form's button) brings the line to the pricelist: no override left.
        order.with_user(self.salesperson).action_update_prices()
        self.assertRecordValues(order.order_line, [{"price_unit": 12.0, "is_price_override": False}])

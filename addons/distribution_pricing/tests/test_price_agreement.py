from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, TransactionCase, new_test_user, tagged


class PricingCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.distribution_margin_floor = 10.0
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.category = cls.env["product.category"].create({"name": "Lamps (pricing test)"})
        cls.lamp = cls.env["product.product"].create(
            {
                "name": "LED A60",
                "list_price": 10.0,
                "standard_price": 5.0,
                "categ_id": cls.category.id,
                "taxes_id": False,
            }
        )
        cls.spot = cls.env["product.product"].create(
            {
                "name": "GU10 spot",
                "list_price": 8.0,
                "standard_price": 4.0,
                "categ_id": cls.category.id,
                "taxes_id": False,
            }
        )
        cls.customer = cls.env["res.partner"].create({"name": "BrightHome (test)", "is_company": True})
        cls.other_customer = cls.env["res.partner"].create({"name": "Corner Shop (test)", "is_company": True})
        cls.manager = new_test_user(cls.env, login="pa_manager", groups="sales_team.group_sale_manager")
        cls.salesperson = new_test_user(cls.env, login="pa_rep", groups="sales_team.group_sale_salesman")
        cls.Agreement = cls.env["distribution.price.agreement"]

    def _agreement(self, lines, start=None, end=None, **vals):
        start = start or self.today - timedelta(days=10)
        end = end or self.today + timedelta(days=30)
        values = {
            "partner_id": self.customer.id,
            "date_start": start,
            "date_end": end,
            "line_ids": [Command.create(line_vals) for line_vals in lines],
        }
        values.update(vals)
        return self.Agreement.with_user(self.manager).create(values)

    def _price(self, product, qty, partner=None, date=None):
        order = self.env["sale.order"].create(
            {
                "partner_id": (partner or self.customer).id,
                "date_order": fields.Datetime.to_datetime(date or self.today),
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": qty})],
            }
        )
        # What the customer pays a unit: with line discounts on (the suite's default), Odoo shows a percentage
        # rule as the list price and a line discount.
        line = order.order_line
        return line.currency_id.round(line.price_unit * (1 - line.discount / 100.0)), line.price_source


@tagged("post_install", "-at_install")
class TestPriceAgreement(PricingCase):
    def test_volume_breaks_at_below_above(self):
        agreement = self._agreement(
            [
                {"sequence": 1, "product_id": self.lamp.id, "min_quantity": 0, "fixed_price": 9.0},
                {"sequence": 2, "product_id": self.lamp.id, "min_quantity": 100, "fixed_price": 8.5},
                {"sequence": 3, "product_id": self.lamp.id, "min_quantity": 500, "fixed_price": 8.0},
            ]
        )
        agreement.with_user(self.manager).action_activate()
        self.assertEqual(agreement.state, "active")
        self.assertEqual(self.customer.property_product_pricelist, agreement.pricelist_id)
        for qty, expected in ((1, 9.0), (99, 9.0), (100, 8.5), (101, 8.5), (499, 8.5), (500, 8.0), (501, 8.0)):
            with self.subTest(qty=qty):
                price, source = self._price(self.lamp, qty)
                self.assertEqual(price, expected)
                self.assertEqual(source, f"Contract {agreement.name}")

    def test_discount_off_base_and_fallback_for_the_rest(self):
        agreement = self._agreement([{"categ_id": self.category.id, "compute_price": "discount", "discount": 20.0}])
        agreement.with_user(self.manager).action_activate()
        self.assertEqual(self._price(self.spot, 1)[0], 6.4)
        other = self.env["product.product"].create({"name": "Not in contract", "list_price": 3.0})
        price, source = self._price(other, 1)
        self.assertEqual(price, 3.0, "everything else comes from the previous pricelist")
        self.assertEqual(source, f"Pricelist {agreement.pricelist_id.name}")

    def test_validity_first_and_last_day(self):
        start, end = self.today + timedelta(days=5), self.today + timedelta(days=9)
        agreement = self._agreement([{"product_id": self.lamp.id, "fixed_price": 7.0}], start=start, end=end)
        agreement.with_user(self.manager).action_activate()
        self.assertEqual(self._price(self.lamp, 1, date=start - timedelta(days=1))[0], 10.0)
        self.assertEqual(self._price(self.lamp, 1, date=start)[0], 7.0)
        self.assertEqual(self._price(self.lamp, 1, date=end)[0], 7.0)
        self.assertEqual(self._price(self.lamp, 1, date=end + timedelta(days=1))[0], 10.0)

    def test_two_agreements_in_sequence_and_renewal(self):
        first = self._agreement([{"product_id": self.lamp.id, "fixed_price": 9.0}], end=self.today + timedelta(days=5))
        first.with_user(self.manager).action_activate()
        action = first.with_user(self.manager).action_renew()
        second = self.Agreement.browse(action["res_id"])
        self.assertEqual(second.date_start, first.date_end + timedelta(days=1))
        self.assertEqual(second.renewed_from_id, first)
        second.line_ids.fixed_price = 8.0
        second.with_user(self.manager).action_activate()
        self.assertEqual(self._price(self.lamp, 1, date=first.date_end)[0], 9.0)
        self.assertEqual(self._price(self.lamp, 1, date=second.date_start)[0], 8.0)

    def test_expired_agreement_falls_back(self):
        agreement = self._agreement(
            [{"product_id": self.lamp.id, "fixed_price": 9.0}], end=self.today + timedelta(days=2)
        )
        agreement.with_user(self.manager).action_activate()
        with freeze_time(self.today + timedelta(days=3)):
            self.Agreement._cron_update_states()
            self.assertEqual(agreement.state, "expired")
            self.assertFalse(agreement.pricelist_id.item_ids.filtered("distribution_agreement_line_id"))
            self.assertEqual(self._price(self.lamp, 1, date=self.today + timedelta(days=3))[0], 10.0)
        self.Agreement._cron_update_states()  # twice: nothing more happens
        self.assertEqual(agreement.state, "expired")

    def test_class_agreement_and_customer_contract_on_top(self):
        customer_class = self.env["distribution.customer.class"].create({"name": "Chains (test)", "code": "TCHAIN"})
        self.customer.distribution_class_id = customer_class
        self.other_customer.distribution_class_id = customer_class
        class_agreement = self._agreement(
            [{"categ_id": self.category.id, "compute_price": "discount", "discount": 10.0}],
            partner_id=False,
            customer_class_id=customer_class.id,
        )
        class_agreement.with_user(self.manager).action_activate()
        self.assertEqual(self._price(self.spot, 1, partner=self.other_customer)[0], 7.2)
        own = self._agreement([{"product_id": self.lamp.id, "fixed_price": 8.0}])
        own.with_user(self.manager).action_activate()
        self.assertEqual(self._price(self.lamp, 1)[0], 8.0, "the customer's own contract first")
        self.assertEqual(self._price(self.spot, 1)[0], 7.2, "then its class's")

    def test_multi_currency(self):
        foreign = self.env["res.currency"].with_context(active_test=False).search(
            [("id", "!=", self.company.currency_id.id), ("name", "in", ("EUR", "GBP", "CHF"))], limit=1
        )
        foreign.active = True
        foreign.rate_ids.unlink()
        agreement = self._agreement([{"product_id": self.lamp.id, "fixed_price": 20.0}], currency_id=foreign.id)
        with self.assertRaisesRegex(ValidationError, rf"is in {foreign.name} but .* has no {foreign.name} rate"):
            agreement.with_user(self.manager).action_activate()
        self.env["res.currency.rate"].create(
            {
                "currency_id": foreign.id,
                "company_id": self.company.id,
                "name": self.today - timedelta(days=30),
                "rate": 2.0,
            }
        )
        agreement.with_user(self.manager).action_activate()
        self.assertEqual(agreement.pricelist_id.currency_id, foreign)
        order = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "order_line": [Command.create({"product_id": self.lamp.id})]}
        )
        self.assertEqual(order.currency_id, foreign)
        self.assertEqual(order.order_line.price_unit, 20.0)


@tagged("post_install", "-at_install")
class TestPriceAgreementInput(PricingCase):
    def test_end_before_start(self):
        with self.assertRaisesRegex(ValidationError, r"ends \(.*\) before it starts"):
            self._agreement(
                [{"product_id": self.lamp.id, "fixed_price": 1.0}], start=self.today, end=self.today - timedelta(days=1)
            )

    def test_negative_price_and_discount_over_100(self):
        with self.assertRaisesRegex(ValidationError, r"line LED A60: the price cannot be negative"):
            self._agreement([{"product_id": self.lamp.id, "fixed_price": -1.0}])
        with self.assertRaisesRegex(
            ValidationError, r"line Lamps \(pricing test\): the discount must be between 0% and 100% \(got 101"
        ):
            self._agreement([{"categ_id": self.category.id, "compute_price": "discount", "discount": 101.0}])

    def test_breaks_must_increase(self):
        with self.assertRaisesRegex(
            ValidationError, r"volume breaks of LED A60 must increase: line LED A60 ≥ 50 comes after line LED A60 ≥ 100"
        ):
            self._agreement(
                [
                    {"sequence": 1, "product_id": self.lamp.id, "min_quantity": 100, "fixed_price": 8.0},
                    {"sequence": 2, "product_id": self.lamp.id, "min_quantity": 50, "fixed_price": 8.5},
                ]
            )

    def test_overlap_for_same_customer_and_product(self):
        first = self._agreement([{"product_id": self.lamp.id, "fixed_price": 9.0}])
        first.with_user(self.manager).action_activate()
        second = self._agreement(
            [{"product_id": self.spot.id, "fixed_price": 7.0}, {"product_id": self.lamp.id, "fixed_price": 8.0}],
            start=self.today,
        )
        with self.assertRaisesRegex(ValidationError, rf"line LED A60 overlaps {first.name}"):
            second.with_user(self.manager).action_activate()
        self.assertEqual(second.state, "draft", "nothing is written")
        # Another customer, or the same customer on another product, is no overlap.
        third = self._agreement([{"product_id": self.lamp.id, "fixed_price": 8.0}], partner_id=self.other_customer.id)
        third.with_user(self.manager).action_activate()
        self.assertEqual(third.state, "active")

    def test_scope_is_a_company_or_a_class(self):
        with self.assertRaisesRegex(ValidationError, r"choose either a customer or a customer class"):
            self._agreement([{"product_id": self.lamp.id, "fixed_price": 1.0}], partner_id=False)
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.customer.id})
        with self.assertRaisesRegex(
            ValidationError, r"agree prices with the company BrightHome \(test\), not with its contact"
        ):
            self._agreement([{"product_id": self.lamp.id, "fixed_price": 1.0}], partner_id=contact.id)

    def test_line_needs_product_or_category(self):
        with self.assertRaisesRegex(ValidationError, r"each line applies to a product or to a category"):
            self._agreement([{"fixed_price": 1.0}])


@tagged("post_install", "-at_install")
class TestPriceAgreementAccess(PricingCase):
    def test_salesperson_reads_but_cannot_activate(self):
        agreement = self._agreement([{"product_id": self.lamp.id, "fixed_price": 9.0}])
        as_rep = agreement.with_user(self.salesperson)
        self.assertEqual(as_rep.read(["name"])[0]["name"], agreement.name)
        with self.assertRaisesRegex(AccessError, r"Only a sales manager can activate"):
            as_rep.action_activate()
        with self.assertRaises(AccessError):
            as_rep.write({"date_end": self.today + timedelta(days=90)})
        with self.assertRaises(AccessError):
            self.Agreement.with_user(self.salesperson).create(
                {
                    "partner_id": self.customer.id,
                    "date_end": self.today,
                    "line_ids": [Command.create({"product_id": self.lamp.id})],
                }
            )
        agreement.with_user(self.manager).action_activate()
        self.assertEqual(agreement.state, "active")

    def test_companies_are_isolated(self):
        company_b = self.env["res.company"].create({"name": "Pricing B"})
        manager_b = new_test_user(
            self.env,
            login="pa_manager_b",
            groups="sales_team.group_sale_manager",
            company_id=company_b.id,
            company_ids=[company_b.id],
        )
        agreement = self._agreement([{"product_id": self.lamp.id, "fixed_price": 9.0}])
        self.assertFalse(self.Agreement.with_user(manager_b).search([("id", "=", agreement.id)]))
        with self.assertRaises(AccessError):
            agreement.with_user(manager_b).read(["name"])


@tagged("post_install", "-at_install")
class TestPriceOverride(PricingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        agreement = cls.Agreement.create(
            {
                "partner_id": cls.customer.id,
                "date_start": cls.today - timedelta(days=1),
                "date_end": cls.today + timedelta(days=60),
                "line_ids": [Command.create({"product_id": cls.lamp.id, "fixed_price": 9.0})],
            }
        )
        agreement.action_activate()
        cls.agreement = agreement

    def _quote(self):
        return self.env["sale.order"].with_user(self.salesperson).create(
            {
                "partner_id": self.customer.id,
                "user_id": self.salesperson.id,
                "order_line": [Command.create({"product_id": self.lamp.id, "product_uom_qty": 10})],
            }
        )

    def test_override_without_reason_is_refused(self):
        order = self._quote()
        with self.assertRaisesRegex(
            ValidationError, r"line LED A60: the price 8.5 is below the contract price 9.0. Give the override reason"
        ):
            with self.cr.savepoint():
                order.order_line.write({"price_unit": 8.5})
        order.invalidate_recordset()
        self.assertEqual(order.order_line.price_unit, 9.0)
        self.assertFalse(self.env["distribution.price.override"].search([("order_id", "=", order.id)]))

    def test_override_with_reason_goes_to_approval_and_is_kept(self):
        order = self._quote()
        order.order_line.write({"price_unit": 8.5, "price_override_reason": "Competitor quote at 8.50"})
        self.assertEqual(order.order_line.price_source, "Manual price")
        self.assertTrue(order.has_price_override)
        self.assertFalse(order.has_margin_floor_breach)
        self.assertEqual(
            order._get_applicable_tier_definitions().mapped("name"), ["Price below contract or pricelist"]
        )
        log = self.env["distribution.price.override"].search([("order_id", "=", order.id)])
        self.assertRecordValues(
            log,
            [{"user_id": self.salesperson.id, "price_from": 9.0, "price_to": 8.5, "reason": "Competitor quote at 8.50",
              "price_source": self.agreement.name}],
        )
        order.with_user(self.salesperson).request_validation()
        action = order.with_user(self.manager).validate_tier()
        # pylint: disable-next=context-overridden  # the action's own context, as the web client uses it
        wizard = Form(self.env[action["res_model"]].with_user(self.manager).with_context(action["context"]))
        wizard.comment = "OK to match"
        wizard.save().add_comment()
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.order_line.price_source, "Manual price", "kept on the confirmed order")
        report = self.env["distribution.price.realization.report"].search([("order_id", "=", order.id)])
        self.assertRecordValues(report, [{"reference_price": 9.0, "realized_price": 8.5, "given_away": 5.0}])
        # A rep sees the realized prices of their own orders only, a sales manager everyone's.
        Report = self.env["distribution.price.realization.report"]
        other_rep = new_test_user(self.env, login="pa_other_rep", groups="sales_team.group_sale_salesman")
        self.assertEqual(Report.with_user(self.salesperson).search([("order_id", "=", order.id)]), report)
        self.assertFalse(Report.with_user(other_rep).search([("order_id", "=", order.id)]))
        self.assertEqual(Report.with_user(self.manager).search([("order_id", "=", order.id)]), report)

    def test_each_price_rule_has_its_own_approval_and_wording(self):
        """A price below the contract and a margin below its floor are two rules, each named for what fired, with
        its facts in words: the rep reads both before Confirm, the approver the same, finance the same in the
        exception after confirmation."""
        self.category.margin_floor = 40.0  # spot at 8.00 for a cost of 4.00 makes 50%: above; at 6.00, 33%
        order = self._quote()
        order.with_user(self.salesperson).write(
            {"order_line": [
                Command.update(order.order_line.id, {"price_unit": 8.5, "price_override_reason": "Competitor at 8.50"}),
                Command.create({"product_id": self.spot.id, "product_uom_qty": 5, "price_unit": 6.0,
                                "price_override_reason": "Clearance"}),
            ]}
        )
        lamp_line, spot_line = order.order_line
        self.assertRecordValues(
            lamp_line | spot_line,
            [{"is_price_override": True, "is_below_margin_floor": False},
             {"is_price_override": True, "is_below_margin_floor": True}],
        )
        self.assertRecordValues(order, [{"has_price_override": True, "has_margin_floor_breach": True}])
        self.assertEqual(
            order._get_applicable_tier_definitions().mapped("name"),
            ["Price below contract or pricelist", "Margin below floor"],
        )
        summary = str(order.with_user(self.salesperson).approval_summary).replace("&#39;", "'")
        self.assertNotIn("Price override", summary)
        self.assertIn(
            f"<strong>Price below contract or pricelist</strong> (LED A60: $\xa08.50, below the contract price "
            f"$\xa09.00 of {self.agreement.name} (Competitor at 8.50);", summary
        )
        self.assertIn("GU10 spot: $\xa06.00, below the pricelist price $\xa08.00", summary)
        self.assertIn(
            "<strong>Margin below floor</strong> (GU10 spot: margin 33.3% at $\xa06.00, under the 40.0% floor of "
            "category Lamps (pricing test))", summary
        )
        # A margin under the company's default floor names the company.
        self.category.margin_floor = 0.0
        self.company.distribution_margin_floor = 45.0
        order.invalidate_recordset(["approval_summary"])
        summary = str(order.with_user(self.salesperson).approval_summary).replace("&#39;", "'")
        self.assertIn(f"GU10 spot: margin 33.3% at $\xa06.00, under the 45.0% floor of {self.company.name}'s default",
                      summary)

    def test_price_above_contract_is_no_override(self):
        order = self._quote()
        order.order_line.write({"price_unit": 9.5})
        self.assertFalse(order.order_line.is_price_override)
        self.assertFalse(order.has_price_override)

    def test_below_margin_floor_needs_approval_without_reason(self):
        self.category.margin_floor = 50.0  # lamp at contract 9.0, cost 5: margin 44%
        order = self._quote()
        self.assertTrue(order.order_line.is_below_margin_floor)
        self.assertFalse(order.order_line.is_price_override)
        self.assertFalse(order.has_price_override)
        self.assertTrue(order.has_margin_floor_breach)
        self.assertEqual(order._get_applicable_tier_definitions().mapped("name"), ["Margin below floor"])

    def test_product_without_category_uses_company_floor(self):
        loose = self.env["product.product"].create({"name": "Loose part", "list_price": 10.0, "standard_price": 9.5})
        loose.categ_id = False
        order = self.env["sale.order"].create(
            {"partner_id": self.other_customer.id, "order_line": [Command.create({"product_id": loose.id})]}
        )
        self.assertTrue(order.order_line.is_below_margin_floor, "5% margin, company floor 10%")

    def test_fifty_line_quotation_prices_in_bounded_queries(self):
        products = self.env["product.product"].create(
            [
                {"name": f"Item {i}", "list_price": 10.0 + i, "standard_price": 1.0, "categ_id": self.category.id}
                for i in range(50)
            ]
        )
        self.agreement.with_user(self.manager).write(
            {
                "line_ids": [
                    Command.create({"product_id": p.id, "fixed_price": 9.0 + i}) for i, p in enumerate(products[:25])
                ]
            }
        )
        vals = {"partner_id": self.customer.id, "order_line": [Command.create({"product_id": p.id}) for p in products]}
        self.env["sale.order"].create(dict(vals))  # warm-up
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        order = self.env["sale.order"].create(vals)
        self.env.flush_all()
        count = self.cr.sql_log_count - before
        self.assertEqual(order.order_line[:25].mapped("price_source"), [f"Contract {self.agreement.name}"] * 25)
        self.assertLessEqual(count, PRICE_50_LINES_QUERIES, f"pricing a 50-line quotation took {count} queries")


# Measured on Odoo 19 with the suite: 298 queries to create and price a 50-line quotation for a
# contract customer (25 contract lines, 25 from the fallback pricelist), Odoo's own line creation,
# pricing and taxes included. A jump beyond the margin means a regression to look at.
PRICE_50_LINES_QUERIES = 330


@tagged("post_install", "-at_install")
class TestContractDiscountShownOnLines(PricingCase):
    """With line discounts on (Sales settings), Odoo shows a percentage rule as the list price and a line
    discount: the approval matrix reads only the discount the rep gives beyond the contract's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.group_user").write(
            {"implied_ids": [Command.link(cls.env.ref("sale.group_discount_per_so_line").id)]}
        )

    def _discounted_order(self, discount=None):
        line = {"product_id": self.spot.id, "product_uom_qty": 1}
        if discount is not None:
            line["discount"] = discount
        return self.env["sale.order"].with_user(self.salesperson).create(
            {"partner_id": self.customer.id, "user_id": self.salesperson.id, "order_line": [Command.create(line)]}
        )

    def test_contract_discount_is_not_the_reps(self):
        agreement = self._agreement([{"categ_id": self.category.id, "compute_price": "discount", "discount": 20.0}])
        agreement.with_user(self.manager).action_activate()
        order = self._discounted_order()
        self.assertRecordValues(
            order.order_line,
            [{"price_unit": 8.0, "discount": 20.0, "distribution_pricelist_discount": 20.0,
              "is_price_override": False}],
        )
        self.assertEqual(order.max_discount, 0.0, "the contract's 20% is approved terms")
        self.assertNotIn("Discount above 10%", order._get_applicable_tier_definitions().mapped("name"))
        # 25% on a 20% contract: 6.25% more, within the rule; 32%: 15% more, to approve.
        order.order_line.with_user(self.salesperson).discount = 25.0
        self.assertAlmostEqual(order.max_discount, 6.25, places=2)
        self.assertNotIn("Discount above 10%", order._get_applicable_tier_definitions().mapped("name"))
        order.order_line.with_user(self.salesperson).discount = 32.0
        self.assertAlmostEqual(order.max_discount, 15.0, places=2)
        self.assertIn("Discount above 10%", order._get_applicable_tier_definitions().mapped("name"))
        with self.assertRaisesRegex(UserError, "Discount above 10%"):
            order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_without_a_contract_the_whole_discount_is_the_reps(self):
        order = self._discounted_order(discount=15.0)
        self.assertRecordValues(order.order_line, [{"distribution_pricelist_discount": 0.0, "discount": 15.0}])
        self.assertEqual(order.max_discount, 15.0)

    def test_the_pricelist_discount_is_system_written(self):
        order = self._discounted_order(discount=15.0)
        with self.assertRaisesRegex(AccessError, "set by the system"):
            order.order_line.with_user(self.salesperson).write({"distribution_pricelist_discount": 15.0})
        self.assertEqual(order.max_discount, 15.0)

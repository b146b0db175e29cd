from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common_order import OrderFlowCase


@tagged("post_install", "-at_install")
class TestSubstitutionConfirmed(OrderFlowCase):
    """Short lines of confirmed orders and backorders: the quantity the delivery cannot reserve moves to a
    listed substitute, as the customer's class allows (allowed / ask / never). 10 cables ordered, 6 in stock:
    4 are short. The contract pricelist sells 8 cables or more at 80 (list 100) and brand B at 70."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.cable_b = Product.create(
            {"name": "Cable 3G2.5 (brand B)", "is_storable": True, "list_price": 90.0, "standard_price": 50.0,
             "invoice_policy": "delivery"}
        )
        cls.cable_c = Product.create(
            {"name": "Cable 3G2.5 (brand C)", "is_storable": True, "list_price": 95.0, "standard_price": 55.0,
             "invoice_policy": "delivery"}
        )
        cls.cable.substitute_line_ids = [
            Command.create({"substitute_id": cls.cable_b.id, "sequence": 1}),
            Command.create({"substitute_id": cls.cable_c.id, "sequence": 2}),
        ]
        cls.pricelist = cls.env["product.pricelist"].create(
            {
                "name": "Contract (confirmed substitution)",
                "item_ids": [
                    Command.create({"applied_on": "0_product_variant", "product_id": cls.cable_b.id,
                                    "compute_price": "fixed", "fixed_price": 70.0}),
                    Command.create({"applied_on": "0_product_variant", "product_id": cls.cable.id,
                                    "min_quantity": 8, "compute_price": "fixed", "fixed_price": 80.0}),
                ],
            }
        )
        cls.class_allowed = cls.CustomerClass.create(
            {"name": "Contractor (subst)", "code": "SUBALLOW", "substitution_consent": "allowed"}
        )
        cls.class_ask = cls.CustomerClass.create({"name": "Key (subst)", "code": "SUBASK"})
        cls.class_never = cls.CustomerClass.create(
            {"name": "Retail (subst)", "code": "SUBNEVER", "substitution_consent": "never"}
        )
        cls.customer.distribution_class_id = cls.class_allowed
        cls.storekeeper = new_test_user(
            cls.env, login="dist_subst_storekeeper", groups="stock.group_stock_user",
            company_id=cls.company_a.id, company_ids=[cls.company_a.id],
        )
        cls.billing = new_test_user(
            cls.env, login="dist_subst_billing", groups="account.group_account_invoice",
            company_id=cls.company_a.id, company_ids=[cls.company_a.id],
        )
        cls.portal = new_test_user(
            cls.env, login="dist_subst_portal", groups="base.group_portal", partner_id=cls.customer_contact.id,
        )
        cls.consent_type = cls.env.ref("distribution_order_flow.mail_activity_type_substitution_consent")

    # --- helpers ------------------------------------------------------------------------------------
    def _confirmed(self, qty=10, stock=6, partner=None, **vals):
        """An order of ``qty`` cables confirmed by its salesperson with ``stock`` cables in stock (brand B
        is well stocked)."""
        if stock:
            self._stock(self.cable, stock)
        self._stock(self.cable_b, 50)
        order = self._order([(self.cable, qty, None, 0.0)], partner=partner, pricelist_id=self.pricelist.id, **vals)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")
        return order, order.order_line

    def _stock_moves(self, line, product=None):
        """The line's open moves that reserve from stock (the delivery, or the pick in several steps)."""
        return line.order_id.order_line.move_ids.filtered(
            lambda m: m.state not in ("done", "cancel") and m._is_stock_step()
            and (not product or m.product_id == product) and m.sale_line_id == line
        )

    def _substitute(self, line, product, user=None):
        """As a salesperson does it: the exchange icon of the line, then the substitute's button."""
        user = user or self.salesperson
        action = line.with_user(user).action_open_substitutes()
        wizard = self.env[action["res_model"]].with_user(user).browse(action["res_id"])
        wizard.option_ids.filtered(lambda option: option.product_id == product).action_swap()
        return wizard

    def _new_line(self, order, product=None):
        return order.order_line.filtered(lambda line: line.product_id == (product or self.cable_b))

    def _assert_untouched(self, order, line, qty=10.0):
        self.assertEqual(len(order.order_line), 1)
        self.assertRecordValues(line, [{"product_id": self.cable.id, "product_uom_qty": qty, "price_unit": 80.0}])

    # --- the customer allows substitutions ------------------------------------------------------------
    def test_allowed_short_quantity_moves_to_the_substitute_at_its_pricelist_price(self):
        order, line = self._confirmed()
        self.assertEqual(line.price_unit, 80.0, "10 cables: the volume price")
        self.assertEqual(line.distribution_short_qty, 4.0)
        action = line.with_user(self.salesperson).action_open_substitutes()
        wizard = self.env[action["res_model"]].with_user(self.salesperson).browse(action["res_id"])
        self.assertRecordValues(wizard, [{"is_confirmed": True, "quantity": 4.0, "consent": "allowed"}])
        self.assertEqual(wizard.option_ids.product_id, self.cable_b | self.cable_c)
        picking = self._stock_moves(line).picking_id
        wizard.option_ids.filtered(lambda option: option.product_id == self.cable_b).action_swap()

        new_line = self._new_line(order)
        self.assertRecordValues(line, [{"product_uom_qty": 6.0, "price_unit": 80.0, "distribution_short_qty": 0.0}])
        self.assertRecordValues(new_line, [{
            "product_uom_qty": 4.0, "price_unit": 70.0, "discount": 0.0,
            "distribution_substituted_line_id": line.id,
        }])
        # Core's procurement adjusted the delivery: the cable's move keeps what it holds, brand B's joins it.
        self.assertRecordValues(self._stock_moves(line), [{"product_uom_qty": 6.0, "quantity": 6.0}])
        self.assertRecordValues(self._stock_moves(new_line), [
            {"product_uom_qty": 4.0, "quantity": 4.0, "picking_id": picking.id},
        ])
        self.assertIn("Substitution: Cable 3G2.5 replaced by Cable 3G2.5 (brand B) on this order (4.0 Units",
                      "\n".join(order.message_ids.mapped("body")))
        # An amendment at the pricelist's price: no price to approve, no approval asked again.
        self.assertRecordValues(order, [{"distribution_reprice_pending": False, "state": "sale"}])
        self.assertFalse(order.review_ids.filtered(lambda review: review.status == "pending"))

    def test_nothing_reserved_the_whole_quantity_moves(self):
        order, line = self._confirmed(stock=0)
        self._substitute(line, self.cable_c)
        self.assertEqual(line.product_uom_qty, 0.0)
        self.assertFalse(self._stock_moves(line), "the cable's move is cancelled")
        self.assertRecordValues(self._new_line(order, self.cable_c), [{"product_uom_qty": 10.0, "price_unit": 95.0}])

    def test_short_quantity_in_the_line_unit(self):
        dozen = self.env.ref("uom.product_uom_dozen")
        self._stock(self.cable, 12)
        self._stock(self.cable_b, 50)
        order = self._order([(self.cable, 2, None, 0.0)], pricelist_id=self.pricelist.id)
        order.order_line.product_uom_id = dozen
        order.with_user(self.salesperson).action_confirm()
        line = order.order_line
        self.assertEqual(line.distribution_short_qty, 1.0, "12 of 24 cables reserved: one dozen short")
        self._substitute(line, self.cable_b)
        self.assertRecordValues(self._new_line(order), [{"product_uom_qty": 1.0, "product_uom_id": dozen.id}])
        self.assertRecordValues(self._stock_moves(self._new_line(order)), [{"product_qty": 12.0}])

    def test_picked_quantity_stays_on_the_line(self):
        order, line = self._confirmed()
        move = self._stock_moves(line)
        move.with_user(self.storekeeper).write({"quantity": 6.0, "picked": True})
        self._substitute(line, self.cable_b)
        self.assertRecordValues(move, [{"product_uom_qty": 6.0, "quantity": 6.0, "picked": True}])
        self.assertEqual(self._new_line(order).product_uom_qty, 4.0)

    def test_backorder_short_move_is_substituted(self):
        order, line = self._confirmed()
        first = self._deliver(order, {self.cable: 6.0})
        self.assertEqual(first.state, "done")
        backorder_move = self._stock_moves(line)
        self.assertRecordValues(backorder_move, [{"product_uom_qty": 4.0, "quantity": 0.0}])
        backorder = backorder_move.picking_id
        self._substitute(line, self.cable_b)
        self.assertEqual(line.product_uom_qty, 6.0)
        self.assertEqual(backorder_move.state, "cancel")
        self.assertRecordValues(self._stock_moves(self._new_line(order)), [
            {"product_uom_qty": 4.0, "quantity": 4.0, "picking_id": backorder.id},
        ])

    # --- the customer is asked first ------------------------------------------------------------------
    def _propose(self):
        self.customer.distribution_class_id = self.class_ask
        order, line = self._confirmed()
        self._substitute(line, self.cable_b)
        return order, line

    def test_ask_proposes_and_waits_for_the_customer(self):
        order, line = self._propose()
        self._assert_untouched(order, line)
        self.assertEqual(self._stock_moves(line).product_uom_qty, 10.0)
        activity = order.activity_ids.filtered(lambda activity: activity.activity_type_id == self.consent_type)
        self.assertRecordValues(activity, [{"user_id": self.salesperson.id}])
        self.assertIn("Ask Sparks Contracting: Cable 3G2.5 (brand B) instead of Cable 3G2.5?", activity.summary)
        self.assertRecordValues(line, [{"distribution_substitute_proposed_id": self.cable_b.id,
                                        "distribution_substitute_activity_id": activity.id}])
        self.assertIn("waiting for Sparks Contracting's consent", order.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "is already proposed"):
            line.with_user(self.salesperson)._substitute(self.cable_c)

    def test_ask_customer_agrees_substitutes_what_is_short_then(self):
        order, line = self._propose()
        self._stock(self.cable, 1)  # stock came in meanwhile: 3 are short now
        self._stock_moves(line)._action_assign()
        line.with_user(self.salesperson).action_accept_substitute_proposal()
        self.assertEqual(line.product_uom_qty, 7.0)
        self.assertRecordValues(self._new_line(order), [{"product_uom_qty": 3.0, "price_unit": 70.0}])
        self.assertFalse(line.distribution_substitute_proposed_id)
        self.assertFalse(order.activity_ids.filtered(lambda activity: activity.activity_type_id == self.consent_type))
        bodies = "\n".join(order.message_ids.mapped("body"))
        self.assertIn("Sparks Contracting agreed to Cable 3G2.5 (brand B)", bodies)
        self.assertIn("replaced by Cable 3G2.5 (brand B) on this order (3.0 Units", bodies)

    def test_ask_customer_declines(self):
        order, line = self._propose()
        line.with_user(self.salesperson).action_decline_substitute_proposal()
        self._assert_untouched(order, line)
        self.assertFalse(line.distribution_substitute_proposed_id)
        self.assertFalse(order.activity_ids)
        self.assertIn("Sparks Contracting declined Cable 3G2.5 (brand B)", "\n".join(order.message_ids.mapped("body")))
        with self.assertRaisesRegex(UserError, "no substitute is proposed"):
            line.with_user(self.salesperson).action_accept_substitute_proposal()

    def test_ask_agreement_checked_again(self):
        order, line = self._propose()
        self._stock(self.cable, 4)
        self._stock_moves(line)._action_assign()
        with self.assertRaisesRegex(UserError, "is not short"):
            line.with_user(self.salesperson).action_accept_substitute_proposal()
        self.customer.distribution_class_id = self.class_never
        self._stock_moves(line)._do_unreserve()
        with self.assertRaisesRegex(UserError, "does not accept substitutions"):
            line.with_user(self.salesperson).action_accept_substitute_proposal()
        self._assert_untouched(order, line)
        self.assertEqual(line.distribution_substitute_proposed_id, self.cable_b, "the answer is still to record")

    # --- the customer never accepts one -------------------------------------------------------------
    def test_never_refused_naming_customer_order_and_rule(self):
        self.customer.distribution_class_id = self.class_never
        order, line = self._confirmed(partner=self.customer_contact)
        expected = (
            rf"Order {order.name}: Sparks Contracting does not accept substitutions \(customer class "
            r"Retail \(subst\), substitution consent: Never\)"
        )
        with self.assertRaisesRegex(UserError, expected):
            line.with_user(self.salesperson).action_open_substitutes()
        with self.assertRaisesRegex(UserError, expected):
            line.with_user(self.sales_manager)._substitute(self.cable_b)
        self._assert_untouched(order, line)
        self.assertFalse(order.activity_ids)

    def test_consent_rule_comes_from_the_commercial_partner_class(self):
        self.assertEqual(self.class_ask.substitution_consent, "ask", "the default: ask the customer")
        order, _line = self._confirmed(partner=self.customer_contact)
        self.assertEqual(order._get_substitution_consent(), "allowed")
        no_class = self.env["res.partner"].create({"name": "Walk-in", "is_company": True})
        self.assertEqual(self._order([(self.cable, 1, None, 0.0)], partner=no_class)._get_substitution_consent(), "ask")

    # --- what is refused ------------------------------------------------------------------------------
    def test_line_not_short_refused(self):
        order, line = self._confirmed(stock=10)
        with self.assertRaisesRegex(UserError, f"Order {order.name}, Cable 3G2.5 is not short"):
            line.with_user(self.salesperson).action_open_substitutes()
        self._deliver(order)
        with self.assertRaisesRegex(UserError, "is not short"):
            line.with_user(self.salesperson)._substitute(self.cable_b)
        self.assertEqual(len(order.order_line), 1)

    def test_substitute_not_listed_or_of_another_company_refused(self):
        order, line = self._confirmed()
        with self.assertRaisesRegex(UserError, "Breaker 16A is not a substitute of Cable 3G2.5"):
            line.with_user(self.salesperson)._substitute(self.breaker)
        foreign = self.env["product.product"].create(
            {"name": "Cable (company B)", "is_storable": True, "company_id": self.company_b.id}
        )
        self.cable.substitute_line_ids = [Command.create({"substitute_id": foreign.id, "sequence": 3})]
        with self.assertRaises(AccessError):  # the user of company A does not even read it
            line.with_user(self.sales_manager)._substitute(foreign)
        with self.assertRaisesRegex(UserError, "Cable \\(company B\\) belongs to Distribution Test Company B"):
            line.with_user(self.sales_manager).sudo()._substitute(foreign)
        self._assert_untouched(order, line)

    def test_cancelled_locked_and_held_orders_refused(self):
        order, line = self._confirmed()
        order.with_user(self.sales_manager).action_lock()
        with self.assertRaisesRegex(UserError, f"Order {order.name} is locked"):
            line.with_user(self.sales_manager)._substitute(self.cable_b)
        order.with_user(self.sales_manager).action_unlock()
        order._put_on_credit_hold("test")
        with self.assertRaisesRegex(UserError, f"Order {order.name} is on credit hold"):
            line.with_user(self.sales_manager)._substitute(self.cable_b)
        order.with_context(disable_cancel_warning=True).with_user(self.sales_manager)._action_cancel()
        with self.assertRaisesRegex(UserError, f"Order {order.name} is Cancelled"):
            line.with_user(self.sales_manager)._substitute(self.cable_b)
        self.assertEqual(len(order.order_line), 1)

    def test_users_without_sales_rights_refused(self):
        order, line = self._confirmed()
        for user in (self.storekeeper, self.billing, self.portal):
            for call in (
                lambda line: line.action_open_substitutes(),
                lambda line: line._substitute(self.cable_b),
                lambda line: line.action_accept_substitute_proposal(),
                lambda line: line.action_decline_substitute_proposal(),
            ):
                with self.subTest(user=user.login), self.assertRaises(AccessError):
                    call(line.with_user(user))
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["distribution.substitute.wizard"].with_user(user).create({"line_id": line.id})
        self._assert_untouched(order, line)

    def test_other_company_refused(self):
        order, line = self._confirmed()
        with self.assertRaises(AccessError):
            line.with_user(self.manager_b).action_open_substitutes()
        both = new_test_user(
            self.env, login="dist_subst_both", groups="sales_team.group_sale_manager",
            company_id=self.company_b.id, company_ids=[self.company_a.id, self.company_b.id],
        )
        with self.assertRaises(AccessError):
            line.with_user(both).with_context(allowed_company_ids=[self.company_b.id])._substitute(self.cable_b)
        with self.assertRaisesRegex(UserError, f"Order {order.name} belongs to"):
            line.with_user(both).sudo().with_context(allowed_company_ids=[self.company_b.id])._check_confirmed_substitution()
        self._assert_untouched(order, line)

    def test_no_price_sneaks_in(self):
        order, line = self._confirmed()
        line.with_user(self.salesperson).with_context(
            default_price_unit=1.0, default_discount=50.0, default_purchase_price=0.0
        )._substitute(self.cable_b)
        new_line = self._new_line(order)
        self.assertRecordValues(new_line, [{"price_unit": 70.0, "discount": 0.0, "purchase_price": 50.0}])
        with self.assertRaisesRegex(UserError, "cannot change its prices"):
            new_line.with_user(self.salesperson).price_unit = 1.0
        with self.assertRaisesRegex(AccessError, "set by the system"):
            line.with_user(self.salesperson).write({"distribution_substitute_proposed_id": self.cable_c.id})


@tagged("post_install", "-at_install")
class TestSubstitutionConfirmedPickPackShip(TestSubstitutionConfirmed):
    """The same where deliveries take three steps: the pick reserves the stock and is the move substituted;
    what was picked goes on to pack and ship."""

    delivery_steps = "pick_pack_ship"

    def test_picked_part_goes_on_only_the_backorder_pick_is_substituted(self):
        order, line = self._confirmed()
        self._deliver(order, {self.cable: 6.0})  # the pick: 6 picked, 4 on a backorder pick
        pack = line.move_ids.filtered(lambda m: m.picking_type_id == self.warehouse.pack_type_id)
        self.assertRecordValues(pack, [{"product_uom_qty": 6.0}])
        self._substitute(line, self.cable_b)
        self.assertRecordValues(pack, [{"product_uom_qty": 6.0}])
        self.assertEqual(line.product_uom_qty, 6.0)
        self.assertEqual(self._stock_moves(self._new_line(order)).picking_type_id, self.warehouse.pick_type_id)

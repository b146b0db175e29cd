from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import ExceptionCase


@tagged("post_install", "-at_install")
class TestExceptionSecurity(ExceptionCase):
    """Who sees and works which items: managers all, warehouse users warehouse types, buyers purchase
    types, finance users finance types, salespeople those of their orders; companies apart."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_rep = new_test_user(
            cls.env, login="exc_other_rep", groups="sales_team.group_sale_salesman",
            company_id=cls.company_a.id, company_ids=[cls.company_a.id],
        )
        order = cls._order(cls, [(cls.cable, 1, None, 0.0)])
        other_order = cls._order(cls, [(cls.cable, 1, None, 0.0)], user=cls.other_rep)
        raise_ = cls.env["distribution.exception"]._raise_exceptions
        cls.late = raise_("late_delivery", [{"record": order, "sale_order_id": order}])  # sales
        cls.other_late = raise_("late_delivery", [{"record": other_order, "sale_order_id": other_order}])
        cls.override = raise_("price_override", [{"record": order, "sale_order_id": order}])  # finance
        cls.short = raise_("short_pick", [{"record": cls.cable}])  # warehouse
        cls.late_supplier = raise_("late_supplier", [{"record": cls.vendor}])  # purchase
        cls.credit = raise_("credit_hold", [{"record": order, "sale_order_id": order}])  # finance, credit
        cls.all_a = cls.late | cls.other_late | cls.override | cls.short | cls.late_supplier | cls.credit
        company_b = {"company_id": cls.company_b.id, "company_ids": [cls.company_b.id]}
        cls.manager_b_exc = new_test_user(
            cls.env, login="exc_manager_only_b", groups="distribution_exceptions.group_exception_manager", **company_b
        )
        cls.in_b = raise_("short_pick", [{"record": cls.breaker, "company": cls.company_b}])

    def _visible(self, user):
        return self.Exception.with_user(user).search([])

    def test_manager_sees_all_of_own_companies(self):
        self.assertEqual(self._visible(self.exception_manager) & (self.all_a | self.in_b), self.all_a)
        self.assertEqual(self._visible(self.manager_b_exc) & (self.all_a | self.in_b), self.in_b)
        with self.assertRaises(AccessError):
            self.in_b.with_user(self.exception_manager).read(["name"])

    def test_warehouse_buyer_finance_see_their_types(self):
        self.assertEqual(self._visible(self.picker) & self.all_a, self.short)
        self.assertEqual(self._visible(self.buyer) & self.all_a, self.late_supplier)
        self.assertEqual(self._visible(self.billing) & self.all_a, self.override | self.credit)
        self.assertEqual(self._visible(self.credit_controller) & self.all_a, self.late | self.other_late | self.credit)

    def test_salesperson_reads_items_of_own_orders_and_works_sales_ones(self):
        visible = self._visible(self.salesperson) & self.all_a
        self.assertEqual(visible, self.late | self.override | self.credit)
        late = self.late.with_user(self.salesperson)
        late.action_take()
        self.assertEqual(late.user_id, self.salesperson)
        with self.assertRaises(AccessError):
            self.override.with_user(self.salesperson).write({"resolution": "<p>fine</p>"})
        with self.assertRaises(AccessError):
            self.other_late.with_user(self.salesperson).read(["name"])
        with self.assertRaises(AccessError):
            self.late.with_user(self.salesperson).unlink()

    def test_exception_user_sees_own_unassigned_and_team_items(self):
        self.short.user_id = self.exception_user
        self.late_supplier.user_id = self.buyer
        team = self.env["crm.team"].create({"name": "Care", "member_ids": [(4, self.exception_user.id)]})
        self.override.write({"user_id": self.picker.id, "team_id": team.id})
        (self.late | self.other_late | self.credit).write({"user_id": self.salesperson.id})
        visible = self._visible(self.exception_user) & self.all_a
        self.assertEqual(visible, self.short | self.override)

    def test_what_an_item_is_about_cannot_change(self):
        other_type = self.Type._get_by_code("backorder")
        for user in (self.exception_manager, self.picker):
            with self.assertRaisesRegex(UserError, "Type cannot change once raised"):
                self.short.with_user(user).write({"type_id": other_type.id})
        with self.assertRaisesRegex(UserError, "cannot change once raised"):
            self.short.with_user(self.exception_manager).write({"res_id": self.breaker.id})
        self.short.with_user(self.picker).write({"user_id": self.picker.id})  # ownership may change

    def test_only_managers_delete_and_configure(self):
        with self.assertRaisesRegex(AccessError, "not allowed"):
            self.short.with_user(self.exception_user).unlink()
        with self.assertRaises(AccessError):
            self.Type._get_by_code("short_pick").with_user(self.exception_user).write({"sla_hours": 1})
        self.Type._get_by_code("short_pick").with_user(self.exception_manager).write({"sla_hours": 1})
        self.short.with_user(self.exception_manager).unlink()
        self.assertFalse(self.short.exists())

    def test_counts_on_documents_follow_the_rules(self):
        order = self.late.sale_order_id
        for user, count in ((self.salesperson, 3), (self.picker, 0), (self.billing, 2)):
            order.invalidate_recordset(["exception_count"])
            self.assertEqual(order.with_user(user).exception_count, count, user.login)

    # --- integrity of the items (issue: forged, re-pointed or leaking items) ----------------------------
    def test_item_cannot_be_closed_or_repointed_by_writing_fields(self):
        other_order = self.other_late.sale_order_id
        for vals in ({"state": "resolved", "auto_resolved": True}, {"auto_resolved": True},
                     {"resolved_by_id": self.exception_manager.id}, {"sale_order_id": other_order.id},
                     {"partner_id": self.vendor.id}, {"source_name": "Nothing to see"}):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "set by the system"):
                with self.cr.savepoint():
                    self.late.with_user(self.exception_manager).write(dict(vals, priority="1"))
        self.late.invalidate_recordset()
        self.assertRecordValues(
            self.late,
            [
                {
                    "state": "new",
                    "auto_resolved": False,
                    "source_name": self.late.sale_order_id.name,
                    "resolved_by_id": False,
                }
            ],
        )
        self.assertNotEqual(self.late.sale_order_id, other_order, "nothing half-written")
        # Closing by writing the state runs the same rules as the Resolve button: a note is needed.
        with self.assertRaisesRegex(Exception, "cannot be resolved without a resolution note"):
            with self.cr.savepoint():
                self.late.with_user(self.exception_manager).write({"state": "resolved"})
        self.assertTrue(self.late.is_open)

    def test_manual_item_takes_its_links_from_a_readable_document_of_its_company(self):
        order = self._order([(self.cable, 1, None, 0.0)], user=self.exception_manager)
        claim_type = self.Type._get_by_code("claim")
        item = self.Exception.with_user(self.exception_manager).create(
            {"type_id": claim_type.id, "res_model": "sale.order", "res_id": order.id}
        )
        self.assertRecordValues(item, [{"sale_order_id": order.id, "partner_id": order.partner_id.id,
                                        "company_id": self.company_a.id, "source_name": order.name}])
        self.assertNotEqual(item.name, "New")
        # Links sent by the client are refused, not trusted.
        with self.assertRaisesRegex(AccessError, "set by the system"):
            self.Exception.with_user(self.exception_manager).create(
                {"type_id": claim_type.id, "res_model": "sale.order", "res_id": order.id,
                 "sale_order_id": self.other_late.sale_order_id.id}
            )
        # A blocking type (a credit hold) is raised by the suite only.
        with self.assertRaisesRegex(UserError, "only the suite raises them"):
            self.Exception.with_user(self.exception_manager).create(
                {"type_id": self.Type._get_by_code("credit_hold").id, "res_model": "sale.order", "res_id": order.id}
            )
        self.assertFalse(order.credit_hold)
        # Another company's order: no access to it, and its name does not leak.
        order_b = self.env["sale.order"].create({"partner_id": self.customer.id, "company_id": self.company_b.id})
        with self.assertRaisesRegex(AccessError, "cannot raise an exception on .* no access to that document"):
            self.Exception.with_user(self.exception_manager).create(
                {"type_id": claim_type.id, "res_model": "sale.order", "res_id": order_b.id}
            )
        purchase = self.env["purchase.order"].create({"partner_id": self.vendor.id})
        with self.assertRaisesRegex(AccessError, "no access to that document"):
            self.Exception.with_user(self.exception_manager).create(
                {"type_id": claim_type.id, "res_model": "purchase.order", "res_id": purchase.id}
            )
        self.assertEqual(
            self.Exception.sudo().search_count([("res_model", "=", "sale.order"), ("res_id", "=", order_b.id)]), 0
        )

    def test_unassigned_items_go_to_the_team_the_type_routes_to(self):
        (self.credit | self.short).user_id = False
        self.assertFalse(self._visible(self.exception_user) & (self.credit | self.short), "not to every exception user")
        self.assertIn(self.credit, self._visible(self.credit_controller), "credit control sees its items")
        team = self.env["crm.team"].create({"name": "Warehouse desk", "member_ids": [(4, self.exception_user.id)]})
        self.short.team_id = team
        self.assertIn(self.short, self._visible(self.exception_user), "the type's team sees it")
        self.assertNotIn(self.credit, self._visible(self.exception_user))

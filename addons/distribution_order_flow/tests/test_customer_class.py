import psycopg2.errors

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import DistributionCase


@tagged("post_install", "-at_install")
class TestCustomerClass(DistributionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.retail = cls.CustomerClass.create(
            {
                "name": "Key Retail",
                "code": " keyret ",
                "priority": 80,
                "ship_policy": "complete",
                "invoice_on_delivery": True,
            }
        )
        cls.customer = cls.env["res.partner"].create({"name": "Chain Store Inc.", "is_company": True})

    def test_code_is_normalised(self):
        self.assertEqual(self.retail.code, "KEYRET")
        self.retail.write({"code": "key-acct"})
        self.assertEqual(self.retail.code, "KEY-ACCT")

    def test_defaults(self):
        new_class = self.CustomerClass.create({"name": "Walk-in", "code": "WALK"})
        self.assertRecordValues(
            new_class,
            [{"priority": 50, "ship_policy": "partial", "invoice_on_delivery": False, "company_id": self.company_a.id}],
        )

    def test_priority_boundaries(self):
        for priority in (0, 100):
            self.retail.priority = priority
            self.assertEqual(self.retail.priority, priority)
        for priority in (-1, 101):
            with self.assertRaisesRegex(
                ValidationError, r"Customer class Key Retail: the priority must be between 0 and 100"
            ):
                self.retail.priority = priority

    def test_priority_refused_at_create_writes_nothing(self):
        count = self.CustomerClass.search_count([])
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.CustomerClass.create(
                [{"name": "Good", "code": "GOOD", "priority": 10}, {"name": "Bad", "code": "BAD", "priority": 150}]
            )
        self.assertEqual(self.CustomerClass.search_count([]), count)

    def _assert_code_refused(self, classes, vals_list):
        """Creating ``vals_list`` is refused by the unique index as a whole (nothing written), with the
        message a person gets (Odoo shows it for the IntegrityError of an RPC call)."""
        count = self.CustomerClass.with_context(active_test=False).search_count([])
        with self.assertRaises(psycopg2.errors.UniqueViolation) as refused, mute_logger("odoo.sql_db"), \
                self.cr.savepoint():
            classes.create(vals_list)
            classes.env.flush_all()
        self.assertEqual(
            self.CustomerClass.with_context(active_test=False).search_count([]), count, "nothing half-written"
        )
        self.assertIn(
            "already has this code in this company", self.CustomerClass._sql_error_to_message(refused.exception)
        )

    def test_code_unique_per_company(self):
        # The sales manager who keeps the classes; the code is compared once normalised.
        self._assert_code_refused(
            self.CustomerClass.with_user(self.sales_manager),
            [{"name": "Walk-in", "code": "WALK"}, {"name": "Retail bis", "code": "keyret"}],
        )
        # The same code in another company is another class.
        other = self.CustomerClass.create({"name": "Retail B", "code": "KEYRET", "company_id": self.company_b.id})
        self.assertEqual(other.company_id, self.company_b)

    def test_code_unique_among_shared_classes(self):
        self.CustomerClass.create({"name": "Shared", "code": "SHARED", "company_id": False})
        self._assert_code_refused(self.CustomerClass, [{"name": "Shared again", "code": "SHARED", "company_id": False}])

    def test_archived_class_still_reserves_its_code(self):
        self.retail.active = False
        self._assert_code_refused(self.CustomerClass, [{"name": "Retail new", "code": "KEYRET"}])

    def test_contacts_follow_the_commercial_partner(self):
        buyer = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.customer.id})
        self.customer.distribution_class_id = self.retail
        self.assertEqual(buyer.distribution_class_id, self.retail, "existing contacts follow the company")
        store = self.env["res.partner"].create({"name": "Store 12", "parent_id": self.customer.id, "type": "delivery"})
        self.assertEqual(store.distribution_class_id, self.retail, "new addresses take the company's class")

    def test_class_is_per_company(self):
        self.customer.distribution_class_id = self.retail
        partner_in_b = self.customer.with_company(self.company_b)
        self.assertFalse(partner_in_b.distribution_class_id, "a class set in company A does not apply in company B")
        class_b = self.CustomerClass.create({"name": "Dealers B", "code": "DEALB", "company_id": self.company_b.id})
        partner_in_b.distribution_class_id = class_b
        self.assertEqual(self.customer.distribution_class_id, self.retail)
        self.assertEqual(partner_in_b.distribution_class_id, class_b)

    def test_partner_count_and_action(self):
        contractor = self.env["res.partner"].create(
            {"name": "Sparks Ltd", "is_company": True, "distribution_class_id": self.retail.id}
        )
        self.customer.distribution_class_id = self.retail
        self.env["res.partner"].create({"name": "Contact", "parent_id": contractor.id})
        self.assertEqual(self.retail.partner_count, 2, "only companies are counted, not their contacts")
        action = self.retail.action_view_partners()
        self.assertEqual(
            set(self.env["res.partner"].search(action["domain"]).ids), {contractor.id, self.customer.id}
        )

    def test_shipped_default_classes(self):
        shipped = self.env.ref("distribution_order_flow.customer_class_key_account") | self.env.ref(
            "distribution_order_flow.customer_class_retail"
        ) | self.env.ref("distribution_order_flow.customer_class_contractor") | self.env.ref(
            "distribution_order_flow.customer_class_dealer"
        )
        self.assertRecordValues(
            shipped,
            [
                {
                    "code": "KEY",
                    "priority": 90,
                    "ship_policy": "partial",
                    "invoice_on_delivery": True,
                    "company_id": False,
                },
                {
                    "code": "RETAIL",
                    "priority": 80,
                    "ship_policy": "complete",
                    "invoice_on_delivery": True,
                    "company_id": False,
                },
                {
                    "code": "CONTRACTOR",
                    "priority": 60,
                    "ship_policy": "partial",
                    "invoice_on_delivery": True,
                    "company_id": False,
                },
                {
                    "code": "DEALER",
                    "priority": 40,
                    "ship_policy": "partial",
                    "invoice_on_delivery": False,
                    "company_id": False,
                },
            ],
        )


@tagged("post_install", "-at_install")
class TestCustomerClassServiceLevel(DistributionCase):
    """The service level a customer class asks of the replenishment's safety stock: 0 (none) or 50 to below
    100 %, set by a sales manager."""

    def test_service_level_boundaries(self):
        customer_class = self.CustomerClass.with_user(self.sales_manager).create(
            {"name": "Hospitals", "code": "HOSP"}
        )
        self.assertEqual(customer_class.service_level, 0.0, "none by default")
        for level in (50.0, 99.9, 0.0):
            customer_class.service_level = level
            self.assertEqual(customer_class.service_level, level)
        for level in (49.9, 100.0, -5.0):
            with self.assertRaisesRegex(
                ValidationError, r"Customer class Hospitals: the service level must be from 50 % to below 100 %"
            ), self.cr.savepoint():
                customer_class.service_level = level
            customer_class.invalidate_recordset()
            self.assertEqual(customer_class.service_level, 0.0, "nothing written")

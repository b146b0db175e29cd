from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import DistributionCase


@tagged("post_install", "-at_install")
class TestCustomerClassSecurity(DistributionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.class_a = cls.CustomerClass.create({"name": "Contractors A", "code": "CONTA"})
        cls.class_b = cls.CustomerClass.create(
            {"name": "Contractors B", "code": "CONTB", "company_id": cls.company_b.id}
        )
        cls.class_shared = cls.CustomerClass.create({"name": "Shared", "code": "SHARE", "company_id": False})

    def test_salesperson_reads_but_cannot_configure(self):
        classes = self.CustomerClass.with_user(self.salesperson)
        self.assertIn(self.class_a, classes.search([]))
        with self.assertRaises(AccessError):
            classes.create({"name": "Mine", "code": "MINE"})
        with self.assertRaises(AccessError):
            self.class_a.with_user(self.salesperson).write({"priority": 100})
        with self.assertRaises(AccessError):
            self.class_a.with_user(self.salesperson).unlink()

    def test_only_sales_managers_set_a_customer_class(self):
        rep = self.salesperson
        rep.group_ids += self.env.ref("base.group_partner_manager")  # may edit contacts
        customer = self.env["res.partner"].with_user(rep).create({"name": "New Dealer", "is_company": True})
        with self.assertRaisesRegex(AccessError, r"Only a sales manager can set the customer class of New Dealer"):
            customer.write({"distribution_class_id": self.class_a.id})
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(rep).create(
                {"name": "Promoted Dealer", "is_company": True, "distribution_class_id": self.class_a.id}
            )
        customer.with_user(self.sales_manager).write({"distribution_class_id": self.class_a.id})
        self.assertEqual(customer.distribution_class_id, self.class_a)
        # The rep still edits the customer and adds contacts, which follow the class.
        customer.with_user(rep).write({"phone": "+1 555 0100", "distribution_class_id": self.class_a.id})
        contact = self.env["res.partner"].with_user(rep).create({"name": "Buyer", "parent_id": customer.id})
        self.assertEqual(contact.distribution_class_id, self.class_a)

    def test_sales_manager_configures(self):
        classes = self.CustomerClass.with_user(self.sales_manager)
        created = classes.create({"name": "Key accounts", "code": "KEY", "priority": 95})
        created.write({"ship_policy": "complete"})
        self.assertEqual(created.company_id, self.company_a)
        created.unlink()
        self.assertFalse(created.exists())

    def test_credit_controller_reads_classes(self):
        self.assertIn(self.class_a, self.CustomerClass.with_user(self.credit_controller).search([]))
        self.assertTrue(self.credit_controller.has_group("sales_team.group_sale_salesman_all_leads"))

    def test_companies_are_isolated(self):
        seen_by_a = self.CustomerClass.with_user(self.sales_manager).search([])
        seen_by_b = self.CustomerClass.with_user(self.manager_b).search([])
        self.assertIn(self.class_a, seen_by_a)
        self.assertNotIn(self.class_b, seen_by_a)
        self.assertIn(self.class_b, seen_by_b)
        self.assertNotIn(self.class_a, seen_by_b)
        self.assertIn(self.class_shared, seen_by_a & seen_by_b)
        with self.assertRaises(AccessError):
            self.class_b.with_user(self.sales_manager).read(["name"])

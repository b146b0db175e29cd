from odoo.tests import TransactionCase, new_test_user


class DistributionCase(TransactionCase):
    """World shared by the suite's tests: two companies, users per role in the first one, and a
    user of the second company only. Mail tracking is off to keep the tests quick."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_notrack=True))
        cls.company_a = cls.env.company
        # The tests start from a company's defaults (the demo company turns the overdue rule and the
        # release of held reservations on); each test switches on what it exercises.
        cls.company_a.write({"distribution_credit_overdue_check": False, "distribution_credit_hold_unreserve": False})
        cls.company_b = cls.env["res.company"].create({"name": "Distribution Test Company B"})
        cls.salesperson = new_test_user(
            cls.env,
            login="dist_salesperson",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        cls.sales_manager = new_test_user(
            cls.env,
            login="dist_sales_manager",
            groups="sales_team.group_sale_manager",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        cls.credit_controller = new_test_user(
            cls.env,
            login="dist_credit_controller",
            groups="distribution_order_flow.group_credit_controller",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        cls.manager_b = new_test_user(
            cls.env,
            login="dist_sales_manager_b",
            groups="sales_team.group_sale_manager",
            company_id=cls.company_b.id,
            company_ids=[cls.company_b.id],
        )
        cls.CustomerClass = cls.env["distribution.customer.class"]

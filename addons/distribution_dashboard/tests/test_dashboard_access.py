from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import DashboardCase


@tagged("post_install", "-at_install")
class TestDashboardAccess(DashboardCase):
    """Who sees which dashboard, and whose figures: the pivots read as the user, so the record rules of
    each model apply."""

    def _listed(self, user):
        return self.env["spreadsheet.dashboard"].with_user(user).search([]) & (
            self.sales_dashboard | self.inventory_dashboard)

    def test_sales_dashboard_for_sales_managers_only(self):
        self.assertEqual(self._listed(self.sales_manager), self.sales_dashboard)
        self.assertEqual(self._listed(self.sales_manager_b), self.sales_dashboard)
        for user in (self.salesperson, self.stock_user, self.stock_manager):
            self.assertNotIn(self.sales_dashboard, self._listed(user), user.login)

    def test_inventory_dashboard_for_inventory_managers_only(self):
        self.assertEqual(self._listed(self.stock_manager), self.inventory_dashboard)
        for user in (self.salesperson, self.sales_manager, self.stock_user):
            self.assertNotIn(self.inventory_dashboard, self._listed(user), user.login)

    def test_salesperson_cannot_open_the_sales_dashboard(self):
        with self.assertRaises(AccessError):
            self.sales_dashboard.with_user(self.salesperson).read(["spreadsheet_data"])
        with self.assertRaises(AccessError):
            self.inventory_dashboard.with_user(self.salesperson).read(["spreadsheet_data"])

    def test_portal_user_refused(self):
        with self.assertRaises(AccessError):
            self.env["spreadsheet.dashboard"].with_user(self.portal).search([])
        for model in ("distribution.kpi.backorder", "distribution.exception", "distribution.supplier.stat",
                      "sale.report"):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.portal).formatted_read_group([], [], ["__count"])

    def test_vendor_figures_for_inventory_managers_not_warehouse_users(self):
        Stat = self.env["distribution.supplier.stat"]
        self.assertTrue(Stat.with_user(self.stock_manager).formatted_read_group([], ["partner_id"], ["__count"]))
        with self.assertRaises(AccessError):
            Stat.with_user(self.stock_user).formatted_read_group([], ["partner_id"], ["__count"])
        with self.assertRaises(AccessError):
            Stat.search([], limit=1).with_user(self.stock_manager).write({"on_time_rate": 100.0})

    def test_sales_manager_sees_only_sales_exceptions(self):
        """The exceptions pivot reads as the user: a sales manager counts the sales team's exceptions and
        their own, not the warehouse's."""
        data = self.spreadsheet(self.sales_dashboard)
        groups = self.read_source(self.sales_dashboard, "pivot", data["pivots"]["4"], self.sales_manager)
        types = self.env["distribution.exception.type"].browse([g["type_id"][0] for g in groups])
        self.assertTrue(types)
        self.assertEqual(set(types.mapped("audience")), {"sales"})

    def test_other_company_manager_sees_only_their_company(self):
        customer = self.env["res.partner"].create({"name": "Company B Customer", "is_company": True})
        order_b = self.env["sale.order"].create({"partner_id": customer.id, "company_id": self.company_b.id})
        vendor = self.env["res.partner"].create({"name": "Company B Vendor", "is_company": True})
        self.env["distribution.supplier.stat"].create({
            "company_id": self.company_b.id, "partner_id": vendor.id, "receipt_count": 2, "on_time_rate": 50.0,
        })
        sales = self.spreadsheet(self.sales_dashboard)
        by_state_b = self.read_source(self.sales_dashboard, "pivot", sales["pivots"]["3"], self.sales_manager_b)
        self.assertEqual([(g["flow_state"], g["__count"]) for g in by_state_b], [(order_b.flow_state, 1)])
        by_state_a = self.read_source(self.sales_dashboard, "pivot", sales["pivots"]["3"], self.sales_manager)
        self.assertEqual(
            sum(g["__count"] for g in by_state_a),
            self.env["sale.order"].search_count(
                sales["pivots"]["3"]["domain"] + [("company_id", "=", self.company.id)]
            ),
        )
        inventory = self.spreadsheet(self.inventory_dashboard)
        vendors_b = self.read_source(self.inventory_dashboard, "pivot", inventory["pivots"]["3"], self.stock_manager_b)
        self.assertEqual([g["partner_id"][0] for g in vendors_b], [vendor.id])
        vendors_a = self.read_source(self.inventory_dashboard, "pivot", inventory["pivots"]["3"], self.stock_manager)
        self.assertNotIn(vendor.id, [g["partner_id"][0] for g in vendors_a])
        self.assertTrue(vendors_a)
        # The other sources of both dashboards: every one reads, and only company B's records.
        for dashboard, user in ((self.sales_dashboard, self.sales_manager_b),
                                (self.inventory_dashboard, self.stock_manager_b)):
            for kind, name, definition in self.sources(dashboard):
                self.read_source(dashboard, kind, definition, user)
                model_name = definition["metaData"]["resModel"] if kind == "chart" else definition["model"]
                model = self.env[model_name]
                domain = definition.get("domain", definition.get("searchParams", {}).get("domain"))
                self.assertEqual(
                    model.with_user(user).search_count(domain),
                    model.search_count(domain + [("company_id", "=", self.company_b.id)]),
                    f"{dashboard.name} / {name}: company B's records only",
                )

import json
from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, new_test_user

SALES_XMLID = "distribution_dashboard.spreadsheet_dashboard_distribution_sales"
INVENTORY_XMLID = "distribution_dashboard.spreadsheet_dashboard_distribution_inventory"


class DashboardCase(TransactionCase):
    """The two dashboards on the demo database, and the users of each role (main company, and a second
    company with its own managers)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_dashboard = cls.env.ref(SALES_XMLID)
        cls.inventory_dashboard = cls.env.ref(INVENTORY_XMLID)
        cls.company = cls.env.ref("base.main_company")
        main = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        cls.sales_manager = new_test_user(cls.env, login="dash_sales_manager", groups="sales_team.group_sale_manager",
                                          **main)
        cls.stock_manager = new_test_user(cls.env, login="dash_stock_manager", groups="stock.group_stock_manager",
                                          **main)
        cls.salesperson = new_test_user(cls.env, login="dash_salesperson", groups="sales_team.group_sale_salesman",
                                        **main)
        cls.stock_user = new_test_user(cls.env, login="dash_stock_user", groups="stock.group_stock_user", **main)
        cls.portal = new_test_user(cls.env, login="dash_portal", groups="base.group_portal", **main)
        cls.company_b = cls.env["res.company"].create({"name": "Dashboard Company B"})
        other = {"company_id": cls.company_b.id, "company_ids": [cls.company_b.id]}
        cls.sales_manager_b = new_test_user(cls.env, login="dash_sales_manager_b",
                                            groups="sales_team.group_sale_manager", **other)
        cls.stock_manager_b = new_test_user(cls.env, login="dash_stock_manager_b",
                                            groups="stock.group_stock_manager", **other)

    @staticmethod
    def spreadsheet(dashboard):
        return json.loads(dashboard.spreadsheet_data)

    @classmethod
    def sources(cls, dashboard):
        """Every data source of the dashboard, as ("pivot" | "chart" | "list", name, definition)."""
        data = cls.spreadsheet(dashboard)
        result = [("pivot", pivot["name"], pivot) for pivot in data["pivots"].values()]
        result += [("list", lst["name"], lst) for lst in data["lists"].values()]
        for sheet in data["sheets"]:
            for figure in sheet["figures"]:
                if figure["data"]["type"].startswith("odoo_"):
                    chart = figure["data"]
                    result.append(("chart", figure["id"], chart))
        return result

    @classmethod
    def default_filter_domain(cls, dashboard, definition):
        """The domain the dashboard's date filters add to a source by default: their default relative
        period (the last 12 months) on the field they are matched to, as the client does."""
        data = cls.spreadsheet(dashboard)
        domain = []
        for global_filter in data["globalFilters"]:
            matching = definition.get("fieldMatching", {}).get(global_filter["id"])
            if matching:
                assert global_filter["defaultValue"] == "last_12_months", global_filter
                start = fields.Datetime.now().replace(day=1, hour=0, minute=0, second=0) - timedelta(days=334)
                domain.append((matching["chain"], ">=", fields.Datetime.to_string(start)))
        return domain

    @staticmethod
    def measure_spec(model, measure):
        if measure["fieldName"] == "__count":
            return "__count"
        aggregator = measure.get("aggregator") or model._fields[measure["fieldName"]].aggregator
        return f"{measure['fieldName']}:{aggregator}"

    @classmethod
    def read_source(cls, dashboard, kind, definition, user):
        """Read a source as ``user`` with the call the spreadsheet client makes for it: a pivot's
        ``formatted_read_grouping_sets`` (every combination of its row and column groupbys), a chart's
        ``formatted_read_group``, a list's ``web_search_read``. Returns the rows (groups or records)."""
        if kind == "chart":
            meta = definition["metaData"]
            model = cls.env[meta["resModel"]].with_user(user)
            domain = definition["searchParams"]["domain"] + cls.default_filter_domain(dashboard, definition)
            measure = "__count" if meta["measure"] == "__count" else (
                f"{meta['measure']}:{model._fields[meta['measure']].aggregator}")
            return model.formatted_read_group(domain, meta["groupBy"], [measure])
        model = cls.env[definition["model"]].with_user(user)
        domain = definition["domain"] + cls.default_filter_domain(dashboard, definition)
        if kind == "list":
            order = ", ".join(f"{o['name']} {'asc' if o['asc'] else 'desc'}" for o in definition["orderBy"])
            result = model.web_search_read(domain, {name: {} for name in definition["columns"]}, limit=10,
                                           order=order)
            return result["records"]

        def spec(dimension):
            granularity = dimension.get("granularity")
            return f"{dimension['fieldName']}:{granularity}" if granularity else dimension["fieldName"]

        rows = [spec(d) for d in definition["rows"]]
        columns = [spec(d) for d in definition["columns"]]
        grouping_sets = [rows[:i] + columns[:j] for i in range(len(rows) + 1) for j in range(len(columns) + 1)]
        aggregates = [cls.measure_spec(model, m) for m in definition["measures"]]
        groups = model.formatted_read_grouping_sets(domain, grouping_sets, aggregates)
        # The most detailed grouping set: what the pivot's body shows.
        return groups[-1]

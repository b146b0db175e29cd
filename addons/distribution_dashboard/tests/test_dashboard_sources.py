import json
import re
from collections import Counter

from odoo.tests import tagged
from odoo.tools import file_open

from .common import DashboardCase


@tagged("post_install", "-at_install")
class TestDashboardSources(DashboardCase):
    """Each data source of the two dashboards reads fields that exist and can be grouped or aggregated in
    SQL, and reads, as a user of the dashboard's audience, what the spreadsheet client reads, with figures
    on the demo database."""

    def test_same_format_as_core_dashboards(self):
        with file_open("spreadsheet_dashboard_sale/data/files/sales_dashboard.json") as core_file:
            core_version = json.load(core_file)["version"]
        for dashboard in (self.sales_dashboard, self.inventory_dashboard):
            data = self.spreadsheet(dashboard)
            self.assertEqual(data["version"], core_version, f"{dashboard.name}: o-spreadsheet format of core's")
            self.assertEqual(data["revisionId"], "START_REVISION")
            cells = {ref: content for sheet in data["sheets"] for ref, content in sheet["cells"].items()}
            used = {m.group(1) for content in cells.values() for m in re.finditer(r"PIVOT(?:\.VALUE)?\((\d+)", content)}
            self.assertEqual(used, set(data["pivots"]), f"{dashboard.name}: every pivot is shown, none is missing")
            used_lists = {m.group(1) for content in cells.values() for m in re.finditer(r"ODOO\.LIST\((\d+)", content)}
            self.assertEqual(used_lists, set(data["lists"]), f"{dashboard.name}: every list is shown")
            for pivot_id, pivot in data["pivots"].items():
                self.assertEqual(pivot["type"], "ODOO")
                self.assertEqual((pivot["id"], pivot["formulaId"]), (pivot_id, pivot_id))
                self.assertGreater(len(pivot["name"].split()), 2, f"pivot {pivot_id} has a title in words")
            for lst in data["lists"].values():
                self.assertGreater(len(lst["name"].split()), 2, f"list {lst['id']} has a title in words")
            titles = [content for content in cells.values() if not content.startswith("=")]
            self.assertGreaterEqual(len(titles), len(data["pivots"]) - 2, "sections are titled")
            for sheet in data["sheets"]:
                for figure in sheet["figures"]:
                    self.assertEqual(figure["data"]["chartId"], figure["id"])
                    if figure["data"]["type"] == "scorecard":
                        self.assertTrue(figure["data"]["title"]["text"])
                        self.assertIn(figure["data"]["keyValue"].split("!")[1], data["sheets"][1]["cells"])
                    else:
                        self.assertIn(figure["data"]["type"], ("odoo_bar", "odoo_line", "odoo_pie"))

    def _check_path(self, model, path, what):
        """Every field of a groupby path exists and is groupable; returns the last field."""
        field = None
        for name in path.split("."):
            self.assertIn(name, model._fields, f"{what}: {model._name}.{name} exists")
            field = model._fields[name]
            self.assertTrue(field._description_groupable(self.env), f"{what}: {model._name}.{name} is groupable")
            if field.relational:
                model = self.env[field.comodel_name]
        return field

    def test_fields_exist_stored_and_groupable(self):
        for dashboard in (self.sales_dashboard, self.inventory_dashboard):
            for kind, name, definition in self.sources(dashboard):
                what = f"{dashboard.name} / {name}"
                model_name = definition["metaData"]["resModel"] if kind == "chart" else definition["model"]
                self.assertIn(model_name, self.env, f"{what}: model {model_name} exists")
                model = self.env[model_name]
                if kind == "pivot":
                    for dimension in definition["rows"] + definition["columns"]:
                        field = self._check_path(model, dimension["fieldName"], what)
                        if dimension.get("granularity"):
                            self.assertIn(field.type, ("date", "datetime"))
                    for measure in definition["measures"]:
                        if measure["fieldName"] == "__count":
                            continue
                        field = model._fields.get(measure["fieldName"])
                        self.assertTrue(field and field.store, f"{what}: measure {measure['fieldName']} is stored")
                        self.assertTrue(measure.get("aggregator") or field.aggregator, f"{what}: aggregated")
                elif kind == "chart":
                    for groupby in definition["metaData"]["groupBy"]:
                        self._check_path(model, groupby.split(":")[0], what)
                    measure = definition["metaData"]["measure"]
                    if measure != "__count":
                        self.assertTrue(model._fields[measure].store and model._fields[measure].aggregator)
                else:
                    for column in definition["columns"]:
                        self.assertIn(column, model._fields, f"{what}: column {column} exists")
                    for order in definition["orderBy"]:
                        self.assertTrue(model._fields[order["name"]].store, f"{what}: sorted on a stored field")
                for condition in definition.get("domain") or definition.get("searchParams", {}).get("domain", []):
                    self.assertTrue(model._fields[condition[0]].store, f"{what}: filtered on a stored field")
                for matching in definition.get("fieldMatching", {}).values():
                    self.assertTrue(model._fields[matching["chain"]].store, f"{what}: date filter on a stored field")

    def _assert_audience_reads(self, dashboard, user):
        for kind, name, definition in self.sources(dashboard):
            rows = self.read_source(dashboard, kind, definition, user)
            self.assertTrue(rows, f"{dashboard.name} / {name}: figures on the demo database for {user.login}")

    def test_sales_manager_reads_every_source(self):
        self._assert_audience_reads(self.sales_dashboard, self.sales_manager)

    def test_inventory_manager_reads_every_source(self):
        # An inventory manager without purchase rights, the vendors' stored figures included.
        self.assertFalse(self.stock_manager.has_group("purchase.group_purchase_user"))
        self._assert_audience_reads(self.inventory_dashboard, self.stock_manager)

    def test_figures_match_the_records(self):
        """The pivots aggregate what the records say: at-risk orders per salesperson, open backorders per
        age bucket, and a fill rate of the lines' own quantities."""
        data = self.spreadsheet(self.sales_dashboard)
        by_user = self.read_source(self.sales_dashboard, "pivot", data["pivots"]["1"], self.sales_manager)
        orders = self.env["sale.order"].search([("at_risk", "=", True), ("company_id", "=", self.company.id)])
        self.assertEqual({g["user_id"][0] if g["user_id"] else False: g["__count"] for g in by_user},
                         dict(Counter(order.user_id.id for order in orders)))
        data = self.spreadsheet(self.inventory_dashboard)
        by_age = self.read_source(self.inventory_dashboard, "pivot", data["pivots"]["1"], self.stock_manager)
        backorders = self.env["distribution.kpi.backorder"].search([])
        self.assertEqual(sum(g["backorder_count:sum"] for g in by_age), len(backorders))
        self.assertEqual(sum(g["backorder_count:sum"] for g in by_age), self.env["stock.picking"].search_count([
            ("backorder_id", "!=", False), ("picking_type_code", "=", "outgoing"),
            ("state", "not in", ("done", "cancel")),
        ]))
